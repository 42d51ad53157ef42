"""Two-factor sign-in over real HTTP across two `trellis serve` processes on one database: a
real TOTP code computed here, a code refused when replayed on the other process, a recovery
code used once across both, wrong codes locking the account as one count, and no secret,
code or challenge in either server's log."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.accounts.test_two_factor import (
    CONFIRM,
    ENROLL,
    LOGIN,
    ME,
    STEP,
    VERIFY,
    WRONG_CODE,
    Clock,
)
from tests.factories import PASSWORD, Factory
from tests.servers import running_server

pytestmark = pytest.mark.slow

LIMITS = {"TRELLIS_LOGIN_ATTEMPTS_PER_ACCOUNT": "4", "TRELLIS_LOGIN_ATTEMPTS_PER_ADDRESS": "100"}


def _post(base: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def _challenge(base: str, email: str) -> str:
    answer = _post(base, LOGIN, {"email": email, "password": PASSWORD})
    assert answer["__typename"] == "TwoFactorChallenge", answer
    challenge: str = answer["challenge"]
    return challenge


def _verify(base: str, challenge: str, code: str) -> Any:
    return _post(base, VERIFY, {"challenge": challenge, "code": code})


async def test_two_factor_across_two_processes(
    database_url: URL, tmp_path: Path, factory: Factory
) -> None:
    # given: an account, two server processes on one database
    await factory.user(email="procs@example.com")
    email = "procs@example.com"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        running_server(database_url, tmp_path / "a", env=LIMITS) as a,
        running_server(database_url, tmp_path / "b", env=LIMITS) as b,
    ):
        token = _post(a, LOGIN, {"email": email, "password": PASSWORD})["accessToken"]
        if STEP - time.time() % STEP < 12:  # the codes below must fall inside one time step
            await asyncio.sleep(STEP - time.time() % STEP + 0.1)
        # when: enrolled on one process, confirmed with a real code on the other
        secret = _post(a, ENROLL, {}, token)["secret"]
        clock = Clock(secret)
        confirmed = _post(b, CONFIRM, {"code": clock.code(-1)}, token)
        recovery = confirmed["recoveryCodes"]
        # then: signing in takes a code; the tokens work on both processes
        challenge = _challenge(b, email)
        tokens = _verify(a, challenge, clock.code(0))
        me = _post(b, ME, {}, tokens["accessToken"])
        # a replayed code is refused by the other process, as a used recovery code is
        replayed = _verify(b, _challenge(b, email), clock.code(0))
        first = _verify(a, _challenge(a, email), recovery[0])
        again = _verify(b, _challenge(b, email), recovery[0])
        # wrong codes, split across both, lock the account as one count
        pending = _challenge(a, email)
        wrong = [_verify(base, pending, clock.wrong()) for base in (a, b)]
        locked_a = _verify(a, pending, clock.code(1))
        locked_b = _post(b, LOGIN, {"email": email, "password": PASSWORD})
    assert confirmed["user"] == {"email": email, "twoFactorEnabled": True}
    assert tokens["__typename"] == "AuthTokens"
    assert me == {"email": email, "twoFactorEnabled": True}
    assert replayed == WRONG_CODE
    assert first["__typename"] == "AuthTokens"
    assert again == WRONG_CODE
    # 2 refusals above + 2 wrong codes = the limit of 4
    assert wrong == [WRONG_CODE, WRONG_CODE]
    assert locked_a["message"].startswith("Too many attempts, try again in ")
    assert locked_b["message"].startswith("Too many attempts, try again in ")
    # and nothing secret reached either server's log
    logs = (tmp_path / "a" / "server.log").read_text() + (tmp_path / "b" / "server.log").read_text()
    for hidden in [secret, challenge, pending, *recovery]:
        assert hidden not in logs
