"""The design domain's enums in the API, and the filters on them."""

from __future__ import annotations

from graph.kernel.enums import model_enum
from graph.kernel.filters import EnumFilter
from models.design import (
    AttributeDataType,
    CallToActionPriority,
    Cardinality,
    ProjectRole,
    ProjectStatus,
)

model_enum(
    ProjectStatus,
    "Where a project is in its life.",
    DRAFT="Being drafted.",
    ACTIVE="In use.",
    ARCHIVED="Kept for reference; still readable and writable.",
)
model_enum(
    ProjectRole,
    "A member's role in one project. It narrows the organization role, never widens it: "
    "VIEWER cannot change the project; OWNER also manages its members.",
    OWNER="Changes the project and manages its members.",
    EDITOR="Changes the project's matrix (if the organization role allows writing).",
    VIEWER="Reads the project only, whatever the organization role.",
)
model_enum(
    Cardinality,
    "How many targets relate to how many sources.",
    ONE_TO_ONE="Each source relates to one target, and each target to one source.",
    ONE_TO_MANY="Each source relates to many targets.",
    MANY_TO_ONE="Many sources relate to each target.",
    MANY_TO_MANY="Sources and targets relate in any number.",
)
model_enum(
    CallToActionPriority,
    "How urgent a call to action is.",
    LOW="Whenever there is time.",
    MEDIUM="The default.",
    HIGH="Before the medium and low ones.",
    CRITICAL="Blocks other work: first.",
)
model_enum(
    AttributeDataType,
    "An attribute's type; its default value and validation rules must fit it.",
    STRING="Text; `minLength`, `maxLength` and `pattern` apply.",
    INTEGER="A whole number; `min` and `max` apply.",
    NUMBER="A number, decimals allowed; `min` and `max` apply.",
    BOOLEAN="`true` or `false`.",
    DATE="A calendar date, `YYYY-MM-DD`.",
    ENUM="One of `choices` (which must be given).",
)

ProjectStatusFilter = EnumFilter[ProjectStatus]
ProjectRoleFilter = EnumFilter[ProjectRole]
CardinalityFilter = EnumFilter[Cardinality]
CallToActionPriorityFilter = EnumFilter[CallToActionPriority]
AttributeDataTypeFilter = EnumFilter[AttributeDataType]
