"""Inputs of the design domain's mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

from models.design import (
    MATRIX_SIZE,
    AttributeDataType,
    CallToActionPriority,
    Cardinality,
    ProjectRole,
    ProjectStatus,
)

_SEEN = "The `updatedAt` you saw; refused with a conflict if the row changed since."


@strawberry.input(description="A new project in an organization; you become its owner member.")
class ProjectCreateInput:
    organization: strawberry.ID
    name: str = strawberry.field(description="1-200 characters.")
    description: str | None = None
    status: ProjectStatus = ProjectStatus.DRAFT
    settings: JSON | None = None


@strawberry.input(description="Change a project. Omitted fields stay as they are.")
class ProjectUpdateInput:
    id: strawberry.ID
    name: Maybe[str | None] = None
    description: Maybe[str | None] = None
    status: Maybe[ProjectStatus | None] = None
    settings: Maybe[JSON | None] = None
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete a project (soft: it and everything in it disappear).")
class ProjectDeleteInput:
    id: strawberry.ID


@strawberry.input(description="Give a member of the project's organization a project role.")
class ProjectMemberAddInput:
    project: strawberry.ID
    user: strawberry.ID
    role: ProjectRole = ProjectRole.EDITOR


@strawberry.input(description="Change a project member's role.")
class ProjectMemberRoleChangeInput:
    id: strawberry.ID
    role: ProjectRole
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Take a user's project role away (their organization role stays).")
class ProjectMemberRemoveInput:
    id: strawberry.ID


@strawberry.input(description="A new object in a free cell of a project's matrix.")
class DesignObjectCreateInput:
    project: strawberry.ID
    name: str = strawberry.field(description="1-200 characters.")
    position_x: int = strawberry.field(description=f"0 to {MATRIX_SIZE - 1}.")
    position_y: int = strawberry.field(description=f"0 to {MATRIX_SIZE - 1}.")
    description: str | None = None
    object_type: str = strawberry.field(default="entity", description="1-64 characters.")
    complexity: int = strawberry.field(default=1, description="1 to 10.")
    meta_data: JSON | None = None


@strawberry.input(
    description="Change an object. Omitted fields stay as they are; move it with "
    "`designObjectMove`."
)
class DesignObjectUpdateInput:
    id: strawberry.ID
    name: Maybe[str | None] = None
    description: Maybe[str | None] = None
    object_type: Maybe[str | None] = None
    complexity: Maybe[int | None] = None
    meta_data: Maybe[JSON | None] = None
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Move an object to another cell; refused if it is occupied.")
class DesignObjectMoveInput:
    id: strawberry.ID
    position_x: int
    position_y: int
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(
    description="Delete an object with its relationships (both directions), calls to "
    "action and attributes."
)
class DesignObjectDeleteInput:
    id: strawberry.ID


@strawberry.input(description="A relationship between two objects of the project.")
class RelationshipCreateInput:
    project: strawberry.ID
    source: strawberry.ID = strawberry.field(description="An object of `project`.")
    target: strawberry.ID = strawberry.field(description="An object of `project`.")
    relationship_type: str = strawberry.field(default="association", description="1-64 characters.")
    cardinality: Cardinality = Cardinality.ONE_TO_MANY
    description: str | None = None


@strawberry.input(description="Change a relationship. Omitted fields stay as they are.")
class RelationshipUpdateInput:
    id: strawberry.ID
    source: Maybe[strawberry.ID | None] = strawberry.field(
        default=None, description="Another object of the relationship's project."
    )
    target: Maybe[strawberry.ID | None] = strawberry.field(
        default=None, description="Another object of the relationship's project."
    )
    relationship_type: Maybe[str | None] = None
    cardinality: Maybe[Cardinality | None] = None
    description: Maybe[str | None] = None
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete a relationship.")
class RelationshipDeleteInput:
    id: strawberry.ID


@strawberry.input(description="A new call to action on an object.")
class CallToActionCreateInput:
    design_object: strawberry.ID
    name: str = strawberry.field(description="1-200 characters.")
    priority: CallToActionPriority = CallToActionPriority.MEDIUM
    user_story: str | None = strawberry.field(default=None, description="At most 5000 chars.")
    acceptance_criteria: list[str] = strawberry.field(
        default_factory=list, description="At most 50 criteria of 1-1000 characters."
    )


@strawberry.input(description="Change a call to action. Omitted fields stay as they are.")
class CallToActionUpdateInput:
    id: strawberry.ID
    name: Maybe[str | None] = None
    priority: Maybe[CallToActionPriority | None] = None
    user_story: Maybe[str | None] = None
    acceptance_criteria: Maybe[list[str] | None] = None
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete a call to action.")
class CallToActionDeleteInput:
    id: strawberry.ID


@strawberry.input(
    description="Rules for an attribute. min/max: integer and number; minLength/maxLength "
    "and pattern: string; choices: enum (required there)."
)
class AttributeValidationRulesInput:
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    choices: list[str] | None = None


@strawberry.input(description="A new attribute of an object.")
class AttributeCreateInput:
    design_object: strawberry.ID
    name: str = strawberry.field(description="1-200 characters, unique per object.")
    data_type: AttributeDataType = AttributeDataType.STRING
    is_required: bool = False
    default_value: JSON | None = strawberry.field(
        default=None, description="A value of `dataType` that satisfies the rules."
    )
    validation_rules: AttributeValidationRulesInput | None = None


@strawberry.input(
    description="Change an attribute. Omitted fields stay as they are; the resulting "
    "default value must fit the resulting type and rules."
)
class AttributeUpdateInput:
    id: strawberry.ID
    name: Maybe[str | None] = None
    data_type: Maybe[AttributeDataType | None] = None
    is_required: Maybe[bool | None] = None
    default_value: Maybe[JSON | None] = strawberry.field(
        default=None, description="Null removes the default."
    )
    validation_rules: Maybe[AttributeValidationRulesInput | None] = strawberry.field(
        default=None, description="Replaces the rules; null removes them."
    )
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete an attribute.")
class AttributeDeleteInput:
    id: strawberry.ID
