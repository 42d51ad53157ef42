"""Test fixtures: a real PostgreSQL (embedded, or DATABASE_URL's server), migrated once per
session, emptied after each test; the app driven over ASGI by an HTTP client."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.engine import URL

import models
from graph.admin import migrations
from graph.database import Database, StatementCounter, drop_database, ensure_database, server_url
from graph.schema import TrellisSchema
from graph.server.app import create_app
from graph.settings import get_settings
from models.ai import AIModel
from tests.factories import Factory

TEST_DB = f"trellis_test_{os.getpid()}"
KEEP = {"roles", "permissions", "role_permissions", "alembic_version", "ai_models"}
# The global AI model migration 0015_ai registers as the default embedder.
DEFAULT_EMBEDDER = "wordllama-l2-supercat"


@pytest.fixture(scope="session")
def database_url() -> Iterator[URL]:
    url = server_url(get_settings()).set(database=TEST_DB)
    asyncio.run(drop_database(url))
    asyncio.run(ensure_database(url))
    migrations.upgrade(url)
    yield url
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
async def db(database_url: URL) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=10)
    yield database
    await database.dispose()


@pytest.fixture(autouse=True)
async def _clean(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table after a test (built-in roles and permissions stay)."""
    yield
    if "db" not in request.fixturenames:
        return
    db: Database = request.getfixturevalue("db")
    async with db.engine.begin() as conn:
        for table in reversed(models.Base.metadata.sorted_tables):
            if table.name in KEEP:
                continue
            await conn.execute(delete(table))
        await conn.execute(delete(models.Role).where(models.Role.organization_id.is_not(None)))
        await conn.execute(delete(AIModel).where(AIModel.name != DEFAULT_EMBEDDER))
        await conn.execute(update(AIModel).values(default_embedder=True))


@pytest.fixture
def app(db: Database) -> Any:
    application = create_app(database=db)
    application.state.db = db
    return application


READ_PATHS = ("compiled", "resolvers")


@pytest.fixture(params=READ_PATHS)
def read_path(request: pytest.FixtureRequest) -> str:
    """The read path a test runs on, both in turn: "compiled" (a query whose every field maps
    onto the data model is answered by one SQL statement, graph/compiled/) or "resolvers"
    (graphql-core with the dataloaders: one batched statement per relation level). A module
    opts in by overriding `app` with `read_path_app`."""
    path: str = request.param
    return path


@pytest.fixture
def read_path_app(db: Database, read_path: str) -> Any:
    """The app on ``read_path``; for a module's ``app`` override."""
    settings = get_settings().replace(compiled_queries=read_path == "compiled")
    application = create_app(settings, database=db)
    application.state.db = db
    return application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def full_path_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents Strawberry executes from now on: requests the compiled fast lane
    (graph/compiled/lane.py) left to the full path."""
    seen: list[str] = []
    execute = TrellisSchema.execute

    async def spy(self: TrellisSchema, query: str | None, *args: Any, **kwargs: Any) -> Any:
        seen.append(query or "")
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(TrellisSchema, "execute", spy)
    return seen


@pytest.fixture
def factory(db: Database) -> Factory:
    return Factory(db)


@pytest.fixture
def counter(db: Database) -> Iterator[StatementCounter]:
    c = StatementCounter(db)
    yield c
    c.close()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Any:
    """POST a GraphQL document; returns the decoded response body."""

    async def run(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        status: int = 200,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


async def row_count(db: Database, table: str) -> int:
    async with db.read_engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
