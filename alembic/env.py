"""Alembic environment: runs migrations over the same async engine the server uses."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Column, Connection, pool
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.types import TypeEngine

import models
from alembic import context
from graph.database import database_url
from graph.settings import get_settings
from models.ai import EmbeddingVector, PgVector

# Reflect pgvector's column type (otherwise an unknown type, and a warning).
ischema_names.setdefault("vector", PgVector)
BRANCH_ONLY_INDEX = "embeddings_vector_hnsw_idx"

config = context.config
target_metadata = models.Base.metadata


def _url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    return database_url(get_settings()).render_as_string(hide_password=False)


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    """procrastinate's tables (migration 0008 creates them from the library's schema SQL)
    are not in our models: autogenerate and `alembic check` leave them alone. Nor is the
    HNSW index of embeddings, which exists only where the server has pgvector (0015_ai)."""
    if type_ == "index" and name == BRANCH_ONLY_INDEX:
        return False
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def _compare_type(
    context: object,
    inspected: Column[Any],
    metadata: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """An embedding's vector is ``vector`` or ``real[]`` as the server allows (migration
    0015_ai chooses at upgrade): both agree with `EmbeddingVector`. Anything else: the default
    comparison."""
    if isinstance(metadata_type, EmbeddingVector):
        return not isinstance(inspected_type, PgVector | ARRAY)
    return None


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=_compare_type,
        compare_server_default=True,
        transaction_per_migration=True,
        include_name=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def run_migrations_online() -> None:
    existing = config.attributes.get("connection")
    if existing is not None:
        _run(existing)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
