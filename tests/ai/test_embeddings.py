"""Embeddings through the API and the queue: a content write queues its embedding in the
same transaction, the job writes it (and rewrites it when the text changes), a new default
embedder re-embeds, and semantic search refuses bad input with coded errors."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.ai.conftest import embed_jobs
from tests.catalog.conftest import PAYLOAD_ERRORS, Workspace, denied, without_message
from tests.factories import Factory, gid
from tests.jobs.conftest import run_queue

CONTENT_CREATE = """
mutation($input: ContentCreateInput!) {
  contentCreate(input: $input) { __typename ... on ContentSuccess { content { id } } }
}"""
CONTENT_UPDATE = """
mutation($input: ContentUpdateInput!) { contentUpdate(input: $input) { __typename } }
"""
EMBEDDING = """
query($id: ID!) {
  content(id: $id) {
    embedding { id dimension vector updatedAt model { name } history { nodes { action } } }
    embeddings { totalCount }
  }
}"""
MAKE_DEFAULT = f"""
mutation($input: AIModelMakeDefaultInput!) {{
  aiModelMakeDefault(input: $input) {{
    __typename ... on EmbeddingsRefreshSuccess {{ queued }} {PAYLOAD_ERRORS}
  }}
}}"""
REFRESH = f"""
mutation($input: EmbeddingsRefreshInput!) {{
  embeddingsRefresh(input: $input) {{
    __typename ... on EmbeddingsRefreshSuccess {{ queued }} {PAYLOAD_ERRORS}
  }}
}}"""
MODEL_CREATE = """
mutation($input: AIModelCreateInput!) {
  aiModelCreate(input: $input) { ... on AIModelSuccess { aiModel { id } } }
}"""
SEARCH = """
query($q: String!, $org: ID, $first: Int, $filter: ContentFilter) {
  semanticSearch(query: $q, organization: $org, first: $first, filter: $filter) {
    score content { text role } item { title }
  }
}"""


async def _content(gql: Any, workspace: Workspace, item: str, text: str, role: str = "USER") -> str:
    body = await gql(
        CONTENT_CREATE, {"input": {"item": item, "role": role, "text": text}},
        token=workspace.editor.token,
    )  # fmt: skip
    return str(body["data"]["contentCreate"]["content"]["id"])


async def _item(factory: Factory, workspace: Workspace, title: str = "Notes") -> str:
    return gid("Item", (await factory.item(workspace.owner.user, workspace.org, title=title)).id)


async def _embedding(gql: Any, workspace: Workspace, content: str) -> Any:
    body = await gql(EMBEDDING, {"id": content}, token=workspace.viewer.token)
    return body["data"]["content"]


async def test_a_content_write_queues_its_embedding_and_the_job_writes_it(
    gql, db, factory: Factory, workspace: Workspace
):
    # given
    item = await _item(factory, workspace)
    content = await _content(gql, workspace, item, "Bake the bread in a hot oven.")
    refused = await gql(
        CONTENT_CREATE, {"input": {"item": item, "role": "USER", "text": " "}},
        token=workspace.editor.token,
    )  # fmt: skip
    assert refused["data"]["contentCreate"]["__typename"] == "ValidationError"
    queued = await embed_jobs(db)
    before = await _embedding(gql, workspace, content)
    # when
    await run_queue(db)
    after = await _embedding(gql, workspace, content)
    # then: one job, for the content that was committed; null until the job ran
    assert [gid("Content", __import__("uuid").UUID(q)) for q in queued] == [content]
    assert before == {"embedding": None, "embeddings": {"totalCount": 0}}
    embedding = after["embedding"]
    assert embedding["model"] == {"name": "wordllama-l2-supercat"}
    assert embedding["dimension"] == len(embedding["vector"]) == 256
    assert math.isclose(sum(x * x for x in embedding["vector"]), 1.0, rel_tol=1e-4)
    assert embedding["history"]["nodes"] == [{"action": "CREATE"}]


async def test_a_new_text_is_embedded_again_in_place(gql, db, factory: Factory, workspace):
    # given
    item = await _item(factory, workspace)
    content = await _content(gql, workspace, item, "Bake the bread in a hot oven.")
    await run_queue(db)
    first = (await _embedding(gql, workspace, content))["embedding"]
    # when: a change of metadata queues nothing, a change of text queues the embedding
    await gql(CONTENT_UPDATE, {"input": {"id": content, "metaData": {"a": 1}}},
              token=workspace.editor.token)  # fmt: skip
    assert await embed_jobs(db) == []
    await gql(CONTENT_UPDATE, {"input": {"id": content, "text": "Quarterly tax filing."}},
              token=workspace.editor.token)  # fmt: skip
    assert len(await embed_jobs(db)) == 1
    await run_queue(db)
    second = await _embedding(gql, workspace, content)
    # then
    assert second["embeddings"] == {"totalCount": 1}
    assert second["embedding"]["id"] == first["id"]
    assert second["embedding"]["vector"] != first["vector"]
    assert second["embedding"]["history"]["nodes"] == [{"action": "UPDATE"}, {"action": "CREATE"}]


async def test_a_new_default_embedder_re_embeds_and_answers_searches(
    gql, db, factory: Factory, workspace: Workspace
):
    # given: two embedded contents, and a superuser's new global model
    item = await _item(factory, workspace, "Kitchen")
    bread = await _content(gql, workspace, item, "bake bread in the oven")
    await _content(gql, workspace, item, "file the quarterly taxes")
    await run_queue(db)
    root = await factory.token(await factory.user(is_superuser=True))
    created = await gql(
        MODEL_CREATE,
        {"input": {"name": "hashing-64", "provider": "hashing", "parameters": {"dimension": 64}}},
        token=root,
    )
    model = created["data"]["aiModelCreate"]["aiModel"]["id"]
    # when
    made = await gql(MAKE_DEFAULT, {"input": {"id": model}}, token=root)
    await run_queue(db)
    # then
    assert made["data"]["aiModelMakeDefault"] == {
        "__typename": "EmbeddingsRefreshSuccess", "queued": 2,
    }  # fmt: skip
    now = await _embedding(gql, workspace, bread)
    assert now["embedding"]["model"] == {"name": "hashing-64"}
    assert now["embedding"]["dimension"] == 64
    assert now["embeddings"] == {"totalCount": 2}  # the old model's stays
    hits = await gql(SEARCH, {"q": "oven bread", "first": 1}, token=workspace.viewer.token)
    assert hits["data"]["semanticSearch"][0]["content"]["text"] == "bake bread in the oven"
    refreshed = await gql(REFRESH, {"input": {"organization": workspace.org_id}},
                          token=workspace.owner.token)  # fmt: skip
    assert refreshed["data"]["embeddingsRefresh"]["queued"] == 0


async def test_refresh_and_make_default_refusals(gql, factory: Factory, workspace: Workspace):
    # given
    own = await gql(
        MODEL_CREATE,
        {"input": {"organization": workspace.org_id, "name": "own", "provider": "hashing"}},
        token=workspace.owner.token,
    )
    own_model = own["data"]["aiModelCreate"]["aiModel"]["id"]
    root = await factory.token(await factory.user(is_superuser=True))
    # when
    by_editor = await gql(REFRESH, {"input": {"organization": workspace.org_id}},
                          token=workspace.editor.token)  # fmt: skip
    by_owner = await gql(MAKE_DEFAULT, {"input": {"id": own_model}}, token=workspace.owner.token)
    not_global = await gql(MAKE_DEFAULT, {"input": {"id": own_model}}, token=root)
    # then
    assert without_message(by_editor["data"]["embeddingsRefresh"]) == denied("organization:update")
    assert without_message(by_owner["data"]["aiModelMakeDefault"]) == denied(None)
    assert not_global["data"]["aiModelMakeDefault"]["__typename"] == "ConflictError"


async def test_search_narrows_by_organization_and_filter(
    gql, db, factory: Factory, workspace: Workspace
):
    # given
    item = await _item(factory, workspace, "Kitchen")
    await _content(gql, workspace, item, "bake bread in the oven", "USER")
    await _content(gql, workspace, item, "the oven bakes bread", "ASSISTANT")
    other = await factory.organization()
    await factory.membership(workspace.viewer.user, other, "OWNER")
    other_item = await factory.item(workspace.viewer.user, other, title="Elsewhere")
    await gql(CONTENT_CREATE, {"input": {"item": gid("Item", other_item.id), "role": "USER",
              "text": "bread and oven"}}, token=workspace.viewer.token)  # fmt: skip
    await run_queue(db)
    token = workspace.viewer.token
    # when
    everywhere = await gql(SEARCH, {"q": "bread oven"}, token=token)
    mine = await gql(SEARCH, {"q": "bread oven", "org": workspace.org_id}, token=token)
    answers = await gql(
        SEARCH, {"q": "bread oven", "filter": {"role": {"eq": "ASSISTANT"}}}, token=token
    )
    # then
    assert {h["item"]["title"] for h in everywhere["data"]["semanticSearch"]} == {
        "Kitchen", "Elsewhere",
    }  # fmt: skip
    assert {h["item"]["title"] for h in mine["data"]["semanticSearch"]} == {"Kitchen"}
    assert [h["content"]["role"] for h in answers["data"]["semanticSearch"]] == ["ASSISTANT"]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"q": "   "}, "BAD_QUERY"),
        ({"q": "bread", "first": 0}, "BAD_PAGE_SIZE"),
        ({"q": "bread", "first": 101}, "BAD_PAGE_SIZE"),
        ({"q": "bread", "org": "not-an-id"}, "INVALID_ID"),
    ],
    ids=["blank-query", "first-0", "first-101", "bad-organization-id"],
)
async def test_search_refuses_bad_input_with_a_code(gql, workspace: Workspace, variables, code):
    # when
    body = await gql(SEARCH, variables, token=workspace.viewer.token)
    # then
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
