"""Reading jobs: root list, by ID, an organization's jobs; tenancy on every path; the
statement count of a page of organizations with their jobs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert

from graph.admin.seed import DEMO_USERS, seed
from graph.database import Database
from models.jobs import Job as JobModel
from models.jobs import JobStatus
from tests.factories import Factory, gid


@pytest.fixture
def app(read_path_app: Any) -> Any:
    return read_path_app


async def _jobs(db: Database, org_id: Any, user_id: Any, n: int) -> list[str]:
    async with db.sessions() as session, session.begin():
        rows = await session.execute(
            insert(JobModel).returning(JobModel.id),
            [
                {"organization_id": org_id, "requested_by_id": user_id, "kind": "changes.count",
                 "status": JobStatus.SUCCEEDED, "progress": 100, "attempts": 1,
                 "result": {"total": i}}
                for i in range(n)
            ],
        )  # fmt: skip
        return [gid("Job", pk) for pk in rows.scalars()]


JOBS = """
query($filter: JobFilter) {
  jobs(filter: $filter, first: 100) { totalCount nodes { id status requestedBy { id } } }
}"""
ONE = "query($id: ID!) { job(id: $id) { id } node(id: $id) { id } }"
ORG_JOBS = """
query($first: Int!) {
  organizations(first: 10) {
    nodes { jobs(first: $first) { nodes { id progress result requestedBy { email } } } }
  }
}"""


async def test_jobs_of_another_organization_are_invisible_on_every_path(
    gql: Any, db: Database, factory: Factory
) -> None:
    # given: alice in A, bob in B, a job each
    a, b = await factory.organization(), await factory.organization()
    alice, bob = await factory.member(a, "OWNER"), await factory.member(b, "OWNER")
    [mine] = await _jobs(db, a.id, alice.user.id, 1)
    [theirs] = await _jobs(db, b.id, bob.user.id, 1)

    # when / then: root list, filters, by ID, node, B's organization
    listed = (await gql(JOBS, {}, token=alice.token))["data"]["jobs"]
    assert listed["totalCount"] == 1
    assert listed["nodes"] == [{"id": mine, "status": "SUCCEEDED", "requestedBy": {"id": alice.id}}]
    by_id = {"id": {"eq": theirs}}
    assert (await gql(JOBS, {"filter": by_id}, token=alice.token))["data"]["jobs"] == {
        "totalCount": 0,
        "nodes": [],
    }
    assert (await gql(ONE, {"id": theirs}, token=alice.token))["data"] == {
        "job": None,
        "node": None,
    }
    org_b = gid("Organization", b.id)
    nested = await gql(
        "query($id: ID!) { node(id: $id) { ... on Organization { jobs { nodes { id } } } } }",
        {"id": org_b},
        token=alice.token,
    )
    assert nested["data"] == {"node": None}
    cancel = await gql(
        "mutation($id: ID!) { jobCancel(input: {id: $id}) { __typename } }",
        {"id": theirs},
        token=alice.token,
    )
    assert cancel["data"]["jobCancel"]["__typename"] == "NotFoundError"


async def test_organizations_with_their_jobs_cost_the_same_for_2_and_20(
    gql: Any, db: Database, factory: Factory, counter: Any
) -> None:
    # given: three organizations with 20 jobs each, one viewer in all of them
    viewer = await factory.user()
    for _ in range(3):
        org = await factory.organization()
        await factory.membership(viewer, org, "ADMIN")
        await _jobs(db, org.id, viewer.id, 20)
    token = await factory.token(viewer)

    # when
    counts = []
    for first in (2, 20):
        counter.reset()
        body = await gql(ORG_JOBS, {"first": first}, token=token)
        counts.append(counter.count)
        nodes = body["data"]["organizations"]["nodes"]
        assert [len(n["jobs"]["nodes"]) for n in nodes] == [first] * 3
        assert all(j["requestedBy"]["email"] for n in nodes for j in n["jobs"]["nodes"])

    # then
    assert counts[0] == counts[1]


LOGIN = """
mutation($i: AuthLoginInput!) { authLogin(input: $i) { ... on AuthTokens { accessToken } } }"""


async def test_the_demo_data_has_a_finished_job(gql: Any, db: Database) -> None:
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session)
    login = await gql(
        LOGIN,
        {"i": {"email": DEMO_USERS[0].email, "password": DEMO_USERS[0].password}},
    )
    token = login["data"]["authLogin"]["accessToken"]
    # when
    body = await gql("{ jobs { nodes { kind status progress finishedAt } } }", token=token)
    # then
    assert sorted(body["data"]["jobs"]["nodes"], key=lambda j: j["kind"]) == [
        {
            "kind": "changes.count",
            "status": "SUCCEEDED",
            "progress": 100,
            "finishedAt": "2026-11-01T09:00:02+00:00",
        },
        {  # the demo export's (graph/admin/seed_exports.py)
            "kind": "project.export",
            "status": "SUCCEEDED",
            "progress": 100,
            "finishedAt": "2026-11-02T09:00:02+00:00",
        },
    ]
