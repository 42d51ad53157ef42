"""Archive and restore in the API: `<entity>Archive` / `<entity>Restore` for each aggregate
root that can be archived (models.base.ArchiveMixin). Their success types are each domain's
own (`ItemSuccess`...): the archived or restored node as it is now."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.types.accounts import OrganizationSuccess
from graph.types.catalog import ItemSuccess
from graph.types.design import ProjectSuccess
from graph.types.realty import ClientSuccess, PropertySuccess

ARCHIVE_ERRORS = (
    "NotFoundError: no such {noun} you can see; PermissionDeniedError: you may not change it; "
    "ConflictError: it is archived already, or what it belongs to is archived."
)
RESTORE_ERRORS = (
    "NotFoundError: no such {noun} you can see (a deleted one past the retention window is "
    "gone); PermissionDeniedError: you may not restore it; ConflictError: it is neither "
    "archived nor deleted, or what it belongs to is archived; ValidationError: restoring it "
    "would clash with a live one (a deleted organization's slug taken since)."
)


@strawberry.input(description="The organization to archive.")
class OrganizationArchiveInput:
    id: strawberry.ID = strawberry.field(description="The organization's ID.")


@strawberry.input(description="The archived or deleted organization to restore.")
class OrganizationRestoreInput:
    id: strawberry.ID = strawberry.field(description="The organization's ID.")


OrganizationArchivePayload = Annotated[
    OrganizationSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "OrganizationArchivePayload",
        description="The archived organization, or why not. "
        + ARCHIVE_ERRORS.format(noun="organization"),
    ),
]
OrganizationRestorePayload = Annotated[
    OrganizationSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "OrganizationRestorePayload",
        description="The restored organization, or why not. "
        + RESTORE_ERRORS.format(noun="organization"),
    ),
]


@strawberry.input(description="The item to archive.")
class ItemArchiveInput:
    id: strawberry.ID = strawberry.field(description="The item's ID.")


@strawberry.input(description="The archived or deleted item to restore.")
class ItemRestoreInput:
    id: strawberry.ID = strawberry.field(description="The item's ID.")


ItemArchivePayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "ItemArchivePayload",
        description="The archived item, or why not. " + ARCHIVE_ERRORS.format(noun="item"),
    ),
]
ItemRestorePayload = Annotated[
    ItemSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "ItemRestorePayload",
        description="The restored item, or why not. " + RESTORE_ERRORS.format(noun="item"),
    ),
]


@strawberry.input(description="The project to archive.")
class ProjectArchiveInput:
    id: strawberry.ID = strawberry.field(description="The project's ID.")


@strawberry.input(description="The archived or deleted project to restore.")
class ProjectRestoreInput:
    id: strawberry.ID = strawberry.field(description="The project's ID.")


ProjectArchivePayload = Annotated[
    ProjectSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "ProjectArchivePayload",
        description="The archived project, or why not. " + ARCHIVE_ERRORS.format(noun="project"),
    ),
]
ProjectRestorePayload = Annotated[
    ProjectSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "ProjectRestorePayload",
        description="The restored project, or why not. " + RESTORE_ERRORS.format(noun="project"),
    ),
]


@strawberry.input(description="The property to archive.")
class PropertyArchiveInput:
    id: strawberry.ID = strawberry.field(description="The property's ID.")


@strawberry.input(description="The archived or deleted property to restore.")
class PropertyRestoreInput:
    id: strawberry.ID = strawberry.field(description="The property's ID.")


PropertyArchivePayload = Annotated[
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "PropertyArchivePayload",
        description="The archived property, or why not. " + ARCHIVE_ERRORS.format(noun="property"),
    ),
]
PropertyRestorePayload = Annotated[
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "PropertyRestorePayload",
        description="The restored property, or why not. " + RESTORE_ERRORS.format(noun="property"),
    ),
]


@strawberry.input(description="The client to archive.")
class ClientArchiveInput:
    id: strawberry.ID = strawberry.field(description="The client's ID.")


@strawberry.input(description="The archived or deleted client to restore.")
class ClientRestoreInput:
    id: strawberry.ID = strawberry.field(description="The client's ID.")


ClientArchivePayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "ClientArchivePayload",
        description="The archived client, or why not. " + ARCHIVE_ERRORS.format(noun="client"),
    ),
]
ClientRestorePayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "ClientRestorePayload",
        description="The restored client, or why not. " + RESTORE_ERRORS.format(noun="client"),
    ),
]

__all__ = [
    "ClientArchiveInput",
    "ClientArchivePayload",
    "ClientRestoreInput",
    "ClientRestorePayload",
    "ItemArchiveInput",
    "ItemArchivePayload",
    "ItemRestoreInput",
    "ItemRestorePayload",
    "OrganizationArchiveInput",
    "OrganizationArchivePayload",
    "OrganizationRestoreInput",
    "OrganizationRestorePayload",
    "ProjectArchiveInput",
    "ProjectArchivePayload",
    "ProjectRestoreInput",
    "ProjectRestorePayload",
    "PropertyArchiveInput",
    "PropertyArchivePayload",
    "PropertyRestoreInput",
    "PropertyRestorePayload",
]
