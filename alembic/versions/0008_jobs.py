"""jobs: the user-visible `jobs` table, and procrastinate's queue schema

Revision ID: 0008_jobs
Revises: 0007
Create Date: 2026-11-30

The queue's tables, types, functions and triggers are procrastinate's own schema SQL
(`SchemaManager.get_schema()`), executed as the library ships it, for the version pinned in
pyproject.toml; a later procrastinate release's migrations come in as new revisions here.
Alembic's autogenerate ignores `procrastinate_*` objects (alembic/env.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from procrastinate.schema import SchemaManager

from alembic import op

revision: str = "0008_jobs"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOB_STATUS = ("queued", "running", "succeeded", "failed", "cancelled")

# Every procrastinate object, found by name (the library ships no uninstall script).
DROP_PROCRASTINATE = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT tablename FROM pg_tables
             WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
    END LOOP;
    FOR r IN SELECT t.typname FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
               AND t.typtype IN ('e', 'c') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
    END LOOP;
END $$;
"""


def _script(sql: str) -> None:
    """Run a multi-statement script as it is: through the driver's cursor with no
    parameters, so psycopg neither reads `%` as a placeholder nor prepares it."""
    cursor = op.get_bind().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def upgrade() -> None:
    _script(SchemaManager.get_schema())
    op.create_table(
        "jobs",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "status", sa.Enum(*JOB_STATUS, name="job_status"),
            server_default="queued", nullable=False,
        ),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "parameters", sa.dialects.postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}", nullable=False,
        ),
        sa.Column("result", sa.dialects.postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queue_job_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("jobs_progress_range_check")),
        sa.CheckConstraint("attempts >= 0", name=op.f("jobs_attempts_non_negative_check")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("jobs_organization_id_fkey"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"],
            name=op.f("jobs_requested_by_id_fkey"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("jobs_pkey")),
    )  # fmt: skip
    op.create_index(
        "jobs_organization_id_created_at_idx", "jobs", ["organization_id", "created_at", "id"]
    )
    op.create_index("jobs_organization_id_status_idx", "jobs", ["organization_id", "status"])
    op.create_index("jobs_requested_by_id_idx", "jobs", ["requested_by_id"])


def downgrade() -> None:
    op.drop_index("jobs_requested_by_id_idx", table_name="jobs")
    op.drop_index("jobs_organization_id_status_idx", table_name="jobs")
    op.drop_index("jobs_organization_id_created_at_idx", table_name="jobs")
    op.drop_table("jobs")
    sa.Enum(name="job_status").drop(op.get_bind())
    _script(DROP_PROCRASTINATE)
