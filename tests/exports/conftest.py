"""The exports tests' starting points: a studio project with a small matrix, exports run by
an in-process worker into a temporary storage directory, and reading an export's file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from graph.database import Database
from graph.jobs import exports
from graph.storage import LocalStorage, Storage
from models.design import (
    AttributeDataType,
    CallToActionPriority,
    Cardinality,
    DesignObject,
    ProjectRole,
)
from models.exports import ExportJob
from models.files import FileAsset
from tests.design.conftest import DesignFactory, Studio, design, studio  # noqa: F401
from tests.factories import gid
from tests.jobs.conftest import _empty_queue, run_queue  # noqa: F401

EXPORT = """
mutation($input: ProjectExportInput!) {
  projectExport(input: $input) {
    __typename
    ... on ExportJobSuccess { exportJob { id format exportType parameters error completedAt
                              project { id } requestedBy { id } resultFile { id }
                              job { id kind status progress } } }
    ... on Error { message code path }
    ... on PermissionDeniedError { permission }
    ... on NotFoundError { id }
  }
}
"""

READ = """
query($id: ID!) {
  export(id: $id) {
    id format error completedAt
    job { status progress attempts error result }
    resultFile { id filename mimeType sizeBytes sha256 storageKey metaData }
  }
}
"""


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = LocalStorage(tmp_path / "files")
    exports.STORAGE.append(store)
    yield store
    exports.STORAGE.remove(store)


async def read_bytes(storage: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key)])


@dataclass
class Matrix:
    studio: Studio
    objects: list[DesignObject]


@pytest.fixture
async def matrix(studio: Studio, design: DesignFactory) -> Matrix:  # noqa: F811
    """Three objects (one with text that needs escaping in every format), two relationships,
    a call to action and an attribute; a project VIEWER member (the org's VIEWER)."""
    p = studio.project
    a = await design.object(p, 0, 0, name="Book", description="A book | with\nlines & <tags>")
    b = await design.object(p, 1, 0, name="Author \u00e9", object_type="actor", complexity=3)
    c = await design.object(p, 0, 2, name='Shelf "main"')
    await design.relationship(a, b, relationship_type="writtenBy", description="who wrote it")
    await design.relationship(c, a, cardinality=Cardinality.ONE_TO_MANY)
    await design.call_to_action(
        a,
        name="Borrow",
        priority=CallToActionPriority.HIGH,
        user_story="As a reader, I borrow",
        acceptance_criteria=["due date set", "stock | decremented"],
    )
    await design.attribute(
        a, name="isbn", data_type=AttributeDataType.STRING, is_required=True, default_value="x"
    )
    await design.member(p, studio.viewer, ProjectRole.VIEWER)
    return Matrix(studio=studio, objects=[a, b, c])


async def export_rows(db: Database) -> tuple[list[ExportJob], list[FileAsset]]:
    async with db.sessions() as session:
        found = (await session.scalars(select(ExportJob))).all()
        files = (await session.scalars(select(FileAsset))).all()
        return list(found), list(files)


async def start_export(gql: Any, m: Matrix, token: str, **input: Any) -> dict[str, Any]:
    body = await gql(
        EXPORT, {"input": {"project": gid("Project", m.studio.project.id), **input}}, token=token
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["projectExport"]
    return payload


async def finished_export(
    gql: Any, db: Database, m: Matrix, token: str, **input: Any
) -> dict[str, Any]:
    started = await start_export(gql, m, token, **input)
    assert started["__typename"] == "ExportJobSuccess", started
    await run_queue(db)
    body = await gql(READ, {"id": started["exportJob"]["id"]}, token=token)
    assert "errors" not in body, body
    export: dict[str, Any] = body["data"]["export"]
    return export
