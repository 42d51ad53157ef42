"""What the design domain's mutations return: a success type carrying the changed object, or
one of the error types the mutation can produce."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    changed_node,
    deleted_id,
    payload,
)
from graph.types.design.nodes import (
    Attribute,
    CallToAction,
    DesignObject,
    Project,
    ProjectMember,
    Relationship,
)


@strawberry.type(description="The `Project`, as the mutation left it.")
class ProjectSuccess:
    project: Project = changed_node()


@strawberry.type(description="The `Project` is deleted.")
class ProjectDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


@strawberry.type(description="The `ProjectMember`, as the mutation left it.")
class ProjectMemberSuccess:
    project_member: ProjectMember = changed_node()


@strawberry.type(description="The `ProjectMember` is deleted.")
class ProjectMemberRemoveSuccess:
    deleted_id: strawberry.ID = deleted_id()


@strawberry.type(description="The `DesignObject`, as the mutation left it.")
class DesignObjectSuccess:
    design_object: DesignObject = changed_node()


@strawberry.type(description="The object and everything removed with it.")
class DesignObjectDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()
    deleted_relationship_ids: list[strawberry.ID] = strawberry.field(
        description="The relationships removed with it (from or to it)."
    )
    deleted_call_to_action_ids: list[strawberry.ID] = strawberry.field(
        description="The calls to action removed with it."
    )
    deleted_attribute_ids: list[strawberry.ID] = strawberry.field(
        description="The attributes removed with it."
    )


@strawberry.type(description="The `Relationship`, as the mutation left it.")
class RelationshipSuccess:
    relationship: Relationship = changed_node()


@strawberry.type(description="The `Relationship` is deleted.")
class RelationshipDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


@strawberry.type(description="The `CallToAction`, as the mutation left it.")
class CallToActionSuccess:
    call_to_action: CallToAction = changed_node()


@strawberry.type(description="The `CallToAction` is deleted.")
class CallToActionDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


@strawberry.type(description="The `Attribute`, as the mutation left it.")
class AttributeSuccess:
    attribute: Attribute = changed_node()


@strawberry.type(description="The `Attribute` is deleted.")
class AttributeDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


_Errors = ValidationError | NotFoundError | PermissionDeniedError | ConflictError

ProjectCreatePayload = Annotated[ProjectSuccess | _Errors, payload("ProjectCreatePayload")]
ProjectUpdatePayload = Annotated[ProjectSuccess | _Errors, payload("ProjectUpdatePayload")]
ProjectDeletePayload = Annotated[ProjectDeleteSuccess | _Errors, payload("ProjectDeletePayload")]
ProjectMemberAddPayload = Annotated[
    ProjectMemberSuccess | _Errors, payload("ProjectMemberAddPayload")
]
ProjectMemberRoleChangePayload = Annotated[
    ProjectMemberSuccess | _Errors,
    payload("ProjectMemberRoleChangePayload"),
]
ProjectMemberRemovePayload = Annotated[
    ProjectMemberRemoveSuccess | _Errors, payload("ProjectMemberRemovePayload")
]
DesignObjectCreatePayload = Annotated[
    DesignObjectSuccess | _Errors, payload("DesignObjectCreatePayload")
]
DesignObjectUpdatePayload = Annotated[
    DesignObjectSuccess | _Errors, payload("DesignObjectUpdatePayload")
]
DesignObjectMovePayload = Annotated[
    DesignObjectSuccess | _Errors, payload("DesignObjectMovePayload")
]
DesignObjectDeletePayload = Annotated[
    DesignObjectDeleteSuccess | _Errors, payload("DesignObjectDeletePayload")
]
RelationshipCreatePayload = Annotated[
    RelationshipSuccess | _Errors, payload("RelationshipCreatePayload")
]
RelationshipUpdatePayload = Annotated[
    RelationshipSuccess | _Errors, payload("RelationshipUpdatePayload")
]
RelationshipDeletePayload = Annotated[
    RelationshipDeleteSuccess | _Errors, payload("RelationshipDeletePayload")
]
CallToActionCreatePayload = Annotated[
    CallToActionSuccess | _Errors, payload("CallToActionCreatePayload")
]
CallToActionUpdatePayload = Annotated[
    CallToActionSuccess | _Errors, payload("CallToActionUpdatePayload")
]
CallToActionDeletePayload = Annotated[
    CallToActionDeleteSuccess | _Errors, payload("CallToActionDeletePayload")
]
AttributeCreatePayload = Annotated[AttributeSuccess | _Errors, payload("AttributeCreatePayload")]
AttributeUpdatePayload = Annotated[AttributeSuccess | _Errors, payload("AttributeUpdatePayload")]
AttributeDeletePayload = Annotated[
    AttributeDeleteSuccess | _Errors, payload("AttributeDeletePayload")
]
