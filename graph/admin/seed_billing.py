"""Demo data for billing: the demo organization's plan (a trial turned into PRO), its plan
history, its billing details (a card summary, never a number) and three invoices.
Deterministic: fixed times and amounts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

import models
from models.accounts import PlanType
from models.billing import (
    BillingDetails,
    CardBrand,
    Invoice,
    InvoiceStatus,
    OrganizationPlan,
    PlanChange,
    PlanStatus,
)

EPOCH = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
PRO_PRICE = Decimal("49.00")


async def seed_billing(
    session: AsyncSession, org: models.Organization, owner_id: uuid.UUID
) -> None:
    trial_end = EPOCH + timedelta(days=14)
    org.plan_type = PlanType.PRO
    session.add(
        OrganizationPlan(
            organization_id=org.id, plan_type=PlanType.PRO, status=PlanStatus.ACTIVE,
            started_at=EPOCH,
        )
    )  # fmt: skip
    history = (
        (None, PlanType.FREE, None, PlanStatus.ACTIVE, EPOCH - timedelta(days=30), None),
        (PlanType.FREE, PlanType.PRO, PlanStatus.ACTIVE, PlanStatus.TRIALING, EPOCH,
         "Two-week trial of PRO"),
        (PlanType.PRO, PlanType.PRO, PlanStatus.TRIALING, PlanStatus.ACTIVE, trial_end,
         "Trial converted"),
    )  # fmt: skip
    for from_plan, to_plan, from_status, to_status, at, note in history:
        session.add(
            PlanChange(
                organization_id=org.id, from_plan=from_plan, to_plan=to_plan,
                from_status=from_status, to_status=to_status, changed_at=at,
                changed_by_id=owner_id, note=note,
            )
        )  # fmt: skip
    session.add(
        BillingDetails(
            organization_id=org.id, company_name="Acme Demo Lda", email="billing@demo.trellis.dev",
            address_line1="Rua Augusta 100", city="Lisboa", postal_code="1100-053",
            country="PT", tax_id="PT500000000", card_brand=CardBrand.VISA, card_last4="4242",
            card_exp_month=12, card_exp_year=2030,
        )
    )  # fmt: skip
    for n, month in enumerate((9, 10, 11)):
        start = date(2026, month, 1)
        end = date(2026, month + 1, 1) - timedelta(days=1)
        issued = datetime(2026, month, 1, 8, 0, tzinfo=UTC)
        paid = n < 2
        session.add(
            Invoice(
                organization_id=org.id, number=f"ACME-2026-{n + 1:04}", plan_type=PlanType.PRO,
                status=InvoiceStatus.PAID if paid else InvoiceStatus.OPEN, amount=PRO_PRICE,
                currency="EUR", period_start=start, period_end=end, issued_at=issued,
                paid_at=issued + timedelta(days=3) if paid else None,
            )
        )  # fmt: skip
    await session.flush()
