"""Presence in design projects: announce, leave, and watch who is where (graph/live/presence.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

import strawberry
from sqlalchemy import Table, and_, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from graph.context import Info
from graph.database import Database
from graph.kernel.errors import FieldErrorCode, MutationInput, NotFound
from graph.kernel.ids import NODE_TYPES, InvalidId, from_global_id
from graph.live import presence
from graph.live.changes import Subscriber
from graph.settings import get_settings
from graph.types.presence import (
    Presence,
    PresenceEvent,
    PresenceEventKind,
    PresenceLeaveInput,
    PresenceLeavePayload,
    PresenceLeaveSuccess,
    PresenceSuccess,
    PresenceUpdateInput,
    PresenceUpdatePayload,
)
from loaders.base import shape_of, visible_select
from models.design import MATRIX_SIZE
from models.design import Presence as PresenceModel
from models.design import Project as ProjectModel
from models.viewer import Viewer
from resolvers.history import require_subscriber, visible_project
from resolvers.validation import Checks
from resolvers.writes import Writer, mutate

TABLE = cast(Table, PresenceModel.__table__)


def presence_node(row: Mapping[str, Any]) -> Presence:
    shape = shape_of(Presence)
    return shape.build([row[c.key] for c in shape.columns])


async def _require_in_project(
    writer: Writer, project: ProjectModel, editing: tuple[str, uuid.UUID], global_id: str
) -> None:
    """The edited node is the project or a row of it, and the viewer can see it."""
    model = NODE_TYPES[editing[0]].__model__
    columns = model.__table__.c
    stmt = visible_select(model, model.id).where(model.id == editing[1])
    if "project_id" in columns:
        stmt = stmt.where(columns.project_id == project.id)
    elif model is ProjectModel:
        stmt = stmt.where(model.id == project.id)
    else:
        raise NotFound(editing[0], global_id, ("editing",))
    if await writer.session.scalar(stmt.params(**writer.viewer.params())) is None:
        raise NotFound(editing[0], global_id, ("editing",))


async def update_presence(writer: Writer, data: PresenceUpdateInput) -> dict[str, Any]:
    project = await writer.get(
        ProjectModel, data.project, type_name="Project", path=("project",), lock=False
    )
    checks = Checks()
    client_id = checks.text(["clientId"], data.client_id, max_length=64)
    cursor_x = checks.in_range(["cursorX"], data.cursor_x, 0, MATRIX_SIZE - 1)
    cursor_y = checks.in_range(["cursorY"], data.cursor_y, 0, MATRIX_SIZE - 1)
    editing: tuple[str, uuid.UUID] | None = None
    if data.editing is not None:
        try:
            editing = from_global_id(data.editing)
        except InvalidId as exc:
            checks.fail(["editing"], FieldErrorCode.INVALID_ID, str(exc))
    checks.done()
    if editing is not None:
        await _require_in_project(writer, project, editing, data.editing or "")
    expires = datetime.now(UTC) + timedelta(seconds=get_settings().presence_ttl_seconds)
    values = {
        "project_id": project.id,
        "organization_id": project.organization_id,
        "user_id": writer.viewer.user_id,
        "client_id": client_id,
        "cursor_x": cursor_x,
        "cursor_y": cursor_y,
        "editing_type": editing[0] if editing else None,
        "editing_id": editing[1] if editing else None,
        "expires_at": expires,
    }
    stmt = (
        insert(TABLE)
        .values(values)
        .on_conflict_do_update(
            index_elements=["project_id", "user_id", "client_id"],
            set_={
                **{
                    k: values[k]
                    for k in ("cursor_x", "cursor_y", "editing_type", "editing_id", "expires_at")
                },
                "updated_at": func.now(),
            },
        )
        .returning(*TABLE.c, (TABLE.c.created_at == TABLE.c.updated_at).label("joined"))
    )
    row = dict((await writer.session.execute(stmt)).mappings().one())
    kind = presence.JOIN if row.pop("joined") else presence.UPDATE
    await _notify(writer, kind, row)
    return row


async def _notify(writer: Writer, kind: str, row: dict[str, Any]) -> None:
    await writer.session.execute(
        select(func.pg_notify(presence.CHANNEL, presence.row_payload(kind, row)))
    )


async def leave_presence(
    writer: Writer, project_id: uuid.UUID, client_id: str
) -> dict[str, Any] | None:
    stmt = (
        delete(TABLE)
        .where(and_(
            TABLE.c.project_id == project_id,
            TABLE.c.user_id == writer.viewer.user_id,
            TABLE.c.client_id == client_id,
        ))
        .returning(*TABLE.c)
    )  # fmt: skip
    row = (await writer.session.execute(stmt)).mappings().one_or_none()
    if row is None:
        return None
    await _notify(writer, presence.LEAVE, dict(row))
    return dict(row)


async def _leave_on_close(
    db: Database, viewer: Viewer, project_id: uuid.UUID, client_id: str
) -> None:
    async with db.sessions() as session, session.begin():
        await leave_presence(Writer(session, viewer), project_id, client_id)


@strawberry.type
class PresenceMutation:
    @strawberry.mutation(
        description="Announce or renew your presence in a design project (cursor cell, the "
        "node you edit); the project's other members see it at once."
    )
    async def presence_update(
        self, info: Info, input: MutationInput[PresenceUpdateInput]
    ) -> PresenceUpdatePayload:
        return await mutate(
            info, lambda w: update_presence(w, input), lambda row: PresenceSuccess(
                presence=presence_node(row)
            ),
        )  # fmt: skip

    @strawberry.mutation(description="Leave a design project (your client's presence ends).")
    async def presence_leave(
        self, info: Info, input: MutationInput[PresenceLeaveInput]
    ) -> PresenceLeavePayload:
        async def op(writer: Writer) -> bool:
            project = await writer.get(
                ProjectModel, input.project, type_name="Project", path=("project",), lock=False
            )
            return await leave_presence(writer, project.id, input.client_id) is not None

        return await mutate(info, op, lambda left: PresenceLeaveSuccess(left=left))


@strawberry.type
class PresenceSubscription:
    @strawberry.subscription(
        description="Who joins, moves and leaves a design project, as it happens (your own "
        "client's updates excepted, when you pass its `clientId`). When this subscription "
        "ends — the socket closes or drops — that client's presence ends too."
    )
    async def project_presence(
        self,
        info: Info,
        project: Annotated[
            strawberry.ID,
            strawberry.argument(description="The global ID of a project you can read."),
        ],
        client_id: Annotated[
            str | None,
            strawberry.argument(
                description="Your own client's `clientId` (as in `presenceUpdate`): its events "
                "are not sent back to you, and its presence ends when this subscription ends."
            ),
        ] = None,
    ) -> AsyncGenerator[PresenceEvent, None]:
        ctx = info.context
        require_subscriber(info)
        found = await visible_project(info, project)
        project_id, organization_id = found.pk, found.organization_id
        viewer = ctx.viewer
        # Registered with the change stream only to have the viewer re-read when its
        # memberships change: a member who leaves the organization stops seeing presence.
        watcher = Subscriber(viewer, ctx.token, lambda change: False)
        changes = ctx.db.changes
        await changes.start()
        changes.register(watcher)
        try:
            async for event in ctx.db.presence.watch(project_id):
                current = watcher.viewer
                if watcher.ended or not (
                    current.is_superuser or organization_id in current.permissions
                ):
                    return
                row = event.row
                if client_id is not None and (row["user_id"], row["client_id"]) == (
                    current.user_id, client_id,
                ):  # fmt: skip
                    continue
                ctx.refresh(current)
                yield PresenceEvent(kind=PresenceEventKind(event.kind), presence=presence_node(row))
        finally:
            changes.unregister(watcher)
            if client_id is not None:
                await asyncio.shield(_leave_on_close(ctx.db, viewer, project_id, client_id))
