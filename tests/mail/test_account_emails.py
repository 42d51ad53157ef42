"""Email verification, own-account changes and password reset through the API, the
messages read from the outbox (the SMTP leg: test_email_flows_e2e.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

import models
from models.accounts import AccountToken
from tests.accounts.payloads import validation_error
from tests.factories import PASSWORD, Factory
from tests.mail.outbox import last_token, outbox
from tests.tenancy_helpers import snapshot

REGISTER = """
mutation($input: UserRegisterInput!) {
  userRegister(input: $input) { __typename ... on UserRegisterSuccess { user { email } } }
}
"""
VERIFY = """
mutation($token: String!) {
  emailVerify(input: {token: $token}) {
    __typename
    ... on EmailVerifySuccess { user { email emailVerifiedAt } }
    ... on InvalidTokenError { reason }
    ... on ValidationError { message code path fields { path code message } }
  }
}
"""
USER_UPDATE = """
mutation($input: UserUpdateInput!) {
  userUpdate(input: $input) {
    __typename
    ... on UserUpdateSuccess { user { email fullName } verificationSentTo sessionsRevoked }
    ... on ValidationError { message code path fields { path code message } }
    ... on AuthenticationError { message code path }
  }
}
"""
RESET_REQUEST = """
mutation($email: String!) {
  passwordResetRequest(input: {email: $email}) {
    __typename
    ... on PasswordResetRequestSuccess { message }
    ... on ValidationError { message code path fields { path code message } }
  }
}
"""
RESET = """
mutation($token: String!, $password: String!) {
  passwordReset(input: {token: $token, newPassword: $password}) {
    __typename
    ... on PasswordResetSuccess { user { email } }
    ... on InvalidTokenError { reason }
    ... on ValidationError { message code path fields { path code message } }
  }
}
"""
ME = "{ me { email } }"


async def _verified_at(db: Any, user_id: Any) -> datetime | None:
    async with db.sessions() as session:
        user = await session.get(models.User, user_id)
        assert user is not None
        return user.email_verified_at


async def test_registering_mails_a_verification_link_that_verifies_once(gql, db):
    # given
    body = await gql(REGISTER, {"input": {"email": "Ada@Example.com", "password": PASSWORD}})
    assert body["data"]["userRegister"]["__typename"] == "UserRegisterSuccess"
    [email] = await outbox(db)
    assert (email.kind, email.to_address) == ("email_verification", "ada@example.com")
    assert "Confirm that ada@example.com is your address" in email.text_body
    assert "<strong>ada@example.com</strong>" in email.html_body
    token = await last_token(db, "ada@example.com")
    # when
    verified = await gql(VERIFY, {"token": token})
    again = await gql(VERIFY, {"token": token})
    # then
    assert verified["data"]["emailVerify"]["__typename"] == "EmailVerifySuccess"
    assert verified["data"]["emailVerify"]["user"]["email"] == "ada@example.com"
    assert verified["data"]["emailVerify"]["user"]["emailVerifiedAt"] is not None
    assert again["data"]["emailVerify"] == {"__typename": "InvalidTokenError", "reason": "USED"}


async def test_an_email_change_is_taken_only_once_verified(gql, db, factory: Factory):
    # given
    ada = await factory.member(None, email="ada@example.com")
    change = {"email": "ada@new.example", "currentPassword": PASSWORD, "fullName": "Ada L."}
    # when
    body = await gql(USER_UPDATE, {"input": change}, token=ada.token)
    # then: the name changed at once, the email waits for its link
    assert body["data"]["userUpdate"] == {
        "__typename": "UserUpdateSuccess",
        "user": {"email": "ada@example.com", "fullName": "Ada L."},
        "verificationSentTo": "ada@new.example",
        "sessionsRevoked": 0,
    }
    token = await last_token(db, "ada@new.example")
    verified = await gql(VERIFY, {"token": token})
    assert verified["data"]["emailVerify"]["user"]["email"] == "ada@new.example"
    assert (await gql(ME, token=ada.token))["data"]["me"] == {"email": "ada@new.example"}
    assert await _verified_at(db, ada.user.id) is not None


async def test_a_verification_for_an_address_taken_meanwhile_is_refused(gql, db, factory):
    ada = await factory.member(None, email="ada@example.com")
    change = {"email": "ada@new.example", "currentPassword": PASSWORD}
    await gql(USER_UPDATE, {"input": change}, token=ada.token)
    token = await last_token(db, "ada@new.example")
    await factory.user(email="ADA@new.example")
    before = await snapshot(db)
    body = await gql(VERIFY, {"token": token})
    assert body["data"]["emailVerify"] == validation_error(
        ("token", "ALREADY_EXISTS", "Another account has this address now.")
    )
    assert await snapshot(db) == before


async def test_a_password_change_needs_the_current_one_and_signs_out_other_sessions(
    gql, db, factory
):
    # given: ada signed in twice
    ada = await factory.member(None, email="ada@example.com")
    other = await factory.token(ada.user)
    # when: a wrong current password, then the right one
    wrong = {"newPassword": "a brand new one", "currentPassword": "not it"}
    refused = await gql(USER_UPDATE, {"input": wrong}, token=ada.token)
    right = {"newPassword": "a brand new one", "currentPassword": PASSWORD}
    changed = await gql(USER_UPDATE, {"input": right}, token=ada.token)
    # then
    assert refused["data"]["userUpdate"] == validation_error(
        ("currentPassword", "INVALID", "Your current password is needed.")
    )
    assert changed["data"]["userUpdate"]["sessionsRevoked"] == 1
    assert (await gql(ME, token=ada.token))["data"]["me"] == {"email": "ada@example.com"}
    await gql(ME, token=other, status=401)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"email": "bad"}, [("email", "INVALID_FORMAT", "Not a valid email address."),
                            ("currentPassword", "INVALID", "Your current password is needed.")]),
        ({"newPassword": "short", "currentPassword": PASSWORD},
         [("newPassword", "TOO_SHORT", "Use at least 8 characters.")]),
        ({"email": "taken@example.com", "currentPassword": PASSWORD},
         [("email", "ALREADY_EXISTS", "An account with this email exists.")]),
    ],
    ids=["bad-email-no-password", "short-password", "email-taken"],
)  # fmt: skip
async def test_user_update_refusals_change_nothing(gql, db, factory, change, expected):
    ada = await factory.member(None, email="ada@example.com")
    await factory.user(email="taken@example.com")
    before = await snapshot(db)
    body = await gql(USER_UPDATE, {"input": change}, token=ada.token)
    assert body["data"]["userUpdate"] == validation_error(*expected)
    assert await snapshot(db) == before


async def test_user_update_needs_a_sign_in(gql):
    body = await gql(USER_UPDATE, {"input": {"fullName": "x"}})
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_password_reset_reveals_nothing_and_ends_every_session(gql, db, factory):
    # given
    ada = await factory.member(None, email="ada@example.com")
    # when: asked for a known and an unknown address
    known = await gql(RESET_REQUEST, {"email": "ada@example.com"})
    unknown = await gql(RESET_REQUEST, {"email": "nobody@example.com"})
    # then: the same answer; one email, to ada
    assert known == unknown
    assert [(e.kind, e.to_address) for e in await outbox(db)] == [
        ("password_reset", "ada@example.com")
    ]
    token = await last_token(db, "ada@example.com")
    # a short password is refused and spends nothing
    short = await gql(RESET, {"token": token, "password": "short"})
    assert short["data"]["passwordReset"] == validation_error(
        ("newPassword", "TOO_SHORT", "Use at least 8 characters.")
    )
    reset = await gql(RESET, {"token": token, "password": "long and new"})
    assert reset["data"]["passwordReset"]["__typename"] == "PasswordResetSuccess"
    await gql(ME, token=ada.token, status=401)


async def test_a_newer_reset_email_voids_the_older_link_and_links_expire(gql, db, factory):
    await factory.member(None, email="ada@example.com")
    await gql(RESET_REQUEST, {"email": "ada@example.com"})
    older = await last_token(db, "ada@example.com")
    await gql(RESET_REQUEST, {"email": "ada@example.com"})
    newer = await last_token(db, "ada@example.com")
    voided = await gql(RESET, {"token": older, "password": "long and new"})
    assert voided["data"]["passwordReset"] == {"__typename": "InvalidTokenError", "reason": "USED"}
    async with db.sessions() as session, session.begin():
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(AccountToken).values(expires_at=past))
    expired = await gql(RESET, {"token": newer, "password": "long and new"})
    assert expired["data"]["passwordReset"] == {
        "__typename": "InvalidTokenError",
        "reason": "EXPIRED",
    }


async def test_a_malformed_reset_address_is_refused(gql, db):
    body = await gql(RESET_REQUEST, {"email": "nope"})
    assert body["data"]["passwordResetRequest"] == validation_error(
        ("email", "INVALID_FORMAT", "Not a valid email address.")
    )
    assert await outbox(db) == []
