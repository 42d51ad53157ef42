"""Timestamps leave the API in UTC, whatever time zone the database's sessions default to
(the server's, the database's or the role's setting)."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from graph.database import Database
from graph.server.app import create_app
from tests.factories import Factory, gid

ITEM = "query($id: ID!) { item(id: $id) { createdAt } }"


async def _set_default_zone(url: URL, zone: str | None) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            name = f'"{url.database}"'
            setting = f"SET timezone = '{zone}'" if zone else "RESET timezone"
            await conn.execute(text(f"ALTER DATABASE {name} {setting}"))
    finally:
        await engine.dispose()


async def test_timestamps_are_utc_when_the_session_default_is_not(
    database_url: URL, factory: Factory
) -> None:
    # given: a database whose sessions default to New York time
    org = await factory.organization()
    member = await factory.member(org, role="VIEWER")
    item = await factory.item(member.user, org)
    await _set_default_zone(database_url, "America/New_York")
    db = Database(database_url, pool_size=1)
    app = create_app(database=db)
    app.state.db = db
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            # when
            response = await client.post(
                "/graphql",
                json={"query": ITEM, "variables": {"id": gid("Item", item.id)}},
                headers={"Authorization": f"Bearer {member.token}"},
            )
    finally:
        await db.dispose()
        await _set_default_zone(database_url, None)
    # then
    created = response.json()["data"]["item"]["createdAt"]
    assert created.endswith("+00:00"), created
