"""The realty tests' starting points: a brokerage workspace and async factories for its rows
(inserted directly, not through the API), plus readers of what the database holds."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, text

from graph.database import Database
from models.realty import (
    Client,
    Interaction,
    InteractionType,
    MediaType,
    Property,
    PropertyMedia,
    client_interested_properties,
)
from tests.catalog.conftest import Workspace
from tests.conftest import row_count
from tests.factories import Factory

_seq = itertools.count(1)

REALTY_TABLES = (
    "properties",
    "property_media",
    "clients",
    "client_interested_properties",
    "interactions",
)


@pytest.fixture
async def workspace(factory: Factory) -> Workspace:
    org = await factory.organization(name="Brokerage", slug="brokerage")
    return Workspace(
        org=org,
        owner=await factory.member(org, "OWNER"),
        editor=await factory.member(org, "EDITOR"),
        viewer=await factory.member(org, "VIEWER"),
    )


async def _add(db: Database, obj: Any) -> Any:
    async with db.sessions() as session, session.begin():
        session.add(obj)
    return obj


async def create_property(db: Database, organization: Any, **overrides: Any) -> Property:
    n = next(_seq)
    values: dict[str, Any] = {
        "organization_id": organization.id,
        "title": f"Property {n}",
        "address": f"{n} Main Street",
        "price": Decimal("100000.00"),
    }
    values.update(overrides)
    prop: Property = await _add(db, Property(**values))
    return prop


async def create_media(db: Database, prop: Property, **overrides: Any) -> PropertyMedia:
    n = next(_seq)
    values: dict[str, Any] = {
        "organization_id": prop.organization_id,
        "property_id": prop.id,
        "type": MediaType.IMAGE,
        "url": f"media/{n}.jpg",
    }
    values.update(overrides)
    media: PropertyMedia = await _add(db, PropertyMedia(**values))
    return media


async def create_client(db: Database, organization: Any, **overrides: Any) -> Client:
    n = next(_seq)
    values: dict[str, Any] = {"organization_id": organization.id, "name": f"Client {n}"}
    values.update(overrides)
    client: Client = await _add(db, Client(**values))
    return client


async def create_interaction(
    db: Database, client: Client, user: Any, **overrides: Any
) -> Interaction:
    values: dict[str, Any] = {
        "organization_id": client.organization_id,
        "client_id": client.id,
        "user_id": user.id if user is not None else None,
        "type": InteractionType.CALL,
    }
    values.update(overrides)
    assert "occurred_at" in values, "give occurred_at: tests compare times"
    interaction: Interaction = await _add(db, Interaction(**values))
    return interaction


async def add_interest(db: Database, client: Client, *props: Property) -> None:
    """Links made straight in the database (across organizations too, if a test asks)."""
    async with db.sessions() as session, session.begin():
        await session.execute(
            insert(client_interested_properties),
            [
                {"client_id": client.id, "property_id": p.id, "organization_id": p.organization_id}
                for p in props
            ],
        )


async def realty_rows(db: Database) -> dict[str, int]:
    """How many rows each realty table holds, deleted ones included."""
    return {t: await row_count(db, t) for t in REALTY_TABLES}


async def realty_snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every realty table: equal before and after means nothing changed."""
    rows = {}
    async with db.read_engine.connect() as conn:
        for table in REALTY_TABLES:
            result = await conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
            rows[table] = [tuple(r) for r in result.all()]
    return rows
