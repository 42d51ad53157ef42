"""The README's search and aggregate examples run against the demo data and find things."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.storage import LocalStorage

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> dict[str, str]:
    """The graphql blocks of the README's "Search and aggregates" section, by operation."""
    text = README.read_text()
    section = text.split("## Search and aggregates", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```graphql\n(.*?)```", section, re.DOTALL)
    return {re.search(r"query (\w+)", b).group(1): b for b in blocks}  # type: ignore[union-attr]


async def test_readme_search_and_aggregate_examples(gql, factory, db, tmp_path):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session, LocalStorage(tmp_path))
    async with db.sessions() as session:
        viewer = await session.scalar(
            select(models.User).where(models.User.email == "viewer@demo.trellis.dev")
        )
    token = await factory.token(viewer)
    docs = examples()
    # when
    search = await gql(docs["Search"], token=token)
    figures = await gql(docs["Figures"], token=token)
    # then
    assert "errors" not in search, search
    properties = search["data"]["properties"]
    assert properties["totalCount"] > 0
    assert all("<mark>" in e["snippet"] for e in properties["edges"])
    assert all("studio" not in e["node"]["title"].lower() for e in properties["edges"])
    counted = sum(v["count"] for v in properties["facets"][0]["values"])
    assert counted == properties["totalCount"]
    assert search["data"]["items"]["nodes"] == [{"title": "Brand guidelines"}]
    assert "errors" not in figures, figures
    aggregate = figures["data"]["properties"]["aggregate"]
    assert aggregate["count"] > 0
    assert sum(g["count"] for g in aggregate["groups"]) <= aggregate["count"]
    assert figures["data"]["clients"]["facets"][0]["values"]
