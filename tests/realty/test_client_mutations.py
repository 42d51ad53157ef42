"""Writing clients and their interests: success, each typed error, permissions, and that a
refused mutation writes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.catalog.conftest import (
    PAYLOAD_ERRORS,
    Workspace,
    denied,
    invalid,
    not_found,
    refused,
    without_message,
)
from tests.factories import gid
from tests.realty.conftest import (
    add_interest,
    create_client,
    create_interaction,
    create_property,
    realty_rows,
    realty_snapshot,
)

CLIENT_FIELDS = """
    id name email phone leadScore nurtureStatus lastContactedAt updatedAt
    organization { id }
    interestedProperties { nodes { id } }
"""

CLIENT_CREATE = f"""
mutation ClientCreate($input: ClientCreateInput!) {{
  clientCreate(input: $input) {{
    __typename
    ... on ClientSuccess {{ client {{ {CLIENT_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

CLIENT_UPDATE = f"""
mutation ClientUpdate($input: ClientUpdateInput!) {{
  clientUpdate(input: $input) {{
    __typename
    ... on ClientSuccess {{ client {{ {CLIENT_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

CLIENT_DELETE = f"""
mutation ClientDelete($input: ClientDeleteInput!) {{
  clientDelete(input: $input) {{
    __typename
    ... on ClientDeleteSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}
"""


def _interest(name: str) -> str:
    return f"""
mutation Interest($input: ClientInterestInput!) {{
  {name}(input: $input) {{
    __typename
    ... on ClientSuccess {{ client {{ id interestedProperties {{ nodes {{ id }} }} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""


INTEREST_ADD, INTEREST_REMOVE = _interest("clientInterestAdd"), _interest("clientInterestRemove")

CLIENT = """
query($id: ID!) {
  client(id: $id) { name email leadScore nurtureStatus interestedProperties { nodes { id } } }
}
"""


def _new(ws: Workspace, **overrides: Any) -> dict[str, Any]:
    return {"organization": ws.org_id, "name": "Ana Silva", **overrides}


def _ids(*objs: Any) -> list[str]:
    return [gid(type(o).__name__, o.id) for o in objs]


# ---------------------------------------------------------------------------------------------
# clientCreate


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "EDITOR"])
async def test_client_create_with_interests(gql, db, factory, workspace, role):
    # given
    member = await factory.member(workspace.org, role)
    loft = await create_property(db, workspace.org, title="Loft")
    villa = await create_property(db, workspace.org, title="Villa")
    data = _new(
        workspace, name=" Ana Silva ", email=" Ana@Example.COM ", phone="+351 910 000 000",
        leadScore=85, nurtureStatus="HOT", interestedProperties=_ids(loft, villa),
    )  # fmt: skip
    # when
    body = await gql(CLIENT_CREATE, {"input": data}, token=member.token)
    # then
    payload = body["data"]["clientCreate"]
    assert payload["__typename"] == "ClientSuccess"
    created = payload["client"]
    assert {k: v for k, v in created.items() if k not in ("id", "updatedAt")} == {
        "name": "Ana Silva", "email": "ana@example.com", "phone": "+351 910 000 000",
        "leadScore": 85, "nurtureStatus": "HOT", "lastContactedAt": None,
        "organization": {"id": workspace.org_id},
        "interestedProperties": {"nodes": [{"id": i} for i in _ids(loft, villa)]},
    }  # fmt: skip
    assert (await realty_rows(db))["client_interested_properties"] == 2


async def test_client_create_defaults(gql, workspace):
    # when
    body = await gql(CLIENT_CREATE, {"input": _new(workspace)}, token=workspace.editor.token)
    # then
    created = body["data"]["clientCreate"]["client"]
    assert (created["leadScore"], created["nurtureStatus"], created["email"]) == (0, "NEW", None)


INVALID_CREATE = {
    "lead-score-below-0": ({"leadScore": -1}, ["leadScore"], "OUT_OF_RANGE"),
    "lead-score-above-100": ({"leadScore": 101}, ["leadScore"], "OUT_OF_RANGE"),
    "malformed-email": ({"email": "ana.example.com"}, ["email"], "INVALID_FORMAT"),
    "email-with-spaces": ({"email": "ana @example.com"}, ["email"], "INVALID_FORMAT"),
    "blank-name": ({"name": " "}, ["name"], "REQUIRED"),
    "long-phone": ({"phone": "1" * 51}, ["phone"], "TOO_LONG"),
    "bad-property-id": ({"interestedProperties": ["nope"]}, ["interestedProperties", "0"],
                        "INVALID_ID"),
}  # fmt: skip


@pytest.mark.parametrize(("patch", "path", "code"), INVALID_CREATE.values(), ids=INVALID_CREATE)
async def test_client_create_refuses_invalid_input(gql, db, workspace, patch, path, code):
    # given
    before = await realty_rows(db)
    # when
    body = await gql(
        CLIENT_CREATE, {"input": _new(workspace, **patch)}, token=workspace.editor.token
    )
    # then
    assert without_message(body["data"]["clientCreate"]) == invalid(path, code)
    assert await realty_rows(db) == before


async def test_client_create_with_another_organizations_property_is_not_found(
    gql, db, factory, workspace
):
    # given
    mine = await create_property(db, workspace.org)
    theirs = await create_property(db, await factory.organization())
    before = await realty_rows(db)
    data = _new(workspace, interestedProperties=_ids(mine, theirs))
    # when
    body = await gql(CLIENT_CREATE, {"input": data}, token=workspace.editor.token)
    # then
    assert without_message(body["data"]["clientCreate"]) == not_found(
        ["interestedProperties", "1"], _ids(theirs)[0]
    )
    assert await realty_rows(db) == before


async def test_viewer_cannot_create_a_client(gql, db, workspace):
    # when
    body = await gql(CLIENT_CREATE, {"input": _new(workspace)}, token=workspace.viewer.token)
    # then
    assert without_message(body["data"]["clientCreate"]) == denied("item:create")
    assert (await realty_rows(db))["clients"] == 0


# ---------------------------------------------------------------------------------------------
# clientUpdate / clientDelete


@pytest.fixture
async def ana(db, workspace):
    return await create_client(
        db, workspace.org, name="Ana", email="ana@example.com", lead_score=50
    )


@pytest.mark.parametrize(
    ("patch", "changed"),
    [
        pytest.param({}, {}, id="nothing"),
        pytest.param({"leadScore": 100}, {"leadScore": 100}, id="lead-score-max"),
        pytest.param({"leadScore": 0}, {"leadScore": 0}, id="lead-score-min"),
        pytest.param({"nurtureStatus": "COLD"}, {"nurtureStatus": "COLD"}, id="nurture"),
        pytest.param({"email": None}, {"email": None}, id="email-null-clears"),
        pytest.param({"email": "A@B.io"}, {"email": "a@b.io"}, id="email"),
    ],
)
async def test_client_update_changes_only_given_fields(gql, workspace, ana, patch, changed):
    # given
    client_id = gid("Client", ana.id)
    # when
    body = await gql(
        CLIENT_UPDATE, {"input": {"id": client_id, **patch}}, token=workspace.editor.token
    )
    # then
    assert body["data"]["clientUpdate"]["__typename"] == "ClientSuccess"
    stored = (await gql(CLIENT, {"id": client_id}, token=workspace.viewer.token))["data"]
    unchanged = {
        "name": "Ana", "email": "ana@example.com", "leadScore": 50, "nurtureStatus": "NEW",
        "interestedProperties": {"nodes": []},
    }  # fmt: skip
    assert stored["client"] == unchanged | changed


INVALID_UPDATE = {
    "lead-score-above-100": ({"leadScore": 250}, ["leadScore"], "OUT_OF_RANGE"),
    "lead-score-negative": ({"leadScore": -5}, ["leadScore"], "OUT_OF_RANGE"),
    "lead-score-null": ({"leadScore": None}, ["leadScore"], "REQUIRED"),
    "malformed-email": ({"email": "nope@"}, ["email"], "INVALID_FORMAT"),
    "null-name": ({"name": None}, ["name"], "REQUIRED"),
    "null-nurture": ({"nurtureStatus": None}, ["nurtureStatus"], "REQUIRED"),
}


@pytest.mark.parametrize(("patch", "path", "code"), INVALID_UPDATE.values(), ids=INVALID_UPDATE)
async def test_client_update_refuses_invalid_input(gql, db, workspace, ana, patch, path, code):
    # given
    before = await realty_snapshot(db)
    # when
    body = await gql(
        CLIENT_UPDATE, {"input": {"id": gid("Client", ana.id), **patch}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert without_message(body["data"]["clientUpdate"]) == invalid(path, code)
    assert await realty_snapshot(db) == before


async def test_client_update_with_stale_updated_at_is_a_conflict(gql, db, workspace, ana):
    # given
    client_id = gid("Client", ana.id)
    await gql(
        CLIENT_UPDATE, {"input": {"id": client_id, "leadScore": 70}}, token=workspace.owner.token
    )
    before = await realty_snapshot(db)
    # when
    body = await gql(
        CLIENT_UPDATE,
        {"input": {"id": client_id, "leadScore": 20, "updatedAt": ana.updated_at.isoformat()}},
        token=workspace.editor.token,
    )
    # then
    assert without_message(body["data"]["clientUpdate"]) == refused(
        "ConflictError", "CONFLICT", path=["updatedAt"]
    )
    assert await realty_snapshot(db) == before


async def test_viewer_cannot_update_or_delete_a_client(gql, db, workspace, ana):
    # given
    before = await realty_snapshot(db)
    client_id = gid("Client", ana.id)
    # when
    updated = await gql(
        CLIENT_UPDATE, {"input": {"id": client_id, "leadScore": 1}}, token=workspace.viewer.token
    )
    deleted = await gql(CLIENT_DELETE, {"input": {"id": client_id}}, token=workspace.viewer.token)
    # then
    assert without_message(updated["data"]["clientUpdate"]) == denied("item:update")
    assert without_message(deleted["data"]["clientDelete"]) == denied("item:delete")
    assert await realty_snapshot(db) == before


async def test_client_delete_hides_the_client_and_its_interactions(gql, db, workspace, ana):
    # given
    interaction = await create_interaction(
        db, ana, workspace.owner.user, occurred_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    client_id = gid("Client", ana.id)
    # when
    body = await gql(CLIENT_DELETE, {"input": {"id": client_id}}, token=workspace.editor.token)
    # then
    assert body["data"]["clientDelete"] == {
        "__typename": "ClientDeleteSuccess",
        "deletedId": client_id,
    }
    after = await gql(
        "query($c: ID!, $i: ID!) { client(id: $c) { id } node(id: $i) { id } "
        "clients { totalCount } }",
        {"c": client_id, "i": gid("Interaction", interaction.id)},
        token=workspace.owner.token,
    )
    assert after == {"data": {"client": None, "node": None, "clients": {"totalCount": 0}}}


async def test_update_of_unknown_client_is_not_found(gql, workspace):
    # given
    missing = gid("Client", uuid.uuid4())
    # when
    body = await gql(
        CLIENT_UPDATE, {"input": {"id": missing, "name": "x"}}, token=workspace.owner.token
    )
    # then
    assert without_message(body["data"]["clientUpdate"]) == not_found(["id"], missing)


# ---------------------------------------------------------------------------------------------
# clientInterestAdd / clientInterestRemove


async def test_client_interest_add_and_remove(gql, db, workspace, ana):
    # given
    loft, villa, flat = [await create_property(db, workspace.org) for _ in range(3)]
    await add_interest(db, ana, loft)
    client_id = gid("Client", ana.id)
    # when: adding one already there is harmless
    added = await gql(
        INTEREST_ADD, {"input": {"client": client_id, "properties": _ids(loft, villa, flat)}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert added["data"]["clientInterestAdd"]["client"]["interestedProperties"] == {
        "nodes": [{"id": i} for i in _ids(loft, villa, flat)]
    }
    # when
    removed = await gql(
        INTEREST_REMOVE, {"input": {"client": client_id, "properties": _ids(loft, flat)}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert removed["data"]["clientInterestRemove"]["client"]["interestedProperties"] == {
        "nodes": [{"id": i} for i in _ids(villa)]
    }
    interested = await gql(
        "query($id: ID!) { property(id: $id) { interestedClients { nodes { id } } } }",
        {"id": _ids(villa)[0]},
        token=workspace.viewer.token,
    )
    assert interested["data"]["property"]["interestedClients"]["nodes"] == [{"id": client_id}]


@pytest.mark.parametrize("doc", [INTEREST_ADD, INTEREST_REMOVE], ids=["add", "remove"])
async def test_interest_in_another_organizations_property_is_not_found(
    gql, db, factory, workspace, ana, doc
):
    # given
    theirs = await create_property(db, await factory.organization())
    mine = await create_property(db, workspace.org)
    before = await realty_snapshot(db)
    # when
    body = await gql(
        doc, {"input": {"client": gid("Client", ana.id), "properties": _ids(mine, theirs)}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    payload = next(iter(body["data"].values()))
    assert without_message(payload) == not_found(["properties", "1"], _ids(theirs)[0])
    assert await realty_snapshot(db) == before


@pytest.mark.parametrize("doc", [INTEREST_ADD, INTEREST_REMOVE], ids=["add", "remove"])
async def test_viewer_cannot_change_interests(gql, db, workspace, ana, doc):
    # given
    prop = await create_property(db, workspace.org)
    before = await realty_snapshot(db)
    # when
    body = await gql(
        doc, {"input": {"client": gid("Client", ana.id), "properties": _ids(prop)}},
        token=workspace.viewer.token,
    )  # fmt: skip
    # then
    assert without_message(next(iter(body["data"].values()))) == denied("item:update")
    assert await realty_snapshot(db) == before


async def test_interest_with_a_malformed_property_id_is_a_validation_error(gql, db, workspace, ana):
    # when
    body = await gql(
        INTEREST_ADD, {"input": {"client": gid("Client", ana.id), "properties": ["x"]}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert without_message(body["data"]["clientInterestAdd"]) == invalid(
        ["properties", "0"], "INVALID_ID"
    )
