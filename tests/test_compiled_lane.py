"""The fast lane (graph/compiled/lane.py): a document a plan has answered is answered again
without Strawberry — exactly as the full path would answer it, and only when it would.

tests/test_compiled.py asks its whole corpus twice (the second time through the lane) and
compares answers and headers; these tests cover what the corpus does not vary: the request's
headers and body keys, the cost limit with variable page sizes, and viewers sharing a plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.database import Database, StatementCounter
from graph.settings import get_settings
from tests.factories import Factory, Member

ITEMS = "query($n: Int) { items(first: $n) { nodes { title owner { fullName } } } }"
AUTH = 1  # statements that authenticate a bearer token


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An app with compiled queries on (whatever the environment says), compiling at once, and
    a cost limit that a page of 40 items with their owners passes and one of 100 does not."""
    settings = dataclasses.replace(
        get_settings(), compiled_queries=True, compile_after=1, max_cost=150
    )
    application = create_app(settings, database=db)
    application.state.db = db
    transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclasses.dataclass
class Tenants:
    ann: Member  # of Acme, which has 3 items
    bob: Member  # of Globex, which has 1


@pytest.fixture
async def tenants(factory: Factory) -> Tenants:
    acme = await factory.organization(name="Acme")
    globex = await factory.organization(name="Globex")
    ann = await factory.member(acme, full_name="Ann")
    bob = await factory.member(globex, full_name="Bob")
    for title in ("a1", "a2", "a3"):
        await factory.item(ann.user, acme, title=title)
    await factory.item(bob.user, globex, title="b1")
    return Tenants(ann, bob)


async def post(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    token: str | None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json=body, headers={**sent, **(headers or {})})


def same(first: httpx.Response, second: httpx.Response) -> None:
    """Equal status, body and headers (but the request id, new each time)."""

    def kept(r: httpx.Response) -> list[tuple[str, str]]:
        return [(k, v) for k, v in r.headers.multi_items() if k != "x-request-id"]

    assert (first.status_code, first.content, kept(first)) == (
        second.status_code,
        second.content,
        kept(second),
    )


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-accept"),
        pytest.param({"Accept": "application/graphql-response+json"}, id="graphql-response"),
        pytest.param(
            {"Accept": "application/graphql-response+json, application/json;q=0.9"},
            id="apollo-accept",
        ),
        pytest.param({"Content-Type": "application/json; charset=utf-8"}, id="charset"),
        pytest.param({"X-Request-ID": "abc.123"}, id="client-request-id"),
    ],
)
async def test_the_lane_answers_as_the_full_path_does(
    client: httpx.AsyncClient, tenants: Tenants, full_path_runs: list[str], headers: dict[str, str]
) -> None:
    # given
    body = {"query": ITEMS, "variables": {"n": 2}}
    first = await post(client, body, tenants.ann.token, headers)
    # when
    again = await post(client, body, tenants.ann.token, headers)
    # then
    same(first, again)
    assert full_path_runs == [ITEMS]  # the first request only
    nodes = [{"title": t, "owner": {"fullName": "Ann"}} for t in ("a1", "a2")]
    assert again.json() == {"data": {"items": {"nodes": nodes}}}
    if "X-Request-ID" in headers:
        assert again.headers["x-request-id"] == "abc.123"


async def test_viewers_sharing_a_plan_each_see_their_own_rows(
    client: httpx.AsyncClient,
    tenants: Tenants,
    full_path_runs: list[str],
    counter: StatementCounter,
) -> None:
    # given: the plan made for ann
    body = {"query": ITEMS, "variables": {"n": 10}}
    await post(client, body, tenants.ann.token)
    # when: bob, then ann, then nobody, through the lane
    counter.reset()
    answers = [await post(client, body, t) for t in (tenants.bob.token, tenants.ann.token, None)]
    # then
    titles = [sorted(n["title"] for n in r.json()["data"]["items"]["nodes"]) for r in answers]
    assert titles == [["b1"], ["a1", "a2", "a3"], []]
    assert full_path_runs == [ITEMS]
    assert len(counter.statements) == 3 * 1 + 2 * AUTH  # one each, and two tokens checked


async def test_a_page_size_that_costs_too_much_is_refused_by_the_full_path(
    client: httpx.AsyncClient, tenants: Tenants, full_path_runs: list[str]
) -> None:
    # given: a plan for a page of 40 (cost 81)
    await post(client, {"query": ITEMS, "variables": {"n": 40}}, tenants.ann.token)
    # when: the same document for 100 (cost 201, over 150)
    refused = await post(client, {"query": ITEMS, "variables": {"n": 100}}, tenants.ann.token)
    # then
    assert refused.json()["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert refused.headers["x-trellis-cost"] == "requested=201; limit=150"
    assert full_path_runs == [ITEMS, ITEMS]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param({"extensions": {"cost": True}}, {}, id="asks-for-the-cost"),
        pytest.param({"unknown": 1}, {}, id="unknown-key"),
        pytest.param({}, {"Accept": "multipart/mixed"}, id="multipart"),
        pytest.param({}, {"Accept": "text/html"}, id="html"),
    ],
)
async def test_what_the_lane_does_not_handle_goes_the_full_path(
    client: httpx.AsyncClient,
    tenants: Tenants,
    full_path_runs: list[str],
    body: dict[str, Any],
    headers: dict[str, str],
) -> None:
    # given: a document a plan answered
    plain = {"query": ITEMS, "variables": {"n": 2}}
    await post(client, plain, tenants.ann.token)
    # when
    answer = await post(client, {**plain, **body}, tenants.ann.token, headers)
    # then: the full path answered, as it would without the lane
    assert full_path_runs == [ITEMS, ITEMS]
    if "extensions" in body:
        assert answer.json()["extensions"]["cost"] == {"requested": 5, "limit": 150}


async def test_other_extensions_are_answered_by_the_lane(
    client: httpx.AsyncClient, tenants: Tenants, full_path_runs: list[str]
) -> None:
    # given
    plain = {"query": ITEMS, "variables": {"n": 2}}
    first = await post(client, plain, tenants.ann.token)
    # when: Apollo Client's library extension, which nothing on the server reads
    extended = {**plain, "extensions": {"clientLibrary": {"name": "@apollo/client"}}}
    again = await post(client, extended, tenants.ann.token)
    # then
    same(first, again)
    assert full_path_runs == [ITEMS]


@pytest.fixture
async def reference(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An app without compiled queries (nor the lane): the full path's answers."""
    settings = dataclasses.replace(get_settings(), compiled_queries=False, max_cost=150)
    application = create_app(settings, database=db)
    application.state.db = db
    transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_a_refused_token_is_refused_by_the_lane_as_by_the_full_path(
    client: httpx.AsyncClient,
    reference: httpx.AsyncClient,
    tenants: Tenants,
    full_path_runs: list[str],
) -> None:
    # given
    body = {"query": ITEMS, "variables": {"n": 2}}
    await post(client, body, tenants.ann.token)
    # when
    lane = await post(client, body, "trl_at_revoked-or-made-up")
    full = await post(reference, body, "trl_at_revoked-or-made-up")
    # then
    assert lane.status_code == 401
    assert full_path_runs == [ITEMS]
    same(lane, full)


async def test_a_repeated_header_counts_by_its_first_value_as_on_the_full_path(
    client: httpx.AsyncClient,
    reference: httpx.AsyncClient,
    tenants: Tenants,
    full_path_runs: list[str],
) -> None:
    # given
    body = {"query": ITEMS, "variables": {"n": 2}}
    await post(client, body, tenants.ann.token)
    headers = [
        ("Authorization", f"Bearer {tenants.bob.token}"),
        ("Authorization", f"Bearer {tenants.ann.token}"),
        ("Accept", "application/graphql-response+json"),
        ("Accept", "application/json"),
    ]
    # when
    lane = await client.post("/graphql", json=body, headers=headers)
    lane_runs = list(full_path_runs)
    full = await reference.post("/graphql", json=body, headers=headers)
    # then: bob's items, as graphql-response+json
    assert lane.json()["data"]["items"]["nodes"] == [{"title": "b1", "owner": {"fullName": "Bob"}}]
    assert lane.headers["content-type"].startswith("application/graphql-response+json")
    assert lane_runs == [ITEMS]
    same(lane, full)
