"""Hostile requests are refused with the right status and error code, before any resolver
runs, and a normal query is answered correctly right after each."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

import graph.compiled.plans
import graph.kernel.prefetch
import graph.server.lane
from graph.server.app import create_app
from graph.settings import Settings, get_settings
from tests.factories import PASSWORD, Factory, Member

NORMAL = "{ items(first: 5) { totalCount nodes { title } } }"


@pytest.fixture
async def member(factory: Factory) -> Member:
    org = await factory.organization(slug="hardening")
    member = await factory.member(org, role="OWNER", email="hard@example.com")
    await factory.item(member.user, org, title="Still here")
    return member


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every read of the `items` root field, compiled or through its resolver (none
    may happen when a request is refused)."""
    seen: list[str] = []
    original = graph.kernel.prefetch.root_connection
    original_plan = graph.compiled.plans.run_plan

    async def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append("items")
        return await original(*args, **kwargs)

    async def spy_plan(*args: Any, **kwargs: Any) -> Any:
        seen.append("items")
        return await original_plan(*args, **kwargs)

    monkeypatch.setattr(graph.kernel.prefetch, "root_connection", spy)
    monkeypatch.setattr(graph.compiled.plans, "run_plan", spy_plan)
    return seen


async def post(
    client: httpx.AsyncClient, query: str, token: str | None = None, **body: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query, **body}, headers=headers)


async def assert_still_answers(client: httpx.AsyncClient, member: Member) -> None:
    response = await post(client, NORMAL, member.token)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {"items": {"totalCount": 1, "nodes": [{"title": "Still here"}]}}
    }


def refused(response: httpx.Response, code: str, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [code], body
    return body


def nested(depth: int) -> str:
    """items > nodes > tags > nodes > items > ... : `depth` fields deep."""
    names = ["items(first: 1)", "nodes", "tags(first: 1)", "nodes"]
    fields = [names[i % 4] for i in range(depth - 1)]
    return "{ " + " { ".join(fields) + " { __typename" + " }" * (len(fields) - 1) + " } }"


# ---------------------------------------------------------------------------------------------
# Document limits


async def test_deep_nesting_is_refused(client, member, calls):
    response = await post(client, nested(40), member.token)
    body = refused(response, "DEPTH_LIMIT_EXCEEDED")
    assert "40 fields deep" in body["errors"][0]["message"]
    assert calls == []
    await assert_still_answers(client, member)


async def test_depth_at_the_limit_passes(client, member):
    limit = get_settings().max_depth
    response = await post(client, nested(limit), member.token)
    assert "errors" not in response.json(), response.text


async def test_depth_counts_through_fragments(client, member, calls):
    query = (
        "query { items { ...A } }"
        " fragment A on ItemConnection { nodes { tags { nodes { items { ...B } } } } }"
        " fragment B on ItemConnection { nodes { tags { nodes { items { ...C } } } } }"
        " fragment C on ItemConnection { nodes { tags { nodes { items { totalCount } } } } }"
    )
    refused(await post(client, query, member.token), "DEPTH_LIMIT_EXCEEDED")
    assert calls == []


async def test_alias_amplification_is_refused(client, member, calls):
    aliases = " ".join(f"a{n}: items {{ totalCount }}" for n in range(31))
    refused(await post(client, "{ " + aliases + " }", member.token), "ALIAS_LIMIT_EXCEEDED")
    assert calls == []
    await assert_still_answers(client, member)


async def test_aliases_in_fragments_count_once_per_spread(client, member, calls):
    fragment = "fragment F on Query { " + " ".join(f"a{n}: __typename" for n in range(10)) + " }"
    spreads = " ".join(f"... on Query {{ ...F }} b{n}: __typename" for n in range(3))
    # 3 spreads x 10 aliases + 3 = 33 > 30, though the document spells only 13
    response = await post(client, "{ " + spreads + " } " + fragment, member.token)
    refused(response, "ALIAS_LIMIT_EXCEEDED")
    # two spreads: 2 x 10 + 2 = 22, allowed
    spreads = " ".join(f"... on Query {{ ...F }} b{n}: __typename" for n in range(2))
    response = await post(client, "{ " + spreads + " } " + fragment, member.token)
    assert "errors" not in response.json(), response.text
    await assert_still_answers(client, member)


async def test_directive_flood_is_refused(client, member, calls):
    fields = " ".join("totalCount @include(if: true)" for _ in range(51))
    query = "{ items { " + fields + " } }"
    refused(await post(client, query, member.token), "DIRECTIVE_LIMIT_EXCEEDED")
    assert calls == []
    await assert_still_answers(client, member)


async def test_token_flood_is_refused(client, member, calls):
    query = "{ items { " + "totalCount " * 6000 + "} }"
    refused(await post(client, query, member.token), "TOKEN_LIMIT_EXCEEDED")
    assert calls == []
    await assert_still_answers(client, member)


async def test_many_operations_are_refused(client, member, calls):
    document = " ".join(f"query Q{n} {{ items {{ totalCount }} }}" for n in range(11))
    response = await post(client, document, member.token, operationName="Q0")
    refused(response, "OPERATION_LIMIT_EXCEEDED")
    assert calls == []
    await assert_still_answers(client, member)


# ---------------------------------------------------------------------------------------------
# Cost

MILLIONS = """
{ organizations(first: 100) { nodes {
    items(first: 100) { nodes {
      tags(first: 100) { nodes {
        items(first: 100) { nodes { title } } } } } } } } }
"""

REASONABLE = """
query Page($n: Int!, $t: Int!) {
  items(first: $n) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { title owner { fullName } tags(first: $t) { nodes { name color } } }
  }
}
"""

NESTED_BY_VARIABLES = """
query Nested($n: Int) {
  items(first: $n) { nodes { tags(first: $n) { nodes { items(first: $n) { nodes {
    tags(first: $n) { nodes { name } } } } } } } }
}
"""


async def test_query_for_millions_of_nodes_is_refused(client, member, calls):
    response = await post(client, MILLIONS, member.token)
    body = refused(response, "COST_LIMIT_EXCEEDED")
    cost = body["extensions"]["cost"]
    assert cost["requested"] > 100_000_000
    assert cost["limit"] == get_settings().max_cost
    assert body["errors"][0]["extensions"]["cost"] == cost["requested"]
    assert calls == []
    await assert_still_answers(client, member)


async def test_cost_follows_variables(client, member, calls):
    big = await post(client, NESTED_BY_VARIABLES, member.token, variables={"n": 100})
    refused(big, "COST_LIMIT_EXCEEDED")
    assert calls == []
    small = await post(client, NESTED_BY_VARIABLES, member.token, variables={"n": 3})
    assert small.status_code == 200
    assert "errors" not in small.json(), small.text
    assert calls == ["items"]


async def test_a_page_size_written_as_a_float_costs_what_it_fetches(client, member, calls):
    # GraphQL's Int takes 100.0 as 100: the cost must not take it for the default page
    big = await post(client, NESTED_BY_VARIABLES, member.token, variables={"n": 100.0})
    refused(big, "COST_LIMIT_EXCEEDED")
    assert calls == []


async def test_reasonable_frontend_query_passes_and_reports_its_cost(client, member):
    variables = {"n": 100, "t": 10}
    response = await post(
        client, REASONABLE, member.token, variables=variables, extensions={"cost": True}
    )
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["items"]["totalCount"] == 1
    # 1 (items) + 1 (pageInfo) + 100 x (1 node + 1 owner + 1 tags + 10 tags)
    assert body["extensions"]["cost"] == {"requested": 1302, "limit": get_settings().max_cost}
    assert response.headers["x-trellis-cost"] == f"requested=1302; limit={get_settings().max_cost}"


async def test_cost_counts_nodes_by_their_ids(client, member):
    ids = ["x"] * 7
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    response = await post(client, query, member.token, variables={"ids": ids})
    assert response.headers["x-trellis-cost"].startswith("requested=7;")


# ---------------------------------------------------------------------------------------------
# HTTP


async def test_oversized_body_is_413_before_parsing(client, member):
    body = json.dumps({"query": NORMAL, "variables": {"pad": "x" * (2 << 20)}})
    response = await client.post(
        "/graphql",
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {member.token}"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    await assert_still_answers(client, member)


async def test_oversized_streamed_body_without_length_is_413(client, member):
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}}'

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    await assert_still_answers(client, member)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('"{ __typename }"', id="string"),
        pytest.param("42", id="number"),
        pytest.param("null", id="null"),
        pytest.param("true", id="boolean"),
        pytest.param("[]", id="empty-array"),
        pytest.param('[{"query": "{ __typename }"}]', id="batch"),
        pytest.param("{not json", id="invalid-json"),
        pytest.param("", id="empty"),
        pytest.param('{"query": 1}', id="query-not-string"),
        pytest.param('{"query": "{ __typename }", "variables": [1]}', id="variables-array"),
        pytest.param('{"query": "{ __typename }", "operationName": 5}', id="name-not-string"),
        pytest.param('{"query": "{ __typename }", "extensions": "x"}', id="extensions-string"),
    ],
)
async def test_malformed_bodies_are_400(client, member, body):
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    await assert_still_answers(client, member)


async def test_mutation_over_get_is_405(client, member, calls):
    mutation = "mutation { authLogout(input: {}) { __typename } }"
    response = await client.get(
        "/graphql",
        params={"query": mutation},
        headers={"Authorization": f"Bearer {member.token}", "Accept": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    query = await client.get(
        "/graphql",
        params={"query": NORMAL},
        headers={"Authorization": f"Bearer {member.token}", "Accept": "application/json"},
    )
    assert query.json()["data"]["items"]["totalCount"] == 1


async def test_graphql_response_json_is_honoured(client, member):
    accept = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
    invalid = await client.post("/graphql", json={"query": "{ nope }"}, headers=accept)
    assert invalid.status_code == 400
    assert invalid.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in invalid.json()
    syntax = await client.post("/graphql", json={"query": "{ items {"}, headers=accept)
    assert syntax.status_code == 400
    assert "data" not in syntax.json()
    ok = await client.post(
        "/graphql",
        json={"query": NORMAL},
        headers={**accept, "Authorization": f"Bearer {member.token}"},
    )
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    assert ok.json()["data"]["items"]["totalCount"] == 1
    # plain JSON clients keep the legacy behaviour
    legacy = await client.post("/graphql", json={"query": "{ nope }"})
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == "application/json"


# ---------------------------------------------------------------------------------------------
# CSRF and CORS


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "query=mutation{authLogout(input:{}){__typename}}"),
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="q"\r\n'),
        ("text/plain", '{"query": "mutation { authLogout(input: {}) { __typename } }"}'),
        ("text/plain;charset=UTF-8", '{"query": "{ __typename }"}'),
        (None, '{"query": "{ __typename }"}'),
    ],
)
async def test_simple_cross_site_posts_are_refused(client, member, content_type, body):
    headers = {"Authorization": f"Bearer {member.token}"}
    if content_type:
        headers["Content-Type"] = content_type
    response = await client.post("/graphql", content=body, headers=headers)
    refused(response, "CSRF_REFUSED", status=403)
    await assert_still_answers(client, member)


async def test_a_preflight_header_lets_a_simple_post_through_csrf(client, member):
    response = await client.post(
        "/graphql",
        content='{"query": "{ __typename }"}',
        headers={"Content-Type": "text/plain", "GraphQL-Require-Preflight": "1"},
    )
    # past the CSRF check; the router itself only reads JSON bodies
    refused(response, "UNSUPPORTED_MEDIA_TYPE", status=415)


def _app(db: Any, **overrides: Any) -> Any:
    app = create_app(get_settings().replace(**overrides), database=db)
    app.state.db = db
    return app


async def _client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_cors_allows_only_listed_origins(db):
    app = _app(db, cors_origins=("https://app.example",))
    async with await _client(app) as http:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        }
        allowed = await http.options(
            "/graphql", headers={"Origin": "https://app.example", **preflight}
        )
        foreign = await http.options(
            "/graphql", headers={"Origin": "https://evil.example", **preflight}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in foreign.headers


async def test_no_cors_by_default(client):
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def _handshake(app: Any, origin: str) -> list[dict[str, Any]]:
    """Drive a WebSocket handshake straight through the ASGI app; returns what it sent."""
    scope: dict[str, Any] = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "http_version": "1.1",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"origin", origin.encode()),
            (b"sec-websocket-protocol", b"graphql-transport-ws"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "subprotocols": ["graphql-transport-ws"],
        "state": {},
        "extensions": {"websocket.http.response": {}},
    }
    inbox: list[dict[str, Any]] = [{"type": "websocket.connect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if inbox:
            return inbox.pop(0)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "websocket.accept":
            inbox.append({"type": "websocket.disconnect", "code": 1000})

    await app(scope, receive, send)
    return sent


async def test_websocket_from_a_foreign_origin_is_refused(app):
    foreign = await _handshake(app, "https://evil.example")
    assert foreign[0]["type"] in {"websocket.close", "websocket.http.response.start"}
    if foreign[0]["type"] == "websocket.http.response.start":
        assert foreign[0]["status"] == 403
    same = await _handshake(app, "http://testserver")
    assert same[0]["type"] == "websocket.accept"


# ---------------------------------------------------------------------------------------------
# Request ids and masked errors


async def test_every_response_has_a_request_id(client):
    fresh = await client.get("/healthz")
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    hostile = await client.get("/healthz", headers={"X-Request-ID": "a b" + "x" * 100})
    assert len(fresh.headers["x-request-id"]) == 32
    assert given.headers["x-request-id"] == "abc-123"
    assert hostile.headers["x-request-id"] != "a b"
    assert len(hostile.headers["x-request-id"]) == 32


async def test_masked_errors_carry_the_request_id_and_the_log_too(
    client, member, monkeypatch, caplog
):
    async def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    # The compiled statement fails (it is logged and the resolvers answer), then the resolver;
    # in the fast lane too, when an earlier test had NORMAL answered by a plan.
    monkeypatch.setattr(graph.compiled.plans, "run_plan", explode)
    monkeypatch.setattr(graph.server.lane, "run_plan", explode)
    monkeypatch.setattr(graph.kernel.prefetch, "root_connection", explode)
    with caplog.at_level(logging.ERROR, logger="trellis.errors"):
        response = await post(client, NORMAL, member.token)
    rid = response.headers["x-request-id"]
    error = response.json()["errors"][0]
    assert error["message"] == "Internal error."
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": rid}
    assert "secret detail" not in response.text
    assert any(rid in r.getMessage() and r.exc_info for r in caplog.records)


# ---------------------------------------------------------------------------------------------
# Production mode


async def test_production_turns_off_introspection_and_suggestions(db, factory):
    app = _app(db, mode="production")
    async with await _client(app) as http:
        introspection = await http.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}
        )
        typename = await http.post("/graphql", json={"query": '{ __type(name: "Item") { name } }'})
        suggestion = await http.post("/graphql", json={"query": "{ node }"})
        typo = await http.post("/graphql", json={"query": "{ itemz { totalCount } }"})
        ok = await http.post("/graphql", json={"query": "{ me { id } }"})
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    assert introspection.json().get("data") is None
    assert typename.json().get("data") is None
    assert "Did you mean" not in suggestion.text
    assert "Did you mean" not in typo.text
    assert "Cannot query field 'itemz'" in typo.text
    assert ok.json() == {"data": {"me": None}}


async def test_development_keeps_introspection(client):
    response = await client.post("/graphql", json={"query": '{ __type(name: "Item") { name } }'})
    assert response.json() == {"data": {"__type": {"name": "Item"}}}


# ---------------------------------------------------------------------------------------------
# Login throttling

LOGIN = """
mutation Login($email: String!, $password: String!) {
  authLogin(input: {email: $email, password: $password}) {
    __typename
    ... on AuthTokens { accessToken }
    ... on Error { message code }
  }
}
"""


async def _login(http: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": LOGIN, "variables": {"email": email, "password": password}}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["data"]["authLogin"]
    return result


@pytest.mark.parametrize("email", ["hard@example.com", "nobody@example.com"])
async def test_login_is_throttled_per_account_without_enumeration(client, member, email):
    limit = get_settings().login_attempts_per_account
    for _ in range(limit):
        failed = await _login(client, email, "wrong password")
        assert failed["message"] == "Invalid email or password."
    blocked = await _login(client, email.upper(), PASSWORD)
    assert blocked["__typename"] == "AuthenticationError"
    assert blocked["message"].startswith("Too many attempts, try again in ")
    assert blocked["message"].endswith(" s.")
    # other accounts are unaffected
    other = await _login(client, "someone-else@example.com", "wrong password")
    assert other["message"] == "Invalid email or password."


async def test_login_is_throttled_per_address(db, factory, member):
    app = _app(db, login_attempts_per_address=3, login_attempts_per_account=100)
    async with await _client(app) as http:
        for n in range(3):
            assert "Invalid" in (await _login(http, f"x{n}@example.com", "nope"))["message"]
        blocked = await _login(http, "hard@example.com", PASSWORD)
    assert blocked["message"].startswith("Too many attempts")


async def test_successful_login_is_not_throttled(client, member):
    for _ in range(get_settings().login_attempts_per_account + 1):
        assert (await _login(client, "hard@example.com", PASSWORD))["__typename"] == "AuthTokens"


async def test_throttle_window_slides(db):
    from datetime import UTC, datetime, timedelta

    from graph.server.throttle import LoginThrottle

    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    throttle = LoginThrottle(per_account=2, per_address=10, window_seconds=60, clock=lambda: now[0])
    keys = throttle.keys("A@x.com ", "1.2.3.4")
    await throttle.failed(db.read_engine, keys)
    now[0] += timedelta(seconds=30)
    await throttle.failed(db.read_engine, keys)
    assert await throttle.retry_after(db.read_engine, keys) == 30
    now[0] += timedelta(seconds=31)
    assert await throttle.retry_after(db.read_engine, keys) is None
    assert await throttle.retry_after(db.read_engine, throttle.keys("a@x.com", None)) is None


def test_settings_defaults():
    settings = Settings()
    assert (settings.max_depth, settings.max_aliases, settings.max_directives) == (12, 30, 50)
    assert (settings.max_tokens, settings.max_operations) == (5000, 10)
    assert settings.max_cost == 200_000
    assert settings.max_body_bytes == 1 << 20
    assert settings.cors_origins == ()


async def test_graphiql_introspection_passes_but_cyclic_introspection_is_refused(client):
    from graphql import get_introspection_query

    full = get_introspection_query(descriptions=True, input_value_deprecation=True)
    response = await client.post("/graphql", json={"query": full})
    assert "errors" not in response.json()
    cyclic = "{ __schema { types { " + "fields { type { " * 6 + "name" + " } }" * 6 + " } } }"
    body = (await client.post("/graphql", json={"query": cyclic})).json()
    assert "data" not in body  # refused before execution
    codes = [(e.get("extensions") or {}).get("code") for e in body["errors"]]
    assert "DEPTH_LIMIT_EXCEEDED" in codes


@pytest.mark.parametrize(
    "document",
    [
        pytest.param("{ " + "items { " * 2400 + "totalCount" + " }" * 2400 + " }", id="braces"),
        pytest.param(
            "{ ...F0 } "
            + " ".join(f"fragment F{n} on Query {{ ...F{n + 1} }}" for n in range(550))
            + " fragment F550 on Query { __typename }",
            id="fragment-chain",
        ),
        pytest.param(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", id="cycle"
        ),
    ],
)
async def test_pathological_documents_are_client_errors(client, member, calls, document):
    response = await client.post("/graphql", json={"query": document})
    assert response.status_code in {200, 400}, response.text
    body = response.json()
    assert "data" not in body  # refused before execution
    assert "Internal error." not in response.text
    assert calls == []
    await assert_still_answers(client, member)


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRELLIS_MAX_DEPTH", "3")
    monkeypatch.setenv("TRELLIS_MAX_COST", "10")
    monkeypatch.setenv("TRELLIS_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings()
    assert settings.max_depth == 3
    assert settings.max_cost == 10
    assert settings.cors_origins == ("https://a.example", "https://b.example")
