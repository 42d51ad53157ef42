"""Reading projects: the root list, by ID, an organization's projects and a project's members;
filters, ordering and pagination."""

from __future__ import annotations

import pytest

from models.design import ProjectRole, ProjectStatus
from tests.design.conftest import DesignFactory, Studio
from tests.factories import Factory, gid

PROJECTS = """
query Projects($filter: ProjectFilter, $orderBy: [ProjectOrder!], $first: Int, $after: String) {
  projects(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name status }
  }
}
"""

PROJECT = """
query Project($id: ID!) {
  project(id: $id) {
    id name description status settings createdAt updatedAt
    organization { id }
    owner { id }
    members { totalCount nodes { role user { id } project { id } } }
  }
}
"""

ORGANIZATION_PROJECTS = """
query OrganizationProjects($id: ID!, $filter: ProjectFilter) {
  node(id: $id) {
    ... on Organization { projects(filter: $filter) { totalCount nodes { name } } }
  }
}
"""

MEMBERS = """
query Members($id: ID!, $filter: ProjectMemberFilter, $orderBy: [ProjectMemberOrder!]) {
  project(id: $id) {
    members(filter: $filter, orderBy: $orderBy) { nodes { role user { id } } }
  }
}
"""


@pytest.fixture
async def three(studio: Studio, design: DesignFactory) -> Studio:
    """The studio's Bookstore (draft) plus Atlas (active) and Zephyr (archived)."""
    await design.project(studio.org, studio.owner, name="Atlas", status=ProjectStatus.ACTIVE)
    await design.project(studio.org, studio.editor, name="Zephyr", status=ProjectStatus.ARCHIVED)
    return studio


async def test_project_by_id(gql, studio, design):
    # given
    await design.member(studio.project, studio.viewer, ProjectRole.VIEWER)
    # when
    body = await gql(PROJECT, {"id": studio.project_id}, token=studio.viewer.token)
    # then
    project = body["data"]["project"]
    assert project["name"] == "Bookstore"
    assert (project["description"], project["status"], project["settings"]) == (
        None,
        "DRAFT",
        {},
    )
    assert project["organization"] == {"id": studio.org_id}
    assert project["owner"] == {"id": studio.owner.id}
    assert project["members"] == {
        "totalCount": 2,
        "nodes": [
            {"role": "OWNER", "user": {"id": studio.owner.id}, "project": {"id": project["id"]}},
            {"role": "VIEWER", "user": {"id": studio.viewer.id}, "project": {"id": project["id"]}},
        ],
    }


async def test_projects_lists_every_project_of_the_viewers_organizations(gql, three):
    # when
    body = await gql(PROJECTS, token=three.viewer.token)
    # then
    projects = body["data"]["projects"]
    assert projects["totalCount"] == 3
    assert [n["name"] for n in projects["nodes"]] == ["Bookstore", "Atlas", "Zephyr"]


@pytest.mark.parametrize(
    ("flt", "names"),
    [
        pytest.param({"status": {"eq": "ACTIVE"}}, ["Atlas"], id="status-eq"),
        pytest.param(
            {"status": {"in": ["DRAFT", "ARCHIVED"]}}, ["Bookstore", "Zephyr"], id="status-in"
        ),
        pytest.param({"status": {"ne": "DRAFT"}}, ["Atlas", "Zephyr"], id="status-ne"),
        pytest.param({"name": {"startsWith": "a"}}, ["Atlas"], id="name-starts-with"),
        pytest.param({"not": {"name": {"contains": "K"}}}, ["Atlas", "Zephyr"], id="not"),
        pytest.param(
            {"or": [{"name": {"eq": "Zephyr"}}, {"status": {"eq": "ACTIVE"}}]},
            ["Atlas", "Zephyr"],
            id="or",
        ),
    ],
)
async def test_projects_filter(gql, three, flt, names):
    # when
    body = await gql(PROJECTS, {"filter": flt}, token=three.owner.token)
    # then
    projects = body["data"]["projects"]
    assert sorted(n["name"] for n in projects["nodes"]) == sorted(names)
    assert projects["totalCount"] == len(names)


async def test_projects_filter_by_owner(gql, three):
    # when
    body = await gql(
        PROJECTS, {"filter": {"owner": {"eq": three.editor.id}}}, token=three.owner.token
    )
    # then
    assert [n["name"] for n in body["data"]["projects"]["nodes"]] == ["Zephyr"]


@pytest.mark.parametrize(
    ("order", "names"),
    [
        pytest.param([{"field": "NAME"}], ["Atlas", "Bookstore", "Zephyr"], id="name"),
        pytest.param(
            [{"field": "NAME", "direction": "DESC"}],
            ["Zephyr", "Bookstore", "Atlas"],
            id="name-desc",
        ),
        pytest.param(
            [{"field": "STATUS", "direction": "DESC"}],
            ["Zephyr", "Atlas", "Bookstore"],
            id="status",
        ),
    ],
)
async def test_projects_order(gql, three, order, names):
    # when
    body = await gql(PROJECTS, {"orderBy": order}, token=three.owner.token)
    # then
    assert [n["name"] for n in body["data"]["projects"]["nodes"]] == names


@pytest.mark.parametrize("field", ["NAME", "STATUS"])
async def test_projects_paginate_with_cursors(gql, three, field):
    # given
    order = [{"field": field}]
    seen: list[str] = []
    after = None
    # when
    for _ in range(3):
        body = await gql(
            PROJECTS, {"orderBy": order, "first": 1, "after": after}, token=three.owner.token
        )
        page = body["data"]["projects"]
        seen += [n["name"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
    # then
    everything = await gql(PROJECTS, {"orderBy": order}, token=three.owner.token)
    assert seen == [n["name"] for n in everything["data"]["projects"]["nodes"]]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_organization_projects(gql, three):
    # when
    body = await gql(
        ORGANIZATION_PROJECTS,
        {"id": three.org_id, "filter": {"status": {"ne": "ARCHIVED"}}},
        token=three.viewer.token,
    )
    # then
    assert body["data"]["node"]["projects"] == {
        "totalCount": 2,
        "nodes": [{"name": "Bookstore"}, {"name": "Atlas"}],
    }


async def test_deleted_project_is_hidden(gql, db, three, design):
    # given
    zephyr = await design.project(three.org, None, name="Gone", deleted_at=_now())
    # when
    body = await gql(PROJECTS, token=three.owner.token)
    by_id = await gql(PROJECT, {"id": gid("Project", zephyr.id)}, token=three.owner.token)
    # then
    assert "Gone" not in [n["name"] for n in body["data"]["projects"]["nodes"]]
    assert by_id == {"data": {"project": None}}


async def test_members_filter_and_order(gql, studio, design, factory: Factory):
    # given
    await design.member(studio.project, studio.viewer, ProjectRole.VIEWER)
    await design.member(studio.project, studio.editor, ProjectRole.EDITOR)
    # when
    viewers = await gql(
        MEMBERS,
        {"id": studio.project_id, "filter": {"role": {"eq": "VIEWER"}}},
        token=studio.owner.token,
    )
    by_role = await gql(
        MEMBERS,
        {"id": studio.project_id, "orderBy": [{"field": "ROLE", "direction": "DESC"}]},
        token=studio.owner.token,
    )
    # then
    assert viewers["data"]["project"]["members"]["nodes"] == [
        {"role": "VIEWER", "user": {"id": studio.viewer.id}}
    ]
    assert [n["role"] for n in by_role["data"]["project"]["members"]["nodes"]] == [
        "VIEWER",
        "EDITOR",
        "OWNER",
    ]


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
