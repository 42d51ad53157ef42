"""Presence in design projects: who is in a project now, where, editing what."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from graph.context import Info
from graph.kernel.errors import NotFoundError, ValidationError
from graph.kernel.fields import to_one
from graph.kernel.ids import NODE_TYPES, to_global_id
from graph.kernel.relay import Connection, Node
from graph.types.accounts import User
from loaders.paging import OrderTerm
from models.design import Presence as PresenceModel


@strawberry.type(
    description="A user's client (e.g. a browser tab) in a design project: its cursor cell "
    "and the node it edits. It expires unless renewed by `presenceUpdate`."
)
class Presence:
    __model__ = PresenceModel

    pk: strawberry.Private[uuid.UUID]
    project_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID]
    editing_type: strawberry.Private[str | None]
    editing_id: strawberry.Private[uuid.UUID | None]
    client_id: str = strawberry.field(description="The client's own id, e.g. per browser tab.")
    cursor_x: int | None
    cursor_y: int | None
    updated_at: datetime = strawberry.field(name="lastSeenAt")
    expires_at: datetime

    user: User | None = to_one("user_id")

    @strawberry.field(name="editingId", description="The global ID of the node being edited.")
    def editing_global_id(self) -> strawberry.ID | None:
        if self.editing_type is None or self.editing_id is None:
            return None
        return strawberry.ID(to_global_id(self.editing_type, self.editing_id))

    @strawberry.field(description="The node being edited, if you can see it.")
    async def editing(self, info: Info) -> Node | None:
        cls = NODE_TYPES.get(self.editing_type or "")
        if cls is None or self.editing_id is None:
            return None
        return await info.context.loaders.by_id(cls).load(self.editing_id)


@strawberry.type(description="The clients present in a project.")
class PresenceConnection(Connection[Presence], default_order=OrderTerm(PresenceModel.created_at)):
    pass


@strawberry.enum(description="What happened to a presence.")
class PresenceEventKind(enum.Enum):
    JOIN = "join"
    UPDATE = "update"
    LEAVE = "leave"


@strawberry.type(description="Someone joined, moved, or left a project.")
class PresenceEvent:
    kind: PresenceEventKind
    presence: Presence


@strawberry.input(
    description="Announce (or renew) your presence in a project; send it again at least "
    "every `TRELLIS_PRESENCE_TTL` seconds (30 by default) to stay present."
)
class PresenceUpdateInput:
    project: strawberry.ID
    client_id: str = strawberry.field(description="1-64 characters, e.g. per browser tab.")
    cursor_x: int | None = strawberry.field(default=None, description="0 to 999.")
    cursor_y: int | None = strawberry.field(default=None, description="0 to 999.")
    editing: strawberry.ID | None = strawberry.field(
        default=None, description="A node of the project you are editing."
    )


@strawberry.input(description="Leave a project (remove your client's presence).")
class PresenceLeaveInput:
    project: strawberry.ID
    client_id: str


@strawberry.type
class PresenceSuccess:
    presence: Presence


@strawberry.type
class PresenceLeaveSuccess:
    left: bool = strawberry.field(description="False if you were not present.")


PresenceUpdatePayload = Annotated[
    PresenceSuccess | ValidationError | NotFoundError, strawberry.union("PresenceUpdatePayload")
]
PresenceLeavePayload = Annotated[
    PresenceLeaveSuccess | ValidationError | NotFoundError,
    strawberry.union("PresenceLeavePayload"),
]
