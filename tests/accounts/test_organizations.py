"""Organizations: create (you become OWNER), update (ADMIN+), delete (OWNER, soft)."""

from __future__ import annotations

import pytest

from tests.accounts.payloads import (
    conflict,
    not_found,
    permission_denied,
    validation_error,
)
from tests.conftest import row_count
from tests.factories import gid

ORGANIZATION_CREATE = """
mutation OrganizationCreate($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) {
    __typename
    ... on OrganizationSuccess {
      organization {
        id name slug planType metaData viewerRole
        memberships { nodes { user { email } role { name } } }
      }
    }
    ... on ValidationError { message code path fields { path code message } }
    ... on AuthenticationError { message code path }
  }
}
"""

ORGANIZATION_UPDATE = """
mutation OrganizationUpdate($input: OrganizationUpdateInput!) {
  organizationUpdate(input: $input) {
    __typename
    ... on OrganizationSuccess { organization { name slug planType metaData updatedAt } }
    ... on ValidationError { message code path fields { path code message } }
    ... on PermissionDeniedError { message code path permission }
    ... on NotFoundError { message code path id }
    ... on ConflictError { message code path }
  }
}
"""

ORGANIZATION_DELETE = """
mutation OrganizationDelete($input: OrganizationDeleteInput!) {
  organizationDelete(input: $input) {
    __typename
    ... on OrganizationDeleteSuccess { deletedId }
    ... on PermissionDeniedError { message code path permission }
    ... on NotFoundError { message code path id }
  }
}
"""

ORGANIZATIONS = """
query Organizations {
  organizations {
    nodes {
      id slug viewerRole
      memberships { nodes { user { email } role { name } } }
    }
  }
}
"""

ORGANIZATION = """
query Organization($id: ID!) {
  node(id: $id) { ... on Organization { name slug planType metaData updatedAt } }
}
"""

ITEMS = "query Items { items { nodes { id title organization { id } } } }"
ITEM = "query Item($id: ID!) { node(id: $id) { ... on Item { title organization { id } } } }"
ADA_OWNS = {"nodes": [{"user": {"email": "ada@example.com"}, "role": {"name": "OWNER"}}]}


async def _organization(gql, token: str, org_id: str) -> dict:
    body = await gql(ORGANIZATION, {"id": org_id}, token=token)
    node: dict = body["data"]["node"]
    return node


# ---------------------------------------------------------------------------------------------
# organizationCreate


async def test_create_makes_the_creator_owner(gql, factory):
    # given
    ada = await factory.member(email="ada@example.com")
    # when
    body = await gql(
        ORGANIZATION_CREATE,
        {"input": {"name": " Acme ", "slug": "acme", "planType": "PRO", "metaData": {"k": 1}}},
        token=ada.token,
    )
    # then
    payload = body["data"]["organizationCreate"]
    assert payload["__typename"] == "OrganizationSuccess"
    created = payload["organization"]
    assert {k: created[k] for k in ("name", "slug", "planType", "metaData")} == {
        "name": "Acme",
        "slug": "acme",
        "planType": "PRO",
        "metaData": {"k": 1},
    }
    listed = await gql(ORGANIZATIONS, token=ada.token)
    assert listed["data"]["organizations"]["nodes"] == [
        {"id": created["id"], "slug": "acme", "viewerRole": "OWNER", "memberships": ADA_OWNS}
    ]


async def test_create_payload_shows_the_creator_as_owner(gql, factory):
    # given
    ada = await factory.member(email="ada@example.com")
    # when
    body = await gql(
        ORGANIZATION_CREATE, {"input": {"name": "Acme", "slug": "acme"}}, token=ada.token
    )
    # then
    created = body["data"]["organizationCreate"]["organization"]
    assert (created["viewerRole"], created["memberships"]) == ("OWNER", ADA_OWNS)


@pytest.mark.parametrize(
    "slug",
    [
        pytest.param("Acme", id="uppercase"),
        pytest.param("-acme", id="leading-dash"),
        pytest.param("ac me", id="space"),
        pytest.param("acme_inc", id="underscore"),
        pytest.param("", id="empty"),
        pytest.param("a" * 65, id="too-long"),
    ],
)
async def test_create_refuses_a_bad_slug(gql, factory, db, slug):
    # given
    member = await factory.member()
    # when
    body = await gql(
        ORGANIZATION_CREATE, {"input": {"name": "Acme", "slug": slug}}, token=member.token
    )
    # then
    message = "Use 1-64 lowercase letters, digits and dashes, starting with a letter or digit."
    assert body["data"]["organizationCreate"] == validation_error(
        ("slug", "INVALID_FORMAT", message)
    )
    assert await row_count(db, "organizations") == 0
    assert await row_count(db, "memberships") == 0


async def test_create_refuses_a_taken_slug(gql, factory, db):
    # given
    await factory.organization(slug="acme")
    member = await factory.member()
    # when
    body = await gql(
        ORGANIZATION_CREATE, {"input": {"name": "Acme", "slug": "acme"}}, token=member.token
    )
    # then
    assert body["data"]["organizationCreate"] == validation_error(
        ("slug", "ALREADY_EXISTS", "This slug is taken.")
    )
    assert await row_count(db, "organizations") == 1
    assert await row_count(db, "memberships") == 0


async def test_create_anonymous_is_refused(gql, db):
    # when
    body = await gql(ORGANIZATION_CREATE, {"input": {"name": "Acme", "slug": "acme"}})
    # then
    # (tests/test_client_errors.py: the same refusal for every mutation)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert await row_count(db, "organizations") == 0


# ---------------------------------------------------------------------------------------------
# organizationUpdate


@pytest.mark.parametrize("role", ["OWNER", "ADMIN"])
async def test_update_by_admin_or_owner(gql, factory, role):
    # given
    org = await factory.organization(name="Acme", slug="acme")
    member = await factory.member(org, role)
    org_id = gid("Organization", org.id)
    # when
    body = await gql(
        ORGANIZATION_UPDATE,
        {"input": {"id": org_id, "name": "Acme Inc"}},
        token=member.token,
    )
    # then: (the plan changes through organizationPlanChange only, OWNER-only)
    payload = body["data"]["organizationUpdate"]
    assert payload["__typename"] == "OrganizationSuccess"
    assert payload["organization"]["name"] == "Acme Inc"
    stored = await _organization(gql, member.token, org_id)
    assert (stored["name"], stored["slug"], stored["planType"]) == ("Acme Inc", "acme", "FREE")


@pytest.mark.parametrize("role", ["EDITOR", "VIEWER"])
async def test_update_below_admin_is_denied(gql, factory, role):
    # given
    org = await factory.organization(name="Acme")
    member = await factory.member(org, role)
    org_id = gid("Organization", org.id)
    before = await _organization(gql, member.token, org_id)
    # when
    body = await gql(
        ORGANIZATION_UPDATE, {"input": {"id": org_id, "name": "Hacked"}}, token=member.token
    )
    # then
    assert body["data"]["organizationUpdate"] == permission_denied("organization:update")
    assert await _organization(gql, member.token, org_id) == before


async def test_update_of_an_organization_you_are_not_in_is_not_found(gql, factory, sql):
    # given
    org = await factory.organization(name="Acme")
    outsider = await factory.member()
    org_id = gid("Organization", org.id)
    # when
    body = await gql(
        ORGANIZATION_UPDATE, {"input": {"id": org_id, "name": "Hacked"}}, token=outsider.token
    )
    # then
    assert body["data"]["organizationUpdate"] == not_found("Organization", org_id)
    assert await sql("SELECT name FROM organizations") == [("Acme",)]


async def test_update_with_stale_updated_at_conflicts(gql, factory):
    # given
    org = await factory.organization(name="Acme")
    member = await factory.member(org, "ADMIN")
    org_id = gid("Organization", org.id)
    seen = (await _organization(gql, member.token, org_id))["updatedAt"]
    await gql(ORGANIZATION_UPDATE, {"input": {"id": org_id, "name": "Acme 2"}}, token=member.token)
    # when
    body = await gql(
        ORGANIZATION_UPDATE,
        {"input": {"id": org_id, "name": "Acme 3", "updatedAt": seen}},
        token=member.token,
    )
    # then
    assert body["data"]["organizationUpdate"] == conflict(
        "This object changed since you read it; reload it and try again.", ["updatedAt"]
    )
    assert (await _organization(gql, member.token, org_id))["name"] == "Acme 2"


async def test_update_with_current_updated_at_succeeds(gql, factory):
    # given
    org = await factory.organization(name="Acme")
    member = await factory.member(org, "ADMIN")
    org_id = gid("Organization", org.id)
    seen = (await _organization(gql, member.token, org_id))["updatedAt"]
    # when
    body = await gql(
        ORGANIZATION_UPDATE,
        {"input": {"id": org_id, "name": "Acme 2", "updatedAt": seen}},
        token=member.token,
    )
    # then
    assert body["data"]["organizationUpdate"]["__typename"] == "OrganizationSuccess"
    assert body["data"]["organizationUpdate"]["organization"]["updatedAt"] > seen


async def test_update_leaves_omitted_fields_alone(gql, factory):
    # given
    org = await factory.organization(name="Acme", slug="acme", meta_data={"tier": "gold"})
    member = await factory.member(org, "OWNER")
    org_id = gid("Organization", org.id)
    # when
    body = await gql(
        ORGANIZATION_UPDATE, {"input": {"id": org_id, "slug": "acme-inc"}}, token=member.token
    )
    # then
    assert body["data"]["organizationUpdate"]["__typename"] == "OrganizationSuccess"
    stored = await _organization(gql, member.token, org_id)
    assert {k: stored[k] for k in ("name", "slug", "planType", "metaData")} == {
        "name": "Acme",
        "slug": "acme-inc",
        "planType": "FREE",
        "metaData": {"tier": "gold"},
    }


async def test_update_refuses_explicit_null_for_a_required_field(gql, factory):
    # given
    org = await factory.organization(name="Acme")
    member = await factory.member(org, "OWNER")
    org_id = gid("Organization", org.id)
    # when
    body = await gql(
        ORGANIZATION_UPDATE, {"input": {"id": org_id, "name": None}}, token=member.token
    )
    # then
    payload = body["data"]["organizationUpdate"]
    assert payload["__typename"] == "ValidationError"
    assert [(f["path"], f["code"]) for f in payload["fields"]] == [(["name"], "REQUIRED")]
    assert (await _organization(gql, member.token, org_id))["name"] == "Acme"


@pytest.mark.parametrize(
    ("input_", "problem"),
    [
        pytest.param(
            {"slug": "taken"}, ("slug", "ALREADY_EXISTS", "This slug is taken."), id="taken-slug"
        ),
        pytest.param(
            {"name": ""}, ("name", "REQUIRED", "Must be at least 1 character."), id="empty-name"
        ),
        pytest.param(
            {"metaData": [1, 2]},
            ("metaData", "INVALID", "Must be a JSON object."),
            id="metadata-not-an-object",
        ),
    ],
)
async def test_update_refuses_invalid_input(gql, factory, input_, problem):
    # given
    await factory.organization(slug="taken")
    org = await factory.organization(name="Acme", slug="acme")
    member = await factory.member(org, "OWNER")
    org_id = gid("Organization", org.id)
    # when
    body = await gql(ORGANIZATION_UPDATE, {"input": {"id": org_id, **input_}}, token=member.token)
    # then
    assert body["data"]["organizationUpdate"] == validation_error(problem)
    stored = await _organization(gql, member.token, org_id)
    assert (stored["name"], stored["slug"], stored["metaData"]) == ("Acme", "acme", {})


# ---------------------------------------------------------------------------------------------
# organizationDelete


async def test_delete_by_owner_hides_the_organization(gql, factory):
    # given
    org = await factory.organization(slug="acme")
    owner = await factory.member(org, "OWNER")
    org_id = gid("Organization", org.id)
    # when
    body = await gql(ORGANIZATION_DELETE, {"input": {"id": org_id}}, token=owner.token)
    # then
    assert body["data"]["organizationDelete"] == {
        "__typename": "OrganizationDeleteSuccess",
        "deletedId": org_id,
    }
    assert (await gql(ORGANIZATIONS, token=owner.token))["data"]["organizations"]["nodes"] == []
    assert (await gql(ORGANIZATION, {"id": org_id}, token=owner.token))["data"]["node"] is None
    again = await gql(ORGANIZATION_DELETE, {"input": {"id": org_id}}, token=owner.token)
    assert again["data"]["organizationDelete"]["__typename"] == "NotFoundError"


@pytest.mark.parametrize("role", ["ADMIN", "EDITOR", "VIEWER"])
async def test_delete_below_owner_is_denied(gql, factory, role):
    # given
    org = await factory.organization()
    member = await factory.member(org, role)
    org_id = gid("Organization", org.id)
    # when
    body = await gql(ORGANIZATION_DELETE, {"input": {"id": org_id}}, token=member.token)
    # then
    assert body["data"]["organizationDelete"] == permission_denied("organization:delete")
    assert (await _organization(gql, member.token, org_id)) is not None


async def test_delete_keeps_the_items_in_the_database(gql, factory, sql):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    item = await factory.item(owner.user, org, title="Keep me")
    # when
    await gql(
        ORGANIZATION_DELETE, {"input": {"id": gid("Organization", org.id)}}, token=owner.token
    )
    # then: both rows stay; whether items.organization_id keeps the dead organization's id or
    # is cleared is not visible through the API (Item.organization is null either way)
    assert await sql(
        "SELECT title, owner_id, deleted_at FROM items WHERE id = :id", id=item.id
    ) == [("Keep me", owner.user.id, None)]
    [(deleted_at,)] = await sql("SELECT deleted_at FROM organizations WHERE id = :id", id=org.id)
    assert deleted_at is not None


async def test_delete_leaves_the_items_to_their_owners(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    item = await factory.item(owner.user, org, title="Keep me")
    item_id = gid("Item", item.id)
    # when
    await gql(
        ORGANIZATION_DELETE, {"input": {"id": gid("Organization", org.id)}}, token=owner.token
    )
    # then
    listed = await gql(ITEMS, token=owner.token)
    assert listed["data"]["items"]["nodes"] == [
        {"id": item_id, "title": "Keep me", "organization": None}
    ]
    node = await gql(ITEM, {"id": item_id}, token=owner.token)
    assert node["data"]["node"] == {"title": "Keep me", "organization": None}
