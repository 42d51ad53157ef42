"""Migration 0005 creates the realty tables and enums, and its downgrade removes both."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL

from graph.admin import migrations
from graph.database import drop_database, ensure_database, server_url
from graph.settings import get_settings
from tests.realty.conftest import REALTY_TABLES

ENUMS = ("property_status", "media_type", "nurture_status", "interaction_type")


@pytest.fixture
def scratch_url() -> Iterator[URL]:
    url = server_url(get_settings()).set(database=f"trellis_realty_{uuid.uuid4().hex[:8]}")
    asyncio.run(ensure_database(url))
    yield url
    asyncio.run(drop_database(url))


def _state(url: URL) -> tuple[set[str], set[str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names()) & set(REALTY_TABLES)
            enums = {
                row[0]
                for row in conn.execute(
                    text("SELECT typname FROM pg_type WHERE typname = ANY(:names)"),
                    {"names": list(ENUMS)},
                )
            }
            return tables, enums
    finally:
        engine.dispose()


def test_realty_upgrade_and_downgrade(scratch_url):
    # when
    migrations.upgrade(scratch_url, "0005")
    # then
    assert _state(scratch_url) == (set(REALTY_TABLES), set(ENUMS))
    # when
    migrations.downgrade(scratch_url, "0004")
    # then
    assert _state(scratch_url) == (set(), set())
    # and up again
    migrations.upgrade(scratch_url, "0005")
    assert _state(scratch_url) == (set(REALTY_TABLES), set(ENUMS))
