"""N+1 guard for the matrix editor's query: the whole matrix of a project (objects, their
relationships both ways with the objects at the other end, calls to action, attributes, and
the project's relationships) costs the same number of SQL statements for 5 and 50 objects;
the projects list with each project's objects and theirs, the same for 2 and 8 projects.

Both on the resolver path (one batched statement per list or by-id level) and on the
compiled path, where both queries compile into one statement (``read_path`` runs each test on
both)."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from sqlalchemy import insert

from models.design import (
    Attribute,
    CallToAction,
    DesignObject,
    Project,
    ProjectMember,
    Relationship,
)
from tests.factories import gid

AUTH = 1  # the bearer token, the user and their permissions, in one statement
STATEMENT = 1  # one batched statement per list or by-id level, all parents at once
WHOLE_QUERY = 1  # a compiled query: one statement builds the whole answer


@pytest.fixture
def app(read_path_app):
    """Every test here runs on both read paths."""
    return read_path_app


MATRIX = """
query Matrix($id: ID!, $first: Int!) {
  project(id: $id) {
    name
    objects(first: $first) {
      nodes {
        name positionX positionY
        outgoingRelationships(first: 10) { nodes { cardinality target { name } } }
        incomingRelationships(first: 10) { nodes { cardinality source { name } } }
        callsToAction(first: 10) { nodes { name priority } }
        attributes(first: 10) { nodes { name dataType defaultValue } }
      }
    }
    relationships(first: $first) { nodes { source { name } target { name } } }
  }
}
"""
# resolvers: project by id, its objects page, the outgoing / incoming / calls to action /
# attributes pages of every object, the project's relationships page, and the objects at the
# ends of the relationships by id: one statement, as the relationships form a cycle, so
# whichever of the three lists (outgoing targets, incoming sources, the project
# relationships' ends) comes back first asks the one by-id loader for every object, and the
# others hit its cache.
MATRIX_COST = {"compiled": AUTH + WHOLE_QUERY, "resolvers": AUTH + 8 * STATEMENT}


async def _matrices(factory, db, size: int, projects: int = 1) -> tuple[str, list[str]]:
    """``projects`` projects of one organization, whose VIEWER owns each and is its member;
    each of ``size`` objects, 10 per row, each related to the next (the last to the first),
    each with a call to action and an attribute. Returns (token, project IDs)."""
    org = await factory.organization()
    viewer = await factory.member(org, "VIEWER")
    project_ids = []
    async with db.sessions() as session, session.begin():
        for p in range(projects):
            project_id = await session.scalar(
                insert(Project)
                .values(organization_id=org.id, owner_id=viewer.user.id, name=f"Matrix {p}")
                .returning(Project.id)
            )
            project_ids.append(gid("Project", project_id))
            common = {"project_id": project_id, "organization_id": org.id}
            await session.execute(insert(ProjectMember).values(**common, user_id=viewer.user.id))
            stmt = insert(DesignObject).returning(DesignObject.id, sort_by_parameter_order=True)
            rows = [
                {**common, "name": f"Object {i}", "position_x": i % 10, "position_y": i // 10}
                for i in range(size)
            ]
            ids: list[uuid.UUID] = list((await session.scalars(stmt, rows)).all())
            cycle = itertools.pairwise([*ids, ids[0]])
            await session.execute(insert(Relationship), [
                {**common, "source_id": a, "target_id": b} for a, b in cycle
            ])  # fmt: skip
            await session.execute(insert(CallToAction), [
                {**common, "object_id": pk, "name": "Open"} for pk in ids
            ])  # fmt: skip
            await session.execute(insert(Attribute), [
                {**common, "object_id": pk, "name": "size", "default_value": "m"} for pk in ids
            ])  # fmt: skip
    return viewer.token, project_ids


async def _matrix(factory, db, size: int) -> tuple[str, str]:
    token, (project,) = await _matrices(factory, db, size)
    return token, project


@pytest.fixture
def measure(gql, counter):
    async def run(doc: str, variables: dict[str, Any], token: str) -> tuple[Any, int]:
        counter.reset()
        body = await gql(doc, variables, token=token)
        count = counter.count
        assert "errors" not in body, body
        return body["data"], count

    return run


async def test_whole_matrix_costs_the_same_for_5_and_50_objects(factory, db, measure, read_path):
    # given
    small_token, small_project = await _matrix(factory, db, 5)
    large_token, large_project = await _matrix(factory, db, 50)
    # when
    small, small_count = await measure(MATRIX, {"id": small_project, "first": 100}, small_token)
    large, large_count = await measure(MATRIX, {"id": large_project, "first": 100}, large_token)
    # then
    for data, n in ((small, 5), (large, 50)):
        objects = data["project"]["objects"]["nodes"]
        assert len(objects) == n
        assert len(data["project"]["relationships"]["nodes"]) == n
        assert all(o["callsToAction"]["nodes"] == [{"name": "Open", "priority": "MEDIUM"}]
                   for o in objects)  # fmt: skip
        assert all(o["attributes"]["nodes"][0]["defaultValue"] == "m" for o in objects)
        assert objects[1]["incomingRelationships"]["nodes"][0]["source"] == {"name": "Object 0"}
        last = {"name": f"Object {n - 1}"}
        assert objects[0]["incomingRelationships"]["nodes"][0]["source"] == last
        assert objects[0]["outgoingRelationships"]["nodes"][0]["target"] == {"name": "Object 1"}
    cost = MATRIX_COST[read_path]
    assert (small_count, large_count) == (cost, cost)


PROJECTS = """
query {
  projects(first: 20) {
    nodes {
      name
      owner { email }
      members(first: 5) { nodes { role user { email } } }
      objects(first: 10) {
        nodes {
          name
          attributes(first: 5) { nodes { name } }
          callsToAction(first: 5) { nodes { name } }
        }
      }
    }
  }
}
"""
# resolvers: the projects page, their owners by id, their members page, the members' users
# by id (the same user as the owners: one User by-id statement, whichever comes first), the
# objects of every project, and the attributes and calls to action of every object
PROJECTS_COST = {"compiled": AUTH + WHOLE_QUERY, "resolvers": AUTH + 6 * STATEMENT}


async def test_projects_with_objects_cost_the_same_for_2_and_8_projects(
    factory, db, measure, read_path
):
    # given
    small_token, _ = await _matrices(factory, db, 5, projects=2)
    large_token, _ = await _matrices(factory, db, 5, projects=8)
    # when
    small, small_count = await measure(PROJECTS, {}, small_token)
    large, large_count = await measure(PROJECTS, {}, large_token)
    # then
    for data, n in ((small, 2), (large, 8)):
        projects = data["projects"]["nodes"]
        assert len(projects) == n
        assert all(len(p["objects"]["nodes"]) == 5 for p in projects)
        assert all(p["owner"] and p["members"]["nodes"][0]["user"] == p["owner"] for p in projects)
        assert all(o["attributes"]["nodes"] == [{"name": "size"}]
                   for p in projects for o in p["objects"]["nodes"])  # fmt: skip
    cost = PROJECTS_COST[read_path]
    assert (small_count, large_count) == (cost, cost)
