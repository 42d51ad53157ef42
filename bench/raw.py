"""The baseline: what a hand-written psycopg program fetching the same data achieves.

Run as its own process by the harness (``python -m bench.raw --query Q2 ...``): N concurrent
workers, each on its own autocommit connection, each "request" being the query's single raw
SQL statement (`BenchQuery.raw_sql`: authenticate the token, scope to the viewer's
organizations, build the whole response with json_build_object/json_agg) fetched as text.
Statements are prepared server-side after a few executions (psycopg's default), as Trellis's
are. Requests completing during the measured window are counted after a warm-up; every answer
is compared with the first one. Prints one line: ``RAW_RESULT {json}``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Any

import psycopg

from bench.queries import by_name

RESULT_PREFIX = "RAW_RESULT "
DSN_ENV = "BENCH_DSN"  # the DSN travels in the environment: it may hold a password


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def fetch(conn: psycopg.AsyncConnection[Any], sql: str, params: dict[str, Any]) -> str:
    """One request: the statement's single JSON text value."""
    cursor = await conn.execute(sql, params)
    row = await cursor.fetchone()
    if row is None or not isinstance(row[0], str):
        raise RuntimeError(f"the baseline statement returned {row!r}")
    return row[0]


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


async def measure(
    dsn: str,
    sql: str,
    params: dict[str, Any],
    *,
    connections: int,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    conns = [
        await psycopg.AsyncConnection.connect(dsn, autocommit=True) for _ in range(connections)
    ]
    try:
        reference = await fetch(conns[0], sql, params)
        start = time.perf_counter()
        window_start, window_end = start + warmup, start + warmup + duration
        latencies: list[float] = []
        mismatches = 0

        async def worker(conn: psycopg.AsyncConnection[Any]) -> None:
            nonlocal mismatches
            while (began := time.perf_counter()) < window_end:
                answer = await fetch(conn, sql, params)
                ended = time.perf_counter()
                if answer != reference:
                    mismatches += 1
                if window_start <= ended <= window_end:
                    latencies.append(ended - began)

        await asyncio.gather(*(worker(conn) for conn in conns))
    finally:
        for conn in conns:
            await conn.close()
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": duration,
        "requests_per_second": len(latencies) / duration,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0.0,
        "mismatches": mismatches,
        "sha256": digest(reference),
        "bytes": len(reference.encode()),
    }


def _run(main: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """uvloop when it is installed (Trellis's server uses it too), else asyncio's loop."""
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if importlib.util.find_spec("uvloop") is not None:
        import uvloop

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(main)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.raw", description=__doc__)
    parser.add_argument(
        "--dsn",
        default=os.environ.get(DSN_ENV),
        help=f"libpq URI of the bench database (default: ${DSN_ENV})",
    )
    parser.add_argument("--query", required=True, help="query name, e.g. Q2")
    parser.add_argument("--token-hash", required=True, help="sha256 of the bench user's token")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error(f"pass --dsn or set {DSN_ENV}")
    query = by_name(args.query)
    params = {**query.raw_params, "token_hash": args.token_hash}
    result = _run(
        measure(
            args.dsn,
            query.raw_sql,
            params,
            connections=args.connections,
            warmup=args.warmup,
            duration=args.duration,
        )
    )
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
