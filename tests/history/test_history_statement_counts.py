"""N+1 guard for history: a page of items with each item's `history` (and the actors,
organizations and API keys of the changes) costs the same statements for 5 items as for 30.

Each test runs on both read paths (``read_path``): these queries select `Change.fields`, a
field with its own resolver, which the compiler leaves to the resolvers, so the compiled
path runs them exactly as the resolver path does (one batched statement per level)."""

from __future__ import annotations

import pytest

from tests.history.conftest import create_item, update_item

AUTH = 1  # the bearer token, the user and their permissions
STATEMENT = 1  # one batched statement per root list, nested list or relation level


@pytest.fixture
def app(read_path_app):
    """Every test here runs on both read paths."""
    return read_path_app


ITEMS_WITH_HISTORY = """
query ItemsWithHistory($organization: ID!, $first: Int!) {
  items(filter: {organization: {eq: $organization}}, first: $first) {
    nodes {
      history(first: 3) { nodes { action fields { field } actor { id } } }
    }
  }
}
"""

ITEMS_WITH_FULL_HISTORY = """
query ItemsWithFullHistory($organization: ID!, $first: Int!) {
  items(filter: {organization: {eq: $organization}}, first: $first) {
    nodes {
      history(first: 3) {
        totalCount
        nodes {
          action fields { field } actor { id email } organization { name } actorApiKey { id }
        }
      }
    }
  }
}
"""


def not_compiled(resolvers: int) -> dict[str, int]:
    """`Change.fields` keeps the query on the resolvers: the same count on both paths."""
    return {"compiled": resolvers, "resolvers": resolvers}


@pytest.mark.parametrize(
    ("document", "cost"),
    [
        # items page + every item's history page + the actors (by id)
        pytest.param(
            ITEMS_WITH_HISTORY, not_compiled(AUTH + 3 * STATEMENT), id="actions-fields-actors"
        ),
        # ... + every item's history count + the organizations; no API key was used, so
        # actorApiKey loads nothing
        pytest.param(
            ITEMS_WITH_FULL_HISTORY, not_compiled(AUTH + 5 * STATEMENT), id="every-relation"
        ),
    ],
)
async def test_items_with_history_cost_the_same_for_5_and_30(
    gql, counter, workspace, read_path, document, cost
):
    # given: 30 items, each created by the editor and retitled by the owner
    for n in range(30):
        item_id = (await create_item(gql, workspace.editor.token, workspace.org_id, f"I{n}"))["id"]
        await update_item(gql, workspace.owner.token, item_id, title=f"I{n}+")
    owner, editor = {"id": workspace.owner.id}, {"id": workspace.editor.id}
    counts = {}
    # when
    for size in (5, 30):
        counter.reset()
        body = await gql(
            document,
            {"organization": workspace.org_id, "first": size},
            token=workspace.viewer.token,
        )
        counts[size] = counter.count
        # then
        assert "errors" not in body, body
        pages = [n["history"]["nodes"] for n in body["data"]["items"]["nodes"]]
        assert len(pages) == size
        assert [[(c["action"], {"id": c["actor"]["id"]}) for c in page] for page in pages] == [
            [("UPDATE", owner), ("CREATE", editor)]
        ] * size
    assert counts == {5: cost[read_path], 30: cost[read_path]}
