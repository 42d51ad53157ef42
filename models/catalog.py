"""Catalog core: items, tags and the links between them."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import JSON, ArchiveMixin, Base, SoftDeleteMixin, member_of, own
from models.search import Searchable

item_tags = Table(
    "item_tags",
    Base.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)


class Item(Searchable, ArchiveMixin, SoftDeleteMixin, Base):
    __tablename__ = "items"
    __search__ = (("title", "A"), ("description", "B"))

    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # An item outlives its organization: deleting the organization leaves it to its owner.
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    type: Mapped[str] = mapped_column(String(64), server_default="generic")
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None]
    meta_data: Mapped[JSON]

    __table_args__ = (
        Searchable.search_index("items"),
        # Keyset pagination of an organization's items, newest first or by title.
        Index("items_organization_id_created_at_idx", "organization_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        """Items of the viewer's organizations, and the viewer's own items whose
        organization is gone."""
        orphan_of_viewer = cls.organization_id.is_(None) & own(cls.owner_id)
        return cls.deleted_at.is_(None) & (member_of(cls.organization_id) | orphan_of_viewer)


class Tag(SoftDeleteMixin, Base):
    __tablename__ = "tags"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str | None] = mapped_column(String(7))

    __table_args__ = (
        # Unique per organization, case-insensitively, among tags that are not deleted.
        Index(
            "tags_organization_id_name_key",
            "organization_id",
            func.lower(name),
            unique=True,
            postgresql_where="deleted_at IS NULL",
        ),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_(None) & member_of(cls.organization_id)


__all__ = ["Item", "Tag", "item_tags"]
