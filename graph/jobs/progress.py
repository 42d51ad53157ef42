"""A running user-visible job's handle on its `Job` row: progress reports (each its own
short transaction through the write path) and cancellation. Shared by the job handlers
(graph/jobs/tasks.py, graph/jobs/exports.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from graph.database import Database
from models.jobs import Job as JobModel
from models.jobs import JobStatus
from models.viewer import Viewer
from resolvers.writes import Writer, transaction

# The worker's writes are the system's, not a user's: no actor in the change log.
SYSTEM = Viewer(is_superuser=True)


class Cancelled(Exception):
    """The job was cancelled (or finished elsewhere) while it ran."""


def now() -> datetime:
    return datetime.now(UTC)


async def locked(writer: Writer, job_id: uuid.UUID) -> JobModel | None:
    stmt = select(JobModel).where(JobModel.id == job_id).with_for_update()
    return (await writer.session.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class Progress:
    """A running job's handle on its row."""

    db: Database
    job_id: uuid.UUID

    async def report(self, percent: int, checkpoint: dict[str, Any]) -> None:
        """Commit how far the job got; raises `Cancelled` if it should stop."""
        async with transaction(self.db.sessions, SYSTEM) as writer:
            job = await locked(writer, self.job_id)
            if job is None or job.status is not JobStatus.RUNNING:
                raise Cancelled
            await writer.update(job, {"progress": max(0, min(100, percent)), "result": checkpoint})
