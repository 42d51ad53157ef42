"""N+1 guard for billing: a page of organizations with each one's plan, billing details, plan
history (and who made each change) and invoices costs the same statements for 3 organizations
as for 30, on both read paths (the compiled path answers it in one statement)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert

from models.accounts import PlanType
from models.billing import BillingDetails, Invoice, OrganizationPlan, PlanChange, PlanStatus

AUTH = 1  # the bearer token, the user and their permissions, in one statement
STATEMENT = 1  # one batched statement per root list, nested list or by-key level
WHOLE_QUERY = 1  # a compiled query: one statement builds the whole answer


@pytest.fixture
def app(read_path_app):
    """Every test here runs on both read paths."""
    return read_path_app


ORGANIZATIONS_WITH_BILLING = """
query($first: Int!) {
  organizations(first: $first, includeArchived: true) {
    nodes {
      name archivedAt
      plan { planType status startedAt }
      billingDetails { companyName cardBrand cardLast4 }
      planChanges(first: 5) { nodes { fromPlan toPlan changedAt changedBy { email } } }
      invoices(first: 5) { totalCount nodes { number amount status } }
    }
  }
}
"""
# resolvers: organizations page + plans (by key) + billing details (by key) + plan-change
# pages + their authors (by id) + invoice pages + invoice totals
COST = {"compiled": AUTH + WHOLE_QUERY, "resolvers": AUTH + 7 * STATEMENT}


async def test_organizations_with_billing_cost_the_same_for_3_and_30(
    factory, db, gql, counter, read_path
):
    # given: 30 organizations (every third archived) run by one OWNER, each with a plan,
    # billing details, three plan changes and four invoices
    owner = await factory.member(None)
    orgs = []
    for n in range(30):
        org = await factory.organization(name=f"Org {n:02}")
        await factory.membership(owner.user, org, "OWNER")
        orgs.append(org)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.sessions() as session, session.begin():
        await session.execute(insert(OrganizationPlan), [
            {"organization_id": o.id, "plan_type": PlanType.PRO, "status": PlanStatus.ACTIVE}
            for o in orgs
        ])  # fmt: skip
        await session.execute(insert(BillingDetails), [
            {"organization_id": o.id, "company_name": f"Company {n}", "card_last4": "4242"}
            for n, o in enumerate(orgs)
        ])  # fmt: skip
        await session.execute(insert(PlanChange), [
            {"organization_id": o.id, "to_plan": PlanType.PRO, "to_status": PlanStatus.ACTIVE,
             "changed_by_id": owner.user.id, "changed_at": t0 + timedelta(days=c)}
            for o in orgs for c in range(3)
        ])  # fmt: skip
        await session.execute(insert(Invoice), [
            {"organization_id": o.id, "number": f"INV-{i}", "plan_type": PlanType.PRO,
             "amount": Decimal("10.00"), "currency": "EUR", "period_start": date(2026, 1, 1),
             "period_end": date(2026, 1, 31), "issued_at": t0 + timedelta(days=i)}
            for o in orgs for i in range(4)
        ])  # fmt: skip
        for o in orgs[::3]:
            o.archived_at = t0
            await session.merge(o)

    async def measure(first: int) -> tuple[Any, int]:
        counter.reset()
        body = await gql(ORGANIZATIONS_WITH_BILLING, {"first": first}, token=owner.token)
        assert "errors" not in body, body
        return body["data"]["organizations"]["nodes"], counter.count

    # when
    small, small_count = await measure(3)
    large, large_count = await measure(30)
    # then
    assert len(small) == 3
    assert len(large) == 30
    assert sum(1 for n in large if n["archivedAt"]) == 10
    for node in large:
        assert node["plan"]["planType"] == "PRO"
        assert node["billingDetails"]["cardLast4"] == "4242"
        assert [c["changedBy"]["email"] for c in node["planChanges"]["nodes"]] == [
            owner.user.email
        ] * 3
        assert node["invoices"]["totalCount"] == 4
    assert (small_count, large_count) == (COST[read_path], COST[read_path])
