"""plans: organizations' plans, plan history, billing details, invoices; archived_at on the
aggregate roots that can be archived

Revision ID: 0013_plans
Revises: 0012_accounts
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0013_plans"
down_revision: str | Sequence[str] | None = "0012_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARCHIVABLE = ("organizations", "items", "projects", "properties", "clients")

PLAN_STATUS = postgresql.ENUM(
    "trialing", "active", "past_due", "cancelled", name="plan_status", create_type=False
)
CARD_BRAND = postgresql.ENUM(
    "visa", "mastercard", "amex", "discover", "other", name="card_brand", create_type=False
)
INVOICE_STATUS = postgresql.ENUM(
    "draft", "open", "paid", "void", name="invoice_status", create_type=False
)
# Created by 0001 for organizations.plan_type.
PLAN_TYPE = postgresql.ENUM("free", "pro", "enterprise", name="plan_type", create_type=False)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
    ]  # fmt: skip


def _id() -> sa.Column:
    return sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _organization_fk(table: str, column: str = "organization_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["organizations.id"], name=op.f(f"{table}_{column}_fkey"), ondelete="CASCADE"
    )


def upgrade() -> None:
    for table in ARCHIVABLE:
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    for enum in (PLAN_STATUS, CARD_BRAND, INVOICE_STATUS):
        enum.create(bind)

    op.create_table(
        "organization_plans",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("plan_type", PLAN_TYPE, server_default="free", nullable=False),
        sa.Column("status", PLAN_STATUS, server_default="active", nullable=False),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        _id(),
        *_timestamps(),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > started_at",
            name=op.f("organization_plans_ends_after_start_check"),
        ),
        _organization_fk("organization_plans"),
        sa.PrimaryKeyConstraint("id", name=op.f("organization_plans_pkey")),
        sa.UniqueConstraint("organization_id", name=op.f("organization_plans_organization_id_key")),
    )  # fmt: skip
    # Every organization has a plan: the one its plan_type names, active since it was made.
    op.execute(
        "INSERT INTO organization_plans (organization_id, plan_type, status, started_at) "
        "SELECT id, plan_type, 'active', created_at FROM organizations"
    )

    op.create_table(
        "plan_changes",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("from_plan", PLAN_TYPE, nullable=True),
        sa.Column("to_plan", PLAN_TYPE, nullable=False),
        sa.Column("from_status", PLAN_STATUS, nullable=True),
        sa.Column("to_status", PLAN_STATUS, nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        _id(),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("plan_changes_changed_by_id_fkey"),
            ondelete="SET NULL",
        ),
        _organization_fk("plan_changes"),
        sa.PrimaryKeyConstraint("id", name=op.f("plan_changes_pkey")),
    )  # fmt: skip
    op.create_index(
        "plan_changes_organization_id_changed_at_idx",
        "plan_changes",
        ["organization_id", "changed_at", "id"],
    )

    op.create_table(
        "billing_details",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("tax_id", sa.String(length=64), nullable=True),
        sa.Column("card_brand", CARD_BRAND, nullable=True),
        sa.Column("card_last4", sa.String(length=4), nullable=True),
        sa.Column("card_exp_month", sa.Integer(), nullable=True),
        sa.Column("card_exp_year", sa.Integer(), nullable=True),
        _id(),
        *_timestamps(),
        sa.CheckConstraint(
            "card_last4 ~ '^[0-9]{4}$'", name=op.f("billing_details_card_last4_format_check")
        ),
        sa.CheckConstraint(
            "card_exp_month BETWEEN 1 AND 12",
            name=op.f("billing_details_card_exp_month_range_check"),
        ),
        sa.CheckConstraint(
            "country ~ '^[A-Z]{2}$'", name=op.f("billing_details_country_format_check")
        ),
        _organization_fk("billing_details"),
        sa.PrimaryKeyConstraint("id", name=op.f("billing_details_pkey")),
        sa.UniqueConstraint("organization_id", name=op.f("billing_details_organization_id_key")),
    )

    op.create_table(
        "invoices",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("plan_type", PLAN_TYPE, nullable=False),
        sa.Column("status", INVOICE_STATUS, server_default="open", nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        _id(),
        *_timestamps(),
        sa.CheckConstraint("amount >= 0", name=op.f("invoices_amount_non_negative_check")),
        sa.CheckConstraint(
            "period_end >= period_start", name=op.f("invoices_period_order_check")
        ),
        sa.CheckConstraint(
            "currency ~ '^[A-Z]{3}$'", name=op.f("invoices_currency_format_check")
        ),
        _organization_fk("invoices"),
        sa.PrimaryKeyConstraint("id", name=op.f("invoices_pkey")),
    )  # fmt: skip
    op.create_index(
        "invoices_organization_id_number_key", "invoices", ["organization_id", "number"],
        unique=True,
    )  # fmt: skip
    op.create_index(
        "invoices_organization_id_issued_at_idx", "invoices", ["organization_id", "issued_at", "id"]
    )


def downgrade() -> None:
    op.drop_table("invoices")
    op.drop_table("billing_details")
    op.drop_table("plan_changes")
    op.drop_table("organization_plans")
    bind = op.get_bind()
    for enum in (INVOICE_STATUS, CARD_BRAND, PLAN_STATUS):
        enum.drop(bind)
    for table in ARCHIVABLE:
        op.drop_column(table, "archived_at")
