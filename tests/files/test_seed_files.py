"""The demo data holds two files (bytes stored, rows visible) and a media showing one."""

from __future__ import annotations

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.admin.seed_files import LOGO
from graph.storage import LocalStorage


async def test_demo_seed_stores_files_and_a_media_shows_one(gql, factory, db, tmp_path):
    # given
    storage = LocalStorage(tmp_path / "files")
    async with db.sessions() as session, session.begin():
        assert await seed(session, storage)
    async with db.sessions() as session:
        viewer = await session.scalar(
            select(models.User).where(models.User.email == "viewer@demo.trellis.dev")
        )
    assert viewer is not None
    # when
    body = await gql(
        """{ files(orderBy: [{field: FILENAME}]) { nodes { filename mimeType storageKey
               item { title } } }
             properties(first: 1) { nodes { media { nodes { file { filename } } } } } }""",
        token=await factory.token(viewer),
    )
    # then
    files = body["data"]["files"]["nodes"]
    assert [(f["filename"], f["mimeType"]) for f in files] == [
        ("acme-logo.png", "image/png"),
        ("online-bookstore-export.md", "text/markdown"),  # the demo export's file
        ("price-list.csv", "text/csv"),
    ]
    assert files[0]["item"] == {"title": "Old logo files"}
    assert (tmp_path / "files" / files[0]["storageKey"]).read_bytes() == LOGO
    media = body["data"]["properties"]["nodes"][0]["media"]["nodes"]
    assert {"file": {"filename": "acme-logo.png"}} in media
