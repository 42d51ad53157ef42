"""Aggregates and facets on connections, through the API on both read paths: each function
per field type (exact decimals, integers, timestamps), over the connection's filter and
search, groups by fields and by dates truncated in a time zone (across a daylight-saving
change), ordered and paged, facets, nested connections, and coded errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from models.realty import NurtureStatus, PropertyStatus
from tests.catalog.conftest import Workspace, error_codes
from tests.realty.conftest import create_client, create_property


@pytest.fixture
def app(read_path_app):
    return read_path_app


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# title, price, size_sqft, bedrooms, status, created_at (UTC)
LISTINGS = [
    ("Sea view flat", "250000.00", 800, 2, PropertyStatus.ACTIVE, "2026-03-28T23:30:00"),
    ("River house", "450000.50", 1600, 3, PropertyStatus.ACTIVE, "2026-03-29T21:30:00"),
    ("Old mill", "120000.25", None, 3, PropertyStatus.SOLD, "2026-03-29T22:30:00"),
    ("Sea cottage", "310000.00", 950, 2, PropertyStatus.UNDER_OFFER, "2026-04-02T10:00:00"),
]


@pytest.fixture
async def listings(db, factory, workspace: Workspace) -> None:
    for title, price, size, bedrooms, status, created in LISTINGS:
        await create_property(
            db, workspace.org, title=title, price=Decimal(price), size_sqft=size,
            bedrooms=bedrooms, status=status, created_at=at(created),
        )  # fmt: skip
    # Another organization's listings: never counted, not even in a group of their own.
    other = await factory.organization()
    for _ in range(3):
        await create_property(
            db, other, title="Sea view elsewhere", price=Decimal("999999.00"), size_sqft=5000,
            bedrooms=9, status=PropertyStatus.RENTED, created_at=at("2026-03-29T12:00:00"),
        )  # fmt: skip


TOTALS = """
query($filter: PropertyFilter, $search: String) {
  properties(filter: $filter, search: $search, first: 1) {
    totalCount
    nodes { title }
    aggregate {
      count
      sum { price sizeSqft bedrooms }
      avg { price sizeSqft bedrooms }
      min { price sizeSqft createdAt }
      max { price sizeSqft createdAt }
    }
  }
}
"""


async def test_each_function_per_field_type(gql, workspace, listings):
    body = await gql(TOTALS, token=workspace.viewer.token)
    assert "errors" not in body, body
    connection = body["data"]["properties"]
    assert connection["totalCount"] == 4
    assert len(connection["nodes"]) == 1
    assert connection["aggregate"] == {
        "count": 4,
        # exact decimals stay exact; integer sums are Floats; nulls are left out
        "sum": {"price": "1130000.75", "sizeSqft": 3350.0, "bedrooms": 10.0},
        "avg": {"price": "282500.1875", "sizeSqft": 3350 / 3, "bedrooms": 2.5},
        "min": {"price": "120000.25", "sizeSqft": 800, "createdAt": "2026-03-28T23:30:00+00:00"},
        "max": {"price": "450000.50", "sizeSqft": 1600, "createdAt": "2026-04-02T10:00:00+00:00"},
    }


async def test_aggregates_follow_the_filter_and_the_search(gql, workspace, listings):
    body = await gql(
        TOTALS,
        {"filter": {"status": {"eq": "ACTIVE"}}, "search": "sea"},
        token=workspace.viewer.token,
    )
    aggregate = body["data"]["properties"]["aggregate"]
    assert aggregate["count"] == 1
    assert aggregate["sum"]["price"] == "250000.00"
    # nothing matches: a count of 0 and nulls
    body = await gql(TOTALS, {"search": "castle"}, token=workspace.viewer.token)
    aggregate = body["data"]["properties"]["aggregate"]
    assert aggregate["count"] == 0
    assert aggregate["sum"] == {"price": None, "sizeSqft": None, "bedrooms": None}
    assert aggregate["min"]["createdAt"] is None


GROUPS = """
query($by: [PropertyGroupBy!]!, $orderBy: GroupOrder, $first: Int, $offset: Int) {
  properties {
    aggregate {
      groups(by: $by, orderBy: $orderBy, first: $first, offset: $offset) {
        key { status bedrooms createdAt }
        count
        sum { price }
        max { sizeSqft }
      }
    }
  }
}
"""


def groups(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["properties"]["aggregate"]["groups"]
    return found


async def test_groups_by_fields_ordered_and_paged(gql, workspace, listings):
    token = workspace.viewer.token
    body = await gql(GROUPS, {"by": [{"field": "STATUS"}]}, token=token)
    assert [(g["key"]["status"], g["count"], g["sum"]["price"]) for g in groups(body)] == [
        ("ACTIVE", 2, "700000.50"),
        ("UNDER_OFFER", 1, "310000.00"),
        ("SOLD", 1, "120000.25"),
    ]  # the enum's order, as PostgreSQL sorts enums
    assert groups(body)[0]["key"]["bedrooms"] is None
    body = await gql(
        GROUPS,
        {"by": [{"field": "BEDROOMS"}, {"field": "STATUS"}], "orderBy": "COUNT_DESC"},
        token=token,
    )
    assert [(g["key"]["bedrooms"], g["key"]["status"], g["count"]) for g in groups(body)] == [
        (2, "ACTIVE", 1), (2, "UNDER_OFFER", 1), (3, "ACTIVE", 1), (3, "SOLD", 1),
    ]  # fmt: skip
    body = await gql(
        GROUPS, {"by": [{"field": "BEDROOMS"}], "orderBy": "KEY_DESC", "first": 1}, token=token
    )
    assert [(g["key"]["bedrooms"], g["count"]) for g in groups(body)] == [(3, 2)]
    body = await gql(
        GROUPS,
        {"by": [{"field": "BEDROOMS"}], "orderBy": "KEY_DESC", "first": 1, "offset": 1},
        token=token,
    )
    assert [(g["key"]["bedrooms"], g["count"], g["max"]["sizeSqft"]) for g in groups(body)] == [
        (2, 2, 950)
    ]


async def test_days_follow_the_time_zone_across_a_daylight_saving_change(gql, workspace, listings):
    # Paris moves to summer time on 2026-03-29 (a 23-hour day): 23:30 UTC on the 28th is
    # the 29th in Paris, 22:30 UTC on the 29th is already the 30th.
    by_day = {"field": "CREATED_AT", "truncate": "DAY", "timeZone": "Europe/Paris"}
    body = await gql(GROUPS, {"by": [by_day]}, token=workspace.viewer.token)
    assert [(g["key"]["createdAt"], g["count"]) for g in groups(body)] == [
        ("2026-03-29T00:00:00+01:00", 2),
        ("2026-03-30T00:00:00+02:00", 1),
        ("2026-04-02T00:00:00+02:00", 1),
    ]
    body = await gql(GROUPS, {"by": [{**by_day, "timeZone": "UTC"}]}, token=workspace.viewer.token)
    assert [(g["key"]["createdAt"], g["count"]) for g in groups(body)] == [
        ("2026-03-28T00:00:00+00:00", 1),
        ("2026-03-29T00:00:00+00:00", 2),
        ("2026-04-02T00:00:00+00:00", 1),
    ]
    by_month = {"field": "CREATED_AT", "truncate": "MONTH", "timeZone": "America/New_York"}
    body = await gql(GROUPS, {"by": [by_month]}, token=workspace.viewer.token)
    assert [(g["key"]["createdAt"], g["count"]) for g in groups(body)] == [
        ("2026-03-01T00:00:00-05:00", 3),
        ("2026-04-01T00:00:00-04:00", 1),
    ]
    body = await gql(
        GROUPS,
        {"by": [{"field": "CREATED_AT", "truncate": "WEEK"}, {"field": "STATUS"}]},
        token=workspace.viewer.token,
    )
    assert [(g["key"]["createdAt"], g["key"]["status"], g["count"]) for g in groups(body)] == [
        ("2026-03-23T00:00:00+00:00", "ACTIVE", 2),
        ("2026-03-23T00:00:00+00:00", "SOLD", 1),
        ("2026-03-30T00:00:00+00:00", "UNDER_OFFER", 1),
    ]


@pytest.mark.parametrize(
    ("by", "code"),
    [
        pytest.param([{"field": "CREATED_AT"}], "BAD_GROUP_BY", id="date-without-truncate"),
        pytest.param([{"field": "STATUS", "truncate": "DAY"}], "BAD_GROUP_BY", id="truncated-enum"),
        pytest.param([], "BAD_GROUP_BY", id="no-key"),
        pytest.param([{"field": "STATUS"}, {"field": "STATUS"}], "BAD_GROUP_BY", id="twice"),
        pytest.param(
            [{"field": "CREATED_AT", "truncate": "DAY", "timeZone": "Mars/Olympus"}],
            "INVALID_TIME_ZONE",
            id="unknown-zone",
        ),
        pytest.param(
            [{"field": "CREATED_AT", "truncate": "DAY", "timeZone": "UTC'; DROP TABLE x; --"}],
            "INVALID_TIME_ZONE",
            id="injection",
        ),
    ],
)
async def test_bad_groupings_are_coded_errors(gql, workspace, listings, by, code):
    body = await gql(GROUPS, {"by": by}, token=workspace.viewer.token)
    assert error_codes(body) == [code]


FACETS = """
query($search: String, $fields: [PropertyGroupField!]!) {
  properties(search: $search) {
    totalCount
    facets(fields: $fields) { field values { key { status bedrooms } count } }
  }
}
"""


async def test_facets_count_values_of_the_searched_rows(gql, workspace, listings):
    body = await gql(
        FACETS, {"search": "sea or river", "fields": ["STATUS", "BEDROOMS"]},
        token=workspace.viewer.token,
    )  # fmt: skip
    assert "errors" not in body, body
    connection = body["data"]["properties"]
    assert connection["totalCount"] == 3
    assert connection["facets"] == [
        {
            "field": "STATUS",
            "values": [
                {"key": {"status": "ACTIVE", "bedrooms": None}, "count": 2},
                {"key": {"status": "UNDER_OFFER", "bedrooms": None}, "count": 1},
            ],
        },
        {
            "field": "BEDROOMS",
            "values": [
                {"key": {"status": None, "bedrooms": 2}, "count": 2},
                {"key": {"status": None, "bedrooms": 3}, "count": 1},
            ],
        },
    ]
    body = await gql(FACETS, {"fields": ["CREATED_AT"]}, token=workspace.viewer.token)
    assert error_codes(body) == ["BAD_FACET"]


CLIENT_FACETS = """
query($id: ID!) {
  node(id: $id) {
    ... on Organization {
      clients {
        aggregate { count avg { leadScore } max { lastContactedAt } }
        facets(fields: [NURTURE_STATUS]) { values { key { nurtureStatus } count } }
      }
    }
  }
}
"""


async def test_nested_connections_aggregate_per_parent(gql, db, factory, workspace):
    for status, score in [
        (NurtureStatus.HOT, 90),
        (NurtureStatus.HOT, 70),
        (NurtureStatus.COLD, 5),
    ]:
        await create_client(db, workspace.org, nurture_status=status, lead_score=score)
    await create_client(db, await factory.organization(), nurture_status=NurtureStatus.HOT)
    body = await gql(CLIENT_FACETS, {"id": workspace.org_id}, token=workspace.viewer.token)
    assert "errors" not in body, body
    clients = body["data"]["node"]["clients"]
    assert clients["aggregate"] == {
        "count": 3,
        "avg": {"leadScore": 55.0},
        "max": {"lastContactedAt": None},
    }
    assert clients["facets"] == [
        {"values": [{"key": {"nurtureStatus": "HOT"}, "count": 2},
                    {"key": {"nurtureStatus": "COLD"}, "count": 1}]}
    ]  # fmt: skip
