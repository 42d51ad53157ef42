"""`project.export`: write a design project to a file (graph/jobs/export_formats.py) and
attach it to its `ExportJob` as a `FileAsset`.

The rows are read in keyset pages in one REPEATABLE READ snapshot and streamed through
`Storage.write` (to a temporary file, renamed into place): the worker never holds the
export in memory. Progress is reported after each page. A retried attempt (a failure, or a
worker killed mid-export) writes the whole file again under the same storage key, replacing
anything an earlier attempt left, and finds the `FileAsset` of that key if an earlier attempt
created it: one file and one row per export, whatever happened before.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import select

from graph.jobs.export_formats import EXTENSIONS, WRITERS, ProjectPages
from graph.jobs.progress import SYSTEM, Cancelled, Progress, locked, now
from graph.kernel.ids import to_global_id
from graph.settings import get_settings
from graph.storage import Storage, files_for
from models.exports import ExportFormat, ExportJob
from models.files import FileAsset
from models.jobs import Job as JobModel
from models.jobs import JobStatus
from resolvers.writes import Writer, transaction

# Tests and the demo seed give their own storage; workers use the settings'.
STORAGE: list[Storage] = []


def storage() -> Storage:
    return STORAGE[-1] if STORAGE else files_for(get_settings()).storage


def storage_key(export: ExportJob) -> str:
    """One key per export: every attempt writes (and replaces) the same bytes."""
    ext, _ = EXTENSIONS[export.format]
    return f"{export.organization_id}/exports/{export.id.hex}.{ext}"


def filename(project_name: str, export: ExportJob) -> str:
    ext, _ = EXTENSIONS[export.format]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", project_name).strip("-").lower()[:80] or "project"
    return f"{slug}-export.{ext}"


async def _export_of(progress: Progress, job: JobModel) -> ExportJob:
    async with progress.db.sessions() as session:
        export = await session.scalar(select(ExportJob).where(ExportJob.job_id == job.id))
    if export is None:
        raise LookupError(f"no export for job {job.id}")
    return export


async def write_export(
    pages: ProjectPages, export: ExportJob, store: Storage
) -> tuple[int, str, str]:
    """Stream the export into storage; (size, SHA-256, project name)."""
    project = await pages.project()
    size, checksum = await store.write(storage_key(export), WRITERS[export.format](pages))
    return size, checksum, str(project["name"])


async def attach_file(
    writer: Writer, export: ExportJob, size: int, checksum: str, project_name: str
) -> FileAsset:
    """The export's `FileAsset` (the one of its key if there is one) and the export's link
    to it, through the write path."""
    key = storage_key(export)
    _, mime = EXTENSIONS[export.format]
    values = {"size_bytes": size, "checksum_sha256": checksum}
    file = await writer.session.scalar(
        select(FileAsset).where(FileAsset.storage_key == key).with_for_update()
    )
    if file is None:
        file = await writer.create(
            FileAsset(
                organization_id=export.organization_id,
                owner_id=export.requested_by_id,
                filename=filename(project_name, export),
                storage_key=key,
                mime_type=mime,
                meta_data={
                    "export": to_global_id("ExportJob", export.id),
                    "project": to_global_id("Project", export.project_id),
                    "format": export.format.value,
                },
                **values,
            )
        )
    else:
        file = await writer.update(file, values)
    await writer.update(export, {"result_file_id": file.id, "completed_at": now(), "error": None})
    return file


async def run_export(progress: Progress, job: JobModel) -> dict[str, Any]:
    export = await _export_of(progress, job)
    params = export.parameters
    batch = int(params.get("batchSize", 500))
    pause = int(params.get("pauseMilliseconds", 0)) / 1000
    state = {"rows": 0, "of": 1}

    async def on_page(entity: str, rows: int) -> None:
        state["rows"] += rows
        percent = min(99, state["rows"] * 100 // max(state["of"], 1))
        await progress.report(percent, {"phase": entity, "rows": state["rows"], "of": state["of"]})
        if pause:
            await asyncio.sleep(pause)

    async with progress.db.sessions() as session:
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        pages = ProjectPages(
            session,
            export.project_id,
            export.organization_id,
            batch_size=batch,
            include_descriptions=bool(params.get("includeDescriptions", True)),
            on_page=on_page,
        )
        counts = await pages.counts()
        wanted = counts.values() if export.format is not ExportFormat.GRAPHML else (
            counts["objects"], counts["relationships"]
        )  # fmt: skip
        state["of"] = sum(wanted)
        size, checksum, name = await write_export(pages, export, storage())
    async with transaction(progress.db.sessions, SYSTEM) as writer:
        row = await locked(writer, job.id)
        if row is None or row.status is not JobStatus.RUNNING:
            raise Cancelled
        mine = await writer.session.get(ExportJob, export.id, with_for_update=True)
        if mine is None:
            raise Cancelled
        file = await attach_file(writer, mine, size, checksum, name)
    return {
        "file": to_global_id("FileAsset", file.id),
        "sizeBytes": size,
        "sha256": checksum,
        "counts": counts,
    }


async def export_failed(writer: Writer, job: JobModel, error: str) -> None:
    """The job failed for good: the export says why (in the same transaction)."""
    export = await writer.session.scalar(
        select(ExportJob).where(ExportJob.job_id == job.id).with_for_update()
    )
    if export is not None:
        await writer.update(export, {"error": error})
