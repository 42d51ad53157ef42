"""accounts: profiles, invitations, single-use account tokens, the email outbox, verified
emails

Revision ID: 0012_accounts
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0012_accounts"
down_revision: str | Sequence[str] | None = "0011_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
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
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.create_table(
        "user_profiles",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("username", sa.String(length=32), nullable=True),
        sa.Column("contact", jsonb, nullable=True),
        sa.Column("location", jsonb, nullable=True),
        sa.Column("socials", jsonb, nullable=True),
        sa.Column("company", jsonb, nullable=True),
        sa.Column("preferences", jsonb, nullable=True),
        sa.Column("onboarding", jsonb, nullable=True),
        sa.Column(
            "feature_flags", postgresql.ARRAY(sa.String(length=64)), server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["users.id"], name=op.f("user_profiles_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("user_profiles_pkey")),
    )  # fmt: skip
    op.create_index(
        "user_profiles_username_lower_key",
        "user_profiles",
        [sa.literal_column("lower(username)")],
        unique=True,
    )
    op.create_table(
        "email_outbox",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.Enum("queued", "sent", "logged", "failed", name="email_status"),
            server_default="queued", nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queue_job_id", sa.BigInteger(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("email_outbox_pkey")),
    )  # fmt: skip
    op.create_index("email_outbox_status_created_at_idx", "email_outbox", ["status", "created_at"])
    op.create_table(
        "account_tokens",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("password_reset", "email_verification", name="account_token_purpose"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("account_tokens_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("account_tokens_pkey")),
        sa.UniqueConstraint("token_hash", name=op.f("account_tokens_token_hash_key")),
    )  # fmt: skip
    op.create_index("account_tokens_user_id_idx", "account_tokens", ["user_id"])
    op.create_table(
        "invitations",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role_id", sa.UUID(), nullable=False),
        sa.Column("inviter_id", sa.UUID(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "accepted", "revoked", "expired", name="invitation_status"),
            server_default="pending", nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_count", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "last_sent_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_id", sa.UUID(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["users.id"], name=op.f("invitations_accepted_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inviter_id"], ["users.id"], name=op.f("invitations_inviter_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("invitations_organization_id_fkey"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("invitations_role_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("invitations_pkey")),
        sa.UniqueConstraint("token_hash", name=op.f("invitations_token_hash_key")),
    )  # fmt: skip
    op.create_index("invitations_accepted_by_id_idx", "invitations", ["accepted_by_id"])
    op.create_index("invitations_inviter_id_idx", "invitations", ["inviter_id"])
    op.create_index(
        "invitations_organization_id_created_at_idx",
        "invitations",
        ["organization_id", "created_at", "id"],
    )
    op.create_index(
        "invitations_pending_email_key",
        "invitations",
        ["organization_id", sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where="status = 'pending'",
    )


def downgrade() -> None:
    op.drop_table("user_profiles")
    op.drop_table("invitations")
    op.drop_table("account_tokens")
    op.drop_table("email_outbox")
    op.drop_column("users", "email_verified_at")
    bind = op.get_bind()
    for name in ("invitation_status", "account_token_purpose", "email_status"):
        sa.Enum(name=name).drop(bind)
