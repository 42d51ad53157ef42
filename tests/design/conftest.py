"""Design fixtures: async factories for projects and their matrix, and a studio to start from
(one organization, a member of each built-in role, one project)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest

import models
from graph.database import Database
from models.design import (
    Attribute,
    CallToAction,
    DesignObject,
    Project,
    ProjectMember,
    ProjectRole,
    Relationship,
)
from tests.conftest import row_count
from tests.factories import Factory, Member, gid

_seq = itertools.count(1)

# The fields every mutation test reads from a payload.
PAYLOAD_ERRORS = """
    ... on Error { message code path }
    ... on ValidationError { fields { path code } }
    ... on NotFoundError { id }
    ... on PermissionDeniedError { permission }
"""

DESIGN_TABLES = (
    "projects",
    "project_members",
    "design_objects",
    "design_relationships",
    "calls_to_action",
    "design_attributes",
)


class DesignFactory:
    """Rows inserted directly, for the state a test starts from."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _add(self, obj: Any) -> Any:
        async with self.db.sessions() as session, session.begin():
            session.add(obj)
        return obj

    async def project(
        self, organization: models.Organization, owner: Member | None = None, **overrides: Any
    ) -> Project:
        values: dict[str, Any] = {
            "organization_id": organization.id,
            "owner_id": owner.user.id if owner else None,
            "name": f"Project {next(_seq)}",
        }
        values.update(overrides)
        project: Project = await self._add(Project(**values))
        return project

    async def member(
        self, project: Project, user: Member, role: ProjectRole = ProjectRole.EDITOR
    ) -> ProjectMember:
        member: ProjectMember = await self._add(
            ProjectMember(
                project_id=project.id,
                organization_id=project.organization_id,
                user_id=user.user.id,
                role=role,
            )
        )
        return member

    async def object(self, project: Project, x: int, y: int, **overrides: Any) -> DesignObject:
        values: dict[str, Any] = {
            "project_id": project.id,
            "organization_id": project.organization_id,
            "name": f"Object {next(_seq)}",
            "position_x": x,
            "position_y": y,
        }
        values.update(overrides)
        obj: DesignObject = await self._add(DesignObject(**values))
        return obj

    async def relationship(
        self, source: DesignObject, target: DesignObject, **overrides: Any
    ) -> Relationship:
        values: dict[str, Any] = {
            "project_id": source.project_id,
            "organization_id": source.organization_id,
            "source_id": source.id,
            "target_id": target.id,
        }
        values.update(overrides)
        rel: Relationship = await self._add(Relationship(**values))
        return rel

    async def call_to_action(self, obj: DesignObject, **overrides: Any) -> CallToAction:
        values: dict[str, Any] = {
            "object_id": obj.id,
            "project_id": obj.project_id,
            "organization_id": obj.organization_id,
            "name": f"Action {next(_seq)}",
        }
        values.update(overrides)
        cta: CallToAction = await self._add(CallToAction(**values))
        return cta

    async def attribute(self, obj: DesignObject, **overrides: Any) -> Attribute:
        values: dict[str, Any] = {
            "object_id": obj.id,
            "project_id": obj.project_id,
            "organization_id": obj.organization_id,
            "name": f"attribute_{next(_seq)}",
        }
        values.update(overrides)
        attribute: Attribute = await self._add(Attribute(**values))
        return attribute


@dataclass
class Studio:
    """One organization with a member of each built-in role, and a project owned by the
    organization's OWNER (who is its project OWNER member)."""

    org: models.Organization
    owner: Member
    admin: Member
    editor: Member
    viewer: Member
    project: Project

    @property
    def org_id(self) -> str:
        return gid("Organization", self.org.id)

    @property
    def project_id(self) -> str:
        return gid("Project", self.project.id)


@pytest.fixture
def design(db: Database) -> DesignFactory:
    return DesignFactory(db)


@pytest.fixture
async def studio(factory: Factory, design: DesignFactory) -> Studio:
    org = await factory.organization(name="Studio", slug="studio")
    owner = await factory.member(org, "OWNER")
    project = await design.project(org, owner, name="Bookstore")
    await design.member(project, owner, ProjectRole.OWNER)
    return Studio(
        org=org,
        owner=owner,
        admin=await factory.member(org, "ADMIN"),
        editor=await factory.member(org, "EDITOR"),
        viewer=await factory.member(org, "VIEWER"),
        project=project,
    )


async def design_rows(db: Database) -> dict[str, int]:
    """How many rows each design table holds."""
    return {t: await row_count(db, t) for t in DESIGN_TABLES}


def refused(typename: str, code: str, **fields: Any) -> dict[str, Any]:
    return {"__typename": typename, "code": code, **fields}


def invalid(path: list[str], code: str) -> dict[str, Any]:
    """A ValidationError about one field."""
    return refused(
        "ValidationError", "VALIDATION", path=path, fields=[{"path": path, "code": code}]
    )


def denied(permission: str) -> dict[str, Any]:
    return refused("PermissionDeniedError", "PERMISSION_DENIED", path=[], permission=permission)


def not_found(path: list[str], global_id: str) -> dict[str, Any]:
    return refused("NotFoundError", "NOT_FOUND", path=path, id=global_id)


def conflict(path: list[str] | None = None) -> dict[str, Any]:
    return refused("ConflictError", "CONFLICT", path=path or [])


def without_message(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "message"}


def mutation(name: str, input_type: str, success: str) -> str:
    """A mutation document selecting the success member's ``success`` fields and every
    error member's details."""
    return f"""
mutation($input: {input_type}!) {{
  {name}(input: $input) {{
    __typename
    {success}
    {PAYLOAD_ERRORS}
  }}
}}
"""
