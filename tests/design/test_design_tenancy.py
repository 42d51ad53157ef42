"""Cross-tenant isolation of the design domain: alice (OWNER of A) sees nothing of B's
projects on any path, and cannot change any of it (NotFoundError, nothing written).

The world of tests/tenancy_helpers.py, plus a project on each side with a member, two
objects, a relationship, a call to action and an attribute; B's text carries "Beta secret".
Rows linking across tenants cannot be made through the API; made here directly, they check
that nested lists scope their children themselves instead of trusting foreign keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from graph.kernel.ids import from_global_id
from models.design import (
    Attribute,
    CallToAction,
    DesignObject,
    Project,
    ProjectMember,
    ProjectRole,
    Relationship,
)
from models.exports import ExportFormat, ExportJob
from models.jobs import Job
from tests.design.conftest import DesignFactory
from tests.factories import gid
from tests.tenancy_helpers import (
    World,
    assert_no_leak,
    build_world,
    connection,
    gid_of,
    snapshot,
    value_at,
)

TYPE_NAMES = {
    Project: "Project",
    ProjectMember: "ProjectMember",
    DesignObject: "DesignObject",
    Relationship: "Relationship",
    CallToAction: "CallToAction",
    Attribute: "Attribute",
    ExportJob: "ExportJob",
}


def did(obj: Any) -> str:
    return gid(TYPE_NAMES[type(obj)], obj.id)


@dataclass
class Side:
    project: Project
    member: ProjectMember
    obj: DesignObject
    other: DesignObject
    rel: Relationship
    cta: CallToAction
    attribute: Attribute
    export: ExportJob

    def rows(self) -> list[Any]:
        return [self.project, self.member, self.obj, self.other, self.rel, self.cta,
                self.attribute, self.export]  # fmt: skip


@dataclass
class DesignWorld:
    world: World
    a: Side
    b: Side
    # Planted across tenants: A's relationship pointing at B's object, and B's rows
    # (organization B) hanging off A's object.
    a_rel_to_b: Relationship
    b_rel_to_a: Relationship
    b_cta_on_a: CallToAction
    b_attribute_on_a: Attribute
    b_export_on_a: ExportJob

    @property
    def token(self) -> str:
        return self.world.alice.token

    def foreign_gids(self) -> set[str]:
        rows = [*self.b.rows(), self.b_rel_to_a, self.b_cta_on_a, self.b_attribute_on_a,
                self.b_export_on_a]  # fmt: skip
        return {did(r) for r in rows}


async def _export(design: DesignFactory, project: Project, organization_id: Any) -> ExportJob:
    """An export's rows (its job and itself), made directly."""
    async with design.db.sessions() as session, session.begin():
        job = Job(organization_id=organization_id, kind="project.export", parameters={})
        session.add(job)
        await session.flush()
        export = ExportJob(project_id=project.id, organization_id=organization_id,
                           job_id=job.id, format=ExportFormat.JSON)  # fmt: skip
        session.add(export)
    return export


async def _side(design: DesignFactory, world: World, org: Any, owner: Any, label: str) -> Side:
    project = await design.project(org, owner, name=f"{label} project")
    obj = await design.object(project, 0, 0, name=f"{label} object")
    other = await design.object(project, 1, 0, name=f"{label} other")
    return Side(
        project=project,
        member=await design.member(project, owner, ProjectRole.OWNER),
        obj=obj,
        other=other,
        rel=await design.relationship(obj, other, description=f"{label} relationship"),
        cta=await design.call_to_action(obj, name=f"{label} action"),
        attribute=await design.attribute(obj, name=f"{label} attribute"),
        export=await _export(design, project, org.id),
    )


@pytest.fixture
async def dw(factory, db) -> DesignWorld:
    world = await build_world(factory, db)
    design = DesignFactory(db)
    a = await _side(design, world, world.org_a, world.alice, "Alpha")
    b = await _side(design, world, world.org_b, world.bob, "Beta secret")
    return DesignWorld(
        world=world,
        a=a,
        b=b,
        a_rel_to_b=await design.relationship(a.obj, b.obj, description="Alpha to beta"),
        b_rel_to_a=await design.relationship(
            b.obj, a.obj, description="Beta secret to alpha", organization_id=world.org_b.id,
            project_id=b.project.id,
        ),
        b_cta_on_a=await design.call_to_action(
            a.obj, name="Beta secret action", organization_id=world.org_b.id,
            project_id=b.project.id,
        ),
        b_attribute_on_a=await design.attribute(
            a.obj, name="Beta secret attribute", organization_id=world.org_b.id,
            project_id=b.project.id,
        ),
        b_export_on_a=await _export(design, a.project, world.org_b.id),
    )  # fmt: skip


def assert_nothing_of_b(body: dict[str, Any], dw: DesignWorld) -> None:
    assert_no_leak(body, dw.world)
    text = json.dumps(body)
    leaked = [g for g in dw.foreign_gids() if g in text]
    assert not leaked, f"B's design rows in the response: {leaked}\n{text}"


# ---------------------------------------------------------------------------------------------
# The root connection

PROJECTS = """
query($filter: ProjectFilter) {
  projects(filter: $filter, first: 100) { totalCount nodes { id name } }
}
"""


@pytest.mark.parametrize("who", ["alice", "anonymous"])
async def test_projects_lists_only_own_tenant(gql, dw, who):
    # when
    body = await gql(PROJECTS, token=dw.token if who == "alice" else None)
    # then
    expected = {did(dw.a.project)} if who == "alice" else set()
    assert connection(body, ("projects",)) == (expected, len(expected))
    assert_nothing_of_b(body, dw)


@pytest.mark.parametrize(
    ("field", "theirs", "mine", "op"),
    [
        pytest.param("organization", lambda d: gid_of(d.world.org_b),
                     lambda d: gid_of(d.world.org_a), "eq", id="by-organization"),
        pytest.param("id", lambda d: did(d.b.project), lambda d: did(d.a.project), "in",
                     id="by-id"),
        pytest.param("owner", lambda d: gid_of(d.world.bob), lambda d: gid_of(d.world.alice),
                     "eq", id="by-owner"),
    ],
)  # fmt: skip
async def test_projects_filter_naming_other_tenant_finds_nothing(gql, dw, field, theirs, mine, op):
    # given
    def flt(value: str) -> dict[str, Any]:
        return {field: {op: [value] if op == "in" else value}}

    # when
    body_theirs = await gql(PROJECTS, {"filter": flt(theirs(dw))}, token=dw.token)
    body_mine = await gql(PROJECTS, {"filter": flt(mine(dw))}, token=dw.token)
    # then
    assert connection(body_theirs, ("projects",)) == (set(), 0)
    assert connection(body_mine, ("projects",)) == ({did(dw.a.project)}, 1)
    assert_nothing_of_b(body_theirs, dw)


# ---------------------------------------------------------------------------------------------
# By ID: node, nodes and project(id:)

BY_ID_TYPES = ["project", "member", "obj", "rel", "cta", "attribute", "export"]
NODE = """
query($mine: ID!, $theirs: ID!) {
  mine: node(id: $mine) { __typename id }
  theirs: node(id: $theirs) { __typename id }
}
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
PROJECT = """
query($mine: ID!, $theirs: ID!) {
  mine: project(id: $mine) { __typename id }
  theirs: project(id: $theirs) { __typename id }
}
"""


@pytest.mark.parametrize("attr", BY_ID_TYPES)
async def test_node_of_other_tenant_is_null(gql, dw, attr):
    # given
    mine, theirs = getattr(dw.a, attr), getattr(dw.b, attr)
    variables = {"mine": did(mine), "theirs": did(theirs)}
    # when
    body = await gql(NODE, variables, token=dw.token)
    listed = await gql(NODES, {"ids": [did(theirs), did(mine)]}, token=dw.token)
    # then
    me = {"__typename": TYPE_NAMES[type(mine)], "id": did(mine)}
    assert body == {"data": {"mine": me, "theirs": None}}
    assert listed == {"data": {"nodes": [None, me]}}


@pytest.mark.parametrize(
    "planted", ["b_rel_to_a", "b_cta_on_a", "b_attribute_on_a", "b_export_on_a"]
)
async def test_node_of_a_planted_foreign_row_is_null(gql, dw, planted):
    # given
    theirs = did(getattr(dw, planted))
    # when
    body = await gql(NODE, {"mine": did(dw.a.obj), "theirs": theirs}, token=dw.token)
    # then
    assert body["data"]["theirs"] is None


@pytest.mark.parametrize("who", ["alice", "bob-for-a", "anonymous"])
async def test_project_by_id_of_other_tenant_is_null(gql, dw, who):
    # given: bob belongs to B only, so A's project is the foreign one for him
    token = {"alice": dw.token, "bob-for-a": dw.world.bob.token, "anonymous": None}[who]
    mine, theirs = (dw.b, dw.a) if who == "bob-for-a" else (dw.a, dw.b)
    # when
    body = await gql(
        PROJECT, {"mine": did(mine.project), "theirs": did(theirs.project)}, token=token
    )
    # then
    me = {"__typename": "Project", "id": did(mine.project)} if who != "anonymous" else None
    assert body == {"data": {"mine": me, "theirs": None}}


# ---------------------------------------------------------------------------------------------
# Nested connections and references

ORGANIZATION_PROJECTS = """
query($id: ID!) { node(id: $id) { ... on Organization { projects(first: 100) {
  totalCount nodes { id } } } } }
"""


def _nested(parent: str, field: str) -> str:
    return f"""
query($id: ID!) {{
  node(id: $id) {{ ... on {parent} {{ {field}(first: 100) {{ totalCount nodes {{ id }} }} }} }}
}}"""


NESTED = {
    "organization.projects": (ORGANIZATION_PROJECTS, lambda d: d.world.org_a,
                              lambda d: {did(d.a.project)}),
    "other-organization.projects": (ORGANIZATION_PROJECTS, lambda d: d.world.org_b,
                                    lambda d: set()),
    "project.members": (_nested("Project", "members"), lambda d: d.a.project,
                        lambda d: {did(d.a.member)}),
    "project.objects": (_nested("Project", "objects"), lambda d: d.a.project,
                        lambda d: {did(d.a.obj), did(d.a.other)}),
    "project.relationships": (_nested("Project", "relationships"), lambda d: d.a.project,
                              lambda d: {did(d.a.rel), did(d.a_rel_to_b)}),
    "object.outgoingRelationships": (_nested("DesignObject", "outgoingRelationships"),
                                     lambda d: d.a.obj,
                                     lambda d: {did(d.a.rel), did(d.a_rel_to_b)}),
    "object.incomingRelationships": (_nested("DesignObject", "incomingRelationships"),
                                     lambda d: d.a.obj, lambda d: set()),
    "object.callsToAction": (_nested("DesignObject", "callsToAction"), lambda d: d.a.obj,
                             lambda d: {did(d.a.cta)}),
    "object.attributes": (_nested("DesignObject", "attributes"), lambda d: d.a.obj,
                          lambda d: {did(d.a.attribute)}),
    "project.exports": (_nested("Project", "exports"), lambda d: d.a.project,
                        lambda d: {did(d.a.export)}),
}  # fmt: skip


@pytest.mark.parametrize(("doc", "parent", "visible"), NESTED.values(), ids=NESTED.keys())
async def test_nested_connection_shows_only_own_tenant(gql, dw, doc, parent, visible):
    # given
    parent_obj = parent(dw)
    parent_id = gid_of(parent_obj) if type(parent_obj) not in TYPE_NAMES else did(parent_obj)
    # when
    body = await gql(doc, {"id": parent_id}, token=dw.token)
    # then
    expected = visible(dw)
    assert connection(body, ("node", next(iter(_field_of(doc))))) == (expected, len(expected))
    assert_nothing_of_b(body, dw)


def _field_of(doc: str) -> list[str]:
    for name in ("projects", "members", "objects", "relationships", "outgoingRelationships",
                 "incomingRelationships", "callsToAction", "attributes", "exports"):  # fmt: skip
        if f"{name}(" in doc:
            return [name]
    raise AssertionError(doc)


MATRIX_REFERENCES = """
query($id: ID!) {
  project(id: $id) {
    objects(first: 100) {
      nodes {
        id
        outgoingRelationships(first: 100) { nodes { id target { id name } } }
        incomingRelationships(first: 100) { nodes { id source { id name } } }
        callsToAction(first: 100) { nodes { id designObject { id } } }
        attributes(first: 100) { nodes { id designObject { id } } }
      }
    }
    relationships(first: 100) { nodes { id source { id } target { id } project { id } } }
  }
}
"""


async def test_a_reference_to_a_foreign_object_resolves_to_null(gql, dw):
    # when
    body = await gql(MATRIX_REFERENCES, {"id": did(dw.a.project)}, token=dw.token)
    # then
    objects = {o["id"]: o for o in body["data"]["project"]["objects"]["nodes"]}
    targets = {
        r["id"]: r["target"] for r in objects[did(dw.a.obj)]["outgoingRelationships"]["nodes"]
    }
    assert targets == {
        did(dw.a.rel): {"id": did(dw.a.other), "name": "Alpha other"},
        did(dw.a_rel_to_b): None,
    }
    assert_nothing_of_b(body, dw)


# ---------------------------------------------------------------------------------------------
# Mutations on B's rows: NotFoundError (never PermissionDenied), and nothing changes


@dataclass(frozen=True)
class Refused:
    name: str
    input_type: str
    path: list[str]
    input: Any  # DesignWorld -> dict


MUTATIONS = {
    "projectCreate-their-organization": Refused("projectCreate", "ProjectCreateInput",
        ["organization"], lambda d: {"organization": gid_of(d.world.org_b), "name": "x"}),
    "projectUpdate": Refused("projectUpdate", "ProjectUpdateInput", ["id"],
        lambda d: {"id": did(d.b.project), "name": "pwned"}),
    "projectDelete": Refused("projectDelete", "ProjectDeleteInput", ["id"],
        lambda d: {"id": did(d.b.project)}),
    "projectMemberAdd-their-project": Refused("projectMemberAdd", "ProjectMemberAddInput",
        ["project"], lambda d: {"project": did(d.b.project), "user": gid_of(d.world.alice)}),
    "projectMemberAdd-their-user": Refused("projectMemberAdd", "ProjectMemberAddInput",
        ["user"], lambda d: {"project": did(d.a.project), "user": gid_of(d.world.bob)}),
    "projectMemberRoleChange": Refused("projectMemberRoleChange",
        "ProjectMemberRoleChangeInput", ["id"],
        lambda d: {"id": did(d.b.member), "role": "VIEWER"}),
    "projectMemberRemove": Refused("projectMemberRemove", "ProjectMemberRemoveInput", ["id"],
        lambda d: {"id": did(d.b.member)}),
    "designObjectCreate": Refused("designObjectCreate", "DesignObjectCreateInput", ["project"],
        lambda d: {"project": did(d.b.project), "name": "x", "positionX": 9, "positionY": 9}),
    "designObjectUpdate": Refused("designObjectUpdate", "DesignObjectUpdateInput", ["id"],
        lambda d: {"id": did(d.b.obj), "name": "pwned"}),
    "designObjectMove": Refused("designObjectMove", "DesignObjectMoveInput", ["id"],
        lambda d: {"id": did(d.b.obj), "positionX": 9, "positionY": 9}),
    "designObjectDelete": Refused("designObjectDelete", "DesignObjectDeleteInput", ["id"],
        lambda d: {"id": did(d.b.obj)}),
    "relationshipCreate-their-project": Refused("relationshipCreate", "RelationshipCreateInput",
        ["project"], lambda d: {"project": did(d.b.project), "source": did(d.b.obj),
                                "target": did(d.b.other)}),
    "relationshipCreate-their-source": Refused("relationshipCreate", "RelationshipCreateInput",
        ["source"], lambda d: {"project": did(d.a.project), "source": did(d.b.obj),
                               "target": did(d.a.obj)}),
    "relationshipCreate-their-target": Refused("relationshipCreate", "RelationshipCreateInput",
        ["target"], lambda d: {"project": did(d.a.project), "source": did(d.a.obj),
                               "target": did(d.b.obj)}),
    "relationshipUpdate": Refused("relationshipUpdate", "RelationshipUpdateInput", ["id"],
        lambda d: {"id": did(d.b.rel), "description": "pwned"}),
    "relationshipUpdate-planted": Refused("relationshipUpdate", "RelationshipUpdateInput", ["id"],
        lambda d: {"id": did(d.b_rel_to_a), "description": "pwned"}),
    "relationshipUpdate-their-target": Refused("relationshipUpdate", "RelationshipUpdateInput",
        ["target"], lambda d: {"id": did(d.a.rel), "target": did(d.b.obj)}),
    "relationshipDelete": Refused("relationshipDelete", "RelationshipDeleteInput", ["id"],
        lambda d: {"id": did(d.b.rel)}),
    "callToActionCreate": Refused("callToActionCreate", "CallToActionCreateInput",
        ["designObject"], lambda d: {"designObject": did(d.b.obj), "name": "x"}),
    "callToActionUpdate": Refused("callToActionUpdate", "CallToActionUpdateInput", ["id"],
        lambda d: {"id": did(d.b.cta), "name": "pwned"}),
    "callToActionUpdate-planted": Refused("callToActionUpdate", "CallToActionUpdateInput",
        ["id"], lambda d: {"id": did(d.b_cta_on_a), "name": "pwned"}),
    "callToActionDelete": Refused("callToActionDelete", "CallToActionDeleteInput", ["id"],
        lambda d: {"id": did(d.b.cta)}),
    "attributeCreate": Refused("attributeCreate", "AttributeCreateInput", ["designObject"],
        lambda d: {"designObject": did(d.b.obj), "name": "x"}),
    "attributeUpdate": Refused("attributeUpdate", "AttributeUpdateInput", ["id"],
        lambda d: {"id": did(d.b.attribute), "name": "pwned"}),
    "attributeUpdate-planted": Refused("attributeUpdate", "AttributeUpdateInput", ["id"],
        lambda d: {"id": did(d.b_attribute_on_a), "name": "pwned"}),
    "attributeDelete": Refused("attributeDelete", "AttributeDeleteInput", ["id"],
        lambda d: {"id": did(d.b.attribute)}),
    "projectExport": Refused("projectExport", "ProjectExportInput", ["project"],
        lambda d: {"project": did(d.b.project), "format": "JSON"}),
}  # fmt: skip


def _mutation(name: str, input_type: str) -> str:
    return f"""
mutation($input: {input_type}!) {{
  {name}(input: $input) {{
    __typename
    ... on Error {{ message code path }}
    ... on NotFoundError {{ id }}
  }}
}}"""


@pytest.mark.parametrize("case", MUTATIONS.values(), ids=MUTATIONS.keys())
async def test_mutation_on_other_tenant_is_not_found_and_changes_nothing(gql, db, dw, case):
    # given
    data = case.input(dw)
    foreign_id = value_at(data, case.path)
    before = await snapshot(db)
    # when
    body = await gql(_mutation(case.name, case.input_type), {"input": data}, token=dw.token)
    # then
    assert body["data"][case.name] == {
        "__typename": "NotFoundError",
        "message": f"{from_global_id(foreign_id)[0]} not found.",
        "code": "NOT_FOUND",
        "path": case.path,
        "id": foreign_id,
    }
    assert foreign_id in dw.foreign_gids() | dw.world.foreign_gids()
    assert await snapshot(db) == before


async def test_deleting_an_object_leaves_other_tenants_rows_alone(gql, db, dw):
    # given: B's planted rows hang off A's object, and B's relationship points at it
    doc = """
mutation($input: DesignObjectDeleteInput!) {
  designObjectDelete(input: $input) {
    __typename
    ... on DesignObjectDeleteSuccess {
      deletedRelationshipIds deletedCallToActionIds deletedAttributeIds
    }
  }
}"""
    # when
    body = await gql(doc, {"input": {"id": did(dw.a.obj)}}, token=dw.token)
    # then: the foreign keys cascade in the database, but alice's delete recorded and
    # returned only what she can see
    assert_nothing_of_b(body, dw)
    payload = body["data"]["designObjectDelete"]
    payload["deletedRelationshipIds"] = set(payload["deletedRelationshipIds"])
    assert payload == {
        "__typename": "DesignObjectDeleteSuccess",
        "deletedRelationshipIds": {did(dw.a.rel), did(dw.a_rel_to_b)},
        "deletedCallToActionIds": [did(dw.a.cta)],
        "deletedAttributeIds": [did(dw.a.attribute)],
    }
