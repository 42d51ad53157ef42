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
from graph.kernel.aggregates import Aggregable
from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    changed_node,
    deleted_id,
    payload,
)
from graph.kernel.fields import to_many, to_one
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    IDFilter,
    OrderBy,
    StringFilter,
    by,
    by_relevance,
    entity_filter,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node, created, updated
from graph.types.accounts import Organization, User
from loaders.base import Relation
from loaders.paging import OrderTerm

# ---------------------------------------------------------------------------------------------
# Filters and orderings


@strawberry.input(description="Filter items; all given conditions must hold.")
@entity_filter
class ItemFilter(EntityFilter):
    id: IDFilter | None = on(models.Item.id, ref="Item")
    type: StringFilter | None = on(models.Item.type)
    title: StringFilter | None = on(models.Item.title)
    description: StringFilter | None = on(models.Item.description)
    owner: IDFilter | None = on(models.Item.owner_id, ref="User")
    organization: IDFilter | None = on(models.Item.organization_id, ref="Organization")
    created_at: DateTimeFilter | None = on(models.Item.created_at)
    updated_at: DateTimeFilter | None = on(models.Item.updated_at)


@strawberry.enum(description="Fields items can be ordered by.")
class ItemOrderField(enum.Enum):
    CREATED_AT = by(models.Item.created_at)
    UPDATED_AT = by(models.Item.updated_at)
    TITLE = by(models.Item.title)
    TYPE = by(models.Item.type)
    RELEVANCE = strawberry.enum_value(
        by_relevance(),
        description="How well each node matches the `search` (needed): best first ascending.",
    )


@strawberry.input(description="One ordering term for items.")
class ItemOrder(OrderBy[ItemOrderField]):
    pass


@strawberry.input(description="Filter tags; all given conditions must hold.")
@entity_filter
class TagFilter(EntityFilter):
    id: IDFilter | None = on(models.Tag.id, ref="Tag")
    name: StringFilter | None = on(models.Tag.name)
    color: StringFilter | None = on(models.Tag.color)
    organization: IDFilter | None = on(models.Tag.organization_id, ref="Organization")
    created_at: DateTimeFilter | None = on(models.Tag.created_at)


@strawberry.enum(description="Fields tags can be ordered by.")
class TagOrderField(enum.Enum):
    NAME = by(models.Tag.name)
    CREATED_AT = by(models.Tag.created_at)


@strawberry.input(description="One ordering term for tags.")
class TagOrder(OrderBy[TagOrderField]):
    pass


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

    owner_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID | None]
    type: str = strawberry.field(
        description="A free-form kind the clients choose (`generic` by "
        "default), up to 64 characters."
    )
    title: str = strawberry.field(description="The title, 1-500 characters.")
    description: str | None = strawberry.field(description="A longer text; null when none.")
    meta_data: JSON = strawberry.field(
        description="A free-form JSON object the clients keep with the item."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()
    archived_at: datetime | None = strawberry.field(
        description="When it was archived; null when it is not. Archived nodes drop out of "
        "lists (unless `includeArchived: true`) and cannot be changed until restored."
    )

    owner: User | None = to_one(
        "owner_id", description="The owner; null when you cannot see them (they left)."
    )
    organization: Organization | None = to_one(
        "organization_id", description="Null once the organization is deleted (the item stays)."
    )
    tags: TagConnection = to_many(ITEM_TAGS, description="The item's tags.")


@node_type
@strawberry.type(
    description="A label for items, unique by name (case-insensitively) per organization."
)
class Tag(Node):
    __model__ = models.Tag

    organization_id: strawberry.Private[uuid.UUID]
    name: str = strawberry.field(
        description="The label, unique per organization case-insensitively, 1-200 characters."
    )
    color: str | None = strawberry.field(description="`#rrggbb`, or null.")
    created_at: datetime = created()
    updated_at: datetime = updated()

    organization: Organization | None = to_one(
        "organization_id", description="The organization the tag belongs to."
    )
    items: ItemConnection = to_many(TAG_ITEMS, description="Items carrying this tag.")


@strawberry.type(description="A page of items.")
class ItemConnection(
    Connection[Item],
    filter=ItemFilter,
    order=ItemOrder,
    default_order=OrderTerm(models.Item.created_at),
    aggregate=Aggregable(
        dates={"created_at": models.Item.created_at, "updated_at": models.Item.updated_at},
        groups={"type": models.Item.type},
    ),
):
    pass


@strawberry.type(description="A page of tags.")
class TagConnection(
    Connection[Tag], filter=TagFilter, order=TagOrder, default_order=OrderTerm(models.Tag.name)
):
    pass


# ---------------------------------------------------------------------------------------------
# The catalog's fields of users and organizations (composed in graph.schema)


@strawberry.type
class CatalogUserFields:
    items: ItemConnection = to_many(
        models.Item.owner_id, description="Items this user owns (that you can see)."
    )


@strawberry.type
class CatalogOrganizationFields:
    items: ItemConnection = to_many(
        models.Item.organization_id, description="The organization's items."
    )
    tags: TagConnection = to_many(
        models.Tag.organization_id, description="The organization's tags."
    )


# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads


@strawberry.input(description="A new item in an organization (EDITOR+).")
class ItemCreateInput:
    organization: strawberry.ID = strawberry.field(
        description="The global ID of the organization "
        "the item goes in (you need EDITOR or above there)."
    )
    title: str = strawberry.field(description="1-500 characters.")
    type: str = strawberry.field(
        default="generic",
        description="A free-form kind, up to 64 characters; `generic` by default.",
    )
    description: str | None = strawberry.field(
        default=None, description="A longer text; none by default."
    )
    meta_data: JSON | None = strawberry.field(
        default=None, description="A JSON object to keep with the item; `{}` by default."
    )
    tags: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Tags of the same organization to attach."
    )


@strawberry.input(description="Change an item. Omitted fields stay as they are.")
class ItemUpdateInput:
    id: strawberry.ID = strawberry.field(description="The item's global ID.")
    # Nullable in the SDL so an explicit null gets a typed error, not a coercion failure.
    title: Maybe[str | None] = strawberry.field(
        default=None, description="A new title, 1-500 characters (null is refused)."
    )
    type: Maybe[str | None] = strawberry.field(
        default=None, description="A new kind, up to 64 characters (null is refused)."
    )
    description: Maybe[str | None] = strawberry.field(
        default=None, description="A new description; null clears it."
    )
    meta_data: Maybe[JSON | None] = strawberry.field(
        default=None, description="A JSON object replacing the current one (not merged)."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete an item (soft: it disappears from every read).")
class ItemDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the item to delete.")


@strawberry.input(description="Attach or detach tags of the item's organization.")
class ItemTagsInput:
    item: strawberry.ID = strawberry.field(description="The item's global ID.")
    tags: list[strawberry.ID] = strawberry.field(
        description="Global IDs of tags of the item's "
        "organization; tags already in the wanted state are left alone."
    )


@strawberry.type(description="The `Item`, as the mutation left it.")
class ItemSuccess:
    item: Item = changed_node()


@strawberry.type(description="The `Item` is deleted.")
class ItemDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


ItemCreatePayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ItemCreatePayload"),
]
ItemUpdatePayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ItemUpdatePayload"),
]
ItemDeletePayload = Annotated[
    ItemDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ItemDeletePayload"),
]
ItemTagsPayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ItemTagsPayload", "itemTagsAdd", "itemTagsRemove"),
]


@strawberry.input(description="A new tag in an organization (EDITOR+).")
class TagCreateInput:
    organization: strawberry.ID = strawberry.field(
        description="The global ID of the organization the tag goes in (EDITOR or above)."
    )
    name: str = strawberry.field(description="Unique per organization, case-insensitively.")
    color: str | None = strawberry.field(default=None, description="`#rrggbb`.")


@strawberry.input(description="Change a tag. Omitted fields stay as they are.")
class TagUpdateInput:
    id: strawberry.ID = strawberry.field(description="The tag's global ID.")
    name: Maybe[str | None] = strawberry.field(
        default=None,
        description="A new name, unique per organization case-insensitively (null is refused).",
    )
    color: Maybe[str | None] = strawberry.field(
        default=None, description="A new `#rrggbb` color; null clears it."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete a tag (soft); it is detached from every item.")
class TagDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the tag to delete.")


@strawberry.type(description="The `Tag`, as the mutation left it.")
class TagSuccess:
    tag: Tag = changed_node()


@strawberry.type(description="The `Tag` is deleted.")
class TagDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


TagCreatePayload = Annotated[
    TagSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("TagCreatePayload"),
]
TagUpdatePayload = Annotated[
    TagSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("TagUpdatePayload"),
]
TagDeletePayload = Annotated[
    TagDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("TagDeletePayload"),
]
