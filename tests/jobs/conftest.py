"""The jobs tests' starting points: a workspace, the queue's rows, and running the queue
in the test's own process (one in-process worker until the queue is empty)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from graph.database import Database
from graph.jobs.worker import build_app
from tests.catalog.conftest import Workspace
from tests.factories import Factory

JOB_FIELDS = """
    id kind status progress attempts error parameters result queuedAt startedAt finishedAt
    organization { id } requestedBy { id }
"""


@pytest.fixture
async def workspace(factory: Factory) -> Workspace:
    org = await factory.organization(name="Jobs Inc", slug="jobs-inc")
    return Workspace(
        org=org,
        owner=await factory.member(org, "OWNER"),
        editor=await factory.member(org, "EDITOR"),
        viewer=await factory.member(org, "VIEWER"),
    )


@pytest.fixture(autouse=True)
async def _empty_queue(db: Database) -> AsyncIterator[None]:
    """procrastinate's tables are not in our models, so the suite's cleaning skips them."""
    yield
    async with db.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs")
        )
        await conn.execute(text("DELETE FROM procrastinate_workers"))


async def queue_rows(db: Database) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT id, task_name, status::text, args, attempts FROM procrastinate_jobs "
                "WHERE task_name = 'trellis:run_job'"
            )
        )
        return [dict(r._mapping) for r in rows]


def conninfo(db: Database) -> str:
    return db.url.set(drivername="postgresql").render_as_string(hide_password=False)


async def run_queue(db: Database) -> None:
    """Run every queued job with an in-process worker, then return."""
    app = build_app(conninfo(db))
    async with app.open_async():
        await app.run_worker_async(
            wait=False,
            concurrency=1,
            additional_context={"db": db},
            install_signal_handlers=False,
            listen_notify=False,
        )
