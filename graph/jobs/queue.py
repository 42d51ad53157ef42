"""Deferring and cancelling queue jobs inside the caller's transaction.

procrastinate defers a job with its SQL function `procrastinate_defer_jobs_v1` (what its own
`JobManager.defer_job_async` runs through a connection of its own); calling that function on
the mutation's SQLAlchemy session instead puts the queue row in the mutation's transaction:
a rolled-back mutation leaves no job, and the queue's NOTIFY that wakes the workers is sent
only at commit. Nothing here imports the resolvers or the schema, so the write path can use
it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

# procrastinate task names: the blueprint's names in the "trellis" namespace (graph/jobs/tasks.py).
NAMESPACE = "trellis"
RUN_JOB = f"{NAMESPACE}:run_job"
QUEUE = "default"

_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), 0, NULL, NULL, :args, NULL"
    ")::procrastinate_job_to_defer_v1])) AS id"
).bindparams(bindparam("args", type_=JSONB))

# abort => a running job is asked to stop (its worker polls for that); delete_job => no.
_CANCEL = text("SELECT procrastinate_cancel_job_v1(:job_id, true, false)")


async def defer(session: AsyncSession, task: str, args: dict[str, Any]) -> int:
    """Queue ``task(**args)`` in the session's transaction; the queue job's id."""
    result = await session.execute(_DEFER, {"queue": QUEUE, "task": task, "args": args})
    return int(result.scalar_one())


async def defer_job(session: AsyncSession, job_id: uuid.UUID) -> int:
    """Queue the run of a user-visible `Job` row (written in the same transaction)."""
    return await defer(session, RUN_JOB, {"job_id": str(job_id)})


async def cancel(session: AsyncSession, queue_job_id: int) -> None:
    """Cancel a queued job, or ask its worker to abort it, in the session's transaction."""
    await session.execute(_CANCEL, {"job_id": queue_job_id})
