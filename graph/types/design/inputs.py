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
    organization: strawberry.ID = strawberry.field(
        description="The global ID of the organization (you need `item:create`: EDITOR or above)."
    )
    name: str = strawberry.field(description="1-200 characters.")
    description: str | None = strawberry.field(
        default=None, description="What the project is about; none by default."
    )
    status: ProjectStatus = strawberry.field(
        default=ProjectStatus.DRAFT, description="DRAFT by default."
    )
    settings: JSON | None = strawberry.field(
        default=None, description="A JSON object to keep with the project; `{}` by default."
    )


@strawberry.input(description="Change a project. Omitted fields stay as they are.")
class ProjectUpdateInput:
    id: strawberry.ID = strawberry.field(description="The project's global ID.")
    name: Maybe[str | None] = strawberry.field(
        default=None, description="A new name, 1-200 characters (null is refused)."
    )
    description: Maybe[str | None] = strawberry.field(
        default=None, description="A new description; null clears it."
    )
    status: Maybe[ProjectStatus | None] = strawberry.field(
        default=None, description="A new status (null is refused)."
    )
    settings: Maybe[JSON | None] = strawberry.field(
        default=None, description="A JSON object replacing the current one (not merged)."
    )
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete a project (soft: it and everything in it disappear).")
class ProjectDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the project to delete.")


@strawberry.input(description="Give a member of the project's organization a project role.")
class ProjectMemberAddInput:
    project: strawberry.ID = strawberry.field(description="The project's global ID.")
    user: strawberry.ID = strawberry.field(
        description="The global ID of a member of the project's organization."
    )
    role: ProjectRole = strawberry.field(
        default=ProjectRole.EDITOR, description="EDITOR by default."
    )


@strawberry.input(description="Change a project member's role.")
class ProjectMemberRoleChangeInput:
    id: strawberry.ID = strawberry.field(description="The project member's global ID.")
    role: ProjectRole = strawberry.field(description="The new project role.")
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Take a user's project role away (their organization role stays).")
class ProjectMemberRemoveInput:
    id: strawberry.ID = strawberry.field(
        description="The global ID of the project member to remove."
    )


@strawberry.input(description="A new object in a free cell of a project's matrix.")
class DesignObjectCreateInput:
    project: strawberry.ID = strawberry.field(description="The global ID of the project.")
    name: str = strawberry.field(description="1-200 characters.")
    position_x: int = strawberry.field(description=f"0 to {MATRIX_SIZE - 1}.")
    position_y: int = strawberry.field(description=f"0 to {MATRIX_SIZE - 1}.")
    description: str | None = strawberry.field(
        default=None, description="What the object is; none by default."
    )
    object_type: str = strawberry.field(default="entity", description="1-64 characters.")
    complexity: int = strawberry.field(default=1, description="1 to 10.")
    meta_data: JSON | None = strawberry.field(
        default=None, description="A JSON object to keep with the object; `{}` by default."
    )


@strawberry.input(
    description="Change an object. Omitted fields stay as they are; move it with "
    "`designObjectMove`."
)
class DesignObjectUpdateInput:
    id: strawberry.ID = strawberry.field(description="The object's global ID.")
    name: Maybe[str | None] = strawberry.field(
        default=None, description="A new name, 1-200 characters (null is refused)."
    )
    description: Maybe[str | None] = strawberry.field(
        default=None, description="A new description; null clears it."
    )
    object_type: Maybe[str | None] = strawberry.field(
        default=None, description="A new kind, 1-64 characters (null is refused)."
    )
    complexity: Maybe[int | None] = strawberry.field(
        default=None, description="A new complexity, 1 to 10 (null is refused)."
    )
    meta_data: Maybe[JSON | None] = strawberry.field(
        default=None, description="A JSON object replacing the current one (not merged)."
    )
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Move an object to another cell; refused if it is occupied.")
class DesignObjectMoveInput:
    id: strawberry.ID = strawberry.field(description="The object's global ID.")
    position_x: int = strawberry.field(description="The new column, 0-999.")
    position_y: int = strawberry.field(description="The new row, 0-999.")
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(
    description="Delete an object with its relationships (both directions), calls to "
    "action and attributes."
)
class DesignObjectDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the object to delete.")


@strawberry.input(description="A relationship between two objects of the project.")
class RelationshipCreateInput:
    project: strawberry.ID = strawberry.field(
        description="The global ID of the project both objects belong to."
    )
    source: strawberry.ID = strawberry.field(description="An object of `project`.")
    target: strawberry.ID = strawberry.field(description="An object of `project`.")
    relationship_type: str = strawberry.field(default="association", description="1-64 characters.")
    cardinality: Cardinality = strawberry.field(
        default=Cardinality.ONE_TO_MANY, description="ONE_TO_MANY by default."
    )
    description: str | None = strawberry.field(
        default=None, description="What the relationship means; none by default."
    )


@strawberry.input(description="Change a relationship. Omitted fields stay as they are.")
class RelationshipUpdateInput:
    id: strawberry.ID = strawberry.field(description="The relationship's global ID.")
    source: Maybe[strawberry.ID | None] = strawberry.field(
        default=None, description="Another object of the relationship's project."
    )
    target: Maybe[strawberry.ID | None] = strawberry.field(
        default=None, description="Another object of the relationship's project."
    )
    relationship_type: Maybe[str | None] = strawberry.field(
        default=None, description="A new kind, 1-64 characters (null is refused)."
    )
    cardinality: Maybe[Cardinality | None] = strawberry.field(
        default=None, description="A new cardinality (null is refused)."
    )
    description: Maybe[str | None] = strawberry.field(
        default=None, description="A new description; null clears it."
    )
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete a relationship.")
class RelationshipDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the relationship to delete.")


@strawberry.input(description="A new call to action on an object.")
class CallToActionCreateInput:
    design_object: strawberry.ID = strawberry.field(
        description="The global ID of the object it belongs to."
    )
    name: str = strawberry.field(description="1-200 characters.")
    priority: CallToActionPriority = strawberry.field(
        default=CallToActionPriority.MEDIUM, description="MEDIUM by default."
    )
    user_story: str | None = strawberry.field(default=None, description="At most 5000 chars.")
    acceptance_criteria: list[str] = strawberry.field(
        default_factory=list, description="At most 50 criteria of 1-1000 characters."
    )


@strawberry.input(description="Change a call to action. Omitted fields stay as they are.")
class CallToActionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The call to action's global ID.")
    name: Maybe[str | None] = strawberry.field(
        default=None, description="A new name, 1-200 characters (null is refused)."
    )
    priority: Maybe[CallToActionPriority | None] = strawberry.field(
        default=None, description="A new priority (null is refused)."
    )
    user_story: Maybe[str | None] = strawberry.field(
        default=None, description="A new user story, at most 5000 characters; null clears it."
    )
    acceptance_criteria: Maybe[list[str] | None] = strawberry.field(
        default=None,
        description="A new "
        "list replacing the current one: at most 50 criteria of 1-1000 characters.",
    )
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete a call to action.")
class CallToActionDeleteInput:
    id: strawberry.ID = strawberry.field(
        description="The global ID of the call to action to delete."
    )


@strawberry.input(
    description="Rules for an attribute. min/max: integer and number; minLength/maxLength "
    "and pattern: string; choices: enum (required there)."
)
class AttributeValidationRulesInput:
    min: float | None = strawberry.field(
        default=None, description="The smallest value allowed (INTEGER and NUMBER)."
    )
    max: float | None = strawberry.field(
        default=None, description="The largest value allowed (INTEGER and NUMBER); not below `min`."
    )
    min_length: int | None = strawberry.field(
        default=None, description="The fewest characters allowed (STRING)."
    )
    max_length: int | None = strawberry.field(
        default=None, description="The most characters allowed (STRING); not below `minLength`."
    )
    pattern: str | None = strawberry.field(
        default=None,
        description="A regular expression the "
        "whole value must match (STRING); nested repetitions like `(a+)+` are refused.",
    )
    choices: list[str] | None = strawberry.field(
        default=None, description="The values allowed (ENUM, where it is required)."
    )


@strawberry.input(description="A new attribute of an object.")
class AttributeCreateInput:
    design_object: strawberry.ID = strawberry.field(
        description="The global ID of the object it belongs to."
    )
    name: str = strawberry.field(description="1-200 characters, unique per object.")
    data_type: AttributeDataType = strawberry.field(
        default=AttributeDataType.STRING, description="STRING by default."
    )
    is_required: bool = strawberry.field(default=False, description="False by default.")
    default_value: JSON | None = strawberry.field(
        default=None, description="A value of `dataType` that satisfies the rules."
    )
    validation_rules: AttributeValidationRulesInput | None = strawberry.field(
        default=None, description="Rules its values must follow; none by default."
    )


@strawberry.input(
    description="Change an attribute. Omitted fields stay as they are; the resulting "
    "default value must fit the resulting type and rules."
)
class AttributeUpdateInput:
    id: strawberry.ID = strawberry.field(description="The attribute's global ID.")
    name: Maybe[str | None] = strawberry.field(
        default=None, description="A new name, unique within the object (null is refused)."
    )
    data_type: Maybe[AttributeDataType | None] = strawberry.field(
        default=None, description="A new type (null is refused)."
    )
    is_required: Maybe[bool | None] = strawberry.field(
        default=None, description="Whether a value must be given (null is refused)."
    )
    default_value: Maybe[JSON | None] = strawberry.field(
        default=None, description="Null removes the default."
    )
    validation_rules: Maybe[AttributeValidationRulesInput | None] = strawberry.field(
        default=None, description="Replaces the rules; null removes them."
    )
    updated_at: datetime | None = strawberry.field(default=None, description=_SEEN)


@strawberry.input(description="Delete an attribute.")
class AttributeDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the attribute to delete.")
