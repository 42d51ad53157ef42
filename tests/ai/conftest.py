"""The AI catalog's tests share the catalog's workspace (an organization with a member of
each built-in role) and the jobs tests' in-process queue run."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from graph.database import Database
from tests.catalog.conftest import sql, workspace

__all__ = ["embed_jobs", "sql", "workspace"]


@pytest.fixture(autouse=True)
async def _empty_queue(db: Database) -> AsyncIterator[None]:
    """Contents queue embedding jobs; procrastinate's tables are not emptied by the suite."""
    yield
    async with db.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs")
        )


async def embed_jobs(db: Database) -> list[str]:
    """The content IDs (UUIDs) of the queued embedding jobs."""
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT args->>'content_id' FROM procrastinate_jobs "
                "WHERE task_name = 'trellis:embed_content' AND status = 'todo' ORDER BY id"
            )
        )
        return [r[0] for r in rows]
