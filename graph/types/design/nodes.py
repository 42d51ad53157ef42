"""The design domain's nodes and their connections: projects, their members, and the
object/relationship matrix (objects, relationships, calls to action, attributes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from graph.kernel.aggregates import Aggregable
from graph.kernel.fields import to_many, to_one
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node, created, updated
from graph.types.accounts import Organization, User
from graph.types.design.filters import (
    AttributeFilter,
    AttributeOrder,
    CallToActionFilter,
    CallToActionOrder,
    DesignObjectFilter,
    DesignObjectOrder,
    ProjectFilter,
    ProjectMemberFilter,
    ProjectMemberOrder,
    ProjectOrder,
    RelationshipFilter,
    RelationshipOrder,
)
from loaders.paging import OrderTerm
from models.design import (
    MATRIX_SIZE,
    AttributeDataType,
    CallToActionPriority,
    Cardinality,
    ProjectRole,
    ProjectStatus,
)
from models.design import Attribute as AttributeModel
from models.design import CallToAction as CallToActionModel
from models.design import DesignObject as DesignObjectModel
from models.design import Presence as PresenceModel
from models.design import Project as ProjectModel
from models.design import ProjectMember as ProjectMemberModel
from models.design import Relationship as RelationshipModel
from models.exports import ExportJob as ExportJobModel

if TYPE_CHECKING:
    from graph.types.exports import ExportJobConnection
    from graph.types.presence import PresenceConnection


@node_type
@strawberry.type(
    description="A design project of an organization: a matrix of objects and the "
    "relationships between them. Every member of the organization can read it."
)
class Project(Node):
    __model__ = ProjectModel

    organization_id: strawberry.Private[uuid.UUID]
    owner_id: strawberry.Private[uuid.UUID | None]
    name: str = strawberry.field(description="The project's name, 1-200 characters.")
    description: str | None = strawberry.field(
        description="What the project is about; null when none."
    )
    status: ProjectStatus = strawberry.field(description="Where the project is in its life.")
    settings: JSON = strawberry.field(
        description="A free-form JSON object the clients keep with the project."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()
    archived_at: datetime | None = strawberry.field(
        description="When it was archived; null when it is not. Archived nodes drop out of "
        "lists (unless `includeArchived: true`) and cannot be changed until restored."
    )

    organization: Organization | None = to_one(
        "organization_id", description="The organization the project belongs to."
    )
    owner: User | None = to_one(
        "owner_id", description="Null when the owner's account is gone or not visible."
    )
    members: ProjectMemberConnection = to_many(
        ProjectMemberModel.project_id, description="Users with a role in this project."
    )
    objects: DesignObjectConnection = to_many(
        DesignObjectModel.project_id,
        description="The matrix's objects, row by row (positionY, then positionX) unless "
        "ordered otherwise.",
    )
    relationships: RelationshipConnection = to_many(
        RelationshipModel.project_id,
        description="Every relationship between the project's objects.",
    )
    presence: Annotated[PresenceConnection, strawberry.lazy("graph.types.presence")] = to_many(
        PresenceModel.project_id,
        page_arguments=("first", "after"),
        description="Who is in the project now (clients whose presence has not expired).",
    )
    exports: Annotated[ExportJobConnection, strawberry.lazy("graph.types.exports")] = to_many(
        ExportJobModel.project_id,
        description="The project's exports (`projectExport`), newest first by default.",
    )


@node_type
@strawberry.type(description="A user's role in a project.")
class ProjectMember(Node):
    __model__ = ProjectMemberModel

    project_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID]
    role: ProjectRole = strawberry.field(
        description="The member's role in this project (it narrows their organization role)."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()

    project: Project | None = to_one("project_id", description="The project.")
    user: User | None = to_one(
        "user_id", description="Null when the user left every organization you share."
    )


@node_type
@strawberry.type(
    description=f"An object of a project's matrix, in one cell: 0 <= positionX, positionY < "
    f"{MATRIX_SIZE}; at most one object per cell."
)
class DesignObject(Node):
    __model__ = DesignObjectModel

    project_id: strawberry.Private[uuid.UUID]
    created_by: strawberry.Private[uuid.UUID | None]
    name: str = strawberry.field(description="The object's name, 1-200 characters.")
    description: str | None = strawberry.field(description="What the object is; null when none.")
    position_x: int = strawberry.field(
        description="Its column in the matrix, 0-999; one object per cell."
    )
    position_y: int = strawberry.field(
        description="Its row in the matrix, 0-999; one object per cell."
    )
    object_type: str = strawberry.field(
        description="A free-form kind (`entity` by default), 1-64 characters."
    )
    complexity: int = strawberry.field(description="1 (trivial) to 10.")
    meta_data: JSON = strawberry.field(
        description="A free-form JSON object the clients keep with the object."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()

    project: Project | None = to_one(
        "project_id", description="The project whose matrix holds the object."
    )
    creator: User | None = to_one(
        "created_by", name="createdBy", description="Null when the account is gone."
    )
    outgoing_relationships: RelationshipConnection = to_many(
        RelationshipModel.source_id,
        description="Relationships from this object (it is their source).",
    )
    incoming_relationships: RelationshipConnection = to_many(
        RelationshipModel.target_id,
        description="Relationships to this object (it is their target).",
    )
    calls_to_action: CallToActionConnection = to_many(
        CallToActionModel.object_id, description="What users can do with this object."
    )
    attributes: AttributeConnection = to_many(
        AttributeModel.object_id,
        description="The object's attributes, by name unless ordered otherwise.",
    )


@node_type
@strawberry.type(description="A directed link from a source object to a target object of the "
                 "same project (an object may relate to itself).")  # fmt: skip
class Relationship(Node):
    __model__ = RelationshipModel

    project_id: strawberry.Private[uuid.UUID]
    source_id: strawberry.Private[uuid.UUID]
    target_id: strawberry.Private[uuid.UUID]
    relationship_type: str = strawberry.field(
        description="A free-form kind (`association` by default), 1-64 characters."
    )
    cardinality: Cardinality = strawberry.field(
        description="How many targets relate to how many sources."
    )
    description: str | None = strawberry.field(
        description="What the relationship means; null when none."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()

    project: Project | None = to_one(
        "project_id", description="The project both objects belong to."
    )
    source: DesignObject | None = to_one(
        "source_id", description="The object the relationship starts from."
    )
    target: DesignObject | None = to_one(
        "target_id", description="The object the relationship points to."
    )


@node_type
@strawberry.type(description="Something a user can do with an object: a user story.")
class CallToAction(Node):
    __model__ = CallToActionModel

    object_id: strawberry.Private[uuid.UUID]
    name: str = strawberry.field(description="The call to action, 1-200 characters.")
    priority: CallToActionPriority = strawberry.field(description="How urgent it is.")
    user_story: str | None = strawberry.field(
        description="The user story behind it (at most 5000 characters); null when none."
    )
    acceptance_criteria: list[str] = strawberry.field(
        description="What must hold for it to be done, in order (at most 50)."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()

    design_object: DesignObject | None = to_one(
        "object_id", description="The object this call to action belongs to."
    )


@strawberry.type(description="The rules an attribute's values (and default) must satisfy.")
class AttributeValidationRules:
    min: float | None = strawberry.field(description="Smallest value (integer, number).")
    max: float | None = strawberry.field(description="Largest value (integer, number).")
    min_length: int | None = strawberry.field(description="Shortest string.")
    max_length: int | None = strawberry.field(description="Longest string.")
    pattern: str | None = strawberry.field(
        description="A regular expression a whole string must match."
    )
    choices: list[str] | None = strawberry.field(description="The values of an enum.")


@node_type
@strawberry.type(description="A typed attribute of an object; names are unique per object.")
class Attribute(Node):
    __model__ = AttributeModel

    object_id: strawberry.Private[uuid.UUID]
    validation_rules: strawberry.Private[dict[str, Any]]
    name: str = strawberry.field(description="The attribute's name, unique within its object.")
    data_type: AttributeDataType = strawberry.field(
        description="The type of its values; the default value and rules fit it."
    )
    is_required: bool = strawberry.field(description="Whether a value must be given.")
    default_value: JSON | None = strawberry.field(
        description="A value of `dataType` that satisfies the rules; dates as YYYY-MM-DD."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()

    design_object: DesignObject | None = to_one(
        "object_id", description="The object this attribute belongs to."
    )

    @strawberry.field(
        name="validationRules", description="What values (and the default) must satisfy."
    )
    def rules(self) -> AttributeValidationRules:
        rules = self.validation_rules
        return AttributeValidationRules(
            min=rules.get("min"),
            max=rules.get("max"),
            min_length=rules.get("min_length"),
            max_length=rules.get("max_length"),
            pattern=rules.get("pattern"),
            choices=rules.get("choices"),
        )


@strawberry.type(description="A page of projects.")
class ProjectConnection(
    Connection[Project],
    filter=ProjectFilter,
    order=ProjectOrder,
    default_order=OrderTerm(ProjectModel.created_at),
    aggregate=Aggregable(
        dates={"created_at": ProjectModel.created_at, "updated_at": ProjectModel.updated_at},
        groups={"status": ProjectModel.status},
    ),
):
    pass


@strawberry.type(description="A page of project members.")
class ProjectMemberConnection(
    Connection[ProjectMember],
    filter=ProjectMemberFilter,
    order=ProjectMemberOrder,
    default_order=OrderTerm(ProjectMemberModel.created_at),
):
    pass


@strawberry.type(description="A page of design objects.")
class DesignObjectConnection(
    Connection[DesignObject],
    filter=DesignObjectFilter,
    order=DesignObjectOrder,
    # Reading order: row by row, left to right.
    default_order=(
        OrderTerm(DesignObjectModel.position_y),
        OrderTerm(DesignObjectModel.position_x),
    ),
    aggregate=Aggregable(
        numbers={
            "complexity": DesignObjectModel.complexity,
            "position_x": DesignObjectModel.position_x,
            "position_y": DesignObjectModel.position_y,
        },
        dates={"created_at": DesignObjectModel.created_at},
        groups={
            "object_type": DesignObjectModel.object_type,
            "complexity": DesignObjectModel.complexity,
        },
    ),
):
    pass


@strawberry.type(description="A page of relationships.")
class RelationshipConnection(
    Connection[Relationship],
    filter=RelationshipFilter,
    order=RelationshipOrder,
    default_order=OrderTerm(RelationshipModel.created_at),
):
    pass


@strawberry.type(description="A page of calls to action.")
class CallToActionConnection(
    Connection[CallToAction],
    filter=CallToActionFilter,
    order=CallToActionOrder,
    default_order=OrderTerm(CallToActionModel.created_at),
):
    pass


@strawberry.type(description="A page of attributes.")
class AttributeConnection(
    Connection[Attribute],
    filter=AttributeFilter,
    order=AttributeOrder,
    default_order=OrderTerm(AttributeModel.name),
):
    pass


@strawberry.type
class DesignOrganizationFields:
    """Design's fields of an organization (composed in graph.schema)."""

    projects: ProjectConnection = to_many(
        ProjectModel.organization_id, description="The organization's design projects."
    )
