"""The demo data holds a finished export of the demo project, its file stored and readable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.database import Database
from graph.storage import LocalStorage


async def test_demo_seed_has_a_finished_export(
    gql: Any, factory: Any, db: Database, tmp_path: Path
) -> None:
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
        """{ exports(first: 5) { nodes { format completedAt error project { name }
               job { kind status progress }
               resultFile { filename mimeType storageKey sizeBytes } } } }""",
        token=await factory.token(viewer),
    )
    # then
    [export] = body["data"]["exports"]["nodes"]
    assert export["format"] == "MARKDOWN"
    assert export["job"] == {"kind": "project.export", "status": "SUCCEEDED", "progress": 100}
    assert export["project"] == {"name": "Online bookstore"}
    file = export["resultFile"]
    assert file["filename"] == "online-bookstore-export.md"
    text = (tmp_path / "files" / file["storageKey"]).read_text()
    assert len(text.encode()) == file["sizeBytes"]
    assert text.startswith("# Online bookstore\n")
    assert "## Relationships" in text
