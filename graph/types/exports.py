"""Design-project exports in the API: the `ExportJob` node, its connection, filter and
order, and the `projectExport` input and payload."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph.kernel.errors import NotFoundError, PermissionDeniedError, ValidationError
from graph.kernel.fields import to_one
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    OrderBy,
    by,
    entity_filter,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import Organization, User
from graph.types.design import Project
from graph.types.files import FileAsset
from graph.types.jobs import Job
from loaders.paging import OrderTerm
from models.exports import ExportFormat
from models.exports import ExportJob as ExportJobModel

# Each format's description, as its enum value's in the SDL.
FORMAT_DESCRIPTIONS = {
    "JSON": "One JSON document: the project, its objects, relationships, calls to action and "
    "attributes (application/json).",
    "CSV": "A zip of one CSV per entity: objects.csv, relationships.csv, calls_to_action.csv, "
    "attributes.csv (application/zip).",
    "MARKDOWN": "A readable report of the matrix: a summary, then a table per entity "
    "(text/markdown).",
    "GRAPHML": "The relationship graph (objects as nodes, relationships as directed edges) in "
    "GraphML; loads in networkx and yEd (application/graphml+xml).",
}
strawberry.enum(ExportFormat, description="What an export writes.")
for _value in ExportFormat.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = FORMAT_DESCRIPTIONS[_value.name]
ExportFormatFilter = EnumFilter[ExportFormat]


@node_type
@strawberry.type(
    description="An export of a design project to a file, written by a `trellis worker` "
    "process. Its status and progress are its `job`'s; the file is `resultFile` once it "
    "succeeded."
)
class ExportJob(Node):
    __model__ = ExportJobModel

    project_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    job_id: strawberry.Private[uuid.UUID]
    requested_by_id: strawberry.Private[uuid.UUID | None]
    result_file_id: strawberry.Private[uuid.UUID | None]
    export_type: str = strawberry.field(
        description="What is exported: `project` (the whole project)."
    )
    format: ExportFormat = strawberry.field(description="The file's format.")
    parameters: JSON = strawberry.field(description="What the export was asked to do.")
    error: str | None = strawberry.field(
        description="Why the export failed for good (its job's last error); null otherwise."
    )
    completed_at: datetime | None = strawberry.field(
        description="When the file was written; null until then."
    )
    created_at: datetime = strawberry.field(description="When the export was asked for.")
    updated_at: datetime = strawberry.field(description="When the row last changed.")

    project: Project | None = to_one("project_id", description="The exported project.")
    organization: Organization | None = to_one(
        "organization_id", description="The project's organization."
    )
    job: Job | None = to_one(
        "job_id",
        description="The background job writing the export: its status (QUEUED, RUNNING, "
        "SUCCEEDED, FAILED, CANCELLED), progress, attempts and timestamps.",
    )
    requested_by: User | None = to_one(
        "requested_by_id",
        description="Who asked for the export; null if you cannot see them (or they are gone).",
    )
    result_file: FileAsset | None = to_one(
        "result_file_id",
        description="The exported file (download it by its `url`); null until the export "
        "succeeded, or once the file was deleted.",
    )


@strawberry.input(description="Filter exports; all given conditions must hold.")
@entity_filter
class ExportJobFilter(EntityFilter):
    id: IDFilter | None = on(ExportJobModel.id, ref="ExportJob", description="The export's ID.")
    project: IDFilter | None = on(
        ExportJobModel.project_id, ref="Project", description="The exported project."
    )
    requested_by: IDFilter | None = on(
        ExportJobModel.requested_by_id, ref="User", description="Who asked for it."
    )
    format: ExportFormatFilter | None = on(ExportJobModel.format, description="The format.")
    created_at: DateTimeFilter | None = on(
        ExportJobModel.created_at, description="When it was asked for."
    )
    completed_at: DateTimeFilter | None = on(
        ExportJobModel.completed_at, description="`{isNull: true}`: no file yet."
    )


@strawberry.enum(description="Fields exports can be ordered by. NULLs sort last.")
class ExportJobOrderField(enum.Enum):
    CREATED_AT = strawberry.enum_value(
        by(ExportJobModel.created_at), description="When it was asked for."
    )
    COMPLETED_AT = strawberry.enum_value(
        by(ExportJobModel.completed_at), description="When its file was written."
    )


@strawberry.input(description="One ordering term for exports.")
class ExportJobOrder(OrderBy[ExportJobOrderField]):
    pass


@strawberry.type(description="A page of exports.")
class ExportJobConnection(
    Connection[ExportJob],
    filter=ExportJobFilter,
    order=ExportJobOrder,
    default_order=OrderTerm(ExportJobModel.created_at, descending=True),
):
    pass


# ---------------------------------------------------------------------------------------------
# Mutation input and payload


@strawberry.input(
    description="Export a design project to a file, in the background. Any project member "
    "may export (a project VIEWER too); follow the export's `job` with `nodeChanged(id:)`."
)
class ProjectExportInput:
    project: strawberry.ID = strawberry.field(description="The project to export.")
    format: ExportFormat = strawberry.field(description="The file's format.")
    include_descriptions: bool = strawberry.field(
        default=True,
        description="Include descriptions, user stories and acceptance criteria (false: "
        "names and structure only).",
    )
    batch_size: int = strawberry.field(
        default=500, description="Rows read per step (one progress report each): 1-5000."
    )
    pause_milliseconds: int = strawberry.field(
        default=0, description="A pause after each step, 0-10000 (to pace a large export)."
    )


@strawberry.type(description="The export, as the mutation left it (queued).")
class ExportJobSuccess:
    export_job: ExportJob = strawberry.field(description="The queued export.")


ProjectExportPayload = Annotated[
    ExportJobSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union(
        "ProjectExportPayload",
        description="The queued export, or why not (PermissionDeniedError: not a member of "
        "the project, or a read-only credential; ValidationError: a parameter out of range; "
        "NotFoundError: no such project you can see). An unknown format is not an "
        "`ExportFormat`: the schema refuses it before the mutation runs.",
    ),
]
