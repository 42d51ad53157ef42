"""The demo data holds conversations whose contents are embedded already: semantic search
works on a freshly seeded database without a worker."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.storage import LocalStorage

SEARCH = """
{
  semanticSearch(query: "my kitten is sneezing, does it need a vet?", first: 3) {
    score
    content { role text }
    item { title }
  }
}
"""


async def test_demo_conversations_are_embedded_and_searchable(gql, factory, db, tmp_path):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session, LocalStorage(tmp_path / "files"))
    async with db.sessions() as session:
        viewer = await session.scalar(
            select(models.User).where(models.User.email == "viewer@demo.trellis.dev")
        )
    assert viewer is not None
    # when
    body = await gql(SEARCH, token=await factory.token(viewer))
    # then
    hits = body["data"]["semanticSearch"]
    assert hits[0]["item"]["title"] == "Cat care notes"
    assert len(hits) == 3
    assert all(-1 <= h["score"] <= 1 for h in hits)


def _readme_blocks() -> list[str]:
    """The GraphQL blocks of the README's AI catalog section."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## AI catalog: contents and semantic search", 1)[1].split("\n## ")[0]
    return re.findall(r"```graphql\n(.*?)```", section, flags=re.DOTALL)


async def test_readme_examples_run_on_the_demo_data(gql, factory, db, tmp_path):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session, LocalStorage(tmp_path / "files"))
        owner = await session.scalar(
            select(models.User).where(models.User.email == "owner@demo.trellis.dev")
        )
    assert owner is not None
    blocks = _readme_blocks()
    assert blocks
    for block in blocks:
        # when
        body = await gql(block, token=await factory.token(owner))
        # then
        assert "errors" not in body, body
        hits = body["data"]["semanticSearch"]
        assert hits[0]["item"]["title"] == "Sourdough baking guide"
        assert hits[0]["item"]["similarItems"][0]["item"]["title"] != "Sourdough baking guide"


async def test_demo_organization_has_a_model_of_its_own(gql, factory, db, tmp_path):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session, LocalStorage(tmp_path / "files"))
        viewer = await session.scalar(
            select(models.User).where(models.User.email == "viewer@demo.trellis.dev")
        )
    assert viewer is not None
    # when
    body = await gql(
        "{ aiModels(orderBy: [{field: NAME}]) { nodes { name organization { slug } } } }",
        token=await factory.token(viewer),
    )
    # then
    assert body["data"]["aiModels"]["nodes"] == [
        {"name": "acme-support-assistant", "organization": {"slug": "acme-demo"}},
        {"name": "wordllama-l2-supercat", "organization": None},
    ]
