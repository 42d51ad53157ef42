"""Two-factor sign-in over HTTP, with real TOTP codes computed here by pyotp from the secret
`twoFactorEnroll` returned: enroll, confirm, the login challenge, recovery codes, replays,
the login throttle, disable, and what the change history keeps."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pyotp
import pytest
from sqlalchemy import select

import models
from graph.server.app import create_app
from graph.settings import InvalidSettings, get_settings
from tests.factories import PASSWORD

STEP = 30

ENROLL = """
mutation Enroll {
  twoFactorEnroll {
    __typename
    ... on TwoFactorEnrollment { secret otpauthUri }
    ... on Error { message code path }
  }
}
"""

CONFIRM = """
mutation Confirm($code: String!) {
  twoFactorConfirm(input: {code: $code}) {
    __typename
    ... on TwoFactorRecoveryCodes { recoveryCodes user { email twoFactorEnabled } }
    ... on Error { message code path }
  }
}
"""

REGENERATE = """
mutation Regenerate($code: String!) {
  twoFactorRecoveryCodesRegenerate(input: {code: $code}) {
    __typename
    ... on TwoFactorRecoveryCodes { recoveryCodes }
    ... on Error { message code path }
  }
}
"""

DISABLE = """
mutation Disable($password: String!, $code: String!) {
  twoFactorDisable(input: {password: $password, code: $code}) {
    __typename
    ... on TwoFactorDisableSuccess { user { twoFactorEnabled } }
    ... on Error { message code path }
  }
}
"""

LOGIN = """
mutation Login($email: String!, $password: String!) {
  authLogin(input: {email: $email, password: $password}) {
    __typename
    ... on AuthTokens { accessToken }
    ... on TwoFactorChallenge { challenge expiresAt }
    ... on Error { message code path }
  }
}
"""

VERIFY = """
mutation Verify($challenge: String!, $code: String!) {
  authLoginVerify(input: {challenge: $challenge, code: $code}) {
    __typename
    ... on AuthTokens { accessToken refreshToken user { email twoFactorEnabled } }
    ... on Error { message code path }
  }
}
"""

ME = "query Me { me { email twoFactorEnabled } }"

WRONG_CODE = {
    "__typename": "AuthenticationError",
    "message": "The code is wrong or was used already.",
    "code": "UNAUTHENTICATED",
    "path": ["code"],
}
BAD_CHALLENGE = {
    "__typename": "AuthenticationError",
    "message": "The sign-in challenge is invalid, expired or used; sign in again.",
    "code": "UNAUTHENTICATED",
    "path": ["challenge"],
}


def conflict(message: str) -> dict[str, Any]:
    return {"__typename": "ConflictError", "message": message, "code": "CONFLICT", "path": []}


class Clock:
    """Codes of the time steps around the one a test started in. The server accepts the
    current step and one either side, each once; a test starting late in a step first waits
    for the next one so that its requests all fall inside one step."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.start = time.time()

    def code(self, offset: int) -> str:
        return self.totp.at(self.start + offset * STEP)

    def wrong(self) -> str:
        valid = {self.code(n) for n in (-2, -1, 0, 1, 2)}
        return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in valid)


@pytest.fixture(autouse=True)
async def _early_in_a_time_step() -> None:
    left = STEP - time.time() % STEP
    if left < 12:
        await asyncio.sleep(left + 0.1)


@pytest.fixture
async def account(factory: Any, gql: Any) -> dict[str, Any]:
    """A user signed in with a password: their email and access token."""
    user = await factory.user(email="two@example.com")
    body = await gql(LOGIN, {"email": user.email, "password": PASSWORD})
    return {"email": user.email, "token": body["data"]["authLogin"]["accessToken"]}


async def _enroll(gql: Any, token: str) -> str:
    body = await gql(ENROLL, token=token)
    enrollment = body["data"]["twoFactorEnroll"]
    assert enrollment["__typename"] == "TwoFactorEnrollment", enrollment
    secret: str = enrollment["secret"]
    return secret


@pytest.fixture
async def enabled(gql: Any, account: dict[str, Any]) -> dict[str, Any]:
    """`account` with two-factor sign-in on (confirmed with the code of the step before):
    adds its `clock` and `recoveryCodes`."""
    clock = Clock(await _enroll(gql, account["token"]))
    body = await gql(CONFIRM, {"code": clock.code(-1)}, token=account["token"])
    result = body["data"]["twoFactorConfirm"]
    assert result["__typename"] == "TwoFactorRecoveryCodes", result
    return {**account, "clock": clock, "recoveryCodes": result["recoveryCodes"]}


async def _challenge(gql: Any, email: str) -> str:
    body = await gql(LOGIN, {"email": email, "password": PASSWORD})
    result = body["data"]["authLogin"]
    assert result["__typename"] == "TwoFactorChallenge", result
    challenge: str = result["challenge"]
    return challenge


async def _verify(gql: Any, challenge: str, code: str) -> dict[str, Any]:
    body = await gql(VERIFY, {"challenge": challenge, "code": code})
    result: dict[str, Any] = body["data"]["authLoginVerify"]
    return result


# ---------------------------------------------------------------------------------------------
# The whole flow


async def test_enroll_confirm_then_login_takes_a_code(gql, account):
    # given: enrolled
    body = await gql(ENROLL, token=account["token"])
    enrollment = body["data"]["twoFactorEnroll"]
    secret = enrollment["secret"]
    uri = urlparse(enrollment["otpauthUri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Trellis:two%40example.com")
    assert parse_qs(uri.query) == {"secret": [secret], "issuer": ["Trellis"]}
    assert (await gql(ME, token=account["token"]))["data"]["me"]["twoFactorEnabled"] is False
    clock = Clock(secret)
    # when: confirmed with a real code
    body = await gql(CONFIRM, {"code": clock.code(0)}, token=account["token"])
    # then: on, with ten distinct recovery codes
    confirmed = body["data"]["twoFactorConfirm"]
    assert confirmed["__typename"] == "TwoFactorRecoveryCodes"
    assert confirmed["user"] == {"email": "two@example.com", "twoFactorEnabled": True}
    assert len(set(confirmed["recoveryCodes"])) == 10
    # when: signing in, the password alone gives a challenge, not tokens
    challenge = await _challenge(gql, "two@example.com")
    tokens = await _verify(gql, challenge, clock.code(1))
    # then: the challenge and a code give working tokens
    assert tokens["__typename"] == "AuthTokens", tokens
    assert tokens["user"] == {"email": "two@example.com", "twoFactorEnabled": True}
    me = await gql(ME, token=tokens["accessToken"])
    assert me == {"data": {"me": {"email": "two@example.com", "twoFactorEnabled": True}}}
    # and the challenge works once
    assert await _verify(gql, challenge, clock.code(1)) == BAD_CHALLENGE


async def test_a_recovery_code_works_once(gql, enabled):
    code = enabled["recoveryCodes"][3]
    first = await _verify(gql, await _challenge(gql, enabled["email"]), code)
    assert first["__typename"] == "AuthTokens"
    second = await _verify(gql, await _challenge(gql, enabled["email"]), code)
    assert second == WRONG_CODE
    # the others still work, typed any case and without the dashes
    other = enabled["recoveryCodes"][4].replace("-", "").upper()
    third = await _verify(gql, await _challenge(gql, enabled["email"]), other)
    assert third["__typename"] == "AuthTokens"


async def test_a_code_is_not_accepted_twice(gql, enabled):
    clock = enabled["clock"]
    # the confirming code (step -1) is used already
    assert await _verify(gql, await _challenge(gql, enabled["email"]), clock.code(-1)) == WRONG_CODE
    challenge = await _challenge(gql, enabled["email"])
    assert (await _verify(gql, challenge, clock.code(0)))["__typename"] == "AuthTokens"
    # the same code again, and an older one, are refused; a later one works
    challenge = await _challenge(gql, enabled["email"])
    assert await _verify(gql, challenge, clock.code(0)) == WRONG_CODE
    assert await _verify(gql, challenge, clock.code(-1)) == WRONG_CODE
    assert (await _verify(gql, challenge, clock.code(1)))["__typename"] == "AuthTokens"


async def test_spent_challenges_are_deleted_as_new_ones_come(gql, sql, enabled):
    # given: a challenge used up
    used = await _challenge(gql, enabled["email"])
    assert (await _verify(gql, used, enabled["recoveryCodes"][0]))["__typename"] == "AuthTokens"
    # when: the next sign-in
    await _challenge(gql, enabled["email"])
    # then: only the live challenge is left
    rows = await sql("SELECT used_at FROM two_factor_challenges")
    assert [row[0] for row in rows] == [None]


async def test_a_challenge_is_refused_when_unknown(gql, enabled):
    assert await _verify(gql, "trl_2fa_not-a-challenge", enabled["clock"].code(0)) == BAD_CHALLENGE


async def test_wrong_codes_lock_the_account_like_wrong_passwords(gql, enabled):
    # given: one challenge, and as many wrong codes as wrong passwords are allowed
    clock = enabled["clock"]
    challenge = await _challenge(gql, enabled["email"])
    for _ in range(get_settings().login_attempts_per_account):
        assert await _verify(gql, challenge, clock.wrong()) == WRONG_CODE
    # when: the right code
    locked = await _verify(gql, challenge, clock.code(0))
    # then: refused, and so is the password
    assert locked["__typename"] == "AuthenticationError"
    assert locked["message"].startswith("Too many attempts, try again in ")
    body = await gql(LOGIN, {"email": enabled["email"], "password": PASSWORD})
    assert body["data"]["authLogin"]["message"].startswith("Too many attempts")


async def test_recovery_codes_regenerate(gql, enabled):
    old = enabled["recoveryCodes"]
    body = await gql(REGENERATE, {"code": enabled["clock"].code(0)}, token=enabled["token"])
    new = body["data"]["twoFactorRecoveryCodesRegenerate"]["recoveryCodes"]
    assert len(new) == 10
    assert not set(new) & set(old)
    assert await _verify(gql, await _challenge(gql, enabled["email"]), old[0]) == WRONG_CODE
    fresh = await _verify(gql, await _challenge(gql, enabled["email"]), new[0])
    assert fresh["__typename"] == "AuthTokens"


async def test_wrong_codes_of_a_signed_in_user_are_throttled_too(gql, enabled):
    # given: a session guessing codes to replace the recovery codes
    clock, token = enabled["clock"], enabled["token"]
    for _ in range(get_settings().login_attempts_per_account):
        body = await gql(REGENERATE, {"code": clock.wrong()}, token=token)
        assert body["data"]["twoFactorRecoveryCodesRegenerate"] == WRONG_CODE
    # when: the right code, to regenerate or to disable
    regenerate = await gql(REGENERATE, {"code": clock.code(0)}, token=token)
    disable = await gql(DISABLE, {"password": PASSWORD, "code": clock.code(0)}, token=token)
    # then: both refused until the window has passed
    for answer in (regenerate, disable):
        refusal = next(iter(answer["data"].values()))
        assert refusal["message"].startswith("Too many attempts, try again in ")


async def test_disable_takes_the_password_and_a_code(gql, enabled):
    token, clock = enabled["token"], enabled["clock"]
    wrong_password = await gql(DISABLE, {"password": "nope", "code": clock.code(0)}, token=token)
    assert wrong_password["data"]["twoFactorDisable"] == {
        "__typename": "AuthenticationError",
        "message": "The password is wrong.",
        "code": "UNAUTHENTICATED",
        "path": ["password"],
    }
    wrong_code = await gql(DISABLE, {"password": PASSWORD, "code": clock.wrong()}, token=token)
    assert wrong_code["data"]["twoFactorDisable"] == WRONG_CODE
    # when
    body = await gql(DISABLE, {"password": PASSWORD, "code": clock.code(0)}, token=token)
    # then: off, and the password alone signs in again
    assert body["data"]["twoFactorDisable"] == {
        "__typename": "TwoFactorDisableSuccess",
        "user": {"twoFactorEnabled": False},
    }
    login = await gql(LOGIN, {"email": enabled["email"], "password": PASSWORD})
    assert login["data"]["authLogin"]["__typename"] == "AuthTokens"
    again = await gql(DISABLE, {"password": PASSWORD, "code": clock.code(1)}, token=token)
    assert again["data"]["twoFactorDisable"] == conflict(
        "Two-factor sign-in is not on for this account."
    )


async def test_disable_with_a_recovery_code(gql, enabled):
    code = enabled["recoveryCodes"][0]
    body = await gql(DISABLE, {"password": PASSWORD, "code": code}, token=enabled["token"])
    assert body["data"]["twoFactorDisable"]["__typename"] == "TwoFactorDisableSuccess"


# ---------------------------------------------------------------------------------------------
# Refusals


async def test_anonymous_callers_are_refused(gql):
    for body in (
        await gql(ENROLL),
        await gql(DISABLE, {"password": PASSWORD, "code": "123456"}),
    ):
        # the same top-level refusal as every mutation that needs an account
        assert body.get("data") is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert error["message"].startswith("Sign in first")


async def test_api_keys_cannot_manage_two_factor(gql, account):
    create = """
    mutation { apiKeyCreate(input: {name: "k", scopes: [READ, WRITE]}) {
      ... on ApiKeyCreateSuccess { secret } } }
    """
    key = (await gql(create, token=account["token"]))["data"]["apiKeyCreate"]["secret"]
    body = await gql(ENROLL, token=key)
    assert body["data"]["twoFactorEnroll"]["message"] == (
        "Two-factor sign-in is managed from a session, not an API key."
    )


async def test_confirm_needs_an_enrollment_and_the_right_code(gql, account):
    token = account["token"]
    body = await gql(CONFIRM, {"code": "123456"}, token=token)
    assert body["data"]["twoFactorConfirm"] == conflict("Enroll first (`twoFactorEnroll`).")
    clock = Clock(await _enroll(gql, token))
    body = await gql(CONFIRM, {"code": clock.wrong()}, token=token)
    assert body["data"]["twoFactorConfirm"] == WRONG_CODE
    assert (await gql(ME, token=token))["data"]["me"]["twoFactorEnabled"] is False


async def test_enrolling_again_replaces_a_pending_secret_but_not_a_confirmed_one(gql, account):
    token = account["token"]
    first = Clock(await _enroll(gql, token))
    second = Clock(await _enroll(gql, token))
    body = await gql(CONFIRM, {"code": first.code(0)}, token=token)
    if first.code(0) != second.code(0):
        assert body["data"]["twoFactorConfirm"] == WRONG_CODE
    body = await gql(CONFIRM, {"code": second.code(1)}, token=token)
    assert body["data"]["twoFactorConfirm"]["__typename"] == "TwoFactorRecoveryCodes"
    body = await gql(ENROLL, token=token)
    assert body["data"]["twoFactorEnroll"] == conflict(
        "Two-factor sign-in is on already; disable it first to enroll again."
    )


async def test_two_factor_enabled_is_null_for_other_users(gql, factory, enabled):
    org = await factory.organization(slug="twofa")
    other = await factory.member(org, role="OWNER")
    await factory.membership(await _user(factory, enabled["email"]), org, "VIEWER")
    query = "query { users(first: 10) { nodes { email twoFactorEnabled } } }"
    mine = (await gql(query, token=enabled["token"]))["data"]["users"]["nodes"]
    theirs = (await gql(query, token=other.token))["data"]["users"]["nodes"]
    assert {"email": enabled["email"], "twoFactorEnabled": True} in mine
    assert {"email": enabled["email"], "twoFactorEnabled": None} in theirs


async def _user(factory: Any, email: str) -> Any:
    async with factory.db.sessions() as session:
        return await session.scalar(select(models.User).where(models.User.email == email))


# ---------------------------------------------------------------------------------------------
# History and secrets


async def test_history_records_enrollment_and_disable_without_secrets(gql, sql, enabled):
    # given: a sign-in with a recovery code, then disabled
    recovery = enabled["recoveryCodes"]
    challenge = await _challenge(gql, enabled["email"])
    await _verify(gql, challenge, recovery[0])
    await gql(
        DISABLE, {"password": PASSWORD, "code": enabled["clock"].code(0)}, token=enabled["token"]
    )
    # then
    rows = await sql(
        "SELECT entity_type, action::text, changes::text FROM change_log "
        "WHERE entity_type LIKE 'TwoFactor%' ORDER BY position"
    )
    credential = [(r[1], r[2]) for r in rows if r[0] == "TwoFactorCredential"]
    actions = [action for action, _ in credential]
    assert (actions[0], actions[-1]) == ("create", "delete")
    assert any('"confirmed_at"' in changes for _, changes in credential)
    everything = " ".join(str(r) for r in await sql("SELECT changes::text FROM change_log"))
    secret = enabled["clock"].totp.secret
    for hidden in [secret, challenge, *recovery]:
        assert hidden not in everything
    for column in ("secret", "recovery_code_hashes", "last_used_step", "challenge_hash"):
        assert f'"{column}"' not in everything


# ---------------------------------------------------------------------------------------------
# Reading twoFactorEnabled: one statement at most, however many users are listed, on both paths

USERS = "query { users(first: 50) { nodes { email twoFactorEnabled } } }"
USERS_WITHOUT = "query { users(first: 50) { nodes { email } } }"


@pytest.mark.parametrize("members", [2, 12], ids=["2 members", "12 members"])
async def test_two_factor_enabled_costs_one_statement_whatever_the_list(
    gql, factory, counter, enabled, members
):
    # given: the enabled user among other members of one organization
    org = await factory.organization(slug="count")
    await factory.membership(await _user(factory, enabled["email"]), org, "OWNER")
    for _ in range(members):
        await factory.member(org, role="VIEWER")
    token = enabled["token"]
    counter.reset()
    without = await gql(USERS_WITHOUT, token=token)
    baseline = counter.count
    # when
    counter.reset()
    body = await gql(USERS, token=token)
    # then: the viewer's own row costs one statement; the others' none
    assert "errors" not in body
    assert "errors" not in without
    assert counter.count == baseline + 1
    flags = {n["email"]: n["twoFactorEnabled"] for n in body["data"]["users"]["nodes"]}
    assert len(flags) == members + 1
    assert flags.pop(enabled["email"]) is True
    assert set(flags.values()) == {None}


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolvers"])
async def test_two_factor_enabled_reads_on_both_paths(db, factory, compiled):
    # given: an app on one read path, and a user who turned it on
    app = create_app(get_settings().replace(compiled_queries=compiled), database=db)
    app.state.db = db
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

        async def post(query: str, variables: dict[str, Any], token: str | None = None) -> Any:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            return response.json()

        user = await factory.user()
        login = await post(LOGIN, {"email": user.email, "password": PASSWORD})
        token = login["data"]["authLogin"]["accessToken"]
        before = await post(ME, {}, token)
        enrollment = (await post(ENROLL, {}, token))["data"]["twoFactorEnroll"]
        code = Clock(enrollment["secret"]).code(0)
        await post(CONFIRM, {"code": code}, token)
        after = await post(ME, {}, token)
    # then
    assert before == {"data": {"me": {"email": user.email, "twoFactorEnabled": False}}}
    assert after == {"data": {"me": {"email": user.email, "twoFactorEnabled": True}}}


# ---------------------------------------------------------------------------------------------
# Secrets encrypted at rest with TRELLIS_TWO_FACTOR_KEYS

OLD_KEY, NEW_KEY = "o" * 32, "n" * 32


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set TRELLIS_TWO_FACTOR_KEYS as a deployment would (settings read afresh)."""

    def use(*values: str) -> None:
        monkeypatch.setenv("TRELLIS_TWO_FACTOR_KEYS", ",".join(values))
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("TRELLIS_TWO_FACTOR_KEYS", raising=False)
    get_settings.cache_clear()


async def test_secrets_are_encrypted_and_keys_rotate(gql, sql, account, keys):
    # given: a key, and an enrollment under it
    keys(OLD_KEY)
    secret = await _enroll(gql, account["token"])
    clock = Clock(secret)
    # then: the database holds ciphertext only
    [(stored,)] = await sql("SELECT secret FROM two_factor_credentials")
    assert stored.startswith("fernet:")
    assert secret not in stored
    confirmed = await gql(CONFIRM, {"code": clock.code(-1)}, token=account["token"])
    recovery = confirmed["data"]["twoFactorConfirm"]["recoveryCodes"]
    # when: a new key is listed first, the old one kept after it
    keys(NEW_KEY, OLD_KEY)
    rotated = await _verify(gql, await _challenge(gql, account["email"]), clock.code(0))
    # then: codes still work
    assert rotated["__typename"] == "AuthTokens"
    # when: the old key is dropped too early
    keys(NEW_KEY)
    lost = await _verify(gql, await _challenge(gql, account["email"]), clock.code(1))
    rescued = await _verify(gql, await _challenge(gql, account["email"]), recovery[0])
    # then: app codes are refused, recovery codes still sign in
    assert lost == WRONG_CODE
    assert rescued["__typename"] == "AuthTokens"


def test_short_keys_are_refused(keys):
    keys("too short")
    with pytest.raises(InvalidSettings) as refused:
        get_settings()
    assert "TRELLIS_TWO_FACTOR_KEYS" in str(refused.value.lines)
