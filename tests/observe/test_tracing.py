"""OpenTelemetry spans, read from the SDK's in-memory exporter: the request (continuing the
client's `traceparent`, and sending its own back), the operation, the resolvers or the
compiled plan, and each SQL statement below them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from graph.database import Database
from graph.observe import tracing
from graph.observe.hooks import instrument
from graph.server.app import create_app
from graph.settings import get_settings

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
ROLES = "query RoleNames { roles { nodes { name } } }"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.configure(None, exporter)
    yield exporter
    tracing.configure(None)


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    instrument(db)
    # compiled queries on even where the suite runs on the resolver path (CI's second run)
    settings = get_settings().replace(compile_after=1, compiled_queries=True)
    app: Any = create_app(settings, database=db)
    app.state.db = db
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


def _one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, [s.name for s in spans]
    return found[0]


async def test_a_mutation_is_traced_from_the_clients_parent_to_each_statement(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    # when: a mutation (answered by the resolvers) inside the client's trace
    response = await client.post(
        "/graphql",
        json={
            "query": 'mutation Login { authLogin(input: {email: "a@example.com", '
            'password: "wrong-password"}) { __typename } }'
        },
        headers={"traceparent": TRACEPARENT},
    )
    assert response.status_code == 200
    finished = list(spans.get_finished_spans())
    # then: the request continues the client's trace, below the client's span
    request = _one(finished, "POST /graphql")
    assert request.kind == SpanKind.SERVER
    assert format(request.context.trace_id, "032x") == TRACE_ID
    assert request.parent is not None
    assert format(request.parent.span_id, "016x") == PARENT_ID
    assert request.attributes is not None
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["graphql.operation.name"] == "Login"
    assert request.attributes["trellis.path"] == "resolvers"
    # ... and the response carries the request span's context on
    assert response.headers["traceparent"] == (
        f"00-{TRACE_ID}-{format(request.context.span_id, '016x')}-01"
    )
    # the operation below the request, the resolvers below it, the SQL below them
    operation = _one(finished, "mutation Login")
    assert _children(finished, request) == [operation]
    resolvers = _one(finished, "graphql.resolvers")
    assert resolvers.parent is not None
    assert resolvers.parent.span_id == operation.context.span_id
    statements = [s for s in finished if s.attributes and "db.query.text" in s.attributes]
    assert statements
    for statement in statements:
        assert statement.kind == SpanKind.CLIENT
        assert statement.context.trace_id == request.context.trace_id
        assert statement.start_time is not None
        assert statement.end_time is not None
        assert resolvers.start_time is not None
        assert resolvers.end_time is not None
        assert resolvers.start_time <= statement.start_time <= statement.end_time
        assert statement.end_time <= resolvers.end_time
    assert any(s.parent and s.parent.span_id == resolvers.context.span_id for s in statements)
    # no value of the request is in the spans (the SQL's text only, not its parameters)
    assert not any("wrong-password" in str(s.attributes) for s in finished)


async def test_a_compiled_query_is_traced_as_its_plan_on_both_paths(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    # when: a compilable query twice: a plan answers in the full path, then in the lane
    body = {"query": ROLES, "operationName": "RoleNames"}
    first = await client.post("/graphql", json=body)
    first_spans = list(spans.get_finished_spans())
    spans.clear()
    second = await client.post("/graphql", json=body)
    second_spans = list(spans.get_finished_spans())
    # then: without a client's traceparent each request starts a trace of its own
    assert first.status_code == second.status_code == 200
    for finished, path in ((first_spans, "compiled"), (second_spans, "lane")):
        request = _one(finished, "POST /graphql")
        assert request.parent is None
        assert request.attributes is not None
        assert request.attributes["trellis.path"] == path
        operation = _one(finished, "query RoleNames")
        plan = _one(finished, "graphql.compiled_plan")
        assert plan.parent is not None
        assert plan.parent.span_id == operation.context.span_id
        (statement,) = _children(finished, plan)
        assert statement.name == "SELECT"
        assert statement.attributes is not None
        assert statement.attributes["db.system.name"] == "postgresql"


async def test_tracing_off_makes_no_spans_and_sends_no_traceparent(
    client: httpx.AsyncClient,
) -> None:
    # given: tracing not configured
    assert tracing.tracer() is None
    # when
    response = await client.post(
        "/graphql", json={"query": ROLES}, headers={"traceparent": TRACEPARENT}
    )
    # then
    assert response.status_code == 200
    assert "traceparent" not in response.headers
