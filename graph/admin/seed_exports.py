"""Demo data for exports: a finished Markdown export of the demo design project, requested by
its owner, written by the export job's own code (graph/jobs/exports.py) into the storage
backend, with its `FileAsset` and its succeeded `Job`. Deterministic: fixed ids and times (a
reload overwrites the same storage key)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from graph.jobs.export_formats import EXTENSIONS, ProjectPages
from graph.jobs.exports import filename, storage_key, write_export
from graph.kernel.ids import to_global_id
from graph.storage import Storage
from models.design import Project
from models.exports import ExportFormat, ExportJob
from models.files import FileAsset
from models.jobs import Job, JobStatus
from resolvers.jobs import PROJECT_EXPORT

EPOCH = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NAMESPACE = uuid.UUID("5b0a3f5e-8c1d-4a55-9f0e-6e1f2d3c4b5a")


async def seed_exports(
    session: AsyncSession, storage: Storage, organization_id: uuid.UUID, owner_id: uuid.UUID
) -> None:
    project = await session.scalar(
        select(Project)
        .where(Project.organization_id == organization_id)
        .order_by(Project.created_at, Project.id)
        .limit(1)
    )
    if project is None:
        return
    fmt = ExportFormat.MARKDOWN
    parameters = {
        "project": to_global_id("Project", project.id),
        "format": fmt.value,
        "includeDescriptions": True,
        "batchSize": 500,
        "pauseMilliseconds": 0,
    }
    job = Job(
        id=uuid.uuid5(NAMESPACE, f"job:{project.id}"),
        organization_id=organization_id,
        requested_by_id=owner_id,
        kind=PROJECT_EXPORT,
        status=JobStatus.SUCCEEDED,
        progress=100,
        attempts=1,
        parameters=parameters,
        queued_at=EPOCH,
        started_at=EPOCH + timedelta(seconds=1),
        finished_at=EPOCH + timedelta(seconds=2),
    )
    export = ExportJob(
        id=uuid.uuid5(NAMESPACE, f"export:{project.id}"),
        project_id=project.id,
        organization_id=organization_id,
        job_id=job.id,
        requested_by_id=owner_id,
        format=fmt,
        parameters=parameters,
        completed_at=EPOCH + timedelta(seconds=2),
    )
    session.add(job)
    await session.flush()
    pages = ProjectPages(session, project.id, organization_id)
    size, checksum, name = await write_export(pages, export, storage)
    file = FileAsset(
        organization_id=organization_id,
        owner_id=owner_id,
        filename=filename(name, export),
        storage_key=storage_key(export),
        mime_type=EXTENSIONS[fmt][1],
        size_bytes=size,
        checksum_sha256=checksum,
        meta_data={
            "export": to_global_id("ExportJob", export.id),
            "project": parameters["project"],
            "format": fmt.value,
        },
    )
    session.add(file)
    await session.flush()
    export.result_file_id = file.id
    session.add(export)
    counts = await pages.counts()
    job.result = {
        "file": to_global_id("FileAsset", file.id),
        "sizeBytes": size,
        "sha256": checksum,
        "counts": counts,
    }
    await session.flush()
