"""The catalog in the API: items and tags."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

import models
from graph.context import Info
from graph.kernel.connections import PageArgs, ToMany, ToOne, to_many, to_one
from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    IDFilter,
    OrderDirection,
    Ref,
    StringFilter,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import ITEM_ORDER, TAG_ORDER, Organization, User
from loaders.base import Relation

# ---------------------------------------------------------------------------------------------
# Filters and orderings


@strawberry.input(description="Filter items; all given conditions must hold.")
class ItemFilter(EntityFilter):
    id: IDFilter | None = None
    type: StringFilter | None = None
    title: StringFilter | None = None
    description: StringFilter | None = None
    owner: IDFilter | None = None
    organization: IDFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[ItemFilter] | None = strawberry.field(name="and", default=None)
    or_: list[ItemFilter] | None = strawberry.field(name="or", default=None)
    not_: ItemFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.Item.id, "Item"),
        "type": models.Item.type,
        "title": models.Item.title,
        "description": models.Item.description,
        "owner": Ref(models.Item.owner_id, "User"),
        "organization": Ref(models.Item.organization_id, "Organization"),
        "created_at": models.Item.created_at,
        "updated_at": models.Item.updated_at,
    }


@strawberry.enum(description="Fields items can be ordered by.")
class ItemOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"
    TYPE = "type"


@strawberry.input(description="One ordering term for items.")
class ItemOrder:
    field: ItemOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        ItemOrderField.CREATED_AT: models.Item.created_at,
        ItemOrderField.UPDATED_AT: models.Item.updated_at,
        ItemOrderField.TITLE: models.Item.title,
        ItemOrderField.TYPE: models.Item.type,
    }


@strawberry.input(description="Filter tags; all given conditions must hold.")
class TagFilter(EntityFilter):
    id: IDFilter | None = None
    name: StringFilter | None = None
    color: StringFilter | None = None
    organization: IDFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[TagFilter] | None = strawberry.field(name="and", default=None)
    or_: list[TagFilter] | None = strawberry.field(name="or", default=None)
    not_: TagFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.Tag.id, "Tag"),
        "name": models.Tag.name,
        "color": models.Tag.color,
        "organization": Ref(models.Tag.organization_id, "Organization"),
        "created_at": models.Tag.created_at,
    }


@strawberry.enum(description="Fields tags can be ordered by.")
class TagOrderField(enum.Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input(description="One ordering term for tags.")
class TagOrder:
    field: TagOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        TagOrderField.NAME: models.Tag.name,
        TagOrderField.CREATED_AT: models.Tag.created_at,
    }


ITEM_TAGS = Relation(
    models.item_tags.c.item_id, models.item_tags, models.item_tags.c.tag_id == models.Tag.id
)
TAG_ITEMS = Relation(
    models.item_tags.c.tag_id, models.item_tags, models.item_tags.c.item_id == models.Item.id
)

# ---------------------------------------------------------------------------------------------
# Nodes


@node_type
@strawberry.type(description="A catalog entry, owned by a user, usually within an organization.")
class Item(Node):
    __model__ = models.Item
    __relations__ = {
        "owner": ToOne(lambda: User, "owner_id"),
        "organization": ToOne(lambda: Organization, "organization_id"),
        "tags": ToMany(lambda: TagConnection, lambda: Tag, ITEM_TAGS, TAG_ORDER),
    }

    owner_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID | None]
    type: str
    title: str
    description: str | None
    meta_data: JSON
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The owner; null when you cannot see them (they left).")
    def owner(self, info: Info) -> User | None:
        return to_one(info, self, "owner")

    @strawberry.field(description="Null once the organization is deleted (the item stays).")
    def organization(self, info: Info) -> Organization | None:
        return to_one(info, self, "organization")

    @strawberry.field(description="The item's tags.")
    def tags(
        self,
        info: Info,
        filter: TagFilter | None = None,
        order_by: list[TagOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TagConnection:
        return to_many(info, self, "tags", PageArgs(filter, order_by, first, after, last, before))


@node_type
@strawberry.type(
    description="A label for items, unique by name (case-insensitively) per organization."
)
class Tag(Node):
    __model__ = models.Tag
    __relations__ = {
        "organization": ToOne(lambda: Organization, "organization_id"),
        "items": ToMany(lambda: ItemConnection, lambda: Item, TAG_ITEMS, ITEM_ORDER),
    }

    organization_id: strawberry.Private[uuid.UUID]
    name: str
    color: str | None = strawberry.field(description="`#rrggbb`, or null.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return to_one(info, self, "organization")

    @strawberry.field(description="Items carrying this tag.")
    def items(
        self,
        info: Info,
        filter: ItemFilter | None = None,
        order_by: list[ItemOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ItemConnection:
        return to_many(info, self, "items", PageArgs(filter, order_by, first, after, last, before))


@strawberry.type(description="A page of items.")
class ItemConnection(Connection[Item]):
    pass


@strawberry.type(description="A page of tags.")
class TagConnection(Connection[Tag]):
    pass


# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads


@strawberry.input(description="A new item in an organization (EDITOR+).")
class ItemCreateInput:
    organization: strawberry.ID
    title: str = strawberry.field(description="1-500 characters.")
    type: str = "generic"
    description: str | None = None
    meta_data: JSON | None = None
    tags: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Tags of the same organization to attach."
    )


@strawberry.input(description="Change an item. Omitted fields stay as they are.")
class ItemUpdateInput:
    id: strawberry.ID
    # Nullable in the SDL so an explicit null gets a typed error, not a coercion failure.
    title: Maybe[str | None] = None
    type: Maybe[str | None] = None
    description: Maybe[str | None] = None
    meta_data: Maybe[JSON | None] = None
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete an item (soft: it disappears from every read).")
class ItemDeleteInput:
    id: strawberry.ID


@strawberry.input(description="Attach or detach tags of the item's organization.")
class ItemTagsInput:
    item: strawberry.ID
    tags: list[strawberry.ID]


@strawberry.type
class ItemSuccess:
    item: Item


@strawberry.type
class ItemDeleteSuccess:
    deleted_id: strawberry.ID


ItemCreatePayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ItemCreatePayload"),
]
ItemUpdatePayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("ItemUpdatePayload"),
]
ItemDeletePayload = Annotated[
    ItemDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ItemDeletePayload"),
]
ItemTagsPayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ItemTagsPayload"),
]


@strawberry.input(description="A new tag in an organization (EDITOR+).")
class TagCreateInput:
    organization: strawberry.ID
    name: str = strawberry.field(description="Unique per organization, case-insensitively.")
    color: str | None = strawberry.field(default=None, description="`#rrggbb`.")


@strawberry.input(description="Change a tag. Omitted fields stay as they are.")
class TagUpdateInput:
    id: strawberry.ID
    name: Maybe[str | None] = None
    color: Maybe[str | None] = None
    updated_at: datetime | None = None


@strawberry.input(description="Delete a tag (soft); it is detached from every item.")
class TagDeleteInput:
    id: strawberry.ID


@strawberry.type
class TagSuccess:
    tag: Tag


@strawberry.type
class TagDeleteSuccess:
    deleted_id: strawberry.ID


TagCreatePayload = Annotated[
    TagSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("TagCreatePayload"),
]
TagUpdatePayload = Annotated[
    TagSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("TagUpdatePayload"),
]
TagDeletePayload = Annotated[
    TagDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("TagDeletePayload"),
]
