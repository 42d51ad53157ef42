"""N+1 guard for invitations: organizations with their invitations, each with its role,
inviter, organization and acceptor, cost the same statements for 2 organizations of 3
invitations as for 6 of 8, on both read paths (``read_path``: one batched statement per
level on the resolver path, one statement for the whole query on the compiled path)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from models.accounts import Invitation, InvitationStatus

AUTH = 1
STATEMENT = 1
WHOLE_QUERY = 1

INVITATIONS = """
query($first: Int!) {
  organizations(first: 20) {
    nodes {
      slug
      invitations(first: $first, orderBy: [{field: EMAIL}]) {
        totalCount
        nodes { email status role { name } inviter { email } acceptedBy { email }
                organization { slug } }
      }
    }
  }
}
"""
# resolvers: organizations page, invitations pages (all organizations at once), their
# counts, roles by id, users by id (inviters and acceptors), organizations by id
COST = {"compiled": AUTH + WHOLE_QUERY, "resolvers": AUTH + 6 * STATEMENT}


@pytest.fixture
def app(read_path_app: Any) -> Any:
    return read_path_app


async def _world(factory: Any, db: Any, orgs: int, per_org: int) -> str:
    viewer = await factory.user()
    token = await factory.token(viewer)
    role_id = await factory.role_id("EDITOR")
    for o in range(orgs):
        org = await factory.organization()
        await factory.membership(viewer, org, "ADMIN")
        accepted_by = await factory.user()
        rows = [
            {
                "organization_id": org.id, "email": f"guest{o}-{k}@example.com",
                "role_id": role_id, "inviter_id": viewer.id,
                "token_hash": uuid.uuid4().hex * 2,
                "expires_at": datetime.now(UTC) + timedelta(days=1),
                "status": InvitationStatus.ACCEPTED if k == 0 else InvitationStatus.PENDING,
                "accepted_by_id": accepted_by.id if k == 0 else None,
            }
            for k in range(per_org)
        ]  # fmt: skip
        async with db.sessions() as session, session.begin():
            await session.execute(insert(Invitation).values(rows))
    return str(token)


async def test_invitations_cost_the_same_for_few_and_many(
    factory: Any, db: Any, gql: Any, counter: Any, read_path: str
) -> None:
    counts = []
    for orgs, per_org in ((2, 3), (6, 8)):
        token = await _world(factory, db, orgs, per_org)
        counter.reset()
        body = await gql(INVITATIONS, {"first": 20}, token=token)
        counts.append(counter.count)
        assert "errors" not in body, body
        nodes = body["data"]["organizations"]["nodes"]
        assert len(nodes) >= orgs
        mine = [n for n in nodes if n["invitations"]["totalCount"] == per_org]
        assert len(mine) == orgs
        assert all(i["role"] == {"name": "EDITOR"} and i["inviter"] for n in mine
                   for i in n["invitations"]["nodes"])  # fmt: skip
    assert counts == [COST[read_path]] * 2
