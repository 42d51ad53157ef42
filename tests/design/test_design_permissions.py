"""Who may change a project: the organization permission (`item:update`, EDITOR and up)
and, for a project VIEWER member, never; project EDITOR/OWNER members and organization
editors who are not members may. Every content mutation, each kind of caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models.design import (
    Attribute,
    CallToAction,
    DesignObject,
    ProjectRole,
    Relationship,
)
from tests.design.conftest import DesignFactory, Studio, denied, without_message
from tests.factories import Factory, Member, gid
from tests.tenancy_helpers import snapshot


@dataclass
class Board:
    studio: Studio
    obj: DesignObject
    other: DesignObject
    rel: Relationship
    cta: CallToAction
    attribute: Attribute

    @property
    def obj_id(self) -> str:
        return gid("DesignObject", self.obj.id)


@pytest.fixture
async def board(studio: Studio, design: DesignFactory) -> Board:
    obj = await design.object(studio.project, 0, 0, name="Book")
    other = await design.object(studio.project, 1, 0, name="Author")
    return Board(
        studio=studio,
        obj=obj,
        other=other,
        rel=await design.relationship(other, obj),
        cta=await design.call_to_action(obj),
        attribute=await design.attribute(obj, name="isbn"),
    )


@dataclass(frozen=True)
class Case:
    name: str
    input_type: str
    input: Callable[[Board], dict[str, Any]]
    success: str
    permission: str = "item:update"


CASES = [
    Case("projectUpdate", "ProjectUpdateInput",
         lambda b: {"id": b.studio.project_id, "name": "Renamed"}, "ProjectSuccess"),
    Case("projectDelete", "ProjectDeleteInput",
         lambda b: {"id": b.studio.project_id}, "ProjectDeleteSuccess", "item:delete"),
    Case("designObjectCreate", "DesignObjectCreateInput",
         lambda b: {"project": b.studio.project_id, "name": "New", "positionX": 5,
                    "positionY": 5}, "DesignObjectSuccess"),
    Case("designObjectUpdate", "DesignObjectUpdateInput",
         lambda b: {"id": b.obj_id, "name": "Renamed"}, "DesignObjectSuccess"),
    Case("designObjectMove", "DesignObjectMoveInput",
         lambda b: {"id": b.obj_id, "positionX": 9, "positionY": 9}, "DesignObjectSuccess"),
    Case("designObjectDelete", "DesignObjectDeleteInput",
         lambda b: {"id": b.obj_id}, "DesignObjectDeleteSuccess"),
    Case("relationshipCreate", "RelationshipCreateInput",
         lambda b: {"project": b.studio.project_id, "source": b.obj_id,
                    "target": gid("DesignObject", b.other.id)}, "RelationshipSuccess"),
    Case("relationshipUpdate", "RelationshipUpdateInput",
         lambda b: {"id": gid("Relationship", b.rel.id), "cardinality": "ONE_TO_ONE"},
         "RelationshipSuccess"),
    Case("relationshipDelete", "RelationshipDeleteInput",
         lambda b: {"id": gid("Relationship", b.rel.id)}, "RelationshipDeleteSuccess"),
    Case("callToActionCreate", "CallToActionCreateInput",
         lambda b: {"designObject": b.obj_id, "name": "Buy"}, "CallToActionSuccess"),
    Case("callToActionUpdate", "CallToActionUpdateInput",
         lambda b: {"id": gid("CallToAction", b.cta.id), "name": "Sell"}, "CallToActionSuccess"),
    Case("callToActionDelete", "CallToActionDeleteInput",
         lambda b: {"id": gid("CallToAction", b.cta.id)}, "CallToActionDeleteSuccess"),
    Case("attributeCreate", "AttributeCreateInput",
         lambda b: {"designObject": b.obj_id, "name": "title"}, "AttributeSuccess"),
    Case("attributeUpdate", "AttributeUpdateInput",
         lambda b: {"id": gid("Attribute", b.attribute.id), "isRequired": True},
         "AttributeSuccess"),
    Case("attributeDelete", "AttributeDeleteInput",
         lambda b: {"id": gid("Attribute", b.attribute.id)}, "AttributeDeleteSuccess"),
]  # fmt: skip
CASE_IDS = [c.name for c in CASES]


def _doc(case: Case) -> str:
    return f"""
mutation($input: {case.input_type}!) {{
  {case.name}(input: $input) {{
    __typename
    ... on Error {{ message code path }}
    ... on PermissionDeniedError {{ permission }}
  }}
}}"""


async def _caller(
    factory: Factory, design: DesignFactory, board: Board, org_role: str, project_role: str | None
) -> Member:
    member = await factory.member(board.studio.org, org_role)
    if project_role is not None:
        await design.member(board.studio.project, member, ProjectRole[project_role])
    return member


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_a_project_viewer_cannot_change_the_project(gql, db, factory, design, board, case):
    # given: an organization EDITOR whose project role is VIEWER
    caller = await _caller(factory, design, board, "EDITOR", "VIEWER")
    before = await snapshot(db)
    # when
    body = await gql(_doc(case), {"input": case.input(board)}, token=caller.token)
    # then
    assert body["data"][case.name] == {
        **denied(case.permission),
        "message": "Project viewers cannot change this project.",
    }
    assert await snapshot(db) == before


@pytest.mark.parametrize("project_role", [None, "EDITOR", "OWNER"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_an_organization_viewer_cannot_change_a_project(
    gql, db, factory, design, board, case, project_role
):
    # given: a project role never widens the organization role
    caller = await _caller(factory, design, board, "VIEWER", project_role)
    before = await snapshot(db)
    # when
    body = await gql(_doc(case), {"input": case.input(board)}, token=caller.token)
    # then
    assert without_message(body["data"][case.name]) == denied(case.permission)
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("org_role", "project_role"),
    [
        pytest.param("EDITOR", None, id="org-editor"),
        pytest.param("EDITOR", "EDITOR", id="project-editor"),
        pytest.param("EDITOR", "OWNER", id="project-owner"),
        pytest.param("ADMIN", "VIEWER", id="org-admin-project-viewer"),
    ],
)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_who_may_change_a_project(gql, factory, design, board, case, org_role, project_role):
    # given
    caller = await _caller(factory, design, board, org_role, project_role)
    # when
    body = await gql(_doc(case), {"input": case.input(board)}, token=caller.token)
    # then
    expected = "PermissionDeniedError" if project_role == "VIEWER" else case.success
    assert body["data"][case.name]["__typename"] == expected
