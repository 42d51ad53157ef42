"""Profile one benchmark query in-process: `python -m bench.profile Q2 [--n 200]`.

Drives the ASGI app directly (no HTTP) so the profile shows Trellis's own work; prints the
mean time per request and pyinstrument's (or cProfile's) top entries.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time

import httpx

from bench.dataset import bench_url, mint_token
from bench.queries import QUERIES
from graph.database import Database
from graph.server.app import create_app


async def _run(name: str, n: int, profile: bool) -> None:
    url = bench_url()
    token = mint_token(url)
    query = next(q for q in QUERIES if q.name == name)
    db = Database(url, pool_size=4)
    app = create_app(database=db)
    app.state.db = db
    transport = httpx.ASGITransport(app=app)
    body = {"query": query.document, "variables": query.variables}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(20):
            (await client.post("/graphql", json=body, headers=headers)).raise_for_status()
        profiler = cProfile.Profile()
        start = time.perf_counter()
        if profile:
            profiler.enable()
        for _ in range(n):
            await client.post("/graphql", json=body, headers=headers)
        if profile:
            profiler.disable()
        elapsed = time.perf_counter() - start
    await db.dispose()
    print(f"{name}: {elapsed / n * 1000:.2f} ms per request (sequential, in-process)")
    if profile:
        profiler.dump_stats("/tmp/q.prof")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("query")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(_run(args.query, args.n, not args.no_profile))


if __name__ == "__main__":
    main()
