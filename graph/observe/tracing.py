"""OpenTelemetry traces, off unless an OTLP endpoint is set (TRELLIS_OTLP_ENDPOINT).

Spans: the HTTP request (its parent taken from the client's `traceparent`, its own context
sent back in the response's `traceparent`), the GraphQL operation, its execution by a
compiled plan or by the resolvers, and each SQL statement. The provider is Trellis's own,
not the global one, so tests can give it an in-memory exporter (`configure`)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_tracer: Tracer | None = None
_provider: TracerProvider | None = None
PROPAGATOR = TraceContextTextMapPropagator()


def configure(endpoint: str | None, exporter: SpanExporter | None = None) -> None:
    """Trace to ``endpoint`` (OTLP over HTTP), or to ``exporter`` synchronously (tests);
    neither: tracing off."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
        _tracer = _provider = None
    if exporter is None and endpoint is None:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": "trellis"}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        # The exporter is an optional dependency: imported only when tracing is on.
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise RuntimeError(
                "TRELLIS_OTLP_ENDPOINT is set but the OTLP exporter is not installed: "
                "pip install 'trellis[otlp]'"
            ) from exc

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    _provider = provider
    _tracer = provider.get_tracer("trellis")


def shutdown() -> None:
    """Send the spans still waiting (a process that stops)."""
    if _provider is not None:
        _provider.force_flush()


def tracer() -> Tracer | None:
    """The tracer, or None when tracing is off (callers then do nothing)."""
    return _tracer


def extract(headers: Mapping[str, str]) -> Context:
    """The trace context a client sent (`traceparent`, `tracestate`)."""
    return PROPAGATOR.extract(headers)


def statement(sql: str, start_ns: int, end_ns: int) -> None:
    """A span for one SQL statement, after it ran (``perf_counter_ns`` times), below the
    current span."""
    if _tracer is None:
        return
    offset = time.time_ns() - time.perf_counter_ns()
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "SQL"
    span = _tracer.start_span(
        verb,
        kind=SpanKind.CLIENT,
        start_time=start_ns + offset,
        attributes={"db.system.name": "postgresql", "db.query.text": sql},
    )
    span.end(end_time=end_ns + offset)
