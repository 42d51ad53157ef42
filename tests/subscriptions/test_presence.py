"""Presence in design projects over real WebSockets and two server processes: join, move and
leave reach the project's other members; a vanished client's presence ends on its own (swept
by a real `trellis worker`'s periodic task, announced to the subscribers of either process)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from tests.factories import Factory, Member, gid
from tests.servers import running_worker
from tests.subscriptions.client import socket
from tests.subscriptions.conftest import PRESENCE_TTL as TTL

PROJECT_CREATE = """
mutation($org: ID!) {
  projectCreate(input: {organization: $org, name: "Shop"}) {
    __typename ... on ProjectSuccess { project { id } }
  }
}"""
OBJECT_CREATE = """
mutation($project: ID!) {
  designObjectCreate(input: {project: $project, name: "Order", positionX: 2, positionY: 3}) {
    ... on DesignObjectSuccess { designObject { id } }
  }
}"""
UPDATE = """
mutation($input: PresenceUpdateInput!) {
  presenceUpdate(input: $input) {
    __typename
    ... on PresenceSuccess { presence { clientId cursorX cursorY editingId user { id } } }
    ... on ValidationError { fields { path code } }
    ... on Error { code path }
  }
}"""
LEAVE = """
mutation($project: ID!, $client: String!) {
  presenceLeave(input: {project: $project, clientId: $client}) {
    __typename ... on PresenceLeaveSuccess { left }
  }
}"""
WATCH = """
subscription($project: ID!, $client: String) {
  projectPresence(project: $project, clientId: $client) {
    kind presence { clientId cursorX cursorY editingId user { id } }
  }
}"""
PRESENT = """
query($project: ID!) {
  project(id: $project) { presence { nodes { clientId user { id } } } }
}"""


@pytest.fixture
async def project(http: Any, factory: Factory) -> tuple[str, Member, Member]:
    """A project, its organization's editor alice and viewer carol."""
    org = await factory.organization()
    alice = await factory.member(org, role="EDITOR")
    carol = await factory.member(org, role="VIEWER")
    data = await http(0, PROJECT_CREATE, {"org": gid("Organization", org.id)}, alice.token)
    return data["projectCreate"]["project"]["id"], alice, carol


async def test_join_move_and_leave_reach_the_other_members_across_processes(
    servers: list[str], http: Any, project: tuple[str, Member, Member]
) -> None:
    # given: carol watches the project on one process
    project_id, alice, carol = project
    data = await http(0, OBJECT_CREATE, {"project": project_id}, alice.token)
    object_id = data["designObjectCreate"]["designObject"]["id"]
    async with socket(servers[1], token=carol.token) as ws:
        await ws.subscribe("p", WATCH, {"project": project_id, "client": "carol-tab"})
        await asyncio.sleep(0.3)
        # when: alice joins, moves to the object and edits it, and leaves, on the other
        base = {"project": project_id, "clientId": "alice-tab"}
        joined = await http(0, UPDATE, {"input": {**base, "cursorX": 0, "cursorY": 0}}, alice.token)
        await http(
            0,
            UPDATE,
            {"input": {**base, "cursorX": 2, "cursorY": 3, "editing": object_id}},
            alice.token,
        )
        present = await http(1, PRESENT, {"project": project_id}, carol.token)
        left = await http(0, LEAVE, {"project": project_id, "client": "alice-tab"}, alice.token)
        events = [(await ws.next("p"))["projectPresence"] for _ in range(3)]
    # then
    assert joined["presenceUpdate"]["__typename"] == "PresenceSuccess"
    assert present["project"]["presence"]["nodes"] == [
        {"clientId": "alice-tab", "user": {"id": alice.id}}
    ]
    assert left == {"presenceLeave": {"__typename": "PresenceLeaveSuccess", "left": True}}
    assert [e["kind"] for e in events] == ["JOIN", "UPDATE", "LEAVE"]
    assert events[1]["presence"] == {
        "clientId": "alice-tab",
        "cursorX": 2,
        "cursorY": 3,
        "editingId": object_id,
        "user": {"id": alice.id},
    }


async def test_a_clients_own_updates_are_not_echoed_to_it(
    servers: list[str], http: Any, project: tuple[str, Member, Member]
) -> None:
    # given
    project_id, alice, _ = project
    async with socket(servers[0], token=alice.token) as ws:
        await ws.subscribe("p", WATCH, {"project": project_id, "client": "tab-1"})
        await asyncio.sleep(0.3)
        # when: her own tab moves, then her second tab
        for client in ("tab-1", "tab-2"):
            await http(
                1, UPDATE, {"input": {"project": project_id, "clientId": client}}, alice.token
            )
        event = (await ws.next("p"))["projectPresence"]
        await ws.nothing_for(0.5)
    # then
    assert event["presence"]["clientId"] == "tab-2"


async def test_a_closed_socket_ends_its_clients_presence(
    servers: list[str], http: Any, project: tuple[str, Member, Member]
) -> None:
    # given: alice present through her presence subscription; carol watching
    project_id, alice, carol = project
    async with socket(servers[1], token=carol.token) as watcher:
        await watcher.subscribe("p", WATCH, {"project": project_id})
        async with socket(servers[0], token=alice.token) as ws:
            await ws.subscribe("me", WATCH, {"project": project_id, "client": "laptop"})
            await asyncio.sleep(0.3)
            inputs = {"input": {"project": project_id, "clientId": "laptop"}}
            await http(0, UPDATE, inputs, alice.token)
            assert (await watcher.next("p"))["projectPresence"]["kind"] == "JOIN"
        # when: her socket closes
        event = (await watcher.next("p", wait=5))["projectPresence"]
    # then
    assert event["kind"] == "LEAVE"
    assert event["presence"]["clientId"] == "laptop"


@pytest.fixture
def sweeper(database_url: URL, tmp_path: Path) -> Iterator[None]:
    """A worker process: it runs the periodic presence sweep."""
    with running_worker(database_url, tmp_path / "worker.log"):
        yield


async def test_a_presence_without_heartbeat_expires(
    servers: list[str], http: Any, project: tuple[str, Member, Member], sweeper: None
) -> None:
    # given
    project_id, alice, carol = project
    async with socket(servers[1], token=carol.token) as ws:
        await ws.subscribe("p", WATCH, {"project": project_id})
        await asyncio.sleep(0.3)
        await http(0, UPDATE, {"input": {"project": project_id, "clientId": "gone"}}, alice.token)
        assert (await ws.next("p"))["projectPresence"]["kind"] == "JOIN"
        # when: no heartbeat for longer than the TTL
        event = (await ws.next("p", wait=TTL + 5))["projectPresence"]
    present = await http(0, PRESENT, {"project": project_id}, carol.token)
    # then
    assert event["kind"] == "LEAVE"
    assert present["project"]["presence"]["nodes"] == []


async def test_presence_is_refused_outside_the_organization(
    servers: list[str], http: Any, factory: Factory, project: tuple[str, Member, Member]
) -> None:
    # given: bob is in another organization
    project_id, _, _ = project
    bob = await factory.member(await factory.organization(), role="OWNER")
    # when
    update = await http(0, UPDATE, {"input": {"project": project_id, "clientId": "x"}}, bob.token)
    async with socket(servers[0], token=bob.token) as ws:
        await ws.subscribe("p", WATCH, {"project": project_id})
        message = await ws.receive()
    # then
    assert update["presenceUpdate"] == {
        "__typename": "NotFoundError", "code": "NOT_FOUND", "path": ["project"],
    }  # fmt: skip
    assert message["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"clientId": ""}, ["clientId"]),
        ({"clientId": "x" * 65}, ["clientId"]),
        ({"clientId": "t", "cursorX": -1}, ["cursorX"]),
        ({"clientId": "t", "cursorY": 1000}, ["cursorY"]),
        ({"clientId": "t", "editing": "not-an-id"}, ["editing"]),
    ],
    ids=["empty-client", "long-client", "negative-x", "huge-y", "bad-editing-id"],
)
async def test_bad_presence_input_is_a_validation_error(
    http: Any, project: tuple[str, Member, Member], fields: dict[str, Any], path: list[str]
) -> None:
    project_id, alice, _ = project
    data = await http(0, UPDATE, {"input": {"project": project_id, **fields}}, alice.token)
    assert data["presenceUpdate"]["__typename"] == "ValidationError"
    assert [f["path"] for f in data["presenceUpdate"]["fields"]] == [path]


async def test_editing_a_node_of_another_project_is_not_found(
    http: Any, project: tuple[str, Member, Member]
) -> None:
    # given: an object of a second project of the same organization
    project_id, alice, _ = project
    org = (
        await http(
            0,
            "query($p: ID!) { project(id: $p) { organization { id } } }",
            {"p": project_id},
            alice.token,
        )
    )["project"]["organization"]["id"]
    other = (await http(0, PROJECT_CREATE, {"org": org}, alice.token))["projectCreate"]
    data = await http(0, OBJECT_CREATE, {"project": other["project"]["id"]}, alice.token)
    object_id = data["designObjectCreate"]["designObject"]["id"]
    # when
    inputs = {"project": project_id, "clientId": "t", "editing": object_id}
    result = await http(0, UPDATE, {"input": inputs}, alice.token)
    # then
    assert result["presenceUpdate"] == {
        "__typename": "NotFoundError", "code": "NOT_FOUND", "path": ["editing"],
    }  # fmt: skip
