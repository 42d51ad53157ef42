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
    changed_node,
    deleted_id,
    payload,
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
from graph.types.accounts.two_factor import TwoFactorChallenge
from models.accounts import PlanType
from models.search import SearchLanguage

# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads


@strawberry.input(description="A new account.")
class UserRegisterInput:
    email: str = strawberry.field(
        description="The sign-in email; must not be taken (case-insensitively)."
    )
    password: str = strawberry.field(description="At least 8 characters.")
    full_name: str = strawberry.field(default="", description="The name to show; empty by default.")


@strawberry.type(description="The `User`, as the mutation left it.")
class UserRegisterSuccess:
    user: User = changed_node()


UserRegisterPayload = Annotated[
    UserRegisterSuccess | ValidationError, payload("UserRegisterPayload")
]


@strawberry.input(description="Email and password. Unknown email and wrong password fail alike.")
class AuthLoginInput:
    email: str = strawberry.field(description="The account's email, any case.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="Trade a refresh token for a new token pair (the old pair dies).")
class AuthRefreshInput:
    refresh_token: str = strawberry.field(
        description="The `refreshToken` of your current pair; it works once."
    )


@strawberry.input(description="End the current session, or every session of yours.")
class AuthLogoutInput:
    everywhere: bool = strawberry.field(
        default=False, description="True: revoke every session of yours, not only this one."
    )


@strawberry.type(description="A token pair: send `accessToken` as `Authorization: Bearer`.")
class AuthTokens:
    access_token: str = strawberry.field(
        description="Send as `Authorization: Bearer <accessToken>` on HTTP and in "
        "`connection_init` on WebSocket."
    )
    access_token_expires_at: datetime = strawberry.field(
        description="When the access token stops working (TRELLIS_ACCESS_TOKEN_TTL, 1 hour by "
        "default); renew with `authRefresh` before."
    )
    refresh_token: str = strawberry.field(
        description="Trade it for a new pair with `authRefresh`; it works once."
    )
    refresh_token_expires_at: datetime = strawberry.field(
        description="When the refresh token stops working (TRELLIS_REFRESH_TOKEN_TTL, 30 days by "
        "default); then sign in again."
    )
    user: User = strawberry.field(description="The signed-in user.")


AuthLoginPayload = Annotated[
    AuthTokens | TwoFactorChallenge | AuthenticationError, payload("AuthLoginPayload")
]
AuthLoginVerifyPayload = Annotated[
    AuthTokens | AuthenticationError, payload("AuthLoginVerifyPayload")
]
AuthRefreshPayload = Annotated[AuthTokens | AuthenticationError, payload("AuthRefreshPayload")]


@strawberry.type(description="Signed out: the sessions' tokens no longer work.")
class AuthLogoutSuccess:
    revoked_sessions: int = strawberry.field(
        description="How many sessions were revoked (1, or all of yours with `everywhere`)."
    )


AuthLogoutPayload = Annotated[AuthLogoutSuccess | AuthenticationError, payload("AuthLogoutPayload")]


@strawberry.input(description="A new API key for yourself: a name, its scopes, an optional expiry.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description="A label to tell your keys apart, 1-200 characters.")
    scopes: list[ApiKeyScope] = strawberry.field(
        default_factory=lambda: [ApiKeyScope.READ],
        description="READ: queries; WRITE: content mutations; ADMIN: organizations, members.",
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the key stops working; must be in the future (without an offset: UTC). "
        "Null: never.",
    )


@strawberry.type(description="The `ApiKey`, as the mutation left it.")
class ApiKeyCreateSuccess:
    api_key: ApiKey = changed_node()
    secret: str = strawberry.field(description="The key itself. Shown this once; store it now.")


ApiKeyCreatePayload = Annotated[
    ApiKeyCreateSuccess | ValidationError | AuthenticationError,
    payload("ApiKeyCreatePayload"),
]


@strawberry.input(description="Which of your API keys to revoke.")
class ApiKeyRevokeInput:
    id: strawberry.ID = strawberry.field(description="The global ID of one of your API keys.")


@strawberry.type(description="The `ApiKey`, as the mutation left it.")
class ApiKeyRevokeSuccess:
    api_key: ApiKey = changed_node()


ApiKeyRevokePayload = Annotated[
    ApiKeyRevokeSuccess | ValidationError | NotFoundError | AuthenticationError,
    payload("ApiKeyRevokePayload"),
]


@strawberry.input(description="A new organization; you become its OWNER.")
class OrganizationCreateInput:
    name: str = strawberry.field(description="The display name, 1-200 characters.")
    slug: str = strawberry.field(description="Unique; lowercase letters, digits and dashes.")
    plan_type: PlanType = strawberry.field(
        default=PlanType.FREE,
        description="The plan it starts on (active from now); later changes go through "
        "`organizationPlanChange` (OWNER only).",
    )
    search_language: SearchLanguage = strawberry.field(
        default=SearchLanguage.SIMPLE, description="The language to search its texts in."
    )
    meta_data: JSON | None = strawberry.field(
        default=None, description="A JSON object to keep with the organization; `{}` by default."
    )


@strawberry.input(description="Change an organization. Omitted fields stay as they are.")
class OrganizationUpdateInput:
    id: strawberry.ID = strawberry.field(description="The organization's global ID.")
    # Nullable in the SDL so an explicit null gets a typed error, not a coercion failure.
    name: Maybe[str | None] = strawberry.field(
        default=None, description="A new display name, 1-200 characters."
    )
    slug: Maybe[str | None] = strawberry.field(
        default=None, description="A new unique slug (lowercase letters, digits and dashes)."
    )
    search_language: Maybe[SearchLanguage | None] = strawberry.field(
        default=None,
        description="The language to search its texts in; every searchable row follows at "
        "once (in the same transaction).",
    )
    meta_data: Maybe[JSON | None] = strawberry.field(
        default=None, description="A JSON object replacing the current one (not merged)."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(
    description="Delete an organization (OWNER only). Its items stay with their owners."
)
class OrganizationDeleteInput:
    id: strawberry.ID = strawberry.field(
        description="The global ID of the organization to delete (soft). Its items stay with "
        "their owners, outside any organization."
    )


@strawberry.type(description="The `Organization`, as the mutation left it.")
class OrganizationSuccess:
    organization: Organization = changed_node()


@strawberry.type(description="The `Organization` is deleted.")
class OrganizationDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


OrganizationCreatePayload = Annotated[
    OrganizationSuccess | ValidationError | AuthenticationError,
    payload("OrganizationCreatePayload"),
]
OrganizationUpdatePayload = Annotated[
    OrganizationSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("OrganizationUpdatePayload"),
]
OrganizationDeletePayload = Annotated[
    OrganizationDeleteSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError,
    payload("OrganizationDeletePayload"),
]


@strawberry.input(description="Add a user (by email) to an organization with a role (ADMIN+).")
class MembershipCreateInput:
    organization: strawberry.ID = strawberry.field(description="The organization's global ID.")
    email: str = strawberry.field(description="The email of an existing account to add.")
    role: strawberry.ID = strawberry.field(
        description="The global ID of a role (a built-in one, or the organization's own) to give."
    )


@strawberry.input(description="Give a member another role (ADMIN+; the last OWNER stays OWNER).")
class MembershipRoleChangeInput:
    id: strawberry.ID = strawberry.field(description="The membership's global ID.")
    role: strawberry.ID = strawberry.field(description="The global ID of the new role.")


@strawberry.input(description="Remove a member (ADMIN+), or leave yourself.")
class MembershipDeleteInput:
    id: strawberry.ID = strawberry.field(
        description="The global ID of the membership to end (your own to leave)."
    )


@strawberry.type(description="The `Membership`, as the mutation left it.")
class MembershipSuccess:
    membership: Membership = changed_node()


@strawberry.type(description="The `Membership` is deleted.")
class MembershipDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


MembershipCreatePayload = Annotated[
    MembershipSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("MembershipCreatePayload"),
]
MembershipRoleChangePayload = Annotated[
    MembershipSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("MembershipRoleChangePayload"),
]
MembershipDeletePayload = Annotated[
    MembershipDeleteSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError,
    payload("MembershipDeletePayload"),
]
