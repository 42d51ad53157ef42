"""SQL statements per request, counted in-process.

The same application the server runs (`graph.server.app.create_app`), over `httpx.ASGITransport`,
with `graph.database.StatementCounter` on both engines. Each query runs twice and the second
request is counted (the first one may warm caches); the authentication statement is included.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.engine import URL

from bench.queries import BenchQuery
from graph.database import Database, StatementCounter
from graph.server.app import create_app


@dataclass(frozen=True)
class StatementCount:
    count: int
    statements: list[str]
    status: int
    response: Any


async def _count(url: URL, token: str, queries: list[BenchQuery]) -> dict[str, StatementCount]:
    db = Database(url, pool_size=2)
    app = create_app(database=db)
    app.state.db = db  # ASGITransport does not run the lifespan that would set it
    counter = StatementCounter(db)
    results: dict[str, StatementCount] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for query in queries:
                for _ in range(2):
                    counter.reset()
                    response = await client.post(
                        "/graphql", json=query.request_body(), headers=headers
                    )
                results[query.name] = StatementCount(
                    count=counter.count,
                    statements=list(counter.statements),
                    status=response.status_code,
                    response=response.json(),
                )
    finally:
        counter.close()
        await db.dispose()
    return results


def count_statements(url: URL, token: str, queries: list[BenchQuery]) -> dict[str, StatementCount]:
    return asyncio.run(_count(url, token, queries))
