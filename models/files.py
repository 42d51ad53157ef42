"""Files: uploaded bytes (in a `graph.storage` backend) and the rows that describe them.

A `FileAsset` belongs to an organization (its tenancy column) and to the user who uploaded it,
and may be attached to an item. The bytes live under `storage_key`; the row is the only way to
reach them (downloads go through signed URLs, graph/server/files.py).
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import JSON, Base, member_of


class FileAsset(Base):
    """One stored file. Hard-deleted: its bytes are removed after the delete commits."""

    __tablename__ = "file_assets"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # The file outlives the user who uploaded it.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(500), unique=True)
    mime_type: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # Hex SHA-256 of the bytes: the download's ETag.
    checksum_sha256: Mapped[str] = mapped_column(String(64))
    meta_data: Mapped[JSON]

    __table_args__ = (
        CheckConstraint("size_bytes >= 0", name="size_bytes_non_negative"),
        Index("file_assets_organization_id_created_at_idx", "organization_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id)


__all__ = ["FileAsset"]
