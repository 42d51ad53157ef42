"""Accounts' nodes and connections: users, organizations, memberships, roles, permissions,
API keys. Other domains add their fields to User and Organization (graph.schema composes them)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

import models
from graph.context import Info
from graph.kernel.fields import to_many, to_one
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node, created, updated
from graph.types.accounts.filters import (
    ApiKeyScope,
    MembershipFilter,
    MembershipOrder,
    OrganizationFilter,
    OrganizationOrder,
    RoleFilter,
    RoleOrder,
    UserFilter,
    UserOrder,
)
from loaders.base import Relation
from loaders.paging import OrderTerm
from models.accounts import PlanType
from models.search import SearchLanguage

# ---------------------------------------------------------------------------------------------
# Nodes. Other domains add their fields to User and Organization (graph.schema composes them).


@node_type
@strawberry.type(description="A person with an account.")
class User(Node):
    __model__ = models.User

    email: str = strawberry.field(description="The sign-in email (unique, case-insensitively).")
    full_name: str = strawberry.field(description="The name to show; may be empty.")
    is_active: bool = strawberry.field(
        description="False once the account is disabled: it can no longer sign in."
    )
    last_login_at: datetime | None = strawberry.field(
        description="When the user last signed in with a password; null if never."
    )
    email_verified_at: datetime | None = strawberry.field(
        description="When `email` was proven to be the user's (an emailed link followed: "
        "`emailVerify`, an invitation or a password reset); null until then."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()

    memberships: MembershipConnection = to_many(
        models.Membership.user_id,
        description="Organizations this user belongs to (that you can see).",
    )


def _viewer_role(self: Organization, info: Info) -> str | None:
    return info.context.viewer.roles.get(self.pk)


@node_type
@strawberry.type(description="A tenant: it owns items, tags and everything else its members make.")
class Organization(Node):
    __model__ = models.Organization

    name: str = strawberry.field(description="The display name, 1-200 characters.")
    slug: str = strawberry.field(
        description="A unique, URL-safe name (lowercase letters, digits and dashes); see "
        "`organizationBySlug`."
    )
    plan_type: PlanType = strawberry.field(description="The organization's plan.")
    search_language: SearchLanguage = strawberry.field(
        description="The language its items, properties, clients and design projects are "
        "searched in (`search:` on their connections); SIMPLE until changed."
    )
    meta_data: JSON = strawberry.field(
        description="Free-form JSON object the clients keep with the organization."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()
    archived_at: datetime | None = strawberry.field(
        description="When it was archived; null when it is not. Archived nodes drop out of "
        "lists (unless `includeArchived: true`) and cannot be changed until restored."
    )

    viewer_role: str | None = strawberry.field(
        resolver=_viewer_role,
        description="Your role here (OWNER, ADMIN, EDITOR, VIEWER or a custom one).",
    )
    memberships: MembershipConnection = to_many(
        models.Membership.organization_id,
        description="The people in this organization and their roles.",
    )


@node_type
@strawberry.type(description="A user's place in an organization, with a role.")
class Membership(Node):
    __model__ = models.Membership

    user_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    role_id: strawberry.Private[uuid.UUID]
    joined_at: datetime = strawberry.field(description="When the user joined the organization.")
    created_at: datetime = created()
    updated_at: datetime = updated()

    user: User | None = to_one("user_id", description="The member; null if you cannot see them.")
    organization: Organization | None = to_one(
        "organization_id", description="The organization joined."
    )
    role: Role | None = to_one(
        "role_id",
        description="The member's role in the organization: it decides what they may change.",
    )


@node_type
@strawberry.type(description="A right to perform an action on a kind of resource.")
class Permission(Node):
    __model__ = models.Permission

    resource: str = strawberry.field(description="The kind of thing, e.g. `item`, `membership`.")
    action: str = strawberry.field(
        description="What may be done to it: `read`, `create`, `update`, `delete`..."
    )
    description: str = strawberry.field(description="What the permission allows, in words.")

    @strawberry.field(description="`resource:action`, e.g. `item:create`.")
    def code(self) -> str:
        return f"{self.resource}:{self.action}"


@node_type
@strawberry.type(
    description="A named set of permissions. Built-in roles belong to no organization."
)
class Role(Node):
    __model__ = models.Role

    name: str = strawberry.field(
        description="OWNER, ADMIN, EDITOR, VIEWER for the built-in roles; an organization's own "
        "otherwise."
    )
    description: str = strawberry.field(description="What the role is for, in words.")
    rank: int = strawberry.field(description="Higher is stronger: OWNER 100 ... VIEWER 10.")
    organization_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(
        description="True for OWNER, ADMIN, EDITOR and VIEWER, which every organization shares."
    )
    def is_builtin(self) -> bool:
        return self.organization_id is None

    @strawberry.field(description="What the role allows, ordered by resource and action.")
    async def permissions(self, info: Info) -> list[Permission]:
        loader = info.context.loaders.lists(
            "role.permissions",
            Permission,
            Relation(
                models.role_permissions.c.role_id,
                models.role_permissions,
                models.role_permissions.c.permission_id == models.Permission.id,
            ),
            (OrderTerm(models.Permission.resource), OrderTerm(models.Permission.action)),
        )
        return await loader.load(self.pk)


@node_type
@strawberry.type(name="ApiKey", description="A long-lived credential; the secret is shown once.")
class ApiKey(Node):
    __model__ = models.APIKey

    name: str = strawberry.field(description="A label to tell your keys apart.")
    prefix: str = strawberry.field(description="The key's first characters, to tell keys apart.")
    scopes: strawberry.Private[list[str]]
    expires_at: datetime | None = strawberry.field(
        description="When the key stops working; null: never."
    )
    last_used_at: datetime | None = strawberry.field(description="Updated at most once a minute.")
    revoked_at: datetime | None = strawberry.field(
        description="When the key was revoked (`apiKeyRevoke`); null while it works."
    )
    created_at: datetime = created()

    @strawberry.field(name="scopes", description="What the key may do.")
    def scope_list(self) -> list[ApiKeyScope]:
        return [ApiKeyScope(s) for s in self.scopes]


# ---------------------------------------------------------------------------------------------
# Connections


@strawberry.type(description="A page of users.")
class UserConnection(
    Connection[User],
    filter=UserFilter,
    order=UserOrder,
    default_order=OrderTerm(models.User.created_at),
):
    pass


@strawberry.type(description="A page of organizations.")
class OrganizationConnection(
    Connection[Organization],
    filter=OrganizationFilter,
    order=OrganizationOrder,
    default_order=OrderTerm(models.Organization.created_at),
):
    pass


@strawberry.type(description="A page of memberships.")
class MembershipConnection(
    Connection[Membership],
    filter=MembershipFilter,
    order=MembershipOrder,
    default_order=OrderTerm(models.Membership.joined_at),
):
    pass


@strawberry.type(description="A page of roles.")
class RoleConnection(
    Connection[Role],
    filter=RoleFilter,
    order=RoleOrder,
    default_order=OrderTerm(models.Role.rank, descending=True),
):
    pass


@strawberry.type(description="A page of API keys.")
class ApiKeyConnection(
    Connection[ApiKey], default_order=OrderTerm(models.APIKey.created_at, descending=True)
):
    pass
