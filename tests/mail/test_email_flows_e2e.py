"""End to end over HTTP and SMTP: a real `trellis serve`, a real `trellis worker` and a real
SMTP server (aiosmtpd) started by the test. An invitation is mailed, accepted with the
link's token, and the token fails the second time; a password reset likewise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.factories import Factory, gid
from tests.mail.conftest import Inbox, parts, token_in
from tests.servers import running_server, running_worker

pytestmark = pytest.mark.slow

INVITE = """
mutation($input: InvitationCreateInput!) {
  invitationCreate(input: $input) {
    __typename
    ... on InvitationSuccess { invitation { id email status sentCount role { name } } }
    ... on Error { message }
  }
}
"""
ACCEPT = """
mutation($input: InvitationAcceptInput!) {
  invitationAccept(input: $input) {
    __typename
    ... on InvitationAcceptSuccess {
      accountCreated
      invitation { status acceptedBy { email } }
      membership { role { name } organization { slug } }
      user { email }
    }
    ... on InvalidTokenError { message code path reason }
  }
}
"""
LOGIN = """
mutation($email: String!, $password: String!) {
  authLogin(input: {email: $email, password: $password}) {
    __typename
    ... on AuthTokens { accessToken }
  }
}
"""
MY_ORGANIZATIONS = "{ me { email memberships { nodes { organization { slug } role { name } } } } }"
RESET_REQUEST = """
mutation($email: String!) {
  passwordResetRequest(input: {email: $email}) {
    __typename
    ... on PasswordResetRequestSuccess { message }
  }
}
"""
RESET = """
mutation($token: String!, $password: String!) {
  passwordReset(input: {token: $token, newPassword: $password}) {
    __typename
    ... on PasswordResetSuccess { user { email } }
    ... on InvalidTokenError { reason }
  }
}
"""


def _env(port: int) -> dict[str, str]:
    return {
        "TRELLIS_SMTP_HOST": "127.0.0.1",
        "TRELLIS_SMTP_PORT": str(port),
        "TRELLIS_SMTP_SECURITY": "none",
        "TRELLIS_EMAIL_SENDER": "Trellis <no-reply@trellis.test>",
        "TRELLIS_PUBLIC_URL": "https://app.trellis.test",
        "TRELLIS_WORKER_POLL": "0.5",
    }


def _post(base: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_an_invitation_travels_by_email_and_its_token_works_once(
    factory: Factory, database_url: URL, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    # given: an organization, its OWNER, a server and a worker that sends through the test's
    # SMTP server
    inbox, port = smtp
    org = await factory.organization(name="Acme Ltd", slug="acme-ltd")
    owner = await factory.member(org, "OWNER", full_name="Olivia Owner")
    roles = {"EDITOR": gid("Role", await factory.role_id("EDITOR"))}
    env = _env(port)
    with (
        running_server(database_url, tmp_path, env=env) as base,
        running_worker(database_url, tmp_path / "worker.log", env=env),
    ):
        # when: the owner invites an address with no account
        invite = {"organization": gid("Organization", org.id), "email": "New.Person@Example.com",
                  "role": roles["EDITOR"]}  # fmt: skip
        created = _post(base, INVITE, {"input": invite}, owner.token)["invitationCreate"]
        assert created["__typename"] == "InvitationSuccess", created
        assert created["invitation"]["email"] == "new.person@example.com"
        assert created["invitation"]["status"] == "PENDING"

        # then: the email arrives, in text and HTML, with a link to the frontend
        [message] = await inbox.wait_for(1)
        assert message["To"] == "new.person@example.com"
        assert message["From"] == "Trellis <no-reply@trellis.test>"
        assert message["Subject"] == "Olivia Owner invited you to Acme Ltd on Trellis"
        plain, html = parts(message)
        assert "https://app.trellis.test/invitations/accept?token=trl_inv_" in plain
        assert "as EDITOR" in plain
        assert '<a href="https://app.trellis.test/invitations/accept?token=trl_inv_' in html
        token = token_in(message)

        # when: the invitee accepts with the link's token, signing up
        accept = {"token": token, "password": "a new password", "fullName": "New Person"}
        accepted = _post(base, ACCEPT, {"input": accept})["invitationAccept"]

        # then: the membership exists, and the new account signs in and sees it
        assert accepted == {
            "__typename": "InvitationAcceptSuccess",
            "accountCreated": True,
            "invitation": {"status": "ACCEPTED", "acceptedBy": None},  # anonymous caller
            "membership": {"role": {"name": "EDITOR"}, "organization": None},  # not yet signed in
            "user": {"email": "new.person@example.com"},
        }
        login = {"email": "new.person@example.com", "password": "a new password"}
        session = _post(base, LOGIN, login)["authLogin"]
        assert session["__typename"] == "AuthTokens"
        me = _post(base, MY_ORGANIZATIONS, {}, session["accessToken"])["me"]
        assert me["memberships"]["nodes"] == [
            {"organization": {"slug": "acme-ltd"}, "role": {"name": "EDITOR"}}
        ]

        # when / then: the same token fails the second time, with a typed error
        again = _post(base, ACCEPT, {"input": accept})["invitationAccept"]
        assert again == {
            "__typename": "InvalidTokenError",
            "message": "This link was used already.",
            "code": "VALIDATION",
            "path": ["token"],
            "reason": "USED",
        }
    assert len(inbox.messages) == 1
    assert inbox.envelopes == [("no-reply@trellis.test", ["new.person@example.com"])]


async def test_a_password_reset_travels_by_email_and_its_token_works_once(
    factory: Factory, database_url: URL, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    # given
    inbox, port = smtp
    user = await factory.user(email="ada@example.com")
    env = _env(port)
    with (
        running_server(database_url, tmp_path, env=env) as base,
        running_worker(database_url, tmp_path / "worker.log", env=env),
    ):
        # when: a reset is asked for an unknown address, then for ada's
        unknown = _post(base, RESET_REQUEST, {"email": "nobody@example.com"})
        known = _post(base, RESET_REQUEST, {"email": "ADA@example.com"})
        # then: both answers are the same, and only ada gets an email
        assert unknown == {"passwordResetRequest": known["passwordResetRequest"]}
        assert known["passwordResetRequest"]["__typename"] == "PasswordResetRequestSuccess"
        [message] = await inbox.wait_for(1)
        assert message["To"] == user.email
        assert "https://app.trellis.test/reset-password?token=trl_pwr_" in parts(message)[0]
        token = token_in(message)

        # when: the link's token sets a new password
        reset = _post(base, RESET, {"token": token, "password": "brand new secret"})
        # then: the new password signs in, the old one does not, and the token is spent
        assert reset == {
            "passwordReset": {
                "__typename": "PasswordResetSuccess",
                "user": {"email": "ada@example.com"},
            }
        }
        new = _post(base, LOGIN, {"email": user.email, "password": "brand new secret"})
        old = _post(base, LOGIN, {"email": user.email, "password": "correct horse battery"})
        assert new["authLogin"]["__typename"] == "AuthTokens"
        assert old["authLogin"]["__typename"] == "AuthenticationError"
        again = _post(base, RESET, {"token": token, "password": "another secret"})
        assert again == {"passwordReset": {"__typename": "InvalidTokenError", "reason": "USED"}}
    assert len(inbox.messages) == 1
