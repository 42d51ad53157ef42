"""History in the API: change records, each node's `history`, the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

import models
from graph.context import Info
from graph.kernel.connections import ToOne, to_one
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    Ref,
    StringFilter,
)
from graph.kernel.ids import NODE_TYPES, to_global_id
from graph.kernel.relay import Connection, Node
from graph.types.accounts import ApiKey, Organization, User
from loaders.base import OrderTerm
from models.history import ChangeAction

strawberry.enum(ChangeAction, description="What a change did to its row.")

# Newest first.
HISTORY_ORDER = (OrderTerm(models.ChangeLog.position, descending=True),)


ChangeActionFilter = EnumFilter[ChangeAction]


@strawberry.input(description="Filter changes; all given conditions must hold.")
class ChangeFilter(EntityFilter):
    action: ChangeActionFilter | None = None
    actor: IDFilter | None = strawberry.field(default=None, description="The acting user.")
    entity_type: StringFilter | None = None
    at: DateTimeFilter | None = None
    and_: list[ChangeFilter] | None = strawberry.field(name="and", default=None)
    or_: list[ChangeFilter] | None = strawberry.field(name="or", default=None)
    not_: ChangeFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "action": models.ChangeLog.action,
        "actor": Ref(models.ChangeLog.actor_user_id, "User"),
        "entity_type": models.ChangeLog.entity_type,
        "at": models.ChangeLog.created_at,
    }


@strawberry.type(description="One field of a change: its value before and after.")
class FieldChange:
    field: str = strawberry.field(description="The field's name, as the API spells it.")
    old: JSON | None
    new: JSON | None


@strawberry.type(
    description="One created, updated or deleted row, recorded in the transaction that "
    "changed it. Secrets (password and token hashes) are never recorded."
)
class Change:
    __model__ = models.ChangeLog
    __relations__ = {
        "actor": ToOne(lambda: User, "actor_user_id"),
        "actor_api_key": ToOne(lambda: ApiKey, "actor_api_key_id"),
        "organization": ToOne(lambda: Organization, "organization_id"),
    }

    pk: strawberry.Private[uuid.UUID]
    position: strawberry.Private[int]
    entity_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID | None]
    scope_id: strawberry.Private[uuid.UUID | None]
    actor_user_id: strawberry.Private[uuid.UUID | None]
    actor_api_key_id: strawberry.Private[uuid.UUID | None]
    changes: strawberry.Private[dict[str, list[JSON]]]
    entity_type: str = strawberry.field(description="The changed node's type name.")
    action: ChangeAction
    created_at: datetime = strawberry.field(name="at", description="When it was committed.")

    @strawberry.field(
        description="Where this change sits in the change stream: pass it as `after:` to "
        "`changes` to resume right after it. Increases with every commit."
    )
    def cursor(self) -> str:
        return str(self.position)

    @strawberry.field(
        name="entityId", description="The changed node's global ID (it may be deleted since)."
    )
    def entity_node_id(self) -> strawberry.ID:
        return strawberry.ID(entity_global_id(self.entity_type, self.entity_id))

    @strawberry.field(description="The changed fields, old and new values.")
    def fields(self) -> list[FieldChange]:
        return [
            FieldChange(field=to_camel_case(name), old=old, new=new)
            for name, (old, new) in self.changes.items()
        ]

    @strawberry.field(description="The user who made it; null if anonymous or not visible.")
    def actor(self, info: Info) -> User | None:
        return to_one(info, self, "actor")

    @strawberry.field(description="The API key it was made with, if you own that key.")
    def actor_api_key(self, info: Info) -> ApiKey | None:
        return to_one(info, self, "actor_api_key")

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return to_one(info, self, "organization")


def entity_global_id(entity_type: str, pk: uuid.UUID) -> str:
    return to_global_id(entity_type, pk) if entity_type in NODE_TYPES else str(pk)


@strawberry.type(description="A page of changes, newest first.")
class ChangeConnection(Connection[Change]):
    pass


@strawberry.type(
    description="A change as a subscription delivers it: the change, and the node as it is "
    "now (null after a delete, or if you can no longer see it)."
)
class ChangeEvent(Change):
    node: Node | None = strawberry.field(default=None, description="The changed node, now.")


@strawberry.input(description="Which changes a subscription wants; all given conditions hold.")
class ChangeStreamFilter:
    entity_types: list[str] | None = strawberry.field(
        default=None, description='Type names, e.g. `["Item", "Tag"]`.'
    )
    entity_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Global IDs of the nodes to follow."
    )
    actions: list[ChangeAction] | None = None
    organization_id: strawberry.ID | None = None
