"""Recording interactions: the client's `lastContactedAt` moves forward with them, in the same
transaction (and with it, through the write path, so it is a recorded change); updates,
deletes, validation and permissions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import resolvers.realty
from graph.kernel.errors import Conflict
from resolvers.writes import Writer
from tests.catalog.conftest import PAYLOAD_ERRORS, denied, invalid, not_found, without_message
from tests.factories import gid
from tests.realty.conftest import (
    create_client,
    create_interaction,
    realty_rows,
    realty_snapshot,
)

INTERACTION_FIELDS = """
    id type notes outcome occurredAt updatedAt
    user { id }
    client { id lastContactedAt }
"""

INTERACTION_RECORD = f"""
mutation InteractionRecord($input: InteractionRecordInput!) {{
  interactionRecord(input: $input) {{
    __typename
    ... on InteractionSuccess {{ interaction {{ {INTERACTION_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

INTERACTION_UPDATE = f"""
mutation InteractionUpdate($input: InteractionUpdateInput!) {{
  interactionUpdate(input: $input) {{
    __typename
    ... on InteractionSuccess {{ interaction {{ {INTERACTION_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

INTERACTION_DELETE = f"""
mutation InteractionDelete($input: InteractionDeleteInput!) {{
  interactionDelete(input: $input) {{
    __typename
    ... on InteractionDeleteSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

LAST_CONTACTED = (
    "query($id: ID!) { client(id: $id) { lastContactedAt interactions { totalCount } } }"
)

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
async def ana(db, workspace):
    return await create_client(db, workspace.org, name="Ana", last_contacted_at=T0)


async def _last_contacted(gql, ws, client) -> tuple[str | None, int]:
    body = await gql(LAST_CONTACTED, {"id": gid("Client", client.id)}, token=ws.viewer.token)
    found = body["data"]["client"]
    return found["lastContactedAt"], found["interactions"]["totalCount"]


# ---------------------------------------------------------------------------------------------
# interactionRecord


async def test_recording_a_later_interaction_moves_last_contacted_at(gql, workspace, ana):
    # given
    client_id = gid("Client", ana.id)
    data = {
        "client": client_id, "type": "MEETING", "notes": "Viewing", "outcome": "Offer likely",
        "occurredAt": (T0 + HOUR).isoformat(),
    }  # fmt: skip
    # when
    body = await gql(INTERACTION_RECORD, {"input": data}, token=workspace.editor.token)
    # then
    payload = body["data"]["interactionRecord"]
    assert payload["__typename"] == "InteractionSuccess"
    recorded = payload["interaction"]
    assert {k: v for k, v in recorded.items() if k not in ("id", "updatedAt")} == {
        "type": "MEETING", "notes": "Viewing", "outcome": "Offer likely",
        "occurredAt": (T0 + HOUR).isoformat(), "user": {"id": workspace.editor.id},
        "client": {"id": client_id, "lastContactedAt": (T0 + HOUR).isoformat()},
    }  # fmt: skip
    assert await _last_contacted(gql, workspace, ana) == ((T0 + HOUR).isoformat(), 1)


async def test_recording_an_earlier_interaction_keeps_last_contacted_at(gql, workspace, ana):
    # when
    body = await gql(
        INTERACTION_RECORD,
        {"input": {"client": gid("Client", ana.id), "type": "NOTE",
                   "occurredAt": (T0 - HOUR).isoformat()}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert body["data"]["interactionRecord"]["__typename"] == "InteractionSuccess"
    assert await _last_contacted(gql, workspace, ana) == (T0.isoformat(), 1)


async def test_first_interaction_of_a_never_contacted_client(gql, db, workspace):
    # given
    client = await create_client(db, workspace.org)
    # when
    await gql(
        INTERACTION_RECORD,
        {"input": {"client": gid("Client", client.id), "type": "CALL",
                   "occurredAt": T0.isoformat()}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert await _last_contacted(gql, workspace, client) == (T0.isoformat(), 1)


async def test_occurred_at_defaults_to_now(gql, workspace, ana):
    # given
    before = datetime.now(UTC)
    # when
    body = await gql(
        INTERACTION_RECORD,
        {"input": {"client": gid("Client", ana.id), "type": "EMAIL"}},
        token=workspace.editor.token,
    )
    # then
    recorded = body["data"]["interactionRecord"]["interaction"]
    at = datetime.fromisoformat(recorded["occurredAt"])
    assert before <= at <= datetime.now(UTC)
    assert recorded["client"]["lastContactedAt"] == recorded["occurredAt"]


async def test_the_last_contact_move_is_a_recorded_change(gql, workspace, ana, monkeypatch):
    # given: capture the writer's change list at the end of the op
    seen: list[Any] = []
    original = resolvers.realty.record_interaction

    async def spy(writer: Writer, data: Any) -> Any:
        result = await original(writer, data)
        seen.extend(writer.changes)
        return result

    monkeypatch.setattr(resolvers.realty, "record_interaction", spy)
    # when
    await gql(
        INTERACTION_RECORD,
        {"input": {"client": gid("Client", ana.id), "type": "CALL",
                   "occurredAt": (T0 + HOUR).isoformat()}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert [(c.action, c.table) for c in seen] == [
        ("create", "interactions"),
        ("update", "clients"),
    ]
    assert seen[1].fields == {"last_contacted_at": (T0, T0 + HOUR)}
    assert seen[1].organization_id == workspace.org.id


async def test_a_rolled_back_interaction_leaves_last_contacted_at_unchanged(
    gql, db, workspace, ana, monkeypatch
):
    # given: the transaction fails after both the interaction and the client were written
    original = resolvers.realty._touch_last_contacted

    async def failing(writer: Writer, client: Any, at: datetime) -> None:
        await original(writer, client, at)
        raise Conflict("Simulated failure after the client was updated.")

    monkeypatch.setattr(resolvers.realty, "_touch_last_contacted", failing)
    before = await realty_snapshot(db)
    # when
    body = await gql(
        INTERACTION_RECORD,
        {"input": {"client": gid("Client", ana.id), "type": "CALL",
                   "occurredAt": (T0 + HOUR).isoformat()}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert body["data"]["interactionRecord"]["__typename"] == "ConflictError"
    assert await realty_snapshot(db) == before
    assert await _last_contacted(gql, workspace, ana) == (T0.isoformat(), 0)


@pytest.mark.parametrize(
    ("patch", "path", "code"),
    [
        pytest.param({"outcome": "x" * 501}, ["outcome"], "TOO_LONG", id="long-outcome"),
        pytest.param({"occurredAt": "2026-03-01T10:00:00"}, ["occurredAt"], "INVALID_FORMAT",
                     id="naive-occurred-at"),
        pytest.param({"client": "nope"}, ["client"], "INVALID_ID", id="bad-client-id"),
    ],
)  # fmt: skip
async def test_interaction_record_refuses_invalid_input(gql, db, workspace, ana, patch, path, code):
    # given
    before = await realty_snapshot(db)
    data = {"client": gid("Client", ana.id), "type": "CALL", **patch}
    # when
    body = await gql(INTERACTION_RECORD, {"input": data}, token=workspace.editor.token)
    # then
    assert without_message(body["data"]["interactionRecord"]) == invalid(path, code)
    assert await realty_snapshot(db) == before


async def test_viewer_cannot_record_an_interaction(gql, db, workspace, ana):
    # given
    before = await realty_snapshot(db)
    # when
    body = await gql(
        INTERACTION_RECORD,
        {"input": {"client": gid("Client", ana.id), "type": "CALL"}},
        token=workspace.viewer.token,
    )
    # then
    assert without_message(body["data"]["interactionRecord"]) == denied("item:update")
    assert await realty_snapshot(db) == before


async def test_recording_for_a_deleted_client_is_not_found(gql, db, workspace):
    # given
    gone = await create_client(db, workspace.org, deleted_at=T0)
    client_id = gid("Client", gone.id)
    # when
    body = await gql(
        INTERACTION_RECORD, {"input": {"client": client_id, "type": "CALL"}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert without_message(body["data"]["interactionRecord"]) == not_found(["client"], client_id)
    assert (await realty_rows(db))["interactions"] == 0


# ---------------------------------------------------------------------------------------------
# interactionUpdate / interactionDelete


@pytest.fixture
async def call(db, workspace, ana):
    return await create_interaction(db, ana, workspace.editor.user, occurred_at=T0, notes="Hi")


async def test_interaction_update_to_a_later_time_moves_last_contacted_at(
    gql, workspace, ana, call
):
    # when
    body = await gql(
        INTERACTION_UPDATE,
        {"input": {"id": gid("Interaction", call.id), "occurredAt": (T0 + 2 * HOUR).isoformat(),
                   "type": "MEETING", "notes": None, "outcome": "Signed"}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    updated = body["data"]["interactionUpdate"]["interaction"]
    assert (updated["type"], updated["notes"], updated["outcome"]) == ("MEETING", None, "Signed")
    assert updated["client"]["lastContactedAt"] == (T0 + 2 * HOUR).isoformat()


async def test_interaction_update_to_an_earlier_time_keeps_last_contacted_at(
    gql, workspace, ana, call
):
    # when
    body = await gql(
        INTERACTION_UPDATE,
        {"input": {"id": gid("Interaction", call.id), "occurredAt": (T0 - HOUR).isoformat()}},
        token=workspace.editor.token,
    )
    # then
    updated = body["data"]["interactionUpdate"]["interaction"]
    assert updated["occurredAt"] == (T0 - HOUR).isoformat()
    assert updated["client"]["lastContactedAt"] == T0.isoformat()


@pytest.mark.parametrize(
    ("patch", "path", "code"),
    [
        pytest.param({"type": None}, ["type"], "REQUIRED", id="null-type"),
        pytest.param({"occurredAt": None}, ["occurredAt"], "REQUIRED", id="null-occurred-at"),
        pytest.param({"outcome": "x" * 501}, ["outcome"], "TOO_LONG", id="long-outcome"),
    ],
)
async def test_interaction_update_refuses_invalid_input(
    gql, db, workspace, call, patch, path, code
):
    # given
    before = await realty_snapshot(db)
    # when
    body = await gql(
        INTERACTION_UPDATE, {"input": {"id": gid("Interaction", call.id), **patch}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert without_message(body["data"]["interactionUpdate"]) == invalid(path, code)
    assert await realty_snapshot(db) == before


async def test_interaction_update_with_stale_updated_at_is_a_conflict(gql, db, workspace, call):
    # given
    interaction_id = gid("Interaction", call.id)
    await gql(
        INTERACTION_UPDATE, {"input": {"id": interaction_id, "notes": "First"}},
        token=workspace.owner.token,
    )  # fmt: skip
    before = await realty_snapshot(db)
    # when
    body = await gql(
        INTERACTION_UPDATE,
        {"input": {"id": interaction_id, "notes": "Second",
                   "updatedAt": call.updated_at.isoformat()}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    payload = without_message(body["data"]["interactionUpdate"])
    assert payload == {"__typename": "ConflictError", "code": "CONFLICT", "path": ["updatedAt"]}
    assert await realty_snapshot(db) == before


async def test_interaction_delete(gql, db, workspace, ana, call):
    # given
    interaction_id = gid("Interaction", call.id)
    # when
    body = await gql(
        INTERACTION_DELETE, {"input": {"id": interaction_id}}, token=workspace.editor.token
    )
    # then
    assert body["data"]["interactionDelete"] == {
        "__typename": "InteractionDeleteSuccess",
        "deletedId": interaction_id,
    }
    assert await _last_contacted(gql, workspace, ana) == (T0.isoformat(), 0)


async def test_viewer_cannot_update_or_delete_an_interaction(gql, db, workspace, call):
    # given
    before = await realty_snapshot(db)
    interaction_id = gid("Interaction", call.id)
    # when
    updated = await gql(
        INTERACTION_UPDATE, {"input": {"id": interaction_id, "notes": "x"}},
        token=workspace.viewer.token,
    )  # fmt: skip
    deleted = await gql(
        INTERACTION_DELETE, {"input": {"id": interaction_id}}, token=workspace.viewer.token
    )
    # then
    assert without_message(updated["data"]["interactionUpdate"]) == denied("item:update")
    assert without_message(deleted["data"]["interactionDelete"]) == denied("item:delete")
    assert await realty_snapshot(db) == before


async def test_unknown_interaction_is_not_found(gql, workspace):
    # given
    missing = gid("Interaction", uuid.uuid4())
    # when
    body = await gql(INTERACTION_DELETE, {"input": {"id": missing}}, token=workspace.owner.token)
    # then
    assert without_message(body["data"]["interactionDelete"]) == not_found(["id"], missing)
