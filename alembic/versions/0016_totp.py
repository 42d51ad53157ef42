"""two-factor sign-in: TOTP credentials and login challenges

Revision ID: 0016_totp
Revises: 0015_ai
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0016_totp"
down_revision: str | Sequence[str] | None = "0015_ai"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common() -> list[sa.Column]:
    return [
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
    ]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "two_factor_credentials",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "recovery_code_hashes", postgresql.ARRAY(sa.String(length=64)),
            server_default="{}", nullable=False,
        ),
        sa.Column("recovery_codes_generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("two_factor_credentials_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("two_factor_credentials_pkey")),
        sa.UniqueConstraint("user_id", name=op.f("two_factor_credentials_user_id_key")),
    )  # fmt: skip
    op.create_table(
        "two_factor_challenges",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("challenge_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("two_factor_challenges_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("two_factor_challenges_pkey")),
        sa.UniqueConstraint(
            "challenge_hash", name=op.f("two_factor_challenges_challenge_hash_key")
        ),
    )  # fmt: skip
    op.create_index(op.f("two_factor_challenges_user_id_idx"), "two_factor_challenges", ["user_id"])


def downgrade() -> None:
    op.drop_table("two_factor_challenges")
    op.drop_table("two_factor_credentials")
