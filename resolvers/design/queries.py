"""The design domain's root query fields."""

from __future__ import annotations

import strawberry

from graph.kernel.fields import by_id, root_list
from graph.types.design import Project, ProjectConnection


@strawberry.type
class DesignQuery:
    project: Project | None = by_id(description="A design project you can see, by ID.")
    projects: ProjectConnection = root_list(
        description="Design projects you can see, across your organizations."
    )
