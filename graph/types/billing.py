"""Billing in the API: an organization's plan (its subscription) and plan history, its
billing details and its invoices. No payment provider is involved: these are records. A card
is shown by brand, last four digits and expiry; a full card number is refused wherever an
input could carry one."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry
from strawberry import Maybe

from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.fields import to_many, to_one
from graph.kernel.filters import (
    DateTimeFilter,
    DecimalFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    OrderBy,
    StringFilter,
    by,
    entity_filter,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import Organization, User
from loaders.paging import OrderTerm
from models.accounts import PlanType
from models.billing import BillingDetails as BillingDetailsModel
from models.billing import CardBrand, InvoiceStatus, PlanStatus
from models.billing import Invoice as InvoiceModel
from models.billing import OrganizationPlan as OrganizationPlanModel
from models.billing import PlanChange as PlanChangeModel

# Model enums (the models import no Strawberry): their members are described below.
strawberry.enum(PlanStatus, description="Where a subscription is.")
strawberry.enum(CardBrand, description="A payment card's brand.")
strawberry.enum(InvoiceStatus, description="Where an invoice is.")

_MEMBER_DESCRIPTIONS: dict[type[Enum], dict[str, str]] = {
    PlanStatus: {
        "TRIALING": "On trial until `endsAt`.",
        "ACTIVE": "Paid up and running.",
        "PAST_DUE": "A payment is overdue; the plan still runs.",
        "CANCELLED": "Cancelled: it runs until `endsAt`, if set, and then stops.",
    },
    CardBrand: {
        "VISA": "Visa.",
        "MASTERCARD": "Mastercard.",
        "AMEX": "American Express.",
        "DISCOVER": "Discover.",
        "OTHER": "Any other brand.",
    },
    InvoiceStatus: {
        "DRAFT": "Being prepared; not sent.",
        "OPEN": "Sent and awaiting payment.",
        "PAID": "Paid (`paidAt` says when).",
        "VOID": "Cancelled; nothing is owed.",
    },
}
for _enum, _descriptions in _MEMBER_DESCRIPTIONS.items():
    for _value in _enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        _value.description = _descriptions[_value.name]


# ---------------------------------------------------------------------------------------------
# Filters and orderings

PlanTypeFilter = EnumFilter[PlanType]
InvoiceStatusFilter = EnumFilter[InvoiceStatus]


@strawberry.input(description="Filter plan changes; all given conditions must hold.")
@entity_filter
class PlanChangeFilter(EntityFilter):
    to_plan: PlanTypeFilter | None = on(PlanChangeModel.to_plan, description="The new plan.")
    changed_by: IDFilter | None = on(
        PlanChangeModel.changed_by_id, ref="User", description="Who made the change."
    )
    changed_at: DateTimeFilter | None = on(
        PlanChangeModel.changed_at, description="When it was made."
    )


@strawberry.enum(description="Fields plan changes can be ordered by.")
class PlanChangeOrderField(Enum):
    CHANGED_AT = by(PlanChangeModel.changed_at, description="When the change was made.")


@strawberry.input(description="One ordering term for plan changes.")
class PlanChangeOrder(OrderBy[PlanChangeOrderField]):
    pass


@strawberry.input(description="Filter invoices; all given conditions must hold.")
@entity_filter
class InvoiceFilter(EntityFilter):
    id: IDFilter | None = on(InvoiceModel.id, ref="Invoice", description="The invoice.")
    organization: IDFilter | None = on(
        InvoiceModel.organization_id, ref="Organization", description="Whose invoice."
    )
    number: StringFilter | None = on(InvoiceModel.number, description="The invoice number.")
    status: InvoiceStatusFilter | None = on(InvoiceModel.status, description="Its status.")
    amount: DecimalFilter | None = on(InvoiceModel.amount, description="The amount.")
    issued_at: DateTimeFilter | None = on(InvoiceModel.issued_at, description="When issued.")


@strawberry.enum(description="Fields invoices can be ordered by.")
class InvoiceOrderField(Enum):
    ISSUED_AT = by(InvoiceModel.issued_at, description="Issue time.")
    NUMBER = by(InvoiceModel.number, description="Invoice number.")
    AMOUNT = by(InvoiceModel.amount, description="Amount.")


@strawberry.input(description="One ordering term for invoices.")
class InvoiceOrder(OrderBy[InvoiceOrderField]):
    pass


# ---------------------------------------------------------------------------------------------
# Nodes


@node_type
@strawberry.type(
    description="An organization's subscription: its plan, in which state, since when and "
    "until when. Every member can read it; only an OWNER changes it (`organizationPlanChange`)."
)
class OrganizationPlan(Node):
    __model__ = OrganizationPlanModel

    organization_id: strawberry.Private[uuid.UUID]
    plan_type: PlanType = strawberry.field(description="The plan.")
    status: PlanStatus = strawberry.field(description="Where the subscription is.")
    started_at: datetime = strawberry.field(description="When this plan started.")
    ends_at: datetime | None = strawberry.field(
        description="When it ends (a trial's end, a cancelled plan's last day); null: open-ended."
    )
    created_at: datetime = strawberry.field(description="When the subscription was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    organization: Organization | None = to_one(
        "organization_id", description="The organization subscribed."
    )


@node_type
@strawberry.type(description="One change of an organization's plan, recorded when it was made.")
class PlanChange(Node):
    __model__ = PlanChangeModel

    organization_id: strawberry.Private[uuid.UUID]
    changed_by_id: strawberry.Private[uuid.UUID | None]
    from_plan: PlanType | None = strawberry.field(
        description="The plan before; null for the organization's first plan."
    )
    to_plan: PlanType = strawberry.field(description="The plan after.")
    from_status: PlanStatus | None = strawberry.field(description="The status before.")
    to_status: PlanStatus = strawberry.field(description="The status after.")
    changed_at: datetime = strawberry.field(description="When the change was made.")
    note: str | None = strawberry.field(description="Why, as the OWNER who made it wrote.")

    organization: Organization | None = to_one("organization_id", description="Whose plan.")
    changed_by: User | None = to_one(
        "changed_by_id",
        description="Who made the change; null when their account is gone or not visible.",
    )


@node_type
@strawberry.type(
    description="Where and to whom an organization is billed, and which card pays: brand, "
    "last four digits and expiry only (a card number is never stored). OWNERs and ADMINs "
    "read it; others see null."
)
class BillingDetails(Node):
    __model__ = BillingDetailsModel

    organization_id: strawberry.Private[uuid.UUID]
    company_name: str | None = strawberry.field(description="The name on invoices.")
    email: str | None = strawberry.field(description="Where invoices are sent.")
    address_line1: str | None = strawberry.field(description="Street address.")
    address_line2: str | None = strawberry.field(description="Apartment, suite, floor.")
    city: str | None = strawberry.field(description="City.")
    region: str | None = strawberry.field(description="State, province or region.")
    postal_code: str | None = strawberry.field(description="Postal code.")
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    tax_id: str | None = strawberry.field(description="VAT or other tax number.")
    card_brand: CardBrand | None = strawberry.field(description="The card's brand.")
    card_last4: str | None = strawberry.field(description="The card number's last four digits.")
    card_exp_month: int | None = strawberry.field(description="The card's expiry month, 1-12.")
    card_exp_year: int | None = strawberry.field(description="The card's expiry year.")
    created_at: datetime = strawberry.field(description="When first recorded.")
    updated_at: datetime = strawberry.field(description="When last changed.")

    organization: Organization | None = to_one(
        "organization_id", description="The organization billed."
    )


@node_type
@strawberry.type(
    description="An invoice of an organization, as a record (no payment provider issued it). "
    "OWNERs and ADMINs read invoices; others see none."
)
class Invoice(Node):
    __model__ = InvoiceModel

    organization_id: strawberry.Private[uuid.UUID]
    number: str = strawberry.field(description="The invoice number, unique per organization.")
    plan_type: PlanType = strawberry.field(description="The plan invoiced.")
    status: InvoiceStatus = strawberry.field(description="Where the invoice is.")
    amount: Decimal = strawberry.field(description="The amount, exact, in `currency`.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. `EUR`.")
    period_start: date = strawberry.field(description="The first day invoiced.")
    period_end: date = strawberry.field(description="The last day invoiced.")
    issued_at: datetime = strawberry.field(description="When it was issued.")
    paid_at: datetime | None = strawberry.field(description="When it was paid; null if not.")
    created_at: datetime = strawberry.field(description="When it was recorded.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    organization: Organization | None = to_one("organization_id", description="Whose invoice.")


@strawberry.type(description="A page of plan changes.")
class PlanChangeConnection(
    Connection[PlanChange],
    filter=PlanChangeFilter,
    order=PlanChangeOrder,
    default_order=OrderTerm(PlanChangeModel.changed_at, descending=True),
):
    pass


@strawberry.type(description="A page of invoices.")
class InvoiceConnection(
    Connection[Invoice],
    filter=InvoiceFilter,
    order=InvoiceOrder,
    default_order=OrderTerm(InvoiceModel.issued_at, descending=True),
):
    pass


@strawberry.type
class BillingOrganizationFields:
    """Billing's fields of an organization (composed in graph.schema)."""

    plan: OrganizationPlan | None = to_one(
        "pk",
        key=OrganizationPlanModel.organization_id,
        description="The organization's subscription (every member reads it).",
    )
    plan_changes: PlanChangeConnection = to_many(
        PlanChangeModel.organization_id,
        description="The history of the organization's plan, newest first.",
    )
    billing_details: BillingDetails | None = to_one(
        "pk",
        key=BillingDetailsModel.organization_id,
        description="Billing address and card summary; null unless you are OWNER or ADMIN.",
    )
    invoices: InvoiceConnection = to_many(
        InvoiceModel.organization_id,
        description="The organization's invoices, newest first (OWNER and ADMIN only).",
    )


# ---------------------------------------------------------------------------------------------
# Inputs and payloads

NO_CARD_NUMBER = "Never a card number: text holding one is refused."


@strawberry.input(
    description="Change an organization's plan (OWNER only); recorded in its history."
)
class OrganizationPlanChangeInput:
    organization: strawberry.ID = strawberry.field(description="The organization.")
    plan_type: PlanType = strawberry.field(description="The new plan.")
    status: PlanStatus = strawberry.field(
        default=PlanStatus.ACTIVE, description="The subscription's status from now on."
    )
    ends_at: datetime | None = strawberry.field(
        default=None, description="When it ends (a trial's end); null: open-ended."
    )
    note: str | None = strawberry.field(
        default=None, description=f"Why (at most 500 characters). {NO_CARD_NUMBER}"
    )


@strawberry.input(
    description="Set an organization's billing details (OWNER, ADMIN). Omitted fields stay as "
    "they are; null clears one. Card: brand, last four digits and expiry only."
)
class BillingDetailsUpdateInput:
    organization: strawberry.ID = strawberry.field(description="The organization.")
    company_name: Maybe[str | None] = strawberry.field(
        default=None, description=f"At most 200 characters. {NO_CARD_NUMBER}"
    )
    email: Maybe[str | None] = strawberry.field(
        default=None, description="Where invoices are sent."
    )
    address_line1: Maybe[str | None] = strawberry.field(
        default=None, description=f"At most 200 characters. {NO_CARD_NUMBER}"
    )
    address_line2: Maybe[str | None] = strawberry.field(
        default=None, description=f"At most 200 characters. {NO_CARD_NUMBER}"
    )
    city: Maybe[str | None] = strawberry.field(
        default=None, description=f"At most 120 characters. {NO_CARD_NUMBER}"
    )
    region: Maybe[str | None] = strawberry.field(
        default=None, description=f"At most 120 characters. {NO_CARD_NUMBER}"
    )
    postal_code: Maybe[str | None] = strawberry.field(
        default=None, description=f"At most 20 characters. {NO_CARD_NUMBER}"
    )
    country: Maybe[str | None] = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2, e.g. `PT` (upper-cased)."
    )
    tax_id: Maybe[str | None] = strawberry.field(
        default=None, description=f"At most 64 characters. {NO_CARD_NUMBER}"
    )
    card_brand: Maybe[CardBrand | None] = strawberry.field(
        default=None, description="The card's brand."
    )
    card_last4: Maybe[str | None] = strawberry.field(
        default=None, description="Exactly the last four digits; a full number is refused."
    )
    card_exp_month: Maybe[int | None] = strawberry.field(default=None, description="1 to 12.")
    card_exp_year: Maybe[int | None] = strawberry.field(default=None, description="2000 to 2100.")


@strawberry.input(description="Record an invoice of an organization (OWNER, ADMIN).")
class InvoiceCreateInput:
    organization: strawberry.ID = strawberry.field(description="The organization invoiced.")
    number: str = strawberry.field(
        description=f"1-64 characters, unique in the organization. {NO_CARD_NUMBER}"
    )
    plan_type: PlanType = strawberry.field(description="The plan invoiced.")
    amount: Decimal = strawberry.field(description="0 or more, at most 2 decimal places.")
    currency: str = strawberry.field(description="ISO 4217, e.g. `EUR` (upper-cased).")
    period_start: date = strawberry.field(description="The first day invoiced.")
    period_end: date = strawberry.field(description="The last day invoiced (not before the first).")
    status: InvoiceStatus = strawberry.field(default=InvoiceStatus.OPEN, description="Its status.")


@strawberry.input(description="Change an invoice's status (OWNER, ADMIN).")
class InvoiceUpdateInput:
    id: strawberry.ID = strawberry.field(description="The invoice.")
    status: InvoiceStatus = strawberry.field(
        description="The new status; PAID sets `paidAt` to now, any other clears it."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.type(description="The organization's plan after the change.")
class OrganizationPlanSuccess:
    plan: OrganizationPlan = strawberry.field(description="The plan as it is now.")
    change: PlanChange = strawberry.field(description="The change just recorded.")


@strawberry.type(description="The organization's billing details after the change.")
class BillingDetailsSuccess:
    billing_details: BillingDetails = strawberry.field(description="As they are now.")


@strawberry.type(description="The invoice as it is now.")
class InvoiceSuccess:
    invoice: Invoice = strawberry.field(description="The invoice.")


OrganizationPlanChangePayload = Annotated[
    OrganizationPlanSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError,
    strawberry.union(
        "OrganizationPlanChangePayload",
        description="The new plan, or why not (PermissionDeniedError: not an OWNER; "
        "ConflictError: that plan and status are the current ones, or the organization is "
        "archived; ValidationError: a bad `endsAt` or note).",
    ),
]
BillingDetailsUpdatePayload = Annotated[
    BillingDetailsSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "BillingDetailsUpdatePayload",
        description="The billing details, or why not (ValidationError names each refused field, "
        "a card number among them).",
    ),
]
InvoiceCreatePayload = Annotated[
    InvoiceSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "InvoiceCreatePayload",
        description="The recorded invoice, or why not (ValidationError: a bad field or a "
        "number taken in the organization).",
    ),
]
InvoiceUpdatePayload = Annotated[
    InvoiceSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "InvoiceUpdatePayload",
        description="The changed invoice, or why not (ConflictError: a stale `updatedAt`).",
    ),
]
