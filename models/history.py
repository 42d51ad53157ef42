"""History: the change log, one row per created, updated or deleted row of every entity.

The write path appends to it in the transaction of the change, so it is the audit trail,
each node's `history`, and the source of subscriptions. ``position`` orders it: positions are
taken under a transaction-level advisory lock held to commit (see resolvers/writes.py), so
they become visible in increasing order and a reader that has seen position p has seen
everything before p — which makes a position a lossless resume cursor.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import BigInteger, Enum, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import Base, member_of, own

# The channel a commit with changes notifies; the payload is the last position, not data.
CHANNEL = "trellis_changes"
# Key of the transaction-level advisory lock that orders positions by commit.
POSITION_LOCK = 0x7472_6C73  # "trls"


class ChangeAction(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class ChangeLog(Base):
    __tablename__ = "change_log"

    position: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    # No foreign keys: the log outlives what it describes.
    organization_id: Mapped[uuid.UUID | None]
    actor_user_id: Mapped[uuid.UUID | None]
    actor_api_key_id: Mapped[uuid.UUID | None]
    session_id: Mapped[uuid.UUID | None]
    # The aggregate the row belongs to (a design project), for project-scoped streams.
    scope_id: Mapped[uuid.UUID | None]
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID]
    action: Mapped[ChangeAction] = mapped_column(
        Enum(ChangeAction, name="change_action", values_callable=lambda e: [m.value for m in e])
    )
    # {field: [old, new]} in column names; secrets are never written.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)

    __table_args__ = (
        # A node's history, newest first; an organization's audit log; resuming a stream.
        Index("change_log_entity_id_position_idx", "entity_id", "position"),
        Index("change_log_organization_id_position_idx", "organization_id", "position"),
        Index("change_log_scope_id_position_idx", "scope_id", "position"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        """Changes within the viewer's organizations, and those by or to the viewer."""
        return member_of(cls.organization_id) | own(cls.actor_user_id) | own(cls.entity_id)


__all__ = ["CHANNEL", "POSITION_LOCK", "ChangeAction", "ChangeLog"]
