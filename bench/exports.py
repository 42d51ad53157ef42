"""The memory of a large export: a 5,000-object project exported in every format by a real
`trellis worker` process, whose peak RSS (`VmHWM` in /proc/<pid>/status) is measured.

    .venv/bin/python -m bench.exports                  # 5,000 objects, every format
    .venv/bin/python -m bench.exports --objects 20000 --formats json,csv

The project (in its own database, `trellis_bench_exports`, rebuilt each run): ``--objects``
objects with 300-character descriptions, two relationships, one call to action and two
attributes per object. Each format runs in a fresh worker (so each peak is that export's);
an idle worker's peak is the baseline. Exits 1 if an export fails or a worker's peak passes
``--limit-mb`` (200 by default).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.engine import URL

import models
from graph.admin import migrations
from graph.database import Database, drop_database, ensure_database, server_url
from graph.jobs.progress import SYSTEM
from graph.settings import PROJECT_ROOT, get_settings
from models.design import Attribute, CallToAction, DesignObject, Project, Relationship
from models.exports import ExportFormat, ExportJob
from models.files import FileAsset
from models.jobs import Job, JobStatus
from resolvers.jobs import PROJECT_EXPORT, enqueue
from resolvers.writes import transaction

DATABASE_NAME = "trellis_bench_exports"
TEXT = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6)[:300]


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


async def _seed(db: Database, objects: int) -> tuple[Project, models.User]:
    async with db.sessions() as session, session.begin():
        org = models.Organization(name="Bench exports", slug="bench-exports")
        user = models.User(email="bench-exports@example.com", full_name="Bench", password_hash="x")
        session.add_all([org, user])
        await session.flush()
        project = Project(organization_id=org.id, owner_id=user.id, name="Big project")
        session.add(project)
        await session.flush()
        session.add(
            models.design.ProjectMember(
                project_id=project.id, organization_id=org.id, user_id=user.id
            )
        )
        side = 100
        ids = (await session.scalars(
            insert(DesignObject).returning(DesignObject.id, sort_by_parameter_order=True),
            [{"project_id": project.id, "organization_id": org.id, "name": f"Object {n}",
              "description": TEXT, "position_x": n % side, "position_y": n // side,
              "meta_data": {"n": n}} for n in range(objects)],
        )).all()  # fmt: skip
        common = {"project_id": project.id, "organization_id": org.id}
        await session.execute(insert(Relationship), [
            {**common, "source_id": ids[n], "target_id": ids[(n + k) % objects],
             "description": TEXT[:80]}
            for n in range(objects) for k in (1, 7)
        ])  # fmt: skip
        await session.execute(insert(CallToAction), [
            {**common, "object_id": ids[n], "name": f"Act on {n}", "user_story": TEXT[:120],
             "acceptance_criteria": ["first", "second | third"]}
            for n in range(objects)
        ])  # fmt: skip
        await session.execute(insert(Attribute), [
            {**common, "object_id": ids[n], "name": f"attr_{k}", "default_value": k}
            for n in range(objects) for k in range(2)
        ])  # fmt: skip
    return project, user


async def _queue(db: Database, project: Project, user: models.User, fmt: ExportFormat) -> Job:
    async with transaction(db.sessions, SYSTEM) as writer:
        job = await enqueue(
            writer,
            organization_id=project.organization_id,
            kind=PROJECT_EXPORT,
            parameters={"format": fmt.value, "batchSize": 500, "pauseMilliseconds": 0},
        )
        await writer.create(
            ExportJob(
                project_id=project.id, organization_id=project.organization_id, job_id=job.id,
                requested_by_id=user.id, format=fmt,
                parameters={"format": fmt.value, "batchSize": 500},
            )
        )  # fmt: skip
    return job


async def _status(db: Database, job: Job) -> Job:
    async with db.sessions() as session:
        row = await session.scalar(select(Job).where(Job.id == job.id))
        assert row is not None
        return row


def _worker(url: URL, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False),
           "TRELLIS_DATA_DIR": str(data_dir), "TRELLIS_WORKER_POLL": "0.2"}  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "graph.admin.cli", "worker", "--concurrency", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
        )  # fmt: skip


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


async def run(objects: int, formats: list[ExportFormat], limit_mb: float) -> int:
    url = server_url(get_settings()).set(database=DATABASE_NAME)
    await drop_database(url)
    await ensure_database(url)
    await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, pool_size=2)
    failed = 0
    try:
        started = time.monotonic()
        project, user = await _seed(db, objects)
        print(f"seeded {objects} objects, {2 * objects} relationships, {objects} calls to action,"
              f" {2 * objects} attributes in {time.monotonic() - started:.1f} s")  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="trellis-bench-exports-") as tmp:
            data_dir, log = Path(tmp), Path(tmp) / "worker.log"
            idle = _worker(url, data_dir, log)
            await asyncio.sleep(3)
            print(f"{'idle worker':<14} peak RSS {_rss_kb(idle.pid, 'VmHWM') / 1024:7.1f} MB")
            _stop(idle)
            for fmt in formats:
                job = await _queue(db, project, user, fmt)
                proc = _worker(url, data_dir, log)
                started = time.monotonic()
                peak = 0
                while True:
                    peak = max(peak, _rss_kb(proc.pid, "VmHWM"))
                    row = await _status(db, job)
                    if row.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                        break
                    if proc.poll() is not None or time.monotonic() - started > 600:
                        break
                    await asyncio.sleep(0.1)
                seconds = time.monotonic() - started
                peak = max(peak, _rss_kb(proc.pid, "VmHWM"))
                _stop(proc)
                async with db.sessions() as session:
                    size = await session.scalar(
                        select(FileAsset.size_bytes)
                        .join(ExportJob, ExportJob.result_file_id == FileAsset.id)
                        .where(ExportJob.job_id == job.id)
                    )
                mb = peak / 1024
                ok = row.status is JobStatus.SUCCEEDED and mb <= limit_mb
                failed += not ok
                print(
                    f"{fmt.name:<14} peak RSS {mb:7.1f} MB  file {(size or 0) / 1e6:6.1f} MB  "
                    f"{seconds:5.1f} s  {row.status.name}{'' if ok else '  <-- FAIL'}"
                )
                if row.status is not JobStatus.SUCCEEDED:
                    print(row.error, log.read_text()[-3000:])
    finally:
        await db.dispose()
        await drop_database(url)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__)
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--formats", default=",".join(f.value for f in ExportFormat))
    parser.add_argument("--limit-mb", type=float, default=200.0)
    args = parser.parse_args(argv)
    formats = [ExportFormat(f.strip()) for f in args.formats.split(",")]
    sys.exit(asyncio.run(run(args.objects, formats, args.limit_mb)))


if __name__ == "__main__":
    main()
