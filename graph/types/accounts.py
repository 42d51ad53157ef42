"""Accounts in the API: users, organizations, memberships, roles, permissions, API keys."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

import models
from graph.context import Info
from graph.kernel.connections import PageArgs, ToMany, ToOne, to_many, to_one
from graph.kernel.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.filters import (
    BooleanFilter,
    DateTimeFilter,
    EntityFilter,
    IDFilter,
    IntFilter,
    OrderDirection,
    Ref,
    StringFilter,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from loaders.base import OrderTerm, Relation
from models import realty as realty_models
from models.accounts import PlanType

if TYPE_CHECKING:
    from graph.types.catalog import (
        ItemConnection,
        ItemFilter,
        ItemOrder,
        TagConnection,
        TagFilter,
        TagOrder,
    )
    from graph.types.design import ProjectConnection, ProjectFilter, ProjectOrder
    from graph.types.realty import (
        ClientConnection,
        ClientFilter,
        ClientOrder,
        PropertyConnection,
        PropertyFilter,
        PropertyOrder,
    )

CATALOG = "graph.types.catalog"
REALTY = "graph.types.realty"
DESIGN = "graph.types.design"


def _catalog() -> Any:
    """The catalog types module, which imports this one: resolved when first needed."""
    import graph.types.catalog

    return graph.types.catalog


def _realty() -> Any:
    """The realty types module, which imports this one: resolved when first needed."""
    import graph.types.realty

    return graph.types.realty


def _design() -> Any:
    """The design types module, which imports this one: resolved when first needed."""
    import graph.types.design

    return graph.types.design


strawberry.enum(PlanType, description="An organization's plan.")


@strawberry.enum(description="What an API key may do, on top of its user's roles.")
class ApiKeyScope(enum.Enum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


# ---------------------------------------------------------------------------------------------
# Filters and orderings


@strawberry.input(description="Filter users; all given conditions must hold.")
class UserFilter(EntityFilter):
    id: IDFilter | None = None
    email: StringFilter | None = None
    full_name: StringFilter | None = None
    is_active: BooleanFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[UserFilter] | None = strawberry.field(name="and", default=None)
    or_: list[UserFilter] | None = strawberry.field(name="or", default=None)
    not_: UserFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.User.id, "User"),
        "email": models.User.email,
        "full_name": models.User.full_name,
        "is_active": models.User.is_active,
        "created_at": models.User.created_at,
    }


@strawberry.enum(description="Fields users can be ordered by.")
class UserOrderField(enum.Enum):
    EMAIL = "email"
    FULL_NAME = "full_name"
    CREATED_AT = "created_at"


@strawberry.input(description="One ordering term for users.")
class UserOrder:
    field: UserOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        UserOrderField.EMAIL: models.User.email,
        UserOrderField.FULL_NAME: models.User.full_name,
        UserOrderField.CREATED_AT: models.User.created_at,
    }


@strawberry.input(description="Filter organizations; all given conditions must hold.")
class OrganizationFilter(EntityFilter):
    id: IDFilter | None = None
    name: StringFilter | None = None
    slug: StringFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[OrganizationFilter] | None = strawberry.field(name="and", default=None)
    or_: list[OrganizationFilter] | None = strawberry.field(name="or", default=None)
    not_: OrganizationFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.Organization.id, "Organization"),
        "name": models.Organization.name,
        "slug": models.Organization.slug,
        "created_at": models.Organization.created_at,
    }


@strawberry.enum(description="Fields organizations can be ordered by.")
class OrganizationOrderField(enum.Enum):
    NAME = "name"
    SLUG = "slug"
    CREATED_AT = "created_at"


@strawberry.input(description="One ordering term for organizations.")
class OrganizationOrder:
    field: OrganizationOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        OrganizationOrderField.NAME: models.Organization.name,
        OrganizationOrderField.SLUG: models.Organization.slug,
        OrganizationOrderField.CREATED_AT: models.Organization.created_at,
    }


@strawberry.input(description="Filter memberships; all given conditions must hold.")
class MembershipFilter(EntityFilter):
    id: IDFilter | None = None
    user: IDFilter | None = None
    organization: IDFilter | None = None
    role: IDFilter | None = None
    joined_at: DateTimeFilter | None = None
    and_: list[MembershipFilter] | None = strawberry.field(name="and", default=None)
    or_: list[MembershipFilter] | None = strawberry.field(name="or", default=None)
    not_: MembershipFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.Membership.id, "Membership"),
        "user": Ref(models.Membership.user_id, "User"),
        "organization": Ref(models.Membership.organization_id, "Organization"),
        "role": Ref(models.Membership.role_id, "Role"),
        "joined_at": models.Membership.joined_at,
    }


@strawberry.enum(description="Fields memberships can be ordered by.")
class MembershipOrderField(enum.Enum):
    JOINED_AT = "joined_at"


@strawberry.input(description="One ordering term for memberships.")
class MembershipOrder:
    field: MembershipOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {MembershipOrderField.JOINED_AT: models.Membership.joined_at}


@strawberry.input(description="Filter roles; all given conditions must hold.")
class RoleFilter(EntityFilter):
    id: IDFilter | None = None
    name: StringFilter | None = None
    rank: IntFilter | None = None
    and_: list[RoleFilter] | None = strawberry.field(name="and", default=None)
    or_: list[RoleFilter] | None = strawberry.field(name="or", default=None)
    not_: RoleFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.Role.id, "Role"),
        "name": models.Role.name,
        "rank": models.Role.rank,
    }


@strawberry.enum(description="Fields roles can be ordered by.")
class RoleOrderField(enum.Enum):
    NAME = "name"
    RANK = "rank"


@strawberry.input(description="One ordering term for roles.")
class RoleOrder:
    field: RoleOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {RoleOrderField.NAME: models.Role.name, RoleOrderField.RANK: models.Role.rank}


USER_ORDER = (OrderTerm(models.User.created_at),)
ORGANIZATION_ORDER = (OrderTerm(models.Organization.created_at),)
MEMBERSHIP_ORDER = (OrderTerm(models.Membership.joined_at),)
ROLE_ORDER = (OrderTerm(models.Role.rank, descending=True),)
API_KEY_ORDER = (OrderTerm(models.APIKey.created_at, descending=True),)
ITEM_ORDER = (OrderTerm(models.Item.created_at),)
TAG_ORDER = (OrderTerm(models.Tag.name),)
PROPERTY_ORDER = (OrderTerm(realty_models.Property.created_at),)
CLIENT_ORDER = (OrderTerm(realty_models.Client.created_at),)
PROJECT_ORDER = (OrderTerm(models.design.Project.created_at),)

# ---------------------------------------------------------------------------------------------
# Nodes


@node_type
@strawberry.type(description="A person with an account.")
class User(Node):
    __model__ = models.User
    __relations__ = {
        "memberships": ToMany(
            lambda: MembershipConnection, lambda: Membership,
            Relation(models.Membership.user_id), MEMBERSHIP_ORDER,
        ),
        "items": ToMany(
            lambda: _catalog().ItemConnection, lambda: _catalog().Item,
            Relation(models.Item.owner_id), ITEM_ORDER,
        ),
    }  # fmt: skip

    email: str
    full_name: str
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Organizations this user belongs to (that you can see).")
    def memberships(
        self,
        info: Info,
        filter: MembershipFilter | None = None,
        order_by: list[MembershipOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MembershipConnection:
        return to_many(
            info, self, "memberships", PageArgs(filter, order_by, first, after, last, before)
        )

    @strawberry.field(description="Items this user owns (that you can see).")
    def items(
        self,
        info: Info,
        filter: Annotated[ItemFilter, strawberry.lazy(CATALOG)] | None = None,
        order_by: list[Annotated[ItemOrder, strawberry.lazy(CATALOG)]] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[ItemConnection, strawberry.lazy(CATALOG)]:
        return to_many(info, self, "items", PageArgs(filter, order_by, first, after, last, before))


@node_type
@strawberry.type(description="A tenant: it owns items, tags and everything else its members make.")
class Organization(Node):
    __model__ = models.Organization
    __relations__ = {
        "memberships": ToMany(
            lambda: MembershipConnection, lambda: Membership,
            Relation(models.Membership.organization_id), MEMBERSHIP_ORDER,
        ),
        "items": ToMany(
            lambda: _catalog().ItemConnection, lambda: _catalog().Item,
            Relation(models.Item.organization_id), ITEM_ORDER,
        ),
        "tags": ToMany(
            lambda: _catalog().TagConnection, lambda: _catalog().Tag,
            Relation(models.Tag.organization_id), TAG_ORDER,
        ),
        "properties": ToMany(
            lambda: _realty().PropertyConnection, lambda: _realty().Property,
            Relation(realty_models.Property.organization_id), PROPERTY_ORDER,
        ),
        "clients": ToMany(
            lambda: _realty().ClientConnection, lambda: _realty().Client,
            Relation(realty_models.Client.organization_id), CLIENT_ORDER,
        ),
        "projects": ToMany(
            lambda: _design().ProjectConnection, lambda: _design().Project,
            Relation(models.design.Project.organization_id), PROJECT_ORDER,
        ),
    }  # fmt: skip

    name: str
    slug: str
    plan_type: PlanType
    meta_data: JSON
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Your role here (OWNER, ADMIN, EDITOR, VIEWER or a custom one).")
    def viewer_role(self, info: Info) -> str | None:
        return info.context.viewer.roles.get(self.pk)

    @strawberry.field(description="The people in this organization and their roles.")
    def memberships(
        self,
        info: Info,
        filter: MembershipFilter | None = None,
        order_by: list[MembershipOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MembershipConnection:
        return to_many(
            info, self, "memberships", PageArgs(filter, order_by, first, after, last, before)
        )

    @strawberry.field(description="The organization's items.")
    def items(
        self,
        info: Info,
        filter: Annotated[ItemFilter, strawberry.lazy(CATALOG)] | None = None,
        order_by: list[Annotated[ItemOrder, strawberry.lazy(CATALOG)]] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[ItemConnection, strawberry.lazy(CATALOG)]:
        return to_many(info, self, "items", PageArgs(filter, order_by, first, after, last, before))

    @strawberry.field(description="The organization's tags.")
    def tags(
        self,
        info: Info,
        filter: Annotated[TagFilter, strawberry.lazy(CATALOG)] | None = None,
        order_by: list[Annotated[TagOrder, strawberry.lazy(CATALOG)]] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[TagConnection, strawberry.lazy(CATALOG)]:
        return to_many(info, self, "tags", PageArgs(filter, order_by, first, after, last, before))

    @strawberry.field(description="The organization's properties (real-estate CRM).")
    def properties(
        self,
        info: Info,
        filter: Annotated[PropertyFilter, strawberry.lazy(REALTY)] | None = None,
        order_by: list[Annotated[PropertyOrder, strawberry.lazy(REALTY)]] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[PropertyConnection, strawberry.lazy(REALTY)]:
        return to_many(
            info, self, "properties", PageArgs(filter, order_by, first, after, last, before)
        )

    @strawberry.field(description="The organization's clients (real-estate CRM).")
    def clients(
        self,
        info: Info,
        filter: Annotated[ClientFilter, strawberry.lazy(REALTY)] | None = None,
        order_by: list[Annotated[ClientOrder, strawberry.lazy(REALTY)]] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[ClientConnection, strawberry.lazy(REALTY)]:
        return to_many(
            info, self, "clients", PageArgs(filter, order_by, first, after, last, before)
        )

    @strawberry.field(description="The organization's design projects.")
    def projects(
        self,
        info: Info,
        filter: Annotated[ProjectFilter, strawberry.lazy(DESIGN)] | None = None,
        order_by: list[Annotated[ProjectOrder, strawberry.lazy(DESIGN)]] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[ProjectConnection, strawberry.lazy(DESIGN)]:
        args = PageArgs(filter, order_by, first, after, last, before)
        return to_many(info, self, "projects", args)


@node_type
@strawberry.type(description="A user's place in an organization, with a role.")
class Membership(Node):
    __model__ = models.Membership
    __relations__ = {
        "user": ToOne(lambda: User, "user_id"),
        "organization": ToOne(lambda: Organization, "organization_id"),
        "role": ToOne(lambda: Role, "role_id"),
    }

    user_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    role_id: strawberry.Private[uuid.UUID]
    joined_at: datetime
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def user(self, info: Info) -> User | None:
        return to_one(info, self, "user")

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return to_one(info, self, "organization")

    @strawberry.field
    def role(self, info: Info) -> Role | None:
        return to_one(info, self, "role")


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
class UserConnection(Connection[User]):
    pass


@strawberry.type(description="A page of organizations.")
class OrganizationConnection(Connection[Organization]):
    pass


@strawberry.type(description="A page of memberships.")
class MembershipConnection(Connection[Membership]):
    pass


@strawberry.type(description="A page of roles.")
class RoleConnection(Connection[Role]):
    pass


@strawberry.type(description="A page of API keys.")
class ApiKeyConnection(Connection[ApiKey]):
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
