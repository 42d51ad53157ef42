"""Accounts in the Mutation type: each mutation runs an op and returns its payload."""

from __future__ import annotations

from typing import Any

import strawberry

import models
from graph.context import Info
from graph.kernel.errors import (
    AuthenticationFailed,
    MutationInput,
)
from graph.types.accounts import (
    ApiKey,
    ApiKeyCreateInput,
    ApiKeyCreatePayload,
    ApiKeyCreateSuccess,
    ApiKeyRevokeInput,
    ApiKeyRevokePayload,
    ApiKeyRevokeSuccess,
    AuthLoginInput,
    AuthLoginPayload,
    AuthLogoutInput,
    AuthLogoutPayload,
    AuthLogoutSuccess,
    AuthRefreshInput,
    AuthRefreshPayload,
    AuthTokens,
    Membership,
    MembershipCreateInput,
    MembershipCreatePayload,
    MembershipDeleteInput,
    MembershipDeletePayload,
    MembershipDeleteSuccess,
    MembershipRoleChangeInput,
    MembershipRoleChangePayload,
    MembershipSuccess,
    Organization,
    OrganizationCreateInput,
    OrganizationCreatePayload,
    OrganizationDeleteInput,
    OrganizationDeletePayload,
    OrganizationDeleteSuccess,
    OrganizationSuccess,
    OrganizationUpdateInput,
    OrganizationUpdatePayload,
    User,
    UserRegisterInput,
    UserRegisterPayload,
    UserRegisterSuccess,
)
from graph.types.accounts.two_factor import TwoFactorChallenge
from loaders.base import to_node
from resolvers.accounts.auth import (
    create_api_key,
    login,
    logout,
    refresh_tokens,
    revoke_api_key,
)
from resolvers.accounts.emails import register_and_verify
from resolvers.accounts.organizations import (
    add_member,
    change_member_role,
    create_organization,
    delete_organization,
    remove_member,
    update_organization,
)
from resolvers.accounts.two_factor import Challenge
from resolvers.writes import Writer, mutate

# ---------------------------------------------------------------------------------------------
# GraphQL


def _signed_in(
    result: tuple[models.User, dict[str, Any]] | Challenge,
) -> AuthTokens | TwoFactorChallenge:
    if isinstance(result, Challenge):
        return TwoFactorChallenge(challenge=result.challenge, expires_at=result.expires_at)
    return _tokens(result)


def _tokens(result: tuple[models.User, dict[str, Any]]) -> AuthTokens:
    user, issued = result
    session: models.AuthSession = issued["session"]
    return AuthTokens(
        access_token=issued["access"],
        access_token_expires_at=session.expires_at,
        refresh_token=issued["refresh"],
        refresh_token_expires_at=session.refresh_expires_at,
        user=to_node(User, user),
    )


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        description="Create an account with email and password; a link verifying the "
        "address is emailed to it (`emailVerify`)."
    )
    async def user_register(
        self, info: Info, input: MutationInput[UserRegisterInput]
    ) -> UserRegisterPayload:
        return await mutate(
            info,
            lambda w: register_and_verify(
                w, email=input.email, password=input.password, full_name=input.full_name
            ),
            lambda user: UserRegisterSuccess(user=to_node(User, user)),
            anonymous=True,
        )

    @strawberry.mutation(
        description="Sign in; returns an access and a refresh token, or a `TwoFactorChallenge` "
        "for `authLoginVerify` when the account has two-factor sign-in on."
    )
    async def auth_login(
        self, info: Info, input: MutationInput[AuthLoginInput]
    ) -> AuthLoginPayload:
        ctx = info.context
        # Failed attempts are throttled per account and per client address, counted in
        # PostgreSQL for every process (graph/server/throttle.py); an unknown email counts
        # like a known one, so the answer reveals nothing.
        request = getattr(ctx, "request", None)
        throttle = getattr(getattr(request, "app", None), "state", None)
        throttle = getattr(throttle, "login_throttle", None)
        keys = throttle.keys(input.email, ctx.client_ip) if throttle else []

        async def attempt(w: Writer) -> tuple[models.User, dict[str, Any]] | Challenge:
            if (
                throttle is not None
                and (wait := await throttle.retry_after(ctx.db.read_engine, keys)) is not None
            ):
                raise AuthenticationFailed(f"Too many attempts, try again in {wait} s.")
            try:
                return await login(
                    w,
                    email=input.email,
                    password=input.password,
                    ip=ctx.client_ip,
                    user_agent=ctx.user_agent,
                )
            except AuthenticationFailed:
                if throttle is not None:
                    await throttle.failed(ctx.db.read_engine, keys)
                raise

        return await mutate(info, attempt, _signed_in, anonymous=True)

    @strawberry.mutation(description="Rotate a token pair: the old refresh token stops working.")
    async def auth_refresh(
        self, info: Info, input: MutationInput[AuthRefreshInput]
    ) -> AuthRefreshPayload:
        return await mutate(
            info,
            lambda w: refresh_tokens(w, refresh_token=input.refresh_token),
            _tokens,
            anonymous=True,
        )

    @strawberry.mutation(description="Revoke this session's tokens (or all your sessions).")
    async def auth_logout(
        self, info: Info, input: MutationInput[AuthLogoutInput]
    ) -> AuthLogoutPayload:
        return await mutate(
            info,
            lambda w: logout(w, everywhere=input.everywhere),
            lambda n: AuthLogoutSuccess(revoked_sessions=n),
        )

    @strawberry.mutation(description="Create an API key; its secret is returned this once.")
    async def api_key_create(
        self, info: Info, input: MutationInput[ApiKeyCreateInput]
    ) -> ApiKeyCreatePayload:
        return await mutate(
            info,
            lambda w: create_api_key(
                w,
                name=input.name,
                scopes=[str(s.value) for s in input.scopes],  # typed as enum_value(...) by mypy
                expires_at=input.expires_at,
            ),
            lambda r: ApiKeyCreateSuccess(api_key=to_node(ApiKey, r[0]), secret=r[1]),
        )

    @strawberry.mutation(description="Revoke one of your API keys, at once.")
    async def api_key_revoke(
        self, info: Info, input: MutationInput[ApiKeyRevokeInput]
    ) -> ApiKeyRevokePayload:
        return await mutate(
            info,
            lambda w: revoke_api_key(w, id=input.id),
            lambda key: ApiKeyRevokeSuccess(api_key=to_node(ApiKey, key)),
        )

    @strawberry.mutation(description="Create an organization; you become its OWNER.")
    async def organization_create(
        self, info: Info, input: MutationInput[OrganizationCreateInput]
    ) -> OrganizationCreatePayload:
        return await mutate(
            info,
            lambda w: create_organization(w, input),
            lambda org: OrganizationSuccess(organization=to_node(Organization, org)),
        )

    @strawberry.mutation(description="Change an organization (ADMIN+).")
    async def organization_update(
        self, info: Info, input: MutationInput[OrganizationUpdateInput]
    ) -> OrganizationUpdatePayload:
        return await mutate(
            info,
            lambda w: update_organization(w, input),
            lambda org: OrganizationSuccess(organization=to_node(Organization, org)),
        )

    @strawberry.mutation(description="Delete an organization (OWNER only).")
    async def organization_delete(
        self, info: Info, input: MutationInput[OrganizationDeleteInput]
    ) -> OrganizationDeletePayload:
        return await mutate(
            info,
            lambda w: delete_organization(w, id=input.id),
            lambda _: OrganizationDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description="Add a user to an organization with a role (ADMIN+).")
    async def membership_create(
        self, info: Info, input: MutationInput[MembershipCreateInput]
    ) -> MembershipCreatePayload:
        return await mutate(
            info,
            lambda w: add_member(
                w, organization=input.organization, email=input.email, role=input.role
            ),
            lambda m: MembershipSuccess(membership=to_node(Membership, m)),
        )

    @strawberry.mutation(description="Change a member's role (ADMIN+).")
    async def membership_role_change(
        self, info: Info, input: MutationInput[MembershipRoleChangeInput]
    ) -> MembershipRoleChangePayload:
        return await mutate(
            info,
            lambda w: change_member_role(w, id=input.id, role=input.role),
            lambda m: MembershipSuccess(membership=to_node(Membership, m)),
        )

    @strawberry.mutation(description="Remove a member (ADMIN+), or leave an organization.")
    async def membership_delete(
        self, info: Info, input: MutationInput[MembershipDeleteInput]
    ) -> MembershipDeletePayload:
        return await mutate(
            info,
            lambda w: remove_member(w, id=input.id),
            lambda m: MembershipDeleteSuccess(deleted_id=input.id),
        )
