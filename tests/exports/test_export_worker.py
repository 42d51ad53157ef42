"""Real `trellis worker` processes: a worker SIGKILLed mid-export loses nothing; the export
completes on another worker, with one file and one `FileAsset`."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import URL

from graph.database import Database
from graph.storage import LocalStorage
from models.design import DesignObject
from models.jobs import Job as JobModel
from models.jobs import JobStatus
from tests.exports.conftest import Matrix, export_rows, read_bytes, start_export
from tests.jobs.test_worker_processes import WORKER_ENV, _until
from tests.servers import running_worker

OBJECTS = 40


async def _job(db: Database, job_id: Any) -> JobModel:
    async with db.sessions() as session:
        job = await session.scalar(select(JobModel).where(JobModel.id == job_id))
        assert job is not None
        return job


async def test_a_sigkilled_workers_export_completes_on_another_worker(
    gql: Any, db: Database, database_url: URL, matrix: Matrix, tmp_path: Path
) -> None:
    # given: 43 objects, exported two rows per step, 0.1 s apart (about 2 s of work)
    p = matrix.studio.project
    async with db.sessions() as session, session.begin():
        await session.execute(insert(DesignObject), [
            {"project_id": p.id, "organization_id": p.organization_id, "name": f"Cell {n}",
             "position_x": n % 10, "position_y": 10 + n // 10}
            for n in range(OBJECTS)
        ])  # fmt: skip
    started = await start_export(
        gql, matrix, matrix.studio.owner.token, format="JSON", batchSize=2, pauseMilliseconds=100
    )
    assert started["__typename"] == "ExportJobSuccess", started
    [export] = (await export_rows(db))[0]
    env = {**WORKER_ENV, "TRELLIS_DATA_DIR": str(tmp_path)}
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    with running_worker(database_url, first_log, env=env) as first:
        # when: the first worker is killed mid-export

        async def under_way() -> bool:
            job = await _job(db, export.job_id)
            return job.status is JobStatus.RUNNING and job.progress > 10

        await _until(under_way, seconds=30, what="the export to start", log=first_log)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert (await _job(db, export.job_id)).progress < 100

        # then: another worker takes it over and finishes it
        with running_worker(database_url, second_log, env=env):

            async def finished() -> JobModel | None:
                job = await _job(db, export.job_id)
                return job if job.status is JobStatus.SUCCEEDED else None

            job = await _until(finished, seconds=45, what="the export to finish", log=second_log)

    assert job.attempts == 2
    assert job.error is None
    [done], files = await export_rows(db)
    [file] = files
    assert done.result_file_id == file.id
    assert done.completed_at is not None
    doc = json.loads(await read_bytes(LocalStorage(tmp_path / "files"), file.storage_key))
    assert len(doc["objects"]) == OBJECTS + 3
    assert len({o["id"] for o in doc["objects"]}) == OBJECTS + 3
    assert job.result is not None
    assert job.result["sizeBytes"] == file.size_bytes
