"""Background jobs: asking for one, cancelling one, reading them.

A job is queued in the transaction of the mutation that asks for it: the `Job` row through
the Writer (so it is in the change log, the history and the change stream) and the queue
row by procrastinate's defer function on the same session (graph/jobs/queue.py). Starting
a `changes.count` job needs `audit:read` in the organization (OWNER and ADMIN: the job reads
the audit log) and a credential that may write. Whoever asked for a job may cancel it (a
project VIEWER its own export); cancelling someone else's needs `audit:read`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import strawberry

import models
from graph.context import Info
from graph.jobs import queue
from graph.kernel.errors import Conflict, MutationInput, PermissionDenied
from graph.kernel.fields import by_id, root_list
from graph.types.jobs import (
    Job,
    JobCancelInput,
    JobCancelPayload,
    JobChangeCountStartInput,
    JobConnection,
    JobStartPayload,
    JobSuccess,
)
from loaders.base import to_node
from models.jobs import FINISHED, JobStatus
from models.jobs import Job as JobModel
from resolvers.validation import Checks, FieldChecks, in_range, required
from resolvers.writes import Writer, mutate

# Kinds of user-visible jobs (graph/jobs/tasks.py runs them).
CHANGE_COUNT = "changes.count"
PROJECT_EXPORT = "project.export"
PERMISSION = "audit:read"

CHANGE_COUNT_FIELDS = FieldChecks(
    batch_size=required(in_range(1, 5000)),
    pause_milliseconds=required(in_range(0, 10_000)),
)


def _require(writer: Writer, organization_id: uuid.UUID) -> None:
    writer.require(PERMISSION, organization_id)
    if not writer.viewer.may_write():
        raise PermissionDenied("write")


async def enqueue(
    writer: Writer, *, organization_id: uuid.UUID, kind: str, parameters: dict[str, Any]
) -> JobModel:
    """A `Job` row and its queue job, both in the writer's transaction."""
    job_id = uuid.uuid4()
    queue_job_id = await queue.defer_job(writer.session, job_id)
    return await writer.create(
        JobModel(
            id=job_id,
            organization_id=organization_id,
            requested_by_id=writer.viewer.user_id,
            kind=kind,
            parameters=parameters,
            queue_job_id=queue_job_id,
        )
    )


async def start_change_count(writer: Writer, data: JobChangeCountStartInput) -> JobModel:
    org = await writer.get(
        models.Organization,
        data.organization,
        type_name="Organization",
        path=("organization",),
        lock=False,
    )
    _require(writer, org.id)
    checks = Checks()
    values = CHANGE_COUNT_FIELDS.create(checks, data)
    checks.done()
    parameters = {
        "batchSize": values["batch_size"],
        "pauseMilliseconds": values["pause_milliseconds"],
    }
    return await enqueue(writer, organization_id=org.id, kind=CHANGE_COUNT, parameters=parameters)


async def cancel_job(writer: Writer, *, id: str) -> JobModel:
    job = await writer.get(JobModel, id, type_name="Job")
    if job.requested_by_id is None or job.requested_by_id != writer.viewer.user_id:
        _require(writer, job.organization_id)
    elif not writer.viewer.may_write():
        raise PermissionDenied("write")
    if job.status in FINISHED:
        raise Conflict(f"This job has {job.status.value} already; it cannot be cancelled.", ("id",))
    if job.queue_job_id is not None:
        await queue.cancel(writer.session, job.queue_job_id)
    return await writer.update(
        job, {"status": JobStatus.CANCELLED, "finished_at": datetime.now(UTC)}
    )


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class JobsQuery:
    job: Job | None = by_id(description="A background job you can see, by ID.")
    jobs: JobConnection = root_list(
        description="Background jobs you can see, across your organizations, newest first."
    )


def _job(obj: Any) -> JobSuccess:
    return JobSuccess(job=to_node(Job, obj))


@strawberry.type
class JobsMutation:
    @strawberry.mutation(
        description="Queue a job counting an organization's recorded changes per entity type "
        "(OWNER and ADMIN). Queued with this mutation's transaction; follow it with "
        "`nodeChanged(id:)`."
    )
    async def job_change_count_start(
        self, info: Info, input: MutationInput[JobChangeCountStartInput]
    ) -> JobStartPayload:
        return await mutate(info, lambda w: start_change_count(w, input), _job)

    @strawberry.mutation(
        description="Cancel a queued or running job: your own, or (OWNER and ADMIN) any job "
        "of the organization. A finished job is refused with a ConflictError."
    )
    async def job_cancel(
        self, info: Info, input: MutationInput[JobCancelInput]
    ) -> JobCancelPayload:
        return await mutate(info, lambda w: cancel_job(w, id=input.id), _job)
