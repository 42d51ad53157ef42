"""real-estate CRM: properties, media, clients, interactions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUMS = ("interaction_type", "media_type", "nurture_status", "property_status")


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("lead_score", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "nurture_status",
            sa.Enum("new", "hot", "warm", "cold", name="nurture_status"),
            server_default="new",
            nullable=False,
        ),
        sa.Column("last_contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "lead_score BETWEEN 0 AND 100", name=op.f("clients_lead_score_range_check")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("clients_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("clients_pkey")),
    )
    op.create_index(
        "clients_organization_id_created_at_idx",
        "clients",
        ["organization_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "clients_organization_id_last_contacted_at_idx",
        "clients",
        ["organization_id", "last_contacted_at", "id"],
        unique=False,
    )
    op.create_index(
        "clients_organization_id_lead_score_idx",
        "clients",
        ["organization_id", "lead_score", "id"],
        unique=False,
    )
    op.create_index(
        "clients_organization_id_nurture_status_idx",
        "clients",
        ["organization_id", "nurture_status"],
        unique=False,
    )
    op.create_table(
        "properties",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("area", sa.String(length=120), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("property_type", sa.String(length=64), server_default="house", nullable=False),
        sa.Column("bedrooms", sa.Integer(), server_default="0", nullable=False),
        sa.Column("bathrooms", sa.Integer(), server_default="0", nullable=False),
        sa.Column("size_sqft", sa.Integer(), nullable=True),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "under_offer", "sold", "rented", name="property_status"),
            server_default="active",
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("bathrooms >= 0", name=op.f("properties_bathrooms_non_negative_check")),
        sa.CheckConstraint("bedrooms >= 0", name=op.f("properties_bedrooms_non_negative_check")),
        sa.CheckConstraint(
            "latitude BETWEEN -90 AND 90", name=op.f("properties_latitude_range_check")
        ),
        sa.CheckConstraint(
            "longitude BETWEEN -180 AND 180", name=op.f("properties_longitude_range_check")
        ),
        sa.CheckConstraint("price >= 0", name=op.f("properties_price_non_negative_check")),
        sa.CheckConstraint("size_sqft >= 0", name=op.f("properties_size_sqft_non_negative_check")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("properties_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("properties_pkey")),
    )
    op.create_index(
        "properties_organization_id_bedrooms_idx",
        "properties",
        ["organization_id", "bedrooms"],
        unique=False,
    )
    op.create_index(
        "properties_organization_id_city_area_idx",
        "properties",
        ["organization_id", "city", "area"],
        unique=False,
    )
    op.create_index(
        "properties_organization_id_created_at_idx",
        "properties",
        ["organization_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "properties_organization_id_price_idx",
        "properties",
        ["organization_id", "price"],
        unique=False,
    )
    op.create_index(
        "properties_organization_id_status_price_idx",
        "properties",
        ["organization_id", "status", "price"],
        unique=False,
    )
    op.create_table(
        "client_interested_properties",
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column("property_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("client_interested_properties_client_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("client_interested_properties_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.id"],
            name=op.f("client_interested_properties_property_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "client_id", "property_id", name=op.f("client_interested_properties_pkey")
        ),
    )
    op.create_index(
        op.f("client_interested_properties_organization_id_idx"),
        "client_interested_properties",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("client_interested_properties_property_id_idx"),
        "client_interested_properties",
        ["property_id"],
        unique=False,
    )
    op.create_table(
        "interactions",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column(
            "type",
            sa.Enum("email", "call", "meeting", "note", name="interaction_type"),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("interactions_client_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("interactions_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("interactions_user_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("interactions_pkey")),
    )
    op.create_index(
        "interactions_client_id_occurred_at_idx",
        "interactions",
        ["client_id", "occurred_at", "id"],
        unique=False,
    )
    op.create_index(
        "interactions_organization_id_occurred_at_idx",
        "interactions",
        ["organization_id", "occurred_at"],
        unique=False,
    )
    op.create_index(op.f("interactions_user_id_idx"), "interactions", ["user_id"], unique=False)
    op.create_table(
        "property_media",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("property_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.Enum("image", "doc", "video", name="media_type"), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column(
            "meta_data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("property_media_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["properties.id"],
            name=op.f("property_media_property_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("property_media_pkey")),
    )
    op.create_index(
        "property_media_organization_id_idx", "property_media", ["organization_id"], unique=False
    )
    op.create_index(
        "property_media_property_id_created_at_idx",
        "property_media",
        ["property_id", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("property_media_property_id_created_at_idx", table_name="property_media")
    op.drop_index("property_media_organization_id_idx", table_name="property_media")
    op.drop_table("property_media")
    op.drop_index(op.f("interactions_user_id_idx"), table_name="interactions")
    op.drop_index("interactions_organization_id_occurred_at_idx", table_name="interactions")
    op.drop_index("interactions_client_id_occurred_at_idx", table_name="interactions")
    op.drop_table("interactions")
    op.drop_index(
        op.f("client_interested_properties_property_id_idx"),
        table_name="client_interested_properties",
    )
    op.drop_index(
        op.f("client_interested_properties_organization_id_idx"),
        table_name="client_interested_properties",
    )
    op.drop_table("client_interested_properties")
    op.drop_index("properties_organization_id_status_price_idx", table_name="properties")
    op.drop_index("properties_organization_id_price_idx", table_name="properties")
    op.drop_index("properties_organization_id_created_at_idx", table_name="properties")
    op.drop_index("properties_organization_id_city_area_idx", table_name="properties")
    op.drop_index("properties_organization_id_bedrooms_idx", table_name="properties")
    op.drop_table("properties")
    op.drop_index("clients_organization_id_nurture_status_idx", table_name="clients")
    op.drop_index("clients_organization_id_lead_score_idx", table_name="clients")
    op.drop_index("clients_organization_id_last_contacted_at_idx", table_name="clients")
    op.drop_index("clients_organization_id_created_at_idx", table_name="clients")
    op.drop_table("clients")
    # Dropping the tables leaves their enum types behind.
    for name in ENUMS:
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=False)
