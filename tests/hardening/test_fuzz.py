"""Schema-driven fuzzing: documents generated from the SDL (hypothesis-graphql), with a
fixed seed and a bounded number of examples, never get a 5xx or an unmasked (or masked)
exception."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import httpx
import pytest

from graph.schema import schema
from tests.factories import Factory, Member

hypothesis = pytest.importorskip("hypothesis")
hypothesis_graphql = pytest.importorskip("hypothesis_graphql")

EXAMPLES = 100


def generate(kind: str) -> list[str]:
    """`EXAMPLES` documents of one operation kind, the same ones every run."""
    found: list[str] = []
    from hypothesis import strategies as st
    from hypothesis_graphql import nodes

    dates = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    custom_scalars = {
        "DateTime": dates.map(nodes.String),
        "JSON": st.one_of(st.integers().map(nodes.Int), st.text(max_size=20).map(nodes.String)),
        "Decimal": st.decimals().map(lambda d: nodes.String(str(d))),
        "Date": st.one_of(
            st.dates().map(lambda d: nodes.String(d.isoformat())),
            st.text(max_size=10).map(nodes.String),
        ),
        # A JSON body cannot carry a file: any literal stands in (and is refused, typed).
        "Upload": st.text(max_size=5).map(nodes.String),
    }
    build = hypothesis_graphql.queries if kind == "query" else hypothesis_graphql.mutations
    strategy = build(str(schema), custom_scalars=custom_scalars)

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.generate],
    )
    @hypothesis.given(strategy)
    def collect(document: str) -> None:
        found.append(document)

    collect()
    return found


@pytest.fixture
async def member(factory: Factory) -> Member:
    org = await factory.organization(slug="fuzz")
    member = await factory.member(org, role="OWNER")
    item = await factory.item(member.user, org, title="Fuzzed")
    await factory.tag_item(item, await factory.tag(org, name="t"))
    return member


def check(response: httpx.Response, document: str) -> None:
    assert response.status_code < 500, (document, response.text)
    if response.headers.get("content-type", "").startswith("application/json"):
        body: dict[str, Any] = response.json()
        for error in body.get("errors") or ():
            code = (error.get("extensions") or {}).get("code")
            assert code != "INTERNAL_ERROR", (document, error)
            assert error["message"] != "Internal error.", (document, error)


@pytest.mark.parametrize("kind", ["query", "mutation"])
async def test_generated_documents_never_fail_the_server(client, member, kind):
    headers = {"Authorization": f"Bearer {member.token}"}
    for document in generate(kind):
        response = await client.post("/graphql", json={"query": document}, headers=headers)
        check(response, document)
    # and the server still answers (the fuzzed mutations may have revoked the token)
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
