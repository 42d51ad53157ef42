"""Exporting a design project: each format parsed back by its reader and checked against the
project as the API reads it; who may export; a retried export leaves one file."""

from __future__ import annotations

import csv
import io
import json
import uuid
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pytest
from sqlalchemy import func, select, update

from graph.database import Database
from graph.jobs import exports, tasks
from graph.jobs.progress import Progress
from graph.storage import LocalStorage, Storage
from models.design import Project
from models.jobs import Job as JobModel
from models.jobs import JobStatus
from tests.exports.conftest import (
    Matrix,
    export_rows,
    finished_export,
    read_bytes,
    start_export,
)
from tests.factories import gid
from tests.jobs.conftest import queue_rows

PROJECT = """
query($id: ID!) {
  project(id: $id) {
    id name
    objects(first: 100) { nodes { id name description positionX positionY objectType complexity
      callsToAction(first: 10) { nodes { id name priority userStory acceptanceCriteria } }
      attributes(first: 10) { nodes { id name dataType isRequired defaultValue } } } }
    relationships(first: 100) { nodes { id relationshipType cardinality description
      source { id } target { id } } }
    exports(first: 10) { totalCount nodes { id format } }
  }
}
"""
G = "{http://graphml.graphdrawing.org/xmlns}"


async def _project(gql: Any, m: Matrix) -> dict[str, Any]:
    body = await gql(PROJECT, {"id": m.studio.project_id}, token=m.studio.owner.token)
    project: dict[str, Any] = body["data"]["project"]
    return project


async def _file(storage: Storage, export: dict[str, Any]) -> bytes:
    assert export["job"]["status"] == "SUCCEEDED", export
    assert export["job"]["progress"] == 100
    assert export["completedAt"] is not None
    assert export["error"] is None
    file = export["resultFile"]
    data = await read_bytes(storage, file["storageKey"])
    assert len(data) == file["sizeBytes"]
    return data


def _ctas(project: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for o in project["objects"]["nodes"] for c in o["callsToAction"]["nodes"]]


def _attributes(project: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for o in project["objects"]["nodes"] for a in o["attributes"]["nodes"]]


async def test_json_export_is_the_whole_project(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    export = await finished_export(gql, db, matrix, matrix.studio.owner.token, format="JSON")
    assert export["resultFile"]["mimeType"] == "application/json"
    doc = json.loads(await _file(storage, export))
    project = await _project(gql, matrix)

    assert doc["project"]["id"] == project["id"]
    assert doc["project"]["name"] == "Bookstore"
    assert [
        {k: o[k] for k in ("id", "name", "description", "positionX", "positionY", "objectType",
                           "complexity")}
        for o in doc["objects"]
    ] == [
        {k: o[k] for k in ("id", "name", "description", "positionX", "positionY", "objectType",
                           "complexity")}
        for o in project["objects"]["nodes"]
    ]  # fmt: skip
    rels = {r["id"]: r for r in project["relationships"]["nodes"]}
    assert {r["id"] for r in doc["relationships"]} == set(rels)
    for r in doc["relationships"]:
        assert r["sourceId"] == rels[r["id"]]["source"]["id"]
        assert r["targetId"] == rels[r["id"]]["target"]["id"]
        assert r["cardinality"].upper() == rels[r["id"]]["cardinality"]
    [cta] = _ctas(project)
    assert doc["callsToAction"] == [
        {"id": cta["id"], "objectId": project["objects"]["nodes"][0]["id"], "objectName": "Book",
         "name": "Borrow", "priority": "high", "userStory": "As a reader, I borrow",
         "acceptanceCriteria": ["due date set", "stock | decremented"]}
    ]  # fmt: skip
    [attribute] = _attributes(project)
    assert [
        (a["id"], a["name"], a["isRequired"], a["defaultValue"]) for a in doc["attributes"]
    ] == [(attribute["id"], "isbn", True, "x")]
    assert export["job"]["result"]["counts"] == {
        "objects": 3, "relationships": 2, "callsToAction": 1, "attributes": 1
    }  # fmt: skip


async def test_csv_export_is_a_zip_of_one_csv_per_entity(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    export = await finished_export(gql, db, matrix, matrix.studio.owner.token, format="CSV")
    assert export["resultFile"]["mimeType"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(await _file(storage, export)))
    assert archive.testzip() is None
    tables = {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
    }
    assert set(tables) == {"project.csv", "objects.csv", "relationships.csv",
                           "calls_to_action.csv", "attributes.csv"}  # fmt: skip
    project = await _project(gql, matrix)
    assert [(o["id"], o["name"], o["description"], int(o["positionX"]), int(o["positionY"]))
            for o in tables["objects.csv"]] == [
        (o["id"], o["name"], o["description"] or "", o["positionX"], o["positionY"])
        for o in project["objects"]["nodes"]
    ]  # fmt: skip
    assert {(r["id"], r["sourceId"], r["targetId"]) for r in tables["relationships.csv"]} == {
        (r["id"], r["source"]["id"], r["target"]["id"]) for r in project["relationships"]["nodes"]
    }
    [cta] = tables["calls_to_action.csv"]
    assert json.loads(cta["acceptanceCriteria"]) == ["due date set", "stock | decremented"]
    [attribute] = tables["attributes.csv"]
    assert (attribute["name"], attribute["isRequired"]) == ("isbn", "true")
    assert tables["project.csv"][0]["name"] == "Bookstore"


async def test_markdown_export_is_a_readable_report(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    export = await finished_export(gql, db, matrix, matrix.studio.viewer.token, format="MARKDOWN")
    text = (await _file(storage, export)).decode()
    assert text.startswith("# Bookstore\n")
    assert "| Objects | 3 |" in text
    assert "| Relationships | 2 |" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    # every table row has its header's number of cells (escaped pipes do not split cells)
    for line in rows:
        cells = list(line.replace("\\|", "").split("|")[1:-1])
        assert len(cells) in (2, 5, 6), line
    assert "| 0 | 0 | Book | entity | 1 | A book \\| with<br>lines & <tags> |" in text
    assert "| Book | writtenBy | one_to_many | Author \u00e9 | who wrote it |" in text
    assert (
        "| Book | Borrow | high | As a reader, I borrow | due date set; stock \\| decremented |"
        in text
    )


async def test_graphml_export_is_the_relationship_graph(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    export = await finished_export(gql, db, matrix, matrix.studio.owner.token, format="GRAPHML")
    root = ET.fromstring(await _file(storage, export))
    assert root.tag == f"{G}graphml"
    keys = {k.get("id", ""): k.get("attr.name", "") for k in root.iter(f"{G}key")}
    [graph] = root.iter(f"{G}graph")
    assert graph.get("edgedefault") == "directed"

    def attrs(el: ET.Element) -> dict[str, str]:
        return {keys[d.get("key", "")]: d.text or "" for d in el.findall(f"{G}data")
                if keys.get(d.get("key", ""))}  # fmt: skip

    nodes = {n.get("id"): attrs(n) for n in graph.findall(f"{G}node")}
    edges = {(e.get("source"), e.get("target")): attrs(e) for e in graph.findall(f"{G}edge")}
    project = await _project(gql, matrix)
    assert nodes == {
        o["id"]: {k: v for k, v in {
            "name": o["name"], "description": o["description"], "objectType": o["objectType"],
            "complexity": str(o["complexity"]), "positionX": str(o["positionX"]),
            "positionY": str(o["positionY"])}.items() if v is not None}
        for o in project["objects"]["nodes"]
    }  # fmt: skip
    assert set(edges) == {
        (r["source"]["id"], r["target"]["id"]) for r in project["relationships"]["nodes"]
    }
    assert all(e["relationshipType"] and e["cardinality"] for e in edges.values())


async def test_members_export_viewers_too_and_others_are_refused(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    s = matrix.studio
    # a project VIEWER may export, though not change the project
    ok = await start_export(gql, matrix, s.viewer.token, format="JSON")
    assert ok["__typename"] == "ExportJobSuccess"
    assert ok["exportJob"]["job"] == {
        "id": ok["exportJob"]["job"]["id"], "kind": "project.export", "status": "QUEUED",
        "progress": 0,
    }  # fmt: skip
    assert ok["exportJob"]["requestedBy"] == {"id": gid("User", s.viewer.user.id)}
    changed = await gql(
        "mutation($i: DesignObjectCreateInput!) { designObjectCreate(input: $i) { __typename } }",
        {"i": {"project": s.project_id, "name": "X", "positionX": 5, "positionY": 5}},
        token=s.viewer.token,
    )
    assert changed["data"]["designObjectCreate"]["__typename"] == "PermissionDeniedError"

    # an organization member who is not a project member (even an ADMIN) may not
    for member in (s.admin, s.editor):
        refused = await start_export(gql, matrix, member.token, format="CSV")
        assert refused["__typename"] == "PermissionDeniedError"
        assert refused["permission"] == "project:export"
    # a bad parameter, and an unknown project
    bad = await start_export(gql, matrix, s.owner.token, format="CSV", batchSize=0)
    assert bad["__typename"] == "ValidationError"
    assert bad["path"] == ["batchSize"]
    missing = await gql(
        "mutation($i: ProjectExportInput!) { projectExport(input: $i) { __typename } }",
        {"i": {"project": gid("Project", uuid.uuid4()), "format": "JSON"}},
        token=s.owner.token,
    )
    assert missing["data"]["projectExport"]["__typename"] == "NotFoundError"
    # an unknown format is refused by the schema, before anything runs
    unknown = await gql(EXPORT_PDF, {"p": s.project_id}, token=s.owner.token)
    assert "PDF" in unknown["errors"][0]["message"]
    assert unknown.get("data") is None

    found, _ = await export_rows(db)
    assert len(found) == 1
    assert len(await queue_rows(db)) == 1


CANCEL = """
mutation($id: ID!) {
  jobCancel(input: {id: $id}) {
    __typename ... on JobSuccess { job { status } } ... on Error { code }
  }
}"""


async def test_who_asked_for_an_export_may_cancel_it_and_other_viewers_may_not(
    gql: Any, matrix: Matrix
) -> None:
    # given: two exports, one asked for by the project VIEWER
    s = matrix.studio
    mine = (await start_export(gql, matrix, s.viewer.token, format="JSON"))["exportJob"]
    owners = (await start_export(gql, matrix, s.owner.token, format="CSV"))["exportJob"]

    # when
    others = await gql(CANCEL, {"id": owners["job"]["id"]}, token=s.viewer.token)
    own = await gql(CANCEL, {"id": mine["job"]["id"]}, token=s.viewer.token)
    by_owner = await gql(CANCEL, {"id": owners["job"]["id"]}, token=s.owner.token)

    # then
    assert others["data"]["jobCancel"] == {
        "__typename": "PermissionDeniedError", "code": "PERMISSION_DENIED",
    }  # fmt: skip
    assert own["data"]["jobCancel"] == {"__typename": "JobSuccess", "job": {"status": "CANCELLED"}}
    assert by_owner["data"]["jobCancel"]["job"] == {"status": "CANCELLED"}


EXPORT_PDF = """
mutation($p: ID!) { projectExport(input: {project: $p, format: PDF}) { __typename } }
"""


async def test_a_retried_export_rewrites_its_file_and_keeps_one_row(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    first = await finished_export(gql, db, matrix, matrix.studio.owner.token, format="JSON")
    # an attempt that ran again after the file was attached (its worker died before the
    # job's outcome committed) writes the same key and finds the same row
    found, _ = await export_rows(db)
    [export] = found
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(JobModel).where(JobModel.id == export.job_id).values(status=JobStatus.RUNNING)
        )
        job = (await session.scalars(select(JobModel).where(JobModel.id == export.job_id))).one()
    result = await exports.run_export(Progress(db, job.id), job)
    assert result["file"] == first["resultFile"]["id"]
    assert result["sha256"] == first["resultFile"]["sha256"]
    found, files = await export_rows(db)
    assert len(found) == 1
    assert len(files) == 1
    assert isinstance(storage, LocalStorage)
    kept = (storage.root / str(export.organization_id) / "exports").iterdir()
    assert [p.name for p in kept] == [f"{export.id.hex}.json"]


async def test_an_export_that_fails_for_good_says_why(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    # given: an export whose project is deleted before a worker gets to it
    started = await start_export(gql, matrix, matrix.studio.owner.token, format="CSV")
    [export], _ = await export_rows(db)
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Project).where(Project.id == export.project_id).values(deleted_at=func.now())
        )
    # when: its last attempt runs
    with pytest.raises(LookupError):
        await tasks.run(db, export.job_id, final=True)
    # then: the job failed, and the export carries the same error; no file
    [failed], files = await export_rows(db)
    async with db.sessions() as session:
        job = await session.get(JobModel, export.job_id)
    assert job is not None
    assert job.status is JobStatus.FAILED
    assert failed.error == job.error == "LookupError: The project is gone."
    assert failed.result_file_id is None
    assert files == []
    assert started["exportJob"]["error"] is None


HISTORY = """
query($id: ID!) {
  export(id: $id) {
    history(first: 10) { nodes { action actor { id } fields { field new } } }
    job { history(first: 10) { nodes { action actor { id } } } }
  }
}
"""


async def test_an_exports_history_has_its_request_and_the_workers_result(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    s = matrix.studio
    export = await finished_export(gql, db, matrix, s.viewer.token, format="GRAPHML")
    body = await gql(HISTORY, {"id": export["id"]}, token=s.owner.token)
    history = body["data"]["export"]["history"]["nodes"]
    # newest first: the worker attaching the file (no actor), the viewer asking for it
    assert [(c["action"], c["actor"]) for c in history] == [
        ("UPDATE", None),
        ("CREATE", {"id": gid("User", s.viewer.user.id)}),
    ]
    changed = {f["field"]: f["new"] for f in history[0]["fields"]}
    assert gid("FileAsset", uuid.UUID(changed["resultFileId"])) == export["resultFile"]["id"]
    assert changed["completedAt"] == export["completedAt"]
    job_history = body["data"]["export"]["job"]["history"]["nodes"]
    assert job_history[-1] == {"action": "CREATE", "actor": {"id": gid("User", s.viewer.user.id)}}
    assert all(c["actor"] is None for c in job_history[:-1])  # the worker's reports


async def test_an_export_without_descriptions_keeps_names_and_structure(
    gql: Any, db: Database, matrix: Matrix, storage: Storage
) -> None:
    token = matrix.studio.owner.token
    export = await finished_export(gql, db, matrix, token, format="CSV", includeDescriptions=False)
    archive = zipfile.ZipFile(io.BytesIO(await _file(storage, export)))
    objects = list(csv.DictReader(io.StringIO(archive.read("objects.csv").decode())))
    assert [o["name"] for o in objects] == ["Book", "Author \u00e9", 'Shelf "main"']
    assert "description" not in objects[0]
    [cta] = csv.DictReader(io.StringIO(archive.read("calls_to_action.csv").decode()))
    assert set(cta) == {"id", "objectId", "objectName", "name", "priority"}
    assert export["resultFile"]["metaData"]["format"] == "csv"
