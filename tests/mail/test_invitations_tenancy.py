"""Invitations in the cross-tenant suite: alice (OWNER of A) sees none of B's invitations on
any path (`node`, `nodes`, `Organization.invitations` with or without a filter naming B's),
and every invitation mutation naming B's objects is a NotFoundError that changes nothing.
The world is the suite's (tests/tenancy_helpers.py), with one invitation on each side; B's
is addressed `@beta.example`, a leak marker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph.database import Database
from graph.kernel.ids import from_global_id
from models.accounts import Invitation
from tests.factories import Factory, gid
from tests.tenancy_helpers import World, assert_no_leak, build_world, gid_of, snapshot, value_at


@dataclass
class Invitations:
    world: World
    mine: str
    theirs: str


async def _invitation(db: Database, world: World, org: Any, email: str, by: Any) -> str:
    row = Invitation(
        organization_id=org.id, email=email, role_id=world.builtin_roles["VIEWER"],
        inviter_id=by.user.id, token_hash=email.encode().hex()[:64].ljust(64, "0"),
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    async with db.sessions() as session, session.begin():
        session.add(row)
    return gid("Invitation", row.id)


@pytest.fixture
async def invitations(factory: Factory, db: Database) -> Invitations:
    world = await build_world(factory, db)
    mine = await _invitation(db, world, world.org_a, "guest@alpha.example", world.alice)
    theirs = await _invitation(db, world, world.org_b, "guest@beta.example", world.bob)
    return Invitations(world, mine, theirs)


BY_ID = """
query($mine: ID!, $theirs: ID!) {
  mine: node(id: $mine) { __typename id }
  theirs: node(id: $theirs) { __typename id ... on Invitation { email } }
  both: nodes(ids: [$theirs, $mine]) { id }
}
"""


async def test_by_id_of_another_tenants_invitation_is_null(gql, invitations):
    w = invitations.world
    variables = {"mine": invitations.mine, "theirs": invitations.theirs}
    body = await gql(BY_ID, variables, token=w.alice.token)
    assert body == {
        "data": {
            "mine": {"__typename": "Invitation", "id": invitations.mine},
            "theirs": None,
            "both": [None, {"id": invitations.mine}],
        }
    }
    anonymous = await gql(BY_ID, variables)
    assert anonymous == {"data": {"mine": None, "theirs": None, "both": [None, None]}}


NESTED = """
query($org: ID!, $filter: InvitationFilter) {
  node(id: $org) {
    ... on Organization {
      invitations(filter: $filter, first: 100) { totalCount nodes { id email } }
    }
  }
}
"""


@pytest.mark.parametrize("org", ["a", "b"])
@pytest.mark.parametrize("naming", ["none", "theirs-by-id", "theirs-by-email"])
async def test_organization_invitations_show_only_own_tenant(gql, invitations, org, naming):
    # given
    w = invitations.world
    filters = {
        "none": None,
        "theirs-by-id": {"id": {"eq": invitations.theirs}},
        "theirs-by-email": {"email": {"contains": "beta"}},
    }
    organization = gid_of(w.org_a if org == "a" else w.org_b)
    # when
    body = await gql(NESTED, {"org": organization, "filter": filters[naming]}, token=w.alice.token)
    # then
    assert_no_leak(body, w)
    assert invitations.theirs not in str(body)
    if org == "b":
        assert body == {"data": {"node": None}}
    elif naming == "none":
        assert body["data"]["node"]["invitations"] == {
            "totalCount": 1,
            "nodes": [{"id": invitations.mine, "email": "guest@alpha.example"}],
        }
    else:
        assert body["data"]["node"]["invitations"] == {"totalCount": 0, "nodes": []}


MUTATION = """
mutation($input: {input_type}!) {{
  {name}(input: $input) {{
    __typename
    ... on Error {{ message code path }}
    ... on NotFoundError {{ id }}
  }}
}}"""

REFUSED = {
    "invitationRevoke": ("InvitationRevokeInput", ["id"], lambda i: {"id": i.theirs}),
    "invitationResend": ("InvitationResendInput", ["id"], lambda i: {"id": i.theirs}),
    "invitationCreate-their-organization": (
        "InvitationCreateInput", ["organization"],
        lambda i: {"organization": gid_of(i.world.org_b), "email": "x@alpha.example",
                   "role": i.world.builtin_gid("VIEWER")},
    ),
    "invitationCreate-their-role": (
        "InvitationCreateInput", ["role"],
        lambda i: {"organization": gid_of(i.world.org_a), "email": "x@alpha.example",
                   "role": gid_of(i.world.b_role)},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED, ids=REFUSED.keys())
async def test_invitation_mutations_on_another_tenant_are_not_found(gql, db, invitations, case):
    # given
    input_type, path, build = REFUSED[case]
    name = case.split("-")[0]
    data = build(invitations)
    foreign = value_at(data, path)
    before = await snapshot(db)
    # when
    document = MUTATION.format(input_type=input_type, name=name)
    body = await gql(document, {"input": data}, token=invitations.world.alice.token)
    # then
    assert body["data"][name] == {
        "__typename": "NotFoundError",
        "message": f"{from_global_id(foreign)[0]} not found.",
        "code": "NOT_FOUND",
        "path": path,
        "id": foreign,
    }
    assert await snapshot(db) == before
