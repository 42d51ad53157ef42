"""files: file_assets, and property media that show an uploaded file

Revision ID: 0009
Revises: 0008_jobs
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_assets",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("storage_key", sa.String(length=500), nullable=False),
        sa.Column("mime_type", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("checksum_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "meta_data", postgresql.JSONB(astext_type=sa.Text()), server_default="{}",
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "size_bytes >= 0", name=op.f("file_assets_size_bytes_non_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("file_assets_item_id_fkey"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("file_assets_organization_id_fkey"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("file_assets_owner_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("file_assets_pkey")),
        sa.UniqueConstraint("storage_key", name=op.f("file_assets_storage_key_key")),
    )  # fmt: skip
    op.create_index(
        "file_assets_organization_id_created_at_idx",
        "file_assets",
        ["organization_id", "created_at", "id"],
    )
    op.create_index("file_assets_owner_id_idx", "file_assets", ["owner_id"])
    op.create_index("file_assets_item_id_idx", "file_assets", ["item_id"])

    op.add_column("property_media", sa.Column("file_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("property_media_file_id_fkey"),
        "property_media",
        "file_assets",
        ["file_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index("property_media_file_id_idx", "property_media", ["file_id"])


def downgrade() -> None:
    op.drop_index("property_media_file_id_idx", table_name="property_media")
    op.drop_constraint(op.f("property_media_file_id_fkey"), "property_media", type_="foreignkey")
    op.drop_column("property_media", "file_id")
    op.drop_index("file_assets_item_id_idx", table_name="file_assets")
    op.drop_index("file_assets_owner_id_idx", table_name="file_assets")
    op.drop_index("file_assets_organization_id_created_at_idx", table_name="file_assets")
    op.drop_table("file_assets")
