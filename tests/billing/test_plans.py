"""An organization's plan and its history, through the API (both read paths)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import row_count
from tests.factories import gid


@pytest.fixture
def app(read_path_app):
    return read_path_app


ORGANIZATION_CREATE = """
mutation($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) {
    __typename ... on OrganizationSuccess { organization { id } }
  }
}"""

PLAN = """
query($id: ID!) {
  organization(id: $id) {
    planType
    plan { id planType status startedAt endsAt organization { id } }
    planChanges(first: 10) {
      totalCount
      nodes { fromPlan toPlan fromStatus toStatus note changedAt changedBy { email } }
    }
  }
}"""

PLAN_CHANGE = """
mutation($input: OrganizationPlanChangeInput!) {
  organizationPlanChange(input: $input) {
    __typename
    ... on OrganizationPlanSuccess {
      plan { planType status endsAt }
      change { fromPlan toPlan fromStatus toStatus note changedBy { email } }
    }
    ... on Error { message code path }
    ... on ValidationError { fields { path code message } }
  }
}"""


async def test_a_new_organization_starts_on_its_plan_with_a_first_history_row(gql, factory):
    # given
    member = await factory.member(None, email="founder@example.com")
    # when
    created = await gql(
        ORGANIZATION_CREATE,
        {"input": {"name": "Acme", "slug": "acme", "planType": "PRO"}},
        token=member.token,
    )
    org_id = created["data"]["organizationCreate"]["organization"]["id"]
    body = await gql(PLAN, {"id": org_id}, token=member.token)
    # then
    org = body["data"]["organization"]
    assert org["planType"] == "PRO"
    assert org["plan"]["planType"] == "PRO"
    assert org["plan"]["status"] == "ACTIVE"
    assert org["plan"]["endsAt"] is None
    assert org["plan"]["organization"] == {"id": org_id}
    assert org["planChanges"]["totalCount"] == 1
    assert org["planChanges"]["nodes"][0] | {"changedAt": None} == {
        "fromPlan": None,
        "toPlan": "PRO",
        "fromStatus": None,
        "toStatus": "ACTIVE",
        "note": None,
        "changedAt": None,
        "changedBy": {"email": "founder@example.com"},
    }


async def test_owner_changes_the_plan_and_the_change_is_recorded(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER", email="owner@example.com")
    org_id = gid("Organization", org.id)
    ends = (datetime.now(UTC) + timedelta(days=14)).replace(microsecond=0)
    # when
    first = await gql(
        PLAN_CHANGE,
        {"input": {"organization": org_id, "planType": "PRO", "status": "TRIALING",
                   "endsAt": ends.isoformat(), "note": "Two-week trial"}},
        token=owner.token,
    )  # fmt: skip
    second = await gql(
        PLAN_CHANGE,
        {"input": {"organization": org_id, "planType": "ENTERPRISE"}},
        token=owner.token,
    )
    body = await gql(PLAN, {"id": org_id}, token=owner.token)
    # then
    assert first["data"]["organizationPlanChange"]["change"] == {
        "fromPlan": None,  # the organization had no plan row yet
        "toPlan": "PRO",
        "fromStatus": None,
        "toStatus": "TRIALING",
        "note": "Two-week trial",
        "changedBy": {"email": "owner@example.com"},
    }
    assert second["data"]["organizationPlanChange"] == {
        "__typename": "OrganizationPlanSuccess",
        "plan": {"planType": "ENTERPRISE", "status": "ACTIVE", "endsAt": None},
        "change": {
            "fromPlan": "PRO",
            "toPlan": "ENTERPRISE",
            "fromStatus": "TRIALING",
            "toStatus": "ACTIVE",
            "note": None,
            "changedBy": {"email": "owner@example.com"},
        },
    }
    data = body["data"]["organization"]
    assert data["planType"] == "ENTERPRISE"
    assert [(c["fromPlan"], c["toPlan"]) for c in data["planChanges"]["nodes"]] == [
        ("PRO", "ENTERPRISE"),
        (None, "PRO"),
    ]


@pytest.mark.parametrize("role", ["ADMIN", "EDITOR", "VIEWER"])
async def test_only_an_owner_changes_the_plan(gql, factory, db, role):
    # given
    org = await factory.organization()
    member = await factory.member(org, role)
    before = await row_count(db, "plan_changes")
    # when
    body = await gql(
        PLAN_CHANGE,
        {"input": {"organization": gid("Organization", org.id), "planType": "PRO"}},
        token=member.token,
    )
    # then
    assert body["data"]["organizationPlanChange"] == {
        "__typename": "PermissionDeniedError",
        "message": "Only an OWNER changes the plan.",
        "code": "PERMISSION_DENIED",
        "path": [],
    }
    assert await row_count(db, "plan_changes") == before


@pytest.mark.parametrize(
    ("given", "path", "code"),
    [
        ({"endsAt": "2001-01-01T00:00:00Z"}, ["endsAt"], "OUT_OF_RANGE"),
        ({"note": "card 4242 4242 4242 4242"}, ["note"], "INVALID"),
        ({"note": "x" * 501}, ["note"], "TOO_LONG"),
    ],
    ids=["past-end", "card-number-in-note", "long-note"],
)
async def test_bad_plan_change_is_refused_and_changes_nothing(gql, factory, db, given, path, code):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    # when
    body = await gql(
        PLAN_CHANGE,
        {"input": {"organization": gid("Organization", org.id), "planType": "PRO", **given}},
        token=owner.token,
    )
    # then
    payload = body["data"]["organizationPlanChange"]
    assert payload["__typename"] == "ValidationError"
    assert [(f["path"], f["code"]) for f in payload["fields"]] == [(path, code)]
    assert await row_count(db, "plan_changes") == 0


async def test_changing_to_the_current_plan_is_a_conflict(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    change = {"input": {"organization": gid("Organization", org.id), "planType": "PRO"}}
    await gql(PLAN_CHANGE, change, token=owner.token)
    # when
    body = await gql(PLAN_CHANGE, change, token=owner.token)
    # then
    assert body["data"]["organizationPlanChange"] == {
        "__typename": "ConflictError",
        "message": "This is the organization's plan already.",
        "code": "CONFLICT",
        "path": ["planType"],
    }


async def test_plan_of_an_archived_organization_cannot_change(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    org_id = gid("Organization", org.id)
    archive = "mutation($id: ID!) { organizationArchive(input: {id: $id}) { __typename } }"
    await gql(archive, {"id": org_id}, token=owner.token)
    # when
    body = await gql(
        PLAN_CHANGE, {"input": {"organization": org_id, "planType": "PRO"}}, token=owner.token
    )
    # then
    assert body["data"]["organizationPlanChange"]["__typename"] == "ConflictError"


HISTORY = """
query($id: ID!) {
  organization(id: $id) {
    plan { history(first: 5) { nodes { action fields { field old new } } } }
  }
}"""


async def test_plan_changes_are_in_the_change_history(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    org_id = gid("Organization", org.id)
    for plan in ("PRO", "ENTERPRISE"):
        await gql(PLAN_CHANGE, {"input": {"organization": org_id, "planType": plan}},
                  token=owner.token)  # fmt: skip
    # when
    body = await gql(HISTORY, {"id": org_id}, token=owner.token)
    # then
    changes = body["data"]["organization"]["plan"]["history"]["nodes"]
    assert [c["action"] for c in changes] == ["UPDATE", "CREATE"]
    fields = {f["field"]: (f["old"], f["new"]) for f in changes[0]["fields"]}
    assert fields["planType"] == ("pro", "enterprise")
