"""Accounts' mutation inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

from graph.kernel.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.types.accounts.filters import (
    ApiKeyScope,
)
from graph.types.accounts.nodes import (
    ApiKey,
    Membership,
    Organization,
    User,
)
from models.accounts import PlanType
from models.search import SearchLanguage

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
    search_language: SearchLanguage = strawberry.field(
        default=SearchLanguage.SIMPLE, description="The language to search its texts in."
    )
    meta_data: JSON | None = None


@strawberry.input(description="Change an organization. Omitted fields stay as they are.")
class OrganizationUpdateInput:
    id: strawberry.ID
    # Nullable in the SDL so an explicit null gets a typed error, not a coercion failure.
    name: Maybe[str | None] = None
    slug: Maybe[str | None] = None
    plan_type: Maybe[PlanType | None] = None
    search_language: Maybe[SearchLanguage | None] = strawberry.field(
        default=None,
        description="The language to search its texts in; every searchable row follows at "
        "once (in the same transaction).",
    )
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
