"""Creating and deleting items: permissions, validation, tags, and that a refusal writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

import models
from tests.catalog.conftest import (
    PAYLOAD_ERRORS,
    Workspace,
    b64,
    catalog_rows,
    denied,
    invalid,
    not_found,
    refused,
    without_message,
)
from tests.factories import Factory, gid

ITEM_CREATE = f"""
mutation ItemCreate($input: ItemCreateInput!) {{
  itemCreate(input: $input) {{
    __typename
    ... on ItemSuccess {{
      item {{
        id title type description metaData
        owner {{ id }}
        organization {{ id }}
        tags {{ nodes {{ id }} }}
      }}
    }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

ITEM_DELETE = f"""
mutation ItemDelete($input: ItemDeleteInput!) {{
  itemDelete(input: $input) {{
    __typename
    ... on ItemDeleteSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

ITEM_TITLE = "query ItemTitle($id: ID!) { node(id: $id) { ... on Item { title } } }"

EVERYWHERE = """
query Everywhere($item: ID!, $org: ID!, $tag: ID!) {
  items { nodes { id } }
  node(id: $item) { id }
  nodes(ids: [$item]) { id }
  org: node(id: $org) { ... on Organization { items { totalCount nodes { id } } } }
  tag: node(id: $tag) { ... on Tag { items { totalCount nodes { id } } } }
}
"""

# ---------------------------------------------------------------------------------------------
# itemCreate


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "EDITOR"])
async def test_item_create(gql, db, factory, workspace, role):
    # given
    member = await factory.member(workspace.org, role)
    tags = [await factory.tag(workspace.org, name=n) for n in ("b-tag", "a-tag")]
    tag_ids = [gid("Tag", t.id) for t in tags]
    item_input = {
        "organization": workspace.org_id,
        "title": "  A lamp  ",
        "type": "furniture",
        "description": "Bright",
        "metaData": {"watts": 40},
        "tags": tag_ids,
    }
    # when
    body = await gql(ITEM_CREATE, {"input": item_input}, token=member.token)
    # then
    payload = body["data"]["itemCreate"]
    assert payload["__typename"] == "ItemSuccess"
    item = payload["item"]
    assert item == {
        "id": item["id"],
        "title": "A lamp",
        "type": "furniture",
        "description": "Bright",
        "metaData": {"watts": 40},
        "owner": {"id": member.id},
        "organization": {"id": workspace.org_id},
        "tags": {"nodes": [{"id": tag_ids[1]}, {"id": tag_ids[0]}]},
    }
    assert await catalog_rows(db) == {"items": 1, "item_tags": 2, "tags": 2}
    refetched = await gql(ITEM_TITLE, {"id": item["id"]}, token=workspace.viewer.token)
    assert refetched == {"data": {"node": {"title": "A lamp"}}}


async def test_item_create_defaults(gql, workspace):
    # when
    body = await gql(
        ITEM_CREATE,
        {"input": {"organization": workspace.org_id, "title": "x" * 500}},
        token=workspace.editor.token,
    )
    # then
    item = body["data"]["itemCreate"]["item"]
    assert (item["title"], item["type"], item["description"]) == ("x" * 500, "generic", None)
    assert (item["metaData"], item["tags"]) == ({}, {"nodes": []})


async def test_item_create_with_a_tag_named_twice_attaches_it_once(gql, db, factory, workspace):
    # given
    tag = gid("Tag", (await factory.tag(workspace.org)).id)
    # when
    body = await gql(
        ITEM_CREATE,
        {"input": {"organization": workspace.org_id, "title": "t", "tags": [tag, tag]}},
        token=workspace.editor.token,
    )
    # then
    assert body["data"]["itemCreate"]["item"]["tags"] == {"nodes": [{"id": tag}]}
    assert await catalog_rows(db) == {"items": 1, "item_tags": 1, "tags": 1}


@dataclass
class Others:
    """What an item may not be made with: another organization, tags out of reach."""

    other_org: str
    own_tag: str
    other_tag: str
    deleted_tag: str


@pytest.fixture
async def others(factory: Factory, workspace: Workspace) -> Others:
    other_org = await factory.organization()
    deleted = await factory.tag(workspace.org, deleted_at=datetime.now(UTC))
    return Others(
        other_org=gid("Organization", other_org.id),
        own_tag=gid("Tag", (await factory.tag(workspace.org)).id),
        other_tag=gid("Tag", (await factory.tag(other_org)).id),
        deleted_tag=gid("Tag", deleted.id),
    )


def several_bad_fields(w: Workspace, o: Others) -> dict[str, Any]:
    return {
        "organization": w.org_id,
        "title": "",
        "type": "x" * 65,
        "metaData": "text",
        "tags": [o.own_tag, "garbage"],
    }


SEVERAL_BAD_FIELDS = refused(
    "ValidationError",
    "VALIDATION",
    path=[],
    fields=[
        {"path": ["title"], "code": "REQUIRED"},
        {"path": ["type"], "code": "TOO_LONG"},
        {"path": ["metaData"], "code": "INVALID"},
        {"path": ["tags", "1"], "code": "INVALID_ID"},
    ],
)


@pytest.mark.parametrize(
    ("who", "build", "expected"),
    [
        pytest.param(
            "viewer",
            lambda w, o: {"organization": w.org_id, "title": "t"},
            lambda w, o: denied("item:create"),
            id="viewer-may-not-create",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": o.other_org, "title": "t"},
            lambda w, o: not_found(["organization"], o.other_org),
            id="organization-of-others",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "t", "tags": [o.other_tag]},
            lambda w, o: not_found(["tags", "0"], o.other_tag),
            id="tag-of-another-organization",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "t", "tags": [o.own_tag, o.other_tag]},
            lambda w, o: not_found(["tags", "1"], o.other_tag),
            id="second-tag-of-another-organization",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "t", "tags": [o.deleted_tag]},
            lambda w, o: not_found(["tags", "0"], o.deleted_tag),
            id="deleted-tag",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": ""},
            lambda w, o: invalid(["title"], "REQUIRED"),
            id="empty-title",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "   "},
            lambda w, o: invalid(["title"], "REQUIRED"),
            id="blank-title",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "x" * 501},
            lambda w, o: invalid(["title"], "TOO_LONG"),
            id="title-501-chars",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "t", "type": "x" * 65},
            lambda w, o: invalid(["type"], "TOO_LONG"),
            id="type-65-chars",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "t", "metaData": [1, 2]},
            lambda w, o: invalid(["metaData"], "INVALID"),
            id="metadata-not-an-object",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.org_id, "title": "t", "tags": [w.owner.id]},
            lambda w, o: invalid(["tags", "0"], "INVALID_ID"),
            id="user-id-as-tag",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": "garbage", "title": "t"},
            lambda w, o: invalid(["organization"], "INVALID_ID"),
            id="malformed-organization-id",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": b64("Nope:123"), "title": "t"},
            lambda w, o: invalid(["organization"], "INVALID_ID"),
            id="unknown-type-organization-id",
        ),
        pytest.param(
            "editor",
            lambda w, o: {"organization": w.owner.id, "title": "t"},
            lambda w, o: invalid(["organization"], "INVALID_ID"),
            id="user-id-as-organization",
        ),
        pytest.param(
            "editor",
            several_bad_fields,
            lambda w, o: SEVERAL_BAD_FIELDS,
            id="several-bad-fields",
        ),
    ],
)
async def test_item_create_refused_writes_nothing(gql, db, workspace, others, who, build, expected):
    # given
    before = await catalog_rows(db)
    token = getattr(workspace, who).token
    # when
    body = await gql(ITEM_CREATE, {"input": build(workspace, others)}, token=token)
    # then
    assert without_message(body["data"]["itemCreate"]) == expected(workspace, others)
    assert await catalog_rows(db) == before


async def test_item_create_refusal_messages(gql, workspace, others):
    # when
    viewer = await gql(
        ITEM_CREATE,
        {"input": {"organization": workspace.org_id, "title": "t"}},
        token=workspace.viewer.token,
    )
    several = await gql(
        ITEM_CREATE, {"input": several_bad_fields(workspace, others)}, token=workspace.editor.token
    )
    # then
    assert viewer["data"]["itemCreate"]["message"] == (
        "You do not have the `item:create` permission here."
    )
    assert several["data"]["itemCreate"]["message"] == "The input is invalid."


async def test_item_create_anonymous_is_told_to_sign_in(gql, db, workspace):
    # when
    body = await gql(ITEM_CREATE, {"input": {"organization": workspace.org_id, "title": "t"}})
    # then: not "Organization not found" (tests/test_client_errors.py: every mutation alike)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert await catalog_rows(db) == {"items": 0, "item_tags": 0, "tags": 0}


# ---------------------------------------------------------------------------------------------
# itemDelete


@pytest.fixture
async def lamp(factory: Factory, workspace: Workspace) -> models.Item:
    return await factory.item(workspace.owner.user, workspace.org, title="Lamp")


async def test_item_delete_is_soft_and_hides_the_item_everywhere(
    gql, sql, factory, workspace, lamp
):
    # given
    tag = await factory.tag(workspace.org)
    keep = await factory.item(workspace.owner.user, workspace.org)
    await factory.tag_item(lamp, tag)
    await factory.tag_item(keep, tag)
    item_id, keep_id = gid("Item", lamp.id), gid("Item", keep.id)
    variables = {"item": item_id, "org": workspace.org_id, "tag": gid("Tag", tag.id)}
    # when
    body = await gql(ITEM_DELETE, {"input": {"id": item_id}}, token=workspace.editor.token)
    # then
    assert body["data"]["itemDelete"] == {"__typename": "ItemDeleteSuccess", "deletedId": item_id}
    seen = await gql(EVERYWHERE, variables, token=workspace.owner.token)
    assert seen["data"] == {
        "items": {"nodes": [{"id": keep_id}]},
        "node": None,
        "nodes": [None],
        "org": {"items": {"totalCount": 1, "nodes": [{"id": keep_id}]}},
        "tag": {"items": {"totalCount": 1, "nodes": [{"id": keep_id}]}},
    }
    [(title, deleted_at)] = await sql(
        "SELECT title, deleted_at FROM items WHERE id = :id", id=lamp.id
    )
    assert title == "Lamp"
    assert deleted_at is not None


async def test_item_delete_twice_is_not_found(gql, workspace, lamp):
    # given
    item_id = gid("Item", lamp.id)
    await gql(ITEM_DELETE, {"input": {"id": item_id}}, token=workspace.editor.token)
    # when
    body = await gql(ITEM_DELETE, {"input": {"id": item_id}}, token=workspace.editor.token)
    # then
    assert without_message(body["data"]["itemDelete"]) == not_found(["id"], item_id)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param("viewer", lambda item_id: denied("item:delete"), id="viewer"),
        pytest.param("outsider", lambda item_id: not_found(["id"], item_id), id="outsider"),
    ],
)
async def test_item_delete_refused(gql, sql, factory, workspace, lamp, who, expected):
    # given
    tokens = {
        "viewer": workspace.viewer.token,
        "outsider": (await factory.member(await factory.organization())).token,
    }
    item_id = gid("Item", lamp.id)
    # when
    body = await gql(ITEM_DELETE, {"input": {"id": item_id}}, token=tokens[who])
    # then
    assert without_message(body["data"]["itemDelete"]) == expected(item_id)
    assert await sql("SELECT deleted_at FROM items WHERE id = :id", id=lamp.id) == [(None,)]


async def test_item_delete_with_a_malformed_id_is_invalid(gql, workspace):
    # when
    body = await gql(ITEM_DELETE, {"input": {"id": "garbage"}}, token=workspace.editor.token)
    # then
    assert without_message(body["data"]["itemDelete"]) == invalid(["id"], "INVALID_ID")
