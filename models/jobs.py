"""Background jobs a user can see: one row per job asked for through the API.

The queue itself is procrastinate's (its ``procrastinate_*`` tables, created by migration
0008 from the library's own schema SQL); this row is what the API shows and what the change
stream carries: who asked for what, how far it got, how it ended. ``queue_job_id`` links the
two. Both are written in the transaction of the mutation that asks for the job, so a
rolled-back mutation leaves neither and a committed one leaves both.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import JSON, Base, member_of


class JobStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A job in one of these states never changes again.
FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(Base):
    __tablename__ = "jobs"
    __frozen_when_archived__ = False

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # The job outlives the account that asked for it.
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, name="job_status", values_callable=lambda e: [m.value for m in e]),
        server_default=JobStatus.QUEUED.value,
    )
    progress: Mapped[int] = mapped_column(server_default="0")
    attempts: Mapped[int] = mapped_column(server_default="0")
    error: Mapped[str | None]
    parameters: Mapped[JSON]
    result: Mapped[dict[str, Any] | None]
    queued_at: Mapped[datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # procrastinate_jobs.id (no foreign key: the queue's tables are the library's, and it
    # may delete finished jobs).
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("jobs_organization_id_created_at_idx", "organization_id", "created_at", "id"),
        Index("jobs_organization_id_status_idx", "organization_id", "status"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id)


__all__ = ["FINISHED", "Job", "JobStatus"]
