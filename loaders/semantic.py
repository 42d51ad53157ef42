"""Nearest contents by cosine distance, tenancy first.

The visibility rule of embeddings (their item's) is part of the statement that ranks them:
rows the viewer may not read are never ranked, so neither the order nor the size of a page
depends on another organization's data. On pgvector the distance is ``<=>`` over the HNSW
index's expression (migration 0014_ai; the database sets ``hnsw.iterative_scan`` so a scan
filtered by tenancy still fills its page); on ``real[]`` it is `embedding_cosine_distance`, an
exact scan. Both rank by (distance, content id) and give the same answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import (
    REAL,
    ColumnElement,
    Float,
    Select,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.types import UserDefinedType

from loaders.reader import Reader
from models.ai import AIModel, Content, Embedding
from models.viewer import Viewer

_KIND = "SELECT format_type(atttypid, atttypmod) FROM pg_attribute " \
    "WHERE attrelid = 'embeddings'::regclass AND attname = 'vector'"  # fmt: skip
_kinds: dict[int, bool] = {}


@dataclass(frozen=True, slots=True)
class DefaultModel:
    id: uuid.UUID
    provider: str
    parameters: dict[str, Any]


async def has_pgvector(reader: Reader) -> bool:
    """Whether the embeddings' column is pgvector's (read once per reader)."""
    found = _kinds.get(id(reader))
    if found is None:
        rows = await reader.execute(_KIND, {})
        found = _kinds[id(reader)] = rows[0][0] == "vector"
    return found


async def default_model(reader: Reader) -> DefaultModel:
    stmt = select(AIModel.id, AIModel.provider, AIModel.parameters).where(AIModel.default_embedder)
    rows = await reader.rows("semantic.default_model", lambda: stmt, {})
    pk, provider, parameters = rows[0]
    return DefaultModel(pk, provider, parameters)


class _Vector(UserDefinedType[Any]):
    """pgvector's ``vector(n)``, for casts."""

    cache_ok = True

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    def get_col_spec(self, **kw: Any) -> str:
        return f"vector({int(self.dimension)})"


def distance(pgvector: bool, dimension: int) -> ColumnElement[float]:
    """Cosine distance (1 - cosine similarity) of an embedding to the ``query`` parameter."""
    query = cast(bindparam("query", type_=ARRAY(REAL)), ARRAY(REAL))
    if pgvector:
        column = cast(Embedding.__table__.c.vector, _Vector(dimension))
        return column.op("<=>", return_type=Float)(cast(query, _Vector(dimension)))
    return func.embedding_cosine_distance(Embedding.__table__.c.vector, query, type_=Float)


def _nearest(
    pgvector: bool,
    dimension: int,
    *,
    where: ColumnElement[bool] | None,
    organization: bool,
    exclude_content: bool,
    exclude_item: bool,
) -> Select[Any]:
    dist = distance(pgvector, dimension).label("distance")
    stmt = typing_cast(
        "Select[Any]",
        select(Embedding.content_id, dist)
        .where(
            Embedding.visible_to(),
            Embedding.model_id == bindparam("model_id", type_=PG_UUID(as_uuid=True)),
            Embedding.dimension == int(dimension),
        )
        .order_by(literal_column("distance"), Embedding.content_id)
        .limit(bindparam("first")),
    )
    if organization:
        stmt = stmt.where(
            Embedding.organization_id == bindparam("organization_id", type_=PG_UUID(as_uuid=True))
        )
    if exclude_content:
        stmt = stmt.where(
            Embedding.content_id != bindparam("exclude_content", type_=PG_UUID(as_uuid=True))
        )
    if exclude_item:
        stmt = stmt.where(
            Embedding.item_id != bindparam("exclude_item", type_=PG_UUID(as_uuid=True))
        )
    if where is not None:  # a content filter
        stmt = stmt.join(Content, Content.id == Embedding.content_id).where(where)
    return stmt


async def nearest_contents(
    reader: Reader,
    viewer: Viewer,
    model: DefaultModel,
    query: Sequence[float],
    *,
    first: int,
    organization_id: uuid.UUID | None = None,
    where: ColumnElement[bool] | None = None,
    exclude_content: uuid.UUID | None = None,
    exclude_item: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, float]]:
    """(content id, cosine similarity) of the ``first`` visible contents nearest ``query``."""
    pgvector = await has_pgvector(reader)
    shape = (pgvector, len(query), organization_id is not None, exclude_content is not None,
             exclude_item is not None)  # fmt: skip
    key = None if where is not None else ("semantic.nearest", shape)

    def build() -> Select[Any]:
        return _nearest(
            pgvector, len(query), where=where, organization=shape[2],
            exclude_content=shape[3], exclude_item=shape[4],
        )  # fmt: skip

    params: dict[str, Any] = {
        **viewer.params(raw=True), "query": list(query), "model_id": model.id, "first": first,
        "organization_id": organization_id, "exclude_content": exclude_content,
        "exclude_item": exclude_item,
    }  # fmt: skip
    rows = await reader.rows(key, build, params)
    return [(pk, round(1.0 - float(d), 6)) for pk, d in rows]


async def vectors_of(
    reader: Reader,
    viewer: Viewer,
    model: DefaultModel,
    *,
    item_id: uuid.UUID | None = None,
    content_id: uuid.UUID | None = None,
) -> list[list[float]]:
    """The default embedder's visible vectors of an item's contents, or of one content."""
    column = Embedding.content_id if content_id is not None else Embedding.item_id
    stmt = select(Embedding.vector).where(
        Embedding.visible_to(),
        Embedding.model_id == bindparam("model_id", type_=PG_UUID(as_uuid=True)),
        column == bindparam("key", type_=PG_UUID(as_uuid=True)),
    )
    params = {**viewer.params(raw=True), "model_id": model.id, "key": content_id or item_id}
    rows = await reader.rows(("semantic.vectors", content_id is not None), lambda: stmt, params)
    return [list(r[0]) for r in rows]
