"""Searches and aggregates on relations: through a link table (a client's interested
properties, a tag's items) and down a design project (its objects), on both read paths."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.design.conftest import DesignFactory
from tests.factories import gid
from tests.realty.conftest import add_interest, create_client, create_property


@pytest.fixture
def app(read_path_app):
    return read_path_app


INTERESTS = """
query($id: ID!) {
  client(id: $id) {
    interestedProperties(search: "garden") {
      totalCount
      edges { score node { title } }
      aggregate { count sum { price } groups(by: [{field: BEDROOMS}]) { key { bedrooms } count } }
    }
  }
}
"""


async def test_a_link_relation_searches_and_aggregates_its_own_rows(gql, db, workspace):
    client = await create_client(db, workspace.org, name="Ana")
    other = await create_client(db, workspace.org, name="Bruno")
    garden = await create_property(
        db, workspace.org, title="House with garden", price=Decimal(300), bedrooms=3
    )
    flat = await create_property(
        db, workspace.org, title="Flat, shared garden", price=Decimal(200), bedrooms=1
    )
    plain = await create_property(db, workspace.org, title="Studio", price=Decimal(100))
    await add_interest(db, client, garden, plain)
    await add_interest(db, other, flat)
    body = await gql(INTERESTS, {"id": gid("Client", client.id)}, token=workspace.viewer.token)
    assert "errors" not in body, body
    found = body["data"]["client"]["interestedProperties"]
    assert found["totalCount"] == 1
    assert [e["node"]["title"] for e in found["edges"]] == ["House with garden"]
    assert found["edges"][0]["score"] > 0
    assert found["aggregate"] == {
        "count": 1,
        "sum": {"price": "300.00"},
        "groups": [{"key": {"bedrooms": 3}, "count": 1}],
    }


OBJECTS = """
query($id: ID!) {
  project(id: $id) {
    objects(search: "payment") {
      nodes { name }
      aggregate { count avg { complexity } }
      facets(fields: [OBJECT_TYPE]) { values { key { objectType } count } }
    }
  }
  projects(search: "shop") { nodes { name } aggregate { count } }
}
"""


async def test_design_projects_and_objects_are_searched(gql, db, workspace):
    design = DesignFactory(db)
    project = await design.project(workspace.org, name="Web shop", description="Online store")
    await design.project(workspace.org, name="Intranet")
    await design.object(project, 0, 0, name="Payment", object_type="service", complexity=3)
    await design.object(
        project, 1, 0, name="Order", description="Waits for the payment", complexity=1
    )
    await design.object(project, 2, 0, name="Customer", complexity=5)
    body = await gql(OBJECTS, {"id": gid("Project", project.id)}, token=workspace.viewer.token)
    assert "errors" not in body, body
    objects = body["data"]["project"]["objects"]
    assert [n["name"] for n in objects["nodes"]] == ["Payment", "Order"]  # name over description
    assert objects["aggregate"] == {"count": 2, "avg": {"complexity": 2.0}}
    assert objects["facets"] == [
        {
            "values": [
                {"key": {"objectType": "entity"}, "count": 1},
                {"key": {"objectType": "service"}, "count": 1},
            ]
        }
    ]
    assert body["data"]["projects"] == {"nodes": [{"name": "Web shop"}], "aggregate": {"count": 1}}
