"""The realty domain (see ../shared/DESIGN.md): a brokerage's properties and their media, its
clients, what each client is interested in, and every contact with them.

Every row carries ``organization_id`` (copied from its parent on write), so tenancy is one
column on every table, never a join chain.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import JSON, ArchiveMixin, Base, SoftDeleteMixin, member_of
from models.search import Searchable


class PropertyStatus(enum.Enum):
    ACTIVE = "active"
    UNDER_OFFER = "under_offer"
    SOLD = "sold"
    RENTED = "rented"


class MediaType(enum.Enum):
    IMAGE = "image"
    DOC = "doc"
    VIDEO = "video"


class NurtureStatus(enum.Enum):
    NEW = "new"
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class InteractionType(enum.Enum):
    EMAIL = "email"
    CALL = "call"
    MEETING = "meeting"
    NOTE = "note"


def _pg_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A PostgreSQL enum holding the members' values (lowercase), like accounts' enums."""
    return Enum(enum_class, name=name, values_callable=lambda e: [m.value for m in e])


class Property(Searchable, ArchiveMixin, SoftDeleteMixin, Base):
    __tablename__ = "properties"
    __search__ = (("title", "A"), ("address", "B"), ("city", "B"), ("area", "B"))

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(120))
    area: Mapped[str | None] = mapped_column(String(120))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    property_type: Mapped[str] = mapped_column(String(64), server_default="house")
    bedrooms: Mapped[int] = mapped_column(server_default="0")
    bathrooms: Mapped[int] = mapped_column(server_default="0")
    size_sqft: Mapped[int | None]
    # Exact money: NUMERIC(14, 2), never a float.
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[PropertyStatus] = mapped_column(
        _pg_enum(PropertyStatus, "property_status"), server_default=PropertyStatus.ACTIVE.value
    )

    __table_args__ = (
        Searchable.search_index("properties"),
        # Backstops for what the API validates first.
        CheckConstraint("price >= 0", name="price_non_negative"),
        CheckConstraint("bedrooms >= 0", name="bedrooms_non_negative"),
        CheckConstraint("bathrooms >= 0", name="bathrooms_non_negative"),
        CheckConstraint("size_sqft >= 0", name="size_sqft_non_negative"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        # A broker's searches: within an organization, by status and price range, by
        # bedrooms, by location; and keyset pagination in the default order.
        Index("properties_organization_id_status_price_idx", "organization_id", "status", "price"),
        Index("properties_organization_id_price_idx", "organization_id", "price"),
        Index("properties_organization_id_bedrooms_idx", "organization_id", "bedrooms"),
        Index("properties_organization_id_city_area_idx", "organization_id", "city", "area"),
        Index("properties_organization_id_created_at_idx", "organization_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_(None) & member_of(cls.organization_id)


class PropertyMedia(Base):
    """A photo, document or video of a property; deleted with it (hidden while it is)."""

    __tablename__ = "property_media"
    __type_name__ = "Media"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("properties.id", ondelete="CASCADE"))
    type: Mapped[MediaType] = mapped_column(_pg_enum(MediaType, "media_type"))
    # An absolute URL, or the storage key of `file_id`'s file.
    url: Mapped[str] = mapped_column(String(2000))
    # An uploaded file this media shows; null for an external URL. Deleting the file deletes
    # the media that show it (the API does it first, through the write path).
    file_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("file_assets.id", ondelete="CASCADE"), index=True
    )
    meta_data: Mapped[JSON]

    __table_args__ = (
        Index("property_media_property_id_created_at_idx", "property_id", "created_at", "id"),
        Index("property_media_organization_id_idx", "organization_id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _live(Property, cls.property_id)


class Client(Searchable, ArchiveMixin, SoftDeleteMixin, Base):
    __tablename__ = "clients"
    __search__ = (("name", "A"), ("email", "B"))

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    lead_score: Mapped[int] = mapped_column(server_default="0")
    nurture_status: Mapped[NurtureStatus] = mapped_column(
        _pg_enum(NurtureStatus, "nurture_status"), server_default=NurtureStatus.NEW.value
    )
    last_contacted_at: Mapped[datetime | None]

    __table_args__ = (
        Searchable.search_index("clients"),
        CheckConstraint("lead_score BETWEEN 0 AND 100", name="lead_score_range"),
        Index("clients_organization_id_lead_score_idx", "organization_id", "lead_score", "id"),
        Index("clients_organization_id_nurture_status_idx", "organization_id", "nurture_status"),
        Index(
            "clients_organization_id_last_contacted_at_idx",
            "organization_id",
            "last_contacted_at",
            "id",
        ),
        Index("clients_organization_id_created_at_idx", "organization_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_(None) & member_of(cls.organization_id)


# Which properties a client is interested in. The organization is denormalised here too;
# the API links only a client and properties of the same organization.
client_interested_properties = Table(
    "client_interested_properties",
    Base.metadata,
    Column("client_id", ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "property_id", ForeignKey("properties.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    Column(
        "organization_id",
        ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)


class Interaction(Base):
    """One contact with a client: an email, call, meeting or note, by a user."""

    __tablename__ = "interactions"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # The history outlives the user who made it.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[InteractionType] = mapped_column(_pg_enum(InteractionType, "interaction_type"))
    notes: Mapped[str | None]
    occurred_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("interactions_client_id_occurred_at_idx", "client_id", "occurred_at", "id"),
        Index("interactions_organization_id_occurred_at_idx", "organization_id", "occurred_at"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _live(Client, cls.client_id)


def _live(parent: type[Property] | type[Client], key: Any) -> ColumnElement[bool]:
    """The parent row exists and is not soft-deleted: children of a deleted aggregate are
    hidden with it (one primary-key probe per row)."""
    return select(parent.id).where(parent.id == key, parent.deleted_at.is_(None)).exists()


__all__ = [
    "Client",
    "Interaction",
    "InteractionType",
    "MediaType",
    "NurtureStatus",
    "Property",
    "PropertyMedia",
    "PropertyStatus",
    "client_interested_properties",
]
