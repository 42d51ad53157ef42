"""N+1 guard for exports: a page of exports with their project, job, file and requester, and
a project's exports with their jobs, cost the same statements for 3 exports as for 12, on
both read paths (``read_path``: one batched statement per level on the resolver path, one
statement for the whole query on the compiled path)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert

from models.design import Project, ProjectMember
from models.exports import ExportFormat, ExportJob
from models.files import FileAsset
from models.jobs import Job, JobStatus
from tests.factories import gid

AUTH = 1
STATEMENT = 1
WHOLE_QUERY = 1

EXPORTS = """
query($first: Int!, $project: ID!) {
  exports(first: $first) {
    totalCount
    nodes { format completedAt project { name } job { status progress }
            resultFile { filename sizeBytes } requestedBy { email } }
  }
  project(id: $project) { exports(first: $first) { nodes { format job { kind } } } }
}
"""
# resolvers: exports page + total + projects + jobs + files + users (by id), then the
# project's exports page; the project by id and the exports' jobs come from the by-id
# loaders' caches (the same rows as above)
COST = {"compiled": AUTH + WHOLE_QUERY, "resolvers": AUTH + 7 * STATEMENT}


@pytest.fixture
def app(read_path_app: Any) -> Any:
    return read_path_app


async def _exports(factory: Any, db: Any, n: int) -> tuple[str, str]:
    org = await factory.organization()
    viewer = await factory.member(org, "VIEWER")
    async with db.sessions() as session, session.begin():
        project_id = await session.scalar(
            insert(Project)
            .values(organization_id=org.id, owner_id=viewer.user.id, name="Exported")
            .returning(Project.id)
        )
        common = {"organization_id": org.id}
        await session.execute(
            insert(ProjectMember).values(**common, project_id=project_id, user_id=viewer.user.id)
        )
        for k in range(n):
            job_id = await session.scalar(
                insert(Job).values(
                    **common, requested_by_id=viewer.user.id, kind="project.export",
                    status=JobStatus.SUCCEEDED, progress=100,
                ).returning(Job.id)
            )  # fmt: skip
            file_id = await session.scalar(
                insert(FileAsset).values(
                    **common, owner_id=viewer.user.id, filename=f"e{k}.json",
                    storage_key=f"{org.id}/exports/{k}", mime_type="application/json",
                    size_bytes=k, checksum_sha256="0" * 64,
                ).returning(FileAsset.id)
            )  # fmt: skip
            await session.execute(
                insert(ExportJob).values(
                    **common, project_id=project_id, job_id=job_id, result_file_id=file_id,
                    requested_by_id=viewer.user.id, format=ExportFormat.JSON,
                )
            )  # fmt: skip
    return viewer.token, gid("Project", project_id)


async def test_exports_cost_the_same_for_3_and_12(
    factory: Any, db: Any, gql: Any, counter: Any, read_path: str
) -> None:
    counts = []
    for n in (3, 12):
        token, project = await _exports(factory, db, n)
        counter.reset()
        body = await gql(EXPORTS, {"first": 20, "project": project}, token=token)
        counts.append(counter.count)
        assert "errors" not in body, body
        nodes = body["data"]["exports"]["nodes"]
        assert len(nodes) == n
        assert all(e["job"]["status"] == "SUCCEEDED" and e["resultFile"] for e in nodes)
        assert all(e["requestedBy"]["email"] and e["project"]["name"] for e in nodes)
        assert len(body["data"]["project"]["exports"]["nodes"]) == n
    assert counts == [COST[read_path]] * 2
