"""Housekeeping tasks on the queue: what each periodic task removes and what it keeps."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, select, update

import models
from graph.database import Database
from graph.jobs.housekeeping import ORPHAN_GRACE, sweep_orphaned_files
from graph.jobs.tasks import ORPHANED_FILES_CRON, delete_orphaned_files, expire_sessions
from graph.jobs.worker import build_app
from graph.storage import LocalStorage, Storage, files_for
from models.files import FileAsset
from tests.factories import Factory
from tests.files.conftest import PDF, PNG, create_file, settings_for, stored_keys
from tests.jobs.conftest import conninfo


async def test_expire_sessions_deletes_only_sessions_whose_refresh_token_expired(
    db: Database, factory: Factory
) -> None:
    # given: two sessions, one past its refresh expiry
    user = await factory.user()
    await factory.token(user)
    await factory.token(user)
    async with db.sessions() as session, session.begin():
        [old, live] = (await session.scalars(select(models.AuthSession.id))).all()
        past = datetime.now(UTC) - timedelta(minutes=1)
        await session.execute(
            update(models.AuthSession)
            .where(models.AuthSession.id == old)
            .values(expires_at=past, refresh_expires_at=past)
        )
    context: Any = SimpleNamespace(additional_context={"db": db})

    # when
    await expire_sessions.func(context, timestamp=0)

    # then
    async with db.sessions() as session:
        assert (await session.scalars(select(models.AuthSession.id))).all() == [live]


def _age(storage_root: Path, key: str, by: timedelta) -> None:
    path = storage_root / key
    then = time.time() - by.total_seconds()
    os.utime(path, (then, then))


async def _store(storage: Storage, key: str, content: bytes) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield content

    await storage.write(key, chunks())


async def test_orphaned_files_past_the_grace_period_are_deleted_and_nothing_else(
    db: Database, factory: Factory, tmp_path: Path
) -> None:
    # given: files of two organizations, then one organization deleted (its rows cascade,
    # its bytes stay); a key without a row written just now (an upload in flight); a
    # temporary file a crashed write left behind; all but the in-flight one an hour old
    files = files_for(settings_for(tmp_path))
    storage = files.storage
    assert isinstance(storage, LocalStorage)
    root = storage.root
    kept_org = await factory.organization()
    gone_org = await factory.organization()
    kept = await create_file(db, files, kept_org)
    gone = [await create_file(db, files, gone_org, content=PDF) for _ in range(2)]
    async with db.sessions() as session, session.begin():
        await session.execute(
            delete(models.Organization).where(models.Organization.id == gone_org.id)
        )
    in_flight = f"{kept_org.id}/{uuid.uuid4().hex}"
    await _store(storage, in_flight, PNG)
    (root / ".tmp" / "crashed.part").write_bytes(b"half")
    stale = ORPHAN_GRACE + timedelta(minutes=1)
    for key in [kept.storage_key, *(f.storage_key for f in gone), ".tmp/crashed.part"]:
        _age(root, key, stale)
    context: Any = SimpleNamespace(additional_context={"db": db, "storage": storage})

    # when
    await delete_orphaned_files.func(context, timestamp=0)

    # then: the deleted organization's bytes and the stale temporary file are gone; the
    # file with a row and the young key without one are untouched
    assert stored_keys(tmp_path) == sorted([kept.storage_key, in_flight])
    assert list((root / ".tmp").iterdir()) == []
    async with db.sessions() as session:
        assert (await session.scalars(select(FileAsset.storage_key))).all() == [kept.storage_key]


async def test_an_orphan_younger_than_the_grace_period_is_kept_until_it_is_older(
    db: Database, factory: Factory, tmp_path: Path
) -> None:
    # given: bytes under a key with no row, written ten minutes ago
    storage = files_for(settings_for(tmp_path)).storage
    org = await factory.organization()
    key = f"{org.id}/{uuid.uuid4().hex}"
    await _store(storage, key, PDF)
    assert isinstance(storage, LocalStorage)
    _age(storage.root, key, timedelta(minutes=10))

    # when: swept now, then as if two hours later
    first = await sweep_orphaned_files(db, storage)
    later = await sweep_orphaned_files(db, storage, now=time.time() + 2 * 3600)

    # then
    assert (first.deleted, later.deleted) == (0, 1)
    assert not await storage.exists(key)


def test_the_orphaned_files_sweep_is_a_periodic_queue_task(db: Database) -> None:
    app = build_app(conninfo(db))
    crons = {name: p.cron for (name, _), p in app.periodic_registry.periodic_tasks.items()}
    assert crons["trellis:delete_orphaned_files"] == ORPHANED_FILES_CRON
