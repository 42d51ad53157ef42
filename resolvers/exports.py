"""Design-project exports: asking for one, reading them.

`projectExport` queues a `project.export` job exactly as `jobChangeCountStart` does
(`resolvers.jobs.enqueue`: the `Job` row and its queue row in the mutation's transaction)
and writes the `ExportJob` beside it. Any member of the project may export it, a project
VIEWER too (an export changes nothing of the project); a credential that may write is
needed (the export and its file are new rows). graph/jobs/exports.py writes the file.
"""

from __future__ import annotations

from typing import Any

import strawberry

from graph.context import Info
from graph.kernel.errors import MutationInput, PermissionDenied
from graph.kernel.fields import by_id, root_list
from graph.types.exports import (
    ExportJob,
    ExportJobConnection,
    ExportJobSuccess,
    ProjectExportInput,
    ProjectExportPayload,
)
from loaders.base import to_node
from models.design import Project
from models.exports import ExportJob as ExportJobModel
from resolvers.design.access import project_role
from resolvers.jobs import PROJECT_EXPORT, enqueue
from resolvers.validation import Checks, FieldChecks, in_range, required
from resolvers.writes import Writer, mutate

EXPORT_PERMISSION = "project:export"

EXPORT_FIELDS = FieldChecks(
    format=required(),
    batch_size=required(in_range(1, 5000)),
    pause_milliseconds=required(in_range(0, 10_000)),
)


async def export_project(writer: Writer, data: ProjectExportInput) -> ExportJobModel:
    project = await writer.get(
        Project, data.project, type_name="Project", path=("project",), lock=False
    )
    if not writer.viewer.may_write():
        raise PermissionDenied("write")
    if await project_role(writer, project.id) is None:
        raise PermissionDenied(EXPORT_PERMISSION, "Only members of the project may export it.")
    checks = Checks()
    values = EXPORT_FIELDS.create(checks, data)
    checks.done()
    parameters = {
        "project": data.project,
        "format": values["format"].value,
        "includeDescriptions": bool(data.include_descriptions),
        "batchSize": values["batch_size"],
        "pauseMilliseconds": values["pause_milliseconds"],
    }
    job = await enqueue(
        writer,
        organization_id=project.organization_id,
        kind=PROJECT_EXPORT,
        parameters=parameters,
    )
    return await writer.create(
        ExportJobModel(
            project_id=project.id,
            organization_id=project.organization_id,
            job_id=job.id,
            requested_by_id=writer.viewer.user_id,
            export_type="project",
            format=values["format"],
            parameters=parameters,
        )
    )


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class ExportsQuery:
    export: ExportJob | None = by_id(description="A project export you can see, by ID.")
    exports: ExportJobConnection = root_list(
        description="Project exports you can see, across your organizations, newest first."
    )


def _export(obj: Any) -> ExportJobSuccess:
    return ExportJobSuccess(export_job=to_node(ExportJob, obj))


@strawberry.type
class ExportsMutation:
    @strawberry.mutation(
        description="Export a design project to a file in the background: JSON, a zip of "
        "CSVs, a Markdown report or GraphML. Any project member may export (a project VIEWER "
        "too). Queued with this mutation's transaction; follow `exportJob.job` with "
        "`nodeChanged(id:)`, then download `exportJob.resultFile`."
    )
    async def project_export(
        self, info: Info, input: MutationInput[ProjectExportInput]
    ) -> ProjectExportPayload:
        return await mutate(info, lambda w: export_project(w, input), _export)
