"""ops: login_failures, the login throttle's counters shared by every server process

An UNLOGGED table: no write-ahead log (cheap inserts and prunes), emptied after a crash
(throttle counters may restart) and not replicated (only the primary counts).

Revision ID: 0011_ops
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011_ops"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("login_failures_pkey")),
        prefixes=["UNLOGGED"],
    )  # fmt: skip
    op.create_index("login_failures_key_created_at_idx", "login_failures", ["key", "created_at"])
    op.create_index("login_failures_created_at_idx", "login_failures", ["created_at"])


def downgrade() -> None:
    op.drop_index("login_failures_created_at_idx", table_name="login_failures")
    op.drop_index("login_failures_key_created_at_idx", table_name="login_failures")
    op.drop_table("login_failures")
