"""`trellis worker`: a procrastinate worker running Trellis's tasks.

Any number of worker processes (and server processes) share one database: a job is taken
by one worker (`SELECT ... FOR UPDATE SKIP LOCKED`), new jobs wake workers through
LISTEN/NOTIFY, SIGINT/SIGTERM stop a worker gracefully: running jobs get
``shutdown_grace_seconds`` to finish, then are cancelled and queued again (their retry).

A worker that dies without stopping (SIGKILL, a lost machine) stops sending its heartbeat;
every live worker looks for jobs held by workers silent for longer than
``worker_stalled_seconds`` (procrastinate's `get_stalled_jobs`, the library's documented
recipe) and queues them again, where the next worker resumes them (graph/jobs/tasks.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

import procrastinate
from sqlalchemy.engine import URL

from graph.database import Database
from graph.jobs import tasks
from graph.jobs.queue import NAMESPACE
from graph.settings import Settings

log = logging.getLogger("trellis.worker")


@functools.cache
def build_app(conninfo: str) -> procrastinate.App:
    """The process's procrastinate App for a database (one per database: adding the tasks'
    blueprint to an App namespaces the blueprint's tasks in place)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))
    app.add_tasks_from(tasks.blueprint, namespace=NAMESPACE)
    return app


async def retry_stalled(app: procrastinate.App, stalled_seconds: float) -> int:
    """Queue again the jobs of workers silent for longer than ``stalled_seconds``."""
    retried = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
        try:
            await app.job_manager.retry_job(job)
        except procrastinate.exceptions.ConnectorException:
            continue  # another worker queued it first, or it just finished
        log.warning("job %s of a dead worker queued again", job.id)
        retried += 1
    return retried


async def _watch_stalled(app: procrastinate.App, settings: Settings) -> None:
    while True:
        try:
            await retry_stalled(app, settings.worker_stalled_seconds)
        except Exception:
            log.exception("looking for stalled jobs failed")
        await asyncio.sleep(settings.worker_stalled_check_seconds)


async def run_worker(url: URL, settings: Settings, *, concurrency: int) -> None:
    db = Database(url, pool_size=max(2, concurrency + 1))
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    app = build_app(conninfo)
    try:
        async with app.open_async():
            watcher = asyncio.create_task(_watch_stalled(app, settings), name="trellis-stalled")
            try:
                await app.run_worker_async(
                    name="trellis",
                    concurrency=concurrency,
                    additional_context={"db": db},
                    fetch_job_polling_interval=settings.worker_poll_seconds,
                    # A finished job's state lives in `jobs` (a user's) or in the logs
                    # (housekeeping, every few seconds): the queue keeps only failures.
                    delete_jobs="successful",
                    abort_job_polling_interval=min(5.0, settings.worker_poll_seconds),
                    update_heartbeat_interval=settings.worker_heartbeat_seconds,
                    stalled_worker_timeout=settings.worker_stalled_seconds,
                    # SIGTERM: running jobs get the grace period to finish; then they are
                    # cancelled and, by the retry strategy, queued again for another worker.
                    shutdown_graceful_timeout=settings.shutdown_grace_seconds,
                )
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
    finally:
        await db.dispose()
