"""A real `trellis serve` process, reached over real HTTP: what `make run` users meet."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.factories import PASSWORD, Factory

LOGIN = """
mutation Login($email: String!, $password: String!) {
  authLogin(input: {email: $email, password: $password}) {
    __typename
    ... on AuthTokens { accessToken }
  }
}
"""
ITEMS = "{ items(first: 5) { totalCount nodes { title organization { slug } } } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(database_url: URL, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url.render_as_string(hide_password=False)}
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not become ready:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


async def test_login_and_query_over_http(server: str, factory: Factory) -> None:
    # given
    org = await factory.organization(slug="real-http")
    member = await factory.member(org, role="VIEWER", email="http@example.com")
    await factory.item(member.user, org, title="Over the wire")
    async with httpx.AsyncClient(base_url=server) as http:
        # when
        login = await http.post(
            "/graphql",
            json={"query": LOGIN, "variables": {"email": "http@example.com", "password": PASSWORD}},
        )
        token = login.json()["data"]["authLogin"]["accessToken"]
        items = await http.post(
            "/graphql", json={"query": ITEMS}, headers={"Authorization": f"Bearer {token}"}
        )
        graphiql = await http.get("/graphql", headers={"Accept": "text/html"})
    # then
    assert items.json() == {
        "data": {
            "items": {
                "totalCount": 1,
                "nodes": [{"title": "Over the wire", "organization": {"slug": "real-http"}}],
            }
        }
    }
    assert graphiql.status_code == 200
    assert "graphiql" in graphiql.text.lower()
