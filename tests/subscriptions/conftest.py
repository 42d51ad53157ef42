"""Two real server processes on the test database, shared by the subscription tests, and a
client posting GraphQL to either."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.servers import running_server

# Legacy protocol on; short init timeout, credential re-check and presence TTL, so the tests
# of those limits need not wait long.
SERVER_ENV = {
    "TRELLIS_WS_LEGACY": "1",
    "TRELLIS_WS_INIT_TIMEOUT": "1",
    "TRELLIS_WS_RECHECK": "1",
    "TRELLIS_PRESENCE_TTL": "2",
}
PRESENCE_TTL = 2


@pytest.fixture(scope="package")
def servers(database_url: URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with (
        running_server(database_url, tmp_path_factory.mktemp("a"), env=SERVER_ENV) as a,
        running_server(database_url, tmp_path_factory.mktemp("b"), env=SERVER_ENV) as b,
    ):
        yield [a, b]


@pytest.fixture
async def http(servers: list[str]) -> AsyncIterator[Any]:
    """POST a GraphQL request to one of the servers (index), as a token; its `data`."""
    async with httpx.AsyncClient(timeout=30) as client:

        async def run(
            server: int, query: str, variables: dict[str, Any], token: str
        ) -> dict[str, Any]:
            response = await client.post(
                f"{servers[server]}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body
            return body["data"]

        yield run
