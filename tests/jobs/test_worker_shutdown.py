"""A `trellis worker` on SIGTERM: its running job finishes within the grace period
(`TRELLIS_SHUTDOWN_GRACE`), or is cancelled and released to another worker, which completes
it counting nothing twice."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from graph.database import Database
from models.jobs import Job as JobModel
from models.jobs import JobStatus
from tests.catalog.conftest import Workspace
from tests.jobs.test_worker_processes import START, WORKER_ENV, _job, _until
from tests.servers import running_worker

pytestmark = pytest.mark.slow


async def _start_job(gql: Any, workspace: Workspace) -> str:
    """A job counting 12 tags (and its own two changes) one per step, 0.15 s apart."""
    for n in range(12):
        body = await gql(
            "mutation($i: TagCreateInput!) { tagCreate(input: $i) { __typename } }",
            {"i": {"organization": workspace.org_id, "name": f"t{n}"}},
            token=workspace.owner.token,
        )
        assert body["data"]["tagCreate"]["__typename"] == "TagSuccess"
    body = await gql(
        START,
        {"input": {"organization": workspace.org_id, "batchSize": 1, "pauseMilliseconds": 150}},
        token=workspace.owner.token,
    )
    return str(body["data"]["jobChangeCountStart"]["job"]["id"])


async def test_a_sigtermed_worker_finishes_its_job_within_the_grace_period(
    gql: Any, db: Database, database_url: URL, workspace: Workspace, tmp_path: Path
) -> None:
    # given
    job_id = await _start_job(gql, workspace)
    log = tmp_path / "worker.log"
    with running_worker(
        database_url, log, env={**WORKER_ENV, "TRELLIS_SHUTDOWN_GRACE": "30"}
    ) as worker:

        async def under_way() -> bool:
            job = await _job(db, job_id)
            return job.status is JobStatus.RUNNING and job.progress > 0

        await _until(under_way, seconds=30, what="the job to start", log=log)
        # when
        worker.send_signal(signal.SIGTERM)
        exit_code = worker.wait(timeout=30)
    # then: it stopped only once the job was done
    job = await _job(db, job_id)
    assert exit_code == 0, log.read_text()
    assert (job.status, job.progress, job.attempts) == (JobStatus.SUCCEEDED, 100, 1)
    assert job.result == {"total": 14, "byEntityType": {"Tag": 12, "Job": 2}}


async def test_a_sigtermed_worker_releases_its_job_after_the_grace_period(
    gql: Any, db: Database, database_url: URL, workspace: Workspace, tmp_path: Path
) -> None:
    # given
    job_id = await _start_job(gql, workspace)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    env = {**WORKER_ENV, "TRELLIS_SHUTDOWN_GRACE": "0.3"}
    with running_worker(database_url, first_log, env=env) as first:

        async def under_way() -> bool:
            job = await _job(db, job_id)
            return job.status is JobStatus.RUNNING and job.progress > 0

        await _until(under_way, seconds=30, what="the job to start", log=first_log)
        # when: SIGTERM, and the job needs longer than the grace period
        os.kill(first.pid, signal.SIGTERM)
        exit_code = first.wait(timeout=15)
        assert (await _job(db, job_id)).progress < 100
        # then: queued again at once (no need to wait for the dead-worker check), it completes
        # on another worker
        with running_worker(
            database_url, second_log, env={**WORKER_ENV, "TRELLIS_WORKER_STALLED": "600"}
        ):

            async def finished() -> JobModel | None:
                job = await _job(db, job_id)
                return job if job.status is JobStatus.SUCCEEDED else None

            job = await _until(finished, seconds=45, what="the job to finish", log=second_log)
    assert exit_code == 0, first_log.read_text()
    assert job.attempts == 2
    assert job.progress == 100
    assert job.result == {"total": 14, "byEntityType": {"Tag": 12, "Job": 2}}
