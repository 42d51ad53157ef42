"""Purging soft-deleted rows once their retention window has passed.

A soft-deleted aggregate root (an organization, an item, a project, a property, a client, a
tag...) can be restored by an OWNER or ADMIN for `TRELLIS_DELETED_RETENTION` seconds
(resolvers/archive.py); after that, the hourly housekeeping task deletes it for good, and
its children with it (their foreign keys cascade). Its deletion was recorded in the change
history when it happened; the purge itself is not a change anyone made and records nothing.
Accounts (users) are not purged here: removing a person's account has its own rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete

from graph.database import Database
from models.accounts import User
from models.base import Base, SoftDeleteMixin


def purgeable() -> list[type[Any]]:
    """The soft-deleted tables purged, children before the aggregates they hang off (so a
    purged organization's own rows are counted as theirs, not as cascades)."""
    models = {
        mapper.class_
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, SoftDeleteMixin) and mapper.class_ is not User
    }
    order = {table: n for n, table in enumerate(reversed(Base.metadata.sorted_tables))}
    return sorted(models, key=lambda model: order[model.__table__])


async def purge_deleted(db: Database, *, retention: timedelta) -> dict[str, int]:
    """Delete every row soft-deleted before ``retention`` ago; the rows purged, per table."""
    cutoff = datetime.now(UTC) - retention
    purged: dict[str, int] = {}
    async with db.engine.begin() as conn:
        for model in purgeable():
            stmt = delete(model).where(model.deleted_at < cutoff)
            result = await conn.execute(stmt)
            if result.rowcount:
                purged[model.__tablename__] = result.rowcount
    return purged
