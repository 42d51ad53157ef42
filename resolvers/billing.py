"""Billing: an organization's plan and its history, billing details, invoices.

Who may do what:
- the plan: every member reads it and its history; only an OWNER changes it
  (`organizationPlanChange`), and each change is a `PlanChange` row (from, to, when, by whom)
  besides the change log's entries;
- billing details and invoices: OWNERs and ADMINs read and write them (models.billing's
  `runs_organization` rule hides them from everyone else).

A payment card is kept as brand, last four digits and expiry; any text input of this module
holding a card number (13-19 digits passing the Luhn check) is refused with a
`ValidationError`, so none is ever stored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy import select

import models
from graph.context import Info
from graph.kernel.errors import Conflict, FieldErrorCode, PermissionDenied
from graph.kernel.fields import by_id, root_list
from graph.types.billing import (
    BillingDetails,
    BillingDetailsSuccess,
    BillingDetailsUpdateInput,
    BillingDetailsUpdatePayload,
    Invoice,
    InvoiceConnection,
    InvoiceCreateInput,
    InvoiceCreatePayload,
    InvoiceSuccess,
    InvoiceUpdateInput,
    InvoiceUpdatePayload,
    OrganizationPlan,
    OrganizationPlanChangeInput,
    OrganizationPlanChangePayload,
    OrganizationPlanSuccess,
    PlanChange,
)
from loaders.base import to_node
from models.accounts import ADMIN, OWNER, PlanType
from models.billing import BillingDetails as BillingDetailsModel
from models.billing import Invoice as InvoiceModel
from models.billing import InvoiceStatus, PlanStatus
from models.billing import OrganizationPlan as OrganizationPlanModel
from models.billing import PlanChange as PlanChangeModel
from resolvers.validation import (
    Check,
    Checks,
    FieldChecks,
    as_is,
    in_range,
    no_card_number,
    optional_text,
    required,
    text,
)
from resolvers.writes import UNIQUE_VIOLATIONS, Writer, mutate

UNIQUE_VIOLATIONS["invoices_organization_id_number_key"] = (
    ("number",),
    "An invoice with this number exists in the organization already.",
)

# Amounts: NUMERIC(12, 2).
MAX_AMOUNT = Decimal("9999999999.99")


# ---------------------------------------------------------------------------------------------
# Checks


def _code(length: int, what: str) -> Check:
    """An upper-cased code of ``length`` letters (a country, a currency); null passes."""

    def run(c: Checks, path: list[str], value: Any) -> Any:
        if value is None:
            return None
        code = str(value).strip().upper()
        if len(code) != length or not code.isascii() or not code.isalpha():
            c.fail(path, FieldErrorCode.INVALID_FORMAT, f"Use {length} letters ({what}).")
        return code

    return run


def _optional_email(c: Checks, path: list[str], value: Any) -> Any:
    if value is None or not str(value).strip():
        return None
    return c.email(path, str(value))


def _last4(c: Checks, path: list[str], value: Any) -> Any:
    if value is None:
        return None
    digits = str(value).strip()
    if len(digits) != 4 or not digits.isascii() or not digits.isdigit():
        c.fail(
            path,
            FieldErrorCode.INVALID_FORMAT,
            "Exactly the card's last four digits, never more.",
        )
    return digits


def _amount(c: Checks, path: list[str], value: Any) -> Any:
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        c.fail(path, FieldErrorCode.OUT_OF_RANGE, f"Must be between 0 and {MAX_AMOUNT}.")
    elif amount != amount.quantize(Decimal("0.01")):
        c.fail(path, FieldErrorCode.INVALID, "At most 2 decimal places.")
    return amount


def _texts(max_length: int) -> Check:
    return no_card_number(optional_text(max_length=max_length))


BILLING_FIELDS = FieldChecks(
    company_name=_texts(200),
    email=no_card_number(_optional_email),
    address_line1=_texts(200),
    address_line2=_texts(200),
    city=_texts(120),
    region=_texts(120),
    postal_code=_texts(20),
    country=_code(2, "ISO 3166-1 alpha-2"),
    tax_id=_texts(64),
    card_brand=as_is(),
    card_last4=_last4,
    card_exp_month=in_range(1, 12),
    card_exp_year=in_range(2000, 2100),
)

INVOICE_FIELDS = FieldChecks(
    number=no_card_number(text(max_length=64)),
    plan_type=required(),
    amount=required(_amount),
    currency=required(_code(3, "ISO 4217")),
    period_start=required(),
    period_end=required(),
    status=required(),
)


# ---------------------------------------------------------------------------------------------
# Permissions


def _require_role(writer: Writer, organization_id: uuid.UUID, roles: set[str], what: str) -> None:
    viewer = writer.viewer
    allowed = viewer.is_superuser or viewer.roles.get(organization_id) in roles
    if not allowed or not viewer.may_write():
        names = " or ".join(sorted(roles, key=lambda r: r != OWNER))
        raise PermissionDenied("billing:update", f"Only an {names} {what}.")


async def _organization(writer: Writer, global_id: str) -> models.Organization:
    return await writer.get(
        models.Organization,
        global_id,
        type_name="Organization",
        path=("organization",),
        lock=False,
    )


async def _one_of(writer: Writer, model: Any, organization_id: uuid.UUID) -> Any:
    """The organization's one row of ``model`` (its plan, its billing details), locked."""
    stmt = select(model).where(model.organization_id == organization_id).with_for_update()
    return (await writer.session.execute(stmt)).scalar_one_or_none()


# ---------------------------------------------------------------------------------------------
# Ops


async def start_plan(writer: Writer, org: models.Organization) -> OrganizationPlanModel:
    """A new organization's plan (its `plan_type`, active from now), and its first
    history row."""
    now = datetime.now(UTC)
    plan = await writer.create(
        OrganizationPlanModel(
            organization_id=org.id,
            plan_type=org.plan_type,
            status=PlanStatus.ACTIVE,
            started_at=now,
        )
    )
    await writer.create(
        PlanChangeModel(
            organization_id=org.id,
            from_plan=None,
            to_plan=org.plan_type,
            from_status=None,
            to_status=PlanStatus.ACTIVE,
            changed_at=now,
            changed_by_id=writer.viewer.user_id,
        )
    )
    return plan


async def change_plan(
    writer: Writer, data: OrganizationPlanChangeInput
) -> tuple[OrganizationPlanModel, PlanChangeModel]:
    org = await _organization(writer, data.organization)
    _require_role(writer, org.id, {OWNER}, "changes the plan")
    now = datetime.now(UTC)
    checks = Checks()
    if data.ends_at is not None and data.ends_at <= now:
        checks.fail(["endsAt"], FieldErrorCode.OUT_OF_RANGE, "Must be in the future.")
    note = checks.optional_text(
        ["note"], checks.no_card_number(["note"], data.note), max_length=500
    )
    checks.done()
    plan = await _one_of(writer, OrganizationPlanModel, org.id)
    before = (plan.plan_type, plan.status) if plan is not None else (None, None)
    if plan is None:
        plan = await writer.create(
            OrganizationPlanModel(
                organization_id=org.id,
                plan_type=data.plan_type,
                status=data.status,
                started_at=now,
                ends_at=data.ends_at,
            )
        )
    else:
        if (plan.plan_type, plan.status, plan.ends_at) == (
            data.plan_type,
            data.status,
            data.ends_at,
        ):
            raise Conflict("This is the organization's plan already.", ["planType"])
        values: dict[str, Any] = {
            "plan_type": data.plan_type,
            "status": data.status,
            "ends_at": data.ends_at,
        }
        if data.plan_type != plan.plan_type:
            values["started_at"] = now
        plan = await writer.update(plan, values)
    change = await writer.create(
        PlanChangeModel(
            organization_id=org.id,
            from_plan=before[0],
            to_plan=data.plan_type,
            from_status=before[1],
            to_status=data.status,
            changed_at=now,
            changed_by_id=writer.viewer.user_id,
            note=note,
        )
    )
    # The organization's own `planType` follows its plan.
    await writer.update(org, {"plan_type": data.plan_type})
    return plan, change


async def update_billing_details(
    writer: Writer, data: BillingDetailsUpdateInput
) -> BillingDetailsModel:
    org = await _organization(writer, data.organization)
    _require_role(writer, org.id, {OWNER, ADMIN}, "sets billing details")
    checks = Checks()
    values = BILLING_FIELDS.update(checks, data)
    checks.done()
    details = await _one_of(writer, BillingDetailsModel, org.id)
    if details is None:
        return await writer.create(BillingDetailsModel(organization_id=org.id, **values))
    return await writer.update(details, values)


async def create_invoice(writer: Writer, data: InvoiceCreateInput) -> InvoiceModel:
    org = await _organization(writer, data.organization)
    _require_role(writer, org.id, {OWNER, ADMIN}, "records invoices")
    checks = Checks()
    values = INVOICE_FIELDS.create(checks, data)
    if data.period_end < data.period_start:
        checks.fail(["periodEnd"], FieldErrorCode.OUT_OF_RANGE, "Must not be before periodStart.")
    checks.done()
    paid_at = datetime.now(UTC) if data.status is InvoiceStatus.PAID else None
    return await writer.create(InvoiceModel(organization_id=org.id, paid_at=paid_at, **values))


async def update_invoice(writer: Writer, data: InvoiceUpdateInput) -> InvoiceModel:
    invoice = await writer.get(InvoiceModel, data.id, type_name="Invoice")
    _require_role(writer, invoice.organization_id, {OWNER, ADMIN}, "changes invoices")
    paid = data.status is InvoiceStatus.PAID
    paid_at = (invoice.paid_at or datetime.now(UTC)) if paid else None
    return await writer.update(
        invoice, {"status": data.status, "paid_at": paid_at}, seen_updated_at=data.updated_at
    )


INPUT = strawberry.argument(description="What to change: see the input type.")


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class BillingQuery:
    invoice: Invoice | None = by_id(
        description="An invoice of an organization you run (OWNER, ADMIN), by ID."
    )
    invoices: InvoiceConnection = root_list(
        description="Invoices of the organizations you run (OWNER, ADMIN), newest first."
    )


def _plan_success(result: tuple[OrganizationPlanModel, PlanChangeModel]) -> OrganizationPlanSuccess:
    plan, change = result
    return OrganizationPlanSuccess(
        plan=to_node(OrganizationPlan, plan), change=to_node(PlanChange, change)
    )


@strawberry.type
class BillingMutation:
    @strawberry.mutation(
        description="Change an organization's plan: type, status, end (OWNER only). Records a "
        "`PlanChange` (from, to, when, by whom) and updates `Organization.planType`."
    )
    async def organization_plan_change(
        self, info: Info, input: Annotated[OrganizationPlanChangeInput, INPUT]
    ) -> OrganizationPlanChangePayload:
        return await mutate(info, lambda w: change_plan(w, input), _plan_success)

    @strawberry.mutation(
        description="Set an organization's billing details (OWNER, ADMIN): address and a card "
        "summary. A card number anywhere in the input is refused."
    )
    async def billing_details_update(
        self, info: Info, input: Annotated[BillingDetailsUpdateInput, INPUT]
    ) -> BillingDetailsUpdatePayload:
        return await mutate(
            info,
            lambda w: update_billing_details(w, input),
            lambda d: BillingDetailsSuccess(billing_details=to_node(BillingDetails, d)),
        )

    @strawberry.mutation(description="Record an invoice of an organization (OWNER, ADMIN).")
    async def invoice_create(
        self, info: Info, input: Annotated[InvoiceCreateInput, INPUT]
    ) -> InvoiceCreatePayload:
        return await mutate(
            info,
            lambda w: create_invoice(w, input),
            lambda i: InvoiceSuccess(invoice=to_node(Invoice, i)),
        )

    @strawberry.mutation(
        description="Change an invoice's status (OWNER, ADMIN); PAID records when."
    )
    async def invoice_update(
        self, info: Info, input: Annotated[InvoiceUpdateInput, INPUT]
    ) -> InvoiceUpdatePayload:
        return await mutate(
            info,
            lambda w: update_invoice(w, input),
            lambda i: InvoiceSuccess(invoice=to_node(Invoice, i)),
        )


__all__ = ["BillingMutation", "BillingQuery", "PlanType", "start_plan"]
