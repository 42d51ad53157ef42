"""Invitations through the API: sending (ADMIN+), resending, revoking, accepting with the
emailed token (existing and new accounts), and every refusal as a typed error that changes
nothing. The emails are read from the outbox (the SMTP leg: test_email_flows_e2e.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

import models
from graph.database import Database
from graph.jobs.progress import SYSTEM
from models.accounts import Invitation
from resolvers.accounts.invitations import expire_invitations
from resolvers.writes import transaction
from tests.accounts.payloads import conflict, not_found, permission_denied, validation_error
from tests.factories import Factory, gid
from tests.mail.outbox import last_token, outbox
from tests.tenancy_helpers import snapshot

INVITE = """
mutation($input: InvitationCreateInput!) {
  invitationCreate(input: $input) {
    __typename
    ... on InvitationSuccess {
      invitation { id email status sentCount role { name } inviter { email }
                   organization { slug } acceptedAt acceptedBy { email } }
    }
    ... on ValidationError { message code path fields { path code message } }
    ... on PermissionDeniedError { message code path permission }
    ... on NotFoundError { message code path id }
    ... on ConflictError { message code path }
  }
}
"""
RESEND = """
mutation($id: ID!) {
  invitationResend(input: {id: $id}) {
    __typename
    ... on InvitationSuccess { invitation { status sentCount } }
    ... on ConflictError { message code path }
    ... on PermissionDeniedError { message code path permission }
  }
}
"""
REVOKE = """
mutation($id: ID!) {
  invitationRevoke(input: {id: $id}) {
    __typename
    ... on InvitationSuccess { invitation { status } }
    ... on ConflictError { message code path }
    ... on PermissionDeniedError { message code path permission }
    ... on NotFoundError { message code path id }
  }
}
"""
ACCEPT = """
mutation($input: InvitationAcceptInput!) {
  invitationAccept(input: $input) {
    __typename
    ... on InvitationAcceptSuccess { accountCreated user { email } membership { id } }
    ... on InvalidTokenError { message code path reason }
    ... on ValidationError { message code path fields { path code message } }
    ... on ConflictError { message code path }
  }
}
"""
INVITATIONS = """
query($id: ID!) {
  node(id: $id) {
    ... on Organization {
      invitations(filter: {status: {eq: PENDING}}, orderBy: [{field: EMAIL}]) {
        totalCount nodes { email role { name } }
      }
    }
  }
}
"""
MEMBERS = """
query($id: ID!) {
  node(id: $id) { ... on Organization { memberships { nodes { user { email } role { name } } } } }
}
"""


@pytest.fixture
async def team(factory: Factory) -> dict[str, Any]:
    org = await factory.organization(name="Team", slug="team")
    return {
        "org": org,
        "org_id": gid("Organization", org.id),
        "owner": await factory.member(org, "OWNER", email="owner@team.example"),
        "admin": await factory.member(org, "ADMIN", email="admin@team.example"),
        "editor": await factory.member(org, "EDITOR", email="editor@team.example"),
        "roles": {r: gid("Role", await factory.role_id(r)) for r in ("OWNER", "ADMIN", "EDITOR")},
    }


async def _invite(gql: Any, team: dict[str, Any], email: str, role: str = "EDITOR",
                  who: str = "admin") -> dict[str, Any]:  # fmt: skip
    data = {"organization": team["org_id"], "email": email, "role": team["roles"][role]}
    body = await gql(INVITE, {"input": data}, token=team[who].token)
    payload: dict[str, Any] = body["data"]["invitationCreate"]
    return payload


async def test_an_admin_invites_and_the_email_is_queued_with_it(gql, db, team):
    # when
    payload = await _invite(gql, team, "  Zoe@Example.com ")
    # then
    assert payload["__typename"] == "InvitationSuccess"
    assert payload["invitation"] | {"id": None} == {
        "id": None, "email": "zoe@example.com", "status": "PENDING", "sentCount": 1,
        "role": {"name": "EDITOR"}, "inviter": {"email": "admin@team.example"},
        "organization": {"slug": "team"}, "acceptedAt": None, "acceptedBy": None,
    }  # fmt: skip
    [email] = await outbox(db)
    assert (email.kind, email.to_address, email.status.value) == (
        "invitation",
        "zoe@example.com",
        "queued",
    )
    assert email.queue_job_id is not None
    assert (await last_token(db, "zoe@example.com")).startswith("trl_inv_")
    listed = await gql(INVITATIONS, {"id": team["org_id"]}, token=team["editor"].token)
    assert listed["data"]["node"]["invitations"] == {
        "totalCount": 1,
        "nodes": [{"email": "zoe@example.com", "role": {"name": "EDITOR"}}],
    }


async def test_inviting_a_pending_address_again_resends_with_a_new_link(gql, db, team):
    # given
    first = await _invite(gql, team, "zoe@example.com")
    old_token = await last_token(db, "zoe@example.com")
    # when: invited again, in another case and with another role
    again = await _invite(gql, team, "ZOE@example.com", role="ADMIN")
    # then: the same invitation, sent twice, the old link dead and the new one working
    assert again["invitation"]["id"] == first["invitation"]["id"]
    assert again["invitation"]["sentCount"] == 2
    assert again["invitation"]["role"] == {"name": "ADMIN"}
    assert len(await outbox(db)) == 2
    new_token = await last_token(db, "zoe@example.com")
    stale = await gql(ACCEPT, {"input": {"token": old_token, "password": "long enough"}})
    assert stale["data"]["invitationAccept"]["reason"] == "UNKNOWN"
    fresh = await gql(ACCEPT, {"input": {"token": new_token, "password": "long enough"}})
    assert fresh["data"]["invitationAccept"]["__typename"] == "InvitationAcceptSuccess"


async def test_inviting_a_member_is_a_conflict_and_changes_nothing(gql, db, team):
    # given
    before = await snapshot(db)
    # when
    payload = await _invite(gql, team, "EDITOR@team.example")
    # then
    assert payload == conflict(
        "This address belongs to a member of the organization already.", ["email"]
    )
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("who", "role", "expected"),
    [
        ("editor", "EDITOR", permission_denied("membership:create")),
        ("admin", "OWNER", permission_denied(
            "membership:create", "You cannot invite with a role above your own.")),
    ],
    ids=["editor-may-not-invite", "admin-may-not-invite-an-owner"],
)  # fmt: skip
async def test_invitation_permissions(gql, db, team, who, role, expected):
    before = await snapshot(db)
    payload = await _invite(gql, team, "zoe@example.com", role=role, who=who)
    assert payload == expected
    assert await snapshot(db) == before


async def test_a_malformed_address_is_refused(gql, db, team):
    payload = await _invite(gql, team, "not an address")
    assert payload == validation_error(("email", "INVALID_FORMAT", "Not a valid email address."))
    assert await outbox(db) == []


async def test_accepting_adds_an_existing_account_without_a_password(gql, db, factory, team):
    # given: zoe has an account already, unverified
    zoe = await factory.member(None, email="zoe@example.com")
    await _invite(gql, team, "zoe@example.com")
    token = await last_token(db, "zoe@example.com")
    # when
    body = await gql(ACCEPT, {"input": {"token": token}})
    # then
    payload = body["data"]["invitationAccept"]
    assert payload["__typename"] == "InvitationAcceptSuccess"
    assert payload["accountCreated"] is False
    members = await gql(MEMBERS, {"id": team["org_id"]}, token=zoe.token)
    assert {"user": {"email": "zoe@example.com"}, "role": {"name": "EDITOR"}} in (
        members["data"]["node"]["memberships"]["nodes"]
    )
    async with db.sessions() as session:
        user = await session.get(models.User, zoe.user.id)
        assert user is not None
        assert user.email_verified_at is not None  # the token proved the address


async def test_a_new_account_needs_a_password(gql, db, team):
    await _invite(gql, team, "zoe@example.com")
    token = await last_token(db, "zoe@example.com")
    before = await snapshot(db)
    body = await gql(ACCEPT, {"input": {"token": token}})
    assert body["data"]["invitationAccept"] == validation_error(
        ("password", "REQUIRED", "Choose a password for the account.")
    )
    short = await gql(ACCEPT, {"input": {"token": token, "password": "short"}})
    assert short["data"]["invitationAccept"] == validation_error(
        ("password", "TOO_SHORT", "Use at least 8 characters.")
    )
    assert await snapshot(db) == before


def _token_error(message: str, reason: str) -> dict[str, Any]:
    return {
        "__typename": "InvalidTokenError",
        "message": message,
        "code": "VALIDATION",
        "path": ["token"],
        "reason": reason,
    }


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        ("revoked", _token_error("This invitation was revoked.", "REVOKED")),
        ("expired", _token_error("This link has expired.", "EXPIRED")),
        ("used", _token_error("This link was used already.", "USED")),
        ("mistyped", _token_error("This link is not valid.", "UNKNOWN")),
    ],
    ids=["revoked", "expired", "used", "mistyped"],
)
async def test_a_spoiled_token_is_a_typed_error_and_changes_nothing(gql, db, team, spoil, expected):
    # given
    created = await _invite(gql, team, "zoe@example.com")
    token = await last_token(db, "zoe@example.com")
    accept = {"token": token, "password": "long enough"}
    if spoil == "revoked":
        revoked = await gql(REVOKE, {"id": created["invitation"]["id"]}, token=team["admin"].token)
        assert revoked["data"]["invitationRevoke"]["invitation"] == {"status": "REVOKED"}
    elif spoil == "expired":
        async with db.sessions() as session, session.begin():
            past = datetime.now(UTC) - timedelta(seconds=1)
            await session.execute(update(Invitation).values(expires_at=past))
    elif spoil == "used":
        first = await gql(ACCEPT, {"input": accept})
        assert first["data"]["invitationAccept"]["__typename"] == "InvitationAcceptSuccess"
    else:
        accept["token"] = token[:-2] + "xx"
    before = await snapshot(db)
    # when
    body = await gql(ACCEPT, {"input": accept})
    # then
    assert body["data"]["invitationAccept"] == expected
    assert await snapshot(db) == before


async def test_resend_and_revoke_need_a_pending_invitation(gql, db, team):
    # given: a revoked invitation
    created = await _invite(gql, team, "zoe@example.com")
    invitation = created["invitation"]["id"]
    admin = team["admin"].token
    await gql(REVOKE, {"id": invitation}, token=admin)
    # when / then
    for document, name in ((RESEND, "invitationResend"), (REVOKE, "invitationRevoke")):
        body = await gql(document, {"id": invitation}, token=admin)
        assert body["data"][name] == conflict("This invitation is revoked, not pending.", ["id"])


async def test_resend_sends_a_new_link(gql, db, team):
    created = await _invite(gql, team, "zoe@example.com")
    old = await last_token(db, "zoe@example.com")
    body = await gql(RESEND, {"id": created["invitation"]["id"]}, token=team["owner"].token)
    assert body["data"]["invitationResend"]["invitation"] == {"status": "PENDING", "sentCount": 2}
    assert await last_token(db, "zoe@example.com") != old
    denied = await gql(RESEND, {"id": created["invitation"]["id"]}, token=team["editor"].token)
    assert denied["data"]["invitationResend"] == permission_denied("membership:create")


async def test_another_organizations_invitation_is_not_found(gql, db, factory, team):
    created = await _invite(gql, team, "zoe@example.com")
    outsider = await factory.member(await factory.organization(), "OWNER")
    body = await gql(REVOKE, {"id": created["invitation"]["id"]}, token=outsider.token)
    assert body["data"]["invitationRevoke"] == not_found("Invitation", created["invitation"]["id"])


async def test_expired_invitations_are_marked_by_the_periodic_job(gql, db: Database, team):
    # given: an invitation whose link ran out
    created = await _invite(gql, team, "zoe@example.com")
    async with db.sessions() as session, session.begin():
        past = datetime.now(UTC) - timedelta(minutes=1)
        await session.execute(update(Invitation).values(expires_at=past))
    # when
    async with transaction(db.sessions, SYSTEM) as writer:
        assert await expire_invitations(writer) == 1
    # then: EXPIRED, with the change in its history
    body = await gql(
        "query($id: ID!) { node(id: $id) { ... on Invitation { status "
        "history(first: 1) { nodes { action fields { field old new } } } } } }",
        {"id": created["invitation"]["id"]},
        token=team["owner"].token,
    )
    node = body["data"]["node"]
    assert node["status"] == "EXPIRED"
    assert node["history"]["nodes"] == [
        {"action": "UPDATE", "fields": [{"field": "status", "old": "pending", "new": "expired"}]}
    ]


async def test_history_records_an_invitation_without_its_token(gql, db, team):
    # given: sent, then resent (a new token)
    created = await _invite(gql, team, "zoe@example.com")
    await gql(RESEND, {"id": created["invitation"]["id"]}, token=team["admin"].token)
    # when
    body = await gql(
        "query($id: ID!) { node(id: $id) { ... on Invitation { "
        "history { nodes { action actor { email } fields { field } } } } } }",
        {"id": created["invitation"]["id"]},
        token=team["owner"].token,
    )
    # then
    resent, made = body["data"]["node"]["history"]["nodes"]
    assert made["action"] == "CREATE"
    assert made["actor"] == {"email": "admin@team.example"}
    assert "tokenHash" not in {f["field"] for f in made["fields"]}
    assert "email" in {f["field"] for f in made["fields"]}
    assert {f["field"] for f in resent["fields"]} == {"expiresAt", "sentCount", "lastSentAt"}
