"""Attaching and detaching tags: idempotent, same organization only, all-or-nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

import models
from tests.catalog.conftest import (
    PAYLOAD_ERRORS,
    Workspace,
    catalog_rows,
    denied,
    invalid,
    not_found,
    without_message,
)
from tests.factories import Factory, gid

ITEM_TAGS_ADD = f"""
mutation ItemTagsAdd($input: ItemTagsInput!) {{
  itemTagsAdd(input: $input) {{
    __typename
    ... on ItemSuccess {{ item {{ id tags {{ nodes {{ name }} }} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

ITEM_TAGS_REMOVE = f"""
mutation ItemTagsRemove($input: ItemTagsInput!) {{
  itemTagsRemove(input: $input) {{
    __typename
    ... on ItemSuccess {{ item {{ id tags {{ nodes {{ name }} }} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

ITEM_TAG_NAMES = """
query ItemTagNames($id: ID!) { node(id: $id) { ... on Item { tags { nodes { name } } } } }
"""

MUTATIONS = {"add": (ITEM_TAGS_ADD, "itemTagsAdd"), "remove": (ITEM_TAGS_REMOVE, "itemTagsRemove")}


@dataclass
class Tagged:
    """An item carrying `red`, and tags it could (`blue`, `green`) or could not get."""

    ws: Workspace
    item: models.Item
    tags: dict[str, str]

    @property
    def item_id(self) -> str:
        return gid("Item", self.item.id)


@pytest.fixture
async def tagged(factory: Factory, workspace: Workspace) -> Tagged:
    org = workspace.org
    item = await factory.item(workspace.owner.user, org)
    red, blue, green = [await factory.tag(org, name=n) for n in ("red", "blue", "green")]
    await factory.tag_item(item, red)
    foreign = await factory.tag(await factory.organization(), name="foreign")
    deleted = await factory.tag(org, name="deleted", deleted_at=datetime.now(UTC))
    tags = {t.name: gid("Tag", t.id) for t in (red, blue, green, foreign, deleted)}
    return Tagged(workspace, item, tags)


def names(payload: dict) -> list[str]:
    return [t["name"] for t in payload["item"]["tags"]["nodes"]]


async def run(gql, tagged: Tagged, mutation: str, tags: list[str]) -> dict:
    """Run a tagging mutation as an editor, naming tags by their names."""
    document, field = MUTATIONS[mutation]
    variables = {"input": {"item": tagged.item_id, "tags": [tagged.tags[t] for t in tags]}}
    body = await gql(document, variables, token=tagged.ws.editor.token)
    return body["data"][field]


@pytest.mark.parametrize(
    ("mutation", "tags", "expected", "links"),
    [
        pytest.param("add", ["blue"], ["blue", "red"], 2, id="add-one"),
        pytest.param("add", ["green", "blue"], ["blue", "green", "red"], 3, id="add-two"),
        pytest.param("add", ["red"], ["red"], 1, id="add-attached-is-a-no-op"),
        pytest.param("add", ["blue", "blue"], ["blue", "red"], 2, id="add-same-twice"),
        pytest.param("add", [], ["red"], 1, id="add-nothing"),
        pytest.param("remove", ["red"], [], 0, id="remove-attached"),
        pytest.param("remove", ["blue"], ["red"], 1, id="remove-unattached-is-a-no-op"),
        pytest.param("remove", [], ["red"], 1, id="remove-nothing"),
    ],
)
async def test_item_tags(gql, db, tagged, mutation, tags, expected, links):
    # when
    payload = await run(gql, tagged, mutation, tags)
    # then
    assert payload["__typename"] == "ItemSuccess"
    assert payload["item"]["id"] == tagged.item_id
    assert names(payload) == expected
    assert (await catalog_rows(db))["item_tags"] == links
    stored = await gql(ITEM_TAG_NAMES, {"id": tagged.item_id}, token=tagged.ws.viewer.token)
    assert [t["name"] for t in stored["data"]["node"]["tags"]["nodes"]] == expected


async def test_item_tags_add_twice_is_idempotent(gql, db, tagged):
    # given
    await run(gql, tagged, "add", ["blue", "green"])
    before = await catalog_rows(db)
    # when
    payload = await run(gql, tagged, "add", ["green", "blue", "red"])
    # then
    assert names(payload) == ["blue", "green", "red"]
    assert await catalog_rows(db) == before


async def test_item_tags_remove_then_add_again(gql, tagged):
    # when
    await run(gql, tagged, "remove", ["red"])
    payload = await run(gql, tagged, "add", ["red"])
    # then
    assert names(payload) == ["red"]


@pytest.mark.parametrize("mutation", ["add", "remove"])
@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            lambda t: {"item": t.item_id, "tags": [t.tags["blue"], t.tags["foreign"]]},
            lambda t: not_found(["tags", "1"], t.tags["foreign"]),
            id="tag-of-another-organization",
        ),
        pytest.param(
            lambda t: {"item": t.item_id, "tags": [t.tags["deleted"]]},
            lambda t: not_found(["tags", "0"], t.tags["deleted"]),
            id="deleted-tag",
        ),
        pytest.param(
            lambda t: {"item": t.item_id, "tags": [t.tags["blue"], "garbage"]},
            lambda t: invalid(["tags", "1"], "INVALID_ID"),
            id="malformed-tag-id",
        ),
        pytest.param(
            lambda t: {"item": t.item_id, "tags": [t.item_id]},
            lambda t: invalid(["tags", "0"], "INVALID_ID"),
            id="item-id-as-tag",
        ),
        pytest.param(
            lambda t: {"item": "garbage", "tags": [t.tags["blue"]]},
            lambda t: invalid(["item"], "INVALID_ID"),
            id="malformed-item-id",
        ),
        pytest.param(
            lambda t: {"item": t.tags["blue"], "tags": [t.tags["blue"]]},
            lambda t: invalid(["item"], "INVALID_ID"),
            id="tag-id-as-item",
        ),
    ],
)
async def test_item_tags_refused_writes_nothing(gql, db, tagged, mutation, build, expected):
    # given
    document, field = MUTATIONS[mutation]
    before = await catalog_rows(db)
    # when
    body = await gql(document, {"input": build(tagged)}, token=tagged.ws.editor.token)
    # then
    assert without_message(body["data"][field]) == expected(tagged)
    assert await catalog_rows(db) == before


@pytest.mark.parametrize("mutation", ["add", "remove"])
async def test_item_tags_by_a_viewer_is_refused(gql, db, tagged, mutation):
    # given
    document, field = MUTATIONS[mutation]
    before = await catalog_rows(db)
    variables = {
        "input": {"item": tagged.item_id, "tags": [tagged.tags["red"], tagged.tags["blue"]]}
    }
    # when
    body = await gql(document, variables, token=tagged.ws.viewer.token)
    # then
    assert without_message(body["data"][field]) == denied("item:update")
    assert await catalog_rows(db) == before


@pytest.mark.parametrize("mutation", ["add", "remove"])
async def test_item_tags_on_an_unseen_or_deleted_item_is_not_found(gql, factory, tagged, mutation):
    # given
    outsider = await factory.member(await factory.organization())
    deleted = await factory.item(tagged.ws.owner.user, tagged.ws.org, deleted_at=datetime.now(UTC))
    document, field = MUTATIONS[mutation]
    tags = [tagged.tags["blue"]]
    # when
    unseen = await gql(
        document, {"input": {"item": tagged.item_id, "tags": tags}}, token=outsider.token
    )
    gone = await gql(
        document,
        {"input": {"item": gid("Item", deleted.id), "tags": tags}},
        token=tagged.ws.editor.token,
    )
    # then
    assert without_message(unseen["data"][field]) == not_found(["item"], tagged.item_id)
    assert without_message(gone["data"][field]) == not_found(["item"], gid("Item", deleted.id))
