"""Helpers shared by the catalog and relay tests: a workspace to start from, raw SQL to check
what the database holds, and small readers of GraphQL answers."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

import models
from graph.database import Database
from tests.conftest import row_count
from tests.factories import Factory, Member, gid

# The fields every mutation test reads from a payload: the success member says itself by
# __typename, each error member by its code, path and details.
PAYLOAD_ERRORS = """
    ... on Error { message code path }
    ... on ValidationError { fields { path code } }
    ... on NotFoundError { id }
    ... on PermissionDeniedError { permission }
"""


@dataclass
class Workspace:
    """One organization with a member of each built-in role."""

    org: models.Organization
    owner: Member
    editor: Member
    viewer: Member

    @property
    def org_id(self) -> str:
        return gid("Organization", self.org.id)


@pytest.fixture
async def workspace(factory: Factory) -> Workspace:
    org = await factory.organization(name="Acme", slug="acme")
    return Workspace(
        org=org,
        owner=await factory.member(org, "OWNER"),
        editor=await factory.member(org, "EDITOR"),
        viewer=await factory.member(org, "VIEWER"),
    )


@pytest.fixture
def sql(db: Database) -> Any:
    """Run one SQL statement outside the API; returns its rows."""

    async def run(statement: str, **params: Any) -> list[Any]:
        async with db.read_engine.connect() as conn:
            return list((await conn.execute(text(statement), params)).all())

    return run


def b64(raw: str) -> str:
    """An ID or cursor made by hand, encoded like the server's."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def item_ids(*items: models.Item) -> list[str]:
    return [gid("Item", i.id) for i in items]


def node_ids(connection: dict[str, Any]) -> list[str]:
    """The IDs of a connection's edges, in order."""
    return [edge["node"]["id"] for edge in connection["edges"]]


def error_codes(body: dict[str, Any]) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def refused(typename: str, code: str, **fields: Any) -> dict[str, Any]:
    """A refused mutation's payload, message left out (see `without_message`)."""
    return {"__typename": typename, "code": code, **fields}


def invalid(path: list[str], code: str) -> dict[str, Any]:
    """A ValidationError about one field."""
    return refused(
        "ValidationError", "VALIDATION", path=path, fields=[{"path": path, "code": code}]
    )


def denied(permission: str | None) -> dict[str, Any]:
    return refused("PermissionDeniedError", "PERMISSION_DENIED", path=[], permission=permission)


def not_found(path: list[str], global_id: str) -> dict[str, Any]:
    return refused("NotFoundError", "NOT_FOUND", path=path, id=global_id)


def without_message(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "message"}


async def catalog_rows(db: Database) -> dict[str, int]:
    """How many rows the catalog tables hold, deleted ones included."""
    return {t: await row_count(db, t) for t in ("items", "item_tags", "tags")}
