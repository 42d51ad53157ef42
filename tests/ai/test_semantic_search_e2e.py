"""The frontend flow end to end, over real HTTP against a `trellis serve` process with a real
`trellis worker`: create items with contents, wait (polling) for their embeddings, search by a
paraphrase and find the right item first; another organization's closer text is never ranked.
Runs on whichever database the suite uses (pgvector + HNSW, or real[] with exact cosine)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import URL

from tests.catalog.conftest import Workspace
from tests.factories import Factory, gid
from tests.servers import running_server, running_worker

ITEM_CREATE = """
mutation($input: ItemCreateInput!) {
  itemCreate(input: $input) { ... on ItemSuccess { item { id } } }
}
"""
CONTENT_CREATE = """
mutation($input: ContentCreateInput!) {
  contentCreate(input: $input) {
    __typename ... on ContentSuccess { content { id embedding { id } } }
  }
}"""
EMBEDDED = """
query($org: ID!) { contents(filter: {organization: {eq: $org}}, first: 100) {
  nodes { embedding { dimension model { name } } } } }
"""
SEARCH = """
query($q: String!, $first: Int) {
  semanticSearch(query: $q, first: $first) { score content { text role } item { id title } }
}"""
SIMILAR = """
query($item: ID!, $content: ID!) {
  item(id: $item) { similarItems(first: 2) { score item { title } } }
  content(id: $content) { similar(first: 1) { content { text } item { title } } }
}"""

CATALOG = {
    "Sourdough bread at home": [
        ("SYSTEM", "You are a friendly baking assistant."),
        ("USER", "How do I feed my sourdough starter and bake a crusty loaf of bread?"),
        (
            "ASSISTANT",
            "Mix flour and water, let the dough rise overnight, then bake the bread in a hot oven.",
        ),
    ],
    "Quarterly tax filing": [
        ("USER", "When are quarterly estimated tax payments due for a small business?"),
        ("ASSISTANT", "Estimated taxes are paid four times a year to the revenue service."),
        ("NOTE", "Keep receipts and invoices for the accountant."),
    ],
    "Cat health": [
        ("USER", "My cat keeps sneezing; should I take the kitten to the veterinarian?"),
        ("ASSISTANT", "A vet can check your pet for a respiratory infection."),
        ("NOTE", "Vaccination records for the cat."),
    ],
}


def _post(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


def _fill(base: str, token: str, org: str, catalog: dict[str, list[tuple[str, str]]]) -> dict:
    ids: dict[str, Any] = {}
    for title, contents in catalog.items():
        item = _post(base, token, ITEM_CREATE, {"input": {"organization": org, "title": title}})
        item_id = item["itemCreate"]["item"]["id"]
        content_ids = []
        for role, text in contents:
            made = _post(base, token, CONTENT_CREATE,
                         {"input": {"item": item_id, "role": role, "text": text}})  # fmt: skip
            assert made["contentCreate"]["content"]["embedding"] is None
            content_ids.append(made["contentCreate"]["content"]["id"])
        ids[title] = (item_id, content_ids)
    return ids


async def test_search_by_paraphrase_finds_the_right_item_first(
    factory: Factory, workspace: Workspace, database_url: URL, tmp_path: Path
):
    # given: three items of three contents each in A, and a closer text in B
    other_org = await factory.organization(name="Other", slug="other")
    stranger = await factory.member(other_org, "OWNER")
    token = workspace.editor.token
    with (
        running_server(database_url, tmp_path) as base,
        running_worker(database_url, tmp_path / "worker.log", env={"TRELLIS_WORKER_POLL": "0.2"}),
    ):
        ids = await asyncio.to_thread(_fill, base, token, workspace.org_id, CATALOG)
        secret = {"Bread secret": [("USER", "how can I bake a loaf of bread at home")]}
        await asyncio.to_thread(_fill, base, stranger.token, gid("Organization", other_org.id),
                                secret)  # fmt: skip

        # when: every content is embedded (polling, as a frontend would)
        deadline = time.monotonic() + 60
        while True:
            data = _post(base, token, EMBEDDED, {"org": workspace.org_id})
            embeddings = [n["embedding"] for n in data["contents"]["nodes"]]
            if len(embeddings) == 9 and all(embeddings):
                break
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            await asyncio.sleep(0.2)
        found = _post(base, token, SEARCH, {"q": "how can I bake a loaf of bread at home",
                                            "first": 5})  # fmt: skip
        similar = _post(base, token, SIMILAR, {"item": ids["Cat health"][0],
                                               "content": ids["Cat health"][1][0]})  # fmt: skip

    # then
    assert {e["model"]["name"] for e in embeddings} == {"wordllama-l2-supercat"}
    assert {e["dimension"] for e in embeddings} == {256}
    hits = found["semanticSearch"]
    assert hits[0]["item"]["title"] == "Sourdough bread at home"
    assert len(hits) == 5
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all(h["item"]["title"] in CATALOG for h in hits)  # B's closer text is never ranked
    items = similar["item"]["similarItems"]
    assert len(items) == 2
    assert "Cat health" not in {i["item"]["title"] for i in items}
    assert similar["content"]["similar"][0]["item"]["title"] == "Cat health"
