"""The AI catalog's nodes: `Content`, `AIModel`, `Embedding`, their connections, and their
fields of items and organizations (composed in graph.schema)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph.context import Info
from graph.kernel.fields import to_many, to_one
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import Organization
from graph.types.ai.filters import (
    AIModelFilter,
    AIModelOrder,
    ContentFilter,
    ContentOrder,
    EmbeddingFilter,
    EmbeddingOrder,
)
from graph.types.ai.search import SemanticSearchHit, SimilarItem, similar_contents, similar_items
from graph.types.catalog import Item
from loaders.base import Relation
from loaders.paging import OrderTerm
from models.ai import AIModel as AIModelModel
from models.ai import Content as ContentModel
from models.ai import ContentRole
from models.ai import Embedding as EmbeddingModel

# A content's embedding by the default embedder (zero or one row per content).
DEFAULT_EMBEDDING = Relation(
    EmbeddingModel.content_id,
    AIModelModel.__table__,
    (AIModelModel.id == EmbeddingModel.model_id) & AIModelModel.default_embedder,
)
_NEWEST = [OrderTerm(EmbeddingModel.created_at, descending=True)]


@node_type
@strawberry.type(
    description="A segment of an item: a prompt, a message of a conversation, a note. Its "
    "item's readers read it; EDITOR+ of the item's organization write it. Saving its text "
    "queues its embedding by the default embedder (`embedding` is null until a worker has "
    "made it)."
)
class Content(Node):
    __model__ = ContentModel

    item_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID | None]
    role: ContentRole = strawberry.field(description="Who or what it is from.")
    text: str = strawberry.field(description="The text; 1-100,000 characters.")
    meta_data: JSON = strawberry.field(description="Free-form JSON object.")
    position: int = strawberry.field(
        description="Its place among its item's contents, from 0 (`Item.contents` order)."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    item: Item | None = to_one("item_id", description="The item it belongs to.")
    organization: Organization | None = to_one(
        "organization_id", description="Its item's organization; null once that is deleted."
    )
    embeddings: EmbeddingConnection = to_many(
        EmbeddingModel.content_id, description="Its embeddings, one per model that made one."
    )

    @strawberry.field(
        description="Its embedding by the default embedder: null until a worker has first made "
        "it; after a change of its text, the previous text's until the worker has made the "
        "new one (both are queued with the write)."
    )
    async def embedding(self, info: Info) -> Embedding | None:
        loader = info.context.loaders.lists(
            "content.embedding", Embedding, DEFAULT_EMBEDDING, _NEWEST
        )
        found = await loader.load(self.pk)
        return found[0] if found else None

    @strawberry.field(
        description="Other contents you can see, nearest this one in meaning (by the default "
        "embedder), best first; empty until this one is embedded."
    )
    async def similar(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="How many: Default 10, maximum 100.")
        ] = 10,
    ) -> list[SemanticSearchHit]:
        return await similar_contents(info, Content, self.pk, first)


@node_type
@strawberry.type(
    name="AIModel",
    description="A registered AI model: global (no organization; superusers manage these, "
    "everyone signed in reads them) or an organization's own (its ADMIN+ manage it). One "
    "global model is the default embedder.",
)
class AIModel(Node):
    __model__ = AIModelModel

    organization_id: strawberry.Private[uuid.UUID | None]
    name: str = strawberry.field(description="Its name, unique with its version per owner.")
    provider: str = strawberry.field(
        description="Who runs it: `wordllama` and `hashing` embed in-process; others are "
        "records only."
    )
    version: str = strawberry.field(description="Its version; may be empty.")
    parameters: JSON = strawberry.field(
        description='How it runs, e.g. `{kind: "embedding", dimension: 256}`.'
    )
    meta_data: JSON = strawberry.field(description="Free-form JSON object.")
    default_embedder: bool = strawberry.field(
        description="Whether it is the model that embeds contents and answers searches."
    )
    created_at: datetime = strawberry.field(description="When it was registered.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    organization: Organization | None = to_one(
        "organization_id", description="Its organization; null for a global model."
    )
    embeddings: EmbeddingConnection = to_many(
        EmbeddingModel.model_id, description="Embeddings it made that you can see."
    )


@node_type
@strawberry.type(
    description="A content's vector by one AI model (at most one per content and model), "
    "written by a background job. Readable with its item."
)
class Embedding(Node):
    __model__ = EmbeddingModel

    model_id: strawberry.Private[uuid.UUID]
    content_id: strawberry.Private[uuid.UUID]
    item_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID | None]
    vector: list[float] = strawberry.field(description="The vector, `dimension` numbers.")
    dimension: int = strawberry.field(description="The vector's length.")
    meta_data: JSON = strawberry.field(description="Free-form JSON object.")
    created_at: datetime = strawberry.field(description="When it was first made.")
    updated_at: datetime = strawberry.field(description="When it was last made.")

    model: AIModel | None = to_one("model_id", description="The model that made it.")
    content: Content | None = to_one("content_id", description="The content it embeds.")
    item: Item | None = to_one("item_id", description="The content's item.")


@strawberry.type(description="A page of contents.")
class ContentConnection(
    Connection[Content],
    filter=ContentFilter,
    order=ContentOrder,
    default_order=OrderTerm(ContentModel.position),
):
    pass


@strawberry.type(description="A page of AI models.")
class AIModelConnection(
    Connection[AIModel],
    filter=AIModelFilter,
    order=AIModelOrder,
    default_order=OrderTerm(AIModelModel.name),
):
    pass


@strawberry.type(description="A page of embeddings.")
class EmbeddingConnection(
    Connection[Embedding],
    filter=EmbeddingFilter,
    order=EmbeddingOrder,
    default_order=OrderTerm(EmbeddingModel.created_at),
):
    pass


@strawberry.type
class AIItemFields:
    """The AI catalog's fields of an item (composed in graph.schema)."""

    contents: ContentConnection = to_many(
        ContentModel.item_id, description="The item's contents, in position order."
    )

    @strawberry.field(
        description="Other items you can see whose contents are nearest this item's in meaning "
        "(the mean of its contents' embeddings), best first; empty until it has embeddings."
    )
    async def similar_items(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="How many: Default 10, maximum 100.")
        ] = 10,
    ) -> list[SimilarItem]:
        return await similar_items(info, Content, self.pk, first)  # type: ignore[attr-defined]


@strawberry.type
class AIOrganizationFields:
    """The AI catalog's fields of an organization (composed in graph.schema)."""

    contents: ContentConnection = to_many(
        ContentModel.organization_id, description="Contents of the organization's items."
    )
    ai_models: AIModelConnection = to_many(
        AIModelModel.organization_id, description="The organization's own AI models."
    )
