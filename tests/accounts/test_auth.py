"""Registration, login, token refresh, logout and bearer authentication."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from tests.accounts.payloads import UNAUTHENTICATED, authentication_error, validation_error
from tests.conftest import row_count
from tests.factories import PASSWORD

REGISTER = """
mutation Register($input: UserRegisterInput!) {
  userRegister(input: $input) {
    __typename
    ... on UserRegisterSuccess { user { email fullName isActive lastLoginAt } }
    ... on ValidationError { message code path fields { path code message } }
  }
}
"""

LOGIN = """
mutation Login($input: AuthLoginInput!) {
  authLogin(input: $input) {
    __typename
    ... on AuthTokens {
      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { email }
    }
    ... on AuthenticationError { message code path }
  }
}
"""

REFRESH = """
mutation Refresh($input: AuthRefreshInput!) {
  authRefresh(input: $input) {
    __typename
    ... on AuthTokens { accessToken refreshToken user { email } }
    ... on AuthenticationError { message code path }
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

ME = "query Me { me { email lastLoginAt } }"

INVALID_LOGIN = authentication_error("Invalid email or password.")
INVALID_REFRESH = authentication_error("The refresh token is invalid, expired or revoked.")


async def _login(gql, email: str, password: str = PASSWORD) -> dict:
    body = await gql(LOGIN, {"input": {"email": email, "password": password}})
    return body["data"]["authLogin"]


# ---------------------------------------------------------------------------------------------
# userRegister


async def test_register_creates_an_account_that_can_log_in(gql, db):
    # when
    body = await gql(
        REGISTER,
        {"input": {"email": " Ada@Example.COM ", "password": "s3cret-pass", "fullName": "Ada"}},
    )
    # then
    assert body == {
        "data": {
            "userRegister": {
                "__typename": "UserRegisterSuccess",
                "user": {
                    "email": "ada@example.com",
                    "fullName": "Ada",
                    "isActive": True,
                    "lastLoginAt": None,
                },
            }
        }
    }
    assert await row_count(db, "users") == 1
    assert (await _login(gql, "ada@example.com", "s3cret-pass"))["__typename"] == "AuthTokens"


async def test_register_refuses_an_email_taken_in_another_case(gql, factory, db):
    # given
    await factory.user(email="ada@example.com")
    # when
    body = await gql(REGISTER, {"input": {"email": "ADA@Example.com", "password": "s3cret-pass"}})
    # then
    assert body["data"]["userRegister"] == validation_error(
        ("email", "ALREADY_EXISTS", "An account with this email already exists.")
    )
    assert await row_count(db, "users") == 1


@pytest.mark.parametrize(
    ("email", "password", "fields"),
    [
        pytest.param(
            "not-an-email",
            "s3cret-pass",
            [("email", "INVALID_FORMAT", "Not a valid email address.")],
            id="email-without-at",
        ),
        pytest.param(
            "ada@localhost",
            "s3cret-pass",
            [("email", "INVALID_FORMAT", "Not a valid email address.")],
            id="email-without-dot-in-domain",
        ),
        pytest.param(
            "ada lovelace@example.com",
            "s3cret-pass",
            [("email", "INVALID_FORMAT", "Not a valid email address.")],
            id="email-with-space",
        ),
        pytest.param(
            "ada@example.com",
            "7chars!",
            [("password", "TOO_SHORT", "Use at least 8 characters.")],
            id="password-too-short",
        ),
        pytest.param(
            "nope",
            "short",
            [
                ("email", "INVALID_FORMAT", "Not a valid email address."),
                ("password", "TOO_SHORT", "Use at least 8 characters."),
            ],
            id="both-invalid",
        ),
    ],
)
async def test_register_refuses_invalid_input_and_writes_nothing(gql, db, email, password, fields):
    # when
    body = await gql(REGISTER, {"input": {"email": email, "password": password}})
    # then
    assert body["data"]["userRegister"] == validation_error(*fields)
    assert await row_count(db, "users") == 0


# ---------------------------------------------------------------------------------------------
# authLogin


async def test_login_returns_tokens_that_authenticate(gql, factory):
    # given
    await factory.user(email="ada@example.com")
    # when
    tokens = await _login(gql, "ADA@example.com")
    # then
    assert tokens["__typename"] == "AuthTokens"
    assert tokens["accessToken"].startswith("trl_at_")
    assert tokens["refreshToken"].startswith("trl_rt_")
    assert tokens["user"] == {"email": "ada@example.com"}
    now = datetime.now(UTC)
    access_expiry = datetime.fromisoformat(tokens["accessTokenExpiresAt"])
    refresh_expiry = datetime.fromisoformat(tokens["refreshTokenExpiresAt"])
    assert now + timedelta(minutes=59) < access_expiry <= now + timedelta(hours=1)
    assert now + timedelta(days=29) < refresh_expiry <= now + timedelta(days=30)
    me = await gql(ME, token=tokens["accessToken"])
    assert me["data"]["me"]["email"] == "ada@example.com"


async def test_login_sets_last_login_at(gql, factory):
    # given
    member = await factory.member()
    before = (await gql(ME, token=member.token))["data"]["me"]["lastLoginAt"]
    # when
    tokens = await _login(gql, member.user.email)
    # then
    assert before is None
    last_login = (await gql(ME, token=tokens["accessToken"]))["data"]["me"]["lastLoginAt"]
    assert abs(datetime.fromisoformat(last_login) - datetime.now(UTC)) < timedelta(seconds=30)


async def test_login_fails_alike_for_unknown_email_and_wrong_password(gql, factory, db):
    # given
    await factory.user(email="ada@example.com")
    # when
    unknown = await _login(gql, "bob@example.com")
    wrong = await _login(gql, "ada@example.com", "wrong password")
    # then
    assert unknown == wrong == INVALID_LOGIN
    assert await row_count(db, "auth_sessions") == 0


async def test_login_refuses_an_inactive_user(gql, factory, db):
    # given
    await factory.user(email="ada@example.com", is_active=False)
    # when
    payload = await _login(gql, "ada@example.com")
    # then
    assert payload == INVALID_LOGIN
    assert await row_count(db, "auth_sessions") == 0


async def test_login_upgrades_a_weak_password_hash(gql, factory, sql):
    # given
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    user = await factory.user(password_hash=weak_hash)
    # when
    payload = await _login(gql, user.email)
    # then
    assert payload["__typename"] == "AuthTokens"
    [(stored,)] = await sql("SELECT password_hash FROM users WHERE id = :id", id=user.id)
    assert stored != weak_hash
    hasher = PasswordHasher()
    assert hasher.verify(stored, PASSWORD)
    assert not hasher.check_needs_rehash(stored)


async def test_login_keeps_a_current_password_hash(gql, factory, sql):
    # given
    user = await factory.user()
    # when
    await _login(gql, user.email)
    # then
    [(stored,)] = await sql("SELECT password_hash FROM users WHERE id = :id", id=user.id)
    assert stored == user.password_hash


# ---------------------------------------------------------------------------------------------
# authRefresh


async def test_refresh_rotates_the_pair(gql, factory):
    # given
    user = await factory.user()
    old = await _login(gql, user.email)
    # when
    body = await gql(REFRESH, {"input": {"refreshToken": old["refreshToken"]}})
    # then
    new = body["data"]["authRefresh"]
    assert new["__typename"] == "AuthTokens"
    assert new["user"] == {"email": user.email}
    assert {new["accessToken"], new["refreshToken"]}.isdisjoint(
        {old["accessToken"], old["refreshToken"]}
    )
    assert (await gql(ME, token=new["accessToken"]))["data"]["me"]["email"] == user.email
    assert await gql(ME, token=old["accessToken"], status=401) == UNAUTHENTICATED
    again = await gql(REFRESH, {"input": {"refreshToken": old["refreshToken"]}})
    assert again["data"]["authRefresh"] == INVALID_REFRESH
    newest = await gql(REFRESH, {"input": {"refreshToken": new["refreshToken"]}})
    assert newest["data"]["authRefresh"]["__typename"] == "AuthTokens"


async def test_concurrent_refreshes_with_one_token_yield_one_pair(gql, factory):
    # given
    user = await factory.user()
    refresh_token = (await _login(gql, user.email))["refreshToken"]
    variables = {"input": {"refreshToken": refresh_token}}
    # when
    bodies = await asyncio.gather(*(gql(REFRESH, variables) for _ in range(3)))
    # then
    typenames = sorted(body["data"]["authRefresh"]["__typename"] for body in bodies)
    assert typenames == ["AuthTokens", "AuthenticationError", "AuthenticationError"]


@pytest.mark.parametrize(
    "case", ["garbage", "access-token-as-refresh", "after-logout", "user-deactivated"]
)
async def test_refresh_refuses_dead_tokens(gql, factory, sql, case):
    # given
    user = await factory.user()
    tokens = await _login(gql, user.email)
    refresh_token = tokens["refreshToken"]
    if case == "garbage":
        refresh_token = "trl_rt_not-a-token"
    elif case == "access-token-as-refresh":
        refresh_token = tokens["accessToken"]
    elif case == "after-logout":
        await gql(LOGOUT, {"input": {}}, token=tokens["accessToken"])
    else:
        await sql("UPDATE users SET is_active = false WHERE id = :id", id=user.id)
    # when
    body = await gql(REFRESH, {"input": {"refreshToken": refresh_token}})
    # then
    assert body["data"]["authRefresh"] == INVALID_REFRESH


# ---------------------------------------------------------------------------------------------
# authLogout


async def test_logout_ends_only_this_session(gql, factory):
    # given
    user = await factory.user()
    this = await _login(gql, user.email)
    other = await _login(gql, user.email)
    # when
    body = await gql(LOGOUT, {"input": {}}, token=this["accessToken"])
    # then
    assert body["data"]["authLogout"] == {"__typename": "AuthLogoutSuccess", "revokedSessions": 1}
    assert await gql(ME, token=this["accessToken"], status=401) == UNAUTHENTICATED
    assert (await gql(ME, token=other["accessToken"]))["data"]["me"]["email"] == user.email


async def test_logout_everywhere_ends_every_session(gql, factory):
    # given
    user = await factory.user()
    stranger = await factory.member()
    sessions = [await _login(gql, user.email) for _ in range(3)]
    # when
    body = await gql(LOGOUT, {"input": {"everywhere": True}}, token=sessions[0]["accessToken"])
    # then
    assert body["data"]["authLogout"] == {"__typename": "AuthLogoutSuccess", "revokedSessions": 3}
    for session in sessions:
        assert await gql(ME, token=session["accessToken"], status=401) == UNAUTHENTICATED
    assert (await gql(ME, token=stranger.token))["data"]["me"]["email"] == stranger.user.email


async def test_logout_anonymous_is_refused(gql):
    # when
    body = await gql(LOGOUT, {"input": {"everywhere": True}})
    # then
    # (tests/test_client_errors.py: the same refusal for every mutation)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


# ---------------------------------------------------------------------------------------------
# Bearer authentication


@pytest.mark.parametrize("case", ["garbage", "inactive-user", "revoked"])
async def test_dead_bearer_token_is_http_401(gql, factory, client, sql, case):
    # given
    if case == "garbage":
        token = "trl_at_garbage"
    elif case == "inactive-user":
        token = (await factory.member(is_active=False)).token
    else:
        token = (await factory.member()).token
        await sql("UPDATE auth_sessions SET revoked_at = now()")
    # when
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    # then
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("path", ["lane", "full"])
async def test_an_expired_access_token_says_so_and_points_to_auth_refresh(factory, client, path):
    # given: a session whose access token expired (its refresh token still works)
    token = await factory.token(await factory.user(), expires_in=timedelta(seconds=-1))
    if path == "lane":  # the compiled fast lane answers a document seen twice
        for _ in range(3):
            await client.post("/graphql", json={"query": ME})
    # when
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    # then
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "message": "The access token expired: get a new one with the authRefresh "
                "mutation (its refreshToken), or sign in again with authLogin.",
                "extensions": {"code": "TOKEN_EXPIRED"},
            }
        ]
    }


async def test_a_refresh_token_sent_as_the_bearer_is_explained(gql, factory, client):
    # given
    await factory.member(email="ada@example.com")
    tokens = (await gql(LOGIN, {"input": {"email": "ada@example.com", "password": PASSWORD}}))[
        "data"
    ]["authLogin"]
    # when
    response = await client.post(
        "/graphql",
        json={"query": ME},
        headers={"Authorization": f"Bearer {tokens['refreshToken']}"},
    )
    # then
    assert response.status_code == 401
    assert "This is a refresh token" in response.json()["errors"][0]["message"]


EXPECTED_FORM = "The Authorization header must be `Authorization: Bearer <access token or API key>`"


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        pytest.param("trl_at_abc", "it lacks the `Bearer ` prefix", id="no-bearer"),
        pytest.param("Token trl_at_abc", "`Token` is not a scheme", id="token-scheme"),
        pytest.param("Basic YWRhOnB3", "`Basic` is not a scheme", id="basic"),
        pytest.param('{"Authorization": "Bearer x"}', "it looks like JSON", id="pasted-json"),
        pytest.param("Bearer a b", "holds more than one value", id="two-values"),
    ],
)
@pytest.mark.parametrize("path", ["lane", "full"])
async def test_a_malformed_authorization_header_is_a_401_that_says_the_form(
    client, header, hint, path
):
    # given: on the compiled path, a document the fast lane answers
    if path == "lane":
        for _ in range(3):
            await client.post("/graphql", json={"query": ME})
    # when
    response = await client.post("/graphql", json={"query": ME}, headers={"Authorization": header})
    # then: never taken for an anonymous caller
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"].startswith(EXPECTED_FORM)
    assert hint in error["message"]
    assert "abc" not in error["message"]  # the credential is never echoed
    assert "YWRh" not in error["message"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": ""}, id="empty-header"),
        pytest.param({"Authorization": "Bearer "}, id="empty-bearer"),  # GraphiQL's template
    ],
)
async def test_without_bearer_token_me_is_null(client, headers):
    # when
    response = await client.post("/graphql", json={"query": ME}, headers=headers)
    # then
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}
