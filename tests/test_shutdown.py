"""Graceful shutdown with real processes: on SIGTERM a server closes its WebSockets with 1001
and reports 503 on /readyz, finishes its in-flight requests, and loses nothing: a subscriber
resuming on another process with `after:` sees every committed change, once, in order. A
worker finishes its job within the grace period, or releases it to another worker."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

import models
from graph.database import Database
from graph.server.app import create_app
from graph.server.shutdown import Drain
from tests.factories import Factory, Member, gid
from tests.servers import running_server, server_process
from tests.subscriptions.client import TRANSPORT_WS, ws_url

pytestmark = pytest.mark.slow

CHANGES = """
subscription($filter: ChangeStreamFilter, $after: String) {
  changes(filter: $filter, after: $after) { cursor action entityType entityId }
}"""
ITEM_CREATE = """
mutation($org: ID!, $title: String!) {
  itemCreate(input: {organization: $org, title: $title}) {
    __typename ... on ItemSuccess { item { id } }
  }
}"""


@pytest.fixture
async def draining_client(db: Database) -> AsyncIterator[tuple[Drain, httpx.AsyncClient]]:
    drain = Drain()
    app = create_app(database=db, drain=drain)
    app.state.db = db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield drain, client


async def test_readyz_turns_503_once_draining(draining_client) -> None:
    drain, client = draining_client
    assert (await client.get("/readyz")).status_code == 200
    # when
    await drain.begin()
    # then: not ready (the proxy stops sending traffic), still alive
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": "shutting down"}
    assert (await client.get("/healthz")).status_code == 200


class Subscriber:
    """A graphql-transport-ws subscriber to an organization's changes that, when its server
    goes away, resumes on another one with `after:` its last cursor."""

    def __init__(self, member: Member, org_id: str) -> None:
        self.member, self.org_id = member, org_id
        self.events: list[dict[str, Any]] = []
        self.subscribed = asyncio.Event()

    async def follow(self, base: str) -> int | None:
        """Receive events from ``base`` until it closes the socket; the close code."""
        after = self.events[-1]["cursor"] if self.events else None
        variables = {"filter": {"organizationId": self.org_id}, "after": after}
        async with connect(ws_url(base), subprotocols=[TRANSPORT_WS]) as ws:  # type: ignore[list-item]
            auth = {"Authorization": f"Bearer {self.member.token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            subscribe = {"query": CHANGES, "variables": variables}
            await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": subscribe}))
            self.subscribed.set()
            try:
                while True:
                    message = json.loads(await ws.recv())
                    if message["type"] == "next":
                        assert "errors" not in message["payload"], message
                        self.events.append(message["payload"]["data"]["changes"])
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None


class Writers:
    """Concurrent clients creating items: on server A until it refuses connections, then on
    B (as a proxy would route them). Only acknowledged creations count as committed."""

    def __init__(self, member: Member, org_id: str, a: str, b: str) -> None:
        self.member, self.org_id = member, org_id
        self.a, self.b = a, b
        self.a_accepts = True
        self.acknowledged: list[str] = []
        self.unanswered = 0  # sent, but the connection dropped before an answer
        self.count = 0

    async def run(self, total: int, concurrency: int = 3) -> None:
        limits = httpx.Limits(max_keepalive_connections=0)  # a connection per request
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            await asyncio.gather(*(self._write(client, total) for _ in range(concurrency)))

    async def _write(self, client: httpx.AsyncClient, total: int) -> None:
        while self.count < total:
            self.count += 1
            title = f"m{self.count}"
            while True:
                base = self.a if self.a_accepts else self.b
                try:
                    response = await client.post(
                        f"{base}/graphql",
                        json={
                            "query": ITEM_CREATE,
                            "variables": {"org": self.org_id, "title": title},
                        },
                        headers={"Authorization": f"Bearer {self.member.token}"},
                    )
                except httpx.ConnectError:
                    self.a_accepts = False  # A stopped accepting: on to B
                    continue
                except httpx.TransportError:
                    self.unanswered += 1  # maybe committed, maybe not: the database says
                    self.a_accepts = False
                    continue
                created = response.json()["data"]["itemCreate"]
                assert created["__typename"] == "ItemSuccess", created
                self.acknowledged.append(created["item"]["id"])
                break
            await asyncio.sleep(0.02)


async def _wait_for(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_sigterm_during_mutations_and_a_subscription_loses_nothing(
    database_url: URL, tmp_path: Path, factory: Factory, db: Database
) -> None:
    # given: two server processes, a subscriber on A, writers streaming mutations to A
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    org_id = gid("Organization", org.id)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        server_process(database_url, tmp_path / "a", env={"TRELLIS_SHUTDOWN_GRACE": "10"}) as (
            a,
            proc_a,
        ),
        running_server(database_url, tmp_path / "b") as b,
    ):
        subscriber = Subscriber(alice, org_id)
        on_a = asyncio.create_task(subscriber.follow(a))
        await subscriber.subscribed.wait()
        await asyncio.sleep(0.5)  # the subscription is registered
        writers = Writers(alice, org_id, a, b)
        writing = asyncio.create_task(writers.run(total=60))

        # when: A gets SIGTERM in the middle of the stream
        await _wait_for(lambda: len(writers.acknowledged) >= 15, 60, "15 commits")
        os.kill(proc_a.pid, signal.SIGTERM)
        close_code = await asyncio.wait_for(on_a, 30)
        # the subscriber reconnects to B and resumes after the last change it saw
        on_b = asyncio.create_task(subscriber.follow(b))
        exit_code = await asyncio.to_thread(proc_a.wait, 30)
        await asyncio.wait_for(writing, 120)
        async with db.sessions() as session:
            rows = await session.scalars(
                select(models.Item.id).where(models.Item.organization_id == org.id)
            )
            committed = {gid("Item", pk) for pk in rows}
        created = lambda: {e["entityId"] for e in subscriber.events if e["action"] == "CREATE"}  # noqa: E731
        await _wait_for(lambda: created() >= committed, 30, "every committed change")
        await asyncio.sleep(0.3)  # nothing more arrives
        on_b.cancel()

    # then: the subscriber was told to go away (1001), A finished what it had in flight
    assert close_code == 1001
    log_a = (tmp_path / "a" / "server.log").read_text()
    assert "timeout graceful shutdown exceeded" not in log_a
    assert "Application shutdown complete." in log_a  # listeners and pools closed
    assert exit_code in (0, -signal.SIGTERM), log_a
    # every acknowledged mutation is committed (none lost) ...
    assert set(writers.acknowledged) <= committed
    assert len(committed) >= 60
    # ... and every committed change reached the subscriber across both processes, once, in
    # order
    ids = [e["entityId"] for e in subscriber.events]
    assert len(ids) == len(set(ids))
    assert set(ids) == committed
    cursors = [int(e["cursor"]) for e in subscriber.events]
    assert cursors == sorted(cursors)


async def test_sigterm_lets_an_in_flight_request_finish_and_readyz_turns_503(
    database_url: URL, tmp_path: Path, factory: Factory, db: Database
) -> None:
    # given: a server that keeps accepting 1 s after SIGTERM (for its load balancer)
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    body = json.dumps(
        {"query": ITEM_CREATE, "variables": {"org": gid("Organization", org.id), "title": "slow"}}
    ).encode()

    async def slowly() -> AsyncIterator[bytes]:
        for n in range(0, len(body), 16):
            yield body[n : n + 16]
            await asyncio.sleep(2.0 / (len(body) / 16))

    env = {"TRELLIS_SHUTDOWN_DELAY": "1", "TRELLIS_SHUTDOWN_GRACE": "10"}
    with server_process(database_url, tmp_path, env=env) as (base, proc):
        async with httpx.AsyncClient(timeout=30) as client:
            # when: a mutation whose body takes 2 s to arrive is in flight at SIGTERM
            in_flight = asyncio.create_task(
                client.post(
                    f"{base}/graphql",
                    content=slowly(),
                    headers={
                        "Authorization": f"Bearer {alice.token}",
                        "Content-Type": "application/json",
                    },
                )
            )
            await asyncio.sleep(0.3)
            os.kill(proc.pid, signal.SIGTERM)
            await asyncio.sleep(0.3)
            ready = await client.get(f"{base}/readyz", headers={"Connection": "close"})
            answer = await in_flight
            exit_code = await asyncio.to_thread(proc.wait, 30)
            with pytest.raises(httpx.ConnectError):
                await client.get(f"{base}/healthz")

    # then
    assert ready.status_code == 503
    assert ready.json()["reason"] == "shutting down"
    assert answer.status_code == 200
    assert answer.json()["data"]["itemCreate"]["__typename"] == "ItemSuccess"
    assert exit_code in (0, -signal.SIGTERM)
    async with db.sessions() as session:
        titles = (await session.scalars(select(models.Item.title))).all()
    assert titles == ["slow"]
