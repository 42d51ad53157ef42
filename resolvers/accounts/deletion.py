"""`userDelete`: an account removed, its personal data with it.

The user row stays, anonymised and soft-deleted (its id is still the actor of history rows
and the owner of what the cascade rules keep): no email, name, password, extras or profile.
Every row referencing the user is handled as its foreign key's ON DELETE rule says (the
rules the seeds give), through the Writer so the history records it: CASCADE rows are
deleted (soft for aggregate roots: the user's items), SET NULL rows lose the reference
(projects, jobs, files, interactions, invitations keep their data). Credentials, tokens,
the profile and presence go without their values in the history, and the history's earlier
records of the user's personal fields (email, name, profile, sign-in addresses) are scrubbed.

Refused while the user is the last OWNER of a live organization: someone must own it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, select, text

import models
from graph.kernel.errors import AuthenticationFailed, Conflict, PermissionDenied
from models.accounts import OWNER, AccountToken, UserProfile
from models.base import Base
from models.design import Presence
from resolvers.accounts.auth import require_login, utc_now
from resolvers.accounts.organizations import _owner_count
from resolvers.writes import DELETE, RowChange, Writer

# Rows removed without recording their values: credentials, tokens, the profile, presence.
QUIET = (models.AuthSession, models.APIKey, AccountToken, UserProfile, Presence)
# A User's fields that are personal data; scrubbed from its history.
PERSONAL = ("email", "full_name", "extras", "last_login_at", "email_verified_at")
ANONYMOUS_NAME = "Deleted user"


def _references() -> list[tuple[type[Base], Column[Any], str | None]]:
    """(model, column, ON DELETE rule) of every column referencing users.id."""
    found = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if cls is models.User:
            continue
        for column in cls.__table__.columns:
            for fk in column.foreign_keys:
                if fk.column.table.name == "users":
                    found.append((cls, column, fk.ondelete))
    return sorted(found, key=lambda r: (r[0].__tablename__, r[1].key))


async def _target(writer: Writer, id: str | None) -> models.User:
    viewer_id = require_login(writer)
    if not writer.viewer.may_write():
        raise AuthenticationFailed("This API key may only read.")
    if id is None:
        user = await writer.session.get(models.User, viewer_id, with_for_update=True)
        assert user is not None
        return user
    user = await writer.get(models.User, id, type_name="User")
    if user.id != viewer_id and not writer.viewer.is_superuser:
        raise PermissionDenied(None, "You can only delete your own account.")
    return user


async def _refuse_last_owner(writer: Writer, user_id: uuid.UUID) -> None:
    owned = (
        await writer.session.execute(
            select(models.Organization.id, models.Organization.name)
            .join(models.Membership, models.Membership.organization_id == models.Organization.id)
            .join(models.Role, models.Role.id == models.Membership.role_id)
            .where(
                models.Membership.user_id == user_id,
                models.Role.name == OWNER,
                models.Organization.deleted_at.is_(None),
            )
            .order_by(models.Organization.name)
        )
    ).all()
    alone = [name for org_id, name in owned if await _owner_count(writer, org_id) <= 1]
    if alone:
        raise Conflict(
            f"This account is the last OWNER of {', '.join(alone)}: make someone else OWNER "
            "or delete the organization first.",
            ["id"],
        )


def _quiet_delete(writer: Writer, obj: Base) -> None:
    writer.changes.append(
        RowChange(
            DELETE,
            obj.__tablename__,
            obj.type_name(),
            obj.id,
            getattr(obj, "organization_id", None),
            {},
            obj.aggregate_id(),
        )
    )


_SCRUB = (
    # The user's own records: their personal fields dropped, the rest (is_active...) kept.
    "UPDATE change_log SET changes = changes - CAST(:personal AS text[]) "
    "WHERE entity_type = 'User' AND entity_id = :user",
    # Their profile's: every field is personal.
    "UPDATE change_log SET changes = '{}' WHERE entity_type = 'UserProfile' AND entity_id = :user",
    # Their sign-ins': where from.
    "UPDATE change_log SET changes = changes - CAST(ARRAY['ip', 'user_agent'] AS text[]) "
    "WHERE entity_type = 'AuthSession' "
    "AND entity_id IN (SELECT id FROM auth_sessions WHERE user_id = :user)",
)


async def _scrub_history(writer: Writer, user_id: uuid.UUID) -> None:
    for statement in _SCRUB:
        await writer.session.execute(text(statement), {"personal": list(PERSONAL), "user": user_id})


async def delete_user(writer: Writer, *, id: str | None) -> models.User:
    user = await _target(writer, id)
    await _refuse_last_owner(writer, user.id)
    await _scrub_history(writer, user.id)
    for cls, column, rule in _references():
        rows = (
            await writer.session.scalars(select(cls).where(column == user.id).with_for_update())
        ).all()
        for row in rows:
            if isinstance(row, QUIET):
                await writer.session.delete(row)
                _quiet_delete(writer, row)
            elif rule == "CASCADE":
                await writer.delete(row)
            else:  # SET NULL
                await writer.update(row, {column.key: None})
    await writer.session.flush()
    now = utc_now()
    # Anonymised in place, the old values unrecorded: the history keeps only that the
    # account was deleted.
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.full_name = ANONYMOUS_NAME
    user.password_hash = None
    user.is_active = False
    user.extras = {}
    user.last_login_at = None
    user.email_verified_at = None
    user.deleted_at = now
    await writer.session.flush()
    writer.changes.append(
        RowChange(DELETE, "users", "User", user.id, None, {"deleted_at": (None, now.isoformat())})
    )
    return user
