"""The AI catalog: an item's contents and the AI model registry.

Contents are written by EDITOR+ of their item's organization (the item permissions, as for
the item itself; an orphaned item's owner too). Saving a content's text queues its embedding
by the default embedder in the same transaction (graph/jobs/embeddings.py writes it).
Positions are kept dense (0..n-1) per item: a create or delete moves the later contents by
one; the item row is locked meanwhile, so concurrent writes to one item take turns.

An organization's AI models are managed by its ADMIN+ (`organization:update`); global models
(no organization) by superusers.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import strawberry
from sqlalchemy import func, select

from graph.context import Info
from graph.jobs.embeddings import EMBED_TASK, queue_missing
from graph.jobs.queue import defer
from graph.kernel.errors import Conflict, FieldErrorCode, NotFound, PermissionDenied
from graph.kernel.fields import by_id, root_list
from graph.kernel.filters import filter_condition
from graph.kernel.ids import InvalidId, decode_id, user_error
from graph.types.ai import (
    AIModel,
    AIModelConnection,
    AIModelCreateInput,
    AIModelCreatePayload,
    AIModelDeleteInput,
    AIModelDeletePayload,
    AIModelDeleteSuccess,
    AIModelMakeDefaultInput,
    AIModelMakeDefaultPayload,
    AIModelSuccess,
    AIModelUpdateInput,
    AIModelUpdatePayload,
    Content,
    ContentConnection,
    ContentCreateInput,
    ContentCreatePayload,
    ContentDeleteInput,
    ContentDeletePayload,
    ContentDeleteSuccess,
    ContentReorderInput,
    ContentReorderPayload,
    ContentReorderSuccess,
    ContentSuccess,
    ContentUpdateInput,
    ContentUpdatePayload,
    Embedding,
    EmbeddingConnection,
    EmbeddingsRefreshInput,
    EmbeddingsRefreshPayload,
    EmbeddingsRefreshSuccess,
)
from graph.types.ai.filters import ContentFilter
from graph.types.ai.search import SemanticSearchHit, search
from graph.types.catalog import Item
from loaders.base import to_node
from models.accounts import Organization
from models.ai import AIModel as AIModelModel
from models.ai import Content as ContentModel
from models.catalog import Item as ItemModel
from resolvers.validation import Checks, FieldChecks, json_object, required, text
from resolvers.writes import UNIQUE_VIOLATIONS, Writer, mutate

TEXT_MAX = 100_000
MODEL_PERMISSION = "organization:update"
EMBEDDING_PROVIDERS = ("wordllama", "hashing")
INPUT = "The mutation's input."

UNIQUE_VIOLATIONS["ai_models_organization_id_name_version_key"] = (
    ("name",),
    "A model with this name and version exists already.",
)

# ---------------------------------------------------------------------------------------------
# Contents

CONTENT_FIELDS = FieldChecks(
    role=required(),
    text=text(max_length=TEXT_MAX),
    meta_data=json_object(),
)


async def queue_embedding(writer: Writer, content_id: uuid.UUID) -> None:
    """Queue the content's embedding by the default embedder, in the writer's transaction."""
    await defer(writer.session, EMBED_TASK, {"content_id": str(content_id)})


async def _item_of(writer: Writer, global_id: str, path: tuple[str, ...]) -> ItemModel:
    item = await writer.get(ItemModel, global_id, type_name="Item", path=path)
    writer.require_on(item, "item:update")
    return item


async def _locked_item(writer: Writer, content: ContentModel) -> ItemModel:
    """A content's item, locked, with the permission to change it checked."""
    stmt = writer.visible(ItemModel).where(ItemModel.id == content.item_id).with_for_update()
    item = (await writer.session.execute(stmt)).scalar_one()
    writer.require_on(item, "item:update")
    return item


async def _contents(
    writer: Writer, item_id: uuid.UUID, *, from_position: int = 0
) -> list[ContentModel]:
    """The item's contents from a position on, in order, locked."""
    stmt = (
        select(ContentModel)
        .where(ContentModel.item_id == item_id, ContentModel.position >= from_position)
        .order_by(ContentModel.position, ContentModel.created_at, ContentModel.id)
        .with_for_update()
    )
    return list((await writer.session.scalars(stmt)).all())


async def _renumber(writer: Writer, contents: list[ContentModel]) -> None:
    """Positions 0..n-1 in list order (a change recorded for each content that moves)."""
    for position, content in enumerate(contents):
        if content.position != position:
            await writer.update(content, {"position": position})


async def create_content(writer: Writer, data: ContentCreateInput) -> ContentModel:
    item = await _item_of(writer, data.item, ("item",))
    checks = Checks()
    meta: Any = data.meta_data if data.meta_data is not None else {}
    values = CONTENT_FIELDS.create(checks, data, meta_data=meta)
    checks.in_range(["position"], data.position, 0)
    checks.done()
    # The item row is locked: positions are handed out one write at a time.
    count = await writer.session.scalar(select(func.count()).where(ContentModel.item_id == item.id))
    position = int(count or 0) if data.position is None else min(data.position, int(count or 0))
    for later in await _contents(writer, item.id, from_position=position):
        await writer.update(later, {"position": later.position + 1})
    content = await writer.create(
        ContentModel(
            item_id=item.id, organization_id=item.organization_id, position=position, **values
        )
    )
    await queue_embedding(writer, content.id)
    return content


async def update_content(writer: Writer, data: ContentUpdateInput) -> ContentModel:
    content = await writer.get(ContentModel, data.id, type_name="Content")
    await _locked_item(writer, content)
    checks = Checks()
    values = CONTENT_FIELDS.update(checks, data)
    checks.done()
    old_text = content.text
    content = await writer.update(content, values, seen_updated_at=data.updated_at)
    if content.text != old_text:
        await queue_embedding(writer, content.id)
    return content


async def delete_content(writer: Writer, *, id: str) -> None:
    content = await writer.get(ContentModel, id, type_name="Content")
    await _locked_item(writer, content)
    await writer.delete(content)
    for later in await _contents(writer, content.item_id, from_position=content.position):
        await writer.update(later, {"position": later.position - 1})


async def reorder_contents(writer: Writer, data: ContentReorderInput) -> ItemModel:
    item = await _item_of(writer, data.item, ("item",))
    checks = Checks()
    wanted = checks.ids(["contents"], data.contents, "Content")
    checks.done()
    current = await _contents(writer, item.id)
    by_id = {c.id: c for c in current}
    for i, pk in enumerate(wanted):
        if pk not in by_id:
            raise NotFound("Content", data.contents[i], ("contents", str(i)))
    if len(set(wanted)) != len(wanted) or len(wanted) != len(current):
        checks.fail(
            ["contents"], FieldErrorCode.INVALID, "List every content of the item exactly once."
        )
        checks.done()
    await _renumber(writer, [by_id[pk] for pk in wanted])
    return item


# ---------------------------------------------------------------------------------------------
# AI models

MODEL_FIELDS = FieldChecks(
    name=text(max_length=200),
    provider=text(max_length=100),
    version=text(max_length=100, min_length=0),
    parameters=json_object(),
    meta_data=json_object(),
)


def _require_model_owner(writer: Writer, organization_id: uuid.UUID | None) -> None:
    if organization_id is not None:
        writer.require(MODEL_PERMISSION, organization_id)
    elif not (writer.viewer.is_superuser and writer.viewer.may_write()):
        raise PermissionDenied(None, "Only superusers manage global AI models.")


async def create_model(writer: Writer, data: AIModelCreateInput) -> AIModelModel:
    org_id = None
    if data.organization is not None:
        org = await writer.get(
            Organization, data.organization, type_name="Organization",
            path=("organization",), lock=False,
        )  # fmt: skip
        org_id = org.id
    _require_model_owner(writer, org_id)
    checks = Checks()
    values = MODEL_FIELDS.create(
        checks,
        data,
        parameters=data.parameters if data.parameters is not None else {},
        meta_data=data.meta_data if data.meta_data is not None else {},
    )
    checks.done()
    return await writer.create(AIModelModel(organization_id=org_id, **values))


async def update_model(writer: Writer, data: AIModelUpdateInput) -> AIModelModel:
    model = await writer.get(AIModelModel, data.id, type_name="AIModel")
    _require_model_owner(writer, model.organization_id)
    checks = Checks()
    values = MODEL_FIELDS.update(checks, data)
    checks.done()
    return await writer.update(model, values, seen_updated_at=data.updated_at)


async def delete_model(writer: Writer, *, id: str) -> None:
    model = await writer.get(AIModelModel, id, type_name="AIModel")
    _require_model_owner(writer, model.organization_id)
    if model.default_embedder:
        raise Conflict("The default embedder cannot be deleted; make another default first.")
    await writer.delete(model)


# ---------------------------------------------------------------------------------------------
# Embeddings


async def refresh_embeddings(writer: Writer, data: EmbeddingsRefreshInput) -> int:
    org = await writer.get(
        Organization, data.organization, type_name="Organization",
        path=("organization",), lock=False,
    )  # fmt: skip
    writer.require(MODEL_PERMISSION, org.id)
    if not writer.viewer.may_write():
        raise PermissionDenied("write")
    return await queue_missing(writer.session, org.id)


async def make_default(writer: Writer, data: AIModelMakeDefaultInput) -> tuple[AIModelModel, int]:
    model = await writer.get(AIModelModel, data.id, type_name="AIModel")
    _require_model_owner(writer, None)
    if model.organization_id is not None:
        raise Conflict("Only a global model can be the default embedder.", ("id",))
    if model.provider not in EMBEDDING_PROVIDERS:
        checks = Checks()
        checks.fail(["id"], FieldErrorCode.INVALID, "This model's provider cannot embed here.")
        checks.done()
    if not model.default_embedder:
        current = await writer.session.scalar(
            select(AIModelModel).where(AIModelModel.default_embedder).with_for_update()
        )
        if current is not None:
            await writer.update(current, {"default_embedder": False})
        await writer.update(model, {"default_embedder": True})
    return model, await queue_missing(writer.session, None)


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class AIQuery:
    content: Content | None = by_id(description="A content you can see, by ID.")
    contents: ContentConnection = root_list(
        description="Contents you can see (those of items you can see), oldest position first."
    )
    ai_model: AIModel | None = by_id(description="An AI model you can see, by ID.")
    ai_models: AIModelConnection = root_list(
        description="AI models you can see: the global ones and your organizations' own."
    )
    embedding: Embedding | None = by_id(description="An embedding you can see, by ID.")
    embeddings: EmbeddingConnection = root_list(
        description="Embeddings you can see (those of contents you can see)."
    )

    @strawberry.field(
        description="Contents you can see, ranked by meaning: cosine similarity of their "
        "default-embedder embedding with the query's, best first (ties by content ID). Only "
        "your organizations' contents are ranked (never others', then filtered). Contents not "
        "embedded yet are not found."
    )
    async def semantic_search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="What to look for; 1-10,000 chars.")],
        organization: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this organization's contents."),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description="How many hits: Default 10, maximum 100.")
        ] = 10,
        filter: Annotated[
            ContentFilter | None,
            strawberry.argument(description="Only contents matching this filter."),
        ] = None,
    ) -> list[SemanticSearchHit]:
        org_id = None
        if organization is not None:
            try:
                org_id = decode_id(organization, "Organization")
            except InvalidId as exc:
                raise user_error(str(exc), "INVALID_ID") from exc
        where = filter_condition(filter) if filter is not None else None
        return await search(info, Content, query, first, organization_id=org_id, where=where)


def _content(obj: Any) -> ContentSuccess:
    return ContentSuccess(content=to_node(Content, obj))


def _model(obj: Any) -> AIModelSuccess:
    return AIModelSuccess(ai_model=to_node(AIModel, obj))


@strawberry.type
class AIMutation:
    @strawberry.mutation(
        description="Add a content to an item (EDITOR+). Its embedding is queued with this "
        "mutation's transaction; `Content.embedding` is null until a worker has made it."
    )
    async def content_create(
        self,
        info: Info,
        input: Annotated[ContentCreateInput, strawberry.argument(description=INPUT)],
    ) -> ContentCreatePayload:
        return await mutate(info, lambda w: create_content(w, input), _content)

    @strawberry.mutation(
        description="Change a content (EDITOR+). A new text queues a new embedding."
    )
    async def content_update(
        self,
        info: Info,
        input: Annotated[ContentUpdateInput, strawberry.argument(description=INPUT)],
    ) -> ContentUpdatePayload:
        return await mutate(info, lambda w: update_content(w, input), _content)

    @strawberry.mutation(description="Delete a content and its embeddings (EDITOR+).")
    async def content_delete(
        self,
        info: Info,
        input: Annotated[ContentDeleteInput, strawberry.argument(description=INPUT)],
    ) -> ContentDeletePayload:
        return await mutate(
            info,
            lambda w: delete_content(w, id=input.id),
            lambda _: ContentDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description="Put an item's contents in a new order (EDITOR+).")
    async def content_reorder(
        self,
        info: Info,
        input: Annotated[ContentReorderInput, strawberry.argument(description=INPUT)],
    ) -> ContentReorderPayload:
        return await mutate(
            info,
            lambda w: reorder_contents(w, input),
            lambda item: ContentReorderSuccess(item=to_node(Item, item)),
        )

    @strawberry.mutation(
        description="Queue the embedding, by the default embedder, of every content of an "
        "organization that has none by it yet (ADMIN+): after the default embedder changed, "
        "or to catch up. Queued with this mutation's transaction."
    )
    async def embeddings_refresh(
        self,
        info: Info,
        input: Annotated[EmbeddingsRefreshInput, strawberry.argument(description=INPUT)],
    ) -> EmbeddingsRefreshPayload:
        return await mutate(
            info,
            lambda w: refresh_embeddings(w, input),
            lambda queued: EmbeddingsRefreshSuccess(queued=queued),
        )

    @strawberry.mutation(
        description="Make a global model the default embedder (superusers) and queue the "
        "embedding of every content it has not embedded yet; searches use it at once."
    )
    async def ai_model_make_default(
        self,
        info: Info,
        input: Annotated[AIModelMakeDefaultInput, strawberry.argument(description=INPUT)],
    ) -> AIModelMakeDefaultPayload:
        return await mutate(
            info,
            lambda w: make_default(w, input),
            lambda done: EmbeddingsRefreshSuccess(queued=done[1]),
        )

    @strawberry.mutation(
        description="Register an AI model: an organization's (ADMIN+) or a global one (superusers)."
    )
    async def ai_model_create(
        self,
        info: Info,
        input: Annotated[AIModelCreateInput, strawberry.argument(description=INPUT)],
    ) -> AIModelCreatePayload:
        return await mutate(info, lambda w: create_model(w, input), _model)

    @strawberry.mutation(description="Change an AI model (its organization's ADMIN+, or a "
                         "superuser for a global one).")  # fmt: skip
    async def ai_model_update(
        self,
        info: Info,
        input: Annotated[AIModelUpdateInput, strawberry.argument(description=INPUT)],
    ) -> AIModelUpdatePayload:
        return await mutate(info, lambda w: update_model(w, input), _model)

    @strawberry.mutation(
        description="Delete an AI model and its embeddings (as `aiModelUpdate`). The default "
        "embedder is refused with a ConflictError."
    )
    async def ai_model_delete(
        self,
        info: Info,
        input: Annotated[AIModelDeleteInput, strawberry.argument(description=INPUT)],
    ) -> AIModelDeletePayload:
        return await mutate(
            info,
            lambda w: delete_model(w, id=input.id),
            lambda _: AIModelDeleteSuccess(deleted_id=input.id),
        )
