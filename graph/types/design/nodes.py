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
from graph.kernel.relay import Connection, Node
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
    name: str
    description: str | None
    status: ProjectStatus
    settings: JSON
    created_at: datetime
    updated_at: datetime

    organization: Organization | None = to_one("organization_id")
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
    role: ProjectRole
    created_at: datetime
    updated_at: datetime

    project: Project | None = to_one("project_id")
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
    name: str
    description: str | None
    position_x: int
    position_y: int
    object_type: str
    complexity: int = strawberry.field(description="1 (trivial) to 10.")
    meta_data: JSON
    created_at: datetime
    updated_at: datetime

    project: Project | None = to_one("project_id")
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
    relationship_type: str
    cardinality: Cardinality
    description: str | None
    created_at: datetime
    updated_at: datetime

    project: Project | None = to_one("project_id")
    source: DesignObject | None = to_one("source_id")
    target: DesignObject | None = to_one("target_id")


@node_type
@strawberry.type(description="Something a user can do with an object: a user story.")
class CallToAction(Node):
    __model__ = CallToActionModel

    object_id: strawberry.Private[uuid.UUID]
    name: str
    priority: CallToActionPriority
    user_story: str | None
    acceptance_criteria: list[str]
    created_at: datetime
    updated_at: datetime

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
    name: str
    data_type: AttributeDataType
    is_required: bool
    default_value: JSON | None = strawberry.field(
        description="A value of `dataType` that satisfies the rules; dates as YYYY-MM-DD."
    )
    created_at: datetime
    updated_at: datetime

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
