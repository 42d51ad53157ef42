"""Filters and orderings of the design domain's connections."""

from __future__ import annotations

import enum

import strawberry

from graph.kernel.filters import (
    BooleanFilter,
    DateTimeFilter,
    EntityFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    StringFilter,
    by,
    by_relevance,
    entity_filter,
    on,
)
from graph.types.design.enums import (
    AttributeDataTypeFilter,
    CallToActionPriorityFilter,
    CardinalityFilter,
    ProjectRoleFilter,
    ProjectStatusFilter,
)
from models.design import Attribute as AttributeModel
from models.design import CallToAction as CallToActionModel
from models.design import DesignObject as DesignObjectModel
from models.design import Project as ProjectModel
from models.design import ProjectMember as ProjectMemberModel
from models.design import Relationship as RelationshipModel


@strawberry.input(description="Filter projects; all given conditions must hold.")
@entity_filter
class ProjectFilter(EntityFilter):
    id: IDFilter | None = on(ProjectModel.id, ref="Project")
    name: StringFilter | None = on(ProjectModel.name)
    description: StringFilter | None = on(ProjectModel.description)
    status: ProjectStatusFilter | None = on(ProjectModel.status)
    organization: IDFilter | None = on(ProjectModel.organization_id, ref="Organization")
    owner: IDFilter | None = on(ProjectModel.owner_id, ref="User")
    created_at: DateTimeFilter | None = on(ProjectModel.created_at)
    updated_at: DateTimeFilter | None = on(ProjectModel.updated_at)


@strawberry.enum(description="Fields projects can be ordered by.")
class ProjectOrderField(enum.Enum):
    CREATED_AT = by(ProjectModel.created_at)
    UPDATED_AT = by(ProjectModel.updated_at)
    NAME = by(ProjectModel.name)
    STATUS = by(ProjectModel.status)
    RELEVANCE = strawberry.enum_value(
        by_relevance(),
        description="How well each node matches the `search` (needed): best first ascending.",
    )


@strawberry.input(description="One ordering term for projects.")
class ProjectOrder(OrderBy[ProjectOrderField]):
    pass


@strawberry.input(description="Filter project members; all given conditions must hold.")
@entity_filter
class ProjectMemberFilter(EntityFilter):
    id: IDFilter | None = on(ProjectMemberModel.id, ref="ProjectMember")
    user: IDFilter | None = on(ProjectMemberModel.user_id, ref="User")
    role: ProjectRoleFilter | None = on(ProjectMemberModel.role)
    created_at: DateTimeFilter | None = on(ProjectMemberModel.created_at)


@strawberry.enum(description="Fields project members can be ordered by.")
class ProjectMemberOrderField(enum.Enum):
    CREATED_AT = by(ProjectMemberModel.created_at)
    ROLE = by(ProjectMemberModel.role)


@strawberry.input(description="One ordering term for project members.")
class ProjectMemberOrder(OrderBy[ProjectMemberOrderField]):
    pass


@strawberry.input(
    description="Filter design objects; all given conditions must hold. A cell is "
    "`{positionX: {eq: 2}, positionY: {eq: 3}}`; a region uses `gte`/`lte`."
)
@entity_filter
class DesignObjectFilter(EntityFilter):
    id: IDFilter | None = on(DesignObjectModel.id, ref="DesignObject")
    name: StringFilter | None = on(DesignObjectModel.name)
    description: StringFilter | None = on(DesignObjectModel.description)
    object_type: StringFilter | None = on(DesignObjectModel.object_type)
    position_x: IntFilter | None = on(DesignObjectModel.position_x)
    position_y: IntFilter | None = on(DesignObjectModel.position_y)
    complexity: IntFilter | None = on(DesignObjectModel.complexity)
    project: IDFilter | None = on(DesignObjectModel.project_id, ref="Project")
    created_by: IDFilter | None = on(DesignObjectModel.created_by, ref="User")
    created_at: DateTimeFilter | None = on(DesignObjectModel.created_at)
    updated_at: DateTimeFilter | None = on(DesignObjectModel.updated_at)


@strawberry.enum(description="Fields design objects can be ordered by.")
class DesignObjectOrderField(enum.Enum):
    POSITION_X = by(DesignObjectModel.position_x)
    POSITION_Y = by(DesignObjectModel.position_y)
    NAME = by(DesignObjectModel.name)
    OBJECT_TYPE = by(DesignObjectModel.object_type)
    COMPLEXITY = by(DesignObjectModel.complexity)
    CREATED_AT = by(DesignObjectModel.created_at)
    UPDATED_AT = by(DesignObjectModel.updated_at)
    RELEVANCE = strawberry.enum_value(
        by_relevance(),
        description="How well each node matches the `search` (needed): best first ascending.",
    )


@strawberry.input(description="One ordering term for design objects.")
class DesignObjectOrder(OrderBy[DesignObjectOrderField]):
    pass


@strawberry.input(description="Filter relationships; all given conditions must hold.")
@entity_filter
class RelationshipFilter(EntityFilter):
    id: IDFilter | None = on(RelationshipModel.id, ref="Relationship")
    relationship_type: StringFilter | None = on(RelationshipModel.relationship_type)
    cardinality: CardinalityFilter | None = on(RelationshipModel.cardinality)
    description: StringFilter | None = on(RelationshipModel.description)
    source: IDFilter | None = on(RelationshipModel.source_id, ref="DesignObject")
    target: IDFilter | None = on(RelationshipModel.target_id, ref="DesignObject")
    created_at: DateTimeFilter | None = on(RelationshipModel.created_at)


@strawberry.enum(description="Fields relationships can be ordered by.")
class RelationshipOrderField(enum.Enum):
    CREATED_AT = by(RelationshipModel.created_at)
    RELATIONSHIP_TYPE = by(RelationshipModel.relationship_type)
    CARDINALITY = by(RelationshipModel.cardinality)


@strawberry.input(description="One ordering term for relationships.")
class RelationshipOrder(OrderBy[RelationshipOrderField]):
    pass


@strawberry.input(description="Filter calls to action; all given conditions must hold.")
@entity_filter
class CallToActionFilter(EntityFilter):
    id: IDFilter | None = on(CallToActionModel.id, ref="CallToAction")
    name: StringFilter | None = on(CallToActionModel.name)
    priority: CallToActionPriorityFilter | None = on(CallToActionModel.priority)
    user_story: StringFilter | None = on(CallToActionModel.user_story)
    created_at: DateTimeFilter | None = on(CallToActionModel.created_at)


@strawberry.enum(description="Fields calls to action can be ordered by.")
class CallToActionOrderField(enum.Enum):
    CREATED_AT = by(CallToActionModel.created_at)
    NAME = by(CallToActionModel.name)
    PRIORITY = by(CallToActionModel.priority)


@strawberry.input(description="One ordering term for calls to action.")
class CallToActionOrder(OrderBy[CallToActionOrderField]):
    pass


@strawberry.input(description="Filter attributes; all given conditions must hold.")
@entity_filter
class AttributeFilter(EntityFilter):
    id: IDFilter | None = on(AttributeModel.id, ref="Attribute")
    name: StringFilter | None = on(AttributeModel.name)
    data_type: AttributeDataTypeFilter | None = on(AttributeModel.data_type)
    is_required: BooleanFilter | None = on(AttributeModel.is_required)
    created_at: DateTimeFilter | None = on(AttributeModel.created_at)


@strawberry.enum(description="Fields attributes can be ordered by.")
class AttributeOrderField(enum.Enum):
    NAME = by(AttributeModel.name)
    DATA_TYPE = by(AttributeModel.data_type)
    CREATED_AT = by(AttributeModel.created_at)


@strawberry.input(description="One ordering term for attributes.")
class AttributeOrder(OrderBy[AttributeOrderField]):
    pass
