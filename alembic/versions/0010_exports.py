"""exports: project_exports, a design project's export and its result file

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXPORT_FORMAT = ("json", "csv", "markdown", "graphml")


def upgrade() -> None:
    op.create_table(
        "project_exports",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("export_type", sa.String(length=32), server_default="project", nullable=False),
        sa.Column("format", sa.Enum(*EXPORT_FORMAT, name="export_format"), nullable=False),
        sa.Column(
            "parameters", postgresql.JSONB(astext_type=sa.Text()), server_default="{}",
            nullable=False,
        ),
        sa.Column("result_file_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
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
            ["project_id"], ["projects.id"], name=op.f("project_exports_project_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("project_exports_organization_id_fkey"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("project_exports_job_id_fkey"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"],
            name=op.f("project_exports_requested_by_id_fkey"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["result_file_id"], ["file_assets.id"],
            name=op.f("project_exports_result_file_id_fkey"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("project_exports_pkey")),
        sa.UniqueConstraint("job_id", name=op.f("project_exports_job_id_key")),
    )  # fmt: skip
    op.create_index(
        "project_exports_project_id_created_at_idx",
        "project_exports",
        ["project_id", "created_at", "id"],
    )
    op.create_index("project_exports_requested_by_id_idx", "project_exports", ["requested_by_id"])
    op.create_index("project_exports_result_file_id_idx", "project_exports", ["result_file_id"])


def downgrade() -> None:
    op.drop_index("project_exports_result_file_id_idx", table_name="project_exports")
    op.drop_index("project_exports_requested_by_id_idx", table_name="project_exports")
    op.drop_index("project_exports_project_id_created_at_idx", table_name="project_exports")
    op.drop_table("project_exports")
    sa.Enum(name="export_format").drop(op.get_bind())
