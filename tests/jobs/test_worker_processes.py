"""Real `trellis worker` processes: a worker SIGKILLed mid-job loses nothing, the job
completes on another worker, and its effects are not done twice."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import URL

from graph.database import Database
from models.jobs import Job as JobModel
from models.jobs import JobStatus
from tests.catalog.conftest import Workspace
from tests.factories import gid
from tests.jobs.conftest import JOB_FIELDS
from tests.servers import running_worker

# Heartbeats every 0.2 s, a worker silent for 1 s is dead, checked every 0.3 s: a dead
# worker's job is queued again about a second after the kill.
WORKER_ENV = {
    "TRELLIS_WORKER_HEARTBEAT": "0.2",
    "TRELLIS_WORKER_STALLED": "1",
    "TRELLIS_WORKER_STALLED_CHECK": "0.3",
    "TRELLIS_WORKER_POLL": "0.5",
}

START = f"""
mutation Start($input: JobChangeCountStartInput!) {{
  jobChangeCountStart(input: $input) {{
    __typename
    ... on JobSuccess {{ job {{ {JOB_FIELDS} }} }}
  }}
}}
"""


async def _job(db: Database, job_id: str) -> JobModel:
    async with db.sessions() as session:
        pk = (await session.scalars(select(JobModel.id))).all()
        [found] = [p for p in pk if gid("Job", p) == job_id]
        job = await session.get(JobModel, found)
        assert job is not None
        return job


async def _until(
    check: Callable[[], Awaitable[Any]], *, seconds: float, what: str, log: Path
) -> Any:
    """Poll ``check`` until it returns a true value (no fixed sleeps: every 50 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}:\n{_read(log)}")


def _read(log: Path) -> str:
    return log.read_text()


async def test_a_sigkilled_workers_job_completes_on_another_worker(
    gql: Any, db: Database, database_url: URL, workspace: Workspace, tmp_path: Path
) -> None:
    # given: 12 recorded changes, and a job counting them one per step, 0.15 s apart
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
    job_id = body["data"]["jobChangeCountStart"]["job"]["id"]
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    with running_worker(database_url, first_log, env=WORKER_ENV) as first:
        # when: the first worker is killed once the job is under way

        async def under_way() -> bool:
            job = await _job(db, job_id)
            return job.status is JobStatus.RUNNING and job.progress > 0

        await _until(under_way, seconds=30, what="the job to start", log=first_log)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        progress_at_kill = (await _job(db, job_id)).progress
        assert progress_at_kill < 100

        # then: another worker takes it over and finishes it
        with running_worker(database_url, second_log, env=WORKER_ENV):

            async def finished() -> JobModel | None:
                job = await _job(db, job_id)
                return job if job.status is JobStatus.SUCCEEDED else None

            job = await _until(finished, seconds=45, what="the job to finish", log=second_log)

    assert job.attempts == 2
    assert job.progress == 100
    assert job.error is None
    # each change counted once, whatever the first worker had done before it died: the 12
    # tags, and the job's own creation and first start (recorded before it began counting)
    assert job.result == {"total": 14, "byEntityType": {"Tag": 12, "Job": 2}}
