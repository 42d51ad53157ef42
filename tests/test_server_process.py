"""A real `trellis serve` process, reached over real HTTP: what `make run` users meet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.factories import PASSWORD, Factory
from tests.servers import running_server

LOGIN = """
mutation Login($email: String!, $password: String!) {
  authLogin(input: {email: $email, password: $password}) {
    __typename
    ... on AuthTokens { accessToken }
  }
}
"""
ITEMS = "{ items(first: 5) { totalCount nodes { title organization { slug } } } }"


@pytest.fixture
def server(database_url: URL, tmp_path: Path) -> Iterator[str]:
    with running_server(database_url, tmp_path, workers=2) as base:
        yield base


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
