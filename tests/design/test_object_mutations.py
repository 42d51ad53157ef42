"""Design objects: create in a free cell, update, move, and delete with everything hanging
off them; the occupied-cell conflict, range checks, and that a refusal changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from graph.kernel.errors import Conflict
from models.design import DesignObject
from resolvers.design import CELL_TAKEN, delete_object
from resolvers.writes import DELETE, Writer, translate_integrity_error
from tests.design.conftest import (
    conflict,
    design_rows,
    invalid,
    mutation,
    not_found,
    without_message,
)
from tests.factories import gid
from tests.tenancy_helpers import snapshot

OBJECT_FIELDS = """
  ... on DesignObjectSuccess {
    designObject {
      id name description positionX positionY objectType complexity metaData updatedAt
      project { id } createdBy { id }
    }
  }
"""
OBJECT_CREATE = mutation("designObjectCreate", "DesignObjectCreateInput", OBJECT_FIELDS)
OBJECT_UPDATE = mutation("designObjectUpdate", "DesignObjectUpdateInput", OBJECT_FIELDS)
OBJECT_MOVE = mutation("designObjectMove", "DesignObjectMoveInput", OBJECT_FIELDS)
OBJECT_DELETE = mutation(
    "designObjectDelete",
    "DesignObjectDeleteInput",
    """... on DesignObjectDeleteSuccess {
         deletedId deletedRelationshipIds deletedCallToActionIds deletedAttributeIds
       }""",
)
MATRIX = """
query($id: ID!) {
  project(id: $id) {
    objects { nodes { name positionX positionY } }
    relationships { nodes { source { name } target { name } } }
  }
}
"""


STALE = {"updatedAt": "2001-01-01T00:00:00+00:00"}


def out_of_range(field: str) -> dict[str, object]:
    return invalid([field], "OUT_OF_RANGE")


def _gid(obj: DesignObject) -> str:
    return gid("DesignObject", obj.id)


# ---------------------------------------------------------------------------------------------
# designObjectCreate


async def test_design_object_create(gql, studio):
    # given
    data = {
        "project": studio.project_id,
        "name": " Customer ",
        "description": "Buys books",
        "positionX": 3,
        "positionY": 999,
        "objectType": "actor",
        "complexity": 10,
        "metaData": {"color": "blue"},
    }
    # when
    body = await gql(OBJECT_CREATE, {"input": data}, token=studio.editor.token)
    # then
    payload = body["data"]["designObjectCreate"]
    assert payload["__typename"] == "DesignObjectSuccess"
    obj = payload["designObject"]
    assert {k: v for k, v in obj.items() if k not in ("id", "updatedAt")} == {
        "name": "Customer",
        "description": "Buys books",
        "positionX": 3,
        "positionY": 999,
        "objectType": "actor",
        "complexity": 10,
        "metaData": {"color": "blue"},
        "project": {"id": studio.project_id},
        "createdBy": {"id": studio.editor.id},
    }


async def test_design_object_create_in_an_occupied_cell_is_a_conflict(gql, db, studio, design):
    # given
    await design.object(studio.project, 2, 5)
    before = await snapshot(db)
    data = {"project": studio.project_id, "name": "Second", "positionX": 2, "positionY": 5}
    # when
    body = await gql(OBJECT_CREATE, {"input": data}, token=studio.editor.token)
    # then
    assert body["data"]["designObjectCreate"] == {**conflict(), "message": CELL_TAKEN}
    assert await snapshot(db) == before


async def test_same_cell_in_another_project_is_free(gql, studio, design):
    # given
    other = await design.project(studio.org, studio.owner)
    await design.object(other, 2, 5)
    data = {"project": studio.project_id, "name": "Mine", "positionX": 2, "positionY": 5}
    # when
    body = await gql(OBJECT_CREATE, {"input": data}, token=studio.editor.token)
    # then
    assert body["data"]["designObjectCreate"]["__typename"] == "DesignObjectSuccess"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"positionX": -1}, out_of_range("positionX"), id="negative-x"),
        pytest.param({"positionY": 1000}, out_of_range("positionY"), id="huge-y"),
        pytest.param({"positionX": 2**31 - 1}, out_of_range("positionX"), id="absurd-x"),
        pytest.param({"complexity": 0}, out_of_range("complexity"), id="complexity-0"),
        pytest.param({"complexity": -3}, out_of_range("complexity"), id="complexity-neg"),
        pytest.param({"complexity": 11}, out_of_range("complexity"), id="complexity-11"),
        pytest.param({"name": ""}, invalid(["name"], "REQUIRED"), id="blank-name"),
        pytest.param({"objectType": "x" * 65}, invalid(["objectType"], "TOO_LONG"), id="long-type"),
        pytest.param({"metaData": 3}, invalid(["metaData"], "INVALID"), id="metadata-number"),
    ],
)  # fmt: skip
async def test_design_object_create_refuses_invalid_input(gql, db, studio, data, expected):
    # given
    before = await snapshot(db)
    base = {"project": studio.project_id, "name": "Ok", "positionX": 0, "positionY": 0}
    # when
    body = await gql(OBJECT_CREATE, {"input": {**base, **data}}, token=studio.editor.token)
    # then
    assert without_message(body["data"]["designObjectCreate"]) == expected
    assert await snapshot(db) == before


async def test_design_object_create_reports_every_problem(gql, studio):
    # when
    body = await gql(
        OBJECT_CREATE,
        {"input": {"project": studio.project_id, "name": "", "positionX": -1, "positionY": -1}},
        token=studio.editor.token,
    )
    # then
    payload = body["data"]["designObjectCreate"]
    assert [f["path"] for f in payload["fields"]] == [["name"], ["positionX"], ["positionY"]]


async def test_design_object_create_in_unknown_project(gql, studio):
    # given
    missing = gid("Project", studio.org.id)  # a well-formed ID of no project
    data = {"project": missing, "name": "x", "positionX": 0, "positionY": 0}
    # when
    body = await gql(OBJECT_CREATE, {"input": data}, token=studio.editor.token)
    # then
    assert without_message(body["data"]["designObjectCreate"]) == not_found(["project"], missing)


async def test_occupied_cell_backstop_is_a_conflict(db, studio, design):
    # given: the unique index catches what the op's check cannot see (a concurrent insert)
    await design.object(studio.project, 4, 4)
    # when
    with pytest.raises(IntegrityError) as caught:
        await design.object(studio.project, 4, 4)
    # then
    error = translate_integrity_error(caught.value)
    assert isinstance(error, Conflict)
    assert (error.message, error.path) == (CELL_TAKEN, [])


# ---------------------------------------------------------------------------------------------
# designObjectUpdate


async def test_design_object_update(gql, studio, design):
    # given
    obj = await design.object(studio.project, 1, 1, name="Old", description="d")
    data = {"id": _gid(obj), "name": "New", "description": None, "complexity": 7,
            "objectType": "process", "metaData": {"a": 1}}  # fmt: skip
    # when
    body = await gql(OBJECT_UPDATE, {"input": data}, token=studio.editor.token)
    # then
    updated = body["data"]["designObjectUpdate"]["designObject"]
    assert (updated["name"], updated["description"], updated["complexity"]) == ("New", None, 7)
    assert (updated["objectType"], updated["metaData"]) == ("process", {"a": 1})
    assert (updated["positionX"], updated["positionY"]) == (1, 1)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"complexity": None}, invalid(["complexity"], "REQUIRED"), id="null-cx"),
        pytest.param({"complexity": 99}, out_of_range("complexity"), id="complexity-99"),
        pytest.param({"name": None}, invalid(["name"], "REQUIRED"), id="null-name"),
        pytest.param(STALE, conflict(["updatedAt"]), id="stale"),
    ],
)  # fmt: skip
async def test_design_object_update_refusals(gql, db, studio, design, data, expected):
    # given
    obj = await design.object(studio.project, 1, 1)
    before = await snapshot(db)
    # when
    body = await gql(
        OBJECT_UPDATE, {"input": {"id": _gid(obj), "name": "x", **data}}, token=studio.editor.token
    )
    # then
    assert without_message(body["data"]["designObjectUpdate"]) == expected
    assert await snapshot(db) == before


# ---------------------------------------------------------------------------------------------
# designObjectMove


async def test_design_object_move(gql, studio, design):
    # given
    obj = await design.object(studio.project, 0, 0)
    # when
    body = await gql(
        OBJECT_MOVE, {"input": {"id": _gid(obj), "positionX": 7, "positionY": 2}},
        token=studio.editor.token,
    )  # fmt: skip
    # then
    moved = body["data"]["designObjectMove"]["designObject"]
    assert (moved["positionX"], moved["positionY"]) == (7, 2)


async def test_design_object_move_to_its_own_cell_changes_nothing(gql, db, studio, design):
    # given
    obj = await design.object(studio.project, 3, 3)
    before = await snapshot(db)
    # when
    body = await gql(
        OBJECT_MOVE, {"input": {"id": _gid(obj), "positionX": 3, "positionY": 3}},
        token=studio.editor.token,
    )  # fmt: skip
    # then
    assert body["data"]["designObjectMove"]["__typename"] == "DesignObjectSuccess"
    assert await snapshot(db) == before


async def test_design_object_move_to_an_occupied_cell_is_a_conflict(gql, db, studio, design):
    # given
    obj = await design.object(studio.project, 0, 0)
    await design.object(studio.project, 1, 0)
    before = await snapshot(db)
    # when
    body = await gql(
        OBJECT_MOVE, {"input": {"id": _gid(obj), "positionX": 1, "positionY": 0}},
        token=studio.editor.token,
    )  # fmt: skip
    # then
    assert body["data"]["designObjectMove"] == {**conflict(), "message": CELL_TAKEN}
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"positionX": -5}, out_of_range("positionX"), id="negative"),
        pytest.param({"positionY": 10**6}, out_of_range("positionY"), id="absurd"),
        pytest.param(STALE, conflict(["updatedAt"]), id="stale"),
    ],
)  # fmt: skip
async def test_design_object_move_refusals(gql, db, studio, design, data, expected):
    # given
    obj = await design.object(studio.project, 0, 0)
    before = await snapshot(db)
    # when
    body = await gql(
        OBJECT_MOVE, {"input": {"id": _gid(obj), "positionX": 5, "positionY": 5, **data}},
        token=studio.editor.token,
    )  # fmt: skip
    # then
    assert without_message(body["data"]["designObjectMove"]) == expected
    assert await snapshot(db) == before


# ---------------------------------------------------------------------------------------------
# designObjectDelete


async def test_design_object_delete_removes_its_relationships_ctas_and_attributes(
    gql, db, studio, design
):
    # given: Order relates to Book and Book to Order; Customer -> Book stays
    order = await design.object(studio.project, 0, 0, name="Order")
    book = await design.object(studio.project, 1, 0, name="Book")
    customer = await design.object(studio.project, 2, 0, name="Customer")
    out_rel = await design.relationship(order, book)
    in_rel = await design.relationship(book, order)
    self_rel = await design.relationship(order, order)
    await design.relationship(customer, book)
    cta = await design.call_to_action(order)
    attr = await design.attribute(order)
    await design.call_to_action(book)
    await design.attribute(book)
    # when
    body = await gql(OBJECT_DELETE, {"input": {"id": _gid(order)}}, token=studio.editor.token)
    # then
    payload = body["data"]["designObjectDelete"]
    assert payload["__typename"] == "DesignObjectDeleteSuccess"
    assert payload["deletedId"] == _gid(order)
    assert sorted(payload["deletedRelationshipIds"]) == sorted(
        gid("Relationship", r.id) for r in (out_rel, in_rel, self_rel)
    )
    assert payload["deletedCallToActionIds"] == [gid("CallToAction", cta.id)]
    assert payload["deletedAttributeIds"] == [gid("Attribute", attr.id)]
    assert await design_rows(db) == {
        "projects": 1,
        "project_members": 1,
        "design_objects": 2,
        "design_relationships": 1,
        "calls_to_action": 1,
        "design_attributes": 1,
    }
    matrix = await gql(MATRIX, {"id": studio.project_id}, token=studio.viewer.token)
    assert matrix["data"]["project"]["relationships"]["nodes"] == [
        {"source": {"name": "Customer"}, "target": {"name": "Book"}}
    ]


async def test_design_object_delete_records_every_removal_as_a_change(db, studio, design):
    # given
    order = await design.object(studio.project, 0, 0)
    book = await design.object(studio.project, 1, 0)
    rels = [await design.relationship(order, book), await design.relationship(book, order)]
    cta = await design.call_to_action(order)
    attr = await design.attribute(order)
    viewer = _viewer_of(studio.editor, studio.org.id)
    # when
    async with db.sessions() as session, session.begin():
        writer = Writer(session, viewer)
        await delete_object(writer, id=_gid(order))
    # then
    deleted = {(c.table, c.entity_id) for c in writer.changes if c.action == DELETE}
    assert deleted == {
        ("design_relationships", rels[0].id),
        ("design_relationships", rels[1].id),
        ("calls_to_action", cta.id),
        ("design_attributes", attr.id),
        ("design_objects", order.id),
    }
    assert all(c.organization_id == studio.org.id for c in writer.changes)


def _viewer_of(member, organization_id):
    from models.viewer import Viewer

    permissions = frozenset({"project:read", "item:update"})
    return Viewer(user_id=member.user.id, permissions={organization_id: permissions})
