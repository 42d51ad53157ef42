"""Demo data for background jobs: one finished `changes.count` job in the demo organization,
requested by its owner. Deterministic (fixed times and result); no queue job, since it is
finished."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.jobs import Job, JobStatus

EPOCH = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def seed_jobs(session: AsyncSession, organization_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    session.add(
        Job(
            organization_id=organization_id,
            requested_by_id=owner_id,
            kind="changes.count",
            status=JobStatus.SUCCEEDED,
            progress=100,
            attempts=1,
            parameters={"batchSize": 500, "pauseMilliseconds": 0},
            result={"total": 0, "byEntityType": {}},
            queued_at=EPOCH,
            started_at=EPOCH + timedelta(seconds=1),
            finished_at=EPOCH + timedelta(seconds=2),
        )
    )
    await session.flush()
