"""Subscriptions over real WebSockets to real server processes: fan-out across processes
through LISTEN/NOTIFY, resume without gaps, permission filtering, protocol abuse, ordering."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from graph.database import Database
from tests.factories import Factory, Member, gid
from tests.subscriptions.client import LEGACY_WS, socket

CHANGES = """
subscription($filter: ChangeStreamFilter, $after: String) {
  changes(filter: $filter, after: $after) {
    cursor action entityType entityId
    fields { field old new }
    actor { id }
    node { id ... on Item { title owner { id } } }
  }
}"""
NODE_CHANGED = """
subscription($id: ID!) { nodeChanged(id: $id) { cursor action node { ... on Item { title } } } }
"""
ITEM_CREATE = """
mutation($org: ID!, $title: String!) {
  itemCreate(input: {organization: $org, title: $title}) {
    __typename ... on ItemSuccess { item { id } }
  }
}"""
ITEM_UPDATE = """
mutation($id: ID!, $title: String!) {
  itemUpdate(input: {id: $id, title: $title}) { __typename }
}"""
ITEM_DELETE = "mutation($id: ID!) { itemDelete(input: {id: $id}) { __typename } }"
MEMBERSHIP_DELETE = "mutation($id: ID!) { membershipDelete(input: {id: $id}) { __typename } }"


async def _create(http: Any, server: int, member: Member, org_id: str, title: str) -> str:
    data = await http(server, ITEM_CREATE, {"org": org_id, "title": title}, member.token)
    assert data["itemCreate"]["__typename"] == "ItemSuccess", data
    return str(data["itemCreate"]["item"]["id"])


async def test_a_commit_on_one_process_reaches_a_subscriber_on_the_other(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    async with socket(servers[1], token=alice.token) as ws:
        await ws.subscribe("1", CHANGES)
        await asyncio.sleep(0.3)  # the subscription is registered
        # when
        item_id = await _create(http, 0, alice, gid("Organization", org.id), "Across")
        event = (await ws.next("1"))["changes"]
    # then
    assert event["action"] == "CREATE"
    assert event["entityType"] == "Item"
    assert event["entityId"] == item_id
    assert event["node"] == {"id": item_id, "title": "Across", "owner": {"id": alice.id}}
    assert event["actor"] == {"id": alice.id}
    fields = {f["field"]: f for f in event["fields"]}
    assert fields["title"] == {"field": "title", "old": None, "new": "Across"}
    assert int(event["cursor"]) > 0


async def test_resume_after_a_disconnect_delivers_every_change_once_in_order(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given: a subscriber saw the first change, then disconnected
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    org_id = gid("Organization", org.id)
    flt = {"filter": {"organizationId": org_id}}
    async with socket(servers[0], token=alice.token) as ws:
        await ws.subscribe("s", CHANGES, flt)
        await asyncio.sleep(0.3)
        item_id = await _create(http, 1, alice, org_id, "v0")
        seen = (await ws.next("s"))["changes"]["cursor"]
    # when: changes are committed while it is away, on both processes
    for i in range(1, 6):
        await http(i % 2, ITEM_UPDATE, {"id": item_id, "title": f"v{i}"}, alice.token)
    async with socket(servers[1], token=alice.token) as ws:
        await ws.subscribe("s", CHANGES, {**flt, "after": seen})
        missed = [(await ws.next("s"))["changes"] for _ in range(5)]
        # and one committed after it is back
        await http(0, ITEM_UPDATE, {"id": item_id, "title": "v6"}, alice.token)
        live = (await ws.next("s"))["changes"]
        await ws.nothing_for(0.5)
    # then
    events = [*missed, live]
    titles = [{f["field"]: f["new"] for f in e["fields"]}["title"] for e in events]
    assert titles == ["v1", "v2", "v3", "v4", "v5", "v6"]
    cursors = [int(e["cursor"]) for e in events]
    assert cursors == sorted(cursors)
    assert len(set(cursors)) == 6
    assert cursors[0] > int(seen)


async def test_a_subscriber_receives_only_changes_it_could_read(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given
    org_a, org_b = await factory.organization(), await factory.organization()
    alice = await factory.member(org_a, role="EDITOR")
    bob = await factory.member(org_b, role="EDITOR")
    async with socket(servers[0], token=bob.token) as ws:
        await ws.subscribe("1", CHANGES)
        await asyncio.sleep(0.3)
        # when: alice changes organization A, then bob's own organization changes
        secret = await _create(http, 1, alice, gid("Organization", org_a.id), "secret")
        await http(1, ITEM_UPDATE, {"id": secret, "title": "still secret"}, alice.token)
        await http(1, ITEM_DELETE, {"id": secret}, alice.token)
        mine = await _create(http, 1, bob, gid("Organization", org_b.id), "mine")
        event = (await ws.next("1"))["changes"]
        await ws.nothing_for(0.5)
    # then: the first (and only) event bob gets is his organization's
    assert event["entityId"] == mine


async def test_a_subscriber_stops_receiving_an_organization_when_its_membership_ends(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given: carol is in A and C; alice owns A
    org_a, org_c = await factory.organization(), await factory.organization()
    alice = await factory.member(org_a, role="OWNER")
    carol = await factory.member(org_a, role="EDITOR")
    await factory.membership(carol.user, org_c, "EDITOR")
    async with socket(servers[1], token=carol.token) as ws:
        await ws.subscribe("1", CHANGES, {"filter": {"entityTypes": ["Item"]}})
        await asyncio.sleep(0.3)
        before = await _create(http, 0, alice, gid("Organization", org_a.id), "before")
        assert (await ws.next("1"))["changes"]["entityId"] == before
        # when: alice removes carol from A, then changes A, then C changes
        membership = await _membership_id(factory, carol, org_a)
        await http(0, MEMBERSHIP_DELETE, {"id": membership}, alice.token)
        await _create(http, 0, alice, gid("Organization", org_a.id), "after")
        in_c = await _create(http, 0, carol, gid("Organization", org_c.id), "in C")
        event = (await ws.next("1"))["changes"]
        await ws.nothing_for(0.5)
    # then
    assert event["entityId"] == in_c


async def _membership_id(factory: Factory, member: Member, org: Any) -> str:
    async with factory.db.sessions() as session:
        pk = await session.scalar(
            text("SELECT id FROM memberships WHERE user_id = :u AND organization_id = :o"),
            {"u": member.user.id, "o": org.id},
        )
    return gid("Membership", pk)


async def test_node_changed_follows_one_node_until_its_delete(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    org_id = gid("Organization", org.id)
    followed = await _create(http, 0, alice, org_id, "followed")
    other = await _create(http, 0, alice, org_id, "other")
    async with socket(servers[1], token=alice.token) as ws:
        await ws.subscribe("n", NODE_CHANGED, {"id": followed})
        await asyncio.sleep(0.3)
        # when
        await http(0, ITEM_UPDATE, {"id": other, "title": "ignored"}, alice.token)
        await http(0, ITEM_UPDATE, {"id": followed, "title": "renamed"}, alice.token)
        await http(0, ITEM_DELETE, {"id": followed}, alice.token)
        updated = (await ws.next("n"))["nodeChanged"]
        deleted = (await ws.next("n"))["nodeChanged"]
    # then
    assert updated["action"] == "UPDATE"
    assert updated["node"] == {"title": "renamed"}
    assert deleted["action"] == "DELETE"
    assert deleted["node"] is None


async def test_the_legacy_graphql_ws_protocol_delivers_changes(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    async with socket(servers[0], token=alice.token, protocol=LEGACY_WS) as ws:
        await ws.subscribe("1", CHANGES)
        await asyncio.sleep(0.3)
        # when
        item_id = await _create(http, 1, alice, gid("Organization", org.id), "legacy")
        event = (await ws.next("1"))["changes"]
    # then
    assert event["entityId"] == item_id


async def test_one_thousand_rapid_changes_arrive_complete_and_in_order(
    servers: list[str], http: Any, factory: Factory, db: Database
) -> None:
    # given
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    org_id = gid("Organization", org.id)
    items = [await _create(http, 0, alice, org_id, f"item {i}") for i in range(10)]
    async with socket(servers[1], token=alice.token) as ws:
        await ws.subscribe("1", CHANGES, {"filter": {"actions": ["UPDATE"]}})
        await asyncio.sleep(0.3)

        # when: 10 writers x 100 updates, on both processes
        async def writer(n: int) -> None:
            for i in range(100):
                title = f"{n}-{i}"
                await http(n % 2, ITEM_UPDATE, {"id": items[n], "title": title}, alice.token)

        receiving = asyncio.create_task(_receive(ws, 1000))
        await asyncio.gather(*(writer(n) for n in range(10)))
        events = await asyncio.wait_for(receiving, 60)
    # then: every update once, in commit (position) order, each writer's in its own order
    async with db.engine.connect() as conn:
        committed = (
            (
                await conn.execute(
                    text(
                        "SELECT position FROM change_log WHERE action = 'update' "
                        "AND organization_id = :o ORDER BY position"
                    ),
                    {"o": org.id},
                )
            )
            .scalars()
            .all()
        )
    cursors = [int(e["cursor"]) for e in events]
    assert cursors == list(committed)
    assert len(cursors) == 1000
    per_item: dict[str, list[int]] = {}
    for e in events:
        title = {f["field"]: f["new"] for f in e["fields"]}["title"]
        n, i = map(int, title.split("-"))
        per_item.setdefault(str(n), []).append(i)
    assert all(seq == list(range(100)) for seq in per_item.values())


async def _receive(ws: Any, count: int) -> list[dict[str, Any]]:
    return [(await ws.next("1", wait=30))["changes"] for _ in range(count)]


# ---------------------------------------------------------------------------------------------
# Protocol abuse: each closes only the offending socket


async def _still_serves(base: str, http: Any, factory: Factory) -> None:
    org = await factory.organization()
    member = await factory.member(org, role="EDITOR")
    async with socket(base, token=member.token) as ws:
        await ws.subscribe("ok", CHANGES)
        await asyncio.sleep(0.3)
        item_id = await _create(http, 0, member, gid("Organization", org.id), "fine")
        assert (await ws.next("ok"))["changes"]["entityId"] == item_id


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("no-init", 4408),
        ("init-twice", 4429),
        ("duplicate-id", 4409),
        ("garbage", 4400),
        ("unknown-type", 4400),
        ("subscribe-before-ack", 4401),
        ("bad-token", 4403),
    ],
)
async def test_protocol_abuse_closes_the_socket_with_the_protocol_code(
    servers: list[str], http: Any, factory: Factory, case: str, code: int
) -> None:
    # given
    org = await factory.organization()
    member = await factory.member(org, role="VIEWER")
    async with socket(servers[1], init=False) as ws:
        # when
        if case == "init-twice":
            await ws.init(member.token)
            await ws.send({"type": "connection_init", "payload": {}})
        elif case == "duplicate-id":
            await ws.init(member.token)
            await ws.subscribe("1", CHANGES)
            await ws.subscribe("1", CHANGES)
        elif case == "garbage":
            await ws.send("}{ not json")
        elif case == "unknown-type":
            await ws.send({"type": "launch-missiles"})
        elif case == "subscribe-before-ack":
            await ws.subscribe("1", CHANGES)
        elif case == "bad-token":
            await ws.send(
                {"type": "connection_init", "payload": {"Authorization": "Bearer trl_at_nope"}}
            )
        closed = await ws.closed()
    # then
    assert closed[0] == code
    await _still_serves(servers[1], http, factory)


async def test_an_anonymous_subscription_is_refused(servers: list[str]) -> None:
    async with socket(servers[0]) as ws:
        await ws.subscribe("1", CHANGES)
        message = await ws.receive()
        complete = await ws.receive()
    assert message["type"] == "next", message
    assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert complete == {"id": "1", "type": "complete"}


PROJECT_CREATE = """
mutation($org: ID!, $name: String!) {
  projectCreate(input: {organization: $org, name: $name}) {
    __typename ... on ProjectSuccess { project { id } }
  }
}"""
OBJECT_CREATE = """
mutation($project: ID!, $name: String!, $x: Int!) {
  designObjectCreate(input: {project: $project, name: $name, positionX: $x, positionY: 0}) {
    __typename ... on DesignObjectSuccess { designObject { id } }
  }
}"""
PROJECT_CHANGES = """
subscription($project: ID!) {
  projectChanges(project: $project) {
    action entityType node { ... on DesignObject { name positionX } }
  }
}"""


async def test_project_changes_streams_one_projects_matrix(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given: two projects of one organization
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    org_id = gid("Organization", org.id)
    projects = []
    for name in ("followed", "other"):
        data = await http(0, PROJECT_CREATE, {"org": org_id, "name": name}, alice.token)
        projects.append(data["projectCreate"]["project"]["id"])
    async with socket(servers[1], token=alice.token) as ws:
        await ws.subscribe("p", PROJECT_CHANGES, {"project": projects[0]})
        await asyncio.sleep(0.3)
        # when: an object in the other project, then one in the followed project
        for project, name in ((projects[1], "elsewhere"), (projects[0], "Order")):
            data = await http(
                0, OBJECT_CREATE, {"project": project, "name": name, "x": 1}, alice.token
            )
            assert data["designObjectCreate"]["__typename"] == "DesignObjectSuccess", data
        event = (await ws.next("p"))["projectChanges"]
        await ws.nothing_for(0.5)
    # then
    assert event == {
        "action": "CREATE",
        "entityType": "DesignObject",
        "node": {"name": "Order", "positionX": 1},
    }


async def test_project_changes_of_an_invisible_project_is_refused(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given: a project of another organization
    org_a, org_b = await factory.organization(), await factory.organization()
    alice = await factory.member(org_a, role="EDITOR")
    bob = await factory.member(org_b, role="EDITOR")
    data = await http(
        0, PROJECT_CREATE, {"org": gid("Organization", org_b.id), "name": "b"}, bob.token
    )
    project = data["projectCreate"]["project"]["id"]
    async with socket(servers[0], token=alice.token) as ws:
        # when
        await ws.subscribe("p", PROJECT_CHANGES, {"project": project})
        message = await ws.receive()
    # then
    assert message["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"


# ---------------------------------------------------------------------------------------------
# Cached viewers (graph/auth.py ViewerCache) follow revocations on every process


ME = "{ me { id } organizations { nodes { id } } }"
LOGOUT = "mutation { authLogout(input: {}) { __typename } }"


async def _until(check: Any, seconds: float = 1.0) -> float:
    """Poll ``check`` until it holds; how long it took (fails after ``seconds``)."""
    start = asyncio.get_running_loop().time()
    while not await check():
        elapsed = asyncio.get_running_loop().time() - start
        assert elapsed < seconds, "not within the time a notification takes"
        await asyncio.sleep(0.05)
    return asyncio.get_running_loop().time() - start


async def test_a_logout_on_one_process_is_refused_at_once_on_the_other(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given: alice's token, just used (and cached) on process B
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    headers = {"Authorization": f"Bearer {alice.token}"}
    async with httpx.AsyncClient(base_url=servers[1]) as b:
        for _ in range(3):
            assert (
                await b.post("/graphql", json={"query": ME}, headers=headers)
            ).status_code == 200
        # when: she signs out on process A
        await http(0, LOGOUT, {}, alice.token)

        # then: B refuses the token well before its cache would have expired it (5 s)
        async def refused() -> bool:
            response = await b.post("/graphql", json={"query": ME}, headers=headers)
            return response.status_code == 401

        await _until(refused)


async def test_a_removed_membership_is_seen_at_once_on_the_other_process(
    servers: list[str], http: Any, factory: Factory
) -> None:
    # given: carol in A, her viewer cached on process B
    org = await factory.organization()
    alice = await factory.member(org, role="OWNER")
    carol = await factory.member(org, role="EDITOR")
    headers = {"Authorization": f"Bearer {carol.token}"}
    async with httpx.AsyncClient(base_url=servers[1]) as b:

        async def organizations() -> list[str]:
            response = await b.post("/graphql", json={"query": ME}, headers=headers)
            return [n["id"] for n in response.json()["data"]["organizations"]["nodes"]]

        assert await organizations() == [gid("Organization", org.id)]
        # when: alice removes her on process A
        membership = await _membership_id(factory, carol, org)
        await http(0, MEMBERSHIP_DELETE, {"id": membership}, alice.token)

        # then
        async def gone() -> bool:
            return await organizations() == []

        await _until(gone)


async def test_a_subscription_ends_when_its_token_expires(
    servers: list[str], factory: Factory
) -> None:
    # given: a token good for two more seconds
    org = await factory.organization()
    user = await factory.user()
    await factory.membership(user, org, "VIEWER")
    token = await factory.token(user, expires_in=timedelta(seconds=2))
    async with socket(servers[0], token=token) as ws:
        await ws.subscribe("1", CHANGES)
        # when: it expires (re-checked every second on these servers)
        message = await ws.receive(wait=10)
        closed = await ws.closed()
    # then: the subscription completes, then the socket closes saying why, so the client
    # refreshes its token before it reconnects
    assert message == {"id": "1", "type": "complete"}
    assert closed == (
        4403,
        "TOKEN_EXPIRED: the access token expired; get a new one with authRefresh, then reconnect",
    )
