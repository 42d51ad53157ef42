"""Billing details and invoices through the API (both read paths): OWNER/ADMIN only, and
never a card number."""

from __future__ import annotations

import pytest

from tests.factories import gid
from tests.tenancy_helpers import snapshot


@pytest.fixture
def app(read_path_app):
    return read_path_app


BILLING_UPDATE = """
mutation($input: BillingDetailsUpdateInput!) {
  billingDetailsUpdate(input: $input) {
    __typename
    ... on BillingDetailsSuccess {
      billingDetails { companyName email addressLine1 city country cardBrand cardLast4
                       cardExpMonth cardExpYear }
    }
    ... on Error { message code path }
    ... on ValidationError { fields { path code message } }
  }
}"""

BILLING = """
query($id: ID!) {
  organization(id: $id) {
    billingDetails { companyName cardBrand cardLast4 organization { id } }
    invoices(first: 10) { totalCount nodes { number status amount currency paidAt } }
  }
}"""

INVOICE_CREATE = """
mutation($input: InvoiceCreateInput!) {
  invoiceCreate(input: $input) {
    __typename
    ... on InvoiceSuccess { invoice { id number status amount currency periodStart periodEnd
                                      planType paidAt } }
    ... on Error { message code path }
    ... on ValidationError { fields { path code message } }
  }
}"""

INVOICE_UPDATE = """
mutation($input: InvoiceUpdateInput!) {
  invoiceUpdate(input: $input) {
    __typename
    ... on InvoiceSuccess { invoice { status paidAt } }
    ... on Error { message code path }
  }
}"""


def _invoice(org_id: str, **overrides: object) -> dict[str, object]:
    return {
        "organization": org_id,
        "number": "INV-2026-0001",
        "planType": "PRO",
        "amount": "49.00",
        "currency": "eur",
        "periodStart": "2026-11-01",
        "periodEnd": "2026-11-30",
    } | overrides


@pytest.mark.parametrize("role", ["OWNER", "ADMIN"])
async def test_owner_or_admin_sets_billing_details_and_reads_them(gql, factory, role):
    # given
    org = await factory.organization()
    member = await factory.member(org, role)
    org_id = gid("Organization", org.id)
    # when
    body = await gql(
        BILLING_UPDATE,
        {"input": {"organization": org_id, "companyName": "Acme Lda", "email": "Bills@Acme.PT",
                   "addressLine1": "Rua 1", "city": "Lisboa", "country": "pt",
                   "cardBrand": "VISA", "cardLast4": "4242", "cardExpMonth": 12,
                   "cardExpYear": 2030}},
        token=member.token,
    )  # fmt: skip
    again = await gql(
        BILLING_UPDATE, {"input": {"organization": org_id, "city": None}}, token=member.token
    )
    read = await gql(BILLING, {"id": org_id}, token=member.token)
    # then
    assert body["data"]["billingDetailsUpdate"] == {
        "__typename": "BillingDetailsSuccess",
        "billingDetails": {
            "companyName": "Acme Lda",
            "email": "bills@acme.pt",
            "addressLine1": "Rua 1",
            "city": "Lisboa",
            "country": "PT",
            "cardBrand": "VISA",
            "cardLast4": "4242",
            "cardExpMonth": 12,
            "cardExpYear": 2030,
        },
    }
    assert again["data"]["billingDetailsUpdate"]["billingDetails"]["city"] is None
    assert read["data"]["organization"]["billingDetails"] == {
        "companyName": "Acme Lda",
        "cardBrand": "VISA",
        "cardLast4": "4242",
        "organization": {"id": org_id},
    }


CARD = "4242 4242 4242 4242"
CARD_FIELDS = ["companyName", "addressLine1", "addressLine2", "city", "region", "postalCode",
               "taxId", "email"]  # fmt: skip


@pytest.mark.parametrize("field", [*CARD_FIELDS, "cardLast4"])
async def test_a_card_number_is_refused_in_every_field(gql, factory, db, field):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    before = await snapshot(db)
    value = "4242424242424242" if field == "cardLast4" else f"pay with {CARD} please"
    # when
    body = await gql(
        BILLING_UPDATE,
        {"input": {"organization": gid("Organization", org.id), field: value}},
        token=owner.token,
    )
    # then
    payload = body["data"]["billingDetailsUpdate"]
    assert payload["__typename"] == "ValidationError"
    assert payload["fields"][0]["path"] == [field]
    after = await snapshot(db)
    # (not "4242": four digits may occur in any random id or hash of the snapshot)
    assert value not in str(after)
    assert after == before


async def test_a_card_number_is_refused_as_an_invoice_number(gql, factory, db):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    org_id = gid("Organization", org.id)
    # when
    body = await gql(
        INVOICE_CREATE, {"input": _invoice(org_id, number="4111-1111-1111-1111")},
        token=owner.token,
    )  # fmt: skip
    # then
    assert body["data"]["invoiceCreate"]["fields"] == [
        {
            "path": ["number"],
            "code": "INVALID",
            "message": "Looks like a card number: store only the card's brand and last four "
            "digits.",
        }
    ]


@pytest.mark.parametrize("role", ["EDITOR", "VIEWER"])
async def test_other_members_neither_read_nor_write_billing(gql, factory, role):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    member = await factory.member(org, role)
    org_id = gid("Organization", org.id)
    await gql(BILLING_UPDATE, {"input": {"organization": org_id, "cardLast4": "1234"}},
              token=owner.token)  # fmt: skip
    await gql(INVOICE_CREATE, {"input": _invoice(org_id)}, token=owner.token)
    # when
    read = await gql(BILLING, {"id": org_id}, token=member.token)
    write = await gql(
        BILLING_UPDATE, {"input": {"organization": org_id, "city": "x"}}, token=member.token
    )
    # then
    assert read["data"]["organization"] == {
        "billingDetails": None,
        "invoices": {"totalCount": 0, "nodes": []},
    }
    assert write["data"]["billingDetailsUpdate"] == {
        "__typename": "PermissionDeniedError",
        "message": "Only an OWNER or ADMIN sets billing details.",
        "code": "PERMISSION_DENIED",
        "path": [],
    }


async def test_invoices_are_recorded_paid_and_listed(gql, factory):
    # given
    org = await factory.organization()
    admin = await factory.member(org, "ADMIN")
    org_id = gid("Organization", org.id)
    # when
    created = await gql(INVOICE_CREATE, {"input": _invoice(org_id)}, token=admin.token)
    invoice = created["data"]["invoiceCreate"]["invoice"]
    paid = await gql(
        INVOICE_UPDATE, {"input": {"id": invoice["id"], "status": "PAID"}}, token=admin.token
    )
    duplicate = await gql(INVOICE_CREATE, {"input": _invoice(org_id)}, token=admin.token)
    read = await gql(BILLING, {"id": org_id}, token=admin.token)
    # then
    assert invoice | {"id": None} == {
        "id": None,
        "number": "INV-2026-0001",
        "status": "OPEN",
        "amount": "49.00",
        "currency": "EUR",
        "periodStart": "2026-11-01",
        "periodEnd": "2026-11-30",
        "planType": "PRO",
        "paidAt": None,
    }
    assert paid["data"]["invoiceUpdate"]["invoice"]["status"] == "PAID"
    assert paid["data"]["invoiceUpdate"]["invoice"]["paidAt"] is not None
    assert duplicate["data"]["invoiceCreate"]["fields"] == [
        {
            "path": ["number"],
            "code": "ALREADY_EXISTS",
            "message": "An invoice with this number exists in the organization already.",
        }
    ]
    assert read["data"]["organization"]["invoices"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("overrides", "path", "code"),
    [
        ({"amount": "-1"}, ["amount"], "OUT_OF_RANGE"),
        ({"amount": "1.001"}, ["amount"], "INVALID"),
        ({"currency": "EURO"}, ["currency"], "INVALID_FORMAT"),
        ({"periodEnd": "2026-10-01"}, ["periodEnd"], "OUT_OF_RANGE"),
        ({"number": " "}, ["number"], "REQUIRED"),
    ],
    ids=["negative", "fractions-of-cents", "currency", "period", "blank-number"],
)
async def test_bad_invoice_is_refused(gql, factory, db, overrides, path, code):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    # when
    body = await gql(
        INVOICE_CREATE,
        {"input": _invoice(gid("Organization", org.id), **overrides)},
        token=owner.token,
    )
    # then
    payload = body["data"]["invoiceCreate"]
    assert payload["__typename"] == "ValidationError"
    assert [(f["path"], f["code"]) for f in payload["fields"]] == [(path, code)]
