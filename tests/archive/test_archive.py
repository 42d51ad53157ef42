"""Archive and restore through the API, on both read paths: archived rows leave lists unless
`includeArchived: true`, stay readable by ID, and nothing in them changes until restored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from tests.design.conftest import DesignFactory
from tests.factories import Factory, Member, gid
from tests.realty.conftest import create_client, create_property


@pytest.fixture
def app(read_path_app):
    """Every test here runs on both read paths."""
    return read_path_app


@dataclass
class Entity:
    type_name: str
    root: str  # the root list
    # (factory, organization, member) -> a new row of this entity in the organization
    make: Callable[[Factory, Any, Member], Awaitable[Any]]


async def _item(factory: Factory, org: Any, member: Member) -> Any:
    return await factory.item(member.user, org, title="Kept")


async def _project(factory: Factory, org: Any, member: Member) -> Any:
    return await DesignFactory(factory.db).project(org, member)


async def _property(factory: Factory, org: Any, member: Member) -> Any:
    return await create_property(factory.db, org)


async def _client(factory: Factory, org: Any, member: Member) -> Any:
    return await create_client(factory.db, org)


async def _organization(factory: Factory, org: Any, member: Member) -> Any:
    return org


ENTITIES = {
    "item": Entity("Item", "items", _item),
    "project": Entity("Project", "projects", _project),
    "property": Entity("Property", "properties", _property),
    "client": Entity("Client", "clients", _client),
    "organization": Entity("Organization", "organizations", _organization),
}


def _lower(name: str) -> str:
    return name[0].lower() + name[1:]


def _mutation(entity: Entity, verb: str) -> str:
    field = _lower(entity.type_name)
    return f"""
mutation($id: ID!) {{
  {field}{verb}(input: {{id: $id}}) {{
    __typename
    ... on {entity.type_name}Success {{ {field} {{ id archivedAt }} }}
    ... on Error {{ message code path }}
  }}
}}"""


def _lists(entity: Entity) -> str:
    return f"""
query($id: ID!) {{
  live: {entity.root}(first: 50) {{ totalCount nodes {{ id }} }}
  all: {entity.root}(first: 50, includeArchived: true) {{ totalCount nodes {{ id archivedAt }} }}
  node(id: $id) {{ ... on {entity.type_name} {{ id archivedAt }} }}
}}"""


def _ids(connection: dict[str, Any]) -> set[str]:
    return {n["id"] for n in connection["nodes"]}


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=ENTITIES.keys())
async def test_archived_row_leaves_lists_stays_readable_and_comes_back(gql, factory, entity):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    row = gid(entity.type_name, (await entity.make(factory, org, owner)).id)
    field = _lower(entity.type_name)
    # when
    archived = await gql(_mutation(entity, "Archive"), {"id": row}, token=owner.token)
    during = await gql(_lists(entity), {"id": row}, token=owner.token)
    restored = await gql(_mutation(entity, "Restore"), {"id": row}, token=owner.token)
    after = await gql(_lists(entity), {"id": row}, token=owner.token)
    # then
    payload = archived["data"][f"{field}Archive"]
    assert payload["__typename"] == f"{entity.type_name}Success"
    assert payload[field]["archivedAt"] is not None
    data = during["data"]
    assert row not in _ids(data["live"])
    assert data["live"]["totalCount"] == len(_ids(data["live"]))
    assert row in _ids(data["all"])
    assert data["all"]["totalCount"] == data["live"]["totalCount"] + 1
    assert data["node"] == {"id": row, "archivedAt": payload[field]["archivedAt"]}
    assert restored["data"][f"{field}Restore"] == {
        "__typename": f"{entity.type_name}Success",
        field: {"id": row, "archivedAt": None},
    }
    assert row in _ids(after["data"]["live"])


NESTED = """
query($org: ID!) {
  organization(id: $org) {
    items(first: 10) { totalCount nodes { id } }
    everything: items(first: 10, includeArchived: true) { totalCount nodes { id } }
  }
}"""


async def test_nested_connection_honours_include_archived(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    kept = gid("Item", (await factory.item(owner.user, org)).id)
    gone = gid("Item", (await factory.item(owner.user, org)).id)
    await gql(_mutation(ENTITIES["item"], "Archive"), {"id": gone}, token=owner.token)
    # when
    body = await gql(NESTED, {"org": gid("Organization", org.id)}, token=owner.token)
    # then
    data = body["data"]["organization"]
    assert data["items"] == {"totalCount": 1, "nodes": [{"id": kept}]}
    assert data["everything"]["totalCount"] == 2
    assert _ids(data["everything"]) == {kept, gone}


AGGREGATES = """
query($org: ID!) {
  items(first: 1) { aggregate { count } }
  all: items(first: 1, includeArchived: true) { aggregate { count } }
  organization(id: $org) {
    items(first: 1) { totalCount aggregate { count } }
    everything: items(first: 1, includeArchived: true) { totalCount aggregate { count } }
  }
}"""


async def test_aggregates_count_what_their_list_lists(gql, factory):
    # given: two items, one archived
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    await factory.item(owner.user, org)
    gone = gid("Item", (await factory.item(owner.user, org)).id)
    await gql(_mutation(ENTITIES["item"], "Archive"), {"id": gone}, token=owner.token)
    # when
    body = await gql(AGGREGATES, {"org": gid("Organization", org.id)}, token=owner.token)
    # then: the archived row counts only with includeArchived, at the root and nested
    data = body["data"]
    assert (data["items"]["aggregate"]["count"], data["all"]["aggregate"]["count"]) == (1, 2)
    nested = data["organization"]
    assert nested["items"] == {"totalCount": 1, "aggregate": {"count": 1}}
    assert nested["everything"] == {"totalCount": 2, "aggregate": {"count": 2}}


ITEM_UPDATE = """
mutation($input: ItemUpdateInput!) {
  itemUpdate(input: $input) { __typename ... on Error { message code path } }
}"""
ITEM_CREATE = """
mutation($input: ItemCreateInput!) {
  itemCreate(input: $input) { __typename ... on Error { message code path } }
}"""
OBJECT_CREATE = """
mutation($input: DesignObjectCreateInput!) {
  designObjectCreate(input: $input) { __typename ... on Error { message code path } }
}"""
ITEM_DELETE = """
mutation($id: ID!) {
  itemDelete(input: {id: $id}) { __typename ... on Error { message code path } }
}"""


async def test_archived_item_cannot_be_changed_until_restored(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    item = gid("Item", (await factory.item(owner.user, org, title="Old")).id)
    await gql(_mutation(ENTITIES["item"], "Archive"), {"id": item}, token=owner.token)
    # when
    update = await gql(ITEM_UPDATE, {"input": {"id": item, "title": "New"}}, token=owner.token)
    delete = await gql(ITEM_DELETE, {"id": item}, token=owner.token)
    await gql(_mutation(ENTITIES["item"], "Restore"), {"id": item}, token=owner.token)
    again = await gql(ITEM_UPDATE, {"input": {"id": item, "title": "New"}}, token=owner.token)
    # then
    refused = {
        "__typename": "ConflictError",
        "message": "This Item is archived; restore it before changing it.",
        "code": "CONFLICT",
        "path": [],
    }
    assert update["data"]["itemUpdate"] == refused
    assert delete["data"]["itemDelete"] == refused
    assert again["data"]["itemUpdate"] == {"__typename": "ItemSuccess"}


async def test_nothing_inside_an_archived_organization_or_project_changes(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    project = await DesignFactory(factory.db).project(org, owner)
    item = gid("Item", (await factory.item(owner.user, org)).id)
    org_id, project_id = gid("Organization", org.id), gid("Project", project.id)
    await gql(_mutation(ENTITIES["project"], "Archive"), {"id": project_id}, token=owner.token)
    # when
    in_project = await gql(
        OBJECT_CREATE,
        {"input": {"project": project_id, "name": "A", "positionX": 0, "positionY": 0}},
        token=owner.token,
    )
    await gql(_mutation(ENTITIES["organization"], "Archive"), {"id": org_id}, token=owner.token)
    in_org = await gql(
        ITEM_CREATE, {"input": {"organization": org_id, "title": "x"}}, token=owner.token
    )
    item_update = await gql(ITEM_UPDATE, {"input": {"id": item, "title": "y"}}, token=owner.token)
    project_restore = await gql(
        _mutation(ENTITIES["project"], "Restore"), {"id": project_id}, token=owner.token
    )
    # then
    assert in_project["data"]["designObjectCreate"] == {
        "__typename": "ConflictError",
        "message": "Its Project is archived; restore it before changing anything in it.",
        "code": "CONFLICT",
        "path": [],
    }
    in_org_refusal = {
        "__typename": "ConflictError",
        "message": "Its Organization is archived; restore it before changing anything in it.",
        "code": "CONFLICT",
        "path": [],
    }
    assert in_org["data"]["itemCreate"] == in_org_refusal
    assert item_update["data"]["itemUpdate"] == in_org_refusal
    assert project_restore["data"]["projectRestore"] == in_org_refusal


@pytest.mark.parametrize(
    ("verb", "message"),
    [("Archive", "This Item is archived already."), ("Restore", "This Item is not archived.")],
)
async def test_archiving_twice_or_restoring_a_live_row_is_a_conflict(gql, factory, verb, message):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    item = gid("Item", (await factory.item(owner.user, org)).id)
    if verb == "Archive":
        await gql(_mutation(ENTITIES["item"], "Archive"), {"id": item}, token=owner.token)
    # when
    body = await gql(_mutation(ENTITIES["item"], verb), {"id": item}, token=owner.token)
    # then
    assert body["data"][f"item{verb}"] == {
        "__typename": "ConflictError",
        "message": message,
        "code": "CONFLICT",
        "path": [],
    }


@pytest.mark.parametrize(
    ("key", "role", "permission"),
    [
        ("item", "VIEWER", "item:update"),
        ("property", "VIEWER", "item:update"),
        ("client", "VIEWER", "item:update"),
        ("project", "VIEWER", "item:update"),
        ("organization", "EDITOR", "organization:update"),
    ],
)
async def test_archiving_needs_the_update_permission(gql, factory, key, role, permission):
    # given
    entity = ENTITIES[key]
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    weak = await factory.member(org, role)
    row = gid(entity.type_name, (await entity.make(factory, org, owner)).id)
    # when
    body = await gql(_mutation(entity, "Archive"), {"id": row}, token=weak.token)
    after = await gql(_lists(entity), {"id": row}, token=owner.token)
    # then
    payload = body["data"][f"{_lower(entity.type_name)}Archive"]
    assert payload["__typename"] == "PermissionDeniedError"
    assert payload["code"] == "PERMISSION_DENIED"
    assert after["data"]["node"] == {"id": row, "archivedAt": None}
    assert permission in payload["message"]


# ---------------------------------------------------------------------------------------------
# Soft-deleted rows: restored by OWNER/ADMIN within the retention window

DELETES = {
    "item": "itemDelete",
    "project": "projectDelete",
    "property": "propertyDelete",
    "client": "clientDelete",
    "organization": "organizationDelete",
}


def _delete(key: str) -> str:
    return f"""
mutation($id: ID!) {{ {DELETES[key]}(input: {{id: $id}}) {{ __typename }} }}"""


@pytest.mark.parametrize("key", ENTITIES.keys())
async def test_deleted_row_is_restored_by_an_admin(gql, factory, key):
    # given
    entity = ENTITIES[key]
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    admin = await factory.member(org, "ADMIN")
    row = gid(entity.type_name, (await entity.make(factory, org, owner)).id)
    deleted = await gql(_delete(key), {"id": row}, token=owner.token)
    assert deleted["data"][DELETES[key]]["__typename"].endswith("DeleteSuccess")
    # when
    body = await gql(_mutation(entity, "Restore"), {"id": row}, token=admin.token)
    after = await gql(_lists(entity), {"id": row}, token=admin.token)
    # then
    field = _lower(entity.type_name)
    assert body["data"][f"{field}Restore"] == {
        "__typename": f"{entity.type_name}Success",
        field: {"id": row, "archivedAt": None},
    }
    assert row in _ids(after["data"]["live"])


async def test_editor_cannot_restore_a_deleted_row(gql, factory):
    # given
    org = await factory.organization()
    editor = await factory.member(org, "EDITOR")
    item = gid("Item", (await factory.item(editor.user, org)).id)
    await gql(_delete("item"), {"id": item}, token=editor.token)
    # when
    body = await gql(_mutation(ENTITIES["item"], "Restore"), {"id": item}, token=editor.token)
    # then
    assert body["data"]["itemRestore"] == {
        "__typename": "PermissionDeniedError",
        "message": "Only OWNERs and ADMINs restore deleted objects.",
        "code": "PERMISSION_DENIED",
        "path": [],
    }


async def test_deleted_row_past_the_retention_window_is_not_found(gql, factory, db):
    # given: deleted 31 days ago (the window is 30 days)
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    row = await factory.item(owner.user, org)
    async with db.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE items SET deleted_at = now() - interval '31 days' WHERE id = :id"),
            {"id": row.id},
        )
    item = gid("Item", row.id)
    # when
    body = await gql(_mutation(ENTITIES["item"], "Restore"), {"id": item}, token=owner.token)
    # then
    assert body["data"]["itemRestore"] == {
        "__typename": "NotFoundError",
        "message": "Item not found.",
        "code": "NOT_FOUND",
        "path": ["id"],
    }


async def test_outsider_cannot_restore_a_deleted_row(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    stranger = await factory.member(await factory.organization(), "OWNER")
    org_id = gid("Organization", org.id)
    await gql(_delete("organization"), {"id": org_id}, token=owner.token)
    # when
    body = await gql(_mutation(ENTITIES["organization"], "Restore"), {"id": org_id},
                     token=stranger.token)  # fmt: skip
    # then
    assert body["data"]["organizationRestore"]["__typename"] == "NotFoundError"


HISTORY = """
query($id: ID!) {
  node(id: $id) { ... on Item { history(first: 5) { nodes { action fields { field old new } } } } }
}"""


async def test_archive_and_restore_are_recorded(gql, factory):
    # given
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    item = gid("Item", (await factory.item(owner.user, org)).id)
    archived = await gql(_mutation(ENTITIES["item"], "Archive"), {"id": item}, token=owner.token)
    await gql(_mutation(ENTITIES["item"], "Restore"), {"id": item}, token=owner.token)
    # when
    body = await gql(HISTORY, {"id": item}, token=owner.token)
    # then
    at = archived["data"]["itemArchive"]["item"]["archivedAt"]
    changes = body["data"]["node"]["history"]["nodes"]
    assert [c["action"] for c in changes] == ["UPDATE", "UPDATE"]
    assert [c["fields"][0]["field"] for c in changes] == ["archivedAt", "archivedAt"]
    assert changes[0]["fields"][0]["new"] is None
    assert changes[1]["fields"][0]["old"] is None
    assert changes[1]["fields"][0]["new"] is not None
    assert at is not None


EXPORT = """
mutation($p: ID!) {
  projectExport(input: {project: $p, format: JSON}) {
    __typename ... on ExportJobSuccess { exportJob { job { id } } } ... on Error { message }
  }
}"""
JOB_CANCEL = "mutation($id: ID!) { jobCancel(input: {id: $id}) { __typename } }"


async def test_an_archived_project_can_still_be_exported_and_its_job_cancelled(gql, factory):
    # given: jobs and exports change nothing in what they are about
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    design = DesignFactory(factory.db)
    row = await design.project(org, owner)
    await design.member(row, owner)
    project = gid("Project", row.id)
    await gql(_mutation(ENTITIES["project"], "Archive"), {"id": project}, token=owner.token)
    # when
    exported = await gql(EXPORT, {"p": project}, token=owner.token)
    assert "exportJob" in exported["data"]["projectExport"], exported
    job = exported["data"]["projectExport"]["exportJob"]["job"]["id"]
    cancelled = await gql(JOB_CANCEL, {"id": job}, token=owner.token)
    # then
    assert exported["data"]["projectExport"]["__typename"] == "ExportJobSuccess"
    assert cancelled["data"]["jobCancel"] == {"__typename": "JobSuccess"}
