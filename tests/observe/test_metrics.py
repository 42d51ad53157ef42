"""`/metrics` in one process: who may read it (off, loopback only, a bearer token), and
what a request adds to it (operation, outcome, path, cost, SQL, plan cache)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph.database import Database
from graph.observe.hooks import instrument
from graph.server.app import create_app
from graph.settings import MetricsAccess, get_settings
from models.jobs import Job, JobStatus
from tests.factories import Factory

TOKEN = "metrics-token-0123456789"
ROLES = "query RoleNames { roles { nodes { name } } }"
BROKEN = "query Broken { roles { name } }"
LOGIN = """
mutation Login($password: String!) {
  authLogin(input: {email: "nobody@example.com", password: $password}) { __typename }
}
"""


def _client(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _app(db: Database, **changes: Any) -> Any:
    application = create_app(get_settings().replace(**changes), database=db)
    application.state.db = db
    return application


@pytest.mark.parametrize(
    ("access", "address", "headers", "status"),
    [
        pytest.param(MetricsAccess.OFF, "127.0.0.1", {}, 404, id="off"),
        pytest.param(MetricsAccess.LOCAL, "127.0.0.1", {}, 200, id="local-loopback-v4"),
        pytest.param(MetricsAccess.LOCAL, "::1", {}, 200, id="local-loopback-v6"),
        pytest.param(MetricsAccess.LOCAL, "10.1.2.3", {}, 403, id="local-remote"),
        pytest.param(MetricsAccess.TOKEN, "10.1.2.3", {}, 401, id="token-missing"),
        pytest.param(
            MetricsAccess.TOKEN,
            "10.1.2.3",
            {"Authorization": "Bearer wrong-token-0123456789"},
            401,
            id="token-wrong",
        ),
        pytest.param(
            MetricsAccess.TOKEN, "10.1.2.3", {"Authorization": f"Bearer {TOKEN}"}, 200, id="token"
        ),
    ],
)
async def test_access(
    db: Database, access: MetricsAccess, address: str, headers: dict[str, str], status: int
) -> None:
    # given: an app whose metrics are `access`
    app = _app(db, metrics=access, metrics_token=TOKEN)
    # when: a client at `address` scrapes
    async with _client(app, address) as client:
        response = await client.get("/metrics", headers=headers)
    # then
    assert response.status_code == status
    if status == 200:
        assert "trellis_graphql_requests_total" in response.text
        assert "trellis_jobs" in response.text
    else:
        assert "trellis_graphql_requests" not in response.text


def _value(text: str, name: str, **labels: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    instrument(db)  # what the app's lifespan does in a server
    # compiled queries on even where the suite runs on the resolver path (CI's second run)
    app = _app(db, compile_after=2, compiled_queries=True)
    async with _client(app, "127.0.0.1") as c:
        yield c


async def _scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_requests_by_operation_outcome_and_path(client: httpx.AsyncClient) -> None:
    # given: the counts so far (the process's registry outlives each test)
    before = await _scrape(client)
    # when: the same query three times (compiled, then answered by the compiled lane), a
    # mutation (the resolvers), and an invalid document
    for _ in range(3):
        answer = await client.post("/graphql", json={"query": ROLES, "operationName": "RoleNames"})
        assert answer.json()["data"]["roles"]["nodes"]
    login = await client.post(
        "/graphql", json={"query": LOGIN, "variables": {"password": "not-the-password"}}
    )
    assert login.json()["data"]["authLogin"]["__typename"] == "AuthenticationError"
    assert (await client.post("/graphql", json={"query": BROKEN})).json()["errors"]
    after = await _scrape(client)

    # then
    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    requests = "trellis_graphql_requests_total"
    assert delta(requests, operation="RoleNames", type="query", outcome="ok") == 3
    lane = delta(requests, operation="RoleNames", path="lane")
    assert lane >= 1
    others = sum(delta(requests, operation="RoleNames", path=p) for p in ("compiled", "resolvers"))
    assert others == 3 - lane  # before the lane: the resolvers until due, then compiled
    assert delta(requests, operation="Login", type="mutation", outcome="ok", path="resolvers") == 1
    assert delta(requests, operation="unknown", outcome="refused", path="none") == 1
    assert delta(requests, operation="Broken") == 0  # never validated: not a label
    assert delta("trellis_graphql_request_duration_seconds_count", operation="RoleNames") == 3
    assert delta("trellis_graphql_cost_count", type="query") == 3
    # SQL: the lane's answer is one statement; the mutation sent several
    assert delta("trellis_sql_statements_per_request_count", path="lane") == lane
    assert delta("trellis_sql_statements_per_request_sum", path="lane") == lane
    assert delta("trellis_sql_statements_per_request_sum", path="resolvers") >= 2
    assert delta("trellis_sql_seconds_per_request_sum", path="resolvers") > 0
    # the plan cache: the lane's answers were hits
    assert delta("trellis_plan_cache_lookups_total", result="hit") >= lane
    # the pools, sampled at the scrape
    assert _value(after, "trellis_pool_connections", pool="read", state="idle") >= 1


async def test_job_depth_and_recent_durations_at_scrape_time(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    # given: two exports that ran 2 and 4 seconds and finished a moment ago, one long ago
    org = await factory.organization()
    now = datetime.now(UTC)
    async with db.sessions() as session, session.begin():
        for ran, ago in ((2, 10), (4, 20), (60, 3600)):
            session.add(
                Job(
                    organization_id=org.id,
                    kind="project.export",
                    status=JobStatus.SUCCEEDED,
                    parameters={},
                    started_at=now - timedelta(seconds=ago + ran),
                    finished_at=now - timedelta(seconds=ago),
                )
            )
    # when
    text = await _scrape(client)
    # then: the recent two only
    labels = {"kind": "project.export", "status": "succeeded"}
    assert _value(text, "trellis_jobs_finished_recently", **labels) == 2
    assert _value(text, "trellis_job_duration_seconds", quantile="1", **labels) == 4
    assert _value(text, "trellis_job_duration_seconds", quantile="0.5", **labels) == 3
    assert "# TYPE trellis_jobs gauge" in text
