"""Mutation inputs and payloads of the AI catalog."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

from graph.kernel.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from graph.types.ai.nodes import AIModel, Content
from graph.types.catalog import Item
from models.ai import ContentRole

# ---------------------------------------------------------------------------------------------
# Contents


@strawberry.input(
    description="A new content of an item (EDITOR+ of its organization); its embedding is "
    "queued in the same transaction."
)
class ContentCreateInput:
    item: strawberry.ID = strawberry.field(description="The item it belongs to.")
    role: ContentRole = strawberry.field(description="Who or what it is from.")
    text: str = strawberry.field(description="1-100,000 characters.")
    meta_data: JSON | None = strawberry.field(default=None, description="A JSON object.")
    position: int | None = strawberry.field(
        default=None,
        description="Where among the item's contents (0 = first); later ones move down one. "
        "Default: after the last.",
    )


@strawberry.input(description="Change a content. Omitted fields stay as they are.")
class ContentUpdateInput:
    id: strawberry.ID = strawberry.field(description="The content to change.")
    role: Maybe[ContentRole | None] = strawberry.field(default=None, description="Its role.")
    text: Maybe[str | None] = strawberry.field(
        default=None, description="1-100,000 characters; a change queues a new embedding."
    )
    meta_data: Maybe[JSON | None] = strawberry.field(default=None, description="A JSON object.")
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete a content and its embeddings; later ones move up one.")
class ContentDeleteInput:
    id: strawberry.ID = strawberry.field(description="The content to delete.")


@strawberry.input(description="Put an item's contents in a new order (EDITOR+).")
class ContentReorderInput:
    item: strawberry.ID = strawberry.field(description="The item.")
    contents: list[strawberry.ID] = strawberry.field(
        description="Every content of the item, each once, in the new order."
    )


@strawberry.type(description="The content, as saved.")
class ContentSuccess:
    content: Content = strawberry.field(description="The content after the change.")


@strawberry.type(description="The content is gone.")
class ContentDeleteSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The deleted content's ID.")


@strawberry.type(description="The item, its contents in their new order.")
class ContentReorderSuccess:
    item: Item = strawberry.field(description="The item; read `contents` for the new order.")


ContentCreatePayload = Annotated[
    ContentSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ContentCreatePayload", description="The new content, or why not."),
]
ContentUpdatePayload = Annotated[
    ContentSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("ContentUpdatePayload", description="The changed content, or why not."),
]
ContentDeletePayload = Annotated[
    ContentDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ContentDeletePayload", description="The deleted ID, or why not."),
]
ContentReorderPayload = Annotated[
    ContentReorderSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ContentReorderPayload", description="The reordered item, or why not."),
]

# ---------------------------------------------------------------------------------------------
# AI models


@strawberry.input(
    description="Register an AI model: an organization's own (ADMIN+ of it), or a global one "
    "(no organization; superusers only)."
)
class AIModelCreateInput:
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Its organization; omit for a global model."
    )
    name: str = strawberry.field(description="1-200 characters; unique with its version.")
    provider: str = strawberry.field(description="Who runs it; 1-100 characters.")
    version: str = strawberry.field(default="", description="At most 100 characters.")
    parameters: JSON | None = strawberry.field(default=None, description="A JSON object.")
    meta_data: JSON | None = strawberry.field(default=None, description="A JSON object.")


@strawberry.input(description="Change an AI model. Omitted fields stay as they are.")
class AIModelUpdateInput:
    id: strawberry.ID = strawberry.field(description="The model to change.")
    name: Maybe[str | None] = strawberry.field(default=None, description="1-200 characters.")
    provider: Maybe[str | None] = strawberry.field(default=None, description="1-100 characters.")
    version: Maybe[str | None] = strawberry.field(default=None, description="Its version.")
    parameters: Maybe[JSON | None] = strawberry.field(default=None, description="A JSON object.")
    meta_data: Maybe[JSON | None] = strawberry.field(default=None, description="A JSON object.")
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete an AI model and every embedding it made.")
class AIModelDeleteInput:
    id: strawberry.ID = strawberry.field(description="The model to delete.")


@strawberry.type(name="AIModelSuccess", description="The AI model, as saved.")
class AIModelSuccess:
    ai_model: AIModel = strawberry.field(description="The model after the change.")


@strawberry.type(name="AIModelDeleteSuccess", description="The AI model is gone.")
class AIModelDeleteSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The deleted model's ID.")


AIModelCreatePayload = Annotated[
    AIModelSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("AIModelCreatePayload", description="The new model, or why not."),
]
AIModelUpdatePayload = Annotated[
    AIModelSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("AIModelUpdatePayload", description="The changed model, or why not."),
]
AIModelDeletePayload = Annotated[
    AIModelDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("AIModelDeletePayload", description="The deleted ID, or why not."),
]


# ---------------------------------------------------------------------------------------------
# Embeddings


@strawberry.input(description="Queue the missing embeddings of an organization's contents.")
class EmbeddingsRefreshInput:
    organization: strawberry.ID = strawberry.field(description="The organization (ADMIN+).")


@strawberry.input(description="Make a global AI model the default embedder.")
class AIModelMakeDefaultInput:
    id: strawberry.ID = strawberry.field(description="A global model with an embedder.")


@strawberry.type(description="Embedding jobs were queued.")
class EmbeddingsRefreshSuccess:
    queued: int = strawberry.field(description="How many contents were queued for embedding.")


EmbeddingsRefreshPayload = Annotated[
    EmbeddingsRefreshSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("EmbeddingsRefreshPayload", description="How many were queued, or why not."),
]
AIModelMakeDefaultPayload = Annotated[
    EmbeddingsRefreshSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError,
    strawberry.union(
        "AIModelMakeDefaultPayload", description="How many contents were queued, or why not."
    ),
]
