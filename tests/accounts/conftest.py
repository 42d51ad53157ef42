"""Helpers for the accounts tests: role IDs as a client finds them, and direct row reads for
the effects a client cannot see (hashes, soft-deleted rows)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text

from graph.database import Database

ROLES = "query Roles { roles { nodes { id name } } }"


@pytest.fixture
def role_ids(gql: Any) -> Callable[[str], Awaitable[dict[str, str]]]:
    """Role name -> global ID, from the `roles` query as seen with ``token``."""

    async def fetch(token: str) -> dict[str, str]:
        body = await gql(ROLES, token=token)
        return {role["name"]: role["id"] for role in body["data"]["roles"]["nodes"]}

    return fetch


@pytest.fixture
def sql(db: Database) -> Callable[..., Awaitable[list[Any]]]:
    """Run one SQL statement outside the API (autocommit) and return its rows, if any."""

    async def run(statement: str, **params: Any) -> list[Any]:
        async with db.read_engine.connect() as conn:
            result = await conn.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []

    return run
