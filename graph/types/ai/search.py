"""Semantic search in the API: ranked hits, similar contents and similar items.

Every answer ranks only what the viewer may read (loaders/semantic.py applies the
visibility rule inside the ranking statement). Scores are cosine similarities (1 = same
direction), rounded to six decimals so both column types give the same numbers; ties are
broken by content ID.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import strawberry
from sqlalchemy import ColumnElement

from graph.ai.embedders import embedder_for
from graph.context import Info
from graph.kernel.ids import user_error
from graph.types.catalog import Item
from loaders.semantic import DefaultModel, default_model, nearest_contents, vectors_of

if TYPE_CHECKING:
    from graph.types.ai.nodes import Content

MAX_FIRST = 100
MAX_QUERY = 10_000
# Similar items rank this many nearest contents per item asked for, then keep each item once.
CONTENTS_PER_ITEM = 5


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_FIRST:
        raise user_error(f"`first` must be between 1 and {MAX_FIRST}.", "BAD_PAGE_SIZE")


@strawberry.type(description="A content found by meaning, with how close it is.")
class SemanticSearchHit:
    score: float = strawberry.field(
        description="Cosine similarity with the query, from -1 to 1 (higher is closer)."
    )
    content: Annotated[Content, strawberry.lazy("graph.types.ai.nodes")] = strawberry.field(
        description="The content."
    )

    @strawberry.field(description="The content's item.")
    async def item(self, info: Info) -> Item | None:
        return await info.context.loaders.by_id(Item).load(self.content.item_id)


@strawberry.type(description="An item close in meaning to another one.")
class SimilarItem:
    score: float = strawberry.field(
        description="The best cosine similarity of any of its contents (higher is closer)."
    )
    item: Item = strawberry.field(description="The similar item.")


async def _hits(
    info: Info,
    content: type[Any],
    model: DefaultModel,
    vector: list[float],
    first: int,
    **options: Any,
) -> list[SemanticSearchHit]:
    ctx = info.context
    ranked = await nearest_contents(
        ctx.db.reader, ctx.viewer, model, vector, first=first, **options
    )
    contents = await ctx.loaders.by_id(content).load_many([pk for pk, _ in ranked])
    return [
        SemanticSearchHit(score=score, content=c)
        for (_, score), c in zip(ranked, contents, strict=True)
        if c is not None
    ]


async def search(
    info: Info,
    content: type[Any],
    query: str,
    first: int,
    *,
    organization_id: uuid.UUID | None,
    where: ColumnElement[bool] | None,
) -> list[SemanticSearchHit]:
    """The visible contents nearest ``query``'s meaning, best first."""
    check_first(first)
    text = query.strip()
    if not text or len(text) > MAX_QUERY:
        raise user_error(f"`query` must have 1-{MAX_QUERY} characters.", "BAD_QUERY")
    model = await default_model(info.context.db.reader)
    embedder = embedder_for(model.provider, model.parameters)
    vector = (await asyncio.to_thread(embedder.embed, [text]))[0]
    return await _hits(
        info, content, model, vector, first, organization_id=organization_id, where=where
    )


async def similar_contents(
    info: Info, content: type[Any], content_id: uuid.UUID, first: int
) -> list[SemanticSearchHit]:
    check_first(first)
    ctx = info.context
    model = await default_model(ctx.db.reader)
    own = await vectors_of(ctx.db.reader, ctx.viewer, model, content_id=content_id)
    if not own:
        return []
    return await _hits(info, content, model, own[0], first, exclude_content=content_id)


async def similar_items(
    info: Info, content: type[Any], item_id: uuid.UUID, first: int
) -> list[SimilarItem]:
    check_first(first)
    ctx = info.context
    model = await default_model(ctx.db.reader)
    own = await vectors_of(ctx.db.reader, ctx.viewer, model, item_id=item_id)
    if not own:
        return []
    centroid = np.mean(np.asarray(own, dtype=np.float64), axis=0)
    norm = float(np.linalg.norm(centroid)) or 1.0
    vector = (centroid / norm).tolist()
    hits = await _hits(
        info, content, model, vector, first * CONTENTS_PER_ITEM, exclude_item=item_id
    )
    best: dict[uuid.UUID, float] = {}
    for hit in hits:
        best.setdefault(hit.content.item_id, hit.score)  # hits come best first
    ranked = list(best.items())[:first]
    items = await ctx.loaders.by_id(Item).load_many([pk for pk, _ in ranked])
    return [
        SimilarItem(score=score, item=item)
        for (_, score), item in zip(ranked, items, strict=True)
        if item is not None
    ]
