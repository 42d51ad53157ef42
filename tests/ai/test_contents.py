"""Contents of an item through the API: ordered positions, create/update/delete/reorder with
typed errors, permissions, history, and that a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from tests.catalog.conftest import (
    PAYLOAD_ERRORS,
    Workspace,
    denied,
    invalid,
    not_found,
    without_message,
)
from tests.factories import Factory, gid

CONTENT_CREATE = f"""
mutation($input: ContentCreateInput!) {{
  contentCreate(input: $input) {{
    __typename
    ... on ContentSuccess {{ content {{ id role text position metaData embedding {{ id }}
                                        item {{ id }} }} }}
    {PAYLOAD_ERRORS}
  }}
}}"""

CONTENT_UPDATE = f"""
mutation($input: ContentUpdateInput!) {{
  contentUpdate(input: $input) {{
    __typename
    ... on ContentSuccess {{ content {{ id role text position }} }}
    {PAYLOAD_ERRORS}
  }}
}}"""

CONTENT_DELETE = f"""
mutation($input: ContentDeleteInput!) {{
  contentDelete(input: $input) {{
    __typename
    ... on ContentDeleteSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}"""

CONTENT_REORDER = f"""
mutation($input: ContentReorderInput!) {{
  contentReorder(input: $input) {{
    __typename
    ... on ContentReorderSuccess {{ item {{ contents {{ nodes {{ text position }} }} }} }}
    {PAYLOAD_ERRORS}
  }}
}}"""

ITEM_CONTENTS = """
query($id: ID!, $filter: ContentFilter, $orderBy: [ContentOrder!]) {
  item(id: $id) {
    contents(filter: $filter, orderBy: $orderBy) { totalCount nodes { text position role } }
  }
}"""

CONTENT_HISTORY = """
query($id: ID!) {
  content(id: $id) { history { nodes { action fields { field new } } } }
}"""


async def _create(gql: Any, token: str, item: str, text: str, **extra: Any) -> dict[str, Any]:
    body = await gql(
        CONTENT_CREATE, {"input": {"item": item, "role": "USER", "text": text, **extra}},
        token=token,
    )  # fmt: skip
    return body["data"]["contentCreate"]


async def _texts(gql: Any, token: str, item: str) -> list[tuple[str, int]]:
    body = await gql(ITEM_CONTENTS, {"id": item}, token=token)
    return [(n["text"], n["position"]) for n in body["data"]["item"]["contents"]["nodes"]]


async def test_contents_are_appended_and_inserted_in_position_order(
    gql, factory: Factory, workspace: Workspace
):
    # given
    item = gid("Item", (await factory.item(workspace.owner.user, workspace.org)).id)
    token = workspace.editor.token
    first = await _create(gql, token, item, "first")
    await _create(gql, token, item, "third")
    # when
    second = await _create(gql, token, item, "second", position=1, metaData={"k": 1})
    # then
    assert first["__typename"] == "ContentSuccess"
    assert first["content"]["embedding"] is None  # until a worker has embedded it
    assert first["content"]["item"] == {"id": item}
    assert second["content"]["position"] == 1
    assert second["content"]["metaData"] == {"k": 1}
    assert await _texts(gql, token, item) == [("first", 0), ("second", 1), ("third", 2)]


async def test_item_contents_filter_and_order(gql, factory: Factory, workspace: Workspace):
    # given
    item = gid("Item", (await factory.item(workspace.owner.user, workspace.org)).id)
    token = workspace.editor.token
    for text in ("alpha", "beta", "gamma"):
        await _create(gql, token, item, text)
    # when
    body = await gql(
        ITEM_CONTENTS,
        {"id": item, "filter": {"text": {"contains": "a"}, "position": {"gte": 1}},
         "orderBy": [{"field": "POSITION", "direction": "DESC"}]},
        token=workspace.viewer.token,
    )  # fmt: skip
    # then
    contents = body["data"]["item"]["contents"]
    assert contents["totalCount"] == 2
    assert [n["text"] for n in contents["nodes"]] == ["gamma", "beta"]


async def test_update_delete_and_reorder(gql, factory: Factory, workspace: Workspace):
    # given
    item = gid("Item", (await factory.item(workspace.owner.user, workspace.org)).id)
    token = workspace.editor.token
    ids = [(await _create(gql, token, item, t))["content"]["id"] for t in ("a", "b", "c", "d")]
    # when
    updated = await gql(
        CONTENT_UPDATE, {"input": {"id": ids[0], "text": "  A  ", "role": "ASSISTANT"}},
        token=token,
    )  # fmt: skip
    deleted = await gql(CONTENT_DELETE, {"input": {"id": ids[1]}}, token=token)
    reordered = await gql(
        CONTENT_REORDER, {"input": {"item": item, "contents": [ids[3], ids[0], ids[2]]}},
        token=token,
    )  # fmt: skip
    # then
    assert updated["data"]["contentUpdate"]["content"] == {
        "id": ids[0], "role": "ASSISTANT", "text": "A", "position": 0,
    }  # fmt: skip
    assert deleted["data"]["contentDelete"] == {
        "__typename": "ContentDeleteSuccess", "deletedId": ids[1],
    }  # fmt: skip
    assert reordered["data"]["contentReorder"]["item"]["contents"]["nodes"] == [
        {"text": "d", "position": 0}, {"text": "A", "position": 1}, {"text": "c", "position": 2},
    ]  # fmt: skip


async def test_refusals_are_typed_and_change_nothing(gql, factory: Factory, workspace: Workspace):
    # given
    item = gid("Item", (await factory.item(workspace.owner.user, workspace.org)).id)
    token = workspace.editor.token
    ids = [(await _create(gql, token, item, t))["content"]["id"] for t in ("a", "b")]
    missing = gid("Content", __import__("uuid").uuid4())
    # when
    blank = await _create(gql, token, item, "   ")
    negative = await _create(gql, token, item, "x", position=-1)
    by_viewer = await _create(gql, workspace.viewer.token, item, "x")
    null_text = await gql(CONTENT_UPDATE, {"input": {"id": ids[0], "text": None}}, token=token)
    gone = await gql(CONTENT_DELETE, {"input": {"id": missing}}, token=token)
    partial = await gql(
        CONTENT_REORDER, {"input": {"item": item, "contents": [ids[1]]}}, token=token
    )
    unknown = await gql(
        CONTENT_REORDER, {"input": {"item": item, "contents": [ids[1], missing]}}, token=token
    )
    # then
    assert without_message(blank) == invalid(["text"], "REQUIRED")
    assert without_message(negative) == invalid(["position"], "OUT_OF_RANGE")
    assert without_message(by_viewer) == denied("item:update")
    assert without_message(null_text["data"]["contentUpdate"]) == invalid(["text"], "REQUIRED")
    assert without_message(gone["data"]["contentDelete"]) == not_found(["id"], missing)
    assert without_message(partial["data"]["contentReorder"]) == invalid(["contents"], "INVALID")
    assert without_message(unknown["data"]["contentReorder"]) == not_found(
        ["contents", "1"], missing
    )
    assert await _texts(gql, token, item) == [("a", 0), ("b", 1)]


async def test_history_records_each_change(gql, factory: Factory, workspace: Workspace):
    # given
    item = gid("Item", (await factory.item(workspace.owner.user, workspace.org)).id)
    token = workspace.editor.token
    content = (await _create(gql, token, item, "draft"))["content"]["id"]
    await gql(CONTENT_UPDATE, {"input": {"id": content, "text": "final"}}, token=token)
    # when
    body = await gql(CONTENT_HISTORY, {"id": content}, token=workspace.viewer.token)
    # then
    nodes = body["data"]["content"]["history"]["nodes"]
    assert [n["action"] for n in nodes] == ["UPDATE", "CREATE"]
    assert {"field": "text", "new": "final"} in nodes[0]["fields"]
