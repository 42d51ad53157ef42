"""Semantic search: latency and throughput over a real server, and HNSW's recall.

    python -m bench.semantic                       # 100,000 contents, 10 s of wrk
    python -m bench.semantic --contents 10000      # e.g. with DATABASE_URL on PostgreSQL 15
    python -m bench.semantic --member-of 1         # the viewer in 1 of the 10 organizations

Builds ``trellis_bench_semantic`` on the configured server: 10 organizations, items of ten
contents each (synthetic sentences over twenty topics), every content embedded by the default
embedder (wordllama, in-process) and loaded with COPY; on pgvector the HNSW index is dropped
for the load and built again afterwards, as migration 0014_ai defined it. Then:

- recall@10 of the API's ranking statement (loaders/semantic.py, with the viewer's tenancy)
  against the same statement answered exactly (index scans disabled), over 100 new queries;
- p50/p99 and req/s of `semanticSearch(first: 10)` through a real `trellis serve`, driven by
  wrk (bench/wrk.py), every response checked byte-for-byte against the verified one.

Prints one JSON object (also written to bench/results/semantic.json).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from sqlalchemy import select

import models
from bench import server, wrk
from graph.admin import migrations
from graph.ai.embedders import embedder_for
from graph.auth import ACCESS_PREFIX, REFRESH_PREFIX, hash_password, hash_token, new_token
from graph.database import Database, drop_database, ensure_database, server_url
from graph.settings import PROJECT_ROOT, get_settings
from loaders.reader import Reader
from loaders.semantic import _nearest
from models.ai import AIModel
from models.viewer import Viewer

DATABASE_NAME = "trellis_bench_semantic"
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
ORGANIZATIONS = 10
CONTENTS_PER_ITEM = 10
QUERY = "how long should bread dough rise before baking"
SEARCH = """
query($q: String!) {
  semanticSearch(query: $q, first: 10) { score content { id text } item { title } }
}"""
TOPICS = {
    "baking": "bread dough flour yeast oven loaf crust bake rise knead sourdough starter",
    "taxes": "tax invoice receipt accountant deduction quarterly filing payment revenue audit",
    "cats": "cat kitten vet litter purr whiskers feline sneezing vaccination fur claws",
    "gardening": "garden soil seeds tomato compost prune watering roses weeds harvest mulch",
    "cycling": "bike bicycle tire chain pedal helmet saddle gears ride brakes trail",
    "coffee": "coffee espresso beans roast grinder brew latte crema barista milk cup",
    "hiking": "hike trail boots backpack summit map compass tent camp mountain water",
    "finance": "budget savings loan mortgage interest bank credit invest stocks retirement",
    "cooking": "pasta sauce garlic onion simmer skillet recipe spices boil salt pepper",
    "fitness": "workout gym squat running cardio stretch muscles protein reps weights",
    "music": "guitar piano chords melody rhythm song band drums concert lyrics tune",
    "travel": "flight hotel passport luggage airport itinerary visa train booking beach",
    "coding": "python code bug compile function database query server deploy test api",
    "housing": "apartment rent landlord lease deposit kitchen bedroom mortgage repair roof",
    "cars": "car engine oil tires brakes mechanic battery fuel transmission dashboard",
    "weather": "rain storm forecast snow wind temperature sunny cloudy humidity thunder",
    "parenting": "toddler school homework bedtime diapers nap playground teacher lunch",
    "health": "doctor fever cough medicine appointment blood pressure sleep diet symptoms",
    "art": "painting canvas brush watercolor sketch gallery portrait color easel drawing",
    "shopping": "store discount cart checkout coupon refund delivery order size price",
}
FILLER = [
    "the", "a", "my", "how", "what", "when", "should", "can", "do", "is", "to", "for", "with",
    "and", "of", "in", "on", "at", "it", "this",
]  # fmt: skip


def say(message: str) -> None:
    print(f"[bench.semantic] {message}", file=sys.stderr, flush=True)


def sentence(rng: random.Random) -> str:
    words = TOPICS[rng.choice(list(TOPICS))].split()
    picked = rng.sample(words, rng.randint(3, 6)) + rng.sample(FILLER, rng.randint(3, 6))
    rng.shuffle(picked)
    return " ".join(picked)


def _copy_text(values: list[Any]) -> str:
    return "\t".join(r"\N" if v is None else str(v) for v in values) + "\n"


async def _prepare(url: Any, contents: int, member_of: int) -> tuple[str, bool]:
    await drop_database(url)
    await ensure_database(url)
    await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, pool_size=2)
    try:
        async with db.sessions() as session, session.begin():
            viewer_role = await session.scalar(
                select(models.Role.id).where(
                    models.Role.name == "VIEWER", models.Role.organization_id.is_(None)
                )
            )
            model = (await session.scalars(select(AIModel).where(AIModel.default_embedder))).one()
            user = models.User(
                email="viewer@bench.test", full_name="Viewer", password_hash=hash_password("x")
            )
            orgs = [
                models.Organization(name=f"Org {n}", slug=f"org-{n}") for n in range(ORGANIZATIONS)
            ]
            session.add_all([user, *orgs])
            await session.flush()
            session.add_all(
                models.Membership(user_id=user.id, organization_id=o.id, role_id=viewer_role)
                for o in orgs[:member_of]
            )
            token = new_token(ACCESS_PREFIX)
            now = datetime.now(UTC)
            session.add(
                models.AuthSession(
                    user_id=user.id, token_hash=hash_token(token),
                    refresh_token_hash=hash_token(new_token(REFRESH_PREFIX)),
                    expires_at=now + timedelta(days=1), refresh_expires_at=now + timedelta(days=1),
                )
            )  # fmt: skip
            user_id, org_ids, model_id = user.id, [o.id for o in orgs], model.id
            embedder = embedder_for(model.provider, model.parameters)
    finally:
        await db.dispose()

    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    rng = random.Random(42)
    texts = [sentence(rng) for _ in range(contents)]
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    say(f"embedded {contents} contents in {time.perf_counter() - started:.1f} s")
    items, contents_rows, embeddings_rows = io.StringIO(), io.StringIO(), io.StringIO()
    item_id = None
    for n, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
        org = org_ids[(n // CONTENTS_PER_ITEM) % ORGANIZATIONS]
        if n % CONTENTS_PER_ITEM == 0:
            item_id = uuid.uuid4()
            items.write(_copy_text([item_id, user_id, org, f"Item {n // CONTENTS_PER_ITEM}"]))
        content_id = uuid.uuid4()
        contents_rows.write(
            _copy_text([content_id, item_id, org, "user", text, n % CONTENTS_PER_ITEM])
        )
        literal = "{" + ",".join(f"{x:.7g}" for x in vector) + "}"
        embeddings_rows.write(
            _copy_text([uuid.uuid4(), model_id, content_id, item_id, org, literal, 256])
        )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        kind = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'embeddings'::regclass AND attname = 'vector'"
        ).fetchone()
        pgvector = kind is not None and kind[0] == "vector"
        index = None
        if pgvector:  # built once after the load (as the migration defines it): far faster
            found = conn.execute(
                "SELECT pg_get_indexdef('embeddings_vector_hnsw_idx'::regclass)"
            ).fetchone()
            index = found[0] if found else None
            conn.execute("DROP INDEX embeddings_vector_hnsw_idx")
        started = time.perf_counter()
        for table, columns, data in (
            ("items", "id, owner_id, organization_id, title", items),
            ("contents", "id, item_id, organization_id, role, text, position", contents_rows),
        ):
            with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(data.getvalue())
        conn.execute(
            "CREATE TEMP TABLE staged (id uuid, model_id uuid, content_id uuid, "
            "item_id uuid, organization_id uuid, vector real[], dimension int)"
        )
        with conn.cursor().copy("COPY staged FROM STDIN") as copy:
            copy.write(embeddings_rows.getvalue())
        conn.execute(
            "INSERT INTO embeddings (id, model_id, content_id, item_id, organization_id, "
            "vector, dimension) SELECT * FROM staged"
        )
        say(f"loaded in {time.perf_counter() - started:.1f} s")
        if index is not None:
            started = time.perf_counter()
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute(index)
            say(f"HNSW index built in {time.perf_counter() - started:.1f} s")
        conn.execute("VACUUM ANALYZE items")
        conn.execute("VACUUM ANALYZE contents")
        conn.execute("VACUUM ANALYZE embeddings")
    return token, pgvector


def _sign_in(url: Any) -> tuple[str, bool]:
    """A new access token for the bench viewer of an existing dataset, and its column type."""
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    token = new_token(ACCESS_PREFIX)
    later = datetime.now(UTC) + timedelta(days=1)
    with psycopg.connect(conninfo) as conn:
        conn.execute(
            "INSERT INTO auth_sessions (user_id, token_hash, refresh_token_hash, expires_at, "
            "refresh_expires_at) SELECT id, %s, %s, %s, %s FROM users "
            "WHERE email = 'viewer@bench.test'",
            [hash_token(token), hash_token(new_token(REFRESH_PREFIX)), later, later],
        )
        kind = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'embeddings'::regclass AND attname = 'vector'"
        ).fetchone()
    return token, kind is not None and kind[0] == "vector"


def _recall(url: Any, member_of: int, pgvector: bool, queries: int) -> dict[str, Any]:
    """recall@10 of the API's statement against the same statement answered exactly."""
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    rng = random.Random(7)
    with psycopg.connect(conninfo) as conn:
        user_id, model_id = conn.execute(
            "SELECT u.id, m.id FROM users u, ai_models m WHERE m.default_embedder"
        ).fetchone()  # type: ignore[misc]
        orgs = [r[0] for r in conn.execute(
            "SELECT organization_id FROM memberships WHERE user_id = %s", [user_id]
        )]  # fmt: skip
        conn.rollback()
        viewer = Viewer(user_id=user_id, permissions={o: frozenset() for o in orgs})
        embedder = embedder_for("wordllama", {"dimension": 256})
        statement = _nearest(pgvector, 256, where=None, organization=False,
                             exclude_content=False, exclude_item=False)  # fmt: skip
        sql, defaults = Reader.compile(statement)
        recalls: list[float] = []
        overlaps: list[float] = []
        plan = ""
        for _ in range(queries):
            vector = embedder.embed([sentence(rng)])[0]
            params = {**defaults, **viewer.params(raw=True), "query": vector,
                      "model_id": model_id, "first": 10}  # fmt: skip
            if not plan:
                lines = [r[0] for r in conn.execute("EXPLAIN " + sql, params)]
                plan = "\n".join(re.sub(r"'\[[^']*\]'", "'[...]'", line) for line in lines)
            approximate = list(conn.execute(sql, params))
            conn.execute("SET LOCAL enable_indexscan = off")
            conn.execute("SET LOCAL enable_bitmapscan = off")
            exact = list(conn.execute(sql, params))
            conn.rollback()
            # Texts are bags of words: many contents tie at one distance, and which of the
            # tied ones fill the last places differs by plan. A hit counts when it is as close
            # as the exact 10th (the tie-aware recall); the ID overlap is reported too.
            tenth = float(exact[-1][1]) + 1e-6 if exact else 0.0
            close = sum(1 for _, d in approximate if float(d) <= tenth)
            recalls.append(close / max(len(exact), 1))
            overlaps.append(len({r[0] for r in approximate} & {r[0] for r in exact}) / 10)
    return {
        "queries": queries,
        "recall_at_10_mean": round(statistics.mean(recalls), 4),
        "recall_at_10_min": round(min(recalls), 4),
        "id_overlap_at_10_mean": round(statistics.mean(overlaps), 4),
        "uses_hnsw": "embeddings_vector_hnsw_idx" in plan,
        "plan": plan,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.semantic", description=__doc__)
    parser.add_argument("--contents", type=int, default=100_000)
    parser.add_argument("--member-of", type=int, default=ORGANIZATIONS,
                        help="organizations the viewer belongs to (of 10)")  # fmt: skip
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--queries", type=int, default=100, help="recall queries")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the dataset a previous run left"
    )
    args = parser.parse_args(argv)

    url = server_url(get_settings()).set(database=DATABASE_NAME)
    say(f"preparing {url.database}: {args.contents} contents")
    if args.reuse:
        token, pgvector = _sign_in(url)
    else:
        token, pgvector = asyncio.run(_prepare(url, args.contents, args.member_of))
    result: dict[str, Any] = {
        "contents": args.contents,
        "organizations": ORGANIZATIONS,
        "member_of": args.member_of,
        "column": "vector + HNSW" if pgvector else "real[] (exact)",
    }
    result["recall"] = _recall(url, args.member_of, pgvector, args.queries)
    say(f"recall: {json.dumps({k: v for k, v in result['recall'].items() if k != 'plan'})}")

    srv = server.start(url, RESULTS_DIR / "semantic-server.log")
    try:
        request = json.dumps({"query": SEARCH, "variables": {"q": QUERY}}).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        verified = httpx.post(srv.graphql_url, content=request, headers=headers, timeout=60)
        verified.raise_for_status()
        body = verified.json()
        if "errors" in body or len(body["data"]["semanticSearch"]) != 10:
            raise RuntimeError(f"unexpected answer: {body}")
        again = httpx.post(srv.graphql_url, content=request, headers=headers, timeout=60)
        if again.content != verified.content:
            raise RuntimeError("two answers to the same search differ")
        directory = RESULTS_DIR / "semantic-wrk"
        wrk.write_inputs(directory, request=request, token=token, expected=verified.content)
        binary = wrk.ensure_wrk(say)
        wrk.run(binary, srv.graphql_url, directory, seconds=2, connections=args.connections,
                threads=2)  # warm-up  # fmt: skip
        run = wrk.run(binary, srv.graphql_url, directory, seconds=args.seconds,
                      connections=args.connections, threads=2)  # fmt: skip
    finally:
        srv.stop()
    result["search"] = {
        "req_per_s": round(run.requests_per_second, 1),
        "p50_ms": round(run.p50_ms, 2),
        "p99_ms": round(run.p99_ms, 2),
        "connections": args.connections,
        "mismatches": run.mismatches,
        "non200": run.non200,
        "top_hit": body["data"]["semanticSearch"][0],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "semantic.json").write_text(json.dumps(result, indent=2))
    shown = {**result, "recall": {k: v for k, v in result["recall"].items() if k != "plan"}}
    print(json.dumps(shown, indent=2, default=str))
    return 0 if run.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
