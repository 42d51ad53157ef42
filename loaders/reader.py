"""The psycopg reader: read statements compiled once per shape, run on a pool of autocommit
connections (one pooled connection per batch, so concurrently running resolvers never share one;
no BEGIN/ROLLBACK round trips on reads; constant SQL texts prepared server-side)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from time import perf_counter_ns
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


# Distinct statement shapes whose SQL text is kept per process (relation x ordering x page
# size).
SQL_CACHE_SIZE = 4096


class Reader:
    """Runs read statements on a pool of autocommit psycopg connections.

    ``listeners`` are called with each statement's SQL (the tests count statements with it);
    ``timers`` with its SQL and its start and end (``perf_counter_ns``: metrics, traces).
    """

    def __init__(self, conninfo: str, *, pool_size: int = 10) -> None:
        self.pool = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={
                "autocommit": True,
                # The same SQL texts run all the time: prepare them server-side early.
                "prepare_threshold": 3,
                # The working set lives in memory: an index probe costs little more than a
                # sequential read. Without this the planner hash-joins whole small tables
                # per LATERAL iteration (a page of tags per item: 38 ms instead of 6).
                # Timestamps leave in UTC whatever the server's or role's default zone.
                "options": "-c random_page_cost=1.1 -c jit=off -c TimeZone=UTC",
            },
            open=False,
        )
        self.listeners: list[Callable[[str], None]] = []
        self.timers: list[Callable[[str, int, int], None]] = []
        self._opened = False
        # SQL text and default parameters by statement shape (`sql_for`).
        self._sql_cache: dict[Hashable, tuple[str, dict[str, Any]]] = {}

    async def _open(self) -> None:
        if not self._opened:
            self._opened = True
            await self.pool.open()

    async def close(self) -> None:
        if self._opened:
            await self.pool.close()

    def sql_for(self, key: Hashable | None, build: Callable[[], Any]) -> tuple[str, dict[str, Any]]:
        """The SQL text and default parameters of a statement, compiled once per ``key``
        (None: a statement with values baked in, compiled every time)."""
        found = self._sql_cache.get(key) if key is not None else None
        if found is None:
            found = self.compile(build())
            if key is not None:
                if len(self._sql_cache) >= SQL_CACHE_SIZE:  # bounded: keys follow clients
                    self._sql_cache.clear()
                self._sql_cache[key] = found
        return found

    @staticmethod
    def compile(statement: Any) -> tuple[str, dict[str, Any]]:
        """A statement's SQL text (psycopg's %(name)s placeholders) and parameter values."""
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        return compiled.string, dict(compiled.params)

    async def rows(
        self, key: Hashable | None, build: Callable[[], Any], params: dict[str, Any]
    ) -> list[tuple[Any, ...]]:
        sql, defaults = self.sql_for(key, build)
        return await self.execute(sql, {**defaults, **params})

    async def execute(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        await self._open()
        conn: AsyncConnection[Any]
        async with self.pool.connection() as conn:
            start = perf_counter_ns()
            cursor = await conn.execute(sql, params, binary=True)
            rows = await cursor.fetchall()
            end = perf_counter_ns()
        for listener in self.listeners:
            listener(sql)
        for timer in self.timers:
            timer(sql, start, end)
        return rows
