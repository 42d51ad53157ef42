"""N+1 guards for searches and aggregates: a connection with totalCount, aggregate (totals,
groups, facets) and a page of nodes costs a fixed number of statements, whatever the number
of rows or parents. Both read paths run each test (the compiled one leaves these queries to
the resolvers, so the counts are the same); and the cost model counts aggregates and groups."""

from __future__ import annotations

from decimal import Decimal

import pytest
from graphql import parse

from graph.kernel.limits import CostModel
from graph.schema import schema
from models.realty import NurtureStatus, PropertyStatus
from tests.realty.conftest import create_client, create_property

AUTH = 1
STATEMENT = 1


@pytest.fixture
def app(read_path_app):
    return read_path_app


SEARCHED_PAGE = """
query($search: String) {
  properties(search: $search, first: 5) {
    totalCount
    edges { score snippet node { title } }
    aggregate {
      count sum { price } avg { bedrooms }
      groups(by: [{field: STATUS}]) { key { status } count max { price } }
    }
    facets(fields: [STATUS, BEDROOMS]) { field values { count } }
  }
}
"""
# page + totalCount + aggregate totals + one groups + facets
SEARCHED_PAGE_COST = AUTH + 5 * STATEMENT


@pytest.mark.parametrize("listings", [3, 30])
async def test_a_searched_page_with_aggregates_costs_the_same_for_any_size(
    gql, db, counter, workspace, listings
):
    for n in range(listings):
        await create_property(
            db, workspace.org, title=f"Sea view {n}", price=Decimal(100 + n), bedrooms=n % 4,
            status=list(PropertyStatus)[n % 4],
        )  # fmt: skip
    counter.reset()
    body = await gql(SEARCHED_PAGE, {"search": "sea"}, token=workspace.viewer.token)
    assert "errors" not in body, body
    assert body["data"]["properties"]["aggregate"]["count"] == listings
    assert counter.count == SEARCHED_PAGE_COST, counter.statements


NESTED = """
query {
  organizations(first: 20) {
    nodes {
      clients(search: "ana", first: 3) {
        totalCount
        nodes { name }
        aggregate { count avg { leadScore } groups(by: [{field: NURTURE_STATUS}]) { count } }
        facets(fields: [NURTURE_STATUS]) { values { count } }
      }
    }
  }
}
"""
# organizations + clients pages + their counts + totals + groups + facets: all parents batched
NESTED_COST = AUTH + 6 * STATEMENT


@pytest.mark.parametrize("organizations", [2, 8])
async def test_nested_aggregates_are_batched_over_parents(gql, db, factory, counter, organizations):
    viewer = await factory.member()
    for o in range(organizations):
        org = await factory.organization()
        await factory.membership(viewer.user, org, "VIEWER")
        for n in range(3):
            await create_client(
                db, org, name=f"Ana {o}.{n}", lead_score=10 * n,
                nurture_status=list(NurtureStatus)[n],
            )  # fmt: skip
    counter.reset()
    body = await gql(NESTED, token=viewer.token)
    assert "errors" not in body, body
    nodes = body["data"]["organizations"]["nodes"]
    assert [n["clients"]["aggregate"]["count"] for n in nodes] == [3] * organizations
    assert counter.count == NESTED_COST, counter.statements


def cost(query: str) -> int:
    model = CostModel(default_page_size=20, max_page_size=100)
    return model.operation_cost(schema._schema, parse(query), None, None)


def test_the_cost_model_counts_aggregates_and_groups():
    plain = cost("{ properties(first: 10) { nodes { title } } }")
    totals = cost("{ properties(first: 10) { nodes { title } aggregate { count sum { price } } } }")
    few = cost(
        "{ properties(first: 10) { aggregate { groups(by: [{field: STATUS}], first: 5) "
        "{ count sum { price } } } } }"
    )
    many = cost(
        "{ properties(first: 10) { aggregate { groups(by: [{field: STATUS}], first: 100) "
        "{ count sum { price } } } } }"
    )
    assert totals == plain + 2  # the aggregate and its sums
    # each group costs (itself and its sums), the page of groups bounds it
    base = 2  # the connection and its aggregate
    assert many - base == (few - base) * 20
