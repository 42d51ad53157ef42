"""The server's side of observability (graph/observe/): the middleware that records, logs,
counts and traces every request, the `/metrics` endpoint and its access rule, and the
sampling of pool usage.

One log line per HTTP request (`trellis.request`), with the request id, the operation's
name and type, the viewer's id, the cost, the duration, the path taken and the SQL it sent;
probes (`/healthz`, `/readyz`) and scrapes (`/metrics`) are logged at DEBUG."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import os
from collections.abc import AsyncIterator
from time import perf_counter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy import text

from graph.auth import bearer_token
from graph.database import Database
from graph.observe import metrics, tracing
from graph.observe.hooks import instrument, pool_usage
from graph.observe.logs import REQUEST_FIELDS
from graph.observe.metrics import WEBSOCKETS
from graph.observe.record import RequestRecord, current
from graph.server.security import ASGIApp, Message, Receive, Scope, Send
from graph.settings import MetricsAccess, Settings

log = logging.getLogger("trellis.request")
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
POOL_SAMPLE_SECONDS = 5.0


class ObserveMiddleware:
    """Just inside the request-id middleware: every request, refused ones included."""

    def __init__(self, app: ASGIApp, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            WEBSOCKETS.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                WEBSOCKETS.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = RequestRecord()
        token = current.set(found)
        status = 500
        started = perf_counter()
        tracer = tracing.tracer()
        span: Any = None
        attached = None
        if tracer is not None:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            span = tracer.start_span(
                f"{scope['method']} {scope['path']}",
                context=tracing.extract(headers),
                kind=SpanKind.SERVER,
                attributes={"http.request.method": scope["method"], "url.path": scope["path"]},
            )
            attached = otel_context.attach(trace.set_span_in_context(span))

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if span is not None:
                    carrier: dict[str, str] = {}
                    tracing.PROPAGATOR.inject(carrier, trace.set_span_in_context(span))
                    extra = [(k.encode(), v.encode()) for k, v in carrier.items()]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            seconds = perf_counter() - started
            current.reset(token)
            self._finish(scope, found, status, seconds, span)
            if attached is not None:
                otel_context.detach(attached)

    def _finish(
        self, scope: Scope, found: RequestRecord, status: int, seconds: float, span: Any
    ) -> None:
        path = scope["path"]
        outcome = None
        if path == self.graphql_path and (scope["method"] != "GET" or scope.get("query_string")):
            # (a GET without a query is GraphiQL's page, not a GraphQL request)
            outcome = metrics.observe_request(found, status, seconds)
        rid = scope.get("state", {}).get("request_id", "-")
        fields = {
            "request_id": rid,
            "method": scope["method"],
            "route": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "operation": found.operation,
            "operation_type": found.operation_type,
            "viewer_id": found.viewer_id,
            "cost": found.cost,
            "path": found.path,
            "outcome": outcome,
            "sql_statements": found.statements,
            "sql_ms": round(found.sql_seconds * 1000, 2),
            "client": (scope.get("client") or ("-",))[0],
        }
        if span is not None:
            span.set_attribute("http.response.status_code", status)
            span.set_attribute("trellis.request_id", rid)
            span.set_attribute("trellis.path", found.path)
            if found.operation:
                span.set_attribute("graphql.operation.name", found.operation)
            if found.cost is not None:
                span.set_attribute("trellis.cost", found.cost)
            span.end()
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
        if log.isEnabledFor(level):
            operation = found.operation or ("-" if found.operation_type is None else "anonymous")
            log.log(
                level,
                "%s %s %s %s %s %.1fms",
                scope["method"],
                path,
                status,
                operation,
                found.path,
                seconds * 1000,
                extra={REQUEST_FIELDS: fields},
            )


# --- /metrics ------------------------------------------------------------------------------

_JOBS = text(
    "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs"
    " WHERE status IN ('todo', 'doing') GROUP BY 1, 2"
)
# Jobs (the `Job` nodes) finished in the last few minutes: how long they ran, by kind and
# final status.
_FINISHED = text(
    "SELECT kind, status::text, count(*),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)),"
    " percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)),"
    " max(extract(epoch FROM finished_at - started_at))"
    " FROM jobs WHERE finished_at > now() - make_interval(secs => :window)"
    " AND started_at IS NOT NULL GROUP BY 1, 2"
)


async def _jobs(db: Database) -> metrics.JobSnapshot:
    try:
        async with db.read_engine.connect() as conn:
            depth = (await conn.execute(_JOBS)).all()
            window = {"window": metrics.JOB_WINDOW_SECONDS}
            finished = (await conn.execute(_FINISHED, window)).all()
    except Exception:  # the queue's tables missing or the database away: no job gauges
        log.warning("reading the job queue failed", exc_info=True)
        return metrics.JobSnapshot()
    return metrics.JobSnapshot(
        depth=[(str(q), str(s), int(n)) for q, s, n in depth],
        finished=[
            (str(k), str(s), int(n), float(p50), float(p95), float(top))
            for k, s, n, p50, p95, top in finished
        ],
    )


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(settings: Settings, request: Request) -> Response | None:
    """Why this request may not read the metrics (None: it may)."""
    if settings.metrics == MetricsAccess.OFF:
        return JSONResponse({"detail": "Not Found"}, 404)
    if settings.metrics == MetricsAccess.LOCAL:
        client = request.client
        if not _loopback(client.host if client else None):
            return JSONResponse({"detail": "metrics are for loopback clients only"}, 403)
        return None
    given = bearer_token(request.headers.get("authorization")) or ""
    expected = settings.metrics_token or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return JSONResponse(
            {"detail": "a bearer token is required"}, 401, headers={"WWW-Authenticate": "Bearer"}
        )
    return None


def add_metrics_route(app: FastAPI, settings: Settings) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        """Prometheus metrics of every process of this server (README, Observability)."""
        refused = refusal(settings, request)
        if refused is not None:
            return refused
        db: Database = request.app.state.db
        _sample(db)
        body = metrics.exposition(await _jobs(db))
        return Response(body, media_type=metrics.CONTENT_TYPE)


# --- the process's lifetime ----------------------------------------------------------------


def _sample(db: Database) -> None:
    pools, waiting = pool_usage(db)
    metrics.set_pools(pools, waiting)


async def _sample_pools(db: Database) -> None:
    while True:
        try:
            _sample(db)
        except Exception:
            log.warning("sampling pool usage failed", exc_info=True)
        await asyncio.sleep(POOL_SAMPLE_SECONDS)


@contextlib.asynccontextmanager
async def observing(db: Database) -> AsyncIterator[None]:
    """For the server's lifespan: statements reported, pools sampled; at the end the
    process's live gauges are dropped and waiting spans sent."""
    instrument(db)
    sampler = asyncio.create_task(_sample_pools(db), name="trellis-pool-sampler")
    try:
        yield
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        metrics.mark_dead(os.getpid())
        tracing.shutdown()
