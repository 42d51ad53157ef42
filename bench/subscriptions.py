"""Live changes under load: commit-to-delivery latency and deliveries per second for many
WebSocket subscribers on one server process, and a soak mode for memory.

    python -m bench.subscriptions                      # 200 subscribers, 100 commits/s, 30 s
    python -m bench.subscriptions --orgs 1 --rate 20   # every subscriber gets every change
    python -m bench.subscriptions --soak 600           # 10 minutes, subscribers come and go

Subscribers are spread over ``--orgs`` organizations (each an EDITOR of one) and subscribe to
`changes` of items; commits update one item per organization in turn. Commits go through the
server's own write path (`resolvers.writes.writing`, change log and NOTIFY included) from this
process, which notes the time right after each commit returns; a separate client process holds
the sockets and notes each delivery's arrival (CLOCK_MONOTONIC is shared by processes). The
latency is arrival minus commit. Every delivery is checked: each subscriber must get every
change of its organization exactly once, in order — across reconnects in soak mode, where
each reconnect resumes with `after:`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing as mp
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import URL

import models
from bench import server
from graph.admin import migrations
from graph.auth import ACCESS_PREFIX, REFRESH_PREFIX, hash_password, hash_token, new_token
from graph.database import Database, drop_database, ensure_database, server_url
from graph.settings import PROJECT_ROOT, get_settings
from models.viewer import Viewer

DATABASE_NAME = "trellis_bench_live"
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
MIB = 1024 * 1024

SUBSCRIPTION = """
subscription {
  changes(filter: {entityTypes: ["Item"], actions: [UPDATE]}) {
    cursor action fields { field new } node { id ... on Item { title } }
  }
}"""
RESUME = """
subscription($after: String) {
  changes(filter: {entityTypes: ["Item"], actions: [UPDATE]}, after: $after) {
    cursor action fields { field new } node { id ... on Item { title } }
  }
}"""


def say(message: str) -> None:
    print(f"[bench.subscriptions] {message}", file=sys.stderr, flush=True)


@dataclass
class World:
    tokens: list[str]  # one per subscriber
    org_of: list[int]  # subscriber -> organization index
    items: list[uuid.UUID]  # one per organization
    writer: uuid.UUID  # a superuser


def _fresh_database(url: URL) -> None:
    asyncio.run(drop_database(url))
    asyncio.run(ensure_database(url))
    migrations.upgrade(url)


async def _build_world(url: URL, subscribers: int, orgs: int) -> World:
    db = Database(url, pool_size=2)
    try:
        async with db.sessions() as session, session.begin():
            editor = await session.scalar(
                select(models.Role.id).where(
                    models.Role.name == "EDITOR", models.Role.organization_id.is_(None)
                )
            )
            password = hash_password("bench-password")
            writer = models.User(
                email="writer@bench.test", full_name="Writer", password_hash=password,
                is_superuser=True,
            )  # fmt: skip
            session.add(writer)
            organizations = [
                models.Organization(name=f"Live {o}", slug=f"live-{o}") for o in range(orgs)
            ]
            users = [
                models.User(email=f"sub{s}@bench.test", full_name=f"S{s}", password_hash=password)
                for s in range(subscribers)
            ]
            session.add_all([*organizations, *users])
            await session.flush()
            org_of = [s % orgs for s in range(subscribers)]
            await session.execute(
                insert(models.Membership),
                [
                    {"user_id": u.id, "organization_id": organizations[o].id, "role_id": editor}
                    for u, o in zip(users, org_of, strict=True)
                ],
            )
            items = [
                models.Item(owner_id=writer.id, organization_id=org.id, title="0")
                for org in organizations
            ]
            session.add_all(items)
            tokens = [new_token(ACCESS_PREFIX) for _ in users]
            now = datetime.now(UTC)
            session.add_all(
                models.AuthSession(
                    user_id=u.id,
                    token_hash=hash_token(t),
                    refresh_token_hash=hash_token(new_token(REFRESH_PREFIX)),
                    expires_at=now + timedelta(days=1),
                    refresh_expires_at=now + timedelta(days=1),
                )
                for u, t in zip(users, tokens, strict=True)
            )
            await session.flush()
            return World(tokens, org_of, [i.id for i in items], writer.id)
    finally:
        await db.dispose()


# ---------------------------------------------------------------------------------------------
# The client process: the sockets


def _clients(
    base: str,
    tokens: list[str],
    soak: bool,
    ready: Any,
    stop: Any,
    results: Any,
    progress: Any,
) -> None:
    asyncio.run(_run_clients(base, tokens, soak, ready, stop, results, progress))


async def _run_clients(
    base: str,
    tokens: list[str],
    soak: bool,
    ready: Any,
    stop: Any,
    results: Any,
    progress: Any,
) -> None:
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + "/graphql"
    received: list[list[tuple[int, int, float]]] = [[] for _ in tokens]  # (cursor, seq, t)
    reconnects = [0]
    errors: list[str] = []
    stopping = asyncio.Event()
    connected = [0]

    async def subscriber(i: int) -> None:
        rng = random.Random(i)
        after: str | None = None
        first = True
        while not stopping.is_set():
            try:
                async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
                    init = {"Authorization": f"Bearer {tokens[i]}"}
                    await ws.send(json.dumps({"type": "connection_init", "payload": init}))
                    assert json.loads(await ws.recv())["type"] == "connection_ack"
                    payload: dict[str, Any] = {"query": SUBSCRIPTION}
                    if after is not None:
                        payload = {"query": RESUME, "variables": {"after": after}}
                    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
                    if first:
                        connected[0] += 1
                        first = False
                    stay = rng.uniform(2, 20) if soak else None

                    async def read(ws: Any = ws) -> None:
                        # No timeout around recv(): asyncio.wait_for on Python 3.11 can drop
                        # a message that arrives as it times out. The socket is closed from
                        # outside instead; what it did not read is resumed with `after:`.
                        nonlocal after
                        async for raw in ws:
                            t = time.monotonic()
                            message = json.loads(raw)
                            if message.get("type") != "next":
                                if message.get("type") not in ("ping", "pong"):
                                    errors.append(str(message)[:300])
                                continue
                            event = message["payload"]["data"]["changes"]
                            # The change's own value (the node is the current state, which
                            # may already carry a later commit's title).
                            title = {f["field"]: f["new"] for f in event["fields"]}["title"]
                            after = event["cursor"]
                            received[i].append((int(after), int(title), t))
                            progress.value += 1

                    reading = asyncio.create_task(read())
                    stop = asyncio.create_task(stopping.wait())
                    await asyncio.wait({reading, stop}, timeout=stay, return_when="FIRST_COMPLETED")
                    stop.cancel()
                    await ws.close()
                    await reading
                    reconnects[0] += 1
            except Exception as exc:  # a refused or dropped socket: note it, retry
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                await asyncio.sleep(0.5)

    tasks = [asyncio.create_task(subscriber(i)) for i in range(len(tokens))]
    while connected[0] < len(tokens):  # noqa: ASYNC110  (counted by the tasks)
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # subscriptions registered on the server
    ready.set()
    await asyncio.to_thread(stop.wait)
    stopping.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put({"received": received, "reconnects": reconnects[0], "errors": errors[:20]})


# ---------------------------------------------------------------------------------------------
# The writer: commits through the server's write path, timed


async def _write(
    url: URL, world: World, rate: float, duration: float
) -> dict[int, tuple[int, float]]:
    """Update items round-robin at ``rate`` commits/s (several in flight if one falls
    behind); {seq: (org, commit time)}."""
    from resolvers.writes import writing

    db = Database(url, pool_size=8)
    viewer = Viewer(user_id=world.writer, is_superuser=True)
    info = SimpleNamespace(context=SimpleNamespace(db=db, viewer=viewer))
    commits: dict[int, tuple[int, float]] = {}
    in_flight = asyncio.Semaphore(8)

    async def commit(seq: int) -> None:
        org = seq % len(world.items)
        async with in_flight:
            async with writing(info) as writer:  # type: ignore[arg-type]
                item = await writer.session.get(models.Item, world.items[org], with_for_update=True)
                assert item is not None
                await writer.update(item, {"title": str(seq)})
            commits[seq] = (org, time.monotonic())

    start = time.monotonic()
    tasks: list[asyncio.Task[None]] = []
    try:
        for seq in itertools.count(1):
            due = start + (seq - 1) / rate
            if due - start >= duration:
                break
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(commit(seq)))
        await asyncio.gather(*tasks)
    finally:
        await db.dispose()
    return commits


# ---------------------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions", description=__doc__)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--orgs", type=int, default=20, help="organizations to spread them over")
    parser.add_argument("--rate", type=float, default=100, help="commits per second")
    parser.add_argument("--duration", type=float, default=30, help="seconds of commits")
    parser.add_argument(
        "--soak", type=float, default=0, help="soak for this many seconds, with reconnects"
    )
    args = parser.parse_args(argv)
    duration = args.soak or args.duration

    url = server_url(get_settings()).set(database=DATABASE_NAME)
    say(f"preparing {url.database}: {args.subscribers} subscribers in {args.orgs} organizations")
    _fresh_database(url)
    world = asyncio.run(_build_world(url, args.subscribers, args.orgs))
    srv = server.start(url, RESULTS_DIR / "live-server.log")
    rss: list[tuple[float, int]] = []
    sampling = threading.Event()

    def sample() -> None:
        t0 = time.monotonic()
        while not sampling.wait(1.0):
            rss.append((time.monotonic() - t0, srv.rss_bytes()))

    try:
        ctx = mp.get_context("spawn")
        ready, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
        progress = ctx.Value("q", 0, lock=False)  # deliveries so far (one writer)
        client = ctx.Process(
            target=_clients,
            args=(srv.base_url, world.tokens, bool(args.soak), ready, stop, results, progress),
        )
        client.start()
        if not ready.wait(120):
            raise RuntimeError("subscribers did not connect")
        rss_start = srv.rss_bytes()
        threading.Thread(target=sample, daemon=True).start()
        say(f"subscribed; committing {args.rate:g}/s for {duration:g} s ...")
        started = time.monotonic()
        commits = asyncio.run(_write(url, world, args.rate, duration))
        elapsed = time.monotonic() - started
        drain = _drain(progress, _expected_total(world, commits))
        stop.set()
        outcome = results.get(timeout=120)
        client.join(30)
        sampling.set()
    finally:
        srv.stop()

    report(args, world, commits, elapsed, outcome, rss_start, rss, drain)
    return 0


def _expected_total(world: World, commits: dict[int, tuple[int, float]]) -> int:
    per_org: dict[int, int] = {}
    for org, _ in commits.values():
        per_org[org] = per_org.get(org, 0) + 1
    return sum(per_org.get(o, 0) for o in world.org_of)


def _drain(progress: Any, expected: int, patience: float = 15.0) -> float:
    """Wait for the deliveries still under way (until none arrives for ``patience``
    seconds); how long it took."""
    start = last_change = time.monotonic()
    seen = progress.value
    while progress.value < expected and time.monotonic() - last_change < patience:
        time.sleep(0.2)
        if progress.value != seen:
            seen, last_change = progress.value, time.monotonic()
    return time.monotonic() - start


def report(
    args: argparse.Namespace,
    world: World,
    commits: dict[int, tuple[int, float]],
    elapsed: float,
    outcome: dict[str, Any],
    rss_start: int,
    rss: list[tuple[float, int]],
    drain: float,
) -> None:
    latencies: list[float] = []
    missing = duplicated = out_of_order = 0
    by_org: dict[int, list[int]] = {}
    for seq, (org, _) in sorted(commits.items()):
        by_org.setdefault(org, []).append(seq)
    for i, deliveries in enumerate(outcome["received"]):
        seqs = [seq for _, seq, _ in deliveries]
        cursors = [c for c, _, _ in deliveries]
        expected = by_org.get(world.org_of[i], [])
        duplicated += len(seqs) - len(set(seqs))
        missing += len(set(expected) - set(seqs))
        out_of_order += sum(1 for a, b in itertools.pairwise(cursors) if b <= a)
        for _, seq, t in deliveries:
            if seq in commits:
                latencies.append((t - commits[seq][1]) * 1000)
    delivered = sum(len(d) for d in outcome["received"])
    expected_total = sum(len(by_org.get(o, [])) for o in world.org_of)
    lines = [
        f"subscribers {args.subscribers} in {args.orgs} organizations "
        f"({args.subscribers // max(args.orgs, 1)} per change); "
        f"{'soak with reconnects' if args.soak else 'steady'}",
        f"commits: {len(commits)} in {elapsed:.1f} s = {len(commits) / elapsed:.1f}/s",
        f"deliveries: {delivered} of {expected_total} expected = {delivered / elapsed:.0f}/s; "
        f"missing {missing}, duplicated {duplicated}, out of order {out_of_order}",
        f"commit-to-delivery latency ms: p50 {_percentile(latencies, 50):.1f}, "
        f"p90 {_percentile(latencies, 90):.1f}, p99 {_percentile(latencies, 99):.1f}, "
        f"max {max(latencies, default=float('nan')):.1f}",
        f"reconnects: {outcome['reconnects']}; client errors: {len(outcome['errors'])}; "
        f"last deliveries arrived {drain:.1f} s after the last commit",
    ]
    if rss:
        values = [r for _, r in rss]
        lines.append(
            f"server RSS MiB: at start {rss_start / MIB:.1f}, max {max(values) / MIB:.1f}, "
            f"end {values[-1] / MIB:.1f}"
        )
        if args.soak:
            step = max(1, len(rss) // 10)
            lines.append(
                "server RSS over time (s: MiB): "
                + ", ".join(f"{t:.0f}: {r / MIB:.0f}" for t, r in rss[::step])
            )
    for error in outcome["errors"][:5]:
        lines.append(f"client error: {error}")
    print("\n".join(lines))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    name = "live-soak.txt" if args.soak else "live.txt"
    Path(RESULTS_DIR / name).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
