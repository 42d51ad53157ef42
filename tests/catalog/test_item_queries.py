"""Reading items: every filter operator, and/or/not, IDs in filters, and ordering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import models
from graph.kernel.ids import from_global_id
from tests.catalog.conftest import Workspace, b64, error_codes
from tests.factories import Factory, gid

ITEMS = """
query Items($filter: ItemFilter, $orderBy: [ItemOrder!], $first: Int) {
  items(filter: $filter, orderBy: $orderBy, first: $first) {
    edges { node { id title } }
  }
}
"""

ORG_ITEMS = """
query OrgItems($id: ID!, $filter: ItemFilter) {
  node(id: $id) { ... on Organization { items(filter: $filter) { nodes { title } } } }
}
"""

T0 = datetime(2024, 1, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class Catalog:
    """Four items the owner sees (three in the organization, one of their own without one),
    and one in another organization that must never show up."""

    ws: Workspace
    items: dict[str, models.Item]
    other_org: models.Organization

    def id(self, title: str) -> str:
        return gid("Item", self.items[title].id)


@pytest.fixture
async def catalog(factory: Factory, workspace: Workspace) -> Catalog:
    owner, editor, org = workspace.owner.user, workspace.editor.user, workspace.org
    rows = [
        ("alpha", owner, org, "note", "First one", T0),
        ("bravo", owner, org, "task", None, T0 + DAY),
        ("charlie", editor, org, "note", "Second ONE", T0 + 2 * DAY),
        ("delta", owner, None, "task", "Orphan", T0 + 3 * DAY),
    ]
    items = {}
    for title, user, organization, kind, description, created in rows:
        items[title] = await factory.item(
            user, organization, title=title, type=kind, description=description, created_at=created
        )
    other_org = await factory.organization()
    stranger = await factory.member(other_org)
    await factory.item(stranger.user, other_org, title="alpha", type="note")
    return Catalog(workspace, items, other_org)


async def titles(gql: Any, catalog: Catalog, item_filter: dict[str, Any]) -> list[str]:
    body = await gql(ITEMS, {"filter": item_filter}, token=catalog.ws.owner.token)
    assert "errors" not in body, body
    return [edge["node"]["title"] for edge in body["data"]["items"]["edges"]]


@pytest.mark.parametrize(
    ("item_filter", "expected"),
    [
        pytest.param({}, ["alpha", "bravo", "charlie", "delta"], id="empty-filter"),
        pytest.param({"title": {"eq": "bravo"}}, ["bravo"], id="title-eq"),
        pytest.param({"title": {"eq": "BRAVO"}}, [], id="title-eq-is-case-sensitive"),
        pytest.param({"title": {"ne": "bravo"}}, ["alpha", "charlie", "delta"], id="title-ne"),
        pytest.param({"title": {"in": ["delta", "alpha", "zulu"]}}, ["alpha", "delta"], id="in"),
        pytest.param({"title": {"in": []}}, [], id="title-in-empty"),
        pytest.param({"title": {"lt": "bravo"}}, ["alpha"], id="title-lt"),
        pytest.param({"title": {"lte": "bravo"}}, ["alpha", "bravo"], id="title-lte"),
        pytest.param({"title": {"gt": "bravo"}}, ["charlie", "delta"], id="title-gt"),
        pytest.param({"title": {"gte": "charlie"}}, ["charlie", "delta"], id="title-gte"),
        pytest.param({"title": {"gt": "alpha", "lt": "delta"}}, ["bravo", "charlie"], id="range"),
        pytest.param({"title": {"contains": "HAR"}}, ["charlie"], id="title-contains-ci"),
        pytest.param({"title": {"startsWith": "Br"}}, ["bravo"], id="title-startswith-ci"),
        pytest.param({"title": {"startsWith": "ravo"}}, [], id="title-startswith-not-inside"),
        pytest.param({"description": {"contains": "one"}}, ["alpha", "charlie"], id="descr-has"),
        pytest.param({"description": {"isNull": True}}, ["bravo"], id="description-is-null"),
        pytest.param(
            {"description": {"isNull": False}}, ["alpha", "charlie", "delta"], id="descr-not-null"
        ),
        # ne compares values: an item without a description has none to differ.
        pytest.param(
            {"description": {"ne": "First one"}}, ["charlie", "delta"], id="description-ne-no-null"
        ),
        pytest.param({"type": {"eq": "task"}}, ["bravo", "delta"], id="type-eq"),
        pytest.param({"type": {"in": ["note"]}}, ["alpha", "charlie"], id="type-in"),
        pytest.param({"createdAt": {"eq": iso(T0 + DAY)}}, ["bravo"], id="created-eq"),
        pytest.param(
            {"createdAt": {"ne": iso(T0 + DAY)}}, ["alpha", "charlie", "delta"], id="created-ne"
        ),
        pytest.param(
            {"createdAt": {"in": [iso(T0), iso(T0 + 3 * DAY)]}}, ["alpha", "delta"], id="created-in"
        ),
        pytest.param({"createdAt": {"lt": iso(T0 + DAY)}}, ["alpha"], id="created-lt"),
        pytest.param({"createdAt": {"lte": iso(T0 + DAY)}}, ["alpha", "bravo"], id="created-lte"),
        pytest.param({"createdAt": {"gt": iso(T0 + 2 * DAY)}}, ["delta"], id="created-gt"),
        pytest.param(
            {"createdAt": {"gte": iso(T0 + 2 * DAY)}}, ["charlie", "delta"], id="created-gte"
        ),
        pytest.param({"createdAt": {"isNull": True}}, [], id="created-is-null"),
        pytest.param(
            {"updatedAt": {"gt": iso(T0 + 10 * DAY)}},
            ["alpha", "bravo", "charlie", "delta"],
            id="updated-gt",
        ),
        pytest.param(
            {"and": [{"type": {"eq": "note"}}, {"title": {"gt": "alpha"}}]}, ["charlie"], id="and"
        ),
        pytest.param(
            {"or": [{"title": {"eq": "alpha"}}, {"type": {"eq": "task"}}]},
            ["alpha", "bravo", "delta"],
            id="or",
        ),
        pytest.param({"not": {"type": {"eq": "note"}}}, ["bravo", "delta"], id="not"),
        pytest.param(
            {"not": {"or": [{"title": {"eq": "alpha"}}, {"title": {"eq": "bravo"}}]}},
            ["charlie", "delta"],
            id="not-or",
        ),
        pytest.param(
            {
                "type": {"eq": "task"},
                "or": [{"title": {"eq": "alpha"}}, {"title": {"eq": "delta"}}],
            },
            ["delta"],
            id="field-and-or-together",
        ),
        pytest.param(
            {
                "or": [
                    {"and": [{"type": {"eq": "note"}}, {"title": {"lt": "b"}}]},
                    {"title": {"eq": "delta"}},
                ]
            },
            ["alpha", "delta"],
            id="or-of-and",
        ),
    ],
)
async def test_items_filter(gql, catalog, item_filter, expected):
    # when
    result = await titles(gql, catalog, item_filter)
    # then
    assert result == expected


async def test_not_is_the_complement_of_its_filter_even_for_null_values(gql, catalog):
    # given
    positive = {"description": {"eq": "First one"}}
    # when
    matching = await titles(gql, catalog, positive)
    rest = await titles(gql, catalog, {"not": positive})
    # then
    assert matching == ["alpha"]
    assert rest == ["bravo", "charlie", "delta"]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(lambda c: {"id": {"eq": c.id("bravo")}}, ["bravo"], id="id-eq"),
        pytest.param(
            lambda c: {"id": {"ne": c.id("bravo")}}, ["alpha", "charlie", "delta"], id="id-ne"
        ),
        pytest.param(
            lambda c: {"id": {"in": [c.id("delta"), c.id("alpha")]}}, ["alpha", "delta"], id="id-in"
        ),
        pytest.param(lambda c: {"owner": {"eq": c.ws.editor.id}}, ["charlie"], id="owner-eq"),
        pytest.param(
            lambda c: {"owner": {"ne": c.ws.editor.id}}, ["alpha", "bravo", "delta"], id="owner-ne"
        ),
        pytest.param(
            lambda c: {"owner": {"in": [c.ws.editor.id, c.ws.viewer.id]}}, ["charlie"], id="own-in"
        ),
        pytest.param(
            lambda c: {"organization": {"eq": c.ws.org_id}},
            ["alpha", "bravo", "charlie"],
            id="organization-eq",
        ),
        pytest.param(
            lambda c: {"organization": {"in": [gid("Organization", c.other_org.id)]}},
            [],
            id="organization-not-mine",
        ),
        pytest.param(lambda c: {"organization": {"isNull": True}}, ["delta"], id="org-is-null"),
        pytest.param(
            lambda c: {"organization": {"isNull": False}},
            ["alpha", "bravo", "charlie"],
            id="organization-is-not-null",
        ),
        pytest.param(
            lambda c: {
                "organization": {"eq": c.ws.org_id},
                "not": {"owner": {"eq": c.ws.owner.id}},
            },
            ["charlie"],
            id="organization-and-not-owner",
        ),
    ],
)
async def test_items_filter_by_global_id(gql, catalog, build, expected):
    # when
    result = await titles(gql, catalog, build(catalog))
    # then
    assert result == expected


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda c: {"owner": {"eq": "garbage"}}, id="garbage"),
        pytest.param(lambda c: {"id": {"eq": b64("Nope:123")}}, id="unknown-type"),
        pytest.param(lambda c: {"id": {"eq": b64("Item:not-a-uuid")}}, id="not-a-uuid"),
        pytest.param(lambda c: {"owner": {"eq": c.id("alpha")}}, id="item-id-as-owner"),
        pytest.param(lambda c: {"organization": {"in": [c.ws.org_id, "x"]}}, id="one-bad-in-list"),
        pytest.param(lambda c: {"not": {"organization": {"ne": c.ws.owner.id}}}, id="inside-not"),
        pytest.param(lambda c: {"or": [{"id": {"eq": "x"}}]}, id="inside-or"),
    ],
)
async def test_malformed_id_in_filter_is_a_coded_error(gql, catalog, build):
    # when
    body = await gql(ITEMS, {"filter": build(catalog)}, token=catalog.ws.owner.token)
    # then
    assert body["data"] is None
    assert error_codes(body) == ["INVALID_ID"]
    assert body["errors"][0]["path"] == ["items"]


async def test_malformed_id_in_nested_filter_is_a_coded_error(gql, catalog):
    # when
    body = await gql(
        ORG_ITEMS,
        {"id": catalog.ws.org_id, "filter": {"owner": {"eq": "garbage"}}},
        token=catalog.ws.owner.token,
    )
    # then
    assert error_codes(body) == ["INVALID_ID"]
    assert body["errors"][0]["path"] == ["node", "items"]


async def test_nested_filter_applies_within_the_organization(gql, catalog):
    # when
    body = await gql(
        ORG_ITEMS,
        {"id": catalog.ws.org_id, "filter": {"type": {"eq": "task"}}},
        token=catalog.ws.owner.token,
    )
    # then
    assert body == {"data": {"node": {"items": {"nodes": [{"title": "bravo"}]}}}}


@pytest.mark.parametrize(
    ("operator", "needle", "expected"),
    [
        pytest.param("contains", "%", ["100% sure"], id="contains-percent"),
        pytest.param("contains", "0%", ["100% sure"], id="contains-digit-percent"),
        pytest.param("contains", "_", ["a_b"], id="contains-underscore"),
        pytest.param("contains", "\\", ["back\\slash"], id="contains-backslash"),
        pytest.param("startsWith", "a_", ["a_b"], id="startswith-underscore"),
        pytest.param("startsWith", "%", [], id="startswith-percent"),
        pytest.param("startsWith", "100%", ["100% sure"], id="startswith-digits-percent"),
    ],
)
async def test_like_wildcards_are_literal(gql, factory, workspace, operator, needle, expected):
    # given
    for title in ("100% sure", "1000 sure", "a_b", "axb", "back\\slash", "backslash"):
        await factory.item(workspace.owner.user, workspace.org, title=title)
    # when
    body = await gql(
        ITEMS,
        {"filter": {"title": {operator: needle}}, "orderBy": [{"field": "TITLE"}]},
        token=workspace.owner.token,
    )
    # then
    assert [e["node"]["title"] for e in body["data"]["items"]["edges"]] == expected


# ---------------------------------------------------------------------------------------------
# Ordering

ORDERED_ROWS = [
    ("b", "task"),
    ("a", "note"),
    ("c", "note"),
    ("b", "note"),
    ("a", "task"),
    ("b", "task"),
    ("a", "note"),
]


def expected_order(items: list[models.Item], terms: list[tuple[str, bool]]) -> list[str]:
    """Items sorted by (attribute, descending) terms, ties by id ascending."""
    ordered = sorted(items, key=lambda i: i.id)
    for attribute, descending in reversed(terms):
        ordered = sorted(ordered, key=lambda i: getattr(i, attribute), reverse=descending)
    return [gid("Item", i.id) for i in ordered]


@pytest.mark.parametrize(
    ("order_by", "terms"),
    [
        pytest.param(None, [("created_at", False)], id="default-created-at"),
        pytest.param([{"field": "TITLE"}], [("title", False)], id="title-asc"),
        pytest.param([{"field": "TITLE", "direction": "DESC"}], [("title", True)], id="title-desc"),
        pytest.param(
            [{"field": "TYPE"}, {"field": "TITLE"}],
            [("type", False), ("title", False)],
            id="type-title",
        ),
        pytest.param(
            [{"field": "TYPE", "direction": "DESC"}, {"field": "TITLE", "direction": "DESC"}],
            [("type", True), ("title", True)],
            id="type-desc-title-desc",
        ),
        pytest.param(
            [{"field": "CREATED_AT", "direction": "DESC"}],
            [("created_at", True)],
            id="created-at-desc",
        ),
    ],
)
async def test_items_order_by(gql, factory, workspace, order_by, terms):
    # given: equal titles, types and creation times, so ties must fall back to the id
    items = [
        await factory.item(
            workspace.owner.user, workspace.org, title=t, type=k, created_at=T0 + (n // 3) * DAY
        )
        for n, (t, k) in enumerate(ORDERED_ROWS)
    ]
    # when
    body = await gql(ITEMS, {"orderBy": order_by}, token=workspace.owner.token)
    # then
    assert [e["node"]["id"] for e in body["data"]["items"]["edges"]] == expected_order(items, terms)


async def test_same_order_twice_is_stable(gql, factory, workspace):
    # given
    for _ in range(6):
        await factory.item(workspace.owner.user, workspace.org, title="same", created_at=T0)
    variables = {"orderBy": [{"field": "TITLE", "direction": "DESC"}]}
    # when
    first = await gql(ITEMS, variables, token=workspace.owner.token)
    second = await gql(ITEMS, variables, token=workspace.owner.token)
    # then
    ids = [e["node"]["id"] for e in first["data"]["items"]["edges"]]
    assert ids == [e["node"]["id"] for e in second["data"]["items"]["edges"]]
    assert ids == sorted(ids, key=lambda g: from_global_id(g)[1])
