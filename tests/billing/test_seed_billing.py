"""The demo organization's billing and archived rows, as its OWNER and its VIEWER see them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.storage import LocalStorage
from tests.factories import Factory

DEMO = """
{
  organizations {
    nodes {
      planType
      plan { planType status startedAt }
      planChanges { nodes { fromPlan toPlan toStatus note changedBy { email } } }
      billingDetails { companyName cardBrand cardLast4 }
      invoices { totalCount nodes { number status amount paidAt } }
      items(first: 50) { totalCount }
      allItems: items(first: 50, includeArchived: true) {
        totalCount nodes { title archivedAt }
      }
    }
  }
}"""


async def _token(db, factory: Factory, email: str) -> str:
    async with db.sessions() as session:
        user = await session.scalar(select(models.User).where(models.User.email == email))
    assert user is not None
    return await factory.token(user)


async def test_demo_billing_and_archived_item(gql, db, factory, tmp_path: Path) -> None:
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session, LocalStorage(tmp_path / "files"))
    owner = await _token(db, factory, "owner@demo.trellis.dev")
    viewer = await _token(db, factory, "viewer@demo.trellis.dev")
    # when
    as_owner = (await gql(DEMO, token=owner))["data"]["organizations"]["nodes"][0]
    as_viewer = (await gql(DEMO, token=viewer))["data"]["organizations"]["nodes"][0]
    # then
    assert as_owner["planType"] == "PRO"
    assert as_owner["plan"]["status"] == "ACTIVE"
    assert [
        (c["fromPlan"], c["toPlan"], c["toStatus"]) for c in as_owner["planChanges"]["nodes"]
    ] == [
        ("PRO", "PRO", "ACTIVE"),
        ("FREE", "PRO", "TRIALING"),
        (None, "FREE", "ACTIVE"),
    ]
    assert as_owner["billingDetails"] == {
        "companyName": "Acme Demo Lda",
        "cardBrand": "VISA",
        "cardLast4": "4242",
    }
    assert as_owner["invoices"]["totalCount"] == 3
    assert [i["status"] for i in as_owner["invoices"]["nodes"]] == ["OPEN", "PAID", "PAID"]
    assert as_owner["allItems"]["totalCount"] == as_owner["items"]["totalCount"] + 1
    archived = [n["title"] for n in as_owner["allItems"]["nodes"] if n["archivedAt"]]
    assert archived == ["Old logo files"]
    assert as_viewer["plan"] == as_owner["plan"]
    assert as_viewer["billingDetails"] is None
    assert as_viewer["invoices"] == {"totalCount": 0, "nodes": []}
