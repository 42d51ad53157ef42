"""N+1 guard for files: a page of files with their owner, item and organization, and a page of
items with their files, cost the same statements for 5 rows as for 50, on both read paths
(``read_path``: one batched statement per level on the resolver path, one statement for the
whole query on the compiled path). `FileAsset.url` is left out: a hand-written field, it is
answered by the resolvers (signed per row, no statement)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert

import models
from graph.server.app import create_app
from models.files import FileAsset

AUTH = 1
STATEMENT = 1
WHOLE_QUERY = 1

FILES_AND_ITEMS = """
query($first: Int!) {
  files(first: $first, orderBy: [{field: SIZE_BYTES, direction: DESC}]) {
    totalCount
    nodes { filename sizeBytes sha256 owner { email } item { title } organization { name } }
  }
  items(first: $first) { nodes { title files(first: 5) { totalCount nodes { filename } } } }
}
"""
# resolvers: files page + total + owners + items + organizations (by id), items page + their
# files pages + their files totals
COST = {"compiled": AUTH + WHOLE_QUERY, "resolvers": AUTH + 8 * STATEMENT}


@pytest.fixture
def app(db, files_settings, read_path):
    settings = files_settings.replace(compiled_queries=read_path == "compiled")
    application = create_app(settings, database=db)
    application.state.db = db
    return application


async def _library(factory: Any, db: Any, *, items: int) -> str:
    """An OWNER with ``items`` items of two files each (rows only: reads need no bytes)."""
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    async with db.sessions() as session, session.begin():
        item_ids = (await session.scalars(
            insert(models.Item).returning(models.Item.id, sort_by_parameter_order=True),
            [{"owner_id": owner.user.id, "organization_id": org.id, "title": f"Item {i}"}
             for i in range(items)],
        )).all()  # fmt: skip
        await session.execute(insert(FileAsset), [
            {"organization_id": org.id, "owner_id": owner.user.id, "item_id": item,
             "filename": f"{n}-{k}.png", "storage_key": f"{org.id}/{n}-{k}",
             "mime_type": "image/png", "size_bytes": n * 10 + k, "checksum_sha256": "0" * 64}
            for n, item in enumerate(item_ids) for k in range(2)
        ])  # fmt: skip
    return owner.token


async def test_files_and_items_with_files_cost_the_same_for_5_and_50(
    factory, db, gql, counter, read_path
):
    # given
    token = await _library(factory, db, items=50)
    counts = []
    # when
    for first in (5, 50):
        counter.reset()
        body = await gql(FILES_AND_ITEMS, {"first": first}, token=token)
        counts.append(counter.count)
        # then
        assert "errors" not in body, body
        files = body["data"]["files"]
        assert files["totalCount"] == 100
        assert len(files["nodes"]) == first
        assert all(n["owner"]["email"] and n["item"]["title"] for n in files["nodes"])
        items = body["data"]["items"]["nodes"]
        assert len(items) == first
        assert all(i["files"]["totalCount"] == 2 for i in items)
    assert counts == [COST[read_path]] * 2
