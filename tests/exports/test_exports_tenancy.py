"""Exports follow the design domain's visibility: another organization's exports are on no
path (root list, by id, `node`, `Project.exports`), its projects cannot be exported, and the
exports of a deleted project hide with it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from graph.database import Database
from models.design import Project
from tests.design.conftest import DesignFactory
from tests.exports.conftest import EXPORT, Matrix, start_export
from tests.factories import Factory

SEE = """
query($id: ID!, $project: ID!) {
  exports(first: 20) { totalCount nodes { id } }
  export(id: $id) { id }
  node(id: $id) { id }
  project(id: $project) { exports(first: 20) { nodes { id } } }
}
"""


async def test_other_tenants_exports_are_invisible_and_their_projects_unexportable(
    gql: Any, db: Database, matrix: Matrix, factory: Factory, design: DesignFactory
) -> None:
    # given: an export of the studio's project, and an outsider (OWNER of another org, and
    # a member of a project there)
    mine = await start_export(gql, matrix, matrix.studio.owner.token, format="GRAPHML")
    export_id = mine["exportJob"]["id"]
    other = await factory.organization(name="Other", slug="other")
    outsider = await factory.member(other, "OWNER")
    await design.project(other, outsider)
    variables = {"id": export_id, "project": matrix.studio.project_id}
    # when / then: they see none of it
    body = await gql(SEE, variables, token=outsider.token)
    assert body["data"] == {
        "exports": {"totalCount": 0, "nodes": []},
        "export": None,
        "node": None,
        "project": None,
    }
    refused = await gql(
        EXPORT,
        {"input": {"project": matrix.studio.project_id, "format": "JSON"}},
        token=outsider.token,
    )
    assert refused["data"]["projectExport"]["__typename"] == "NotFoundError"
    # a member of the organization sees it (not a project member: reading is organization-wide)
    seen = await gql(SEE, variables, token=matrix.studio.editor.token)
    assert seen["data"]["export"] == {"id": export_id}
    assert seen["data"]["project"]["exports"]["nodes"] == [{"id": export_id}]
    # the exports of a deleted project hide with it
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Project)
            .where(Project.id == matrix.studio.project.id)
            .values(deleted_at=datetime.now(UTC))
        )
    gone = await gql(SEE, variables, token=matrix.studio.owner.token)
    assert gone["data"]["exports"]["totalCount"] == 0
    assert gone["data"]["export"] is None
