"""History in the API: change records, each node's `history`, the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

import models
from graph.kernel.enums import model_enum
from graph.kernel.fields import to_one
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    StringFilter,
    entity_filter,
    on,
)
from graph.kernel.ids import NODE_TYPES, named_type, to_global_id
from graph.kernel.relay import Connection, Node
from graph.types.accounts import ApiKey, Organization, User
from loaders.paging import OrderTerm
from models.history import ChangeAction

model_enum(
    ChangeAction,
    "What a change did to its row.",
    CREATE="The row was created; `fields` holds its initial values.",
    UPDATE="Some fields changed; `fields` holds each one's old and new value.",
    DELETE="The row was deleted (soft-deleted for aggregate roots); `node` is null from then on.",
)

ChangeActionFilter = EnumFilter[ChangeAction]


@strawberry.input(description="Filter changes; all given conditions must hold.")
@entity_filter
class ChangeFilter(EntityFilter):
    action: ChangeActionFilter | None = on(models.ChangeLog.action)
    actor: IDFilter | None = on(
        models.ChangeLog.actor_user_id, ref="User", description="The acting user."
    )
    entity_type: StringFilter | None = on(models.ChangeLog.entity_type)
    at: DateTimeFilter | None = on(models.ChangeLog.created_at)


@strawberry.type(description="One field of a change: its value before and after.")
class FieldChange:
    field: str = strawberry.field(description="The field's name, as the API spells it.")
    old: JSON | None = strawberry.field(
        description="The value before the change, as JSON; null "
        "on create. Secrets (password hashes, token hashes) are never recorded."
    )
    new: JSON | None = strawberry.field(
        description="The value after the change, as JSON; null on delete."
    )


@named_type
@strawberry.type(
    description="One created, updated or deleted row, recorded in the transaction that "
    "changed it. Secrets (password and token hashes) are never recorded."
)
class Change:
    __model__ = models.ChangeLog

    pk: strawberry.Private[uuid.UUID]
    position: strawberry.Private[int]
    entity_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID | None]
    scope_id: strawberry.Private[uuid.UUID | None]
    actor_user_id: strawberry.Private[uuid.UUID | None]
    actor_api_key_id: strawberry.Private[uuid.UUID | None]
    changes: strawberry.Private[dict[str, list[JSON]]]
    entity_type: str = strawberry.field(description="The changed node's type name.")
    action: ChangeAction = strawberry.field(
        description="Whether the row was created, updated or deleted."
    )
    created_at: datetime = strawberry.field(name="at", description="When it was committed.")

    cursor: str = strawberry.field(
        resolver=lambda self: str(self.position),
        description="Where this change sits in the change stream: pass it as `after:` to "
        "`changes` to resume right after it. Increases with every commit.",
    )
    entity_node_id: strawberry.ID = strawberry.field(
        resolver=lambda self: strawberry.ID(entity_global_id(self.entity_type, self.entity_id)),
        name="entityId",
        description="The changed node's global ID (it may be deleted since).",
    )
    fields: list[FieldChange] = strawberry.field(
        resolver=lambda self: [
            FieldChange(field=to_camel_case(name), old=old, new=new)
            for name, (old, new) in self.changes.items()
        ],
        description="The changed fields, old and new values.",
    )

    actor: User | None = to_one(
        "actor_user_id", description="The user who made it; null if anonymous or not visible."
    )
    actor_api_key: ApiKey | None = to_one(
        "actor_api_key_id", description="The API key it was made with, if you own that key."
    )
    organization: Organization | None = to_one(
        "organization_id",
        description="The organization "
        "the changed row belongs to; null for rows of no organization (users, API keys) or when "
        "not visible.",
    )


def entity_global_id(entity_type: str, pk: uuid.UUID) -> str:
    return to_global_id(entity_type, pk) if entity_type in NODE_TYPES else str(pk)


@named_type
@strawberry.type(description="A page of changes, newest first.")
class ChangeConnection(
    Connection[Change],
    filter=ChangeFilter,
    default_order=OrderTerm(models.ChangeLog.position, descending=True),
):
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
    actions: list[ChangeAction] | None = strawberry.field(
        default=None, description="Only these actions; all by default."
    )
    organization_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only changes of this organization (its global ID); all of yours by default.",
    )
