"""Archive and restore the aggregate roots that can be archived (models.base.ArchiveMixin).

- `<entity>Archive` sets `archivedAt`: the row drops out of lists (unless a list is asked
  for `includeArchived: true`), stays readable by ID, and neither it nor anything inside it
  (an organization's rows, a project's matrix) can be changed until it is restored
  (resolvers.writes refuses with a `ConflictError`). Archiving needs what changing the row
  needs: its `ARCHIVABLE` entry's `may_change`.
- `<entity>Restore` clears `archivedAt` (the same permission), or un-deletes a soft-deleted
  row within the retention window (`TRELLIS_DELETED_RETENTION`): that needs OWNER or ADMIN of
  its organization (an item whose organization is gone: its owner). Past the window the row
  is purged by the hourly housekeeping task (graph/jobs/housekeeping.py) and is not found.

Both are recorded in the change history as updates of `archived_at` / `deleted_at`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import strawberry
from sqlalchemy import func, select

import models
from graph.context import Info
from graph.kernel.errors import Conflict, NotFound, PermissionDenied
from graph.kernel.ids import decode_id
from graph.settings import get_settings
from graph.types.accounts import Organization, OrganizationSuccess
from graph.types.archive import (
    ClientArchiveInput,
    ClientArchivePayload,
    ClientRestoreInput,
    ClientRestorePayload,
    ItemArchiveInput,
    ItemArchivePayload,
    ItemRestoreInput,
    ItemRestorePayload,
    OrganizationArchiveInput,
    OrganizationArchivePayload,
    OrganizationRestoreInput,
    OrganizationRestorePayload,
    ProjectArchiveInput,
    ProjectArchivePayload,
    ProjectRestoreInput,
    ProjectRestorePayload,
    PropertyArchiveInput,
    PropertyArchivePayload,
    PropertyRestoreInput,
    PropertyRestorePayload,
)
from graph.types.catalog import Item, ItemSuccess
from graph.types.design import Project, ProjectSuccess
from graph.types.realty import Client, ClientSuccess, Property, PropertySuccess
from loaders.base import to_node
from models.accounts import Membership, Role
from models.design import Project as ProjectModel
from models.realty import Client as ClientModel
from models.realty import Property as PropertyModel
from resolvers.design.access import require_edit
from resolvers.writes import Writer, mutate

# Restoring a deleted row needs at least this role rank in its organization (ADMIN).
RESTORE_RANK = 80


@dataclass(frozen=True, slots=True)
class Archivable:
    """An aggregate root that can be archived, and who may archive and restore it."""

    model: type[Any]
    type_name: str
    # Raises PermissionDenied unless the viewer may change the row (its update permission).
    may_change: Callable[[Writer, Any], Awaitable[None]]


async def _item(writer: Writer, item: models.Item) -> None:
    writer.require_on(item, "item:update")


async def _project(writer: Writer, project: ProjectModel) -> None:
    await require_edit(writer, project.organization_id, project.id)


async def _realty(writer: Writer, row: PropertyModel | ClientModel) -> None:
    writer.require("item:update", row.organization_id)


async def _organization(writer: Writer, org: models.Organization) -> None:
    writer.require("organization:update", org.id)


ORGANIZATION = Archivable(models.Organization, "Organization", _organization)
ITEM = Archivable(models.Item, "Item", _item)
PROJECT = Archivable(ProjectModel, "Project", _project)
PROPERTY = Archivable(PropertyModel, "Property", _realty)
CLIENT = Archivable(ClientModel, "Client", _realty)


# ---------------------------------------------------------------------------------------------
# Ops


async def archive(writer: Writer, kind: Archivable, *, id: str) -> Any:
    row = await writer.get(kind.model, id, type_name=kind.type_name)
    await kind.may_change(writer, row)
    if row.archived_at is not None:
        raise Conflict(f"This {kind.type_name} is archived already.")
    return await writer.update(row, {"archived_at": datetime.now(UTC)})


async def restore(writer: Writer, kind: Archivable, *, id: str) -> Any:
    """Un-archive a live row, or un-delete a soft-deleted one within the retention window."""
    try:
        row = await writer.get(kind.model, id, type_name=kind.type_name)
    except NotFound:
        return await _undelete(writer, kind, id)
    await kind.may_change(writer, row)
    if row.archived_at is None:
        raise Conflict(f"This {kind.type_name} is not archived.")
    return await writer.update(row, {"archived_at": None})


async def _undelete(writer: Writer, kind: Archivable, global_id: str) -> Any:
    model = kind.model
    cutoff = datetime.now(UTC) - timedelta(seconds=get_settings().deleted_retention_seconds)
    stmt = (
        select(model)
        .where(
            model.id == decode_id(global_id, kind.type_name),
            model.deleted_at.is_not(None),
            model.deleted_at >= cutoff,
        )
        .with_for_update()
    )
    row = (await writer.session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound(kind.type_name, global_id, ("id",))
    organization_id = row.id if model is models.Organization else row.organization_id
    if organization_id is None:  # an item whose organization is gone: its owner's alone
        if row.owner_id != writer.viewer.user_id or not writer.viewer.may_write():
            raise NotFound(kind.type_name, global_id, ("id",))
    else:
        await _require_restore_rank(writer, organization_id, kind, global_id)
    return await writer.update(row, {"deleted_at": None})


async def _require_restore_rank(
    writer: Writer, organization_id: uuid.UUID, kind: Archivable, global_id: str
) -> None:
    """OWNER or ADMIN of the organization (read from the membership itself: the viewer's
    roles cover live organizations only, and a deleted organization is not one)."""
    viewer = writer.viewer
    if viewer.is_superuser and viewer.may_write():
        return
    rank = await writer.session.scalar(
        select(func.max(Role.rank))
        .join(Membership, Membership.role_id == Role.id)
        .where(Membership.user_id == viewer.user_id, Membership.organization_id == organization_id)
    )
    if rank is None:  # not a member: the row is not theirs to know of
        raise NotFound(kind.type_name, global_id, ("id",))
    if rank < RESTORE_RANK or not viewer.may_write():
        raise PermissionDenied(
            "organization:update", "Only OWNERs and ADMINs restore deleted objects."
        )


INPUT = strawberry.argument(description="What to change: see the input type.")


# ---------------------------------------------------------------------------------------------
# GraphQL


def _organization_success(row: Any) -> OrganizationSuccess:
    return OrganizationSuccess(organization=to_node(Organization, row))


def _item_success(row: Any) -> ItemSuccess:
    return ItemSuccess(item=to_node(Item, row))


def _project_success(row: Any) -> ProjectSuccess:
    return ProjectSuccess(project=to_node(Project, row))


def _property_success(row: Any) -> PropertySuccess:
    return PropertySuccess(property=to_node(Property, row))


def _client_success(row: Any) -> ClientSuccess:
    return ClientSuccess(client=to_node(Client, row))


@strawberry.type
class ArchiveMutation:
    @strawberry.mutation(
        description="Archive an organization (OWNER, ADMIN: `organization:update`): it leaves "
        "`organizations` lists and nothing in it can be changed until it is restored."
    )
    async def organization_archive(
        self, info: Info, input: Annotated[OrganizationArchiveInput, INPUT]
    ) -> OrganizationArchivePayload:
        return await mutate(
            info, lambda w: archive(w, ORGANIZATION, id=input.id), _organization_success
        )

    @strawberry.mutation(
        description="Restore an archived organization (OWNER, ADMIN), or a deleted one within "
        "the retention window (OWNER, ADMIN of it). Items that left with their owners when it "
        "was deleted stay theirs."
    )
    async def organization_restore(
        self, info: Info, input: Annotated[OrganizationRestoreInput, INPUT]
    ) -> OrganizationRestorePayload:
        return await mutate(
            info, lambda w: restore(w, ORGANIZATION, id=input.id), _organization_success
        )

    @strawberry.mutation(
        description="Archive an item (EDITOR+: `item:update`, or its owner once its "
        "organization is gone)."
    )
    async def item_archive(
        self, info: Info, input: Annotated[ItemArchiveInput, INPUT]
    ) -> ItemArchivePayload:
        return await mutate(info, lambda w: archive(w, ITEM, id=input.id), _item_success)

    @strawberry.mutation(
        description="Restore an archived item (EDITOR+), or a deleted one within the "
        "retention window (OWNER, ADMIN)."
    )
    async def item_restore(
        self, info: Info, input: Annotated[ItemRestoreInput, INPUT]
    ) -> ItemRestorePayload:
        return await mutate(info, lambda w: restore(w, ITEM, id=input.id), _item_success)

    @strawberry.mutation(
        description="Archive a design project (who may edit it: `item:update` and not a "
        "project VIEWER); its matrix cannot be changed until it is restored."
    )
    async def project_archive(
        self, info: Info, input: Annotated[ProjectArchiveInput, INPUT]
    ) -> ProjectArchivePayload:
        return await mutate(info, lambda w: archive(w, PROJECT, id=input.id), _project_success)

    @strawberry.mutation(
        description="Restore an archived project (who may edit it), or a deleted one within "
        "the retention window (OWNER, ADMIN)."
    )
    async def project_restore(
        self, info: Info, input: Annotated[ProjectRestoreInput, INPUT]
    ) -> ProjectRestorePayload:
        return await mutate(info, lambda w: restore(w, PROJECT, id=input.id), _project_success)

    @strawberry.mutation(description="Archive a property (EDITOR+: `item:update`).")
    async def property_archive(
        self, info: Info, input: Annotated[PropertyArchiveInput, INPUT]
    ) -> PropertyArchivePayload:
        return await mutate(info, lambda w: archive(w, PROPERTY, id=input.id), _property_success)

    @strawberry.mutation(
        description="Restore an archived property (EDITOR+), or a deleted one within the "
        "retention window (OWNER, ADMIN)."
    )
    async def property_restore(
        self, info: Info, input: Annotated[PropertyRestoreInput, INPUT]
    ) -> PropertyRestorePayload:
        return await mutate(info, lambda w: restore(w, PROPERTY, id=input.id), _property_success)

    @strawberry.mutation(description="Archive a client (EDITOR+: `item:update`).")
    async def client_archive(
        self, info: Info, input: Annotated[ClientArchiveInput, INPUT]
    ) -> ClientArchivePayload:
        return await mutate(info, lambda w: archive(w, CLIENT, id=input.id), _client_success)

    @strawberry.mutation(
        description="Restore an archived client (EDITOR+), or a deleted one within the "
        "retention window (OWNER, ADMIN)."
    )
    async def client_restore(
        self, info: Info, input: Annotated[ClientRestoreInput, INPUT]
    ) -> ClientRestorePayload:
        return await mutate(info, lambda w: restore(w, CLIENT, id=input.id), _client_success)
