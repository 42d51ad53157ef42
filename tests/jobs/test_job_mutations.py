"""Asking for a job and cancelling one: the queue row is written with the mutation or not
at all, and each typed error."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import select

from graph.database import Database
from graph.types.jobs import JobChangeCountStartInput
from models.jobs import Job as JobModel
from models.viewer import Viewer
from resolvers.jobs import start_change_count
from resolvers.writes import transaction
from tests.catalog.conftest import PAYLOAD_ERRORS, Workspace, denied, refused
from tests.factories import gid
from tests.jobs.conftest import JOB_FIELDS, queue_rows, run_queue

START = f"""
mutation Start($input: JobChangeCountStartInput!) {{
  jobChangeCountStart(input: $input) {{
    __typename
    ... on JobSuccess {{ job {{ {JOB_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

CANCEL = f"""
mutation Cancel($input: JobCancelInput!) {{
  jobCancel(input: $input) {{
    __typename
    ... on JobSuccess {{ job {{ {JOB_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

JOB = f"query Job($id: ID!) {{ job(id: $id) {{ {JOB_FIELDS} }} }}"


async def _start(gql: Any, ws: Workspace, **input: Any) -> dict[str, Any]:
    body = await gql(START, {"input": {"organization": ws.org_id, **input}}, token=ws.owner.token)
    payload: dict[str, Any] = body["data"]["jobChangeCountStart"]
    return payload


async def test_start_queues_the_job_with_the_mutation(
    gql: Any, db: Database, workspace: Workspace
) -> None:
    # when
    payload = await _start(gql, workspace, batchSize=2)

    # then: the Job row, and one queue job naming it
    assert payload["__typename"] == "JobSuccess"
    job = payload["job"]
    assert job["kind"] == "changes.count"
    assert job["status"] == "QUEUED"
    assert (job["progress"], job["attempts"], job["error"]) == (0, 0, None)
    assert job["parameters"] == {"batchSize": 2, "pauseMilliseconds": 0}
    assert job["requestedBy"] == {"id": workspace.owner.id}
    assert job["organization"] == {"id": workspace.org_id}
    [queued] = await queue_rows(db)
    assert queued["task_name"] == "trellis:run_job"
    assert queued["status"] == "todo"
    assert gid("Job", queued["args"]["job_id"]) == job["id"]


async def test_a_queued_job_runs_to_success_and_counts_the_changes(
    gql: Any, db: Database, workspace: Workspace, factory: Any
) -> None:
    # given: a few recorded changes in the organization
    for n in range(3):
        body = await gql(
            "mutation($i: TagCreateInput!) { tagCreate(input: $i) { __typename } }",
            {"i": {"organization": workspace.org_id, "name": f"t{n}"}},
            token=workspace.owner.token,
        )
        assert body["data"]["tagCreate"]["__typename"] == "TagSuccess", body
    job_id = (await _start(gql, workspace, batchSize=2))["job"]["id"]

    # when
    await run_queue(db)

    # then
    job = (await gql(JOB, {"id": job_id}, token=workspace.viewer.token))["data"]["job"]
    assert job["status"] == "SUCCEEDED"
    assert (job["progress"], job["attempts"], job["error"]) == (100, 1, None)
    assert job["result"]["byEntityType"].get("Tag") == 3
    assert job["result"]["total"] == sum(job["result"]["byEntityType"].values())
    assert job["startedAt"] is not None
    assert job["finishedAt"] is not None
    [done] = await queue_rows(db)
    assert done["status"] == "succeeded"


async def test_a_job_enqueued_in_a_rolled_back_mutation_never_runs(
    db: Database, workspace: Workspace
) -> None:
    # given: the op queues a job, then the transaction fails
    viewer = Viewer(
        user_id=workspace.owner.user.id,
        permissions={workspace.org.id: frozenset({"audit:read"})},
    )
    data = JobChangeCountStartInput(organization=strawberry.ID(workspace.org_id))

    class Refused(Exception):
        pass

    try:
        async with transaction(db.sessions, viewer) as writer:
            await start_change_count(writer, data)
            raise Refused
    except Refused:
        pass

    # when: a worker runs whatever is queued
    await run_queue(db)

    # then: neither the Job row nor a queue job exists
    async with db.sessions() as session:
        assert (await session.scalars(select(JobModel))).all() == []
    assert await queue_rows(db) == []


async def test_start_refuses_bad_values_and_who_may_not(
    gql: Any, db: Database, workspace: Workspace
) -> None:
    bad = await _start(gql, workspace, batchSize=0, pauseMilliseconds=10_001)
    assert bad["__typename"] == "ValidationError"
    assert bad["fields"] == [
        {"path": ["batchSize"], "code": "OUT_OF_RANGE"},
        {"path": ["pauseMilliseconds"], "code": "OUT_OF_RANGE"},
    ]
    body = await gql(
        START, {"input": {"organization": workspace.org_id}}, token=workspace.editor.token
    )
    payload = body["data"]["jobChangeCountStart"]
    assert {k: v for k, v in payload.items() if k != "message"} == denied("audit:read")
    assert await queue_rows(db) == []


async def test_cancel_a_queued_job_and_refuse_a_finished_one(
    gql: Any, db: Database, workspace: Workspace
) -> None:
    # given
    job_id = (await _start(gql, workspace))["job"]["id"]

    # when
    cancelled = (await gql(CANCEL, {"input": {"id": job_id}}, token=workspace.owner.token))["data"][
        "jobCancel"
    ]
    again = (await gql(CANCEL, {"input": {"id": job_id}}, token=workspace.owner.token))["data"][
        "jobCancel"
    ]
    await run_queue(db)

    # then: cancelled, the queue job too, never run; a second cancel is a conflict
    assert cancelled["__typename"] == "JobSuccess"
    assert cancelled["job"]["status"] == "CANCELLED"
    assert cancelled["job"]["finishedAt"] is not None
    assert {k: v for k, v in again.items() if k != "message"} == refused(
        "ConflictError", "CONFLICT", path=["id"]
    )
    [queued] = await queue_rows(db)
    assert queued["status"] == "cancelled"
    job = (await gql(JOB, {"id": job_id}, token=workspace.owner.token))["data"]["job"]
    assert (job["status"], job["attempts"]) == ("CANCELLED", 0)


async def test_cancel_refuses_a_succeeded_job_and_an_unknown_one(
    gql: Any, db: Database, workspace: Workspace
) -> None:
    job_id = (await _start(gql, workspace))["job"]["id"]
    await run_queue(db)
    done = (await gql(CANCEL, {"input": {"id": job_id}}, token=workspace.owner.token))["data"][
        "jobCancel"
    ]
    assert done["__typename"] == "ConflictError"
    assert done["message"] == "This job has succeeded already; it cannot be cancelled."
    other = gid("Job", uuid.UUID(int=1))
    missing = (await gql(CANCEL, {"input": {"id": other}}, token=workspace.owner.token))["data"][
        "jobCancel"
    ]
    assert missing["__typename"] == "NotFoundError"
