"""The demo brokerage: enough varied data to explore, identical on every load."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.admin.seed_realty import CLIENTS, PROPERTIES, seed_realty
from tests.factories import gid

DEMO = """
query($org: ID!) {
  node(id: $org) { ... on Organization {
    properties(first: 100, orderBy: [{field: PRICE}]) {
      totalCount
      nodes { title price status propertyType city media(first: 5) { totalCount } }
    }
    clients(first: 100, orderBy: [{field: LAST_CONTACTED_AT, direction: DESC}]) {
      totalCount
      nodes {
        name leadScore nurtureStatus lastContactedAt
        interactions(first: 10) { nodes { type occurredAt user { id } } }
        interestedProperties(first: 10) { totalCount }
      }
    }
  } }
}
"""


async def _seeded(factory: Any, db: Any) -> tuple[dict[str, Any], Any]:
    org = await factory.organization()
    members = [await factory.member(org, role) for role in ("OWNER", "ADMIN", "EDITOR", "VIEWER")]
    async with db.sessions() as session, session.begin():
        await seed_realty(session, org.id, [m.user.id for m in members])
    return {"org": gid("Organization", org.id)}, members[3]


def _without_ids(value: Any) -> Any:
    """The data without who recorded what (other users each time); lists as sorted
    multisets, since rows tied on the ordered field break ties by their random IDs."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "user"}
    if isinstance(value, list):
        return sorted((_without_ids(v) for v in value), key=repr)
    return value


async def test_seed_builds_a_varied_brokerage(gql, factory, db):
    # given
    variables, viewer = await _seeded(factory, db)
    # when
    body = await gql(DEMO, variables, token=viewer.token)
    # then
    org = body["data"]["node"]
    properties, clients = org["properties"], org["clients"]
    assert properties["totalCount"] >= 30
    assert clients["totalCount"] >= 20
    assert {p["status"] for p in properties["nodes"]} == {
        "ACTIVE", "UNDER_OFFER", "SOLD", "RENTED"
    }  # fmt: skip
    assert len({p["propertyType"] for p in properties["nodes"]}) >= 4
    assert len({p["city"] for p in properties["nodes"]}) >= 4
    assert sum(p["media"]["totalCount"] for p in properties["nodes"]) >= 10
    assert {c["nurtureStatus"] for c in clients["nodes"]} == {"NEW", "HOT", "WARM", "COLD"}
    assert sum(len(c["interactions"]["nodes"]) for c in clients["nodes"]) >= 20
    assert sum(c["interestedProperties"]["totalCount"] for c in clients["nodes"]) >= 20
    # every client's last contact is its latest interaction (or null without any)
    for client in clients["nodes"]:
        times = [i["occurredAt"] for i in client["interactions"]["nodes"]]
        assert client["lastContactedAt"] == (max(times) if times else None)


async def test_seed_is_deterministic(gql, factory, db):
    # given
    first_vars, first_viewer = await _seeded(factory, db)
    second_vars, second_viewer = await _seeded(factory, db)
    # when
    first = await gql(DEMO, first_vars, token=first_viewer.token)
    second = await gql(DEMO, second_vars, token=second_viewer.token)
    # then
    assert _without_ids(first["data"]) == _without_ids(second["data"])


async def test_demo_seed_loads_the_brokerage_into_the_demo_organization(gql, factory, db):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session)
    async with db.sessions() as session:
        viewer = await session.scalar(
            select(models.User).where(models.User.email == "viewer@demo.trellis.dev")
        )
    assert viewer is not None
    # when
    body = await gql(
        "{ properties { totalCount } clients { totalCount } }", token=await factory.token(viewer)
    )
    # then
    assert body == {
        "data": {
            "properties": {"totalCount": PROPERTIES},
            "clients": {"totalCount": CLIENTS},
        }
    }
