"""N+1 guards for the realty lists: a page of clients with their interactions (and who
recorded them) and interested properties costs the same statements for 5 clients as for 50;
so does a page of properties with media and interested clients.

Both on the resolver path (one batched statement per list or by-id level) and on the
compiled path, where both queries compile into one statement (``read_path`` runs each test on
both)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert

from models.realty import (
    Client,
    Interaction,
    InteractionType,
    MediaType,
    Property,
    PropertyMedia,
    client_interested_properties,
)
from tests.factories import gid

AUTH = 1  # the bearer token, the user and their permissions, in one statement
STATEMENT = 1  # one batched statement per root list, nested list or by-id level
WHOLE_QUERY = 1  # a compiled query: one statement builds the whole answer


@pytest.fixture
def app(read_path_app):
    """Every test here runs on both read paths."""
    return read_path_app


CLIENTS_WITH_RELATIONS = """
query($organization: ID!, $first: Int!) {
  clients(filter: {organization: {eq: $organization}}, first: $first,
          orderBy: [{field: LEAD_SCORE, direction: DESC}]) {
    nodes {
      name leadScore lastContactedAt
      interactions(first: 10) { nodes { type occurredAt user { email } } }
      interestedProperties(first: 10) { nodes { title price } }
    }
  }
}
"""
# resolvers: clients page + interactions pages + their users (by id) + interested properties pages
CLIENTS_WITH_RELATIONS_COST = {
    "compiled": AUTH + WHOLE_QUERY,
    "resolvers": AUTH + 4 * STATEMENT,
}

PROPERTIES_WITH_RELATIONS = """
query($first: Int!) {
  properties(first: $first, orderBy: [{field: PRICE}]) {
    totalCount
    nodes {
      title price organization { name }
      media(first: 5) { totalCount nodes { url } }
      interestedClients(first: 5) { nodes { name } }
    }
  }
}
"""
# resolvers: page + total + organizations (by id) + media pages + media totals + interested
# clients pages
PROPERTIES_WITH_RELATIONS_COST = {
    "compiled": AUTH + WHOLE_QUERY,
    "resolvers": AUTH + 6 * STATEMENT,
}


@dataclass
class Brokerage:
    token: str
    organization: uuid.UUID


async def build_brokerage(
    factory: Any, db: Any, *, clients: int, properties: int, interactions: int, interests: int
) -> Brokerage:
    """An OWNER viewer and a few recording users; every client with ``interactions``
    interactions (recorded in turn by the users) and ``interests`` interested properties;
    every property with two media. Bulk inserts: a handful of statements."""
    org = await factory.organization()
    viewer = await factory.member(org, "OWNER")
    users = [(await factory.member(org, "EDITOR")).user.id for _ in range(3)]
    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    async def ids(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list((await session.scalars(stmt, rows)).all())

    async with db.sessions() as session, session.begin():
        property_ids = await ids(session, Property, [
            {"organization_id": org.id, "title": f"Property {p}", "address": f"{p} Road",
             "price": Decimal(100_000 + p)}
            for p in range(properties)
        ])  # fmt: skip
        await session.execute(insert(PropertyMedia), [
            {"organization_id": org.id, "property_id": p, "type": MediaType.IMAGE,
             "url": f"{p}/{m}.jpg"}
            for p in property_ids for m in range(2)
        ])  # fmt: skip
        client_ids = await ids(session, Client, [
            {"organization_id": org.id, "name": f"Client {c}", "lead_score": c % 101,
             "last_contacted_at": t0 + timedelta(days=c) if c % 3 else None}
            for c in range(clients)
        ])  # fmt: skip
        if interactions:
            await session.execute(insert(Interaction), [
                {"organization_id": org.id, "client_id": c,
                 "user_id": users[(n + i) % len(users)], "type": InteractionType.CALL,
                 "occurred_at": t0 + timedelta(hours=i)}
                for n, c in enumerate(client_ids) for i in range(interactions)
            ])  # fmt: skip
        await session.execute(insert(client_interested_properties), [
            {"client_id": c, "property_id": property_ids[(n + k) % properties],
             "organization_id": org.id}
            for n, c in enumerate(client_ids) for k in range(interests)
        ])  # fmt: skip
    return Brokerage(viewer.token, org.id)


@pytest.fixture
def measure(gql, counter):
    async def run(doc: str, variables: dict[str, Any], token: str) -> tuple[Any, int]:
        counter.reset()
        body = await gql(doc, variables, token=token)
        count = counter.count
        assert "errors" not in body, body
        return body["data"], count

    return run


async def test_client_page_with_interactions_and_interests_costs_the_same_for_5_and_50(
    factory, db, measure, read_path
):
    # given
    brokerage = await build_brokerage(
        factory, db, clients=50, properties=20, interactions=3, interests=2
    )
    variables = {"organization": gid("Organization", brokerage.organization)}
    # when
    small, small_count = await measure(
        CLIENTS_WITH_RELATIONS, {**variables, "first": 5}, brokerage.token
    )
    large, large_count = await measure(
        CLIENTS_WITH_RELATIONS, {**variables, "first": 50}, brokerage.token
    )
    # then
    for data, n in ((small, 5), (large, 50)):
        nodes = data["clients"]["nodes"]
        assert len(nodes) == n
        assert all(len(node["interactions"]["nodes"]) == 3 for node in nodes)
        assert all(node["interactions"]["nodes"][0]["user"]["email"] for node in nodes)
        assert all(len(node["interestedProperties"]["nodes"]) == 2 for node in nodes)
    scores = [node["leadScore"] for node in large["clients"]["nodes"]]
    assert scores == sorted(scores, reverse=True)
    cost = CLIENTS_WITH_RELATIONS_COST[read_path]
    assert (small_count, large_count) == (cost, cost)


async def test_property_page_with_media_and_interested_clients_costs_the_same_for_5_and_50(
    factory, db, measure, read_path
):
    # given
    brokerage = await build_brokerage(
        factory, db, clients=30, properties=50, interactions=0, interests=3
    )
    # when
    small, small_count = await measure(PROPERTIES_WITH_RELATIONS, {"first": 5}, brokerage.token)
    large, large_count = await measure(PROPERTIES_WITH_RELATIONS, {"first": 50}, brokerage.token)
    # then
    for data, n in ((small, 5), (large, 50)):
        nodes = data["properties"]["nodes"]
        assert len(nodes) == n
        assert data["properties"]["totalCount"] == 50
        assert all(node["media"]["totalCount"] == 2 for node in nodes)
        assert all(node["organization"]["name"] for node in nodes)
    assert sum(len(n["interestedClients"]["nodes"]) for n in large["properties"]["nodes"]) == 90
    cost = PROPERTIES_WITH_RELATIONS_COST[read_path]
    assert (small_count, large_count) == (cost, cost)
