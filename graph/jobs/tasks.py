"""What workers run: user-visible jobs (`Job` rows) and periodic housekeeping.

A user-visible job is one procrastinate task, ``trellis:run_job(job_id)``; the `Job` row's
``kind`` picks the handler. Every change of the row (running, each progress report, the
outcome) is its own short transaction through the write path (`resolvers.writes.transaction`),
so it lands in the change log and reaches subscribers like any other change.

Effects are idempotent, so a job can run again after its worker died mid-way: a handler keeps
its checkpoint in the row's ``result`` and commits it together with the work it covers (a
progress report), and a retried attempt resumes from it. A row that is missing, finished or
cancelled is left alone; a cancelled job stops at its next report.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from procrastinate import Blueprint, JobContext, RetryStrategy
from sqlalchemy import func, select, text

from graph.database import Database
from graph.jobs import embeddings, exports
from graph.jobs.housekeeping import sweep_orphaned_files
from graph.jobs.progress import SYSTEM, Cancelled, Progress, locked, now
from graph.jobs.purge import purge_deleted
from graph.live import presence
from graph.mail.smtp import send_outboxed
from graph.settings import get_settings
from graph.storage import Storage, files_for
from models.history import ChangeLog
from models.jobs import FINISHED, JobStatus
from models.jobs import Job as JobModel
from resolvers.accounts.invitations import expire_invitations
from resolvers.jobs import CHANGE_COUNT, PROJECT_EXPORT
from resolvers.writes import Writer, transaction

log = logging.getLogger("trellis.jobs")

blueprint = Blueprint()

# Attempts after the first (a failure, or a dead worker's job queued again).
RETRIES = 2
RETRY = RetryStrategy(max_attempts=RETRIES, wait=1)

# An outbox message is tried `email_attempts` times, waiting `email_retry_seconds` more
# before each retry (10 s, 20 s, 30 s... by default).
EMAIL_RETRIES = max(get_settings().email_attempts - 1, 0)
EMAIL_RETRY = RetryStrategy(
    max_attempts=EMAIL_RETRIES,
    wait=get_settings().email_retry_seconds,
    linear_wait=get_settings().email_retry_seconds,
)

# Housekeeping schedules (cron; a sixth field is seconds).
EXPIRED_SESSIONS_CRON = "17 * * * *"
ORPHANED_FILES_CRON = "41 * * * *"
PURGE_DELETED_CRON = "53 * * * *"
# A presence is due to leave within seconds of its TTL (30 s by default).
PRESENCE_SWEEP_CRON = "* * * * * */2"
EXPIRED_INVITATIONS_CRON = "*/10 * * * *"


Handler = Callable[[Progress, JobModel], Awaitable[dict[str, Any]]]
# What a kind does, in the transaction that marks its job FAILED for good (with the error).
FailureHook = Callable[[Writer, JobModel, str], Awaitable[None]]


async def count_changes(progress: Progress, job: JobModel) -> dict[str, Any]:
    """`changes.count`: the organization's change-log rows per entity type, read in keyset
    batches up to the last position when the job first started (its own progress reports
    come after that and are not counted). The checkpoint (position reached, counts so far)
    is committed with each batch's progress, so a retried attempt counts every row once."""
    batch = int(job.parameters.get("batchSize", 500))
    pause = int(job.parameters.get("pauseMilliseconds", 0)) / 1000
    org = job.organization_id
    state: dict[str, Any] = dict(job.result or {})
    mine = ChangeLog.organization_id == org
    async with progress.db.sessions() as session:
        if "until" not in state:
            until = await session.scalar(select(func.coalesce(func.max(ChangeLog.position), 0)))
            of_org = select(func.count()).where(mine, ChangeLog.position <= until)
            state = {
                "until": until,
                "after": 0,
                "seen": 0,
                "of": await session.scalar(of_org),
                "byEntityType": {},
            }
        while True:
            page = (
                select(ChangeLog.position, ChangeLog.entity_type)
                .where(
                    mine, ChangeLog.position > state["after"], ChangeLog.position <= state["until"]
                )
                .order_by(ChangeLog.position)
                .limit(batch)
            )
            rows = (await session.execute(page)).all()
            await session.rollback()  # no snapshot held across the pause
            if not rows:
                break
            counts = dict(state["byEntityType"])
            for _, entity_type in rows:
                counts[entity_type] = counts.get(entity_type, 0) + 1
            seen = state["seen"] + len(rows)
            state = {**state, "after": rows[-1][0], "seen": seen, "byEntityType": counts}
            await progress.report(
                seen * 100 // max(state["of"], 1) if seen < state["of"] else 99, state
            )
            if pause:
                await asyncio.sleep(pause)
    return {"total": state["seen"], "byEntityType": state["byEntityType"]}


KINDS: dict[str, Handler] = {CHANGE_COUNT: count_changes, PROJECT_EXPORT: exports.run_export}
ON_FAILED: dict[str, FailureHook] = {PROJECT_EXPORT: exports.export_failed}


async def _finish(db: Database, job_id: uuid.UUID, values: dict[str, Any]) -> None:
    async with transaction(db.sessions, SYSTEM) as writer:
        job = await locked(writer, job_id)
        if job is not None and job.status is JobStatus.RUNNING:
            await writer.update(job, values)
            hook = ON_FAILED.get(job.kind)
            if hook is not None and values.get("status") is JobStatus.FAILED:
                await hook(writer, job, job.error or "")


async def run(db: Database, job_id: uuid.UUID, *, final: bool) -> None:
    """One attempt at a `Job`; raises on failure so the queue retries it (``final``: it
    will not, and the row says FAILED)."""
    async with transaction(db.sessions, SYSTEM) as writer:
        job = await locked(writer, job_id)
        if job is None or job.status in FINISHED:
            return
        started = {
            "status": JobStatus.RUNNING,
            "attempts": job.attempts + 1,
            "started_at": now(),
        }
        await writer.update(job, started)
    try:
        result = await KINDS[job.kind](Progress(db, job_id), job)
    except Cancelled:
        return
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        failed = (
            {"status": JobStatus.FAILED, "finished_at": now()}
            if final
            else {"status": JobStatus.QUEUED}
        )
        await _finish(db, job_id, {**failed, "error": f"{type(exc).__name__}: {exc}"[:2000]})
        raise
    await _finish(
        db,
        job_id,
        {
            "status": JobStatus.SUCCEEDED,
            "progress": 100,
            "result": result,
            "error": None,
            "finished_at": now(),
        },
    )


def _db(context: JobContext) -> Database:
    db: Database = context.additional_context["db"]
    return db


@blueprint.task(name="run_job", pass_context=True, retry=RETRY)
async def run_job(context: JobContext, job_id: str) -> None:
    await run(_db(context), uuid.UUID(job_id), final=context.job.attempts >= RETRIES)


@blueprint.task(name="send_email", pass_context=True, retry=EMAIL_RETRY)
async def send_email(context: JobContext, outbox_id: str) -> None:
    """Send one outbox message (graph/mail/): over SMTP, or into the log without a host."""
    final = context.job.attempts >= EMAIL_RETRIES
    await send_outboxed(_db(context), uuid.UUID(outbox_id), get_settings(), final=final)


@blueprint.task(name="embed_content", pass_context=True, retry=RETRY)
async def embed_content(context: JobContext, content_id: str) -> None:
    """Embed a content with the default embedder (graph/jobs/embeddings.py)."""
    await embeddings.embed_content(_db(context), uuid.UUID(content_id))


# ---------------------------------------------------------------------------------------------
# Housekeeping (periodic; each run is a queue job, taken by one worker)


@blueprint.periodic(cron=EXPIRED_SESSIONS_CRON)
@blueprint.task(name="expire_sessions", pass_context=True, queueing_lock="expire_sessions")
async def expire_sessions(context: JobContext, timestamp: int) -> None:
    """Delete sign-in sessions whose refresh token has expired: no request can use them
    again, so nothing (and no viewer cache) changes for anyone."""
    async with _db(context).engine.begin() as conn:
        gone = await conn.execute(
            text("DELETE FROM auth_sessions WHERE refresh_expires_at < now()")
        )
    log.info("deleted %d expired sessions", gone.rowcount)


@blueprint.periodic(cron=ORPHANED_FILES_CRON)
@blueprint.task(name="delete_orphaned_files", pass_context=True, queueing_lock="orphaned_files")
async def delete_orphaned_files(context: JobContext, timestamp: int) -> None:
    """Delete stored bytes no `FileAsset` row names (a deleted organization's, a crashed
    process's), once older than the grace period (graph/jobs/housekeeping.py)."""
    storage: Storage = (
        context.additional_context.get("storage") or files_for(get_settings()).storage
    )
    swept = await sweep_orphaned_files(_db(context), storage)
    log.info(
        "deleted %d orphaned files and %d stale temporary files (%d old files kept)",
        swept.deleted, swept.temporaries, swept.kept,
    )  # fmt: skip


@blueprint.periodic(cron=PURGE_DELETED_CRON)
@blueprint.task(name="purge_deleted", pass_context=True, queueing_lock="purge_deleted")
async def purge_deleted_rows(context: JobContext, timestamp: int) -> None:
    """Delete for good the rows soft-deleted longer ago than the retention window
    (`TRELLIS_DELETED_RETENTION`), with their children (graph/jobs/purge.py)."""
    retention = timedelta(seconds=get_settings().deleted_retention_seconds)
    purged = await purge_deleted(_db(context), retention=retention)
    if purged:
        log.info("purged deleted rows past retention: %s", purged)


@blueprint.periodic(cron=PRESENCE_SWEEP_CRON)
@blueprint.task(name="sweep_presence", pass_context=True, queueing_lock="sweep_presence")
async def sweep_presence(context: JobContext, timestamp: int) -> None:
    """Delete the design-project presences whose client stopped its heartbeat, and announce
    their departure to the project's subscribers (graph/live/presence.py)."""
    async with _db(context).engine.begin() as conn:
        raw = await conn.exec_driver_sql(presence.SWEEP_EXPIRED, {"channel": presence.CHANNEL})
        gone = raw.scalar_one()
    if gone:
        log.info("%d expired presences left", gone)


@blueprint.periodic(cron=EXPIRED_INVITATIONS_CRON)
@blueprint.task(name="expire_invitations", pass_context=True, queueing_lock="expire_invitations")
async def mark_expired_invitations(context: JobContext, timestamp: int) -> None:
    """Mark pending invitations whose link ran out EXPIRED (their links fail from the
    moment they expire; this makes `status` say so), through the change log."""
    async with transaction(_db(context).sessions, SYSTEM) as writer:
        expired = await expire_invitations(writer)
    log.info("marked %d invitations expired", expired)
