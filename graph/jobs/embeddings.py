"""Embedding contents: the `trellis:embed_content` queue task and re-embedding in bulk.

Writing a content's text queues ``embed_content(content_id)`` in the same transaction
(resolvers/ai.py). A worker embeds the content's current text with the default embedder and
writes the one `Embedding` row of that content and model (created, or updated in place), in
one transaction through the write path, so the change is in the history and the change stream.
A job whose content is gone, or whose text changed again meanwhile (a later job will embed
that), does nothing wrong: it embeds what it reads, and the last job to run wins with the
latest text.

When the default embedder changes, `queue_missing` queues a job for every content (of one
organization, or all) that has no embedding by it, in one statement.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from graph.ai.embedders import embedder_for
from graph.database import Database
from graph.jobs.progress import SYSTEM
from models.ai import AIModel, Content, Embedding
from resolvers.writes import transaction

EMBED_TASK = "trellis:embed_content"

# One queue job per content lacking an embedding by the default embedder, deferred together.
_QUEUE_MISSING = text(
    """
    SELECT coalesce(array_length(procrastinate_defer_jobs_v1(array_agg(ROW(
        'default', :task, 0, NULL, NULL, jsonb_build_object('content_id', c.id::text), NULL
    )::procrastinate_job_to_defer_v1)), 1), 0)
    FROM contents c
    JOIN items i ON i.id = c.item_id AND i.deleted_at IS NULL
    WHERE (CAST(:organization_id AS uuid) IS NULL OR c.organization_id = :organization_id)
      AND NOT EXISTS (
        SELECT 1 FROM embeddings e JOIN ai_models m ON m.id = e.model_id AND m.default_embedder
        WHERE e.content_id = c.id
      )
    """
)


async def default_model(session: AsyncSession) -> AIModel:
    return (await session.execute(select(AIModel).where(AIModel.default_embedder))).scalar_one()


async def embed_content(db: Database, content_id: uuid.UUID) -> None:
    async with transaction(db.sessions, SYSTEM) as writer:
        content = await writer.session.get(Content, content_id)
        if content is None:
            return
        model = await default_model(writer.session)
        embedder = embedder_for(model.provider, model.parameters)
        vector = (await asyncio.to_thread(embedder.embed, [content.text]))[0]
        values = {
            "vector": vector,
            "dimension": len(vector),
            "item_id": content.item_id,
            "organization_id": content.organization_id,
        }
        stmt = (
            select(Embedding)
            .where(Embedding.content_id == content.id, Embedding.model_id == model.id)
            .with_for_update()
        )
        existing = (await writer.session.execute(stmt)).scalar_one_or_none()
        if existing is None:
            await writer.create(Embedding(content_id=content.id, model_id=model.id, **values))
        else:
            await writer.update(existing, values)


async def queue_missing(session: AsyncSession, organization_id: uuid.UUID | None) -> int:
    """Queue the embedding of every content (of the organization, or all) that the default
    embedder has not embedded yet, in the session's transaction; how many were queued."""
    params = {"task": EMBED_TASK, "organization_id": organization_id}
    result = await session.execute(_QUEUE_MISSING, params)
    return int(result.scalar_one())
