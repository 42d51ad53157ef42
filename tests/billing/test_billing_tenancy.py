"""Cross-tenant isolation of billing: alice (OWNER of A) sees nothing of B's plan, plan
history, billing details or invoices on any path, and cannot change any of it; within A,
billing details and invoices are OWNER/ADMIN only (carol, a VIEWER of A, sees none).

The world of tests/tenancy_helpers.py, plus a plan, a plan change, billing details and an
invoice on each side; B's text carries "Beta secret".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from graph.kernel.ids import from_global_id
from models.accounts import PlanType
from models.billing import BillingDetails, Invoice, OrganizationPlan, PlanChange, PlanStatus
from tests.factories import gid
from tests.tenancy_helpers import (
    World,
    assert_no_leak,
    build_world,
    connection,
    gid_of,
    snapshot,
    value_at,
)

TYPE_NAMES = {
    OrganizationPlan: "OrganizationPlan",
    PlanChange: "PlanChange",
    BillingDetails: "BillingDetails",
    Invoice: "Invoice",
}


def bid(obj: Any) -> str:
    return gid(TYPE_NAMES[type(obj)], obj.id)


@dataclass
class Side:
    plan: OrganizationPlan
    change: PlanChange
    details: BillingDetails
    invoice: Invoice

    def gids(self) -> set[str]:
        return {bid(self.plan), bid(self.change), bid(self.details), bid(self.invoice)}


@dataclass
class BillingWorld:
    world: World
    a: Side
    b: Side


async def _side(db: Any, org: Any, by: Any, marker: str) -> Side:
    rows = [
        OrganizationPlan(
            organization_id=org.id, plan_type=PlanType.PRO, status=PlanStatus.ACTIVE
        ),
        PlanChange(
            organization_id=org.id, to_plan=PlanType.PRO, to_status=PlanStatus.ACTIVE,
            changed_by_id=by.user.id, note=f"{marker} upgrade",
        ),
        BillingDetails(organization_id=org.id, company_name=f"{marker} company", card_last4="4242"),
        Invoice(
            organization_id=org.id, number=f"{marker} 1", plan_type=PlanType.PRO,
            amount=Decimal("10.00"), currency="EUR", period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31), issued_at=datetime.now(UTC),
        ),
    ]  # fmt: skip
    async with db.sessions() as session, session.begin():
        session.add_all(rows)
    return Side(*rows)  # type: ignore[arg-type]


@pytest.fixture
async def billing(factory, db) -> BillingWorld:
    world = await build_world(factory, db)
    a = await _side(db, world.org_a, world.alice, "Alpha")
    b = await _side(db, world.org_b, world.bob, "Beta secret")
    return BillingWorld(world, a, b)


def _no_leak(body: dict[str, Any], w: BillingWorld) -> None:
    assert_no_leak(body, w.world)
    text = str(body)
    assert not [g for g in w.b.gids() if g in text], text


# ---------------------------------------------------------------------------------------------
# Root list, node and by id

INVOICES = "query { invoices(first: 100) { totalCount nodes { id number } } }"


@pytest.mark.parametrize(("who", "sees"), [("alice", True), ("carol", False), ("bob", False)])
async def test_root_invoices_are_the_callers_organizations_run_by_them(gql, billing, who, sees):
    # when
    body = await gql(INVOICES, token=getattr(billing.world, who).token)
    # then
    ids, total = connection(body, ("invoices",))
    if who == "bob":
        assert ids == {bid(billing.b.invoice)}
        return
    expected = {bid(billing.a.invoice)} if sees else set()
    assert (ids, total) == (expected, len(expected))
    _no_leak(body, billing)


NODE = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
SIDES = {
    "plan": lambda s: s.plan,
    "plan-change": lambda s: s.change,
    "billing-details": lambda s: s.details,
    "invoice": lambda s: s.invoice,
}


@pytest.mark.parametrize("row", SIDES.values(), ids=SIDES.keys())
async def test_nodes_of_other_tenant_are_null(gql, billing, row):
    # given
    mine, theirs = bid(row(billing.a)), bid(row(billing.b))
    # when
    body = await gql(NODE, {"ids": [theirs, mine]}, token=billing.world.alice.token)
    # then
    type_name = from_global_id(mine)[0]
    assert body == {"data": {"nodes": [None, {"__typename": type_name, "id": mine}]}}


# Readable by every member of A: the plan and its history; by OWNER/ADMIN only: the rest.
MEMBER_READS = {"plan": True, "plan-change": True, "billing-details": False, "invoice": False}


@pytest.mark.parametrize(("key", "member_reads"), MEMBER_READS.items(), ids=MEMBER_READS.keys())
async def test_a_viewer_of_the_organization_reads_only_the_plan(gql, billing, key, member_reads):
    # given
    mine = bid(SIDES[key](billing.a))
    # when
    body = await gql(NODE, {"ids": [mine]}, token=billing.world.carol.token)
    # then
    found = body["data"]["nodes"][0]
    assert (found is not None) is member_reads


INVOICE_BY_ID = "query($id: ID!) { invoice(id: $id) { id } }"


async def test_invoice_by_id_of_other_tenant_is_null(gql, billing):
    # when
    theirs = await gql(
        INVOICE_BY_ID, {"id": bid(billing.b.invoice)}, token=billing.world.alice.token
    )
    mine = await gql(INVOICE_BY_ID, {"id": bid(billing.a.invoice)}, token=billing.world.alice.token)
    # then
    assert theirs == {"data": {"invoice": None}}
    assert mine == {"data": {"invoice": {"id": bid(billing.a.invoice)}}}


# ---------------------------------------------------------------------------------------------
# Nested: organization fields, and a filter naming B

ORGANIZATION = """
query($id: ID!, $filter: InvoiceFilter) {
  node(id: $id) {
    ... on Organization {
      plan { id note: planType }
      billingDetails { id companyName }
      planChanges(first: 100) { totalCount nodes { id note } }
      invoices(first: 100, filter: $filter) { totalCount nodes { id number } }
    }
  }
}"""


@pytest.mark.parametrize("org", ["a", "b"])
async def test_organization_billing_fields_show_only_own_tenant(gql, billing, org):
    # given
    target = billing.world.org_a if org == "a" else billing.world.org_b
    # when
    body = await gql(ORGANIZATION, {"id": gid_of(target)}, token=billing.world.alice.token)
    # then
    if org == "b":
        assert body == {"data": {"node": None}}
        return
    data = body["data"]["node"]
    assert data["plan"]["id"] == bid(billing.a.plan)
    assert data["billingDetails"]["id"] == bid(billing.a.details)
    assert connection(body, ("node", "planChanges"))[0] == {bid(billing.a.change)}
    assert connection(body, ("node", "invoices"))[0] == {bid(billing.a.invoice)}
    _no_leak(body, billing)


async def test_invoice_filter_naming_other_tenant_finds_nothing(gql, billing):
    # given
    variables = {"filter": {"organization": {"eq": gid_of(billing.world.org_b)}}}
    # when
    body = await gql(
        "query($filter: InvoiceFilter) { invoices(filter: $filter) { totalCount nodes { id } } }",
        variables,
        token=billing.world.alice.token,
    )
    # then
    assert connection(body, ("invoices",)) == (set(), 0)
    _no_leak(body, billing)


# ---------------------------------------------------------------------------------------------
# Mutations on B: NotFoundError, nothing changes


def _mutation(name: str, input_type: str) -> str:
    return f"""
mutation($input: {input_type}!) {{
  {name}(input: $input) {{
    __typename
    ... on Error {{ message code path }}
    ... on NotFoundError {{ id }}
  }}
}}"""


REFUSED = {
    "organizationPlanChange": ("OrganizationPlanChangeInput", ["organization"],
        lambda b: {"organization": gid_of(b.world.org_b), "planType": "ENTERPRISE"}),
    "billingDetailsUpdate": ("BillingDetailsUpdateInput", ["organization"],
        lambda b: {"organization": gid_of(b.world.org_b), "companyName": "pwned"}),
    "invoiceCreate": ("InvoiceCreateInput", ["organization"],
        lambda b: {"organization": gid_of(b.world.org_b), "number": "X", "planType": "PRO",
                   "amount": "1", "currency": "EUR", "periodStart": "2026-01-01",
                   "periodEnd": "2026-01-02"}),
    "invoiceUpdate": ("InvoiceUpdateInput", ["id"],
        lambda b: {"id": bid(b.b.invoice), "status": "VOID"}),
}  # fmt: skip


@pytest.mark.parametrize("name", REFUSED, ids=REFUSED.keys())
async def test_mutation_on_other_tenant_is_not_found_and_changes_nothing(gql, db, billing, name):
    # given
    input_type, path, build = REFUSED[name]
    data = build(billing)
    foreign_id = value_at(data, path)
    before = await snapshot(db)
    # when
    body = await gql(_mutation(name, input_type), {"input": data}, token=billing.world.alice.token)
    # then
    assert body["data"][name] == {
        "__typename": "NotFoundError",
        "message": f"{from_global_id(foreign_id)[0]} not found.",
        "code": "NOT_FOUND",
        "path": path,
        "id": foreign_id,
    }
    assert await snapshot(db) == before
