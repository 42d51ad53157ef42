"""What the design domain's mutations return: a success type carrying the changed object, or
one of the error types the mutation can produce."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.kernel.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from graph.types.design.nodes import (
    Attribute,
    CallToAction,
    DesignObject,
    Project,
    ProjectMember,
    Relationship,
)


@strawberry.type
class ProjectSuccess:
    project: Project


@strawberry.type
class ProjectDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class ProjectMemberSuccess:
    project_member: ProjectMember


@strawberry.type
class ProjectMemberRemoveSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class DesignObjectSuccess:
    design_object: DesignObject


@strawberry.type(description="The object and everything removed with it.")
class DesignObjectDeleteSuccess:
    deleted_id: strawberry.ID
    deleted_relationship_ids: list[strawberry.ID]
    deleted_call_to_action_ids: list[strawberry.ID]
    deleted_attribute_ids: list[strawberry.ID]


@strawberry.type
class RelationshipSuccess:
    relationship: Relationship


@strawberry.type
class RelationshipDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class CallToActionSuccess:
    call_to_action: CallToAction


@strawberry.type
class CallToActionDeleteSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class AttributeSuccess:
    attribute: Attribute


@strawberry.type
class AttributeDeleteSuccess:
    deleted_id: strawberry.ID


_Errors = ValidationError | NotFoundError | PermissionDeniedError | ConflictError

ProjectCreatePayload = Annotated[ProjectSuccess | _Errors, strawberry.union("ProjectCreatePayload")]
ProjectUpdatePayload = Annotated[ProjectSuccess | _Errors, strawberry.union("ProjectUpdatePayload")]
ProjectDeletePayload = Annotated[
    ProjectDeleteSuccess | _Errors, strawberry.union("ProjectDeletePayload")
]
ProjectMemberAddPayload = Annotated[
    ProjectMemberSuccess | _Errors, strawberry.union("ProjectMemberAddPayload")
]
ProjectMemberRoleChangePayload = Annotated[
    ProjectMemberSuccess | _Errors,
    strawberry.union("ProjectMemberRoleChangePayload"),
]
ProjectMemberRemovePayload = Annotated[
    ProjectMemberRemoveSuccess | _Errors, strawberry.union("ProjectMemberRemovePayload")
]
DesignObjectCreatePayload = Annotated[
    DesignObjectSuccess | _Errors, strawberry.union("DesignObjectCreatePayload")
]
DesignObjectUpdatePayload = Annotated[
    DesignObjectSuccess | _Errors, strawberry.union("DesignObjectUpdatePayload")
]
DesignObjectMovePayload = Annotated[
    DesignObjectSuccess | _Errors, strawberry.union("DesignObjectMovePayload")
]
DesignObjectDeletePayload = Annotated[
    DesignObjectDeleteSuccess | _Errors, strawberry.union("DesignObjectDeletePayload")
]
RelationshipCreatePayload = Annotated[
    RelationshipSuccess | _Errors, strawberry.union("RelationshipCreatePayload")
]
RelationshipUpdatePayload = Annotated[
    RelationshipSuccess | _Errors, strawberry.union("RelationshipUpdatePayload")
]
RelationshipDeletePayload = Annotated[
    RelationshipDeleteSuccess | _Errors, strawberry.union("RelationshipDeletePayload")
]
CallToActionCreatePayload = Annotated[
    CallToActionSuccess | _Errors, strawberry.union("CallToActionCreatePayload")
]
CallToActionUpdatePayload = Annotated[
    CallToActionSuccess | _Errors, strawberry.union("CallToActionUpdatePayload")
]
CallToActionDeletePayload = Annotated[
    CallToActionDeleteSuccess | _Errors, strawberry.union("CallToActionDeletePayload")
]
AttributeCreatePayload = Annotated[
    AttributeSuccess | _Errors, strawberry.union("AttributeCreatePayload")
]
AttributeUpdatePayload = Annotated[
    AttributeSuccess | _Errors, strawberry.union("AttributeUpdatePayload")
]
AttributeDeletePayload = Annotated[
    AttributeDeleteSuccess | _Errors, strawberry.union("AttributeDeletePayload")
]
