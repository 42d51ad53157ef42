"""Relationships: both objects must belong to the relationship's project; create, update
(re-pointing an end included) and delete."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.design import DesignObject, Relationship
from resolvers.design import OTHER_PROJECT
from tests.design.conftest import (
    DesignFactory,
    Studio,
    conflict,
    design_rows,
    invalid,
    mutation,
    not_found,
    without_message,
)
from tests.factories import gid
from tests.tenancy_helpers import snapshot

RELATIONSHIP_FIELDS = """
  ... on RelationshipSuccess {
    relationship {
      id relationshipType cardinality description
      project { id } source { name } target { name }
    }
  }
"""
RELATIONSHIP_CREATE = mutation("relationshipCreate", "RelationshipCreateInput", RELATIONSHIP_FIELDS)
RELATIONSHIP_UPDATE = mutation("relationshipUpdate", "RelationshipUpdateInput", RELATIONSHIP_FIELDS)
RELATIONSHIP_DELETE = mutation(
    "relationshipDelete",
    "RelationshipDeleteInput",
    "... on RelationshipDeleteSuccess { deletedId }",
)
STALE = "2001-01-01T00:00:00+00:00"


@dataclass
class Pair:
    studio: Studio
    a: DesignObject
    b: DesignObject
    foreign: DesignObject  # an object of another project of the same organization
    rel: Relationship

    def id(self, obj: DesignObject) -> str:
        return gid("DesignObject", obj.id)

    @property
    def rel_id(self) -> str:
        return gid("Relationship", self.rel.id)


@pytest.fixture
async def pair(studio: Studio, design: DesignFactory) -> Pair:
    a = await design.object(studio.project, 0, 0, name="A")
    b = await design.object(studio.project, 1, 0, name="B")
    other = await design.project(studio.org, studio.owner, name="Other")
    foreign = await design.object(other, 0, 0, name="Foreign")
    rel = await design.relationship(a, b, relationship_type="uses")
    return Pair(studio, a, b, foreign, rel)


async def test_relationship_create(gql, pair):
    # given
    data = {
        "project": pair.studio.project_id,
        "source": pair.id(pair.b),
        "target": pair.id(pair.a),
        "relationshipType": "owns",
        "cardinality": "ONE_TO_ONE",
        "description": "B owns A",
    }
    # when
    body = await gql(RELATIONSHIP_CREATE, {"input": data}, token=pair.studio.editor.token)
    # then
    rel = body["data"]["relationshipCreate"]["relationship"]
    assert {k: v for k, v in rel.items() if k != "id"} == {
        "relationshipType": "owns",
        "cardinality": "ONE_TO_ONE",
        "description": "B owns A",
        "project": {"id": pair.studio.project_id},
        "source": {"name": "B"},
        "target": {"name": "A"},
    }


async def test_relationship_to_itself(gql, pair):
    # given
    data = {"project": pair.studio.project_id, "source": pair.id(pair.a), "target": pair.id(pair.a)}
    # when
    body = await gql(RELATIONSHIP_CREATE, {"input": data}, token=pair.studio.editor.token)
    # then
    rel = body["data"]["relationshipCreate"]["relationship"]
    assert (rel["source"], rel["target"], rel["relationshipType"], rel["cardinality"]) == (
        {"name": "A"},
        {"name": "A"},
        "association",
        "ONE_TO_MANY",
    )


@pytest.mark.parametrize(
    ("ends", "paths"),
    [
        pytest.param(("foreign", "b"), [["source"]], id="source"),
        pytest.param(("a", "foreign"), [["target"]], id="target"),
        pytest.param(("foreign", "foreign"), [["source"], ["target"]], id="both"),
    ],
)
async def test_relationship_objects_must_belong_to_its_project(gql, db, pair, ends, paths):
    # given
    before = await snapshot(db)
    source, target = (getattr(pair, e) for e in ends)
    data = {"project": pair.studio.project_id, "source": pair.id(source), "target": pair.id(target)}
    # when
    body = await gql(RELATIONSHIP_CREATE, {"input": data}, token=pair.studio.editor.token)
    # then
    payload = body["data"]["relationshipCreate"]
    assert payload["__typename"] == "ValidationError"
    assert payload["fields"] == [{"path": p, "code": "INVALID"} for p in paths]
    if len(paths) == 1:
        assert payload["message"] == OTHER_PROJECT
    assert await snapshot(db) == before


async def test_relationship_create_with_unknown_object(gql, db, pair):
    # given
    missing = gid("DesignObject", pair.rel.id)  # well-formed, names no object
    data = {"project": pair.studio.project_id, "source": pair.id(pair.a), "target": missing}
    # when
    body = await gql(RELATIONSHIP_CREATE, {"input": data}, token=pair.studio.editor.token)
    # then
    assert without_message(body["data"]["relationshipCreate"]) == not_found(["target"], missing)


async def test_relationship_create_refuses_an_id_of_another_type(gql, pair):
    # given
    data = {"project": pair.studio.project_id, "source": pair.rel_id, "target": pair.id(pair.a)}
    # when
    body = await gql(RELATIONSHIP_CREATE, {"input": data}, token=pair.studio.editor.token)
    # then
    assert without_message(body["data"]["relationshipCreate"]) == invalid(["source"], "INVALID_ID")


async def test_relationship_update(gql, pair):
    # given
    data = {
        "id": pair.rel_id,
        "target": pair.id(pair.a),
        "cardinality": "MANY_TO_MANY",
        "relationshipType": "knows",
        "description": "x",
    }
    # when
    body = await gql(RELATIONSHIP_UPDATE, {"input": data}, token=pair.studio.editor.token)
    # then
    rel = body["data"]["relationshipUpdate"]["relationship"]
    assert (rel["source"], rel["target"], rel["cardinality"], rel["relationshipType"]) == (
        {"name": "A"},
        {"name": "A"},
        "MANY_TO_MANY",
        "knows",
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"target": "foreign"}, invalid(["target"], "INVALID"), id="foreign-target"),
        pytest.param({"source": None}, invalid(["source"], "REQUIRED"), id="null-source"),
        pytest.param({"cardinality": None}, invalid(["cardinality"], "REQUIRED"), id="null-card"),
        pytest.param(
            {"relationshipType": "x" * 65}, invalid(["relationshipType"], "TOO_LONG"), id="long"
        ),
        pytest.param({"updatedAt": STALE}, conflict(["updatedAt"]), id="stale"),
    ],
)
async def test_relationship_update_refusals(gql, db, pair, data, expected):
    # given
    if data.get("target") == "foreign":
        data = {"target": pair.id(pair.foreign)}
    before = await snapshot(db)
    # when
    body = await gql(
        RELATIONSHIP_UPDATE, {"input": {"id": pair.rel_id, **data}}, token=pair.studio.editor.token
    )
    # then
    assert without_message(body["data"]["relationshipUpdate"]) == expected
    assert await snapshot(db) == before


async def test_relationship_delete(gql, db, pair):
    # when
    body = await gql(
        RELATIONSHIP_DELETE, {"input": {"id": pair.rel_id}}, token=pair.studio.editor.token
    )
    # then
    assert body["data"]["relationshipDelete"] == {
        "__typename": "RelationshipDeleteSuccess",
        "deletedId": pair.rel_id,
    }
    assert (await design_rows(db))["design_relationships"] == 0
    assert (await design_rows(db))["design_objects"] == 3
