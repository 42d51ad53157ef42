"""Behind a reverse proxy: X-Forwarded-For is believed from the trusted proxies only, so the
login throttle and the logs see the real client, and a client cannot forge its address."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

import models
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
THROTTLE = {"TRELLIS_LOGIN_ATTEMPTS_PER_ADDRESS": "3", "TRELLIS_LOGIN_ATTEMPTS_PER_ACCOUNT": "50"}


def _login(base: str, email: str, password: str, forwarded_for: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": LOGIN, "variables": {"email": email, "password": password}},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=30,
    )
    payload: dict[str, str] = response.json()["data"]["authLogin"]
    return payload


def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
    database_url: URL, tmp_path: Path, db: Database
) -> None:
    # (`db`: the failures recorded are emptied after the test, like every table)
    # given: no trusted proxy; the client forges a new address for each attempt
    with running_server(database_url, tmp_path, env=THROTTLE) as base:
        for n in range(3):
            failed = _login(base, f"nobody{n}@example.com", "wrong", f"198.51.100.{n}")
            assert failed["message"] == "Invalid email or password."
        # when
        fourth = _login(base, "nobody9@example.com", "wrong", "198.51.100.99")
    # then: all four came from the peer's address, which is now throttled
    assert fourth["message"].startswith("Too many attempts")


async def test_a_trusted_proxy_gives_the_real_client_address(
    database_url: URL, tmp_path: Path, factory: Factory, db: Database
) -> None:
    # given: the test's client is the proxy (127.0.0.1), trusted
    await factory.member(email="behind@example.com")
    env = {**THROTTLE, "TRELLIS_TRUSTED_PROXIES": "127.0.0.1"}
    with running_server(database_url, tmp_path, env=env) as base:
        for _ in range(3):
            _login(base, "someone@example.com", "wrong", "203.0.113.7")
        # when
        attacker = _login(base, "someone-else@example.com", "wrong", "203.0.113.7")
        neighbour = _login(base, "behind@example.com", PASSWORD, "203.0.113.8, 127.0.0.1")
    # then: the attacker's address is throttled, not everyone behind the proxy
    assert attacker["message"].startswith("Too many attempts")
    assert neighbour["__typename"] == "AuthTokens"
    async with db.sessions() as session:
        ips = (
            await session.scalars(
                select(models.AuthSession.ip).where(models.AuthSession.ip.is_not(None))
            )
        ).all()
    assert ips == ["203.0.113.8"]
    # the request lines (JSON: the server's stdout is a file) name the real client
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    clients = [line["client"] for line in lines if line.get("route") == "/graphql"]
    assert "203.0.113.8" in clients
