"""API keys: created with a secret shown once, narrowed by scopes, revocable, expiring."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.accounts.payloads import (
    UNAUTHENTICATED,
    authentication_error,
    not_found,
    permission_denied,
    validation_error,
)
from tests.conftest import row_count
from tests.factories import gid

API_KEY_CREATE = """
mutation ApiKeyCreate($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    __typename
    ... on ApiKeyCreateSuccess {
      secret
      apiKey { id name prefix scopes expiresAt lastUsedAt revokedAt }
    }
    ... on ValidationError { message code path fields { path code message } }
    ... on AuthenticationError { message code path }
  }
}
"""

API_KEY_REVOKE = """
mutation ApiKeyRevoke($input: ApiKeyRevokeInput!) {
  apiKeyRevoke(input: $input) {
    __typename
    ... on ApiKeyRevokeSuccess { apiKey { id revokedAt } }
    ... on NotFoundError { message code path id }
    ... on AuthenticationError { message code path }
    ... on ValidationError { message code path fields { path code message } }
  }
}
"""

API_KEYS = """
query ApiKeys {
  apiKeys { nodes { id name prefix scopes expiresAt lastUsedAt revokedAt createdAt } }
}
"""

ME = "query Me { me { email } }"
ITEMS = "query Items { items { nodes { title } } }"

ITEM_CREATE = """
mutation ItemCreate($input: ItemCreateInput!) {
  itemCreate(input: $input) {
    __typename
    ... on ItemSuccess { item { title } }
    ... on PermissionDeniedError { message code path permission }
  }
}
"""

ORGANIZATION_CREATE = """
mutation OrganizationCreate($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) {
    __typename
    ... on OrganizationSuccess { organization { slug } }
    ... on AuthenticationError { message code path }
  }
}
"""

MEMBERSHIP_CREATE = """
mutation MembershipCreate($input: MembershipCreateInput!) {
  membershipCreate(input: $input) {
    __typename
    ... on MembershipSuccess { membership { role { name } } }
    ... on PermissionDeniedError { message code path permission }
  }
}
"""

LOGOUT = """
mutation Logout($input: AuthLogoutInput!) {
  authLogout(input: $input) {
    __typename
    ... on AuthLogoutSuccess { revokedSessions }
    ... on AuthenticationError { message code path }
  }
}
"""


async def _create_key(gql, token: str, **input_: object) -> dict:
    body = await gql(API_KEY_CREATE, {"input": {"name": "ci", **input_}}, token=token)
    payload: dict = body["data"]["apiKeyCreate"]
    assert payload["__typename"] == "ApiKeyCreateSuccess", payload
    return payload


async def test_create_returns_the_secret_once(gql, factory, sql):
    # given
    member = await factory.member()
    # when
    created = await _create_key(gql, member.token, name="deploy", scopes=["WRITE", "READ"])
    # then
    secret = created["secret"]
    assert secret.startswith("trl_key_")
    assert len(secret) > 40
    key = created["apiKey"]
    assert key["name"] == "deploy"
    assert key["prefix"] == secret[:12]
    assert key["scopes"] == ["READ", "WRITE"]
    assert (key["expiresAt"], key["lastUsedAt"], key["revokedAt"]) == (None, None, None)
    listed = await gql(API_KEYS, token=member.token)
    assert [(k["id"], k["prefix"]) for k in listed["data"]["apiKeys"]["nodes"]] == [
        (key["id"], secret[:12])
    ]
    assert secret not in json.dumps(listed)
    [(key_hash,)] = await sql("SELECT key_hash FROM api_keys")
    assert key_hash != secret
    assert secret not in key_hash


async def test_key_authenticates_as_its_user(gql, factory):
    # given
    member = await factory.member(email="ada@example.com")
    secret = (await _create_key(gql, member.token))["secret"]
    # when
    body = await gql(ME, token=secret)
    # then
    assert body == {"data": {"me": {"email": "ada@example.com"}}}


async def test_keys_are_listed_newest_first_and_only_to_their_owner(gql, factory):
    # given
    ada, bob = await factory.member(), await factory.member()
    first = (await _create_key(gql, ada.token, name="first"))["apiKey"]["id"]
    second = (await _create_key(gql, ada.token, name="second"))["apiKey"]["id"]
    await _create_key(gql, bob.token, name="bob's")
    # when
    body = await gql(API_KEYS, token=ada.token)
    # then
    assert [k["id"] for k in body["data"]["apiKeys"]["nodes"]] == [second, first]


async def test_read_key_can_query(gql, factory):
    # given
    org = await factory.organization()
    member = await factory.member(org, "OWNER")
    await factory.item(member.user, org, title="Visible")
    secret = (await _create_key(gql, member.token, scopes=["READ"]))["secret"]
    # when
    body = await gql(ITEMS, token=secret)
    # then
    assert body == {"data": {"items": {"nodes": [{"title": "Visible"}]}}}


@pytest.mark.parametrize(
    ("scopes", "mutation", "expected"),
    [
        pytest.param(
            ["READ"],
            "item",
            permission_denied("item:create"),
            id="read-key-item-create",
        ),
        pytest.param(
            ["READ"],
            "organization",
            authentication_error("This API key cannot write."),
            id="read-key-organization-create",
        ),
        pytest.param(
            ["READ", "WRITE"],
            "membership",
            permission_denied("membership:create"),
            id="write-key-membership-create-needs-admin",
        ),
    ],
)
async def test_key_scopes_refuse_writes(gql, factory, db, role_ids, scopes, mutation, expected):
    # given
    org = await factory.organization()
    member = await factory.member(org, "OWNER")
    await factory.user(email="bob@example.com")
    secret = (await _create_key(gql, member.token, scopes=scopes))["secret"]
    org_id = gid("Organization", org.id)
    documents = {
        "item": (ITEM_CREATE, {"organization": org_id, "title": "Nope"}),
        "organization": (ORGANIZATION_CREATE, {"name": "Nope", "slug": "nope"}),
        "membership": (
            MEMBERSHIP_CREATE,
            {
                "organization": org_id,
                "email": "bob@example.com",
                "role": (await role_ids(member.token))["VIEWER"],
            },
        ),
    }
    document, input_ = documents[mutation]
    # when
    body = await gql(document, {"input": input_}, token=secret)
    # then
    assert next(iter(body["data"].values())) == expected
    assert await row_count(db, "items") == 0
    assert await row_count(db, "organizations") == 1
    assert await row_count(db, "memberships") == 1


async def test_write_key_can_create_items(gql, factory):
    # given
    org = await factory.organization()
    member = await factory.member(org, "EDITOR")
    secret = (await _create_key(gql, member.token, scopes=["WRITE"]))["secret"]
    # when
    body = await gql(
        ITEM_CREATE,
        {"input": {"organization": gid("Organization", org.id), "title": "By key"}},
        token=secret,
    )
    # then
    assert body["data"]["itemCreate"] == {"__typename": "ItemSuccess", "item": {"title": "By key"}}


async def test_revoked_key_stops_working(gql, factory):
    # given
    member = await factory.member()
    created = await _create_key(gql, member.token)
    key_id = created["apiKey"]["id"]
    # when
    body = await gql(API_KEY_REVOKE, {"input": {"id": key_id}}, token=member.token)
    # then
    payload = body["data"]["apiKeyRevoke"]
    assert payload["__typename"] == "ApiKeyRevokeSuccess"
    assert payload["apiKey"]["id"] == key_id
    revoked_at = datetime.fromisoformat(payload["apiKey"]["revokedAt"])
    assert abs(revoked_at - datetime.now(UTC)) < timedelta(seconds=30)
    assert await gql(ME, token=created["secret"], status=401) == UNAUTHENTICATED
    again = await gql(API_KEY_REVOKE, {"input": {"id": key_id}}, token=member.token)
    assert again["data"]["apiKeyRevoke"]["apiKey"]["revokedAt"] == payload["apiKey"]["revokedAt"]


async def test_expired_key_is_http_401(gql, factory, sql):
    # given
    member = await factory.member()
    created = await _create_key(gql, member.token)
    await sql("UPDATE api_keys SET expires_at = now() - interval '1 second'")
    # when
    body = await gql(ME, token=created["secret"], status=401)
    # then: the error says it expired, and what to do
    assert body == {
        "errors": [
            {
                "message": "The API key expired: create a new one with apiKeyCreate.",
                "extensions": {"code": "TOKEN_EXPIRED"},
            }
        ]
    }


async def test_key_with_future_expiry_works_until_then(gql, factory):
    # given
    member = await factory.member(email="ada@example.com")
    expires_at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    created = await _create_key(gql, member.token, expiresAt=expires_at.isoformat())
    # when
    body = await gql(ME, token=created["secret"])
    # then
    assert datetime.fromisoformat(created["apiKey"]["expiresAt"]) == expires_at
    assert body == {"data": {"me": {"email": "ada@example.com"}}}


async def test_last_used_at_is_set_on_use_at_most_once_a_minute(gql, factory):
    # given
    member = await factory.member()
    secret = (await _create_key(gql, member.token))["secret"]
    # when
    await gql(ME, token=secret)
    first = (await gql(API_KEYS, token=member.token))["data"]["apiKeys"]["nodes"][0]
    await gql(ME, token=secret)
    second = (await gql(API_KEYS, token=member.token))["data"]["apiKeys"]["nodes"][0]
    # then
    assert first["lastUsedAt"] is not None
    assert abs(datetime.fromisoformat(first["lastUsedAt"]) - datetime.now(UTC)) < timedelta(
        seconds=30
    )
    assert second["lastUsedAt"] == first["lastUsedAt"]


async def test_cannot_revoke_another_users_key(gql, factory):
    # given
    ada, bob = await factory.member(), await factory.member(email="bob@example.com")
    created = await _create_key(gql, bob.token)
    key_id = created["apiKey"]["id"]
    # when
    body = await gql(API_KEY_REVOKE, {"input": {"id": key_id}}, token=ada.token)
    # then
    assert body["data"]["apiKeyRevoke"] == not_found("ApiKey", key_id)
    assert (await gql(ME, token=created["secret"]))["data"]["me"]["email"] == "bob@example.com"


async def test_revoke_with_an_id_of_another_type_is_invalid(gql, factory):
    # given
    member = await factory.member()
    # when
    body = await gql(API_KEY_REVOKE, {"input": {"id": member.id}}, token=member.token)
    # then
    payload = body["data"]["apiKeyRevoke"]
    assert payload["__typename"] == "ValidationError"
    assert payload["path"] == ["id"]
    assert [(f["path"], f["code"]) for f in payload["fields"]] == [(["id"], "INVALID_ID")]


@pytest.mark.parametrize(
    ("input_", "problem"),
    [
        pytest.param(
            {"scopes": []},
            ("scopes", "REQUIRED", "Give the key at least one scope."),
            id="no-scopes",
        ),
        pytest.param(
            {"expiresAt": "2020-01-01T00:00:00+00:00"},
            ("expiresAt", "OUT_OF_RANGE", "Must be in the future."),
            id="expiry-in-the-past",
        ),
        pytest.param(
            {"name": "   "}, ("name", "REQUIRED", "Must be at least 1 character."), id="blank-name"
        ),
    ],
)
async def test_create_refuses_invalid_input(gql, factory, db, input_, problem):
    # given
    member = await factory.member()
    # when
    body = await gql(API_KEY_CREATE, {"input": {"name": "ci", **input_}}, token=member.token)
    # then
    assert body["data"]["apiKeyCreate"] == validation_error(problem)
    assert await row_count(db, "api_keys") == 0


async def test_read_key_cannot_mint_a_stronger_key(gql, factory, db):
    # given
    member = await factory.member()
    secret = (await _create_key(gql, member.token, scopes=["READ"]))["secret"]
    # when
    body = await gql(API_KEY_CREATE, {"input": {"name": "x", "scopes": ["WRITE"]}}, token=secret)
    # then
    assert body["data"]["apiKeyCreate"] == validation_error(
        ("scopes", "INVALID", "A key cannot have scopes you lack.")
    )
    assert await row_count(db, "api_keys") == 1


async def test_create_anonymous_is_refused(gql, db):
    # when
    body = await gql(API_KEY_CREATE, {"input": {"name": "ci"}})
    # then
    # (tests/test_client_errors.py: the same refusal for every mutation)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert await row_count(db, "api_keys") == 0


async def test_logout_with_a_key_is_refused(gql, factory):
    # given
    member = await factory.member()
    secret = (await _create_key(gql, member.token, scopes=["WRITE"]))["secret"]
    # when
    body = await gql(LOGOUT, {"input": {}}, token=secret)
    # then
    assert body["data"]["authLogout"] == authentication_error(
        "This credential is an API key; revoke it instead."
    )
    assert (await gql(ME, token=member.token))["data"]["me"] is not None


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        pytest.param(LOGOUT, {"input": {"everywhere": True}}, id="logout-everywhere"),
        pytest.param(API_KEY_REVOKE, None, id="revoke-another-key"),
    ],
)
async def test_a_read_only_key_cannot_manage_credentials(gql, factory, document, variables):
    # given
    member = await factory.member()
    reader = (await _create_key(gql, member.token))["secret"]
    other = (await _create_key(gql, member.token, scopes=["WRITE"]))["apiKey"]["id"]
    # when
    body = await gql(document, variables or {"input": {"id": other}}, token=reader)
    # then
    payload = next(iter(body["data"].values()))
    assert payload == authentication_error("This API key may only read.")
    assert (await gql(ME, token=member.token))["data"]["me"] is not None


async def test_create_reads_an_expiry_without_offset_as_utc(gql, factory):
    # given
    member = await factory.member()
    # when
    body = await gql(
        API_KEY_CREATE,
        {"input": {"name": "ci", "expiresAt": "2099-01-01T00:00:00"}},
        token=member.token,
    )
    # then
    assert "errors" not in body
    payload = body["data"]["apiKeyCreate"]
    assert payload["__typename"] == "ApiKeyCreateSuccess"
    assert payload["apiKey"]["expiresAt"] == "2099-01-01T00:00:00+00:00"
