"""Fixtures for the history tests: a workspace with a member of each role, two tenants side
by side, raw SQL for what only the database shows, and the mutations that make history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text

from graph.database import Database
from tests.catalog.conftest import workspace  # noqa: F401  (re-exported fixture)
from tests.factories import Factory
from tests.tenancy_helpers import World, build_world

ITEM_CREATE = """
mutation ItemCreate($input: ItemCreateInput!) {
  itemCreate(input: $input) {
    __typename
    ... on ItemSuccess { item { id updatedAt } }
  }
}
"""

ITEM_UPDATE = """
mutation ItemUpdate($input: ItemUpdateInput!) {
  itemUpdate(input: $input) {
    __typename
    ... on ItemSuccess { item { id updatedAt } }
    ... on Error { code }
  }
}
"""

Gql = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def world(factory: Factory, db: Database) -> World:
    return await build_world(factory, db)


@pytest.fixture
def sql(db: Database) -> Callable[..., Awaitable[list[Any]]]:
    """Run one SQL statement outside the API; returns its rows."""

    async def run(statement: str, **params: Any) -> list[Any]:
        async with db.read_engine.connect() as conn:
            return list((await conn.execute(text(statement), params)).all())

    return run


async def create_item(gql: Gql, token: str, organization: str, title: str) -> dict[str, Any]:
    """Create an item through the API; returns it (id, updatedAt)."""
    body = await gql(
        ITEM_CREATE, {"input": {"organization": organization, "title": title}}, token=token
    )
    payload = body["data"]["itemCreate"]
    assert payload["__typename"] == "ItemSuccess", body
    item: dict[str, Any] = payload["item"]
    return item


async def update_item(gql: Gql, token: str, item_id: str, **values: Any) -> dict[str, Any]:
    """Update an item through the API; returns the payload."""
    body = await gql(ITEM_UPDATE, {"input": {"id": item_id, **values}}, token=token)
    payload: dict[str, Any] = body["data"]["itemUpdate"]
    return payload
