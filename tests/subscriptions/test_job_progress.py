"""A job's progress through the change stream: `nodeChanged(id:)` on a `Job` delivers each
status and progress change a worker commits, with the stream's permissions and resume (no
subscription of its own is needed)."""

from __future__ import annotations

import asyncio
from typing import Any

from graph.database import Database
from tests.factories import Factory, gid
from tests.jobs.conftest import run_queue
from tests.subscriptions.client import socket

JOB_CHANGED = """
subscription($id: ID!, $after: String) {
  nodeChanged(id: $id, after: $after) {
    cursor action fields { field new }
    node { ... on Job { status progress attempts } }
  }
}"""
START = """
mutation($org: ID!) {
  jobChangeCountStart(input: {organization: $org, batchSize: 1}) {
    __typename ... on JobSuccess { job { id } }
  }
}"""
TAG = """
mutation($org: ID!, $n: String!) {
  tagCreate(input: {organization: $org, name: $n}) { __typename }
}"""


async def test_node_changed_follows_a_jobs_progress_to_its_end(
    servers: list[str], http: Any, factory: Factory, db: Database
) -> None:
    # given: two changes to count, a queued job, alice following it on the other process
    org = await factory.organization()
    alice = await factory.member(org, role="OWNER")
    outsider = await factory.member(await factory.organization(), role="OWNER")
    org_id = gid("Organization", org.id)
    for n in ("a", "b"):
        await http(0, TAG, {"org": org_id, "n": n}, alice.token)
    job_id = (await http(0, START, {"org": org_id}, alice.token))["jobChangeCountStart"]["job"][
        "id"
    ]
    async with (
        socket(servers[1], token=alice.token) as ws,
        socket(servers[1], token=outsider.token) as other,
    ):
        await ws.subscribe("j", JOB_CHANGED, {"id": job_id})
        await other.subscribe("j", JOB_CHANGED, {"id": job_id})
        await asyncio.sleep(0.3)  # the subscriptions are registered

        # when: a worker runs it
        await run_queue(db)
        events = [(await ws.next("j"))["nodeChanged"] for _ in range(6)]

        # then: started, one report per change counted (the two tags, the job's creation
        # and its start; the last capped at 99 until it succeeds), succeeded; each event
        # carries what changed (its node is the job as it is when delivered)
        changed = [{f["field"]: f["new"] for f in e["fields"]} for e in events]
        assert changed[0]["status"] == "running"
        assert changed[0]["attempts"] == 1
        assert [c["progress"] for c in changed[1:5]] == [25, 50, 75, 99]
        assert changed[5]["status"] == "succeeded"
        assert events[5]["node"] == {"status": "SUCCEEDED", "progress": 100, "attempts": 1}
        await other.nothing_for(0.5)

        # and: a client resuming after the start gets the rest again, in order
        await ws.subscribe("r", JOB_CHANGED, {"id": job_id, "after": events[0]["cursor"]})
        again = [(await ws.next("r"))["nodeChanged"]["cursor"] for _ in range(5)]
        assert again == [e["cursor"] for e in events[1:]]
