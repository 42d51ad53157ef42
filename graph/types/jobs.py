"""Background jobs in the API: the `Job` node, its connection, filter and order, the jobs
of an organization, and the inputs and payloads of the job mutations."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph.kernel.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from graph.kernel.fields import to_many, to_one
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    StringFilter,
    by,
    entity_filter,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import Organization, User
from loaders.paging import OrderTerm
from models.jobs import Job as JobModel
from models.jobs import JobStatus

strawberry.enum(
    JobStatus,
    description="Where a job is: QUEUED (waiting for a worker, or for its next attempt after "
    "a failure or a worker's death), RUNNING, SUCCEEDED, FAILED (its last attempt failed), "
    "CANCELLED (by `jobCancel`). The last three are final.",
)

JobStatusFilter = EnumFilter[JobStatus]


@node_type
@strawberry.type(
    description="A background job asked for through the API, run by a `trellis worker` "
    "process. Its changes (status, progress, attempts) are in the change stream: follow one "
    "with `nodeChanged(id:)`."
)
class Job(Node):
    __model__ = JobModel

    organization_id: strawberry.Private[uuid.UUID]
    requested_by_id: strawberry.Private[uuid.UUID | None]
    kind: str = strawberry.field(
        description="What the job does, e.g. `changes.count` (see `jobChangeCountStart`)."
    )
    status: JobStatus
    progress: int = strawberry.field(description="0-100, as the job last reported it.")
    attempts: int = strawberry.field(
        description="Runs started so far; more than 1 after a failure or a worker's death "
        "(a job resumes from where it was, without doing its effects twice)."
    )
    error: str | None = strawberry.field(
        description="The last failed attempt's error; null after a success."
    )
    parameters: JSON = strawberry.field(description="What the job was asked to do.")
    result: JSON | None = strawberry.field(
        description="What the job produced (while it runs: how far it got)."
    )
    queued_at: datetime = strawberry.field(description="When the job was asked for.")
    started_at: datetime | None = strawberry.field(
        description="When its latest attempt started; null until a worker takes it."
    )
    finished_at: datetime | None = strawberry.field(
        description="When it succeeded, failed for good or was cancelled."
    )
    created_at: datetime
    updated_at: datetime

    organization: Organization | None = to_one("organization_id")
    requested_by: User | None = to_one(
        "requested_by_id",
        description="Who asked for the job; null if you cannot see them (or they are gone).",
    )


@strawberry.input(description="Filter jobs; all given conditions must hold.")
@entity_filter
class JobFilter(EntityFilter):
    id: IDFilter | None = on(JobModel.id, ref="Job")
    organization: IDFilter | None = on(JobModel.organization_id, ref="Organization")
    requested_by: IDFilter | None = on(JobModel.requested_by_id, ref="User")
    kind: StringFilter | None = on(JobModel.kind)
    status: JobStatusFilter | None = on(JobModel.status)
    progress: IntFilter | None = on(JobModel.progress)
    created_at: DateTimeFilter | None = on(JobModel.created_at)
    finished_at: DateTimeFilter | None = on(
        JobModel.finished_at, description="`{isNull: true}`: not finished."
    )


@strawberry.enum(description="Fields jobs can be ordered by. NULLs (not finished) sort last.")
class JobOrderField(enum.Enum):
    CREATED_AT = by(JobModel.created_at)
    UPDATED_AT = by(JobModel.updated_at)
    FINISHED_AT = by(JobModel.finished_at)


@strawberry.input(description="One ordering term for jobs.")
class JobOrder(OrderBy[JobOrderField]):
    pass


@strawberry.type(description="A page of jobs.")
class JobConnection(
    Connection[Job],
    filter=JobFilter,
    order=JobOrder,
    default_order=OrderTerm(JobModel.created_at, descending=True),
):
    pass


@strawberry.type
class JobsOrganizationFields:
    """Background jobs' fields of an organization (composed in graph.schema)."""

    jobs: JobConnection = to_many(
        JobModel.organization_id,
        description="The organization's background jobs, newest first by default.",
    )


# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads


@strawberry.input(
    description="Count an organization's recorded changes per entity type, in the "
    "background (OWNER and ADMIN: it reads the audit log). The result is "
    '`{"total": n, "byEntityType": {"Item": n, ...}}`.'
)
class JobChangeCountStartInput:
    organization: strawberry.ID
    batch_size: int = strawberry.field(
        default=500, description="Changes read per step (one progress report each): 1-5000."
    )
    pause_milliseconds: int = strawberry.field(
        default=0, description="A pause after each step, 0-10000 (to pace a large count)."
    )


@strawberry.input(
    description="Cancel a queued or running job (as its starting needed). A running job "
    "stops at its next progress report."
)
class JobCancelInput:
    id: strawberry.ID


@strawberry.type(description="The job, as the mutation left it.")
class JobSuccess:
    job: Job


JobStartPayload = Annotated[
    JobSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("JobStartPayload", description="A job was queued, or why not."),
]
JobCancelPayload = Annotated[
    JobSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "JobCancelPayload",
        description="The cancelled job, or why not (ConflictError: it has finished already).",
    ),
]
