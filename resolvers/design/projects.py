"""Ops on projects and their members."""

from __future__ import annotations

from typing import Any

import models
from graph.kernel.errors import NotFound
from graph.types.design import (
    ProjectCreateInput,
    ProjectMemberAddInput,
    ProjectMemberRoleChangeInput,
    ProjectUpdateInput,
)
from models.design import Project, ProjectMember, ProjectRole
from resolvers.design.access import CREATE, DELETE, require_edit, require_manage
from resolvers.design.checks import DESCRIPTION_MAX
from resolvers.validation import Checks, FieldChecks, json_object, optional_text, required, text
from resolvers.writes import UNIQUE_VIOLATIONS, Writer

UNIQUE_VIOLATIONS.update(
    {
        "project_members_project_id_user_id_key": (
            ("user",),
            "This user is a member of the project already.",
        ),
    }
)

PROJECT_FIELDS = FieldChecks(
    name=text(),
    description=optional_text(max_length=DESCRIPTION_MAX),
    status=required(),
    settings=json_object(),
)


async def create_project(writer: Writer, data: ProjectCreateInput) -> Project:
    org = await writer.get(
        models.Organization,
        data.organization,
        type_name="Organization",
        path=("organization",),
        lock=False,
    )
    writer.require(CREATE, org.id)
    checks = Checks()
    # Omitted (or null) settings on create are an empty object.
    settings: Any = {} if data.settings is None else data.settings
    values = PROJECT_FIELDS.create(checks, data, settings=settings)
    checks.done()
    project = await writer.create(
        Project(organization_id=org.id, owner_id=writer.viewer.user_id, **values)
    )
    if writer.viewer.user_id is not None:
        await writer.create(
            ProjectMember(
                project_id=project.id,
                organization_id=org.id,
                user_id=writer.viewer.user_id,
                role=ProjectRole.OWNER,
            )
        )
    return project


async def update_project(writer: Writer, data: ProjectUpdateInput) -> Project:
    project = await writer.get(Project, data.id, type_name="Project")
    await require_edit(writer, project.organization_id, project.id)
    checks = Checks()
    values = PROJECT_FIELDS.update(checks, data)
    checks.done()
    return await writer.update(project, values, seen_updated_at=data.updated_at)


async def delete_project(writer: Writer, *, id: str) -> None:
    project = await writer.get(Project, id, type_name="Project")
    await require_edit(writer, project.organization_id, project.id, DELETE)
    await writer.delete(project)


async def add_project_member(writer: Writer, data: ProjectMemberAddInput) -> ProjectMember:
    project = await writer.get(
        Project, data.project, type_name="Project", path=("project",), lock=False
    )
    await require_manage(writer, project.organization_id, project.id)
    checks = Checks()
    user_id = checks.id(["user"], data.user, "User")
    checks.done()
    # Only members of the project's organization can have a role in it.
    membership = await writer.session.scalar(
        writer.visible(models.Membership).where(
            models.Membership.user_id == user_id,
            models.Membership.organization_id == project.organization_id,
        )
    )
    if membership is None:
        raise NotFound("User", data.user, ("user",))
    return await writer.create(
        ProjectMember(
            project_id=project.id,
            organization_id=project.organization_id,
            user_id=user_id,
            role=data.role,
        )
    )


async def change_project_member_role(
    writer: Writer, data: ProjectMemberRoleChangeInput
) -> ProjectMember:
    member = await writer.get(ProjectMember, data.id, type_name="ProjectMember")
    await require_manage(writer, member.organization_id, member.project_id)
    return await writer.update(member, {"role": data.role}, seen_updated_at=data.updated_at)


async def remove_project_member(writer: Writer, *, id: str) -> None:
    member = await writer.get(ProjectMember, id, type_name="ProjectMember")
    await require_manage(writer, member.organization_id, member.project_id)
    await writer.delete(member)
