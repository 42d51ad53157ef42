"""The fast lane (graph/compiled/lane.py): a document a plan has answered is answered again
without Strawberry — exactly as the full path would answer it, and only when it would.

tests/test_compiled.py asks its whole corpus twice (the second time through the lane) and
compares answers and headers; these tests cover what the corpus does not vary: the request's
headers and body keys, the cost limit with variable page sizes, and viewers sharing a plan.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text

import models
from graph.auth import API_KEY_PREFIX, hash_token, new_token
from graph.database import Database, StatementCounter
from graph.server.app import create_app
from graph.settings import get_settings
from tests.factories import Factory, Member, gid

ITEMS = "query($n: Int) { items(first: $n) { nodes { title owner { fullName } } } }"
AUTH = 1  # statements that authenticate a bearer token


@asynccontextmanager
async def asgi_client(
    db: Database, *, raise_app_exceptions: bool = True, **changes: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An app with the given settings changed; ``raise_app_exceptions=False``: an unhandled
    error is the 500 a server would send."""
    application = create_app(get_settings().replace(**changes), database=db)
    application.state.db = db
    transport = httpx.ASGITransport(
        app=application, client=("127.0.0.1", 50000), raise_app_exceptions=raise_app_exceptions
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An app with compiled queries on (whatever the environment says), compiling at once, and
    a cost limit that a page of 40 items with their owners passes and one of 100 does not."""
    async with asgi_client(db, compiled_queries=True, compile_after=1, max_cost=150) as c:
        yield c


@pytest.fixture
async def reference(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An app without compiled queries (nor the lane): the full path's answers."""
    async with asgi_client(db, compiled_queries=False, max_cost=150) as c:
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


async def test_a_content_type_in_capitals_is_refused_as_by_the_full_path(
    client: httpx.AsyncClient, reference: httpx.AsyncClient, tenants: Tenants
) -> None:
    # given: a document a plan answered
    body = {"query": ITEMS, "variables": {"n": 2}}
    await post(client, body, tenants.ann.token)
    # when: Strawberry looks for "application/json" case-sensitively
    headers = {"Content-Type": "APPLICATION/JSON"}
    lane = await post(client, body, tenants.ann.token, headers)
    full = await post(reference, body, tenants.ann.token, headers)
    # then: a 415 "Unsupported content type", not the data
    assert full.status_code == 415
    same(lane, full)


async def test_a_body_too_deep_for_the_full_path_is_not_answered_by_the_lane(
    db: Database, tenants: Tenants
) -> None:
    # given: a document a plan answered, and a body whose `extensions` nest 1000 deep, which
    # orjson reads (up to 1024) and the standard library's json (Strawberry's) cannot
    limits: dict[str, Any] = {"max_cost": 150, "raise_app_exceptions": False}
    body = {"query": ITEMS, "variables": {"n": 2}}
    deep = b"[" * 1000 + b"]" * 1000
    content = json.dumps(body).encode()[:-1] + b', "extensions": {"x": ' + deep + b"}}"
    headers = {"Authorization": f"Bearer {tenants.ann.token}", "Content-Type": "application/json"}
    async with (
        asgi_client(db, compiled_queries=True, compile_after=1, **limits) as client,
        asgi_client(db, compiled_queries=False, **limits) as reference,
    ):
        await post(client, body, tenants.ann.token)
        # when
        lane = await client.post("/graphql", content=content, headers=headers)
        full = await reference.post("/graphql", content=content, headers=headers)
    # then: the full path refuses it, and so does the lane's app
    assert full.status_code == 400
    assert "nested too deeply" in full.text
    same(lane, full)


ITEMS_JSON = json.dumps(ITEMS).encode()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"query": %s, "variables": null}' % ITEMS_JSON, id="variables-null"),
        pytest.param(
            b'{"query": %s, "variables": {"n": 2}, "operationName": null}' % ITEMS_JSON,
            id="operation-name-null",
        ),
        pytest.param(
            b'{"query": "{ x }", "variables": {"n": 9}, "query": %s, "variables": {"n": 2}}'
            % ITEMS_JSON,
            id="duplicate-keys",
        ),
        pytest.param(b'{"query": %s, "variables": {"n": "2"}}' % ITEMS_JSON, id="string-size"),
        pytest.param(b'{"query": %s, "variables": {"n": true}}' % ITEMS_JSON, id="boolean-size"),
        pytest.param(b'{"query": %s, "variables": {"n": 2.0}}' % ITEMS_JSON, id="float-size"),
        pytest.param(b'{"query": %s, "variables": {"n": -1}}' % ITEMS_JSON, id="negative-size"),
        pytest.param(
            b'{"query": %s, "variables": {"n": 123456789012345678901234567890}}' % ITEMS_JSON,
            id="size-beyond-64-bits",
        ),
        pytest.param(b'{"query": %s, "variables": {"n": NaN}}' % ITEMS_JSON, id="nan"),
        pytest.param(
            b'\xef\xbb\xbf{"query": %s, "variables": {"n": 2}}' % ITEMS_JSON, id="utf-8-bom"
        ),
        pytest.param(
            json.dumps({"query": ITEMS, "variables": {"n": 2}}).encode("utf-16"), id="utf-16"
        ),
        pytest.param(
            b'{"query": %s, "variables": {"n": 2}, "extensions": {"s": "\xed\xa0\x80"}}'
            % ITEMS_JSON,
            id="encoded-surrogate",
        ),
    ],
)
async def test_json_bodies_are_answered_as_by_the_full_path(
    client: httpx.AsyncClient, reference: httpx.AsyncClient, tenants: Tenants, content: bytes
) -> None:
    # given: a document a plan answered for a page of 2
    await post(client, {"query": ITEMS, "variables": {"n": 2}}, tenants.ann.token)
    headers = {"Authorization": f"Bearer {tenants.ann.token}", "Content-Type": "application/json"}
    # when: the lane answers or hands on (orjson refuses what the standard library reads)
    lane = await client.post("/graphql", content=content, headers=headers)
    full = await reference.post("/graphql", content=content, headers=headers)
    # then
    same(lane, full)


async def test_a_document_of_several_operations_is_answered_per_operation(
    client: httpx.AsyncClient,
    reference: httpx.AsyncClient,
    tenants: Tenants,
    full_path_runs: list[str],
) -> None:
    # given: operation B answered by a plan
    query = """
      query A { items(first: 1) { nodes { title } } }
      query B { items(first: 2) { nodes { title } } }"""
    await post(client, {"query": query, "operationName": "B"}, tenants.ann.token)
    full_path_runs.clear()
    # when
    answers: dict[str | None, tuple[httpx.Response, httpx.Response]] = {}
    for name in ("B", "A", None):
        body = {"query": query, "operationName": name}
        answers[name] = (
            await post(client, body, tenants.ann.token),
            await post(reference, body, tenants.ann.token),
        )
    # then: only B took the lane; A and the unnamed request went the full path
    for lane, full in answers.values():
        same(lane, full)
    assert full_path_runs == [query] * 5


NODE = "query($id: ID!) { node(id: $id) { id __typename ... on Item { title } } }"
ITEM = "query($id: ID!) { item(id: $id) { id title } }"


@pytest.mark.parametrize("query", [NODE, ITEM], ids=["node", "item"])
async def test_ids_of_other_types_and_tenants_are_answered_as_by_the_full_path(
    client: httpx.AsyncClient, reference: httpx.AsyncClient, tenants: Tenants, query: str
) -> None:
    # given: a plan for one of ann's items, and IDs of other kinds
    listed = "{ items(first: 5) { nodes { id } } }"
    mine = (await post(reference, {"query": listed}, tenants.ann.token)).json()
    theirs = (await post(reference, {"query": listed}, tenants.bob.token)).json()
    first, second = (n["id"] for n in mine["data"]["items"]["nodes"][:2])
    await post(client, {"query": query, "variables": {"id": first}}, tenants.ann.token)
    ids = [
        second,
        theirs["data"]["items"]["nodes"][0]["id"],  # another tenant's item
        tenants.ann.id,  # a user's
        tenants.bob.id,
        gid("Item", uuid.uuid4()),  # no such item
        base64.b64encode(b"Item:not-a-uuid").decode(),
        first.rstrip("="),
        "garbage",
    ]
    for id_ in ids:
        # when
        body = {"query": query, "variables": {"id": id_}}
        lane = await post(client, body, tenants.ann.token)
        full = await post(reference, body, tenants.ann.token)
        # then
        same(lane, full)


async def test_cursors_are_answered_as_by_the_full_path(
    client: httpx.AsyncClient, reference: httpx.AsyncClient, tenants: Tenants
) -> None:
    # given: plans for a first page and a next one
    query = """query($n: Int, $c: String) {
      items(first: $n, after: $c) { pageInfo { endCursor } nodes { title } }
    }"""
    mine = await post(client, {"query": query, "variables": {"n": 1}}, tenants.ann.token)
    cursor = mine.json()["data"]["items"]["pageInfo"]["endCursor"]
    await post(client, {"query": query, "variables": {"n": 1, "c": cursor}}, tenants.ann.token)
    theirs = await post(reference, {"query": query, "variables": {"n": 1}}, tenants.bob.token)
    signature, values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    cursors = [
        theirs.json()["data"]["items"]["pageInfo"]["endCursor"],  # another tenant's
        base64.urlsafe_b64encode(json.dumps([signature, ["x"] * len(values)]).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps([signature, values[:1]]).encode()).decode(),
        "",
        None,
    ]
    for after in cursors:
        # when
        body = {"query": query, "variables": {"n": 1, "c": after}}
        lane = await post(client, body, tenants.ann.token)
        full = await post(reference, body, tenants.ann.token)
        # then
        same(lane, full)


async def test_a_default_page_size_over_the_cost_limit_is_refused_by_the_full_path(
    client: httpx.AsyncClient,
    reference: httpx.AsyncClient,
    tenants: Tenants,
    full_path_runs: list[str],
) -> None:
    # given: a plan for a page of 2 of a document whose default page (100) costs 201
    query = "query($n: Int = 100) { items(first: $n) { nodes { title owner { fullName } } } }"
    await post(client, {"query": query, "variables": {"n": 2}}, tenants.ann.token)
    # when: the variable is left out (the same plan, as the size is bound per request)
    lane = await post(client, {"query": query}, tenants.ann.token)
    full = await post(reference, {"query": query}, tenants.ann.token)
    # then
    assert lane.json()["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert full_path_runs == [query] * 3
    same(lane, full)


async def test_credentials_revoked_or_expired_after_the_plan_was_made_are_refused(
    client: httpx.AsyncClient,
    reference: httpx.AsyncClient,
    tenants: Tenants,
    factory: Factory,
    db: Database,
) -> None:
    # given: a plan, and API keys of ann's with one scope each
    body = {"query": ITEMS, "variables": {"n": 2}}
    await post(client, body, tenants.ann.token)
    keys: dict[str, str] = {}
    for scope in ("read", "admin"):
        key = new_token(API_KEY_PREFIX)
        keys[scope] = key
        await factory._add(
            models.APIKey(
                user_id=tenants.ann.user.id,
                name=scope,
                prefix=key[:12],
                key_hash=hash_token(key),
                scopes=[scope],
            )
        )
    for key in keys.values():  # a key reads whatever its scope (reads are not scoped)
        same(await post(client, body, key), await post(reference, body, key))
    # when: ann's session is revoked, the read key expires, the admin key is revoked
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE auth_sessions SET revoked_at = now()"))
        await conn.execute(text("UPDATE api_keys SET expires_at = now() WHERE name = 'read'"))
        await conn.execute(text("UPDATE api_keys SET revoked_at = now() WHERE name = 'admin'"))
    # then
    for credential in (tenants.ann.token, *keys.values()):
        lane = await post(client, body, credential)
        assert lane.status_code == 401
        same(lane, await post(reference, body, credential))


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="same-origin"),
        pytest.param({"Origin": "https://app.example"}, id="allowed-origin"),
        pytest.param({"Origin": "https://evil.example"}, id="other-origin"),
        pytest.param(
            {"Origin": "https://app.example", "Accept": "application/graphql-response+json"},
            id="allowed-origin-graphql-response",
        ),
    ],
)
async def test_production_mode_with_cors_answers_as_the_full_path(
    db: Database, tenants: Tenants, full_path_runs: list[str], headers: dict[str, str]
) -> None:
    # given
    production: dict[str, Any] = {
        "mode": "production",
        "cors_origins": ("https://app.example",),
        "max_cost": 150,
    }
    body = {"query": ITEMS, "variables": {"n": 2}}
    async with (
        asgi_client(db, compiled_queries=True, compile_after=1, **production) as client,
        asgi_client(db, compiled_queries=False, **production) as reference,
    ):
        await post(client, body, tenants.ann.token)
        # when
        lane = await post(client, body, tenants.ann.token, headers)
        full = await post(reference, body, tenants.ann.token, headers)
    # then
    assert full_path_runs == [ITEMS, ITEMS]  # the lane answered
    same(lane, full)
