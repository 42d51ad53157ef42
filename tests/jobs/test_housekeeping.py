"""Housekeeping tasks on the queue: what each periodic task removes and what it keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, update

import models
from graph.database import Database
from graph.jobs.tasks import expire_sessions
from tests.factories import Factory


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
