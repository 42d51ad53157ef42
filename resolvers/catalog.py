"""The catalog: items and tags, and tagging."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import and_

import models
from graph.compiled import ById, RootList, compiled_as
from graph.context import Info
from graph.kernel.connections import PageArgs, root_connection
from graph.kernel.errors import NotFound
from graph.kernel.ids import to_global_id
from graph.types.accounts import ITEM_ORDER, TAG_ORDER
from graph.types.catalog import (
    Item,
    ItemConnection,
    ItemCreateInput,
    ItemCreatePayload,
    ItemDeleteInput,
    ItemDeletePayload,
    ItemDeleteSuccess,
    ItemFilter,
    ItemOrder,
    ItemSuccess,
    ItemTagsInput,
    ItemTagsPayload,
    ItemUpdateInput,
    ItemUpdatePayload,
    Tag,
    TagConnection,
    TagCreateInput,
    TagCreatePayload,
    TagDeleteInput,
    TagDeletePayload,
    TagDeleteSuccess,
    TagFilter,
    TagOrder,
    TagSuccess,
    TagUpdateInput,
    TagUpdatePayload,
)
from loaders.base import to_node
from resolvers.node import get_node
from resolvers.validation import Checks
from resolvers.writes import Writer, mutate

# ---------------------------------------------------------------------------------------------
# Ops


async def _tags_of(
    writer: Writer, tag_ids: list[uuid.UUID], organization_id: uuid.UUID | None
) -> list[models.Tag]:
    """Tags of one organization, all visible, or NotFound naming the first that is not."""
    if not tag_ids:
        return []
    found = (
        await writer.session.scalars(
            writer.visible(models.Tag).where(
                models.Tag.id.in_(tag_ids), models.Tag.organization_id == organization_id
            )
        )
    ).all()
    known = {t.id for t in found}
    for i, pk in enumerate(tag_ids):
        if pk not in known:
            raise NotFound("Tag", to_global_id("Tag", pk), ("tags", str(i)))
    return list(found)


async def create_item(writer: Writer, data: ItemCreateInput) -> models.Item:
    org = await writer.get(
        models.Organization,
        data.organization,
        type_name="Organization",
        path=("organization",),
        lock=False,
    )
    writer.require("item:create", org.id)
    checks = Checks()
    title = checks.text(["title"], data.title, max_length=500)
    item_type = checks.text(["type"], data.type, max_length=64)
    meta = checks.json_object(["metaData"], data.meta_data if data.meta_data is not None else {})
    tag_ids = checks.ids(["tags"], data.tags, "Tag")
    checks.done()
    tags = await _tags_of(writer, tag_ids, org.id)
    item = await writer.create(
        models.Item(
            owner_id=writer.viewer.user_id,
            organization_id=org.id,
            title=title,
            type=item_type,
            description=data.description,
            meta_data=meta,
        )
    )
    await writer.link(
        models.item_tags, item, [{"item_id": item.id, "tag_id": t.id} for t in tags], "tags"
    )
    return item


async def update_item(writer: Writer, data: ItemUpdateInput) -> models.Item:
    item = await writer.get(models.Item, data.id, type_name="Item")
    writer.require_on(item, "item:update")
    checks, values = Checks(), dict[str, Any]()
    if data.title is not None:
        values["title"] = checks.text(["title"], data.title.value, max_length=500)
    if data.type is not None:
        values["type"] = checks.text(["type"], data.type.value, max_length=64)
    if data.description is not None:
        values["description"] = data.description.value
    if data.meta_data is not None:
        values["meta_data"] = checks.json_object(["metaData"], data.meta_data.value)
    checks.done()
    return await writer.update(item, values, seen_updated_at=data.updated_at)


async def delete_item(writer: Writer, *, id: str) -> None:
    item = await writer.get(models.Item, id, type_name="Item")
    writer.require_on(item, "item:delete")
    await writer.delete(item)


async def tag_item(writer: Writer, data: ItemTagsInput, *, attach: bool) -> models.Item:
    item = await writer.get(models.Item, data.item, type_name="Item", path=("item",))
    writer.require_on(item, "item:update")
    checks = Checks()
    tag_ids = checks.ids(["tags"], data.tags, "Tag")
    checks.done()
    tags = await _tags_of(writer, tag_ids, item.organization_id)
    if attach:
        rows = [{"item_id": item.id, "tag_id": t.id} for t in tags]
        await writer.link(models.item_tags, item, rows, "tags")
    elif tags:
        where = and_(
            models.item_tags.c.item_id == item.id,
            models.item_tags.c.tag_id.in_([t.id for t in tags]),
        )
        await writer.unlink(models.item_tags, item, where, "tags")
    return item


async def create_tag(writer: Writer, data: TagCreateInput) -> models.Tag:
    org = await writer.get(
        models.Organization,
        data.organization,
        type_name="Organization",
        path=("organization",),
        lock=False,
    )
    writer.require("tag:create", org.id)
    checks = Checks()
    name = checks.text(["name"], data.name, max_length=200)
    color = checks.color(["color"], data.color)
    checks.done()
    return await writer.create(models.Tag(organization_id=org.id, name=name, color=color))


async def update_tag(writer: Writer, data: TagUpdateInput) -> models.Tag:
    tag = await writer.get(models.Tag, data.id, type_name="Tag")
    writer.require("tag:update", tag.organization_id)
    checks, values = Checks(), dict[str, Any]()
    if data.name is not None:
        values["name"] = checks.text(["name"], data.name.value, max_length=200)
    if data.color is not None:
        values["color"] = checks.color(["color"], data.color.value)
    checks.done()
    return await writer.update(tag, values, seen_updated_at=data.updated_at)


async def delete_tag(writer: Writer, *, id: str) -> None:
    tag = await writer.get(models.Tag, id, type_name="Tag")
    writer.require("tag:delete", tag.organization_id)
    await writer.unlink(models.item_tags, tag, models.item_tags.c.tag_id == tag.id, "items")
    await writer.delete(tag)


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="An item you can see, by ID.")
    @compiled_as(ById(Item))
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        return await get_node(info, Item, id)

    @strawberry.field(description="A tag you can see, by ID.")
    @compiled_as(ById(Tag))
    async def tag(self, info: Info, id: strawberry.ID) -> Tag | None:
        return await get_node(info, Tag, id)

    @strawberry.field(description="Items you can see, across your organizations.")
    @compiled_as(RootList(Item, ITEM_ORDER))
    async def items(
        self,
        info: Info,
        filter: ItemFilter | None = None,
        order_by: list[ItemOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ItemConnection:
        return await root_connection(
            info,
            ItemConnection,
            Item,
            PageArgs(filter, order_by, first, after, last, before),
            default_order=ITEM_ORDER,
        )

    @strawberry.field(description="Tags you can see, across your organizations.")
    @compiled_as(RootList(Tag, TAG_ORDER))
    async def tags(
        self,
        info: Info,
        filter: TagFilter | None = None,
        order_by: list[TagOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TagConnection:
        return await root_connection(
            info,
            TagConnection,
            Tag,
            PageArgs(filter, order_by, first, after, last, before),
            default_order=TAG_ORDER,
        )


def _item(item: Any) -> ItemSuccess:
    return ItemSuccess(item=to_node(Item, item))


def _tag(tag: Any) -> TagSuccess:
    return TagSuccess(tag=to_node(Tag, tag))


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(description="Create an item (EDITOR+), optionally with tags.")
    async def item_create(self, info: Info, input: ItemCreateInput) -> ItemCreatePayload:
        return await mutate(info, lambda w: create_item(w, input), _item)

    @strawberry.mutation(description="Change an item (EDITOR+).")
    async def item_update(self, info: Info, input: ItemUpdateInput) -> ItemUpdatePayload:
        return await mutate(info, lambda w: update_item(w, input), _item)

    @strawberry.mutation(description="Delete an item (EDITOR+; soft delete).")
    async def item_delete(self, info: Info, input: ItemDeleteInput) -> ItemDeletePayload:
        return await mutate(
            info,
            lambda w: delete_item(w, id=input.id),
            lambda _: ItemDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description="Attach tags to an item (EDITOR+); attached ones stay.")
    async def item_tags_add(self, info: Info, input: ItemTagsInput) -> ItemTagsPayload:
        return await mutate(info, lambda w: tag_item(w, input, attach=True), _item)

    @strawberry.mutation(description="Detach tags from an item (EDITOR+).")
    async def item_tags_remove(self, info: Info, input: ItemTagsInput) -> ItemTagsPayload:
        return await mutate(info, lambda w: tag_item(w, input, attach=False), _item)

    @strawberry.mutation(description="Create a tag (EDITOR+).")
    async def tag_create(self, info: Info, input: TagCreateInput) -> TagCreatePayload:
        return await mutate(info, lambda w: create_tag(w, input), _tag)

    @strawberry.mutation(description="Change a tag (EDITOR+).")
    async def tag_update(self, info: Info, input: TagUpdateInput) -> TagUpdatePayload:
        return await mutate(info, lambda w: update_tag(w, input), _tag)

    @strawberry.mutation(description="Delete a tag (EDITOR+); it is detached from every item.")
    async def tag_delete(self, info: Info, input: TagDeleteInput) -> TagDeletePayload:
        return await mutate(
            info,
            lambda w: delete_tag(w, id=input.id),
            lambda _: TagDeleteSuccess(deleted_id=input.id),
        )
