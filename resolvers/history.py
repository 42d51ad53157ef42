"""History: the audit log, and subscriptions to the change stream (graph/live/changes.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Callable
from typing import Annotated, Any

import strawberry

import models
from graph.context import Info
from graph.kernel import prefetch
from graph.kernel.ids import NODE_TYPES, InvalidId, from_global_id, user_error
from graph.kernel.paging import PageArgs
from graph.kernel.relations import page_argument
from graph.live.changes import Delivery, Subscriber
from graph.types.accounts import Organization
from graph.types.history import (
    Change,
    ChangeConnection,
    ChangeEvent,
    ChangeFilter,
    ChangeStreamFilter,
)
from models.history import ChangeAction

AUDIT_PERMISSION = "audit:read"


def _decode(global_id: str, type_name: str | None, path: str) -> tuple[str, uuid.UUID]:
    try:
        return from_global_id(global_id, expected=type_name)
    except InvalidId as exc:
        raise user_error(f"{path}: {exc}", "INVALID_ID") from exc


def _position(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit() or len(after) > 19:
        raise user_error(f"Invalid cursor {after!r}: pass a change's `cursor`.", "INVALID_CURSOR")
    return int(after)


def stream_filter(flt: ChangeStreamFilter | None) -> Callable[[Any], bool]:
    """A predicate on change-log rows (Change objects) for a subscription's filter."""
    if flt is None:
        return lambda change: True
    types = set(flt.entity_types) if flt.entity_types is not None else None
    ids = (
        {_decode(i, None, "filter.entityIds")[1] for i in flt.entity_ids}
        if flt.entity_ids is not None
        else None
    )
    actions = set(flt.actions) if flt.actions is not None else None
    org = (
        _decode(flt.organization_id, "Organization", "filter.organizationId")[1]
        if flt.organization_id is not None
        else None
    )

    def accepts(change: Any) -> bool:
        return (
            (types is None or change.entity_type in types)
            and (ids is None or change.entity_id in ids)
            and (actions is None or change.action in actions)
            and (org is None or change.organization_id == org)
        )

    return accepts


def require_subscriber(info: Info) -> None:
    if not info.context.viewer.authenticated:
        raise user_error("Sign in (connection_init payload) to subscribe.", "UNAUTHENTICATED")


async def visible_project(info: Info, project: str) -> Any:
    """The design project a subscription names, if the viewer can see it."""
    _, project_id = _decode(project, "Project", "project")
    found = await info.context.loaders.by_id(NODE_TYPES["Project"]).load(project_id)
    if found is None:
        raise user_error(f"No project {project!r} you can see.", "NOT_FOUND")
    return found


async def stream_changes(
    info: Info, accepts: Callable[[Any], bool], after: str | None
) -> AsyncGenerator[ChangeEvent, None]:
    """Events for one subscription; each resolved with fresh loaders and the current viewer."""
    ctx = info.context
    require_subscriber(info)
    position = _position(after)
    hub = ctx.db.changes
    if position is not None and position > hub.head:
        newest = await hub.newest_position()
        if position > newest:
            raise user_error(
                f"The cursor {after!r} is ahead of the change stream, whose newest change is "
                f"{newest}: pass a `cursor` you received, or omit `after` for live changes.",
                "CURSOR_AHEAD",
            )
    sub = Subscriber(ctx.viewer, ctx.token, accepts)
    delivery: Delivery
    async for delivery in ctx.db.changes.stream(sub, position):
        ctx.refresh(sub.viewer)
        event = ChangeEvent.__new__(ChangeEvent)
        event.__dict__.update(delivery.change.__dict__)
        event.node = delivery.node
        yield event
    if sub.refusal is not None:
        # The socket's credential (its connection_init's) expired or was revoked: once this
        # operation completes, the socket closes saying why (graph/server/websocket.py).
        ctx.credential_refusal = sub.refusal


# The `after:` of every change subscription.
STREAM_AFTER = strawberry.argument(
    description="Resume after this change: a change's `cursor` (from an earlier event, or "
    "from `history`/`auditLog`). First every matching change committed since, in order, then "
    "live ones; none missed, none twice. Without it, only changes committed from now on."
)


@strawberry.type
class HistoryQuery:
    @strawberry.field(
        description="An organization's change log, newest first (OWNER and ADMIN). Null if "
        "the organization does not exist or you cannot see it."
    )
    async def audit_log(
        self,
        info: Info,
        organization: Annotated[
            strawberry.ID,
            strawberry.argument(description="The global ID of the organization."),
        ],
        filter: Annotated[
            ChangeFilter | None,
            strawberry.argument(description="Only the changes matching this filter."),
        ] = None,
        first: Annotated[int | None, page_argument("first")] = None,
        after: Annotated[str | None, page_argument("after")] = None,
        last: Annotated[int | None, page_argument("last")] = None,
        before: Annotated[str | None, page_argument("before")] = None,
    ) -> ChangeConnection | None:
        ctx = info.context
        _, org_id = _decode(organization, "Organization", "organization")
        if await ctx.loaders.by_id(Organization).load(org_id) is None:
            return None
        if not ctx.viewer.can(AUDIT_PERMISSION, org_id):
            raise user_error(
                "Reading the audit log needs the OWNER or ADMIN role.", "PERMISSION_DENIED"
            )
        return await prefetch.root_connection(
            info,
            ChangeConnection,
            Change,
            PageArgs(filter, None, first, after, last, before),
            default_order=ChangeConnection.__default_order__,
            where=models.ChangeLog.organization_id == org_id,
        )


@strawberry.type
class HistorySubscription:
    @strawberry.subscription(
        description="Changes as they are committed, on every server process, filtered to "
        "what you may read. With `after:` (a change's `cursor`), first every matching change "
        "since then, then live ones: in order, none missed, none twice."
    )
    async def changes(
        self,
        info: Info,
        filter: Annotated[
            ChangeStreamFilter | None,
            strawberry.argument(
                description="Which changes to receive; all you may read by default."
            ),
        ] = None,
        after: Annotated[str | None, STREAM_AFTER] = None,
    ) -> AsyncGenerator[ChangeEvent, None]:
        async for event in stream_changes(info, stream_filter(filter), after):
            yield event

    @strawberry.subscription(
        description="Changes of a design project: the project, its members, objects, "
        "relationships, calls to action and attributes (what a matrix editor shows)."
    )
    async def project_changes(
        self,
        info: Info,
        project: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The global ID of a project you can read; an unknown or invisible "
                "one is a `NOT_FOUND` error."
            ),
        ],
        after: Annotated[str | None, STREAM_AFTER] = None,
    ) -> AsyncGenerator[ChangeEvent, None]:
        project_id = (await visible_project(info, project)).pk
        async for event in stream_changes(info, lambda c: c.scope_id == project_id, after):
            yield event

    @strawberry.subscription(description="Changes of one node (`changes` for one ID).")
    async def node_changed(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The global ID of the node to follow.")
        ],
        actions: Annotated[
            list[ChangeAction] | None,
            strawberry.argument(description="Only these actions; all by default."),
        ] = None,
        after: Annotated[str | None, STREAM_AFTER] = None,
    ) -> AsyncGenerator[ChangeEvent, None]:
        accepts = stream_filter(ChangeStreamFilter(entity_ids=[id], actions=actions))
        async for event in stream_changes(info, accepts, after):
            yield event
