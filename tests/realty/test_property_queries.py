"""Reading properties: a broker's filters (price range, bedrooms, status, text, location),
orderings with keyset pagination, exact prices, and the nested media and interested clients."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from models.realty import MediaType, PropertyStatus
from tests.catalog.conftest import Workspace, error_codes
from tests.factories import gid
from tests.realty.conftest import add_interest, create_client, create_media, create_property

PROPERTIES = """
query Properties($filter: PropertyFilter, $orderBy: [PropertyOrder!], $first: Int,
                 $after: String) {
  properties(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    nodes { title }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PROPERTY = """
query Property($id: ID!) {
  property(id: $id) {
    id title address city area latitude longitude propertyType bedrooms bathrooms sizeSqft
    price status
    organization { id }
    media { totalCount nodes { type url metaData property { id } } }
    interestedClients { totalCount nodes { name } }
  }
}
"""

ORG_PROPERTIES = """
query OrgProperties($id: ID!, $filter: PropertyFilter) {
  node(id: $id) {
    ... on Organization { properties(filter: $filter) { totalCount nodes { title } } }
  }
}
"""

# title, address, city, area, bedrooms, price, status
LISTINGS = [
    ("Sunny Loft", "1 River Road", "Lisbon", "Alfama", 1, "250000.00", PropertyStatus.ACTIVE),
    ("Family House", "2 Oak Lane", "Lisbon", "Belém", 3, "450000.00", PropertyStatus.UNDER_OFFER),
    ("Beach Villa", "3 Shore Drive", "Faro", "Old Town", 5, "1200000.50", PropertyStatus.ACTIVE),
    ("City Studio", "4 River Road", "Porto", "Ribeira", 0, "150000.00", PropertyStatus.SOLD),
    ("Garden Flat", "5 Elm Street", "Porto", "Foz", 2, "300000.00", PropertyStatus.RENTED),
]


@pytest.fixture
async def listings(db, workspace: Workspace, factory) -> dict[str, Any]:
    found = {}
    for title, address, city, area, bedrooms, price, status in LISTINGS:
        found[title] = await create_property(
            db, workspace.org, title=title, address=address, city=city, area=area,
            bedrooms=bedrooms, price=Decimal(price), status=status,
        )  # fmt: skip
    # Another organization's listing matches every filter below and must never show.
    other = await factory.organization()
    await create_property(db, other, title="Sunny Foreign Loft", price=Decimal("300000"))
    return found


def titles(body: dict[str, Any], path: tuple[str, ...] = ("properties",)) -> list[str]:
    value: Any = body["data"]
    for key in path:
        value = value[key]
    return [n["title"] for n in value["nodes"]]


BY_PRICE = [{"field": "PRICE", "direction": "ASC"}]

FILTERS = {
    "price-range": (
        {"price": {"gte": "250000", "lte": "450000"}},
        ["Sunny Loft", "Garden Flat", "Family House"],
    ),
    "price-exact-decimal": ({"price": {"eq": "1200000.5"}}, ["Beach Villa"]),
    "price-gt": ({"price": {"gt": "450000"}}, ["Beach Villa"]),
    "bedrooms-at-least-2": (
        {"bedrooms": {"gte": 2}}, ["Garden Flat", "Family House", "Beach Villa"]
    ),
    "status-in": (
        {"status": {"in": ["ACTIVE", "UNDER_OFFER"]}},
        ["Sunny Loft", "Family House", "Beach Villa"],
    ),
    "status-eq": ({"status": {"eq": "SOLD"}}, ["City Studio"]),
    "status-ne": (
        {"status": {"ne": "ACTIVE"}}, ["City Studio", "Garden Flat", "Family House"]
    ),
    "title-contains-case-insensitive": ({"title": {"contains": "sUnNy"}}, ["Sunny Loft"]),
    "title-starts-with": ({"title": {"startsWith": "city"}}, ["City Studio"]),
    "address-contains": ({"address": {"contains": "river road"}}, ["City Studio", "Sunny Loft"]),
    "city-eq": ({"city": {"eq": "Porto"}}, ["City Studio", "Garden Flat"]),
    "area-contains": ({"area": {"contains": "town"}}, ["Beach Villa"]),
    "broker-search": (
        {
            "price": {"lte": "500000"},
            "bedrooms": {"gte": 1},
            "status": {"in": ["ACTIVE", "UNDER_OFFER"]},
            "city": {"eq": "Lisbon"},
        },
        ["Sunny Loft", "Family House"],
    ),
    "or": (
        {"or": [{"city": {"eq": "Faro"}}, {"bedrooms": {"eq": 0}}]},
        ["City Studio", "Beach Villa"],
    ),
    "not": ({"not": {"city": {"eq": "Lisbon"}}}, ["City Studio", "Garden Flat", "Beach Villa"]),
}  # fmt: skip


@pytest.mark.parametrize(("flt", "expected"), FILTERS.values(), ids=FILTERS.keys())
async def test_property_filters(gql, workspace, listings, flt, expected):
    # when
    body = await gql(PROPERTIES, {"filter": flt, "orderBy": BY_PRICE}, token=workspace.viewer.token)
    # then
    assert titles(body) == expected
    assert body["data"]["properties"]["totalCount"] == len(expected)


ORDERS = {
    "price-desc": (
        [{"field": "PRICE", "direction": "DESC"}],
        ["Beach Villa", "Family House", "Garden Flat", "Sunny Loft", "City Studio"],
    ),
    "bedrooms-asc": (
        [{"field": "BEDROOMS"}],
        ["City Studio", "Sunny Loft", "Garden Flat", "Family House", "Beach Villa"],
    ),
    "title-asc": (
        [{"field": "TITLE"}],
        ["Beach Villa", "City Studio", "Family House", "Garden Flat", "Sunny Loft"],
    ),
    "default-created-at": (
        None, ["Sunny Loft", "Family House", "Beach Villa", "City Studio", "Garden Flat"]
    ),
}  # fmt: skip


@pytest.mark.parametrize(("order", "expected"), ORDERS.values(), ids=ORDERS.keys())
async def test_property_orderings(gql, workspace, listings, order, expected):
    # when
    body = await gql(
        PROPERTIES, {"filter": {"organization": {"eq": workspace.org_id}}, "orderBy": order},
        token=workspace.viewer.token,
    )  # fmt: skip
    # then
    assert titles(body) == expected


async def test_properties_paginate_by_price_with_cursors(gql, workspace, listings):
    # given
    variables: dict[str, Any] = {"orderBy": [{"field": "PRICE", "direction": "DESC"}], "first": 2}
    variables["filter"] = {"organization": {"eq": workspace.org_id}}
    pages = []
    # when
    while True:
        body = await gql(PROPERTIES, variables, token=workspace.viewer.token)
        pages.append(titles(body))
        info = body["data"]["properties"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        variables["after"] = info["endCursor"]
    # then
    assert pages == [
        ["Beach Villa", "Family House"], ["Garden Flat", "Sunny Loft"], ["City Studio"]
    ]  # fmt: skip


async def test_property_by_id_with_media_and_interested_clients(gql, db, workspace):
    # given
    prop = await create_property(
        db, workspace.org, title="Loft", address="1 River Road", city="Lisbon", area="Alfama",
        latitude=38.7114, longitude=-9.13, property_type="apartment", bedrooms=2, bathrooms=1,
        size_sqft=900, price=Decimal("123456789012.34"), status=PropertyStatus.UNDER_OFFER,
    )  # fmt: skip
    await create_media(db, prop, url="loft/front.jpg", meta_data={"width": 800})
    await create_media(db, prop, type=MediaType.DOC, url="loft/plan.pdf")
    await add_interest(db, await create_client(db, workspace.org, name="Ana"), prop)
    prop_id = gid("Property", prop.id)
    # when
    body = await gql(PROPERTY, {"id": prop_id}, token=workspace.viewer.token)
    # then
    assert body == {
        "data": {
            "property": {
                "id": prop_id, "title": "Loft", "address": "1 River Road", "city": "Lisbon",
                "area": "Alfama", "latitude": 38.7114, "longitude": -9.13,
                "propertyType": "apartment", "bedrooms": 2, "bathrooms": 1, "sizeSqft": 900,
                "price": "123456789012.34", "status": "UNDER_OFFER",
                "organization": {"id": workspace.org_id},
                "media": {"totalCount": 2, "nodes": [
                    {"type": "IMAGE", "url": "loft/front.jpg", "metaData": {"width": 800},
                     "property": {"id": prop_id}},
                    {"type": "DOC", "url": "loft/plan.pdf", "metaData": {},
                     "property": {"id": prop_id}},
                ]},
                "interestedClients": {"totalCount": 1, "nodes": [{"name": "Ana"}]},
            }
        }
    }  # fmt: skip


async def test_organization_properties_with_filter(gql, workspace, listings):
    # when
    body = await gql(
        ORG_PROPERTIES,
        {"id": workspace.org_id, "filter": {"status": {"eq": "ACTIVE"}}},
        token=workspace.viewer.token,
    )
    # then
    assert sorted(titles(body, ("node", "properties"))) == ["Beach Villa", "Sunny Loft"]
    assert body["data"]["node"]["properties"]["totalCount"] == 2


async def test_deleted_property_is_hidden_with_its_media(gql, db, workspace):
    # given
    prop = await create_property(db, workspace.org, deleted_at=datetime.now(UTC))
    media = await create_media(db, prop)
    # when
    body = await gql(
        "query($p: ID!, $m: ID!) { property(id: $p) { id } node(id: $m) { id } "
        "properties { totalCount } }",
        {"p": gid("Property", prop.id), "m": gid("Media", media.id)},
        token=workspace.owner.token,
    )
    # then
    assert body == {"data": {"property": None, "node": None, "properties": {"totalCount": 0}}}


@pytest.mark.parametrize(
    ("flt", "code"),
    [
        pytest.param({"price": {"gte": "abc"}}, "BAD_USER_INPUT", id="price-not-a-decimal"),
        pytest.param({"status": {"eq": "DEMOLISHED"}}, "BAD_USER_INPUT", id="unknown-status"),
        pytest.param({"price": {"gte": "1E+1000000"}}, "INVALID_FILTER_VALUE", id="price-huge"),
        pytest.param({"price": {"lt": "1E-1000000"}}, "INVALID_FILTER_VALUE", id="price-tiny"),
    ],
)
async def test_bad_filter_values_are_graphql_errors(gql, workspace, flt, code):
    # when
    body = await gql(PROPERTIES, {"filter": flt}, token=workspace.viewer.token)
    # then
    assert body.get("data") is None
    assert error_codes(body) == [code]
