"""Search and aggregates over HTTP: a full-text search over 50,000 items and a grouped
aggregate over 150,000 properties, through a real `trellis serve`.

    python -m bench.search                     # 10 s per query, 16 connections
    python -m bench.search --duration 5 --connections 8

Its own database (`trellis_bench_search`, seeded once by SQL: one English-searching
organization, 50,000 items whose titles and descriptions are drawn from a word list, 150,000
properties over two years, five statuses and 1-6 bedrooms) and its own bench user (a VIEWER
member: every row is scoped as a member's would be). Correctness first: each query's answer
is checked against plain SQL over the tables (the search's total and first page, the groups'
counts and sums), then wrk (bench/wrk.py) drives it, comparing every response body with the
verified one. Prints req/s, p50 and p99 per query and writes bench/results/search.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import server, wrk
from bench.dataset import psycopg_dsn
from graph.admin import migrations
from graph.auth import ACCESS_PREFIX, REFRESH_PREFIX, hash_token, new_token
from graph.database import drop_database, ensure_database, server_url
from graph.settings import PROJECT_ROOT, get_settings

DATABASE_NAME = "trellis_bench_search"
RESULTS = PROJECT_ROOT / "bench" / "results" / "search.json"
ITEMS, PROPERTIES = 50_000, 150_000
DATASET = f"search-v1:{ITEMS}:{PROPERTIES}"

SEARCH = """
query($search: String!) {
  items(search: $search, first: 20) {
    totalCount
    edges { score snippet node { id title } }
  }
}"""
# A broad search (about 9,000 of the 50,000 items match) and a narrow one (a phrase).
SEARCH_TEXT = 'garden -winter "copper lamp" or lantern'
NARROW_TEXT = '"brass clock"'

GROUPED = """
{
  properties {
    aggregate {
      count
      groups(by: [{field: CREATED_AT, truncate: MONTH, timeZone: "Europe/Paris"},
                  {field: STATUS}], first: 100) {
        key { createdAt status }
        count sum { price } avg { sizeSqft } max { bedrooms }
      }
    }
  }
}"""

# The vocabulary of the items' texts (garden twice: the dataset was measured so).
WORDS = (
    "garden",
    "copper",
    "lamp",
    "lantern",
    "winter",
    "summer",
    "table",
    "chair",
    "oak",
    "brass",
    "kitchen",
    "knife",
    "bowl",
    "linen",
    "cotton",
    "wool",
    "blanket",
    "mirror",
    "frame",
    "clock",
    "garden",
    "shovel",
    "rake",
    "seed",
    "flower",
    "candle",
    "basket",
    "ceramic",
    "vase",
    "glass",
    "bottle",
    "leather",
    "wallet",
    "notebook",
    "pencil",
    "paper",
    "poster",
    "print",
)
N = len(WORDS)

SEED = f"""
INSERT INTO organizations (id, name, slug, search_language)
VALUES ('00000000-0000-0000-0000-00000000a001', 'Search bench', 'search-bench', 'english');
INSERT INTO users (id, email, full_name, password_hash)
VALUES ('00000000-0000-0000-0000-00000000b001', 'search-bench@example.com', 'Bench', '-');
INSERT INTO memberships (user_id, organization_id, role_id)
SELECT '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000a001', id
  FROM roles WHERE name = 'VIEWER' AND organization_id IS NULL;
WITH w AS (SELECT ARRAY[{", ".join(f"'{w}'" for w in WORDS)}] AS words)
INSERT INTO items (owner_id, organization_id, title, description, type, created_at)
SELECT '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000a001',
       initcap(words[1 + (g * 7) % {N}] || ' ' || words[1 + (g * 13) % {N}] || ' '
               || words[1 + (g * 31) % {N}]),
       'A ' || words[1 + (g * 17) % {N}] || ' ' || words[1 + (g * 19) % {N}]
           || ' for the ' || words[1 + (g * 23) % {N}] || ', with a '
           || words[1 + (g * 29) % {N}] || ' and a ' || words[1 + (g * 37) % {N}]
           || '. Item number ' || g || '.',
       (ARRAY['generic', 'note', 'product'])[1 + g % 3],
       timestamptz '2025-01-01' + g * interval '10 minutes'
  FROM w, generate_series(1, {ITEMS}) AS g;
INSERT INTO properties (organization_id, title, address, city, bedrooms, bathrooms, size_sqft,
                        price, status, created_at)
SELECT '00000000-0000-0000-0000-00000000a001', 'Listing ' || g, g || ' Main Street',
       (ARRAY['Lisbon', 'Porto', 'Faro'])[1 + g % 3], 1 + g % 6, 1 + g % 3, 400 + g % 2000,
       (100000 + (g * 7919) % 900000)::numeric(14, 2) + 0.25,
       (ARRAY['active', 'under_offer', 'sold', 'rented', 'active']::property_status[])[1 + g % 5],
       timestamptz '2024-01-01' + (g * 7) * interval '10 minutes'
  FROM generate_series(1, {PROPERTIES}) AS g;
CREATE TABLE bench_meta (key text PRIMARY KEY, value text);
INSERT INTO bench_meta VALUES ('dataset', '{DATASET}');
ANALYZE;
"""


def say(message: str) -> None:
    print(f"[bench.search] {message}", file=sys.stderr, flush=True)


def prepare(reseed: bool) -> Any:
    url = server_url(get_settings()).set(database=DATABASE_NAME)
    dsn = psycopg_dsn(url)
    if reseed:
        asyncio.run(drop_database(url))
    asyncio.run(ensure_database(url))
    with psycopg.connect(dsn, autocommit=True) as conn:
        have = conn.execute("SELECT to_regclass('bench_meta')").fetchone()
        current = have not in (None, (None,)) and conn.execute(
            "SELECT value FROM bench_meta WHERE key = 'dataset'"
        ).fetchone() == (DATASET,)
    if not current:
        say("seeding (50,000 items, 150,000 properties) ...")
        asyncio.run(drop_database(url))
        asyncio.run(ensure_database(url))
        migrations.upgrade(url)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(SEED.encode())  # a constant script of several statements
    return url


def mint(dsn: str) -> str:
    token = new_token(ACCESS_PREFIX)
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO auth_sessions (user_id, token_hash, refresh_token_hash, expires_at, "
            "refresh_expires_at) VALUES ('00000000-0000-0000-0000-00000000b001', %s, %s, "
            "now() + interval '1 day', now() + interval '2 days')",
            (hash_token(token), hash_token(new_token(REFRESH_PREFIX))),
        )
    return token


def check_search(dsn: str, answer: dict[str, Any], text: str = SEARCH_TEXT) -> None:
    """The total and the page's order, from plain SQL."""
    with psycopg.connect(dsn) as conn:
        query = "websearch_to_tsquery(search_config, %(q)s)"
        rows = conn.execute(
            f"SELECT title FROM items WHERE deleted_at IS NULL AND search_vector @@ {query} "
            f"ORDER BY ts_rank_cd(search_vector, {query}, 32) DESC, id LIMIT 20",
            {"q": text},
        ).fetchall()
        total = conn.execute(
            f"SELECT count(*) FROM items WHERE deleted_at IS NULL AND search_vector @@ {query}",
            {"q": text},
        ).fetchone()
    items = answer["data"]["items"]
    assert total is not None
    assert items["totalCount"] == total[0], (items["totalCount"], total)
    assert [e["node"]["title"] for e in items["edges"]] == [r[0] for r in rows]


def check_narrow(dsn: str, answer: dict[str, Any]) -> None:
    check_search(dsn, answer, NARROW_TEXT)


def check_groups(dsn: str, answer: dict[str, Any]) -> None:
    """Every group's count and sum, from plain SQL."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT count(*), sum(price) FROM properties WHERE deleted_at IS NULL "
            "GROUP BY date_trunc('month', created_at, 'Europe/Paris'), status "
            "ORDER BY date_trunc('month', created_at, 'Europe/Paris'), status LIMIT 100"
        ).fetchall()
    aggregate = answer["data"]["properties"]["aggregate"]
    assert aggregate["count"] == PROPERTIES
    found = [(g["count"], Decimal(g["sum"]["price"])) for g in aggregate["groups"]]
    assert found == [(r[0], r[1]) for r in rows], (found[:3], rows[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description="Search and aggregates over HTTP.")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    url = prepare(args.reseed)
    dsn = psycopg_dsn(url)
    token = mint(dsn)
    wrk_path = wrk.ensure_wrk(say)
    srv = server.start(url, PROJECT_ROOT / "bench" / "results" / "search-server.log")
    results: dict[str, Any] = {}
    try:
        cases = [
            ("search 50k items (broad)", SEARCH, {"search": SEARCH_TEXT}, check_search),
            (
                "search 50k items (phrase)",
                SEARCH,
                {"search": NARROW_TEXT},
                check_narrow,
            ),
            ("grouped aggregate 150k properties", GROUPED, {}, check_groups),
        ]
        for name, query, variables, check in cases:
            body = json.dumps({"query": query, "variables": variables}).encode()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for _ in range(3):  # resolver path, then (if it compiles) the plan and the lane
                response = httpx.post(srv.graphql_url, content=body, headers=headers, timeout=60)
            answer = response.json()
            assert "errors" not in answer, answer
            check(dsn, answer)
            with tempfile.TemporaryDirectory() as directory:
                wrk.write_inputs(
                    Path(directory), request=body, token=token, expected=response.content
                )
                warm = wrk.run(
                    wrk_path, srv.graphql_url, Path(directory), seconds=2,
                    connections=args.connections, threads=2,
                )  # fmt: skip
                result = wrk.run(
                    wrk_path, srv.graphql_url, Path(directory), seconds=args.duration,
                    connections=args.connections, threads=2,
                )  # fmt: skip
            assert warm.clean, warm
            assert result.clean, result
            results[name] = result.as_dict()
            say(
                f"{name}: {result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms ({result.requests} requests, all verified)"
            )
    finally:
        srv.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
