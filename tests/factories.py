"""Async factories: rows inserted directly, for the state a test starts from."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

import models
from graph.auth import ACCESS_PREFIX, REFRESH_PREFIX, hash_password, hash_token, new_token
from graph.database import Database
from graph.kernel.ids import to_global_id

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


def gid(type_name: str, pk: uuid.UUID) -> str:
    return to_global_id(type_name, pk)


@dataclass
class Member:
    """A user with a live access token."""

    user: models.User
    token: str

    @property
    def id(self) -> str:
        return gid("User", self.user.id)


class Factory:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _add(self, obj: Any) -> Any:
        async with self.db.sessions() as session, session.begin():
            session.add(obj)
        return obj

    async def user(self, **overrides: Any) -> models.User:
        n = next(_seq)
        values: dict[str, Any] = {
            "email": f"user{n}@example.com",
            "full_name": f"User {n}",
            "password_hash": _PASSWORD_HASH,
        }
        values.update(overrides)
        user: models.User = await self._add(models.User(**values))
        return user

    async def token(self, user: models.User, *, expires_in: timedelta = timedelta(hours=1)) -> str:
        access = new_token(ACCESS_PREFIX)
        now = datetime.now(UTC)
        await self._add(
            models.AuthSession(
                user_id=user.id,
                token_hash=hash_token(access),
                refresh_token_hash=hash_token(new_token(REFRESH_PREFIX)),
                expires_at=now + expires_in,
                refresh_expires_at=now + timedelta(days=1),
            )
        )
        return access

    async def member(
        self, organization: models.Organization | None = None, role: str = "OWNER", **overrides: Any
    ) -> Member:
        user = await self.user(**overrides)
        if organization is not None:
            await self.membership(user, organization, role)
        return Member(user, await self.token(user))

    async def organization(self, **overrides: Any) -> models.Organization:
        n = next(_seq)
        values: dict[str, Any] = {"name": f"Org {n}", "slug": f"org-{n}"}
        values.update(overrides)
        org: models.Organization = await self._add(models.Organization(**values))
        return org

    async def role_id(self, name: str) -> uuid.UUID:
        async with self.db.sessions() as session:
            role_id = await session.scalar(
                select(models.Role.id).where(
                    models.Role.name == name, models.Role.organization_id.is_(None)
                )
            )
        assert role_id is not None
        return role_id

    async def membership(
        self, user: models.User, organization: models.Organization, role: str = "OWNER"
    ) -> models.Membership:
        membership: models.Membership = await self._add(
            models.Membership(
                user_id=user.id, organization_id=organization.id, role_id=await self.role_id(role)
            )
        )
        return membership

    async def item(
        self, owner: models.User, organization: models.Organization | None, **overrides: Any
    ) -> models.Item:
        n = next(_seq)
        values: dict[str, Any] = {
            "owner_id": owner.id,
            "organization_id": organization.id if organization else None,
            "title": f"Item {n}",
        }
        values.update(overrides)
        item: models.Item = await self._add(models.Item(**values))
        return item

    async def tag(self, organization: models.Organization, **overrides: Any) -> models.Tag:
        n = next(_seq)
        values: dict[str, Any] = {"organization_id": organization.id, "name": f"tag-{n}"}
        values.update(overrides)
        tag: models.Tag = await self._add(models.Tag(**values))
        return tag

    async def tag_item(self, item: models.Item, *tags: models.Tag) -> None:
        async with self.db.sessions() as session, session.begin():
            await session.execute(
                insert(models.item_tags), [{"item_id": item.id, "tag_id": t.id} for t in tags]
            )
