"""The demo data holds a pending invitation into the demo organization and an accepted one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.database import Database
from graph.storage import LocalStorage

DEMO_INVITATIONS = """
{
  users(filter: {email: {eq: "owner@demo.trellis.dev"}}) {
    nodes { profile { username location { city timeZone } company { size } } }
  }
  organizationBySlug(slug: "acme-demo") {
    invitations(orderBy: [{field: EMAIL}]) {
      nodes { email status role { name } inviter { email } acceptedBy { email } }
    }
  }
}
"""


async def test_demo_seed_has_invitations_and_a_profile(
    gql: Any, factory: Any, db: Database, tmp_path: Path
):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session, LocalStorage(tmp_path / "files"))
    async with db.sessions() as session:
        admin = await session.scalar(
            select(models.User).where(models.User.email == "admin@demo.trellis.dev")
        )
    assert admin is not None
    # when
    body = await gql(DEMO_INVITATIONS, token=await factory.token(admin))
    # then
    owner, editor = "owner@demo.trellis.dev", "editor@demo.trellis.dev"
    assert body["data"]["organizationBySlug"]["invitations"]["nodes"] == [
        {"email": editor, "status": "ACCEPTED", "role": {"name": "EDITOR"},
         "inviter": {"email": owner}, "acceptedBy": {"email": editor}},
        {"email": "newcomer@demo.trellis.dev", "status": "PENDING", "role": {"name": "EDITOR"},
         "inviter": {"email": owner}, "acceptedBy": None},
    ]  # fmt: skip
    assert body["data"]["users"]["nodes"] == [
        {"profile": {"username": "olivia", "location": {"city": "Paris",
                     "timeZone": "Europe/Paris"}, "company": {"size": "SMALL"}}}
    ]  # fmt: skip
