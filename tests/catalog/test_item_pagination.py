"""Paging through items: keyset cursors both ways, page info, page limits and bad cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import models
from tests.catalog.conftest import Workspace, b64, error_codes, item_ids, node_ids
from tests.factories import Factory

ITEMS = """
query Items($filter: ItemFilter, $orderBy: [ItemOrder!], $first: Int, $after: String,
            $last: Int, $before: String) {
  items(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last,
        before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ITEMS_COUNT = """
query Count($filter: ItemFilter, $first: Int) {
  items(filter: $filter, first: $first) { totalCount edges { node { id } } }
}
"""

T0 = datetime(2024, 1, 1, tzinfo=UTC)
# Creation times with ties, so pages must break them by id to neither skip nor repeat.
ROWS = [("m", 0), ("d", 0), ("x", 1), ("d", 1), ("a", 1), ("m", 2), ("q", 3), ("d", 3)]


@pytest.fixture
async def items(factory: Factory, workspace: Workspace) -> list[models.Item]:
    return [
        await factory.item(
            workspace.owner.user, workspace.org, title=t, created_at=T0 + timedelta(hours=h)
        )
        for t, h in ROWS
    ]


def ordered(items: list[models.Item], attribute: str, descending: bool = False) -> list[str]:
    by_id = sorted(items, key=lambda i: i.id)
    return item_ids(*sorted(by_id, key=lambda i: getattr(i, attribute), reverse=descending))


async def page(gql: Any, token: str, **variables: Any) -> dict[str, Any]:
    body = await gql(ITEMS, variables, token=token)
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["items"]
    return connection


async def walk_forward(gql: Any, token: str, size: int, **variables: Any) -> list[str]:
    ids: list[str] = []
    after = None
    for _ in range(20):
        connection = await page(gql, token, first=size, after=after, **variables)
        info = connection["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        assert len(connection["edges"]) == size or not info["hasNextPage"]
        ids += node_ids(connection)
        if not info["hasNextPage"]:
            return ids
        after = info["endCursor"]
    raise AssertionError("pagination did not end")


async def walk_backward(gql: Any, token: str, size: int, **variables: Any) -> list[str]:
    ids: list[str] = []
    before = None
    for _ in range(20):
        connection = await page(gql, token, last=size, before=before, **variables)
        info = connection["pageInfo"]
        assert info["hasNextPage"] is (before is not None)
        assert len(connection["edges"]) == size or not info["hasPreviousPage"]
        ids = node_ids(connection) + ids
        if not info["hasPreviousPage"]:
            return ids
        before = info["startCursor"]
    raise AssertionError("pagination did not end")


ORDERINGS = [
    pytest.param(None, ("created_at", False), id="default-order"),
    pytest.param([{"field": "TITLE", "direction": "DESC"}], ("title", True), id="title-desc"),
    pytest.param([{"field": "TITLE"}], ("title", False), id="title-asc"),
]


@pytest.mark.parametrize("size", [1, 3, 8])
@pytest.mark.parametrize(("order_by", "term"), ORDERINGS)
async def test_walk_forward_covers_every_item_once(gql, workspace, items, order_by, term, size):
    # when
    ids = await walk_forward(gql, workspace.owner.token, size, orderBy=order_by)
    # then
    assert ids == ordered(items, *term)


@pytest.mark.parametrize("size", [1, 3, 8])
@pytest.mark.parametrize(("order_by", "term"), ORDERINGS)
async def test_walk_backward_covers_every_item_once(gql, workspace, items, order_by, term, size):
    # when
    ids = await walk_backward(gql, workspace.owner.token, size, orderBy=order_by)
    # then
    assert ids == ordered(items, *term)


async def test_page_info_of_first_middle_and_last_page(gql, workspace, items):
    # given
    token, expected = workspace.owner.token, ordered(items, "created_at")
    # when
    first = await page(gql, token, first=3)
    middle = await page(gql, token, first=3, after=first["pageInfo"]["endCursor"])
    last = await page(gql, token, first=3, after=middle["pageInfo"]["endCursor"])
    # then
    assert node_ids(first) == expected[:3]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][2]["cursor"],
    }
    assert node_ids(middle) == expected[3:6]
    assert (middle["pageInfo"]["hasNextPage"], middle["pageInfo"]["hasPreviousPage"]) == (
        True,
        True,
    )
    assert node_ids(last) == expected[6:]
    assert last["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": last["edges"][0]["cursor"],
        "endCursor": last["edges"][1]["cursor"],
    }


async def test_last_without_before_is_the_end_of_the_list(gql, workspace, items):
    # when
    connection = await page(gql, workspace.owner.token, last=2)
    # then
    assert node_ids(connection) == ordered(items, "created_at")[-2:]
    assert connection["pageInfo"]["hasPreviousPage"] is True
    assert connection["pageInfo"]["hasNextPage"] is False


async def test_empty_list_has_no_cursors(gql, workspace):
    # when
    connection = await page(gql, workspace.owner.token, first=5)
    # then
    assert connection == {
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


async def test_first_zero_returns_no_edges(gql, workspace, items):
    # when
    connection = await page(gql, workspace.owner.token, first=0)
    # then
    assert connection["edges"] == []
    assert connection["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_first_one_hundred_is_allowed(gql, workspace, items):
    # when
    connection = await page(gql, workspace.owner.token, first=100)
    # then
    assert len(connection["edges"]) == len(ROWS)


async def test_total_count_counts_the_filter_across_pages(gql, workspace, items):
    # when
    body = await gql(
        ITEMS_COUNT, {"filter": {"title": {"eq": "d"}}, "first": 1}, token=workspace.owner.token
    )
    # then
    assert body["data"]["items"]["totalCount"] == 3
    assert len(body["data"]["items"]["edges"]) == 1


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        pytest.param({"first": 101}, "PAGE_SIZE_EXCEEDED", id="first-101"),
        pytest.param({"last": 101}, "PAGE_SIZE_EXCEEDED", id="last-101"),
        pytest.param({"first": 1, "last": 1}, "BAD_PAGE_ARGUMENTS", id="first-and-last"),
        pytest.param({"first": -1}, "BAD_PAGE_ARGUMENTS", id="negative-first"),
        pytest.param({"after": "a", "before": "b"}, "BAD_PAGE_ARGUMENTS", id="after-and-before"),
        pytest.param({"first": 2, "before": "b"}, "BAD_PAGE_ARGUMENTS", id="first-with-before"),
        pytest.param({"last": 2, "after": "a"}, "BAD_PAGE_ARGUMENTS", id="last-with-after"),
        pytest.param({"first": 2, "after": "garbage"}, "INVALID_CURSOR", id="garbage-after"),
        pytest.param({"last": 2, "before": "garbage!"}, "INVALID_CURSOR", id="garbage-before"),
        pytest.param({"after": b64('["created_at+,id+", "x"]')}, "INVALID_CURSOR", id="not-list"),
        pytest.param({"after": b64('["created_at+,id+", [1, 2]]')}, "INVALID_CURSOR", id="types"),
        pytest.param(
            {"after": b64('["created_at+,id+", ["2024-01-01"]]')}, "INVALID_CURSOR", id="short"
        ),
        pytest.param({"after": b64("null")}, "INVALID_CURSOR", id="json-null"),
    ],
)
async def test_bad_page_arguments_are_coded_errors(gql, workspace, items, variables, code):
    # when
    body = await gql(ITEMS, variables, token=workspace.owner.token)
    # then
    assert body["data"] is None
    assert error_codes(body) == [code]
    assert body["errors"][0]["path"] == ["items"]


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [
        pytest.param(None, [{"field": "TITLE"}], id="default-to-title"),
        pytest.param([{"field": "TITLE"}], [{"field": "TITLE", "direction": "DESC"}], id="dir"),
        pytest.param([{"field": "TITLE"}], None, id="title-to-default"),
        pytest.param(
            [{"field": "TYPE"}, {"field": "TITLE"}], [{"field": "TYPE"}], id="fewer-terms"
        ),
    ],
)
async def test_cursor_of_another_ordering_is_refused(gql, workspace, items, issued_for, used_for):
    # given
    token = workspace.owner.token
    cursor = (await page(gql, token, first=2, orderBy=issued_for))["pageInfo"]["endCursor"]
    # when
    body = await gql(ITEMS, {"first": 2, "after": cursor, "orderBy": used_for}, token=token)
    # then
    assert error_codes(body) == ["INVALID_CURSOR"]
