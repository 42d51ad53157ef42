"""Filters and orderings of the AI catalog: contents, AI models, embeddings."""

from __future__ import annotations

import enum

import strawberry

from graph.kernel.filters import (
    BooleanFilter,
    DateTimeFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    StringFilter,
    by,
    entity_filter,
    on,
)
from models.ai import AIModel as AIModelModel
from models.ai import Content as ContentModel
from models.ai import ContentRole
from models.ai import Embedding as EmbeddingModel

strawberry.enum(ContentRole, description="Who or what a content segment is from.")
_ROLE_DESCRIPTIONS = {
    "SYSTEM": "Instructions that frame a conversation (a system prompt).",
    "USER": "What a person wrote.",
    "ASSISTANT": "What an AI assistant answered.",
    "TOOL": "A tool's output fed back into a conversation.",
    "NOTE": "A free-form note about the item.",
}
for _value in ContentRole.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _ROLE_DESCRIPTIONS[_value.name]

ContentRoleFilter = EnumFilter[ContentRole]


@strawberry.input(description="Filter contents; all given conditions must hold.")
@entity_filter
class ContentFilter(EntityFilter):
    id: IDFilter | None = on(ContentModel.id, ref="Content", description="The content's ID.")
    item: IDFilter | None = on(ContentModel.item_id, ref="Item", description="Its item.")
    organization: IDFilter | None = on(
        ContentModel.organization_id, ref="Organization", description="Its item's organization."
    )
    role: ContentRoleFilter | None = on(ContentModel.role, description="Who it is from.")
    text: StringFilter | None = on(
        ContentModel.text, description="`contains` / `startsWith` match case-insensitively."
    )
    position: IntFilter | None = on(ContentModel.position, description="Its place in its item.")
    created_at: DateTimeFilter | None = on(ContentModel.created_at, description="Creation time.")
    updated_at: DateTimeFilter | None = on(ContentModel.updated_at, description="Last change.")


@strawberry.enum(description="Fields contents can be ordered by.")
class ContentOrderField(enum.Enum):
    POSITION = by(ContentModel.position, description="Its place in its item (the default).")
    CREATED_AT = by(ContentModel.created_at, description="Creation time.")
    UPDATED_AT = by(ContentModel.updated_at, description="Last change.")
    ROLE = by(ContentModel.role, description="Role, in declared order.")


@strawberry.input(description="One ordering term for contents.")
class ContentOrder(OrderBy[ContentOrderField]):
    pass


@strawberry.input(description="Filter AI models; all given conditions must hold.")
@entity_filter
class AIModelFilter(EntityFilter):
    id: IDFilter | None = on(AIModelModel.id, ref="AIModel", description="The model's ID.")
    organization: IDFilter | None = on(
        AIModelModel.organization_id,
        ref="Organization",
        description="Its organization; `{isNull: true}`: the global models.",
    )
    name: StringFilter | None = on(AIModelModel.name, description="The model's name.")
    provider: StringFilter | None = on(AIModelModel.provider, description="Who serves it.")
    version: StringFilter | None = on(AIModelModel.version, description="Its version.")
    default_embedder: BooleanFilter | None = on(
        AIModelModel.default_embedder, description="`{eq: true}`: the default embedder."
    )
    created_at: DateTimeFilter | None = on(AIModelModel.created_at, description="Registration.")


@strawberry.enum(description="Fields AI models can be ordered by.")
class AIModelOrderField(enum.Enum):
    NAME = by(AIModelModel.name, description="The model's name.")
    PROVIDER = by(AIModelModel.provider, description="Its provider.")
    CREATED_AT = by(AIModelModel.created_at, description="Registration.")


@strawberry.input(description="One ordering term for AI models.")
class AIModelOrder(OrderBy[AIModelOrderField]):
    pass


@strawberry.input(description="Filter embeddings; all given conditions must hold.")
@entity_filter
class EmbeddingFilter(EntityFilter):
    id: IDFilter | None = on(EmbeddingModel.id, ref="Embedding", description="Its ID.")
    model: IDFilter | None = on(
        EmbeddingModel.model_id, ref="AIModel", description="The model that made it."
    )
    content: IDFilter | None = on(
        EmbeddingModel.content_id, ref="Content", description="The content it embeds."
    )
    item: IDFilter | None = on(EmbeddingModel.item_id, ref="Item", description="Its item.")
    organization: IDFilter | None = on(
        EmbeddingModel.organization_id, ref="Organization", description="Its organization."
    )
    dimension: IntFilter | None = on(EmbeddingModel.dimension, description="Vector length.")
    created_at: DateTimeFilter | None = on(EmbeddingModel.created_at, description="Made at.")


@strawberry.enum(description="Fields embeddings can be ordered by.")
class EmbeddingOrderField(enum.Enum):
    CREATED_AT = by(EmbeddingModel.created_at, description="Made at.")
    UPDATED_AT = by(EmbeddingModel.updated_at, description="Last made.")


@strawberry.input(description="One ordering term for embeddings.")
class EmbeddingOrder(OrderBy[EmbeddingOrderField]):
    pass
