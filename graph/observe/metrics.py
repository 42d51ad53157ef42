"""Prometheus metrics, multiprocess-safe.

`trellis serve --workers N` runs N processes; each writes its samples to memory-mapped files
in ``PROMETHEUS_MULTIPROC_DIR`` (`graph.observe.prepare_directory`: under the data directory,
emptied at start) and a scrape of any of them reads every process's files (`exposition`). Gauges of
live things (connections, subscriptions, pools) add up the live processes only: a process
that ended is marked dead (`mark_dead`), by itself when it stops and by the next scrape when
it was killed. Without that variable (tests, an app built in-process) the samples stay in
this process's default registry.

What is measured is listed in the README's "Observability".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from graph.observe import MULTIPROCESS_ENV
from graph.observe.record import NONE, RequestRecord, operation_label

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "trellis_graphql_requests",
    "GraphQL requests over HTTP by operation name, operation type, outcome (ok, errors, "
    "refused, unauthenticated, failed) and path (lane, compiled, resolvers, none)",
    ["operation", "type", "outcome", "path"],
)
DURATION = Histogram(
    "trellis_graphql_request_duration_seconds",
    "time to answer a GraphQL request over HTTP, by operation name and path",
    ["operation", "path"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
COST = Histogram(
    "trellis_graphql_cost",
    "the static cost of each executed operation (see README, Limits), by operation type",
    ["type"],
    buckets=(1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000, 200_000),
)
SQL_STATEMENTS = Histogram(
    "trellis_sql_statements_per_request",
    "SQL statements one GraphQL request sent, by path",
    ["path"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100),
)
SQL_SECONDS = Histogram(
    "trellis_sql_seconds_per_request",
    "time one GraphQL request spent waiting for its SQL statements, by path",
    ["path"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
PLAN_CACHE = Counter(
    "trellis_plan_cache_lookups",
    "compiled-plan cache lookups of documents asked before: hit (a plan was cached) or "
    "miss (compiled now, or not yet due)",
    ["result"],
)
POOL = Gauge(
    "trellis_pool_connections",
    "database connections per pool (read: the GraphQL reads' psycopg pool; write: the ORM "
    "engine; health: the small engine for health checks and the login throttle) and state "
    "(in_use, idle)",
    ["pool", "state"],
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "trellis_pool_waiting",
    "requests waiting for a connection of the read pool",
    multiprocess_mode="livesum",
)
WEBSOCKETS = Gauge(
    "trellis_websocket_connections",
    "open WebSocket connections",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS = Gauge(
    "trellis_subscriptions",
    "running subscriptions to the change stream",
    multiprocess_mode="livesum",
)
DELIVERY_LAG = Histogram(
    "trellis_change_delivery_lag_seconds",
    "from a change's commit to its dispatch to this process's subscribers",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUEUE_OVERFLOWS = Counter(
    "trellis_subscriber_queue_overflows",
    "subscribers whose queue of waiting changes overflowed (they re-read from the log)",
)


def outcome(status: int, record: RequestRecord) -> str:
    if status == 401:
        return "unauthenticated"
    if status >= 500:
        return "failed"
    if status >= 400 or (record.errors and record.path == NONE):
        return "refused"  # before execution: syntax, validation, a limit
    return "errors" if record.errors else "ok"


# Each label set's children, bound once: `labels()` costs ~2 us a call (multiprocess).
_children: dict[tuple[str, str, str, str], tuple[Any, Any, Any, Any, Any]] = {}


def observe_request(record: RequestRecord, status: int, seconds: float) -> str:
    """Count a finished GraphQL request; returns its outcome."""
    result = outcome(status, record)
    kind = record.operation_type or "unknown"
    operation = operation_label(record.operation, validated=record.operation_type is not None)
    path = record.path
    key = (operation, kind, result, path)
    children = _children.get(key)
    if children is None:
        children = (
            REQUESTS.labels(operation, kind, result, path),
            DURATION.labels(operation, path),
            COST.labels(kind),
            SQL_STATEMENTS.labels(path),
            SQL_SECONDS.labels(path),
        )
        _children[key] = children
    requests, duration, cost, statements, sql_seconds = children
    requests.inc()
    duration.observe(seconds)
    if record.cost is not None:
        cost.observe(record.cost)
    statements.observe(record.statements)
    sql_seconds.observe(record.sql_seconds)
    return result


def set_pools(pools: dict[str, tuple[int, int]], waiting: int) -> None:
    """Pool gauges: pool name -> (in use, idle)."""
    for name, (in_use, idle) in pools.items():
        POOL.labels(name, "in_use").set(in_use)
        POOL.labels(name, "idle").set(idle)
    POOL_WAITING.set(waiting)


# --- several processes -----------------------------------------------------------------


def _directory() -> str | None:
    return os.environ.get(MULTIPROCESS_ENV) or None


def mark_dead(pid: int) -> None:
    """Drop a finished process's live gauges (its counters and histograms stay summed)."""
    directory = _directory()
    if directory is not None:
        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def _mark_vanished(directory: str) -> None:
    """Mark dead the processes whose live-gauge files remain but which are gone (killed)."""
    pids: set[int] = set()
    for entry in os.scandir(directory):
        if entry.name.startswith("gauge_live") and entry.name.endswith(".db"):
            digits = entry.name.rsplit("_", 1)[-1].removesuffix(".db")
            if digits.isdigit():
                pids.add(int(digits))
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
        except PermissionError:  # alive, someone else's
            pass


# Jobs finished within this many seconds before a scrape make its duration gauges.
JOB_WINDOW_SECONDS = 300


@dataclass
class JobSnapshot:
    """The job queue at scrape time: (queue, status, count) waiting or running, and (kind,
    status, count, median, 95th percentile, longest seconds) of the jobs finished lately."""

    depth: list[tuple[str, str, int]] = field(default_factory=list)
    finished: list[tuple[str, str, int, float, float, float]] = field(default_factory=list)


class _Snapshot(Collector):
    """Gauges measured at scrape time (graph/server/observe.py's queries)."""

    def __init__(self, jobs: JobSnapshot) -> None:
        self.jobs = jobs

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "trellis_jobs",
            "background jobs by queue and status (todo: waiting, doing: running)",
            labels=["queue", "status"],
        )
        for queue, status, count in self.jobs.depth:
            depth.add_metric([queue, status], count)
        yield depth
        finished = GaugeMetricFamily(
            "trellis_jobs_finished_recently",
            f"jobs finished in the last {JOB_WINDOW_SECONDS} s, by kind and status",
            labels=["kind", "status"],
        )
        duration = GaugeMetricFamily(
            "trellis_job_duration_seconds",
            f"how long the jobs finished in the last {JOB_WINDOW_SECONDS} s ran, by kind "
            "and status: median (0.5), 95th percentile (0.95) and longest (1)",
            labels=["kind", "status", "quantile"],
        )
        for kind, status, count, p50, p95, longest in self.jobs.finished:
            finished.add_metric([kind, status], count)
            for quantile, value in (("0.5", p50), ("0.95", p95), ("1", longest)):
                duration.add_metric([kind, status, quantile], value)
        yield finished
        yield duration


class _Local(Collector):
    """This process's default registry (a single process, no multiprocess directory)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition(jobs: JobSnapshot) -> bytes:
    """The text exposition of every process's metrics and of the scrape-time gauges."""
    registry = CollectorRegistry(auto_describe=False)
    directory = _directory()
    collector: Any
    if directory is not None:
        _mark_vanished(directory)
        collector = multiprocess.MultiProcessCollector(None, path=directory)  # type: ignore[no-untyped-call]
    else:
        collector = _Local()
    registry.register(collector)
    registry.register(_Snapshot(jobs))
    return generate_latest(registry)
