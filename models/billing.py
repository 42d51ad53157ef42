"""Billing: an organization's plan (its subscription), the history of plan changes, its
billing details and its invoices. There is no payment provider: these are records, shown to
the people who run the organization. No card number is ever stored — only a card's brand,
its last four digits and its expiry.

`OrganizationPlan` and `BillingDetails` are one-to-one with their organization (a unique
`organization_id`): `Organization.plan` is a to-one relation keyed by that column
(`to_one("pk", key=...)`), batched and compiled like any other.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Numeric, String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.accounts import ADMIN, OWNER, Membership, PlanType, Role
from models.base import VIEWER_ID, VIEWER_SUPERUSER, Base, member_of


class PlanStatus(enum.Enum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"


class CardBrand(enum.Enum):
    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    DISCOVER = "discover"
    OTHER = "other"


class InvoiceStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


def _pg_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    return Enum(enum_class, name=name, values_callable=lambda e: [m.value for m in e])


def _plan_type() -> Enum:
    # The type accounts created for `organizations.plan_type`, shared rather than created twice.
    return Enum(
        PlanType,
        name="plan_type",
        values_callable=lambda e: [m.value for m in e],
        create_type=False,
    )


def _organization_fk(*, unique: bool = False) -> Mapped[uuid.UUID]:
    # Not indexed alone: unique, or each table's (organization_id, ...) index leads with it.
    return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), unique=unique)


def runs_organization(organization_id: Any) -> ColumnElement[bool]:
    """The viewer is an OWNER or ADMIN of the organization (or a superuser): billing details
    and invoices are theirs to read. A correlated probe of the viewer's one membership there,
    written with the viewer parameters like every visibility rule."""
    runs = (
        select(Membership.id)
        .join(Role, Role.id == Membership.role_id)
        .where(
            Membership.user_id == VIEWER_ID,
            Membership.organization_id == organization_id,
            Role.organization_id.is_(None),  # the built-in OWNER and ADMIN roles
            Role.name.in_((OWNER, ADMIN)),
        )
        .exists()
    )
    return VIEWER_SUPERUSER | (member_of(organization_id) & runs)


class OrganizationPlan(Base):
    """An organization's subscription: which plan, in which state, since when, until when."""

    __tablename__ = "organization_plans"

    # One plan per organization.
    organization_id: Mapped[uuid.UUID] = _organization_fk(unique=True)
    plan_type: Mapped[PlanType] = mapped_column(_plan_type(), server_default=PlanType.FREE.value)
    status: Mapped[PlanStatus] = mapped_column(
        _pg_enum(PlanStatus, "plan_status"), server_default=PlanStatus.ACTIVE.value
    )
    started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    ends_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > started_at", name="ends_after_start"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id)


class PlanChange(Base):
    """One change of an organization's plan: from what to what, when and by whom."""

    __tablename__ = "plan_changes"

    organization_id: Mapped[uuid.UUID] = _organization_fk()
    from_plan: Mapped[PlanType | None] = mapped_column(_plan_type())
    to_plan: Mapped[PlanType] = mapped_column(_plan_type())
    from_status: Mapped[PlanStatus | None] = mapped_column(_pg_enum(PlanStatus, "plan_status"))
    to_status: Mapped[PlanStatus] = mapped_column(_pg_enum(PlanStatus, "plan_status"))
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Kept when the account that made the change is deleted.
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("plan_changes_organization_id_changed_at_idx", "organization_id", "changed_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id)


class BillingDetails(Base):
    """Who and where an organization is billed, and which card (brand, last four digits and
    expiry only: never a card number)."""

    __tablename__ = "billing_details"
    __type_name__ = "BillingDetails"

    organization_id: Mapped[uuid.UUID] = _organization_fk(unique=True)
    company_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    tax_id: Mapped[str | None] = mapped_column(String(64))
    card_brand: Mapped[CardBrand | None] = mapped_column(_pg_enum(CardBrand, "card_brand"))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_exp_month: Mapped[int | None]
    card_exp_year: Mapped[int | None]

    __table_args__ = (
        # Backstops for what the API validates: four digits, never more.
        CheckConstraint("card_last4 ~ '^[0-9]{4}$'", name="card_last4_format"),
        CheckConstraint("card_exp_month BETWEEN 1 AND 12", name="card_exp_month_range"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_format"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return runs_organization(cls.organization_id)


class Invoice(Base):
    """An invoice of an organization, as a record (no payment provider issues it)."""

    __tablename__ = "invoices"

    organization_id: Mapped[uuid.UUID] = _organization_fk()
    number: Mapped[str] = mapped_column(String(64))
    plan_type: Mapped[PlanType] = mapped_column(_plan_type())
    status: Mapped[InvoiceStatus] = mapped_column(
        _pg_enum(InvoiceStatus, "invoice_status"), server_default=InvoiceStatus.OPEN.value
    )
    # Exact money: NUMERIC(12, 2) in `currency` (ISO 4217), never a float.
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    period_start: Mapped[date]
    period_end: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(server_default=func.now())
    paid_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_format"),
        Index("invoices_organization_id_number_key", "organization_id", "number", unique=True),
        Index("invoices_organization_id_issued_at_idx", "organization_id", "issued_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return runs_organization(cls.organization_id)


__all__ = [
    "BillingDetails",
    "CardBrand",
    "Invoice",
    "InvoiceStatus",
    "OrganizationPlan",
    "PlanChange",
    "PlanStatus",
]
