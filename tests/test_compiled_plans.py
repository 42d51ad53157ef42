"""The compiled-query plan cache: what makes a new plan, what is bound per request, and that
a bad request never poisons the cache for good ones."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from graphql import parse

import graph.compiled.plans
from graph.compiled import QueryCompiler
from graph.schema import schema
from tests.factories import gid

ITEM = "query($id: ID!) { item(id: $id) { id title } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Item { title } ... on Tag { name } } }"
ITEMS = "query($first: Int) { items(first: $first) { nodes { id } } }"


def compiler() -> QueryCompiler:
    compiling = QueryCompiler()
    compiling.schema = schema
    return compiling


def plan(compiling: QueryCompiler, query: str, variables: dict[str, Any]) -> Any:
    found = compiling.plan(query, parse(query), None, variables)
    return None if found is None else found[0]


def test_a_root_id_variable_is_bound_per_request_not_compiled_in():
    # given
    compiling = compiler()
    # when
    first = plan(compiling, ITEM, {"id": gid("Item", uuid.uuid4())})
    second = plan(compiling, ITEM, {"id": gid("Item", uuid.uuid4())})
    # then
    assert first is not None
    assert second is first
    assert [(variable, type_name) for _, variable, type_name in first.ids] == [("id", "Item")]


def test_node_by_id_compiles_once_per_node_type():
    # given
    compiling = compiler()
    # when
    items = [plan(compiling, NODE, {"id": gid("Item", uuid.uuid4())}) for _ in range(3)]
    tag = plan(compiling, NODE, {"id": gid("Tag", uuid.uuid4())})
    # then
    assert items[0] is not None
    assert items[0] is items[1] is items[2]
    assert tag is not None
    assert tag is not items[0]
    assert "FROM tags" in tag.sql
    assert "FROM tags" not in items[0].sql


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("garbage", id="malformed"),
        pytest.param(gid("Tag", uuid.uuid4()), id="another-type"),
        pytest.param(gid("Nope", uuid.uuid4()), id="unknown-type"),
    ],
)
def test_a_bad_id_goes_to_the_resolvers_and_does_not_poison_the_cache(bad):
    # given
    compiling = compiler()
    # when
    refused = plan(compiling, ITEM, {"id": bad})
    good = plan(compiling, ITEM, {"id": gid("Item", uuid.uuid4())})
    # then
    assert refused is None  # the resolver path answers with INVALID_ID
    assert good is not None


def test_other_variables_make_their_own_plans():
    # given
    compiling = compiler()
    # when
    five, ten = plan(compiling, ITEMS, {"first": 5}), plan(compiling, ITEMS, {"first": 10})
    # then
    assert five is not None
    assert ten is not None
    assert five is not ten
    assert plan(compiling, ITEMS, {"first": 5}) is five


def test_page_sizes_over_the_limit_are_left_to_the_resolvers():
    assert plan(compiler(), ITEMS, {"first": 101}) is None


def test_the_cache_evicts_the_least_recently_used_plan(monkeypatch):
    # given a cache of three plans
    monkeypatch.setattr(graph.compiled.plans, "PLAN_CACHE_SIZE", 3)
    compiling = compiler()
    kept = plan(compiling, ITEMS, {"first": 1})
    for first in (2, 3):
        plan(compiling, ITEMS, {"first": first})
    # when the oldest is used again and a fourth arrives
    assert plan(compiling, ITEMS, {"first": 1}) is kept
    plan(compiling, ITEMS, {"first": 4})
    # then the least recently used one (first: 2) was dropped, not the one in use
    assert len(compiling._plans) == 3
    assert plan(compiling, ITEMS, {"first": 1}) is kept
    assert not any(b'"first":2' in key[2] for key in compiling._plans)


def test_the_cache_is_bounded_by_size_too(monkeypatch):
    # given room for about two plans
    one = plan(compiler(), ITEMS, {"first": 1})
    assert one is not None
    monkeypatch.setattr(graph.compiled.plans, "PLAN_CACHE_BYTES", 2 * len(one.sql) + 500)
    compiling = compiler()
    # when
    for first in range(1, 6):
        plan(compiling, ITEMS, {"first": first})
    # then
    assert 1 <= len(compiling._plans) <= 2
    assert compiling._plan_bytes <= graph.compiled.plans.PLAN_CACHE_BYTES


def test_mutations_and_subscriptions_are_never_compiled():
    compiling = compiler()
    mutation = "mutation { authLogout { __typename } }"
    assert compiling.plan(mutation, parse(mutation), None, {}) is None


async def test_two_ids_through_the_api_both_compiled_and_right(gql, factory, counter):
    # given
    member = await factory.member(await factory.organization())
    org = await factory.organization()
    await factory.membership(member.user, org)
    first = await factory.item(member.user, org, title="first")
    second = await factory.item(member.user, org, title="second")
    answers = []
    for item in (first, second):
        # when
        counter.reset()
        body = await gql(ITEM, {"id": gid("Item", item.id)}, token=member.token)
        # then: authentication, then one statement
        assert counter.count == 2
        answers.append(body["data"]["item"]["title"])
    assert answers == ["first", "second"]


def test_a_query_is_compiled_when_it_is_asked_again_not_before():
    # given a compiler that waits for the second sighting
    compiling = QueryCompiler(compile_after=2)
    compiling.schema = schema
    # when
    once = plan(compiling, ITEMS, {"first": 3})
    other = plan(compiling, ITEMS, {"first": 4})  # another key: its own first sighting
    twice = plan(compiling, ITEMS, {"first": 3})
    # then: the resolvers answer the first time, the plan serves from the second on
    assert once is None
    assert other is None
    assert twice is not None
    assert plan(compiling, ITEMS, {"first": 3}) is twice


def test_one_off_queries_are_never_compiled_and_their_count_is_bounded(monkeypatch):
    # given
    monkeypatch.setattr(graph.compiled.plans, "PLAN_CACHE_SIZE", 10)
    compiling = QueryCompiler(compile_after=2)
    compiling.schema = schema
    # when: a hundred different page sizes, each asked once
    answers = [plan(compiling, ITEMS, {"first": n}) for n in range(100)]
    # then
    assert answers == [None] * 100
    assert len(compiling._plans) == 0
    assert len(compiling._sightings) == 10
