"""a deleted organization's slug is free again

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("organizations_slug_key", "organizations", type_="unique")
    op.create_index(
        "organizations_slug_key",
        "organizations",
        ["slug"],
        unique=True,
        postgresql_where="deleted_at IS NULL",
    )


def downgrade() -> None:
    op.drop_index("organizations_slug_key", table_name="organizations")
    op.create_unique_constraint("organizations_slug_key", "organizations", ["slug"])
