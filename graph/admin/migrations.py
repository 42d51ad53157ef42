"""Alembic, driven from Python: `trellis migrate`, the test suite and /readyz use these."""

from __future__ import annotations

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from graph.settings import PROJECT_ROOT


def alembic_config(url: URL | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic" / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if url is not None:
        config.set_main_option(
            "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def upgrade(url: URL, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: URL, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def behind_message(current: str | None, head: str | None) -> str:
    return (
        f"database at revision {current or 'none (empty)'}, code expects {head}: "
        "run `trellis migrate`"
    )


async def revision_problem(engine: AsyncEngine) -> str | None:
    """Why the database's schema does not fit this code (None: it is at head)."""
    current, head = await current_revision(engine), head_revision()
    return None if current == head else behind_message(current, head)


def revision(message: str) -> None:
    """Autogenerate a new revision from the models (`make migration name=...`)."""
    import asyncio

    from graph.database import database_url, ensure_database
    from graph.settings import get_settings

    url = database_url(get_settings())
    asyncio.run(ensure_database(url))
    command.revision(alembic_config(url), message=message, autogenerate=True)
