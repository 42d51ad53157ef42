"""The change hub in-process, on the real database: a slow subscriber never holds up the
others, and loses nothing — it re-reads what overflowed its queue from the change log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.engine import URL

import graph.live.changes
from graph.auth import authenticate
from graph.database import Database
from graph.live.changes import Subscriber
from tests.factories import Factory, gid

ITEM_UPDATE = """
mutation($id: ID!, $title: String!) { itemUpdate(input: {id: $id, title: $title}) { __typename } }
"""


@pytest.fixture
async def own_db(database_url: URL) -> AsyncIterator[Database]:
    """A Database of the test's own, so its hub's reads are not counted by the statement
    counters of other tests (the hub runs until the Database is disposed)."""
    database = Database(database_url, pool_size=2)
    yield database
    await database.dispose()


async def test_a_slow_subscriber_blocks_nobody_and_misses_nothing(
    own_db: Database, gql: Any, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: queues of 5 events; a fast and a slow subscriber
    monkeypatch.setattr(graph.live.changes, "QUEUE_CAPACITY", 5)
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    item = await factory.item(alice.user, org)
    viewer = await authenticate(own_db.reader, alice.token)
    hub = own_db.changes
    fast = hub.stream(Subscriber(viewer, alice.token, lambda c: True), None)
    slow_sub = Subscriber(viewer, alice.token, lambda c: True)
    slow = hub.stream(slow_sub, None)
    fast_first = asyncio.ensure_future(anext(fast))
    slow_first = asyncio.ensure_future(anext(slow))
    await asyncio.sleep(0.2)  # both registered
    # when: 40 commits; only the fast one reads as they come
    fast_seen: list[int] = []

    async def read_fast() -> None:
        fast_seen.append((await fast_first).change.position)
        while len(fast_seen) < 40:
            fast_seen.append((await anext(fast)).change.position)

    reading = asyncio.create_task(read_fast())
    for i in range(40):
        body = await gql(
            ITEM_UPDATE, {"id": gid("Item", item.id), "title": f"t{i}"}, token=alice.token
        )
        assert body["data"]["itemUpdate"]["__typename"] == "ItemSuccess"
    await asyncio.wait_for(reading, 10)
    assert slow_sub.overflowed  # its queue was dropped: it reads the rest from the log
    slow_seen = [(await slow_first).change.position]
    while len(slow_seen) < 40:
        slow_seen.append((await asyncio.wait_for(anext(slow), 10)).change.position)
    # then
    assert fast_seen == sorted(fast_seen)
    assert len(set(fast_seen)) == 40
    assert slow_seen == fast_seen
    await fast.aclose()
    await slow.aclose()
    assert hub.subscribers == {}
