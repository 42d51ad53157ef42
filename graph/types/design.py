"""Design projects in the API: projects, their members, and the object/relationship matrix
(objects, relationships, calls to action, attributes)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

from graph.context import Info
from graph.kernel.connections import PageArgs, ToMany, ToOne, to_many, to_one
from graph.kernel.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from graph.kernel.filters import (
    BooleanFilter,
    DateTimeFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    OrderDirection,
    Ref,
    StringFilter,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import Organization, User
from loaders.base import OrderTerm, Relation
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

if TYPE_CHECKING:
    from graph.types.presence import PresenceConnection


def _presence() -> Any:
    """The presence types module, which imports this one's models: resolved when needed."""
    import graph.types.presence

    return graph.types.presence


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

# ---------------------------------------------------------------------------------------------
# Enum filters


ProjectStatusFilter = EnumFilter[ProjectStatus]
ProjectRoleFilter = EnumFilter[ProjectRole]
CardinalityFilter = EnumFilter[Cardinality]
CallToActionPriorityFilter = EnumFilter[CallToActionPriority]
AttributeDataTypeFilter = EnumFilter[AttributeDataType]


# ---------------------------------------------------------------------------------------------
# Filters and orderings


@strawberry.input(description="Filter projects; all given conditions must hold.")
class ProjectFilter(EntityFilter):
    id: IDFilter | None = None
    name: StringFilter | None = None
    description: StringFilter | None = None
    status: ProjectStatusFilter | None = None
    organization: IDFilter | None = None
    owner: IDFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[ProjectFilter] | None = strawberry.field(name="and", default=None)
    or_: list[ProjectFilter] | None = strawberry.field(name="or", default=None)
    not_: ProjectFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(ProjectModel.id, "Project"),
        "name": ProjectModel.name,
        "description": ProjectModel.description,
        "status": ProjectModel.status,
        "organization": Ref(ProjectModel.organization_id, "Organization"),
        "owner": Ref(ProjectModel.owner_id, "User"),
        "created_at": ProjectModel.created_at,
        "updated_at": ProjectModel.updated_at,
    }


@strawberry.enum(description="Fields projects can be ordered by.")
class ProjectOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"
    STATUS = "status"


@strawberry.input(description="One ordering term for projects.")
class ProjectOrder:
    field: ProjectOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        ProjectOrderField.CREATED_AT: ProjectModel.created_at,
        ProjectOrderField.UPDATED_AT: ProjectModel.updated_at,
        ProjectOrderField.NAME: ProjectModel.name,
        ProjectOrderField.STATUS: ProjectModel.status,
    }


@strawberry.input(description="Filter project members; all given conditions must hold.")
class ProjectMemberFilter(EntityFilter):
    id: IDFilter | None = None
    user: IDFilter | None = None
    role: ProjectRoleFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[ProjectMemberFilter] | None = strawberry.field(name="and", default=None)
    or_: list[ProjectMemberFilter] | None = strawberry.field(name="or", default=None)
    not_: ProjectMemberFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(ProjectMemberModel.id, "ProjectMember"),
        "user": Ref(ProjectMemberModel.user_id, "User"),
        "role": ProjectMemberModel.role,
        "created_at": ProjectMemberModel.created_at,
    }


@strawberry.enum(description="Fields project members can be ordered by.")
class ProjectMemberOrderField(enum.Enum):
    CREATED_AT = "created_at"
    ROLE = "role"


@strawberry.input(description="One ordering term for project members.")
class ProjectMemberOrder:
    field: ProjectMemberOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        ProjectMemberOrderField.CREATED_AT: ProjectMemberModel.created_at,
        ProjectMemberOrderField.ROLE: ProjectMemberModel.role,
    }


@strawberry.input(
    description="Filter design objects; all given conditions must hold. A cell is "
    "`{positionX: {eq: 2}, positionY: {eq: 3}}`; a region uses `gte`/`lte`."
)
class DesignObjectFilter(EntityFilter):
    id: IDFilter | None = None
    name: StringFilter | None = None
    description: StringFilter | None = None
    object_type: StringFilter | None = None
    position_x: IntFilter | None = None
    position_y: IntFilter | None = None
    complexity: IntFilter | None = None
    project: IDFilter | None = None
    created_by: IDFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[DesignObjectFilter] | None = strawberry.field(name="and", default=None)
    or_: list[DesignObjectFilter] | None = strawberry.field(name="or", default=None)
    not_: DesignObjectFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(DesignObjectModel.id, "DesignObject"),
        "name": DesignObjectModel.name,
        "description": DesignObjectModel.description,
        "object_type": DesignObjectModel.object_type,
        "position_x": DesignObjectModel.position_x,
        "position_y": DesignObjectModel.position_y,
        "complexity": DesignObjectModel.complexity,
        "project": Ref(DesignObjectModel.project_id, "Project"),
        "created_by": Ref(DesignObjectModel.created_by, "User"),
        "created_at": DesignObjectModel.created_at,
        "updated_at": DesignObjectModel.updated_at,
    }


@strawberry.enum(description="Fields design objects can be ordered by.")
class DesignObjectOrderField(enum.Enum):
    POSITION_X = "position_x"
    POSITION_Y = "position_y"
    NAME = "name"
    OBJECT_TYPE = "object_type"
    COMPLEXITY = "complexity"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input(description="One ordering term for design objects.")
class DesignObjectOrder:
    field: DesignObjectOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        DesignObjectOrderField.POSITION_X: DesignObjectModel.position_x,
        DesignObjectOrderField.POSITION_Y: DesignObjectModel.position_y,
        DesignObjectOrderField.NAME: DesignObjectModel.name,
        DesignObjectOrderField.OBJECT_TYPE: DesignObjectModel.object_type,
        DesignObjectOrderField.COMPLEXITY: DesignObjectModel.complexity,
        DesignObjectOrderField.CREATED_AT: DesignObjectModel.created_at,
        DesignObjectOrderField.UPDATED_AT: DesignObjectModel.updated_at,
    }


@strawberry.input(description="Filter relationships; all given conditions must hold.")
class RelationshipFilter(EntityFilter):
    id: IDFilter | None = None
    relationship_type: StringFilter | None = None
    cardinality: CardinalityFilter | None = None
    description: StringFilter | None = None
    source: IDFilter | None = None
    target: IDFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[RelationshipFilter] | None = strawberry.field(name="and", default=None)
    or_: list[RelationshipFilter] | None = strawberry.field(name="or", default=None)
    not_: RelationshipFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(RelationshipModel.id, "Relationship"),
        "relationship_type": RelationshipModel.relationship_type,
        "cardinality": RelationshipModel.cardinality,
        "description": RelationshipModel.description,
        "source": Ref(RelationshipModel.source_id, "DesignObject"),
        "target": Ref(RelationshipModel.target_id, "DesignObject"),
        "created_at": RelationshipModel.created_at,
    }


@strawberry.enum(description="Fields relationships can be ordered by.")
class RelationshipOrderField(enum.Enum):
    CREATED_AT = "created_at"
    RELATIONSHIP_TYPE = "relationship_type"
    CARDINALITY = "cardinality"


@strawberry.input(description="One ordering term for relationships.")
class RelationshipOrder:
    field: RelationshipOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        RelationshipOrderField.CREATED_AT: RelationshipModel.created_at,
        RelationshipOrderField.RELATIONSHIP_TYPE: RelationshipModel.relationship_type,
        RelationshipOrderField.CARDINALITY: RelationshipModel.cardinality,
    }


@strawberry.input(description="Filter calls to action; all given conditions must hold.")
class CallToActionFilter(EntityFilter):
    id: IDFilter | None = None
    name: StringFilter | None = None
    priority: CallToActionPriorityFilter | None = None
    user_story: StringFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[CallToActionFilter] | None = strawberry.field(name="and", default=None)
    or_: list[CallToActionFilter] | None = strawberry.field(name="or", default=None)
    not_: CallToActionFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(CallToActionModel.id, "CallToAction"),
        "name": CallToActionModel.name,
        "priority": CallToActionModel.priority,
        "user_story": CallToActionModel.user_story,
        "created_at": CallToActionModel.created_at,
    }


@strawberry.enum(description="Fields calls to action can be ordered by.")
class CallToActionOrderField(enum.Enum):
    CREATED_AT = "created_at"
    NAME = "name"
    PRIORITY = "priority"


@strawberry.input(description="One ordering term for calls to action.")
class CallToActionOrder:
    field: CallToActionOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        CallToActionOrderField.CREATED_AT: CallToActionModel.created_at,
        CallToActionOrderField.NAME: CallToActionModel.name,
        CallToActionOrderField.PRIORITY: CallToActionModel.priority,
    }


@strawberry.input(description="Filter attributes; all given conditions must hold.")
class AttributeFilter(EntityFilter):
    id: IDFilter | None = None
    name: StringFilter | None = None
    data_type: AttributeDataTypeFilter | None = None
    is_required: BooleanFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[AttributeFilter] | None = strawberry.field(name="and", default=None)
    or_: list[AttributeFilter] | None = strawberry.field(name="or", default=None)
    not_: AttributeFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(AttributeModel.id, "Attribute"),
        "name": AttributeModel.name,
        "data_type": AttributeModel.data_type,
        "is_required": AttributeModel.is_required,
        "created_at": AttributeModel.created_at,
    }


@strawberry.enum(description="Fields attributes can be ordered by.")
class AttributeOrderField(enum.Enum):
    NAME = "name"
    DATA_TYPE = "data_type"
    CREATED_AT = "created_at"


@strawberry.input(description="One ordering term for attributes.")
class AttributeOrder:
    field: AttributeOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        AttributeOrderField.NAME: AttributeModel.name,
        AttributeOrderField.DATA_TYPE: AttributeModel.data_type,
        AttributeOrderField.CREATED_AT: AttributeModel.created_at,
    }


PROJECT_ORDER = (OrderTerm(ProjectModel.created_at),)
MEMBER_ORDER = (OrderTerm(ProjectMemberModel.created_at),)
# Reading order: row by row, left to right.
OBJECT_ORDER = (OrderTerm(DesignObjectModel.position_y), OrderTerm(DesignObjectModel.position_x))
RELATIONSHIP_ORDER = (OrderTerm(RelationshipModel.created_at),)
CTA_ORDER = (OrderTerm(CallToActionModel.created_at),)
ATTRIBUTE_ORDER = (OrderTerm(AttributeModel.name),)

# ---------------------------------------------------------------------------------------------
# Nodes


@node_type
@strawberry.type(
    description="A design project of an organization: a matrix of objects and the "
    "relationships between them. Every member of the organization can read it."
)
class Project(Node):
    __model__ = ProjectModel
    __relations__ = {
        "organization": ToOne(lambda: Organization, "organization_id"),
        "owner": ToOne(lambda: User, "owner_id"),
        "members": ToMany(
            lambda: ProjectMemberConnection, lambda: ProjectMember,
            Relation(ProjectMemberModel.project_id), MEMBER_ORDER,
        ),
        "objects": ToMany(
            lambda: DesignObjectConnection, lambda: DesignObject,
            Relation(DesignObjectModel.project_id), OBJECT_ORDER,
        ),
        "relationships": ToMany(
            lambda: RelationshipConnection, lambda: Relationship,
            Relation(RelationshipModel.project_id), RELATIONSHIP_ORDER,
        ),
        "presence": ToMany(
            lambda: _presence().PresenceConnection, lambda: _presence().Presence,
            Relation(PresenceModel.project_id), _presence().PRESENCE_ORDER,
        ),
    }  # fmt: skip

    organization_id: strawberry.Private[uuid.UUID]
    owner_id: strawberry.Private[uuid.UUID | None]
    name: str
    description: str | None
    status: ProjectStatus
    settings: JSON
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return to_one(info, self, "organization")

    @strawberry.field(description="Null when the owner's account is gone or not visible.")
    def owner(self, info: Info) -> User | None:
        return to_one(info, self, "owner")

    @strawberry.field(description="Users with a role in this project.")
    def members(
        self,
        info: Info,
        filter: ProjectMemberFilter | None = None,
        order_by: list[ProjectMemberOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ProjectMemberConnection:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "members", args)

    @strawberry.field(
        description="The matrix's objects, row by row (positionY, then positionX) unless "
        "ordered otherwise."
    )
    def objects(
        self,
        info: Info,
        filter: DesignObjectFilter | None = None,
        order_by: list[DesignObjectOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> DesignObjectConnection:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "objects", args)

    @strawberry.field(description="Every relationship between the project's objects.")
    def relationships(
        self,
        info: Info,
        filter: RelationshipFilter | None = None,
        order_by: list[RelationshipOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> RelationshipConnection:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "relationships", args)

    @strawberry.field(
        description="Who is in the project now (clients whose presence has not expired)."
    )
    def presence(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[PresenceConnection, strawberry.lazy("graph.types.presence")]:
        return to_many(info, self, "presence", PageArgs(None, None, first, after))


@node_type
@strawberry.type(description="A user's role in a project.")
class ProjectMember(Node):
    __model__ = ProjectMemberModel
    __relations__ = {
        "project": ToOne(lambda: Project, "project_id"),
        "user": ToOne(lambda: User, "user_id"),
    }

    project_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID]
    role: ProjectRole
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def project(self, info: Info) -> Project | None:
        return to_one(info, self, "project")

    @strawberry.field(description="Null when the user left every organization you share.")
    def user(self, info: Info) -> User | None:
        return to_one(info, self, "user")


@node_type
@strawberry.type(
    description=f"An object of a project's matrix, in one cell: 0 <= positionX, positionY < "
    f"{MATRIX_SIZE}; at most one object per cell."
)
class DesignObject(Node):
    __model__ = DesignObjectModel
    __relations__ = {
        "project": ToOne(lambda: Project, "project_id"),
        "creator": ToOne(lambda: User, "created_by"),
        "outgoing_relationships": ToMany(
            lambda: RelationshipConnection, lambda: Relationship,
            Relation(RelationshipModel.source_id), RELATIONSHIP_ORDER,
        ),
        "incoming_relationships": ToMany(
            lambda: RelationshipConnection, lambda: Relationship,
            Relation(RelationshipModel.target_id), RELATIONSHIP_ORDER,
        ),
        "calls_to_action": ToMany(
            lambda: CallToActionConnection, lambda: CallToAction,
            Relation(CallToActionModel.object_id), CTA_ORDER,
        ),
        "attributes": ToMany(
            lambda: AttributeConnection, lambda: Attribute,
            Relation(AttributeModel.object_id), ATTRIBUTE_ORDER,
        ),
    }  # fmt: skip

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

    @strawberry.field
    def project(self, info: Info) -> Project | None:
        return to_one(info, self, "project")

    @strawberry.field(name="createdBy", description="Null when the account is gone.")
    def creator(self, info: Info) -> User | None:
        return to_one(info, self, "creator")

    @strawberry.field(description="Relationships from this object (it is their source).")
    def outgoing_relationships(
        self,
        info: Info,
        filter: RelationshipFilter | None = None,
        order_by: list[RelationshipOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> RelationshipConnection:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "outgoing_relationships", args)

    @strawberry.field(description="Relationships to this object (it is their target).")
    def incoming_relationships(
        self,
        info: Info,
        filter: RelationshipFilter | None = None,
        order_by: list[RelationshipOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> RelationshipConnection:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "incoming_relationships", args)

    @strawberry.field(description="What users can do with this object.")
    def calls_to_action(
        self,
        info: Info,
        filter: CallToActionFilter | None = None,
        order_by: list[CallToActionOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CallToActionConnection:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "calls_to_action", args)

    @strawberry.field(description="The object's attributes, by name unless ordered otherwise.")
    def attributes(
        self,
        info: Info,
        filter: AttributeFilter | None = None,
        order_by: list[AttributeOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AttributeConnection:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "attributes", args)


@node_type
@strawberry.type(description="A directed link from a source object to a target object of the "
                 "same project (an object may relate to itself).")  # fmt: skip
class Relationship(Node):
    __model__ = RelationshipModel
    __relations__ = {
        "project": ToOne(lambda: Project, "project_id"),
        "source": ToOne(lambda: DesignObject, "source_id"),
        "target": ToOne(lambda: DesignObject, "target_id"),
    }

    project_id: strawberry.Private[uuid.UUID]
    source_id: strawberry.Private[uuid.UUID]
    target_id: strawberry.Private[uuid.UUID]
    relationship_type: str
    cardinality: Cardinality
    description: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def project(self, info: Info) -> Project | None:
        return to_one(info, self, "project")

    @strawberry.field
    def source(self, info: Info) -> DesignObject | None:
        return to_one(info, self, "source")

    @strawberry.field
    def target(self, info: Info) -> DesignObject | None:
        return to_one(info, self, "target")


@node_type
@strawberry.type(description="Something a user can do with an object: a user story.")
class CallToAction(Node):
    __model__ = CallToActionModel
    __relations__ = {"design_object": ToOne(lambda: DesignObject, "object_id")}

    object_id: strawberry.Private[uuid.UUID]
    name: str
    priority: CallToActionPriority
    user_story: str | None
    acceptance_criteria: list[str]
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The object this call to action belongs to.")
    def design_object(self, info: Info) -> DesignObject | None:
        return to_one(info, self, "design_object")


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
    __relations__ = {"design_object": ToOne(lambda: DesignObject, "object_id")}

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

    @strawberry.field(description="The object this attribute belongs to.")
    def design_object(self, info: Info) -> DesignObject | None:
        return to_one(info, self, "design_object")

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
class ProjectConnection(Connection[Project]):
    pass


@strawberry.type(description="A page of project members.")
class ProjectMemberConnection(Connection[ProjectMember]):
    pass


@strawberry.type(description="A page of design objects.")
class DesignObjectConnection(Connection[DesignObject]):
    pass


@strawberry.type(description="A page of relationships.")
class RelationshipConnection(Connection[Relationship]):
    pass


@strawberry.type(description="A page of calls to action.")
class CallToActionConnection(Connection[CallToAction]):
    pass


@strawberry.type(description="A page of attributes.")
class AttributeConnection(Connection[Attribute]):
    pass


# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads

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


@strawberry.type
class ProjectSuccess:
    project: Project


@strawberry.type
class ProjectDeleteSuccess:
    deleted_id: strawberry.ID


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


@strawberry.type
class ProjectMemberSuccess:
    project_member: ProjectMember


@strawberry.type
class ProjectMemberRemoveSuccess:
    deleted_id: strawberry.ID


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


@strawberry.type
class DesignObjectSuccess:
    design_object: DesignObject


@strawberry.type(description="The object and everything removed with it.")
class DesignObjectDeleteSuccess:
    deleted_id: strawberry.ID
    deleted_relationship_ids: list[strawberry.ID]
    deleted_call_to_action_ids: list[strawberry.ID]
    deleted_attribute_ids: list[strawberry.ID]


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


@strawberry.type
class RelationshipSuccess:
    relationship: Relationship


@strawberry.type
class RelationshipDeleteSuccess:
    deleted_id: strawberry.ID


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


@strawberry.type
class CallToActionSuccess:
    call_to_action: CallToAction


@strawberry.type
class CallToActionDeleteSuccess:
    deleted_id: strawberry.ID


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


@strawberry.type
class AttributeSuccess:
    attribute: Attribute


@strawberry.type
class AttributeDeleteSuccess:
    deleted_id: strawberry.ID


_Errors = ValidationError | NotFoundError | PermissionDeniedError

ProjectCreatePayload = Annotated[ProjectSuccess | _Errors, strawberry.union("ProjectCreatePayload")]
ProjectUpdatePayload = Annotated[
    ProjectSuccess | _Errors | ConflictError, strawberry.union("ProjectUpdatePayload")
]
ProjectDeletePayload = Annotated[
    ProjectDeleteSuccess | _Errors, strawberry.union("ProjectDeletePayload")
]
ProjectMemberAddPayload = Annotated[
    ProjectMemberSuccess | _Errors, strawberry.union("ProjectMemberAddPayload")
]
ProjectMemberRoleChangePayload = Annotated[
    ProjectMemberSuccess | _Errors | ConflictError,
    strawberry.union("ProjectMemberRoleChangePayload"),
]
ProjectMemberRemovePayload = Annotated[
    ProjectMemberRemoveSuccess | _Errors, strawberry.union("ProjectMemberRemovePayload")
]
DesignObjectCreatePayload = Annotated[
    DesignObjectSuccess | _Errors | ConflictError, strawberry.union("DesignObjectCreatePayload")
]
DesignObjectUpdatePayload = Annotated[
    DesignObjectSuccess | _Errors | ConflictError, strawberry.union("DesignObjectUpdatePayload")
]
DesignObjectMovePayload = Annotated[
    DesignObjectSuccess | _Errors | ConflictError, strawberry.union("DesignObjectMovePayload")
]
DesignObjectDeletePayload = Annotated[
    DesignObjectDeleteSuccess | _Errors, strawberry.union("DesignObjectDeletePayload")
]
RelationshipCreatePayload = Annotated[
    RelationshipSuccess | _Errors, strawberry.union("RelationshipCreatePayload")
]
RelationshipUpdatePayload = Annotated[
    RelationshipSuccess | _Errors | ConflictError, strawberry.union("RelationshipUpdatePayload")
]
RelationshipDeletePayload = Annotated[
    RelationshipDeleteSuccess | _Errors, strawberry.union("RelationshipDeletePayload")
]
CallToActionCreatePayload = Annotated[
    CallToActionSuccess | _Errors, strawberry.union("CallToActionCreatePayload")
]
CallToActionUpdatePayload = Annotated[
    CallToActionSuccess | _Errors | ConflictError, strawberry.union("CallToActionUpdatePayload")
]
CallToActionDeletePayload = Annotated[
    CallToActionDeleteSuccess | _Errors, strawberry.union("CallToActionDeletePayload")
]
AttributeCreatePayload = Annotated[
    AttributeSuccess | _Errors, strawberry.union("AttributeCreatePayload")
]
AttributeUpdatePayload = Annotated[
    AttributeSuccess | _Errors | ConflictError, strawberry.union("AttributeUpdatePayload")
]
AttributeDeletePayload = Annotated[
    AttributeDeleteSuccess | _Errors, strawberry.union("AttributeDeletePayload")
]
