"""N+1 guards for the AI catalog, on both read paths (``read_path``): contents with their item,
organization and embeddings (vectors included), items with their contents, and AI models with
their embeddings cost the same statements for 5 rows as for 50. `Content.embedding` is
hand-written (the default embedder's row, batched per request): a query selecting it is
answered by the resolvers, with one statement for the field whatever the number of rows.
So is `Embedding.vector`, a list of floats: the compiler leaves list-valued columns to the
resolvers, and PostgreSQL's JSON text of a ``real`` (0.1) is not the float the resolvers send
(0.10000000149011612), so the two paths would disagree on the digits."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select

import models
from models.ai import AIModel, Content, ContentRole, Embedding

AUTH = 1
STATEMENT = 1
WHOLE_QUERY = 1

CONTENTS_AND_ITEMS = """
query($first: Int!) {
  contents(first: $first, orderBy: [{field: CREATED_AT, direction: DESC}]) {
    totalCount
    nodes {
      role text position item { title } organization { name }
      embeddings(first: 2) { nodes { dimension model { name } } }
    }
  }
  items(first: $first) { nodes { title contents(first: 5) { totalCount nodes { text } } } }
  aiModels(first: 5) { nodes { name embeddings(first: 3) { totalCount } } }
}
"""
# resolvers: contents page + total + items + organizations + embeddings pages + their models,
# items page + contents pages + totals, models page + embeddings pages + totals
COST = {"compiled": AUTH + WHOLE_QUERY, "resolvers": AUTH + 12 * STATEMENT}

DEFAULT_EMBEDDINGS = """
query($first: Int!) {
  contents(first: $first) { nodes { text embedding { dimension vector model { name } } } }
}
"""
# contents page + default embeddings (one batch) + their models, on either path
DEFAULT_COST = AUTH + 3 * STATEMENT


@pytest.fixture
def app(read_path_app):
    return read_path_app


async def _library(factory: Any, db: Any, *, items: int) -> str:
    """An OWNER with ``items`` items of two contents each, each embedded by the default
    embedder (rows only)."""
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    async with db.sessions() as session, session.begin():
        model_id = (await session.scalars(select(AIModel.id).where(AIModel.default_embedder))).one()
        item_ids = (await session.scalars(
            insert(models.Item).returning(models.Item.id, sort_by_parameter_order=True),
            [{"owner_id": owner.user.id, "organization_id": org.id, "title": f"Item {i}"}
             for i in range(items)],
        )).all()  # fmt: skip
        rows = [
            {"item_id": item, "organization_id": org.id, "role": ContentRole.USER,
             "text": f"text {n}.{k}", "position": k}
            for n, item in enumerate(item_ids) for k in range(2)
        ]  # fmt: skip
        content_ids = (await session.scalars(
            insert(Content).returning(Content.id, sort_by_parameter_order=True), rows
        )).all()  # fmt: skip
        await session.execute(insert(Embedding), [
            {"model_id": model_id, "content_id": c, "item_id": r["item_id"],
             "organization_id": org.id, "vector": [0.5] * 256, "dimension": 256}
            for c, r in zip(content_ids, rows, strict=True)
        ])  # fmt: skip
    return owner.token


async def test_contents_items_and_models_cost_the_same_for_5_and_50(
    factory, db, gql, counter, read_path
):
    # given
    token = await _library(factory, db, items=50)
    counts = []
    # when
    for first in (5, 50):
        counter.reset()
        body = await gql(CONTENTS_AND_ITEMS, {"first": first}, token=token)
        counts.append(counter.count)
        # then
        assert "errors" not in body, body
        contents = body["data"]["contents"]
        assert contents["totalCount"] == 100
        assert len(contents["nodes"]) == first
        embedding = contents["nodes"][0]["embeddings"]["nodes"][0]
        assert embedding["dimension"] == 256
        assert all(n["item"]["title"] and n["organization"]["name"] for n in contents["nodes"])
        assert all(i["contents"]["totalCount"] == 2 for i in body["data"]["items"]["nodes"])
        assert body["data"]["aiModels"]["nodes"][0]["embeddings"]["totalCount"] == 100
    assert counts == [COST[read_path]] * 2


async def test_default_embedding_costs_one_statement_for_any_number_of_contents(
    factory, db, gql, counter
):
    # given
    token = await _library(factory, db, items=25)
    counts = []
    # when
    for first in (5, 50):
        counter.reset()
        body = await gql(DEFAULT_EMBEDDINGS, {"first": first}, token=token)
        counts.append(counter.count)
        # then
        assert "errors" not in body, body
        nodes = body["data"]["contents"]["nodes"]
        assert len(nodes) == first
        assert {n["embedding"]["model"]["name"] for n in nodes} == {"wordllama-l2-supercat"}
        assert nodes[0]["embedding"]["vector"] == [0.5] * 256
    assert counts == [DEFAULT_COST] * 2


SEARCH = """
query($first: Int!) {
  semanticSearch(query: "text", first: $first) {
    score content { text organization { name } } item { title }
  }
}
"""
# the default model, the ranking, the contents, their items and organizations (by id)
SEARCH_COST = AUTH + 5 * STATEMENT


async def test_semantic_search_costs_the_same_for_5_and_50_hits(factory, db, gql, counter):
    # given
    token = await _library(factory, db, items=30)
    await gql(SEARCH, {"first": 1}, token=token)  # the column type, read once per process
    counts = []
    # when
    for first in (5, 50):
        counter.reset()
        body = await gql(SEARCH, {"first": first}, token=token)
        counts.append(counter.count)
        # then
        assert "errors" not in body, body
        hits = body["data"]["semanticSearch"]
        assert len(hits) == first
        assert all(h["item"]["title"] and h["content"]["organization"]["name"] for h in hits)
    assert counts == [SEARCH_COST] * 2
