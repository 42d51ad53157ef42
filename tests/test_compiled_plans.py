"""The compiled-query plan cache: what makes a new plan, what is bound per request, and that
a bad request never poisons the cache for good ones."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import parse

import graph.compiled.plans
from graph.compiled import QueryCompiler
from graph.schema import schema
from loaders.paging import encode_cursor
from tests.factories import gid

ITEM = "query($id: ID!) { item(id: $id) { id title } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Item { title } ... on Tag { name } } }"
ITEMS = "query($title: String) { items(filter: {title: {eq: $title}}) { nodes { id } } }"
PAGE = "query($first: Int, $after: String) { items(first: $first, after: $after) { nodes { id } } }"


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
    assert [(variable, type_name) for _, variable, type_name, _ in first.ids] == [("id", "Item")]


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
    one, other = plan(compiling, ITEMS, {"title": "a"}), plan(compiling, ITEMS, {"title": "b"})
    # then
    assert one is not None
    assert other is not None
    assert one is not other
    assert plan(compiling, ITEMS, {"title": "a"}) is one


def cursor(signature: str, values: list[Any]) -> str:
    return encode_cursor(signature, values)


def test_page_sizes_and_cursors_are_bound_per_request():
    # given
    compiling = compiler()
    at = datetime(2024, 1, 1, tzinfo=UTC)
    signature = "created_at+,id+"
    # when
    pages = [
        plan(compiling, PAGE, {"first": 5}),
        plan(compiling, PAGE, {"first": 50}),
        plan(compiling, PAGE, {"first": 5, "after": cursor(signature, [at, uuid.uuid4()])}),
        plan(compiling, PAGE, {"first": 9, "after": cursor(signature, [at, uuid.uuid4()])}),
        plan(compiling, PAGE, {"first": 9, "after": cursor(signature, [None, uuid.uuid4()])}),
    ]
    # then: one plan for every size; one for every cursor whose values are all set; a null
    # value changes the keyset condition's shape
    assert all(p is not None for p in pages)
    assert pages[0] is pages[1]
    assert pages[2] is pages[3]
    assert pages[2] is not pages[0]
    assert pages[4] is not pages[2]
    assert [v for v, _, _ in pages[2].cursors] == ["after"]
    assert [v for _, _, v in pages[2].sizes] == ["first"]


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"first": 101}, id="size-over-the-limit"),
        pytest.param({"first": -1}, id="negative-size"),
        pytest.param({"after": "garbage"}, id="malformed-cursor"),
        pytest.param(
            {"after": encode_cursor("name+,id+", ["x", uuid.uuid4()])}, id="foreign-cursor"
        ),
    ],
)
def test_bad_page_arguments_are_left_to_the_resolvers_and_do_not_poison_the_cache(variables):
    # given
    compiling = compiler()
    # when
    refused = plan(compiling, PAGE, variables)
    fine = plan(
        compiling,
        PAGE,
        {"first": 3, "after": encode_cursor("created_at+,id+", [datetime.now(UTC), uuid.uuid4()])},
    )
    # then
    assert refused is None
    assert fine is not None


def test_the_cache_evicts_the_least_recently_used_plan(monkeypatch):
    # given a cache of three plans
    monkeypatch.setattr(graph.compiled.plans, "PLAN_CACHE_SIZE", 3)
    compiling = compiler()
    kept = plan(compiling, ITEMS, {"title": "1"})
    for title in ("2", "3"):
        plan(compiling, ITEMS, {"title": title})
    # when the oldest is used again and a fourth arrives
    assert plan(compiling, ITEMS, {"title": "1"}) is kept
    plan(compiling, ITEMS, {"title": "4"})
    # then the least recently used one (title 2) was dropped, not the one in use
    assert len(compiling._plans) == 3
    assert plan(compiling, ITEMS, {"title": "1"}) is kept
    assert not any(b'"title":"2"' in key[2] for key in compiling._plans)


def test_the_cache_is_bounded_by_size_too(monkeypatch):
    # given room for about two plans
    one = plan(compiler(), ITEMS, {"title": "1"})
    assert one is not None
    monkeypatch.setattr(graph.compiled.plans, "PLAN_CACHE_BYTES", 2 * len(one.sql) + 500)
    compiling = compiler()
    # when
    for title in range(1, 6):
        plan(compiling, ITEMS, {"title": str(title)})
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
    once = plan(compiling, ITEMS, {"title": "3"})
    other = plan(compiling, ITEMS, {"title": "4"})  # another key: its own first sighting
    twice = plan(compiling, ITEMS, {"title": "3"})
    # then: the resolvers answer the first time, the plan serves from the second on
    assert once is None
    assert other is None
    assert twice is not None
    assert plan(compiling, ITEMS, {"title": "3"}) is twice


def test_one_off_queries_are_never_compiled_and_their_count_is_bounded(monkeypatch):
    # given
    monkeypatch.setattr(graph.compiled.plans, "PLAN_CACHE_SIZE", 10)
    compiling = QueryCompiler(compile_after=2)
    compiling.schema = schema
    # when: a hundred different titles, each asked once
    answers = [plan(compiling, ITEMS, {"title": str(n)}) for n in range(100)]
    # then
    assert answers == [None] * 100
    assert len(compiling._plans) == 0
    assert len(compiling._sightings) == 10


NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def test_nodes_ids_are_bound_per_request_with_a_plan_per_sequence_of_types():
    # given
    compiling = compiler()
    # when: three lists of an item then a tag, and one of a tag then an item
    same = [
        plan(compiling, NODES, {"ids": [gid("Item", uuid.uuid4()), gid("Tag", uuid.uuid4())]})
        for _ in range(3)
    ]
    swapped = plan(compiling, NODES, {"ids": [gid("Tag", uuid.uuid4()), gid("Item", uuid.uuid4())]})
    # then
    assert same[0] is not None
    assert same[0] is same[1] is same[2]
    assert swapped is not None
    assert swapped is not same[0]
    bound = [(variable, type_name, index) for _, variable, type_name, index in same[0].ids]
    assert bound == [("ids", "Item", 0), ("ids", "Tag", 1)]


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param(["garbage"], id="malformed"),
        pytest.param([gid("Nope", uuid.uuid4())], id="unknown-type"),
        pytest.param([gid("Item", uuid.uuid4())] * 101, id="too-many"),
    ],
)
def test_bad_nodes_ids_go_to_the_resolvers_and_do_not_poison_the_cache(ids):
    # given
    compiling = compiler()
    # when
    refused = plan(compiling, NODES, {"ids": ids})
    good = plan(compiling, NODES, {"ids": [gid("Item", uuid.uuid4())]})
    # then
    assert refused is None  # the resolver path answers with INVALID_ID or TOO_MANY_IDS
    assert good is not None
