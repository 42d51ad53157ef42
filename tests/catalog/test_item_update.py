"""Updating items: omitted fields stay, null clears, a stale `updatedAt` is a conflict."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import models
from tests.catalog.conftest import (
    PAYLOAD_ERRORS,
    Workspace,
    denied,
    invalid,
    not_found,
    refused,
    without_message,
)
from tests.factories import Factory, gid

ITEM_UPDATE = f"""
mutation ItemUpdate($input: ItemUpdateInput!) {{
  itemUpdate(input: $input) {{
    __typename
    ... on ItemSuccess {{ item {{ id title type description metaData updatedAt }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

ITEM = "query Item($id: ID!) { node(id: $id) { ... on Item { title type description metaData } } }"

ITEM_DELETE = "mutation ItemDelete($id: ID!) { itemDelete(input: {id: $id}) { __typename } }"


@pytest.fixture
async def lamp(factory: Factory, workspace: Workspace) -> models.Item:
    return await factory.item(
        workspace.owner.user,
        workspace.org,
        title="Lamp",
        type="furniture",
        description="Bright",
        meta_data={"watts": 40},
    )


LAMP = {"title": "Lamp", "type": "furniture", "description": "Bright", "metaData": {"watts": 40}}


@pytest.mark.parametrize(
    ("patch", "changed"),
    [
        pytest.param({}, {}, id="nothing"),
        pytest.param({"title": " Desk "}, {"title": "Desk"}, id="title-only"),
        pytest.param({"type": "light"}, {"type": "light"}, id="type-only"),
        pytest.param({"description": "Dim"}, {"description": "Dim"}, id="description-only"),
        pytest.param({"description": None}, {"description": None}, id="description-null-clears"),
        pytest.param(
            {"metaData": {"lumen": 1}}, {"metaData": {"lumen": 1}}, id="metadata-replaced"
        ),
        pytest.param(
            {"title": "Desk", "description": None},
            {"title": "Desk", "description": None},
            id="two-fields",
        ),
    ],
)
async def test_item_update_changes_only_given_fields(gql, workspace, lamp, patch, changed):
    # given
    item_id = gid("Item", lamp.id)
    # when
    body = await gql(ITEM_UPDATE, {"input": {"id": item_id, **patch}}, token=workspace.editor.token)
    # then
    payload = body["data"]["itemUpdate"]
    assert payload["__typename"] == "ItemSuccess"
    stored = (await gql(ITEM, {"id": item_id}, token=workspace.owner.token))["data"]["node"]
    assert stored == LAMP | changed
    assert {k: payload["item"][k] for k in LAMP} == LAMP | changed


async def test_item_update_with_the_updated_at_seen_succeeds_and_moves_it(gql, workspace, lamp):
    # given
    seen = lamp.updated_at.isoformat()
    # when
    body = await gql(
        ITEM_UPDATE,
        {"input": {"id": gid("Item", lamp.id), "title": "Desk", "updatedAt": seen}},
        token=workspace.editor.token,
    )
    # then
    item = body["data"]["itemUpdate"]["item"]
    assert item["title"] == "Desk"
    assert datetime.fromisoformat(item["updatedAt"]) > lamp.updated_at


async def test_item_update_with_a_stale_updated_at_is_a_conflict(gql, sql, workspace, lamp):
    # given: someone changed the item after we read it
    stale = (lamp.updated_at - timedelta(seconds=1)).isoformat()
    # when
    body = await gql(
        ITEM_UPDATE,
        {"input": {"id": gid("Item", lamp.id), "title": "Desk", "updatedAt": stale}},
        token=workspace.editor.token,
    )
    # then
    assert without_message(body["data"]["itemUpdate"]) == refused(
        "ConflictError", "CONFLICT", path=["updatedAt"]
    )
    rows = await sql("SELECT title, updated_at FROM items WHERE id = :id", id=lamp.id)
    assert rows == [("Lamp", lamp.updated_at)]


async def test_item_update_after_another_update_is_a_conflict(gql, workspace, lamp):
    # given
    seen = lamp.updated_at.isoformat()
    item_id = gid("Item", lamp.id)
    await gql(ITEM_UPDATE, {"input": {"id": item_id, "title": "Mine"}}, token=workspace.owner.token)
    # when
    body = await gql(
        ITEM_UPDATE,
        {"input": {"id": item_id, "title": "Theirs", "updatedAt": seen}},
        token=workspace.editor.token,
    )
    # then
    assert body["data"]["itemUpdate"]["__typename"] == "ConflictError"
    stored = await gql(ITEM, {"id": item_id}, token=workspace.owner.token)
    assert stored["data"]["node"]["title"] == "Mine"


@pytest.mark.parametrize(
    ("patch", "who", "expected"),
    [
        pytest.param(
            {"title": "Desk"},
            "viewer",
            denied("item:update"),
            id="viewer-refused",
        ),
        pytest.param({"title": ""}, "editor", invalid(["title"], "REQUIRED"), id="empty-title"),
        pytest.param(
            {"title": "x" * 501}, "editor", invalid(["title"], "TOO_LONG"), id="title-too-long"
        ),
        pytest.param(
            {"metaData": "text"}, "editor", invalid(["metaData"], "INVALID"), id="metadata-string"
        ),
        pytest.param(
            {"title": "", "type": ""},
            "editor",
            refused(
                "ValidationError",
                "VALIDATION",
                path=[],
                fields=[
                    {"path": ["title"], "code": "REQUIRED"},
                    {"path": ["type"], "code": "REQUIRED"},
                ],
            ),
            id="two-bad-fields",
        ),
    ],
)
async def test_item_update_refused_leaves_the_row(gql, workspace, lamp, patch, who, expected):
    # given
    item_id = gid("Item", lamp.id)
    # when
    body = await gql(
        ITEM_UPDATE, {"input": {"id": item_id, **patch}}, token=getattr(workspace, who).token
    )
    # then
    assert without_message(body["data"]["itemUpdate"]) == expected
    stored = await gql(ITEM, {"id": item_id}, token=workspace.owner.token)
    assert stored["data"]["node"] == LAMP


async def test_item_update_of_another_organization_is_not_found(gql, factory, workspace, lamp):
    # given
    outsider = await factory.member(await factory.organization(), "OWNER")
    item_id = gid("Item", lamp.id)
    # when
    body = await gql(ITEM_UPDATE, {"input": {"id": item_id, "title": "x"}}, token=outsider.token)
    # then
    assert without_message(body["data"]["itemUpdate"]) == not_found(["id"], item_id)


async def test_item_update_with_a_malformed_id_is_invalid(gql, workspace):
    # when
    body = await gql(
        ITEM_UPDATE, {"input": {"id": "garbage", "title": "x"}}, token=workspace.editor.token
    )
    # then
    assert without_message(body["data"]["itemUpdate"]) == invalid(["id"], "INVALID_ID")


async def test_deleted_item_cannot_be_updated(gql, workspace, lamp):
    # given
    item_id = gid("Item", lamp.id)
    await gql(ITEM_DELETE, {"id": item_id}, token=workspace.editor.token)
    # when
    body = await gql(
        ITEM_UPDATE, {"input": {"id": item_id, "title": "x"}}, token=workspace.owner.token
    )
    # then
    assert without_message(body["data"]["itemUpdate"]) == not_found(["id"], item_id)


@pytest.mark.parametrize("field", ["title", "type", "metaData"])
async def test_item_update_refuses_null_for_a_field_that_cannot_be_cleared(
    gql, workspace, lamp, field
):
    # given
    item_id = gid("Item", lamp.id)
    # when
    body = await gql(
        ITEM_UPDATE, {"input": {"id": item_id, field: None}}, token=workspace.editor.token
    )
    # then
    payload = body["data"]["itemUpdate"]
    assert payload["__typename"] == "ValidationError"
    expected_code = "INVALID" if field == "metaData" else "REQUIRED"
    assert [(f["path"], f["code"]) for f in payload["fields"]] == [([field], expected_code)]
    stored = await gql(ITEM, {"id": item_id}, token=workspace.owner.token)
    assert stored["data"]["node"] == LAMP
