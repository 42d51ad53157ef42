"""Tags: create, update and delete; names unique per organization, case-insensitively."""

from __future__ import annotations

import pytest

import models
from tests.catalog.conftest import (
    PAYLOAD_ERRORS,
    Workspace,
    catalog_rows,
    denied,
    invalid,
    not_found,
    refused,
    without_message,
)
from tests.factories import Factory, gid

TAG_FIELDS = "id name color organization { id } items { totalCount }"

TAG_CREATE = f"""
mutation TagCreate($input: TagCreateInput!) {{
  tagCreate(input: $input) {{
    __typename
    ... on TagSuccess {{ tag {{ {TAG_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

TAG_UPDATE = f"""
mutation TagUpdate($input: TagUpdateInput!) {{
  tagUpdate(input: $input) {{
    __typename
    ... on TagSuccess {{ tag {{ {TAG_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

TAG_DELETE = f"""
mutation TagDelete($input: TagDeleteInput!) {{
  tagDelete(input: $input) {{
    __typename
    ... on TagDeleteSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

TAG = "query Tag($id: ID!) { node(id: $id) { ... on Tag { name color } } }"

AFTER_DELETE = """
query AfterDelete($tag: ID!, $item: ID!) {
  tags { nodes { name } }
  tag: node(id: $tag) { id }
  item: node(id: $item) { ... on Item { title tags { totalCount nodes { name } } } }
}
"""


async def create(gql, workspace: Workspace, token: str | None = None, **fields) -> dict:
    variables = {"input": {"organization": workspace.org_id, **fields}}
    body = await gql(TAG_CREATE, variables, token=token or workspace.editor.token)
    return body["data"]["tagCreate"]


# ---------------------------------------------------------------------------------------------
# tagCreate


@pytest.mark.parametrize(
    ("fields", "name", "color"),
    [
        pytest.param(
            {"name": "Urgent", "color": "#A1B2C3"}, "Urgent", "#a1b2c3", id="colour-lower"
        ),
        pytest.param({"name": "  Later  "}, "Later", None, id="trimmed-no-colour"),
        pytest.param({"name": "x" * 200, "color": None}, "x" * 200, None, id="200-chars"),
    ],
)
@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "EDITOR"])
async def test_tag_create(gql, db, factory, workspace, role, fields, name, color):
    # given
    member = await factory.member(workspace.org, role)
    # when
    payload = await create(gql, workspace, member.token, **fields)
    # then
    assert payload["__typename"] == "TagSuccess"
    assert payload["tag"] == {
        "id": payload["tag"]["id"],
        "name": name,
        "color": color,
        "organization": {"id": workspace.org_id},
        "items": {"totalCount": 0},
    }
    assert (await catalog_rows(db))["tags"] == 1


@pytest.mark.parametrize(
    "existing", ["Urgent", "urgent", "URGENT", " uRGENT "], ids=lambda n: f"vs-{n.strip()}"
)
async def test_tag_name_is_unique_per_organization_case_insensitively(
    gql, db, factory, workspace, existing
):
    # given
    await factory.tag(workspace.org, name="Urgent")
    before = await catalog_rows(db)
    # when
    payload = await create(gql, workspace, name=existing)
    # then
    assert without_message(payload) == invalid(["name"], "ALREADY_EXISTS")
    assert payload["message"] == "A tag with this name exists already."
    assert await catalog_rows(db) == before


async def test_same_tag_name_in_another_organization_is_fine(gql, factory, workspace):
    # given
    await factory.tag(await factory.organization(), name="Urgent")
    # when
    payload = await create(gql, workspace, name="urgent")
    # then
    assert (payload["__typename"], payload["tag"]["name"]) == ("TagSuccess", "urgent")


async def test_deleted_tag_name_can_be_reused(gql, sql, workspace):
    # given
    first = await create(gql, workspace, name="Urgent")
    deleted = await gql(
        TAG_DELETE, {"input": {"id": first["tag"]["id"]}}, token=workspace.owner.token
    )
    assert deleted["data"]["tagDelete"]["__typename"] == "TagDeleteSuccess"
    # when
    second = await create(gql, workspace, name="urgent")
    # then
    assert second["__typename"] == "TagSuccess"
    assert second["tag"]["id"] != first["tag"]["id"]
    rows = await sql("SELECT name, deleted_at IS NULL FROM tags ORDER BY created_at")
    assert rows == [("Urgent", False), ("urgent", True)]


BAD_COLORS = [
    pytest.param(c, id=repr(c))
    for c in ("red", "#abc", "#gggggg", "a1b2c3", "#a1b2c3d", "#a1b2c", "", " #a1b2c3")
]
NEWLINE_COLOR = pytest.param(
    "#a1b2c3\n",
    id="trailing-newline",
)


@pytest.mark.parametrize("color", [*BAD_COLORS, NEWLINE_COLOR])
async def test_tag_create_with_a_bad_color_is_invalid(gql, db, workspace, color):
    # when
    payload = await create(gql, workspace, name="Urgent", color=color)
    # then
    assert without_message(payload) == invalid(["color"], "INVALID_FORMAT")
    assert (await catalog_rows(db))["tags"] == 0


@pytest.mark.parametrize(
    ("who", "fields", "expected"),
    [
        pytest.param("viewer", {"name": "t"}, lambda w: denied("tag:create"), id="viewer"),
        pytest.param("editor", {"name": ""}, lambda w: invalid(["name"], "REQUIRED"), id="empty"),
        pytest.param(
            "editor", {"name": "x" * 201}, lambda w: invalid(["name"], "TOO_LONG"), id="201-chars"
        ),
        pytest.param(
            "editor",
            {"name": " ", "color": "blue"},
            lambda w: refused(
                "ValidationError",
                "VALIDATION",
                path=[],
                fields=[
                    {"path": ["name"], "code": "REQUIRED"},
                    {"path": ["color"], "code": "INVALID_FORMAT"},
                ],
            ),
            id="two-bad-fields",
        ),
        pytest.param(
            "editor",
            {"name": "t", "organization": "garbage"},
            lambda w: invalid(["organization"], "INVALID_ID"),
            id="malformed-organization",
        ),
        pytest.param(
            "stranger",
            {"name": "t"},
            lambda w: not_found(["organization"], w.org_id),
            id="organization-of-others",
        ),
    ],
)
async def test_tag_create_refused(gql, db, factory, workspace, who, fields, expected):
    # given
    stranger = await factory.member(await factory.organization())
    token = stranger.token if who == "stranger" else getattr(workspace, who).token
    # when
    payload = await create(gql, workspace, token, **fields)
    # then
    assert without_message(payload) == expected(workspace)
    assert (await catalog_rows(db))["tags"] == 0


# ---------------------------------------------------------------------------------------------
# tagUpdate


@pytest.fixture
async def urgent(factory: Factory, workspace: Workspace) -> models.Tag:
    return await factory.tag(workspace.org, name="Urgent", color="#ff0000")


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        pytest.param({}, {"name": "Urgent", "color": "#ff0000"}, id="nothing"),
        pytest.param({"name": "Later"}, {"name": "Later", "color": "#ff0000"}, id="name-only"),
        pytest.param(
            {"name": "URGENT"}, {"name": "URGENT", "color": "#ff0000"}, id="own-name-case"
        ),
        pytest.param(
            {"color": "#00FF00"}, {"name": "Urgent", "color": "#00ff00"}, id="colour-only"
        ),
        pytest.param({"color": None}, {"name": "Urgent", "color": None}, id="colour-null-clears"),
    ],
)
async def test_tag_update(gql, workspace, urgent, patch, expected):
    # given
    tag_id = gid("Tag", urgent.id)
    # when
    body = await gql(TAG_UPDATE, {"input": {"id": tag_id, **patch}}, token=workspace.editor.token)
    # then
    payload = body["data"]["tagUpdate"]
    assert payload["__typename"] == "TagSuccess"
    assert {k: payload["tag"][k] for k in ("id", "name", "color")} == {"id": tag_id, **expected}
    stored = await gql(TAG, {"id": tag_id}, token=workspace.viewer.token)
    assert stored["data"]["node"] == expected


@pytest.mark.parametrize(
    ("who", "patch", "expected"),
    [
        pytest.param(
            "editor", {"name": "later"}, lambda t: invalid(["name"], "ALREADY_EXISTS"), id="taken"
        ),
        pytest.param(
            "editor", {"color": "#12"}, lambda t: invalid(["color"], "INVALID_FORMAT"), id="colour"
        ),
        pytest.param(
            "editor",
            {"color": "#00ff00\n"},
            lambda t: invalid(["color"], "INVALID_FORMAT"),
            id="colour-trailing-newline",
        ),
        pytest.param("editor", {"name": ""}, lambda t: invalid(["name"], "REQUIRED"), id="empty"),
        pytest.param("viewer", {"name": "x"}, lambda t: denied("tag:update"), id="viewer"),
        pytest.param(
            "stranger", {"name": "x"}, lambda t: not_found(["id"], t), id="organization-of-others"
        ),
        pytest.param(
            "editor",
            {"name": "x", "updatedAt": "2000-01-01T00:00:00+00:00"},
            lambda t: refused("ConflictError", "CONFLICT", path=["updatedAt"]),
            id="stale-updated-at",
        ),
    ],
)
async def test_tag_update_refused_leaves_the_tag(
    gql, factory, workspace, urgent, who, patch, expected
):
    # given
    await factory.tag(workspace.org, name="Later")
    stranger = await factory.member(await factory.organization())
    token = stranger.token if who == "stranger" else getattr(workspace, who).token
    tag_id = gid("Tag", urgent.id)
    # when
    body = await gql(TAG_UPDATE, {"input": {"id": tag_id, **patch}}, token=token)
    # then
    assert without_message(body["data"]["tagUpdate"]) == expected(tag_id)
    stored = await gql(TAG, {"id": tag_id}, token=workspace.viewer.token)
    assert stored["data"]["node"] == {"name": "Urgent", "color": "#ff0000"}


async def test_tag_update_with_the_updated_at_seen_succeeds(gql, workspace, urgent):
    # given
    seen = urgent.updated_at.isoformat()
    # when
    body = await gql(
        TAG_UPDATE,
        {"input": {"id": gid("Tag", urgent.id), "name": "Soon", "updatedAt": seen}},
        token=workspace.editor.token,
    )
    # then
    assert body["data"]["tagUpdate"]["tag"]["name"] == "Soon"


# ---------------------------------------------------------------------------------------------
# tagDelete


async def test_tag_delete_detaches_it_from_items(gql, db, sql, factory, workspace, urgent):
    # given
    later = await factory.tag(workspace.org, name="Later")
    item = await factory.item(workspace.owner.user, workspace.org, title="Lamp")
    other = await factory.item(workspace.owner.user, workspace.org)
    await factory.tag_item(item, urgent, later)
    await factory.tag_item(other, urgent)
    tag_id = gid("Tag", urgent.id)
    # when
    body = await gql(TAG_DELETE, {"input": {"id": tag_id}}, token=workspace.editor.token)
    # then
    assert body["data"]["tagDelete"] == {"__typename": "TagDeleteSuccess", "deletedId": tag_id}
    seen = await gql(
        AFTER_DELETE, {"tag": tag_id, "item": gid("Item", item.id)}, token=workspace.owner.token
    )
    assert seen["data"] == {
        "tags": {"nodes": [{"name": "Later"}]},
        "tag": None,
        "item": {"title": "Lamp", "tags": {"totalCount": 1, "nodes": [{"name": "Later"}]}},
    }
    assert await catalog_rows(db) == {"items": 2, "item_tags": 1, "tags": 2}
    [(deleted,)] = await sql("SELECT deleted_at IS NOT NULL FROM tags WHERE id = :id", id=urgent.id)
    assert deleted is True


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param("viewer", lambda t: denied("tag:delete"), id="viewer"),
        pytest.param("stranger", lambda t: not_found(["id"], t), id="organization-of-others"),
    ],
)
async def test_tag_delete_refused_keeps_links(gql, db, factory, workspace, urgent, who, expected):
    # given
    await factory.tag_item(await factory.item(workspace.owner.user, workspace.org), urgent)
    stranger = await factory.member(await factory.organization())
    token = stranger.token if who == "stranger" else getattr(workspace, who).token
    tag_id = gid("Tag", urgent.id)
    # when
    body = await gql(TAG_DELETE, {"input": {"id": tag_id}}, token=token)
    # then
    assert without_message(body["data"]["tagDelete"]) == expected(tag_id)
    assert await catalog_rows(db) == {"items": 1, "item_tags": 1, "tags": 1}
    assert (await gql(TAG, {"id": tag_id}, token=workspace.viewer.token))["data"]["node"] == {
        "name": "Urgent",
        "color": "#ff0000",
    }


async def test_tag_delete_twice_is_not_found(gql, workspace, urgent):
    # given
    tag_id = gid("Tag", urgent.id)
    await gql(TAG_DELETE, {"input": {"id": tag_id}}, token=workspace.editor.token)
    # when
    body = await gql(TAG_DELETE, {"input": {"id": tag_id}}, token=workspace.editor.token)
    # then
    assert without_message(body["data"]["tagDelete"]) == not_found(["id"], tag_id)
