"""Housekeeping tasks on the queue: what each periodic task removes and what it keeps."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
from sqlalchemy import delete, select, update

import models
from graph.database import Database
from graph.jobs.housekeeping import ORPHAN_GRACE, sweep_orphaned_files
from graph.jobs.tasks import (
    ORPHANED_FILES_CRON,
    PRESENCE_SWEEP_CRON,
    PURGE_DELETED_CRON,
    delete_orphaned_files,
    expire_sessions,
    purge_deleted_rows,
    sweep_presence,
)
from graph.jobs.worker import build_app
from graph.live import presence
from graph.storage import LocalStorage, Storage, files_for
from models.design import Presence, Project
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


def test_housekeeping_sweeps_are_periodic_queue_tasks(db: Database) -> None:
    app = build_app(conninfo(db))
    crons = {name: p.cron for (name, _), p in app.periodic_registry.periodic_tasks.items()}
    assert crons["trellis:delete_orphaned_files"] == ORPHANED_FILES_CRON
    assert crons["trellis:sweep_presence"] == PRESENCE_SWEEP_CRON
    assert crons["trellis:purge_deleted"] == PURGE_DELETED_CRON


async def test_the_presence_sweep_removes_and_announces_only_expired_presences(
    db: Database, factory: Factory
) -> None:
    # given: a project with one expired and one live presence, and a listener on the channel
    organization = await factory.organization()
    member = await factory.member(organization, "EDITOR")
    org_id = organization.id
    project = await factory._add(Project(organization_id=org_id, name="Shop"))
    now = datetime.now(UTC)
    expiries = {"gone": now - timedelta(seconds=1), "here": now + timedelta(minutes=1)}
    for client, expires in expiries.items():
        await factory._add(
            Presence(
                project_id=project.id, organization_id=org_id, user_id=member.user.id,
                client_id=client, expires_at=expires,
            )
        )  # fmt: skip
    heard: list[str] = []
    async with await psycopg.AsyncConnection.connect(conninfo(db), autocommit=True) as listener:
        await listener.execute(f"LISTEN {presence.CHANNEL}")
        context: Any = SimpleNamespace(additional_context={"db": db})

        # when
        await sweep_presence.func(context, timestamp=0)
        async for note in listener.notifies(timeout=2, stop_after=1):
            heard.append(note.payload)

    # then
    async with db.sessions() as session:
        assert (await session.scalars(select(Presence.client_id))).all() == ["here"]
    [message] = [json.loads(payload) for payload in heard]
    assert (message["kind"], message["row"]["client_id"]) == ("leave", "gone")


async def test_purge_deletes_rows_deleted_before_the_retention_window_and_keeps_the_rest(
    db: Database, factory: Factory
) -> None:
    # given: an organization deleted 31 days ago (with its tag and a project), an item
    # deleted 31 days ago, an item deleted a day ago (still restorable), a live item
    gone_org = await factory.organization()
    gone_tag = await factory.tag(gone_org)
    org = await factory.organization()
    owner = await factory.member(org)
    old_item = await factory.item(owner.user, org)
    recent_item = await factory.item(owner.user, org)
    live_item = await factory.item(owner.user, org)
    async with db.sessions() as session, session.begin():
        project = Project(organization_id=gone_org.id, name="In a deleted organization")
        session.add(project)
    long_ago = datetime.now(UTC) - timedelta(days=31)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with db.sessions() as session, session.begin():
        for model, pk, at in (
            (models.Organization, gone_org.id, long_ago),
            (models.Item, old_item.id, long_ago),
            (models.Item, recent_item.id, yesterday),
        ):
            await session.execute(update(model).where(model.id == pk).values(deleted_at=at))
    context: Any = SimpleNamespace(additional_context={"db": db})

    # when
    await purge_deleted_rows.func(context, timestamp=0)

    # then
    async with db.sessions() as session:
        items = set((await session.scalars(select(models.Item.id))).all())
        orgs = set((await session.scalars(select(models.Organization.id))).all())
        tags = set((await session.scalars(select(models.Tag.id))).all())
        projects = set((await session.scalars(select(Project.id))).all())
    assert items == {recent_item.id, live_item.id}
    assert orgs == {org.id}
    assert gone_tag.id not in tags
    assert project.id not in projects
