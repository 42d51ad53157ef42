"""Memberships: adding members (ADMIN+), changing roles, removing members and leaving."""

from __future__ import annotations

import pytest

import models
from tests.accounts.payloads import conflict, not_found, permission_denied, validation_error
from tests.conftest import row_count
from tests.factories import Member, gid

MEMBERSHIP_CREATE = """
mutation MembershipCreate($input: MembershipCreateInput!) {
  membershipCreate(input: $input) {
    __typename
    ... on MembershipSuccess {
      membership { user { email } organization { slug } role { name } }
    }
    ... on ValidationError { message code path fields { path code message } }
    ... on PermissionDeniedError { message code path permission }
    ... on NotFoundError { message code path id }
  }
}
"""

MEMBERSHIP_ROLE_CHANGE = """
mutation MembershipRoleChange($input: MembershipRoleChangeInput!) {
  membershipRoleChange(input: $input) {
    __typename
    ... on MembershipSuccess { membership { user { email } role { name } } }
    ... on PermissionDeniedError { message code path permission }
    ... on ConflictError { message code path }
  }
}
"""

MEMBERSHIP_DELETE = """
mutation MembershipDelete($input: MembershipDeleteInput!) {
  membershipDelete(input: $input) {
    __typename
    ... on MembershipDeleteSuccess { deletedId }
    ... on PermissionDeniedError { message code path permission }
    ... on ConflictError { message code path }
    ... on NotFoundError { message code path id }
  }
}
"""

MEMBERS = """
query Members($slug: String!) {
  organizationBySlug(slug: $slug) {
    viewerRole
    memberships { nodes { user { email } role { name } } }
  }
}
"""

ITEMS = "query Items { items { nodes { title } } }"


async def _members(gql, token: str, slug: str = "acme") -> dict[str, str] | None:
    """email -> role name, as ``token`` sees the organization; None when it is not visible."""
    org = (await gql(MEMBERS, {"slug": slug}, token=token))["data"]["organizationBySlug"]
    if org is None:
        return None
    return {m["user"]["email"]: m["role"]["name"] for m in org["memberships"]["nodes"]}


async def _add(gql, role_ids, token: str, org, email: str, role: str) -> dict:
    variables = {
        "input": {
            "organization": gid("Organization", org.id),
            "email": email,
            "role": (await role_ids(token))[role],
        }
    }
    body = await gql(MEMBERSHIP_CREATE, variables, token=token)
    payload: dict = body["data"]["membershipCreate"]
    return payload


async def _owner(factory, org) -> tuple[Member, models.Membership]:
    """The sole OWNER of ``org``, with their membership row."""
    user = await factory.user(email="owner@example.com")
    membership = await factory.membership(user, org, "OWNER")
    return Member(user, await factory.token(user)), membership


@pytest.fixture
async def acme(factory):
    return await factory.organization(slug="acme")


# ---------------------------------------------------------------------------------------------
# membershipCreate


async def test_admin_adds_an_editor(gql, factory, role_ids, acme):
    # given
    admin = await factory.member(acme, "ADMIN", email="admin@example.com")
    bob = await factory.user(email="bob@example.com")
    # when
    payload = await _add(gql, role_ids, admin.token, acme, "Bob@Example.com", "EDITOR")
    # then
    assert payload == {
        "__typename": "MembershipSuccess",
        "membership": {
            "user": {"email": "bob@example.com"},
            "organization": {"slug": "acme"},
            "role": {"name": "EDITOR"},
        },
    }
    bob_token = await factory.token(bob)
    assert await _members(gql, bob_token) == {
        "admin@example.com": "ADMIN",
        "bob@example.com": "EDITOR",
    }
    seen = (await gql(MEMBERS, {"slug": "acme"}, token=bob_token))["data"]["organizationBySlug"]
    assert seen["viewerRole"] == "EDITOR"


async def test_add_with_an_unknown_email_is_refused(gql, factory, db, role_ids, acme):
    # given
    admin = await factory.member(acme, "ADMIN")
    # when
    payload = await _add(gql, role_ids, admin.token, acme, "nobody@example.com", "EDITOR")
    # then
    assert payload == validation_error(("email", "NOT_FOUND", "No account has this email address."))
    assert await row_count(db, "memberships") == 1


async def test_add_an_existing_member_again_is_refused(gql, factory, db, role_ids, acme):
    # given
    admin = await factory.member(acme, "ADMIN")
    await factory.member(acme, "VIEWER", email="bob@example.com")
    # when
    payload = await _add(gql, role_ids, admin.token, acme, "bob@example.com", "EDITOR")
    # then
    assert payload == validation_error(
        ("email", "ALREADY_EXISTS", "This user is a member of the organization already.")
    )
    assert await row_count(db, "memberships") == 2
    assert await _members(gql, admin.token) == {
        admin.user.email: "ADMIN",
        "bob@example.com": "VIEWER",
    }


@pytest.mark.parametrize(
    ("actor", "role", "expected"),
    [
        pytest.param(
            "EDITOR", "VIEWER", permission_denied("membership:create"), id="editor-adds-viewer"
        ),
        pytest.param(
            "VIEWER", "VIEWER", permission_denied("membership:create"), id="viewer-adds-viewer"
        ),
        pytest.param(
            "ADMIN",
            "OWNER",
            permission_denied("membership:create", "You cannot grant a role above your own."),
            id="admin-grants-owner",
        ),
    ],
)
async def test_add_ispermission_denied(gql, factory, db, role_ids, acme, actor, role, expected):
    # given
    member = await factory.member(acme, actor)
    await factory.user(email="bob@example.com")
    # when
    payload = await _add(gql, role_ids, member.token, acme, "bob@example.com", role)
    # then
    assert payload == expected
    assert await row_count(db, "memberships") == 1


async def test_add_to_an_organization_you_are_not_in_is_not_found(gql, factory, db, role_ids, acme):
    # given
    outsider = await factory.member(await factory.organization(), "OWNER")
    await factory.user(email="bob@example.com")
    # when
    payload = await _add(gql, role_ids, outsider.token, acme, "bob@example.com", "VIEWER")
    # then
    assert payload == not_found("Organization", gid("Organization", acme.id), "organization")
    assert await row_count(db, "memberships") == 1


# ---------------------------------------------------------------------------------------------
# membershipRoleChange


async def _change(gql, role_ids, token: str, membership, role: str) -> dict:
    variables = {
        "input": {"id": gid("Membership", membership.id), "role": (await role_ids(token))[role]}
    }
    body = await gql(MEMBERSHIP_ROLE_CHANGE, variables, token=token)
    payload: dict = body["data"]["membershipRoleChange"]
    return payload


async def test_the_last_owner_cannot_be_demoted(gql, factory, role_ids, acme):
    # given
    owner, membership = await _owner(factory, acme)
    # when
    payload = await _change(gql, role_ids, owner.token, membership, "ADMIN")
    # then
    assert payload == conflict(
        "The last OWNER cannot be demoted; make someone else OWNER first.", ["role"]
    )
    assert await _members(gql, owner.token) == {"owner@example.com": "OWNER"}


async def test_one_of_two_owners_can_be_demoted(gql, factory, role_ids, acme):
    # given
    ada = await factory.member(acme, "OWNER", email="ada@example.com")
    bob = await factory.user(email="bob@example.com")
    bob_membership = await factory.membership(bob, acme, "OWNER")
    # when
    payload = await _change(gql, role_ids, ada.token, bob_membership, "EDITOR")
    # then
    assert payload == {
        "__typename": "MembershipSuccess",
        "membership": {"user": {"email": "bob@example.com"}, "role": {"name": "EDITOR"}},
    }
    assert await _members(gql, ada.token) == {
        "ada@example.com": "OWNER",
        "bob@example.com": "EDITOR",
    }


@pytest.mark.parametrize(
    ("actor", "target", "role", "expected"),
    [
        pytest.param(
            "ADMIN",
            "OWNER",
            "ADMIN",
            permission_denied("membership:update", "You cannot change roles above your own."),
            id="admin-demotes-owner",
        ),
        pytest.param(
            "ADMIN",
            "EDITOR",
            "OWNER",
            permission_denied("membership:update", "You cannot change roles above your own."),
            id="admin-promotes-to-owner",
        ),
        pytest.param(
            "EDITOR",
            "VIEWER",
            "EDITOR",
            permission_denied("membership:update"),
            id="editor-promotes",
        ),
    ],
)
async def test_role_change_ispermission_denied(
    gql, factory, role_ids, acme, actor, target, role, expected
):
    # given
    member = await factory.member(acme, actor, email="actor@example.com")
    bob = await factory.user(email="bob@example.com")
    bob_membership = await factory.membership(bob, acme, target)
    # when
    payload = await _change(gql, role_ids, member.token, bob_membership, role)
    # then
    assert payload == expected
    assert await _members(gql, member.token) == {
        "actor@example.com": actor,
        "bob@example.com": target,
    }


# ---------------------------------------------------------------------------------------------
# membershipDelete


async def _delete(gql, token: str, membership) -> dict:
    membership_id = gid("Membership", membership.id)
    body = await gql(MEMBERSHIP_DELETE, {"input": {"id": membership_id}}, token=token)
    payload: dict = body["data"]["membershipDelete"]
    return payload


async def test_the_last_owner_cannot_leave(gql, factory, acme):
    # given
    owner, membership = await _owner(factory, acme)
    # when
    payload = await _delete(gql, owner.token, membership)
    # then
    assert payload == conflict("The last OWNER cannot leave; make someone else OWNER first.")
    assert await _members(gql, owner.token) == {"owner@example.com": "OWNER"}


@pytest.mark.parametrize("role", ["VIEWER", "EDITOR", "ADMIN"])
async def test_a_member_can_leave(gql, factory, acme, role):
    # given
    await factory.member(acme, "OWNER", email="owner@example.com")
    leaver = await factory.user(email="leaver@example.com")
    membership = await factory.membership(leaver, acme, role)
    token = await factory.token(leaver)
    # when
    payload = await _delete(gql, token, membership)
    # then
    assert payload == {
        "__typename": "MembershipDeleteSuccess",
        "deletedId": gid("Membership", membership.id),
    }
    assert await _members(gql, token) is None


async def test_admin_removes_an_editor_who_loses_access_at_once(gql, factory, acme):
    # given
    admin = await factory.member(acme, "ADMIN", email="admin@example.com")
    editor = await factory.user(email="editor@example.com")
    membership = await factory.membership(editor, acme, "EDITOR")
    editor_token = await factory.token(editor)
    await factory.item(admin.user, acme, title="Secret plan")
    assert (await gql(ITEMS, token=editor_token))["data"]["items"]["nodes"] == [
        {"title": "Secret plan"}
    ]
    # when
    payload = await _delete(gql, admin.token, membership)
    # then
    assert payload["__typename"] == "MembershipDeleteSuccess"
    assert await _members(gql, admin.token) == {"admin@example.com": "ADMIN"}
    assert (await gql(ITEMS, token=editor_token))["data"]["items"]["nodes"] == []
    assert await _members(gql, editor_token) is None


@pytest.mark.parametrize(
    ("actor", "target", "expected"),
    [
        pytest.param(
            "ADMIN",
            "OWNER",
            permission_denied("membership:delete", "You cannot remove a member above your role."),
            id="admin-removes-owner",
        ),
        pytest.param(
            "EDITOR", "VIEWER", permission_denied("membership:delete"), id="editor-removes-viewer"
        ),
        pytest.param(
            "VIEWER", "VIEWER", permission_denied("membership:delete"), id="viewer-removes-viewer"
        ),
    ],
)
async def test_remove_ispermission_denied(gql, factory, acme, actor, target, expected):
    # given
    member = await factory.member(acme, actor, email="actor@example.com")
    bob = await factory.user(email="bob@example.com")
    membership = await factory.membership(bob, acme, target)
    # when
    payload = await _delete(gql, member.token, membership)
    # then
    assert payload == expected
    assert await _members(gql, member.token) == {
        "actor@example.com": actor,
        "bob@example.com": target,
    }


async def test_remove_in_another_organization_is_not_found(gql, factory, db, acme):
    # given
    outsider = await factory.member(await factory.organization(), "OWNER")
    bob = await factory.user(email="bob@example.com")
    membership = await factory.membership(bob, acme, "VIEWER")
    membership_id = gid("Membership", membership.id)
    # when
    payload = await _delete(gql, outsider.token, membership)
    # then
    assert payload == not_found("Membership", membership_id)
    assert await row_count(db, "memberships") == 2
