"""The design domain's mutations: each parses its input, calls an op and returns a payload."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from graph.context import Info
from graph.kernel.errors import MutationInput
from graph.kernel.ids import to_global_id
from graph.types.design import Attribute as AttributeNode
from graph.types.design import (
    AttributeCreateInput,
    AttributeCreatePayload,
    AttributeDeleteInput,
    AttributeDeletePayload,
    AttributeDeleteSuccess,
    AttributeSuccess,
    AttributeUpdateInput,
    AttributeUpdatePayload,
    CallToActionCreateInput,
    CallToActionCreatePayload,
    CallToActionDeleteInput,
    CallToActionDeletePayload,
    CallToActionDeleteSuccess,
    CallToActionSuccess,
    CallToActionUpdateInput,
    CallToActionUpdatePayload,
    DesignObjectCreateInput,
    DesignObjectCreatePayload,
    DesignObjectDeleteInput,
    DesignObjectDeletePayload,
    DesignObjectDeleteSuccess,
    DesignObjectMoveInput,
    DesignObjectMovePayload,
    DesignObjectSuccess,
    DesignObjectUpdateInput,
    DesignObjectUpdatePayload,
    ProjectCreateInput,
    ProjectCreatePayload,
    ProjectDeleteInput,
    ProjectDeletePayload,
    ProjectDeleteSuccess,
    ProjectMemberAddInput,
    ProjectMemberAddPayload,
    ProjectMemberRemoveInput,
    ProjectMemberRemovePayload,
    ProjectMemberRemoveSuccess,
    ProjectMemberRoleChangeInput,
    ProjectMemberRoleChangePayload,
    ProjectMemberSuccess,
    ProjectSuccess,
    ProjectUpdateInput,
    ProjectUpdatePayload,
    RelationshipCreateInput,
    RelationshipCreatePayload,
    RelationshipDeleteInput,
    RelationshipDeletePayload,
    RelationshipDeleteSuccess,
    RelationshipSuccess,
    RelationshipUpdateInput,
    RelationshipUpdatePayload,
)
from graph.types.design import CallToAction as CallToActionNode
from graph.types.design import DesignObject as DesignObjectNode
from graph.types.design import Project as ProjectNode
from graph.types.design import ProjectMember as ProjectMemberNode
from graph.types.design import Relationship as RelationshipNode
from loaders.base import to_node
from resolvers.design.matrix import (
    create_attribute,
    create_call_to_action,
    create_object,
    create_relationship,
    delete_attribute,
    delete_call_to_action,
    delete_object,
    delete_relationship,
    move_object,
    update_attribute,
    update_call_to_action,
    update_object,
    update_relationship,
)
from resolvers.design.projects import (
    add_project_member,
    change_project_member_role,
    create_project,
    delete_project,
    remove_project_member,
    update_project,
)
from resolvers.writes import mutate


def _gids(type_name: str, pks: list[uuid.UUID]) -> list[strawberry.ID]:
    return [strawberry.ID(to_global_id(type_name, pk)) for pk in pks]


def _project(project: Any) -> ProjectSuccess:
    return ProjectSuccess(project=to_node(ProjectNode, project))


def _member(member: Any) -> ProjectMemberSuccess:
    return ProjectMemberSuccess(project_member=to_node(ProjectMemberNode, member))


def _object(obj: Any) -> DesignObjectSuccess:
    return DesignObjectSuccess(design_object=to_node(DesignObjectNode, obj))


def _relationship(rel: Any) -> RelationshipSuccess:
    return RelationshipSuccess(relationship=to_node(RelationshipNode, rel))


def _call_to_action(cta: Any) -> CallToActionSuccess:
    return CallToActionSuccess(call_to_action=to_node(CallToActionNode, cta))


def _attribute(attribute: Any) -> AttributeSuccess:
    return AttributeSuccess(attribute=to_node(AttributeNode, attribute))


_CONTENT = "Needs `item:update` (EDITOR+) and not being a project VIEWER."
_MEMBERS = "Needs `membership:update` (organization OWNER/ADMIN) or being a project OWNER."


@strawberry.type
class DesignMutation:
    @strawberry.mutation(
        description="Create a project (`item:create`, EDITOR+); you become its OWNER member."
    )
    async def project_create(
        self, info: Info, input: MutationInput[ProjectCreateInput]
    ) -> ProjectCreatePayload:
        return await mutate(info, lambda w: create_project(w, input), _project)

    @strawberry.mutation(description=f"Change a project. {_CONTENT}")
    async def project_update(
        self, info: Info, input: MutationInput[ProjectUpdateInput]
    ) -> ProjectUpdatePayload:
        return await mutate(info, lambda w: update_project(w, input), _project)

    @strawberry.mutation(
        description="Delete a project (soft; everything in it disappears with it). Needs "
        "`item:delete` (EDITOR+) and not being a project VIEWER."
    )
    async def project_delete(
        self, info: Info, input: MutationInput[ProjectDeleteInput]
    ) -> ProjectDeletePayload:
        return await mutate(
            info,
            lambda w: delete_project(w, id=input.id),
            lambda _: ProjectDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(
        description=f"Give a member of the project's organization a project role. {_MEMBERS}"
    )
    async def project_member_add(
        self, info: Info, input: MutationInput[ProjectMemberAddInput]
    ) -> ProjectMemberAddPayload:
        return await mutate(info, lambda w: add_project_member(w, input), _member)

    @strawberry.mutation(description=f"Change a project member's role. {_MEMBERS}")
    async def project_member_role_change(
        self, info: Info, input: MutationInput[ProjectMemberRoleChangeInput]
    ) -> ProjectMemberRoleChangePayload:
        return await mutate(info, lambda w: change_project_member_role(w, input), _member)

    @strawberry.mutation(description=f"Take a project role away. {_MEMBERS}")
    async def project_member_remove(
        self, info: Info, input: MutationInput[ProjectMemberRemoveInput]
    ) -> ProjectMemberRemovePayload:
        return await mutate(
            info,
            lambda w: remove_project_member(w, id=input.id),
            lambda _: ProjectMemberRemoveSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description=f"Place a new object in a free cell. {_CONTENT}")
    async def design_object_create(
        self, info: Info, input: MutationInput[DesignObjectCreateInput]
    ) -> DesignObjectCreatePayload:
        return await mutate(info, lambda w: create_object(w, input), _object)

    @strawberry.mutation(description=f"Change an object. {_CONTENT}")
    async def design_object_update(
        self, info: Info, input: MutationInput[DesignObjectUpdateInput]
    ) -> DesignObjectUpdatePayload:
        return await mutate(info, lambda w: update_object(w, input), _object)

    @strawberry.mutation(
        description=f"Move an object to another cell; an occupied cell is a conflict. {_CONTENT}"
    )
    async def design_object_move(
        self, info: Info, input: MutationInput[DesignObjectMoveInput]
    ) -> DesignObjectMovePayload:
        return await mutate(info, lambda w: move_object(w, input), _object)

    @strawberry.mutation(
        description="Delete an object with its relationships (both directions), calls to "
        f"action and attributes, in one transaction. {_CONTENT}"
    )
    async def design_object_delete(
        self, info: Info, input: MutationInput[DesignObjectDeleteInput]
    ) -> DesignObjectDeletePayload:
        return await mutate(
            info,
            lambda w: delete_object(w, id=input.id),
            lambda removed: DesignObjectDeleteSuccess(
                deleted_id=input.id,
                deleted_relationship_ids=_gids("Relationship", removed.relationships),
                deleted_call_to_action_ids=_gids("CallToAction", removed.calls_to_action),
                deleted_attribute_ids=_gids("Attribute", removed.attributes),
            ),
        )

    @strawberry.mutation(description=f"Relate two objects of one project. {_CONTENT}")
    async def relationship_create(
        self, info: Info, input: MutationInput[RelationshipCreateInput]
    ) -> RelationshipCreatePayload:
        return await mutate(info, lambda w: create_relationship(w, input), _relationship)

    @strawberry.mutation(description=f"Change a relationship. {_CONTENT}")
    async def relationship_update(
        self, info: Info, input: MutationInput[RelationshipUpdateInput]
    ) -> RelationshipUpdatePayload:
        return await mutate(info, lambda w: update_relationship(w, input), _relationship)

    @strawberry.mutation(description=f"Delete a relationship. {_CONTENT}")
    async def relationship_delete(
        self, info: Info, input: MutationInput[RelationshipDeleteInput]
    ) -> RelationshipDeletePayload:
        return await mutate(
            info,
            lambda w: delete_relationship(w, id=input.id),
            lambda _: RelationshipDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description=f"Add a call to action to an object. {_CONTENT}")
    async def call_to_action_create(
        self, info: Info, input: MutationInput[CallToActionCreateInput]
    ) -> CallToActionCreatePayload:
        return await mutate(info, lambda w: create_call_to_action(w, input), _call_to_action)

    @strawberry.mutation(description=f"Change a call to action. {_CONTENT}")
    async def call_to_action_update(
        self, info: Info, input: MutationInput[CallToActionUpdateInput]
    ) -> CallToActionUpdatePayload:
        return await mutate(info, lambda w: update_call_to_action(w, input), _call_to_action)

    @strawberry.mutation(description=f"Delete a call to action. {_CONTENT}")
    async def call_to_action_delete(
        self, info: Info, input: MutationInput[CallToActionDeleteInput]
    ) -> CallToActionDeletePayload:
        return await mutate(
            info,
            lambda w: delete_call_to_action(w, id=input.id),
            lambda _: CallToActionDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description=f"Add an attribute to an object. {_CONTENT}")
    async def attribute_create(
        self, info: Info, input: MutationInput[AttributeCreateInput]
    ) -> AttributeCreatePayload:
        return await mutate(info, lambda w: create_attribute(w, input), _attribute)

    @strawberry.mutation(description=f"Change an attribute. {_CONTENT}")
    async def attribute_update(
        self, info: Info, input: MutationInput[AttributeUpdateInput]
    ) -> AttributeUpdatePayload:
        return await mutate(info, lambda w: update_attribute(w, input), _attribute)

    @strawberry.mutation(description=f"Delete an attribute. {_CONTENT}")
    async def attribute_delete(
        self, info: Info, input: MutationInput[AttributeDeleteInput]
    ) -> AttributeDeletePayload:
        return await mutate(
            info,
            lambda w: delete_attribute(w, id=input.id),
            lambda _: AttributeDeleteSuccess(deleted_id=input.id),
        )
