"""The AI catalog: an item's contents (prompt or message segments), the AI models that
embed them, and the embeddings.

A content and an embedding carry their item's ``organization_id`` (copied on write, SET NULL
with the item's), so a search can narrow by organization on the row itself; what a viewer may
read is their item's rule (an item's contents go with it: hidden while it is deleted, its
owner's once its organization is gone).

An embedding's vector is a pgvector ``vector`` where the server has pgvector and a plain
``real[]`` where it has not; migration 0014 picks the column type when it runs. The model
declares ``real[]``: values are written as ``real[]`` (pgvector casts them on assignment) and
read as ``real[]`` (`EmbeddingVector`), so both columns hold and give the same numbers.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import (
    REAL,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, UserDefinedType

from models.base import JSON, VIEWER_ID, Base, member_of
from models.catalog import Item


class ContentRole(enum.Enum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"
    NOTE = "note"


class EmbeddingVector(TypeDecorator[list[float]]):
    """An embedding's column: ``real[]`` on the wire both ways, whichever type it has."""

    impl = ARRAY(REAL)
    cache_ok = True

    def column_expression(self, column: Any) -> Any:
        return func.cast(column, ARRAY(REAL))

    def bind_expression(self, bindvalue: Any) -> Any:
        return func.cast(bindvalue, ARRAY(REAL))


class PgVector(UserDefinedType[Any]):
    """pgvector's ``vector`` as reflection sees it (migrations compare it with
    `EmbeddingVector`: alembic/env.py)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "vector"


def _item_visible(item_id: Any) -> ColumnElement[bool]:
    """The row's item is one the viewer may read (one primary-key probe per row)."""
    return select(Item.id).where(Item.id == item_id, Item.visible_to()).exists()


class Content(Base):
    """A segment of an item: a prompt, a message of a conversation, a note."""

    __tablename__ = "contents"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[ContentRole] = mapped_column(
        Enum(ContentRole, name="content_role", values_callable=lambda e: [m.value for m in e])
    )
    text: Mapped[str]
    meta_data: Mapped[JSON]
    position: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        # An item's contents in order (Item.contents).
        Index("contents_item_id_position_idx", "item_id", "position", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return _item_visible(cls.item_id)


class AIModel(Base):
    """A model that embeds or completes: global (no organization; superusers manage it) or
    an organization's own. One global model is the default embedder."""

    __tablename__ = "ai_models"

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(100), server_default="")
    parameters: Mapped[JSON]
    meta_data: Mapped[JSON]
    # The one global model that embeds contents (`Content.embedding`, semantic search).
    default_embedder: Mapped[bool] = mapped_column(server_default="false")

    __table_args__ = (
        Index(
            "ai_models_default_embedder_key",
            "default_embedder",
            unique=True,
            postgresql_where=text("default_embedder"),
        ),
        # One model per name and version in an organization, and among the global ones.
        Index(
            "ai_models_organization_id_name_version_key",
            func.coalesce(organization_id, text("'00000000-0000-0000-0000-000000000000'::uuid")),
            func.lower(name),
            version,
            unique=True,
        ),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        """Global models to anyone signed in; an organization's to its members."""
        signed_in = VIEWER_ID.is_not(None)
        return (cls.organization_id.is_(None) & signed_in) | member_of(cls.organization_id)


class Embedding(Base):
    """A content's vector by one model (at most one per content and model)."""

    __tablename__ = "embeddings"
    # The vector is data, not an audit fact: the change history records the rest.
    __secret_columns__ = frozenset({"vector"})

    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_models.id", ondelete="CASCADE"))
    content_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contents.id", ondelete="CASCADE"))
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    vector: Mapped[list[float]] = mapped_column(EmbeddingVector)
    dimension: Mapped[int]
    meta_data: Mapped[JSON]

    __table_args__ = (
        UniqueConstraint("content_id", "model_id"),
        CheckConstraint("dimension > 0", name="dimension_positive"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return _item_visible(cls.item_id)


__all__ = ["AIModel", "Content", "ContentRole", "Embedding", "EmbeddingVector", "PgVector"]
