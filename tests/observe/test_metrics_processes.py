"""Metrics of a real `trellis serve --workers 2`: each worker counts its own requests, and
one scrape of either returns the sum of both."""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL

from tests.servers import running_server

pytestmark = pytest.mark.slow

QUERY = "query Roles { roles { nodes { name } } }"
REQUESTS = 40


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def _sum(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return sum(
        value
        for (found, pairs), value in samples.items()
        if found == name and labels.items() <= dict(pairs).items()
    )


def test_one_scrape_adds_up_both_workers(database_url: URL, tmp_path: Path) -> None:
    # given: a server of two worker processes
    env = {"TRELLIS_DATA_DIR": str(tmp_path)}
    with running_server(database_url, tmp_path, workers=2, env=env) as base:
        # when: requests on fresh connections, spread over both workers by the kernel
        def ask(_: int) -> int:
            return httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=30).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(ask, range(REQUESTS)))
        scrapes = [httpx.get(f"{base}/metrics", timeout=30) for _ in range(2)]
    # then: both workers answered (their request lines name two process ids) ...
    assert statuses == [200] * REQUESTS
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    answered_by = {line["process"] for line in lines if line.get("route") == "/graphql"}
    assert len(answered_by) == 2
    # ... and either scrape counts every request of both
    for scrape in scrapes:
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain")
        samples = _samples(scrape.text)
        assert _sum(samples, "trellis_graphql_requests_total", operation="Roles") == REQUESTS
        assert (
            _sum(samples, "trellis_graphql_request_duration_seconds_count", operation="Roles")
            == REQUESTS
        )
        assert _sum(samples, "trellis_sql_statements_per_request_count") >= REQUESTS
        # the read pools of both live workers (each holds at least one connection)
        assert _sum(samples, "trellis_pool_connections", pool="read") >= 2
    # the files are under the data directory, one set per process
    files = list((tmp_path / "metrics").rglob("*.db"))
    assert len({f.name.rsplit("_", 1)[-1] for f in files if f.name.startswith("counter")}) >= 2


def test_a_killed_workers_live_gauges_are_dropped(database_url: URL, tmp_path: Path) -> None:
    # given: a server of two workers, both having answered
    env = {"TRELLIS_DATA_DIR": str(tmp_path)}
    with running_server(database_url, tmp_path, workers=2, env=env) as base:
        workers: set[int] = set()
        for _ in range(200):
            httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=30)
            workers = _workers(tmp_path / "server.log")
            if len(workers) == 2:
                break
        assert len(workers) == 2
        directory = next((tmp_path / "metrics").iterdir())
        victim = min(workers)
        assert list(directory.glob(f"gauge_livesum_{victim}.db"))
        # when: one is killed (no chance to clean up after itself), and a scrape follows
        os.kill(victim, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(victim, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        scrape = None
        for _ in range(100):  # the other worker answers (or a replacement)
            try:
                scrape = httpx.get(f"{base}/metrics", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
    # then: its live gauges are gone; its counts stay in the sums
    assert scrape is not None
    assert scrape.status_code == 200
    assert not list(directory.glob(f"gauge_livesum_{victim}.db"))
    samples = _samples(scrape.text)
    assert _sum(samples, "trellis_graphql_requests_total", operation="Roles") >= 2


def _workers(log: Path) -> set[int]:
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    return {line["process"] for line in lines if line.get("route") == "/graphql"}
