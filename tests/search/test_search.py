"""Full-text search on connections, through the API on both read paths: phrases, `or`,
negation, ranking (title over body, ties by id), the organization's language, accents where
the server folds them, scores and snippets on edges, nested connections, and errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from models.search import SearchLanguage
from tests.catalog.conftest import Workspace, error_codes
from tests.factories import gid
from tests.realty.conftest import create_client, create_property


@pytest.fixture
def app(read_path_app):
    """Every test here runs on both read paths (the compiled one leaves searches to the
    resolvers: the answers must be the same)."""
    return read_path_app


ITEMS = """
query($search: String, $orderBy: [ItemOrder!], $first: Int, $after: String) {
  items(search: $search, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor score snippet node { title } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PROPERTIES = """
query($search: String) {
  properties(search: $search) { totalCount nodes { title } }
}
"""

ORG_CLIENTS = """
query($id: ID!, $search: String) {
  node(id: $id) {
    ... on Organization {
      clients(search: $search) { totalCount edges { score node { name } } }
    }
  }
}
"""


def titles(body: dict[str, Any], root: str = "items") -> list[str]:
    assert "errors" not in body, body
    connection = body["data"][root]
    if "edges" in connection:
        return [e["node"]["title"] for e in connection["edges"]]
    return [n["title"] for n in connection["nodes"]]


@pytest.fixture
async def catalog(factory, workspace: Workspace) -> dict[str, Any]:
    owner = workspace.owner.user
    made = {}
    for title, description in [
        ("Garden tools", "Rakes, spades and a wheelbarrow for the vegetable garden."),
        ("Kitchen knives", "Sharp knives; a garden of herbs is not included."),
        ("Garden party lights", "Lights for an evening in the garden."),
        ("Winter coat", "Warm wool coat, tools pocket inside."),
        ("Party garden", "Words in another order."),
    ]:
        made[title] = await factory.item(owner, workspace.org, title=title, description=description)
    # Another organization's item matches every search here, and must never show.
    other = await factory.organization()
    stranger = await factory.member(other)
    await factory.item(stranger.user, other, title="Garden party tools", description="garden")
    return made


async def test_title_matches_rank_above_body_matches(gql, workspace, catalog):
    # when
    body = await gql(ITEMS, {"search": "garden"}, token=workspace.viewer.token)
    # then: title matches first (by score, ties by id), then the body-only match
    found = titles(body)
    assert set(found[:3]) == {"Garden tools", "Garden party lights", "Party garden"}
    assert found[3:] == ["Kitchen knives"]
    assert body["data"]["items"]["totalCount"] == 4
    scores = [e["score"] for e in body["data"]["items"]["edges"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)


async def test_a_quoted_phrase_matches_words_in_that_order(gql, workspace, catalog):
    body = await gql(ITEMS, {"search": '"garden party"'}, token=workspace.viewer.token)
    assert titles(body) == ["Garden party lights"]
    body = await gql(ITEMS, {"search": '"party garden"'}, token=workspace.viewer.token)
    assert titles(body) == ["Party garden"]
    # unquoted, both words anywhere: both
    body = await gql(ITEMS, {"search": "party garden"}, token=workspace.viewer.token)
    assert sorted(titles(body)) == ["Garden party lights", "Party garden"]


async def test_negation_and_or(gql, workspace, catalog):
    body = await gql(ITEMS, {"search": "garden -party"}, token=workspace.viewer.token)
    assert sorted(titles(body)) == ["Garden tools", "Kitchen knives"]
    body = await gql(ITEMS, {"search": "knives or coat"}, token=workspace.viewer.token)
    assert sorted(titles(body)) == ["Kitchen knives", "Winter coat"]


async def test_snippet_marks_the_matches_and_escapes_html(gql, factory, workspace):
    await factory.item(
        workspace.owner.user, workspace.org, title="Robot <script>", description="A tin robot."
    )
    body = await gql(ITEMS, {"search": "robot"}, token=workspace.viewer.token)
    edge = body["data"]["items"]["edges"][0]
    assert "<mark>Robot</mark>" in edge["snippet"]
    assert "&lt;script&gt;" in edge["snippet"]
    assert "<script>" not in edge["snippet"]


async def test_relevance_pages_with_cursors(gql, workspace, catalog):
    first = await gql(ITEMS, {"search": "garden", "first": 2}, token=workspace.viewer.token)
    page = first["data"]["items"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        ITEMS,
        {"search": "garden", "first": 10, "after": page["pageInfo"]["endCursor"]},
        token=workspace.viewer.token,
    )
    whole = await gql(ITEMS, {"search": "garden"}, token=workspace.viewer.token)
    assert titles(first) + titles(rest) == titles(whole)


async def test_explicit_orderings_still_apply_to_a_search(gql, workspace, catalog):
    body = await gql(
        ITEMS,
        {"search": "garden", "orderBy": [{"field": "TITLE", "direction": "ASC"}]},
        token=workspace.viewer.token,
    )
    assert titles(body) == ["Garden party lights", "Garden tools", "Kitchen knives", "Party garden"]


async def test_relevance_needs_a_search(gql, workspace, catalog):
    body = await gql(ITEMS, {"orderBy": [{"field": "RELEVANCE"}]}, token=workspace.viewer.token)
    assert error_codes(body) == ["BAD_ORDER"]


async def test_blank_search_is_no_search_and_long_ones_are_refused(gql, workspace, catalog):
    body = await gql(ITEMS, {"search": "  "}, token=workspace.viewer.token)
    assert body["data"]["items"]["totalCount"] == 5
    assert body["data"]["items"]["edges"][0]["score"] is None
    body = await gql(ITEMS, {"search": "x" * 501}, token=workspace.viewer.token)
    assert error_codes(body) == ["SEARCH_TOO_LONG"]


ORG_LANGUAGE = """
mutation($id: ID!, $language: SearchLanguage) {
  organizationUpdate(input: {id: $id, searchLanguage: $language}) {
    ... on OrganizationSuccess { organization { searchLanguage } }
  }
}
"""


async def test_the_organizations_language_stems_words(gql, db, workspace):
    # given: an English listing in an organization searching in SIMPLE (no stemming)
    await create_property(db, workspace.org, title="Two houses by the river", price=Decimal(1))
    body = await gql(PROPERTIES, {"search": "house"}, token=workspace.viewer.token)
    assert titles(body, "properties") == []
    # when: the organization switches to English
    changed = await gql(
        ORG_LANGUAGE, {"id": workspace.org_id, "language": "ENGLISH"}, token=workspace.owner.token
    )
    assert changed["data"]["organizationUpdate"]["organization"]["searchLanguage"] == "ENGLISH"
    # then: its existing rows follow, and so do new ones
    await create_property(db, workspace.org, title="A housing estate", price=Decimal(1))
    body = await gql(PROPERTIES, {"search": "house"}, token=workspace.viewer.token)
    # ("housing" stems to "hous" too: the new row was indexed in English)
    assert sorted(titles(body, "properties")) == ["A housing estate", "Two houses by the river"]
    body = await gql(PROPERTIES, {"search": "the"}, token=workspace.viewer.token)
    assert titles(body, "properties") == []  # a stop word in English


async def test_accents_are_folded_where_the_server_has_unaccent(gql, db, workspace):
    async with db.read_engine.connect() as conn:
        folded = (
            await conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname='unaccent'"))
        ).scalar_one()
    await create_property(db, workspace.org, title="Café near Belém", price=Decimal(1))
    exact = await gql(PROPERTIES, {"search": "belém"}, token=workspace.viewer.token)
    assert titles(exact, "properties") == ["Café near Belém"]
    body = await gql(PROPERTIES, {"search": "cafe belem"}, token=workspace.viewer.token)
    assert titles(body, "properties") == (["Café near Belém"] if folded else [])


async def test_nested_connections_search_and_never_see_other_organizations(
    gql, db, factory, workspace
):
    await create_client(db, workspace.org, name="Ana Hot Lead", email="ana@example.com")
    await create_client(db, workspace.org, name="Bruno", email="bruno@example.com")
    other = await factory.organization(search_language=SearchLanguage.ENGLISH)
    await create_client(db, other, name="Ana Elsewhere")
    body = await gql(
        ORG_CLIENTS, {"id": workspace.org_id, "search": "ana"}, token=workspace.viewer.token
    )
    clients = body["data"]["node"]["clients"]
    assert clients["totalCount"] == 1
    assert [e["node"]["name"] for e in clients["edges"]] == ["Ana Hot Lead"]
    # the other organization, by its ID: nothing
    body = await gql(
        ORG_CLIENTS, {"id": gid("Organization", other.id), "search": "ana"},
        token=workspace.viewer.token,
    )  # fmt: skip
    assert body["data"]["node"] is None
