"""Accounts in the API: users, organizations, memberships, roles, permissions, API keys."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

import models
from graph.context import Info
from graph.kernel.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.fields import to_many, to_one
from graph.kernel.filters import (
    BooleanFilter,
    DateTimeFilter,
    EntityFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    OrderDirection,
    StringFilter,
    by,
    entity_filter,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from loaders.base import Relation
from loaders.paging import OrderTerm
from models.accounts import PlanType

strawberry.enum(PlanType, description="An organization's plan.")


@strawberry.enum(description="What an API key may do, on top of its user's roles.")
class ApiKeyScope(enum.Enum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


# ---------------------------------------------------------------------------------------------
# Filters and orderings


@strawberry.input(description="Filter users; all given conditions must hold.")
@entity_filter
class UserFilter(EntityFilter):
    id: IDFilter | None = on(models.User.id, ref="User")
    email: StringFilter | None = on(models.User.email)
    full_name: StringFilter | None = on(models.User.full_name)
    is_active: BooleanFilter | None = on(models.User.is_active)
    created_at: DateTimeFilter | None = on(models.User.created_at)


@strawberry.enum(description="Fields users can be ordered by.")
class UserOrderField(enum.Enum):
    EMAIL = by(models.User.email)
    FULL_NAME = by(models.User.full_name)
    CREATED_AT = by(models.User.created_at)


@strawberry.input(description="One ordering term for users.")
class UserOrder(OrderBy[UserOrderField]):
    field: UserOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="Filter organizations; all given conditions must hold.")
@entity_filter
class OrganizationFilter(EntityFilter):
    id: IDFilter | None = on(models.Organization.id, ref="Organization")
    name: StringFilter | None = on(models.Organization.name)
    slug: StringFilter | None = on(models.Organization.slug)
    created_at: DateTimeFilter | None = on(models.Organization.created_at)


@strawberry.enum(description="Fields organizations can be ordered by.")
class OrganizationOrderField(enum.Enum):
    NAME = by(models.Organization.name)
    SLUG = by(models.Organization.slug)
    CREATED_AT = by(models.Organization.created_at)


@strawberry.input(description="One ordering term for organizations.")
class OrganizationOrder(OrderBy[OrganizationOrderField]):
    field: OrganizationOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="Filter memberships; all given conditions must hold.")
@entity_filter
class MembershipFilter(EntityFilter):
    id: IDFilter | None = on(models.Membership.id, ref="Membership")
    user: IDFilter | None = on(models.Membership.user_id, ref="User")
    organization: IDFilter | None = on(models.Membership.organization_id, ref="Organization")
    role: IDFilter | None = on(models.Membership.role_id, ref="Role")
    joined_at: DateTimeFilter | None = on(models.Membership.joined_at)


@strawberry.enum(description="Fields memberships can be ordered by.")
class MembershipOrderField(enum.Enum):
    JOINED_AT = by(models.Membership.joined_at)


@strawberry.input(description="One ordering term for memberships.")
class MembershipOrder(OrderBy[MembershipOrderField]):
    field: MembershipOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="Filter roles; all given conditions must hold.")
@entity_filter
class RoleFilter(EntityFilter):
    id: IDFilter | None = on(models.Role.id, ref="Role")
    name: StringFilter | None = on(models.Role.name)
    rank: IntFilter | None = on(models.Role.rank)


@strawberry.enum(description="Fields roles can be ordered by.")
class RoleOrderField(enum.Enum):
    NAME = by(models.Role.name)
    RANK = by(models.Role.rank)


@strawberry.input(description="One ordering term for roles.")
class RoleOrder(OrderBy[RoleOrderField]):
    field: RoleOrderField
    direction: OrderDirection = OrderDirection.ASC


# ---------------------------------------------------------------------------------------------
# Nodes. Other domains add their fields to User and Organization (graph.schema composes them).


@node_type
@strawberry.type(description="A person with an account.")
class User(Node):
    __model__ = models.User

    email: str
    full_name: str
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime

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

    name: str
    slug: str
    plan_type: PlanType
    meta_data: JSON
    created_at: datetime
    updated_at: datetime

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
    joined_at: datetime
    created_at: datetime
    updated_at: datetime

    user: User | None = to_one("user_id")
    organization: Organization | None = to_one("organization_id")
    role: Role | None = to_one("role_id")


@node_type
@strawberry.type(description="A right to perform an action on a kind of resource.")
class Permission(Node):
    __model__ = models.Permission

    resource: str
    action: str
    description: str

    @strawberry.field(description="`resource:action`, e.g. `item:create`.")
    def code(self) -> str:
        return f"{self.resource}:{self.action}"


@node_type
@strawberry.type(
    description="A named set of permissions. Built-in roles belong to no organization."
)
class Role(Node):
    __model__ = models.Role

    name: str
    description: str
    rank: int = strawberry.field(description="Higher is stronger: OWNER 100 ... VIEWER 10.")
    organization_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    def is_builtin(self) -> bool:
        return self.organization_id is None

    @strawberry.field
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

    name: str
    prefix: str = strawberry.field(description="The key's first characters, to tell keys apart.")
    scopes: strawberry.Private[list[str]]
    expires_at: datetime | None
    last_used_at: datetime | None = strawberry.field(description="Updated at most once a minute.")
    revoked_at: datetime | None
    created_at: datetime

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


# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads


@strawberry.input(description="A new account.")
class UserRegisterInput:
    email: str
    password: str = strawberry.field(description="At least 8 characters.")
    full_name: str = ""


@strawberry.type
class UserRegisterSuccess:
    user: User


UserRegisterPayload = Annotated[
    UserRegisterSuccess | ValidationError, strawberry.union("UserRegisterPayload")
]


@strawberry.input(description="Email and password. Unknown email and wrong password fail alike.")
class AuthLoginInput:
    email: str
    password: str


@strawberry.input(description="Trade a refresh token for a new token pair (the old pair dies).")
class AuthRefreshInput:
    refresh_token: str


@strawberry.input(description="End the current session, or every session of yours.")
class AuthLogoutInput:
    everywhere: bool = False


@strawberry.type(description="A token pair: send `accessToken` as `Authorization: Bearer`.")
class AuthTokens:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    user: User


AuthLoginPayload = Annotated[AuthTokens | AuthenticationError, strawberry.union("AuthLoginPayload")]
AuthRefreshPayload = Annotated[
    AuthTokens | AuthenticationError, strawberry.union("AuthRefreshPayload")
]


@strawberry.type
class AuthLogoutSuccess:
    revoked_sessions: int


AuthLogoutPayload = Annotated[
    AuthLogoutSuccess | AuthenticationError, strawberry.union("AuthLogoutPayload")
]


@strawberry.input
class ApiKeyCreateInput:
    name: str
    scopes: list[ApiKeyScope] = strawberry.field(
        default_factory=lambda: [ApiKeyScope.READ],
        description="READ: queries; WRITE: content mutations; ADMIN: organizations, members.",
    )
    expires_at: datetime | None = None


@strawberry.type
class ApiKeyCreateSuccess:
    api_key: ApiKey
    secret: str = strawberry.field(description="The key itself. Shown this once; store it now.")


ApiKeyCreatePayload = Annotated[
    ApiKeyCreateSuccess | ValidationError | AuthenticationError,
    strawberry.union("ApiKeyCreatePayload"),
]


@strawberry.input
class ApiKeyRevokeInput:
    id: strawberry.ID


@strawberry.type
class ApiKeyRevokeSuccess:
    api_key: ApiKey


ApiKeyRevokePayload = Annotated[
    ApiKeyRevokeSuccess | ValidationError | NotFoundError | AuthenticationError,
    strawberry.union("ApiKeyRevokePayload"),
]


@strawberry.input(description="A new organization; you become its OWNER.")
class OrganizationCreateInput:
    name: str
    slug: str = strawberry.field(description="Unique; lowercase letters, digits and dashes.")
    plan_type: PlanType = PlanType.FREE
    meta_data: JSON | None = None


@strawberry.input(description="Change an organization. Omitted fields stay as they are.")
class OrganizationUpdateInput:
    id: strawberry.ID
    # Nullable in the SDL so an explicit null gets a typed error, not a coercion failure.
    name: Maybe[str | None] = None
    slug: Maybe[str | None] = None
    plan_type: Maybe[PlanType | None] = None
    meta_data: Maybe[JSON | None] = None
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(
    description="Delete an organization (OWNER only). Its items stay with their owners."
)
class OrganizationDeleteInput:
    id: strawberry.ID


@strawberry.type
class OrganizationSuccess:
    organization: Organization


@strawberry.type
class OrganizationDeleteSuccess:
    deleted_id: strawberry.ID


OrganizationCreatePayload = Annotated[
    OrganizationSuccess | ValidationError | AuthenticationError,
    strawberry.union("OrganizationCreatePayload"),
]
OrganizationUpdatePayload = Annotated[
    OrganizationSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("OrganizationUpdatePayload"),
]
OrganizationDeletePayload = Annotated[
    OrganizationDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("OrganizationDeletePayload"),
]


@strawberry.input(description="Add a user (by email) to an organization with a role (ADMIN+).")
class MembershipCreateInput:
    organization: strawberry.ID
    email: str
    role: strawberry.ID


@strawberry.input(description="Give a member another role (ADMIN+; the last OWNER stays OWNER).")
class MembershipRoleChangeInput:
    id: strawberry.ID
    role: strawberry.ID


@strawberry.input(description="Remove a member (ADMIN+), or leave yourself.")
class MembershipDeleteInput:
    id: strawberry.ID


@strawberry.type
class MembershipSuccess:
    membership: Membership


@strawberry.type
class MembershipDeleteSuccess:
    deleted_id: strawberry.ID


MembershipCreatePayload = Annotated[
    MembershipSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("MembershipCreatePayload"),
]
MembershipRoleChangePayload = Annotated[
    MembershipSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("MembershipRoleChangePayload"),
]
MembershipDeletePayload = Annotated[
    MembershipDeleteSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError,
    strawberry.union("MembershipDeletePayload"),
]
