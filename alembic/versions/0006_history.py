"""change history: the change log, and the audit permission for OWNER and ADMIN

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_ROLES = ("OWNER", "ADMIN")


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("scope_id", sa.Uuid(), nullable=True),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column(
            "action",
            sa.Enum("create", "update", "delete", name="change_action"),
            nullable=False,
        ),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("change_log_pkey")),
        sa.UniqueConstraint("position", name=op.f("change_log_position_key")),
    )
    op.create_index("change_log_entity_id_position_idx", "change_log", ["entity_id", "position"])
    op.create_index(
        "change_log_organization_id_position_idx", "change_log", ["organization_id", "position"]
    )
    op.create_index("change_log_scope_id_position_idx", "change_log", ["scope_id", "position"])
    conn = op.get_bind()
    permission_id = conn.execute(
        sa.text(
            "INSERT INTO permissions (resource, action, description) "
            "VALUES ('audit', 'read', 'read the audit log') RETURNING id"
        )
    ).scalar_one()
    conn.execute(
        sa.text(
            "INSERT INTO role_permissions (role_id, permission_id) "
            "SELECT id, :permission_id FROM roles "
            "WHERE organization_id IS NULL AND name = ANY(:roles)"
        ),
        {"permission_id": permission_id, "roles": list(AUDIT_ROLES)},
    )


def downgrade() -> None:
    op.execute("DELETE FROM permissions WHERE resource = 'audit'")
    op.drop_index("change_log_scope_id_position_idx", table_name="change_log")
    op.drop_index("change_log_organization_id_position_idx", table_name="change_log")
    op.drop_index("change_log_entity_id_position_idx", table_name="change_log")
    op.drop_table("change_log")
    op.execute("DROP TYPE change_action")
