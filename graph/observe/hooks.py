"""Where the database reports each statement: to the running request's record (count and
time), and to the traces (a span per statement)."""

from __future__ import annotations

from time import perf_counter_ns
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.database import Database
from graph.observe import tracing
from graph.observe.record import current

_STARTED = "trellis_statement_started"


def statement(sql: str, start_ns: int, end_ns: int) -> None:
    found = current.get()
    if found is not None:
        found.statements += 1
        found.sql_seconds += (end_ns - start_ns) / 1e9
    tracing.statement(sql, start_ns, end_ns)


def _before(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
    conn.info[_STARTED] = perf_counter_ns()


def _after(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
    started = conn.info.pop(_STARTED, None)
    if started is not None:
        statement(sql, started, perf_counter_ns())


def instrument(db: Database) -> None:
    """Report every statement of ``db``'s reader and engines."""
    if statement not in db.reader.timers:
        db.reader.timers.append(statement)
    for engine in (db.engine, db.read_engine):
        _listen(engine)


def _listen(engine: AsyncEngine) -> None:
    sync = engine.sync_engine
    if not event.contains(sync, "before_cursor_execute", _before):
        event.listen(sync, "before_cursor_execute", _before)
        event.listen(sync, "after_cursor_execute", _after)


def pool_usage(db: Database) -> tuple[dict[str, tuple[int, int]], int]:
    """Connections in use and idle per pool, and requests waiting for a read connection."""
    stats = db.reader.pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    pools = {"read": (size - idle, idle)}
    for name, engine in (("write", db.engine), ("health", db.read_engine)):
        pool: Any = engine.pool
        pools[name] = (pool.checkedout(), pool.checkedin())
    return pools, stats.get("requests_waiting", 0)
