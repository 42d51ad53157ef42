"""The login throttle counts in PostgreSQL: failures split across two real server processes
lock the account as one count, not one per process."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from graph.database import Database
from tests.factories import PASSWORD, Factory
from tests.servers import running_server

pytestmark = pytest.mark.slow

LOGIN = """
mutation Login($email: String!, $password: String!) {
  authLogin(input: {email: $email, password: $password}) {
    __typename
    ... on Error { message }
  }
}
"""
LIMITS = {"TRELLIS_LOGIN_ATTEMPTS_PER_ACCOUNT": "4", "TRELLIS_LOGIN_ATTEMPTS_PER_ADDRESS": "100"}


def _login(base: str, email: str, password: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": LOGIN, "variables": {"email": email, "password": password}},
        timeout=30,
    )
    payload: dict[str, str] = response.json()["data"]["authLogin"]
    return payload


async def test_failures_split_across_two_processes_lock_as_one(
    database_url: URL, tmp_path: Path, factory: Factory, db: Database
) -> None:
    # given: one account, two server processes on one database
    await factory.member(email="shared@example.com")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        running_server(database_url, tmp_path / "a", env=LIMITS) as a,
        running_server(database_url, tmp_path / "b", env=LIMITS) as b,
    ):
        # when: four failures, two on each process
        answers = [_login(base, "shared@example.com", "wrong") for base in (a, b, a, b)]
        # then: the fifth attempt is refused on both, even with the right password
        after_a = _login(a, "SHARED@example.com", PASSWORD)
        after_b = _login(b, "shared@example.com", PASSWORD)
        other = _login(b, "other@example.com", "wrong")
    assert [x["message"] for x in answers] == ["Invalid email or password."] * 4
    assert after_a["__typename"] == after_b["__typename"] == "AuthenticationError"
    assert after_a["message"].startswith("Too many attempts, try again in ")
    assert after_b["message"].startswith("Too many attempts, try again in ")
    assert other["message"] == "Invalid email or password."
    # the counters: an UNLOGGED table, holding hashes, never the email typed
    async with db.read_engine.connect() as conn:
        persistence = await conn.scalar(
            text("SELECT relpersistence FROM pg_class WHERE relname = 'login_failures'")
        )
        keys = (await conn.execute(text("SELECT key FROM login_failures"))).scalars().all()
    assert persistence == "u"
    assert len(keys) == 10  # five failures, each under the account and the address
    assert not any("example.com" in k for k in keys)
