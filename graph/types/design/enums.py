"""The design domain's enums in the API, and the filters on them."""

from __future__ import annotations

import strawberry

from graph.kernel.filters import EnumFilter
from models.design import (
    AttributeDataType,
    CallToActionPriority,
    Cardinality,
    ProjectRole,
    ProjectStatus,
)

strawberry.enum(ProjectStatus, description="Where a project is in its life.")
strawberry.enum(
    ProjectRole,
    description="A member's role in one project. It narrows the organization role, never "
    "widens it: VIEWER cannot change the project; OWNER also manages its members.",
)
strawberry.enum(Cardinality, description="How many targets relate to how many sources.")
strawberry.enum(CallToActionPriority, description="How urgent a call to action is.")
strawberry.enum(
    AttributeDataType,
    description="An attribute's type; its default value and validation rules must fit it.",
)

ProjectStatusFilter = EnumFilter[ProjectStatus]
ProjectRoleFilter = EnumFilter[ProjectRole]
CardinalityFilter = EnumFilter[Cardinality]
CallToActionPriorityFilter = EnumFilter[CallToActionPriority]
AttributeDataTypeFilter = EnumFilter[AttributeDataType]
