"""design presence: who is in a project now (ephemeral rows with an expiry)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "design_presence",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("cursor_x", sa.SmallInteger(), nullable=True),
        sa.Column("cursor_y", sa.SmallInteger(), nullable=True),
        sa.Column("editing_type", sa.String(length=64), nullable=True),
        sa.Column("editing_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("design_presence_organization_id_fkey"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("design_presence_project_id_fkey"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"],
            name=op.f("design_presence_user_id_fkey"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("design_presence_pkey")),
        sa.UniqueConstraint(
            "project_id", "user_id", "client_id",
            name=op.f("design_presence_project_id_user_id_client_id_key"),
        ),
    )  # fmt: skip
    op.create_index("design_presence_expires_at_idx", "design_presence", ["expires_at"])


def downgrade() -> None:
    op.drop_index("design_presence_expires_at_idx", table_name="design_presence")
    op.drop_table("design_presence")
