"""The catalog: items and tags, and tagging."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import and_

import models
from graph.context import Info
from graph.kernel.errors import MutationInput, NotFound
from graph.kernel.fields import by_id, root_list
from graph.kernel.ids import to_global_id
from graph.types.catalog import (
    Item,
    ItemConnection,
    ItemCreateInput,
    ItemCreatePayload,
    ItemDeleteInput,
    ItemDeletePayload,
    ItemDeleteSuccess,
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
    TagSuccess,
    TagUpdateInput,
    TagUpdatePayload,
)
from loaders.base import to_node
from resolvers.validation import Checks, FieldChecks, as_is, color, json_object, text
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


ITEM_FIELDS = FieldChecks(
    title=text(max_length=500),
    type=text(max_length=64),
    description=as_is(),
    meta_data=json_object(),
)


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
    meta: Any = data.meta_data if data.meta_data is not None else {}
    values = ITEM_FIELDS.create(checks, data, meta_data=meta)
    tag_ids = checks.ids(["tags"], data.tags, "Tag")
    checks.done()
    tags = await _tags_of(writer, tag_ids, org.id)
    item = await writer.create(
        models.Item(owner_id=writer.viewer.user_id, organization_id=org.id, **values)
    )
    await writer.link(
        models.item_tags, item, [{"item_id": item.id, "tag_id": t.id} for t in tags], "tags"
    )
    return item


async def update_item(writer: Writer, data: ItemUpdateInput) -> models.Item:
    item = await writer.get(models.Item, data.id, type_name="Item")
    writer.require_on(item, "item:update")
    checks = Checks()
    values = ITEM_FIELDS.update(checks, data)
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


TAG_FIELDS = FieldChecks(name=text(max_length=200), color=color())


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
    values = TAG_FIELDS.create(checks, data)
    checks.done()
    return await writer.create(models.Tag(organization_id=org.id, **values))


async def update_tag(writer: Writer, data: TagUpdateInput) -> models.Tag:
    tag = await writer.get(models.Tag, data.id, type_name="Tag")
    writer.require("tag:update", tag.organization_id)
    checks = Checks()
    values = TAG_FIELDS.update(checks, data)
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
    item: Item | None = by_id(description="An item you can see, by ID.")
    tag: Tag | None = by_id(description="A tag you can see, by ID.")
    items: ItemConnection = root_list(description="Items you can see, across your organizations.")
    tags: TagConnection = root_list(description="Tags you can see, across your organizations.")


def _item(item: Any) -> ItemSuccess:
    return ItemSuccess(item=to_node(Item, item))


def _tag(tag: Any) -> TagSuccess:
    return TagSuccess(tag=to_node(Tag, tag))


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(description="Create an item (EDITOR+), optionally with tags.")
    async def item_create(
        self, info: Info, input: MutationInput[ItemCreateInput]
    ) -> ItemCreatePayload:
        return await mutate(info, lambda w: create_item(w, input), _item)

    @strawberry.mutation(description="Change an item (EDITOR+).")
    async def item_update(
        self, info: Info, input: MutationInput[ItemUpdateInput]
    ) -> ItemUpdatePayload:
        return await mutate(info, lambda w: update_item(w, input), _item)

    @strawberry.mutation(description="Delete an item (EDITOR+; soft delete).")
    async def item_delete(
        self, info: Info, input: MutationInput[ItemDeleteInput]
    ) -> ItemDeletePayload:
        return await mutate(
            info,
            lambda w: delete_item(w, id=input.id),
            lambda _: ItemDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description="Attach tags to an item (EDITOR+); attached ones stay.")
    async def item_tags_add(
        self, info: Info, input: MutationInput[ItemTagsInput]
    ) -> ItemTagsPayload:
        return await mutate(info, lambda w: tag_item(w, input, attach=True), _item)

    @strawberry.mutation(description="Detach tags from an item (EDITOR+).")
    async def item_tags_remove(
        self, info: Info, input: MutationInput[ItemTagsInput]
    ) -> ItemTagsPayload:
        return await mutate(info, lambda w: tag_item(w, input, attach=False), _item)

    @strawberry.mutation(description="Create a tag (EDITOR+).")
    async def tag_create(
        self, info: Info, input: MutationInput[TagCreateInput]
    ) -> TagCreatePayload:
        return await mutate(info, lambda w: create_tag(w, input), _tag)

    @strawberry.mutation(description="Change a tag (EDITOR+).")
    async def tag_update(
        self, info: Info, input: MutationInput[TagUpdateInput]
    ) -> TagUpdatePayload:
        return await mutate(info, lambda w: update_tag(w, input), _tag)

    @strawberry.mutation(description="Delete a tag (EDITOR+); it is detached from every item.")
    async def tag_delete(
        self, info: Info, input: MutationInput[TagDeleteInput]
    ) -> TagDeletePayload:
        return await mutate(
            info,
            lambda w: delete_tag(w, id=input.id),
            lambda _: TagDeleteSuccess(deleted_id=input.id),
        )
