"""Who may change a design project; every op of resolvers.design checks through here.

- content (the project itself, its objects, relationships, calls to action, attributes):
  the organization's content permission the catalog uses, `item:update` (`item:create` /
  `item:delete` to create / delete a project; EDITOR and up), and not being a project VIEWER
  member: a project role narrows the organization role, never widens it;
- members: the organization permission to manage people, `membership:update` (OWNER,
  ADMIN), or being a project OWNER member who may edit the project.

Projects are organization content like items, so they share the built-in roles' content
permissions rather than adding their own.
"""

from __future__ import annotations

import uuid

from graph.kernel.errors import PermissionDenied
from models.design import ProjectMember, ProjectRole
from resolvers.writes import Writer

CREATE, UPDATE, DELETE, MANAGE = "item:create", "item:update", "item:delete", "membership:update"


async def project_role(writer: Writer, project_id: uuid.UUID) -> ProjectRole | None:
    """The viewer's role in a project, if they are a member of it."""
    member = await writer.session.scalar(
        writer.visible(ProjectMember).where(
            ProjectMember.project_id == project_id,
            ProjectMember.user_id == writer.viewer.user_id,
        )
    )
    return member.role if member is not None else None


async def require_edit(
    writer: Writer, organization_id: uuid.UUID, project_id: uuid.UUID, permission: str = UPDATE
) -> None:
    """The organization permission, and not a project VIEWER member."""
    writer.require(permission, organization_id)
    if await project_role(writer, project_id) is ProjectRole.VIEWER:
        raise PermissionDenied(permission, "Project viewers cannot change this project.")


async def require_manage(writer: Writer, organization_id: uuid.UUID, project_id: uuid.UUID) -> None:
    """Organization OWNER/ADMIN (`membership:update`), or a project OWNER who may edit."""
    if writer.viewer.can(MANAGE, organization_id):
        return
    if (
        writer.viewer.can(UPDATE, organization_id)
        and await project_role(writer, project_id) is ProjectRole.OWNER
    ):
        return
    raise PermissionDenied(
        MANAGE, "Only project owners and organization admins manage project members."
    )
