"""The one write path. Every create, update and delete goes through a `Writer`, inside one
transaction per mutation: it finds rows the viewer may see, checks permissions, applies
patches, lets the database set timestamps, and records each change (old -> new per field),
so the change history can be written here once. Integrity errors are translated by
constraint name into typed errors, and nothing of a refused mutation is committed.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from psycopg import errors as pg_errors
from sqlalchemy import Table, Text, cast, delete, func, select, union_all, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Select

from graph.auth import InvalidCredentials, authenticate
from graph.context import Info
from graph.kernel.errors import (
    Conflict,
    DomainError,
    FieldErrorCode,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from graph.kernel.ids import InvalidId, decode_id, user_error
from loaders.base import visible_select
from models.base import Base, SoftDeleteMixin, archivable
from models.history import CHANNEL, POSITION_LOCK, ChangeAction, ChangeLog
from models.viewer import ANONYMOUS, VIEWER_ENTITY_TYPES, Viewer

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Base)
T = TypeVar("T")
S = TypeVar("S")

CREATE, UPDATE, DELETE = "create", "update", "delete"

# A patch of only these columns archives, restores or un-deletes a row: allowed on an
# archived row (everything else is refused until it is restored).
ARCHIVE_STATE = frozenset({"archived_at", "deleted_at"})

# Unique constraints a client can run into, by name -> (input path, message).
UNIQUE_VIOLATIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "users_email_lower_key": (("email",), "An account with this email already exists."),
    "organizations_slug_key": (("slug",), "This slug is taken."),
    "tags_organization_id_name_key": (("name",), "A tag with this name exists already."),
    "memberships_user_id_organization_id_key": (
        ("email",),
        "This user is a member of the organization already.",
    ),
    "roles_organization_id_name_key": (("name",), "A role with this name exists already."),
}
# Unique constraints whose violation is a conflict with another row's state rather than a
# bad value (e.g. two objects in one matrix cell), by name -> (input path, message).
# Domain modules add their own entries to both maps at import.
UNIQUE_CONFLICTS: dict[str, tuple[tuple[str, ...], str]] = {}


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row's change, as the change history will store it (read back, a change-log row
    is a graph/types/history.py `Change`)."""

    action: str
    table: str
    entity_type: str
    entity_id: uuid.UUID
    organization_id: uuid.UUID | None
    fields: dict[str, tuple[Any, Any]]
    scope_id: uuid.UUID | None = None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _jsonable(value: Any) -> Any:
    """A recorded value as JSON: the change log stores what a client would read."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)


async def record_changes(session: AsyncSession, viewer: Viewer, changes: list[RowChange]) -> None:
    """Append a transaction's changes to the change log and notify listeners at commit.

    The advisory lock is held until commit, so positions are handed out in commit order: a
    reader never sees position p+1 before p, and a position is a gap-free resume cursor. It
    is taken last, after the transaction's own work, to keep the serialised part short.
    """
    if not changes:
        return
    await session.execute(select(func.pg_advisory_xact_lock(POSITION_LOCK)))
    rows = [
        {
            "organization_id": c.organization_id,
            "actor_user_id": viewer.user_id,
            "actor_api_key_id": viewer.api_key_id,
            "session_id": viewer.session_id,
            "scope_id": c.scope_id,
            "entity_type": c.entity_type,
            "entity_id": c.entity_id,
            "action": ChangeAction(c.action),
            "changes": {k: [_jsonable(o), _jsonable(n)] for k, (o, n) in c.fields.items()},
        }
        for c in changes
    ]
    # The rows and the notification (sent at commit) in one round trip.
    inserted = insert(ChangeLog).values(rows).returning(ChangeLog.position).cte("inserted")
    last = cast(func.max(inserted.c.position), Text)
    await session.execute(select(func.pg_notify(CHANNEL, last)))


@dataclass
class Writer:
    session: AsyncSession
    viewer: Viewer
    changes: list[RowChange] = field(default_factory=list)
    # After commit, read the payload as this token's viewer (set by login and refresh).
    signed_in_as: str | None = None
    # Work outside the database that follows the transaction's outcome: run after it commits
    # (removing a deleted file's bytes), or after it is rolled back (removing bytes stored for
    # a row that was never committed). Each runs once; a failure is logged, not raised.
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    after_rollback: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Refuse changes to archived rows and to rows inside an archived aggregate (an
    # organization, a project): on for mutations (`writing`), off for job workers, whose
    # bookkeeping (a job's progress) must go on.
    guard_archived: bool = False
    _live_parents: set[uuid.UUID] = field(default_factory=set)

    # -- permissions ---------------------------------------------------------------------

    def require(self, permission: str, organization_id: uuid.UUID | None) -> None:
        if not self.viewer.can(permission, organization_id):
            raise PermissionDenied(permission)

    def require_on(self, obj: Base, permission: str) -> None:
        """Permission on an existing row: by its organization, or by ownership for rows
        whose organization is gone."""
        org = getattr(obj, "organization_id", None)
        owner = getattr(obj, "owner_id", None)
        if org is None and owner == self.viewer.user_id and self.viewer.may_write():
            return
        self.require(permission, org)

    # -- finding rows --------------------------------------------------------------------

    def visible(self, model: type[M]) -> Select[M]:
        return visible_select(model).params(**self.viewer.params())

    async def get(
        self,
        model: type[M],
        global_id: str,
        *,
        type_name: str,
        path: tuple[str, ...] = ("id",),
        lock: bool = True,
    ) -> M:
        """The row a global ID names, if the viewer may see it; locked for the transaction."""
        try:
            pk = decode_id(global_id, type_name)
        except InvalidId as exc:
            raise ValidationFailed.one(path, FieldErrorCode.INVALID_ID, str(exc)) from exc
        stmt = self.visible(model).where(model.id == pk)
        if lock:
            stmt = stmt.with_for_update()
        obj: M | None = (await self.session.execute(stmt)).scalar_one_or_none()
        if obj is None:
            raise NotFound(type_name, global_id, path)
        return obj

    # -- archived rows -------------------------------------------------------------------

    async def refuse_archived(self, obj: Base, *, itself: bool = True) -> None:
        """A `Conflict` when ``obj`` is archived (``itself``) or sits in an archived
        organization or project: the aggregates its ``organization_id`` and scope columns
        reference, when those can be archived. One statement, only for parents not yet
        checked in this transaction."""
        if not self.guard_archived:
            return
        model = type(obj)
        if itself and archivable(model) and getattr(obj, "archived_at", None) is not None:
            raise Conflict(f"This {model.type_name()} is archived; restore it before changing it.")
        parents: list[tuple[Table, uuid.UUID]] = []
        if not model.__frozen_when_archived__:
            return
        # (`id` too: a row one-to-one with its organization shares its key.)
        for column_name in {"organization_id", model.__scope__, "id"}:
            if column_name is None or column_name not in model.__table__.c:
                continue
            value = getattr(obj, column_name, None)
            if value is None or value in self._live_parents:
                continue
            for fk in model.__table__.c[column_name].foreign_keys:
                table: Any = fk.column.table
                if isinstance(table, Table) and "archived_at" in table.c:
                    parents.append((table, value))
        if not parents:
            return
        probes = [
            select(cast(table.name, Text).label("t")).where(
                table.c.id == pk, table.c.archived_at.is_not(None)
            )
            for table, pk in parents
        ]
        archived = (await self.session.execute(union_all(*probes))).scalars().first()
        if archived is not None:
            name = next(
                m.class_.type_name()
                for m in Base.registry.mappers
                if getattr(m.local_table, "name", None) == archived
            )
            raise Conflict(f"Its {name} is archived; restore it before changing anything in it.")
        self._live_parents.update(pk for _, pk in parents)

    # -- changing rows -------------------------------------------------------------------

    async def create(self, obj: M) -> M:
        await self.refuse_archived(obj, itself=False)
        self.session.add(obj)
        await self.session.flush()
        self._record(CREATE, obj, {c: (None, getattr(obj, c)) for c in _columns(obj)})
        return obj

    async def update(
        self, obj: M, values: Mapping[str, Any], *, seen_updated_at: datetime | None = None
    ) -> M:
        """Apply a patch. With ``seen_updated_at``, refuse if the row changed since then."""
        await self.refuse_archived(obj, itself=not set(values) <= ARCHIVE_STATE)
        if seen_updated_at is not None and obj.updated_at != seen_updated_at:
            raise Conflict(
                "This object changed since you read it; reload it and try again.",
                ("updatedAt",),
            )
        diff = {
            name: (getattr(obj, name), value)
            for name, value in values.items()
            if getattr(obj, name) != value
        }
        for name, (_, new) in diff.items():
            setattr(obj, name, new)
        if diff:
            await self.session.flush()
            self._record(UPDATE, obj, diff)
        return obj

    async def delete(self, obj: M) -> None:
        """Soft-delete an aggregate root; hard-delete anything else."""
        await self.refuse_archived(obj)
        if isinstance(obj, SoftDeleteMixin):
            obj.deleted_at = now = _now()
            await self.session.flush()
            self._record(DELETE, obj, {"deleted_at": (None, now)})
            return
        await self.session.delete(obj)
        await self.session.flush()
        self._record(DELETE, obj, {c: (getattr(obj, c), None) for c in _columns(obj)})

    async def update_where(
        self, model: type[M], where: Any, values: Mapping[str, Any], old: Mapping[str, Any]
    ) -> int:
        """Set ``values`` on every row matching ``where`` (whose current values are ``old``),
        recording a change per row. For cascades such as detaching an organization's items."""
        stmt = update(model).where(where).values(**values).returning(model.id)
        ids = (await self.session.execute(stmt)).scalars().all()
        for pk in ids:
            fields = {k: (_plain(old.get(k)), _plain(v)) for k, v in values.items()}
            org = old.get("organization_id")
            self.changes.append(
                RowChange(UPDATE, model.__tablename__, model.type_name(), pk, org, fields)
            )
        return len(ids)

    async def link(self, table: Any, parent: Base, rows: list[dict[str, Any]], name: str) -> None:
        """Insert link rows (many-to-many), recorded as a change of ``parent``'s ``name``:
        the ids linked now (links that existed already are not changes)."""
        if rows:
            await self.refuse_archived(parent)
            stmt = insert(table).values(rows).on_conflict_do_nothing().returning(*table.c)
            added = (await self.session.execute(stmt)).mappings().all()
            if added:
                self._record(UPDATE, parent, {name: (None, _linked(added, parent))})

    async def unlink(self, table: Any, parent: Base, where: Any, name: str) -> None:
        """Delete link rows, recorded as a change of ``parent``'s ``name``: the ids
        unlinked."""
        await self.refuse_archived(parent)
        stmt = delete(table).where(where).returning(*table.c)
        removed = (await self.session.execute(stmt)).mappings().all()
        if removed:
            self._record(UPDATE, parent, {name: (_linked(removed, parent), None)})

    def _record(self, action: str, obj: Base, fields: dict[str, tuple[Any, Any]]) -> None:
        secret = type(obj).__secret_columns__
        self.changes.append(
            RowChange(
                action,
                obj.__tablename__,
                obj.type_name(),
                obj.id,
                getattr(obj, "organization_id", None)
                if obj.__tablename__ != "organizations"
                else obj.id,
                {k: (_plain(o), _plain(n)) for k, (o, n) in fields.items() if k not in secret},
                obj.aggregate_id(),
            )
        )


def _linked(rows: Sequence[Any], parent: Base) -> list[Any]:
    """The other end of each link row: its values but the parent's id (and timestamps)."""
    others = [
        [v for k, v in row.items() if v != parent.id and k not in ("created_at", "updated_at")]
        for row in rows
    ]
    return [o[0] if len(o) == 1 else o for o in others]


def _columns(obj: Base) -> list[str]:
    return [c.key for c in obj.__table__.columns]


def _now() -> datetime:
    return datetime.now(UTC)


def translate_integrity_error(exc: IntegrityError) -> DomainError:
    orig = exc.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None) or ""
    if isinstance(orig, pg_errors.UniqueViolation) and constraint in UNIQUE_CONFLICTS:
        path, message = UNIQUE_CONFLICTS[constraint]
        return Conflict(message, path)
    if isinstance(orig, pg_errors.UniqueViolation):
        path, message = UNIQUE_VIOLATIONS.get(
            constraint, ((), "This conflicts with existing data.")
        )
        return ValidationFailed.one(path, FieldErrorCode.ALREADY_EXISTS, message)
    if isinstance(orig, pg_errors.ForeignKeyViolation):
        return Conflict("A referenced object does not exist (any more).")
    if isinstance(orig, pg_errors.CheckViolation):
        return ValidationFailed.one(
            (), FieldErrorCode.INVALID, "A value is out of its allowed range."
        )
    return Conflict("The change conflicts with existing data.")


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession], viewer: Viewer
) -> AsyncIterator[Writer]:
    """A Writer in one transaction, its changes recorded and committed when the block ends
    without an exception (mutations, through `writing`; job workers)."""
    writer: Writer | None = None
    async with sessions() as session:
        try:
            async with session.begin():
                writer = Writer(session, viewer)
                yield writer
                await record_changes(session, writer.viewer, writer.changes)
        except BaseException:
            if writer is not None:
                await _run_hooks(writer.after_rollback, "after rollback")
            raise
        await _run_hooks(writer.after_commit, "after commit")


@asynccontextmanager
async def writing(info: Info) -> AsyncIterator[Writer]:
    """One transaction, committed when the block ends without an exception."""
    ctx = info.context
    try:
        async with transaction(ctx.db.sessions, ctx.viewer) as writer:
            writer.guard_archived = True
            yield writer
    except IntegrityError as exc:
        raise translate_integrity_error(exc) from exc
    except DataError as exc:  # a value the column cannot hold: a validation gap
        log.warning("value refused by the database: %s", exc.orig)
        raise ValidationFailed.one(
            (), FieldErrorCode.INVALID, "A value does not fit its field."
        ) from exc


async def _run_hooks(hooks: list[Callable[[], Awaitable[None]]], when: str) -> None:
    for hook in hooks:
        try:
            await hook()
        except Exception:
            log.exception("a write's %s hook failed", when)
    hooks.clear()


async def mutate(
    info: Info,
    op: Callable[[Writer], Awaitable[T]],
    success: Callable[[T], S],
    *,
    anonymous: bool = False,
) -> Any:
    """Run an op in the write path; expected failures become payload errors.

    A caller who sent no credential at all may only run the mutations that say
    ``anonymous=True`` (registering, signing in, refreshing, the emailed-token ones): any
    other is refused with the
    same `UNAUTHENTICATED` error, whatever it would have looked up.

    After a commit the payload, and the rest of the document, is read afresh: new loaders,
    and a re-read viewer when the change touched a row viewers are read from (a credential,
    a user, a membership, an organization, a role: `VIEWER_ENTITY_TYPES`) or signed someone
    in. A caller whose own credential the change revoked is anonymous from then on.

    Typed ``Any``: the payload union a resolver declares is what Strawberry checks.
    """
    ctx = info.context
    if not anonymous and ctx.token is None and not ctx.viewer.authenticated:
        raise user_error(
            f"Sign in first: `{info.field_name}` needs an account. Send the header "
            "`Authorization: Bearer <access token or API key>` (authLogin returns a token).",
            "UNAUTHENTICATED",
        )
    try:
        async with writing(info) as writer:
            result = await op(writer)
    except DomainError as exc:
        return exc.to_graphql()
    token = writer.signed_in_as or ctx.token
    if writer.signed_in_as or any(c.entity_type in VIEWER_ENTITY_TYPES for c in writer.changes):
        ctx.db.viewers.clear()  # at once here; other processes hear of it from the log
        try:
            ctx.refresh(await authenticate(ctx.db.reader, token))
        except InvalidCredentials:  # the change revoked the caller's own access
            ctx.refresh(ANONYMOUS)
    else:
        ctx.refresh()
    return success(result)
