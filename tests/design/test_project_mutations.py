"""Projects and project members: create, update, delete, add, change role, remove; each typed
error, and that a refusal changes nothing."""

from __future__ import annotations

import pytest

from models.design import ProjectRole
from tests.design.conftest import (
    DesignFactory,
    Studio,
    conflict,
    denied,
    design_rows,
    invalid,
    mutation,
    not_found,
    without_message,
)
from tests.factories import Factory, gid
from tests.tenancy_helpers import snapshot

PROJECT_FIELDS = """
  project {
    id name description status settings
    organization { id } owner { id }
    members { nodes { role user { id } } }
  }
"""
PROJECT_CREATE = mutation(
    "projectCreate", "ProjectCreateInput", f"... on ProjectSuccess {{ {PROJECT_FIELDS} }}"
)
PROJECT_UPDATE = mutation(
    "projectUpdate",
    "ProjectUpdateInput",
    "... on ProjectSuccess { project { name description status settings updatedAt } }",
)
PROJECT_DELETE = mutation(
    "projectDelete", "ProjectDeleteInput", "... on ProjectDeleteSuccess { deletedId }"
)
MEMBER_FIELDS = (
    "... on ProjectMemberSuccess { projectMember { id role user { id } project { id } } }"
)
MEMBER_ADD = mutation("projectMemberAdd", "ProjectMemberAddInput", MEMBER_FIELDS)
MEMBER_ROLE_CHANGE = mutation(
    "projectMemberRoleChange", "ProjectMemberRoleChangeInput", MEMBER_FIELDS
)
MEMBER_REMOVE = mutation(
    "projectMemberRemove",
    "ProjectMemberRemoveInput",
    "... on ProjectMemberRemoveSuccess { deletedId }",
)
PROJECT_UPDATED_AT = "query($id: ID!) { project(id: $id) { updatedAt } }"
OBJECT_NODE = "query($id: ID!) { node(id: $id) { id } }"

# ---------------------------------------------------------------------------------------------
# projectCreate


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "EDITOR"])
async def test_project_create(gql, db, factory, studio, role):
    # given
    member = await factory.member(studio.org, role)
    data = {
        "organization": studio.org_id,
        "name": "  Library  ",
        "description": "Loans",
        "status": "ACTIVE",
        "settings": {"grid": 12},
    }
    # when
    body = await gql(PROJECT_CREATE, {"input": data}, token=member.token)
    # then
    payload = body["data"]["projectCreate"]
    assert payload["__typename"] == "ProjectSuccess"
    project = payload["project"]
    assert project == {
        "id": project["id"],
        "name": "Library",
        "description": "Loans",
        "status": "ACTIVE",
        "settings": {"grid": 12},
        "organization": {"id": studio.org_id},
        "owner": {"id": member.id},
        "members": {"nodes": [{"role": "OWNER", "user": {"id": member.id}}]},
    }
    assert (await design_rows(db))["projects"] == 2


async def test_project_create_defaults(gql, studio):
    # when
    body = await gql(
        PROJECT_CREATE,
        {"input": {"organization": studio.org_id, "name": "Bare"}},
        token=studio.editor.token,
    )
    # then
    project = body["data"]["projectCreate"]["project"]
    assert (project["status"], project["description"], project["settings"]) == ("DRAFT", None, {})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"name": " "}, invalid(["name"], "REQUIRED"), id="blank-name"),
        pytest.param({"name": "x" * 201}, invalid(["name"], "TOO_LONG"), id="long-name"),
        pytest.param(
            {"name": "ok", "description": "x" * 5001},
            invalid(["description"], "TOO_LONG"),
            id="long-description",
        ),
        pytest.param(
            {"name": "ok", "settings": [1]}, invalid(["settings"], "INVALID"), id="settings-list"
        ),
    ],
)
async def test_project_create_refuses_invalid_input(gql, db, studio, data, expected):
    # given
    before = await snapshot(db)
    # when
    body = await gql(
        PROJECT_CREATE,
        {"input": {"organization": studio.org_id, **data}},
        token=studio.editor.token,
    )
    # then
    assert without_message(body["data"]["projectCreate"]) == expected
    assert await snapshot(db) == before


async def test_project_create_needs_project_create_permission(gql, db, studio):
    # given
    before = await snapshot(db)
    # when
    body = await gql(
        PROJECT_CREATE,
        {"input": {"organization": studio.org_id, "name": "x"}},
        token=studio.viewer.token,
    )
    # then
    assert without_message(body["data"]["projectCreate"]) == denied("item:create")
    assert await snapshot(db) == before


async def test_project_create_in_unknown_organization(gql, factory, studio):
    # given
    elsewhere = gid("Organization", (await factory.organization()).id)
    # when
    body = await gql(
        PROJECT_CREATE,
        {"input": {"organization": elsewhere, "name": "x"}},
        token=studio.owner.token,
    )
    # then
    assert without_message(body["data"]["projectCreate"]) == not_found(["organization"], elsewhere)


# ---------------------------------------------------------------------------------------------
# projectUpdate


async def test_project_update(gql, studio):
    # given
    seen = (await gql(PROJECT_UPDATED_AT, {"id": studio.project_id}, token=studio.editor.token))[
        "data"
    ]["project"]["updatedAt"]
    data = {
        "id": studio.project_id,
        "name": "Bookshop",
        "description": None,
        "status": "ARCHIVED",
        "settings": {"theme": "dark"},
        "updatedAt": seen,
    }
    # when
    body = await gql(PROJECT_UPDATE, {"input": data}, token=studio.editor.token)
    # then
    project = body["data"]["projectUpdate"]["project"]
    assert {k: project[k] for k in ("name", "description", "status", "settings")} == {
        "name": "Bookshop",
        "description": None,
        "status": "ARCHIVED",
        "settings": {"theme": "dark"},
    }
    assert project["updatedAt"] > seen


async def test_project_update_with_stale_updated_at_is_a_conflict(gql, db, studio):
    # given
    before = await snapshot(db)
    data = {"id": studio.project_id, "name": "x", "updatedAt": "2001-01-01T00:00:00+00:00"}
    # when
    body = await gql(PROJECT_UPDATE, {"input": data}, token=studio.editor.token)
    # then
    assert without_message(body["data"]["projectUpdate"]) == conflict(["updatedAt"])
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"status": None}, invalid(["status"], "REQUIRED"), id="null-status"),
        pytest.param({"name": None}, invalid(["name"], "REQUIRED"), id="null-name"),
        pytest.param({"settings": "x"}, invalid(["settings"], "INVALID"), id="settings-string"),
    ],
)
async def test_project_update_refuses_invalid_input(gql, db, studio, data, expected):
    # given
    before = await snapshot(db)
    # when
    body = await gql(
        PROJECT_UPDATE, {"input": {"id": studio.project_id, **data}}, token=studio.editor.token
    )
    # then
    assert without_message(body["data"]["projectUpdate"]) == expected
    assert await snapshot(db) == before


# ---------------------------------------------------------------------------------------------
# projectDelete


async def test_project_delete_hides_the_project_and_everything_in_it(gql, db, studio, design):
    # given
    obj = await design.object(studio.project, 0, 0)
    # when
    body = await gql(
        PROJECT_DELETE, {"input": {"id": studio.project_id}}, token=studio.editor.token
    )
    # then
    assert body["data"]["projectDelete"] == {
        "__typename": "ProjectDeleteSuccess",
        "deletedId": studio.project_id,
    }
    for global_id in (studio.project_id, gid("DesignObject", obj.id)):
        found = await gql(OBJECT_NODE, {"id": global_id}, token=studio.owner.token)
        assert found == {"data": {"node": None}}
    assert (await design_rows(db))["projects"] == 1  # soft: the row stays


async def test_project_delete_needs_project_delete_permission(gql, db, studio):
    # given
    before = await snapshot(db)
    # when
    body = await gql(
        PROJECT_DELETE, {"input": {"id": studio.project_id}}, token=studio.viewer.token
    )
    # then
    assert without_message(body["data"]["projectDelete"]) == denied("item:delete")
    assert await snapshot(db) == before


# ---------------------------------------------------------------------------------------------
# Project members


@pytest.mark.parametrize("who", ["owner", "admin", "project-owner"])
async def test_project_member_add(gql, design, studio, who):
    # given: a project OWNER member needs only an editing organization role
    actor = {"owner": studio.owner, "admin": studio.admin, "project-owner": studio.editor}[who]
    if who == "project-owner":
        await design.member(studio.project, studio.editor, ProjectRole.OWNER)
    data = {"project": studio.project_id, "user": studio.viewer.id, "role": "VIEWER"}
    # when
    body = await gql(MEMBER_ADD, {"input": data}, token=actor.token)
    # then
    payload = body["data"]["projectMemberAdd"]
    assert payload["__typename"] == "ProjectMemberSuccess"
    assert payload["projectMember"] == {
        "id": payload["projectMember"]["id"],
        "role": "VIEWER",
        "user": {"id": studio.viewer.id},
        "project": {"id": studio.project_id},
    }


@pytest.mark.parametrize(
    ("who", "project_role"),
    [
        pytest.param("editor", None, id="org-editor"),
        pytest.param("editor", ProjectRole.EDITOR, id="project-editor"),
        pytest.param("viewer", ProjectRole.OWNER, id="org-viewer-project-owner"),
    ],
)
async def test_project_member_add_needs_manage(gql, db, design, studio, who, project_role):
    # given
    actor = getattr(studio, who)
    if project_role is not None:
        await design.member(studio.project, actor, project_role)
    before = await snapshot(db)
    data = {"project": studio.project_id, "user": studio.admin.id}
    # when
    body = await gql(MEMBER_ADD, {"input": data}, token=actor.token)
    # then
    assert without_message(body["data"]["projectMemberAdd"]) == denied("membership:update")
    assert await snapshot(db) == before


async def test_project_member_add_twice_is_refused(gql, db, studio):
    # given
    before = await snapshot(db)
    data = {"project": studio.project_id, "user": studio.owner.id}
    # when
    body = await gql(MEMBER_ADD, {"input": data}, token=studio.admin.token)
    # then
    assert without_message(body["data"]["projectMemberAdd"]) == invalid(["user"], "ALREADY_EXISTS")
    assert await snapshot(db) == before


async def test_project_member_must_belong_to_the_organization(gql, db, factory: Factory, studio):
    # given: a user the admin can see (they share another organization) but not of this one
    other = await factory.organization()
    outsider = await factory.member(other, "EDITOR")
    await factory.membership(studio.admin.user, other, "VIEWER")
    before = await snapshot(db)
    data = {"project": studio.project_id, "user": outsider.id}
    # when
    body = await gql(MEMBER_ADD, {"input": data}, token=studio.admin.token)
    # then
    assert without_message(body["data"]["projectMemberAdd"]) == not_found(["user"], outsider.id)
    assert await snapshot(db) == before


async def test_project_member_role_change(gql, design, studio):
    # given
    member = await design.member(studio.project, studio.editor, ProjectRole.EDITOR)
    member_id = gid("ProjectMember", member.id)
    # when
    body = await gql(
        MEMBER_ROLE_CHANGE, {"input": {"id": member_id, "role": "VIEWER"}}, token=studio.owner.token
    )
    # then
    assert body["data"]["projectMemberRoleChange"]["projectMember"]["role"] == "VIEWER"


async def test_project_member_role_change_stale_is_a_conflict(gql, db, design, studio):
    # given
    member = await design.member(studio.project, studio.editor, ProjectRole.EDITOR)
    before = await snapshot(db)
    data = {
        "id": gid("ProjectMember", member.id),
        "role": "OWNER",
        "updatedAt": "2001-01-01T00:00:00+00:00",
    }
    # when
    body = await gql(MEMBER_ROLE_CHANGE, {"input": data}, token=studio.owner.token)
    # then
    assert without_message(body["data"]["projectMemberRoleChange"]) == conflict(["updatedAt"])
    assert await snapshot(db) == before


async def test_project_member_remove(gql, db, design, studio):
    # given
    member = await design.member(studio.project, studio.editor, ProjectRole.VIEWER)
    member_id = gid("ProjectMember", member.id)
    # when
    body = await gql(MEMBER_REMOVE, {"input": {"id": member_id}}, token=studio.admin.token)
    # then
    assert body["data"]["projectMemberRemove"] == {
        "__typename": "ProjectMemberRemoveSuccess",
        "deletedId": member_id,
    }
    assert (await design_rows(db))["project_members"] == 1


async def test_project_member_remove_needs_manage(gql, db, design: DesignFactory, studio: Studio):
    # given
    member = await design.member(studio.project, studio.editor, ProjectRole.EDITOR)
    before = await snapshot(db)
    # when
    body = await gql(
        MEMBER_REMOVE, {"input": {"id": gid("ProjectMember", member.id)}}, token=studio.editor.token
    )
    # then
    assert without_message(body["data"]["projectMemberRemove"]) == denied("membership:update")
    assert await snapshot(db) == before
