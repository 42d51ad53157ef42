"""Cross-tenant isolation of searches, aggregates, groups and facets: alice (OWNER of A)
never finds, counts or groups a row of organization B, on any path (root lists, nested
connections), on both read paths; anonymous callers count nothing. Every row of B below
matches every search and would make a group of its own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import models
from models.design import Project
from models.realty import NurtureStatus, PropertyStatus
from tests.realty.conftest import create_client, create_property
from tests.tenancy_helpers import World, build_world


@pytest.fixture
def app(read_path_app):
    return read_path_app


@pytest.fixture
async def world(factory, db) -> World:
    w = await build_world(factory, db)
    # A's rows, then B's (each B row would stand out: its own status, bedrooms, type)
    await create_property(db, w.org_a, title="Alpha lodge", price=Decimal(100), bedrooms=1)
    await create_property(
        db, w.org_b, title="Beta secret lodge", price=Decimal(900), bedrooms=7,
        status=PropertyStatus.SOLD,
    )  # fmt: skip
    await create_client(db, w.org_a, name="Alpha lodge client")
    await create_client(
        db, w.org_b, name="Beta secret lodge client", nurture_status=NurtureStatus.COLD
    )
    async with db.sessions() as session, session.begin():
        session.add(Project(organization_id=w.org_a.id, name="Alpha lodge project"))
        session.add(Project(organization_id=w.org_b.id, name="Beta secret lodge project"))
    return w


def _root(field: str, group: str, facet: str | None) -> str:
    facets = f"facets(fields: [{facet}]) {{ values {{ count }} }}" if facet else ""
    return f"""
query {{
  {field}(search: "alpha or beta or secret or lodge or item", first: 100) {{
    totalCount
    edges {{ node {{ id }} }}
    aggregate {{ count groups(by: [{{field: {group}}}]) {{ count }} }}
    {facets}
  }}
}}"""


def _nested(field: str, group: str) -> str:
    return f"""
query {{
  organizations(first: 100) {{
    nodes {{
      {field}(search: "alpha or beta or secret or lodge or item", first: 100) {{
        totalCount
        aggregate {{ count groups(by: [{{field: {group}}}]) {{ count }} }}
      }}
    }}
  }}
}}"""


# field, group field, facet field, A's matching rows (for alice)
ENTITIES = {
    "items": ("items", "TYPE", "TYPE", 2),
    "properties": ("properties", "STATUS", "BEDROOMS", 1),
    "clients": ("clients", "NURTURE_STATUS", "NURTURE_STATUS", 1),
    "projects": ("projects", "STATUS", "STATUS", 1),
}


def _counts(connection: dict[str, Any]) -> list[int]:
    """Every count a connection answered: totalCount, edges, aggregate, groups, facets."""
    counts = [connection["totalCount"], connection["aggregate"]["count"]]
    counts.append(sum(g["count"] for g in connection["aggregate"]["groups"]))
    if "edges" in connection:
        counts.append(len(connection["edges"]))
    for facet in connection.get("facets", []):
        counts.append(sum(v["count"] for v in facet["values"]))
    return counts


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=ENTITIES.keys())
async def test_root_searches_and_aggregates_count_only_own_tenant(gql, world, entity):
    field, group, facet, own = entity
    body = await gql(_root(field, group, facet), token=world.alice.token)
    assert "errors" not in body, body
    connection = body["data"][field]
    assert set(_counts(connection)) == {own}
    assert {e["node"]["id"] for e in connection["edges"]}.isdisjoint(world.foreign_gids())
    # carol, member of both, counts both (the rows are there to leak)
    body = await gql(_root(field, group, facet), token=world.carol.token)
    assert body["data"][field]["aggregate"]["count"] > own


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=ENTITIES.keys())
async def test_anonymous_searches_and_aggregates_count_nothing(gql, world, entity):
    field, group, facet, _ = entity
    body = await gql(_root(field, group, facet), token=None)
    assert set(_counts(body["data"][field])) == {0}


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=ENTITIES.keys())
async def test_nested_searches_and_aggregates_count_only_own_tenant(gql, world, entity):
    field, group, _, own = entity
    body = await gql(_nested(field, group), token=world.alice.token)
    assert "errors" not in body, body
    nodes = body["data"]["organizations"]["nodes"]
    assert len(nodes) == 1
    assert set(_counts(nodes[0][field])) == {own}


async def test_an_item_whose_organization_is_gone_counts_for_its_owner_only(gql, db, world):
    async with db.sessions() as session, session.begin():
        session.add(models.Item(owner_id=world.bob.user.id, title="Beta secret orphan item"))
    body = await gql(_root("items", "TYPE", "TYPE"), token=world.alice.token)
    assert body["data"]["items"]["aggregate"]["count"] == 2
