"""Accounts: registration, login, tokens, API keys, organizations and their members."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy import func, select

import models
from graph.auth import (
    ACCESS_PREFIX,
    API_KEY_PREFIX,
    REFRESH_PREFIX,
    hash_password,
    hash_token,
    new_token,
    verify_password,
)
from graph.compiled import ById, ByViewer, RootList, compiled_as
from graph.context import Info
from graph.kernel.connections import PageArgs, root_connection
from graph.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FieldErrorCode,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from graph.kernel.filters import StringFilter
from graph.settings import get_settings
from graph.types.accounts import (
    API_KEY_ORDER,
    ORGANIZATION_ORDER,
    ROLE_ORDER,
    USER_ORDER,
    ApiKey,
    ApiKeyConnection,
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
    OrganizationConnection,
    OrganizationCreateInput,
    OrganizationCreatePayload,
    OrganizationDeleteInput,
    OrganizationDeletePayload,
    OrganizationDeleteSuccess,
    OrganizationFilter,
    OrganizationOrder,
    OrganizationSuccess,
    OrganizationUpdateInput,
    OrganizationUpdatePayload,
    Role,
    RoleConnection,
    RoleFilter,
    RoleOrder,
    User,
    UserConnection,
    UserFilter,
    UserOrder,
    UserRegisterInput,
    UserRegisterPayload,
    UserRegisterSuccess,
)
from loaders.base import to_node
from models.accounts import OWNER
from resolvers.node import get_node
from resolvers.validation import Checks
from resolvers.writes import Writer, mutate


def _now() -> datetime:
    return datetime.now(UTC)


def _require_login(writer: Writer) -> uuid.UUID:
    if writer.viewer.user_id is None:
        raise AuthenticationFailed("Sign in first.")
    return writer.viewer.user_id


# ---------------------------------------------------------------------------------------------
# Ops: users and sessions


async def register_user(
    writer: Writer, *, email: str, password: str, full_name: str = ""
) -> models.User:
    checks = Checks()
    email = checks.email(["email"], email)
    password = checks.password(["password"], password)
    full_name = checks.text(["fullName"], full_name, min_length=0, max_length=200)
    checks.done()
    taken = await writer.session.scalar(
        select(func.count()).select_from(models.User).where(func.lower(models.User.email) == email)
    )
    if taken:
        raise ValidationFailed.one(
            ["email"], FieldErrorCode.ALREADY_EXISTS, "An account with this email already exists."
        )
    return await writer.create(
        models.User(email=email, password_hash=hash_password(password), full_name=full_name)
    )


async def _issue_tokens(writer: Writer, session: models.AuthSession) -> dict[str, Any]:
    settings = get_settings()
    access, refresh = new_token(ACCESS_PREFIX), new_token(REFRESH_PREFIX)
    now = _now()
    values = {
        "token_hash": hash_token(access),
        "refresh_token_hash": hash_token(refresh),
        "expires_at": now + timedelta(seconds=settings.access_token_ttl_seconds),
        "refresh_expires_at": now + timedelta(seconds=settings.refresh_token_ttl_seconds),
    }
    if session.id is None:
        for name, value in values.items():
            setattr(session, name, value)
        await writer.create(session)
    else:
        await writer.update(session, values)
    return {"access": access, "refresh": refresh, "session": session}


async def login(
    writer: Writer, *, email: str, password: str, ip: str | None, user_agent: str | None
) -> tuple[models.User, dict[str, Any]]:
    failure = AuthenticationFailed("Invalid email or password.")
    user = await writer.session.scalar(
        select(models.User).where(
            func.lower(models.User.email) == email.strip().lower(),
            models.User.deleted_at.is_(None),
        )
    )
    ok, new_hash = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise failure
    changes: dict[str, Any] = {"last_login_at": _now()}
    if new_hash:
        changes["password_hash"] = new_hash
    await writer.update(user, changes)
    session = models.AuthSession(
        user_id=user.id, ip=ip, user_agent=(user_agent or "")[:512] or None
    )
    issued = await _issue_tokens(writer, session)
    writer.signed_in_as = issued["access"]
    return user, issued


async def refresh_tokens(
    writer: Writer, *, refresh_token: str
) -> tuple[models.User, dict[str, Any]]:
    session = await writer.session.scalar(
        select(models.AuthSession)
        .where(
            models.AuthSession.refresh_token_hash == hash_token(refresh_token),
            models.AuthSession.revoked_at.is_(None),
            models.AuthSession.refresh_expires_at > func.now(),
        )
        .with_for_update()
    )
    if session is None:
        raise AuthenticationFailed("The refresh token is invalid, expired or revoked.")
    user = await writer.session.get(models.User, session.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise AuthenticationFailed("The refresh token is invalid, expired or revoked.")
    issued = await _issue_tokens(writer, session)
    writer.signed_in_as = issued["access"]
    return user, issued


def _require_account_scope(writer: Writer) -> uuid.UUID:
    """Managing credentials takes a session, or an API key that may write."""
    user_id = _require_login(writer)
    if not writer.viewer.may_write():
        raise AuthenticationFailed("This API key may only read.")
    return user_id


async def logout(writer: Writer, *, everywhere: bool) -> int:
    user_id = _require_account_scope(writer)
    stmt = select(models.AuthSession).where(
        models.AuthSession.user_id == user_id, models.AuthSession.revoked_at.is_(None)
    )
    if not everywhere:
        if writer.viewer.session_id is None:
            raise AuthenticationFailed("This credential is an API key; revoke it instead.")
        stmt = stmt.where(models.AuthSession.id == writer.viewer.session_id)
    sessions = (await writer.session.scalars(stmt.with_for_update())).all()
    now = _now()
    for session in sessions:
        await writer.update(session, {"revoked_at": now})
    return len(sessions)


async def create_api_key(
    writer: Writer, *, name: str, scopes: list[str], expires_at: datetime | None
) -> tuple[models.APIKey, str]:
    user_id = _require_login(writer)
    checks = Checks()
    name = checks.text(["name"], name)
    if not scopes:
        checks.fail(["scopes"], FieldErrorCode.REQUIRED, "Give the key at least one scope.")
    if not set(scopes) <= writer.viewer.scopes:
        checks.fail(["scopes"], FieldErrorCode.INVALID, "A key cannot have scopes you lack.")
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)  # a time without an offset is UTC
    if expires_at is not None and expires_at <= _now():
        checks.fail(["expiresAt"], FieldErrorCode.OUT_OF_RANGE, "Must be in the future.")
    checks.done()
    secret = new_token(API_KEY_PREFIX)
    key = await writer.create(
        models.APIKey(
            user_id=user_id,
            name=name,
            prefix=secret[: len(API_KEY_PREFIX) + 4],
            key_hash=hash_token(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
    )
    return key, secret


async def revoke_api_key(writer: Writer, *, id: str) -> models.APIKey:
    _require_account_scope(writer)
    key = await writer.get(models.APIKey, id, type_name="ApiKey")
    if key.revoked_at is None:
        await writer.update(key, {"revoked_at": _now()})
    return key


# ---------------------------------------------------------------------------------------------
# Ops: organizations and members


async def _builtin_role(writer: Writer, name: str) -> models.Role:
    role = await writer.session.scalar(
        select(models.Role).where(models.Role.name == name, models.Role.organization_id.is_(None))
    )
    assert role is not None, f"built-in role {name} missing: run the migrations"
    return role


async def create_organization(
    writer: Writer, *, name: str, slug: str, plan_type: Any, meta_data: Any
) -> models.Organization:
    user_id = _require_login(writer)
    if not writer.viewer.may_write():
        raise AuthenticationFailed("This API key cannot write.")
    checks = Checks()
    name = checks.text(["name"], name)
    slug = checks.slug(["slug"], slug)
    meta = checks.json_object(["metaData"], meta_data if meta_data is not None else {})
    checks.done()
    org = await writer.create(
        models.Organization(name=name, slug=slug, plan_type=plan_type, meta_data=meta)
    )
    owner = await _builtin_role(writer, OWNER)
    await writer.create(
        models.Membership(user_id=user_id, organization_id=org.id, role_id=owner.id)
    )
    return org


async def update_organization(writer: Writer, data: OrganizationUpdateInput) -> models.Organization:
    org = await writer.get(models.Organization, data.id, type_name="Organization")
    writer.require("organization:update", org.id)
    checks, values = Checks(), dict[str, Any]()
    if data.name is not None:
        values["name"] = checks.text(["name"], data.name.value)
    if data.slug is not None:
        values["slug"] = checks.slug(["slug"], data.slug.value)
    if data.plan_type is not None:
        values["plan_type"] = checks.present(["planType"], data.plan_type.value)
    if data.meta_data is not None:
        values["meta_data"] = checks.json_object(["metaData"], data.meta_data.value)
    checks.done()
    return await writer.update(org, values, seen_updated_at=data.updated_at)


async def delete_organization(writer: Writer, *, id: str) -> models.Organization:
    org = await writer.get(models.Organization, id, type_name="Organization")
    writer.require("organization:delete", org.id)
    # Items outlive their organization and stay with their owners (as a hard delete's
    # ON DELETE SET NULL would leave them).
    await writer.update_where(
        models.Item,
        models.Item.organization_id == org.id,
        {"organization_id": None},
        {"organization_id": org.id},
    )
    await writer.delete(org)
    return org


async def _role(writer: Writer, global_id: str, organization_id: uuid.UUID) -> models.Role:
    role = await writer.get(models.Role, global_id, type_name="Role", path=("role",), lock=False)
    if role.organization_id not in (None, organization_id):
        raise NotFound("Role", global_id, ("role",))
    return role


async def _viewer_rank(writer: Writer, organization_id: uuid.UUID) -> int:
    if writer.viewer.is_superuser:
        return 1000
    rank = await writer.session.scalar(
        select(models.Role.rank)
        .join(models.Membership, models.Membership.role_id == models.Role.id)
        .where(
            models.Membership.organization_id == organization_id,
            models.Membership.user_id == writer.viewer.user_id,
        )
    )
    return rank or 0


async def _owner_count(writer: Writer, organization_id: uuid.UUID) -> int:
    """Owners of an organization, locking their memberships until the transaction ends so
    two concurrent demotions cannot both see a second owner."""
    owners = (
        await writer.session.scalars(
            select(models.Membership.id)
            .join(models.Role, models.Role.id == models.Membership.role_id)
            .where(models.Membership.organization_id == organization_id, models.Role.name == OWNER)
            .with_for_update(of=models.Membership)
        )
    ).all()
    return len(owners)


async def add_member(
    writer: Writer, *, organization: str, email: str, role: str
) -> models.Membership:
    org = await writer.get(
        models.Organization, organization, type_name="Organization", path=("organization",)
    )
    writer.require("membership:create", org.id)
    new_role = await _role(writer, role, org.id)
    if new_role.rank > await _viewer_rank(writer, org.id):
        raise PermissionDenied("membership:create", "You cannot grant a role above your own.")
    user = await writer.session.scalar(
        select(models.User).where(
            func.lower(models.User.email) == email.strip().lower(),
            models.User.deleted_at.is_(None),
        )
    )
    if user is None:
        raise ValidationFailed.one(
            ["email"], FieldErrorCode.NOT_FOUND, "No account has this email address."
        )
    return await writer.create(
        models.Membership(user_id=user.id, organization_id=org.id, role_id=new_role.id)
    )


async def change_member_role(writer: Writer, *, id: str, role: str) -> models.Membership:
    membership = await writer.get(models.Membership, id, type_name="Membership")
    org_id = membership.organization_id
    writer.require("membership:update", org_id)
    new_role = await _role(writer, role, org_id)
    current = await writer.session.get(models.Role, membership.role_id)
    assert current is not None
    rank = await _viewer_rank(writer, org_id)
    if max(new_role.rank, current.rank) > rank:
        raise PermissionDenied("membership:update", "You cannot change roles above your own.")
    if current.name == OWNER and new_role.name != OWNER and await _owner_count(writer, org_id) <= 1:
        raise Conflict("The last OWNER cannot be demoted; make someone else OWNER first.", ["role"])
    return await writer.update(membership, {"role_id": new_role.id})


async def remove_member(writer: Writer, *, id: str) -> models.Membership:
    membership = await writer.get(models.Membership, id, type_name="Membership")
    org_id = membership.organization_id
    if membership.user_id != writer.viewer.user_id:
        writer.require("membership:delete", org_id)
    current = await writer.session.get(models.Role, membership.role_id)
    assert current is not None
    if current.rank > await _viewer_rank(writer, org_id):
        raise PermissionDenied("membership:delete", "You cannot remove a member above your role.")
    if current.name == OWNER and await _owner_count(writer, org_id) <= 1:
        raise Conflict("The last OWNER cannot leave; make someone else OWNER first.")
    await writer.delete(membership)
    return membership


# ---------------------------------------------------------------------------------------------
# GraphQL


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
class AccountsQuery:
    @strawberry.field(description="A user you can see, by ID.")
    @compiled_as(ById(User))
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        return await get_node(info, User, id)

    @strawberry.field(description="An organization you belong to, by ID.")
    @compiled_as(ById(Organization))
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        return await get_node(info, Organization, id)

    @strawberry.field(description="The signed-in user; null when anonymous.")
    @compiled_as(ByViewer(User))
    async def me(self, info: Info) -> User | None:
        user_id = info.context.viewer.user_id
        return None if user_id is None else await info.context.loaders.by_id(User).load(user_id)

    @strawberry.field(description="Users you can see: yourself and members of your organizations.")
    @compiled_as(RootList(User, USER_ORDER))
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        order_by: list[UserOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> UserConnection:
        return await root_connection(
            info,
            UserConnection,
            User,
            PageArgs(filter, order_by, first, after, last, before),
            default_order=USER_ORDER,
        )

    @strawberry.field(description="Organizations you belong to.")
    @compiled_as(RootList(Organization, ORGANIZATION_ORDER))
    async def organizations(
        self,
        info: Info,
        filter: OrganizationFilter | None = None,
        order_by: list[OrganizationOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> OrganizationConnection:
        return await root_connection(
            info,
            OrganizationConnection,
            Organization,
            PageArgs(filter, order_by, first, after, last, before),
            default_order=ORGANIZATION_ORDER,
        )

    @strawberry.field(description="An organization you belong to, by slug.")
    async def organization_by_slug(self, info: Info, slug: str) -> Organization | None:
        by_slug = PageArgs(OrganizationFilter(slug=StringFilter(eq=slug)), first=1)
        page = await root_connection(
            info, OrganizationConnection, Organization, by_slug, default_order=ORGANIZATION_ORDER
        )
        return page.nodes[0] if page.nodes else None

    @strawberry.field(description="Roles: the built-in ones and those of your organizations.")
    @compiled_as(RootList(Role, ROLE_ORDER))
    async def roles(
        self,
        info: Info,
        filter: RoleFilter | None = None,
        order_by: list[RoleOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> RoleConnection:
        return await root_connection(
            info,
            RoleConnection,
            Role,
            PageArgs(filter, order_by, first, after, last, before),
            default_order=ROLE_ORDER,
        )

    @strawberry.field(description="Your API keys, newest first.")
    @compiled_as(RootList(ApiKey, API_KEY_ORDER))
    async def api_keys(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ApiKeyConnection:
        return await root_connection(
            info,
            ApiKeyConnection,
            ApiKey,
            PageArgs(None, None, first, after, last, before),
            default_order=API_KEY_ORDER,
        )


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Create an account with email and password.")
    async def user_register(self, info: Info, input: UserRegisterInput) -> UserRegisterPayload:
        return await mutate(
            info,
            lambda w: register_user(
                w, email=input.email, password=input.password, full_name=input.full_name
            ),
            lambda user: UserRegisterSuccess(user=to_node(User, user)),
        )

    @strawberry.mutation(description="Sign in; returns an access and a refresh token.")
    async def auth_login(self, info: Info, input: AuthLoginInput) -> AuthLoginPayload:
        ctx = info.context
        # Failed attempts are throttled per account and per client address (graph/security.py);
        # an unknown email counts like a known one, so the answer reveals nothing.
        request = getattr(ctx, "request", None)
        throttle = getattr(getattr(request, "app", None), "state", None)
        throttle = getattr(throttle, "login_throttle", None)
        keys = throttle.keys(input.email, ctx.client_ip) if throttle else []

        async def attempt(w: Writer) -> tuple[models.User, dict[str, Any]]:
            if throttle is not None and (wait := throttle.retry_after(keys)) is not None:
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
                    throttle.failed(keys)
                raise

        return await mutate(info, attempt, _tokens)

    @strawberry.mutation(description="Rotate a token pair: the old refresh token stops working.")
    async def auth_refresh(self, info: Info, input: AuthRefreshInput) -> AuthRefreshPayload:
        return await mutate(
            info, lambda w: refresh_tokens(w, refresh_token=input.refresh_token), _tokens
        )

    @strawberry.mutation(description="Revoke this session's tokens (or all your sessions).")
    async def auth_logout(self, info: Info, input: AuthLogoutInput) -> AuthLogoutPayload:
        return await mutate(
            info,
            lambda w: logout(w, everywhere=input.everywhere),
            lambda n: AuthLogoutSuccess(revoked_sessions=n),
        )

    @strawberry.mutation(description="Create an API key; its secret is returned this once.")
    async def api_key_create(self, info: Info, input: ApiKeyCreateInput) -> ApiKeyCreatePayload:
        return await mutate(
            info,
            lambda w: create_api_key(
                w,
                name=input.name,
                scopes=[s.value for s in input.scopes],
                expires_at=input.expires_at,
            ),
            lambda r: ApiKeyCreateSuccess(api_key=to_node(ApiKey, r[0]), secret=r[1]),
        )

    @strawberry.mutation(description="Revoke one of your API keys, at once.")
    async def api_key_revoke(self, info: Info, input: ApiKeyRevokeInput) -> ApiKeyRevokePayload:
        return await mutate(
            info,
            lambda w: revoke_api_key(w, id=input.id),
            lambda key: ApiKeyRevokeSuccess(api_key=to_node(ApiKey, key)),
        )

    @strawberry.mutation(description="Create an organization; you become its OWNER.")
    async def organization_create(
        self, info: Info, input: OrganizationCreateInput
    ) -> OrganizationCreatePayload:
        return await mutate(
            info,
            lambda w: create_organization(
                w,
                name=input.name,
                slug=input.slug,
                plan_type=input.plan_type.value,
                meta_data=input.meta_data,
            ),
            lambda org: OrganizationSuccess(organization=to_node(Organization, org)),
        )

    @strawberry.mutation(description="Change an organization (ADMIN+).")
    async def organization_update(
        self, info: Info, input: OrganizationUpdateInput
    ) -> OrganizationUpdatePayload:
        return await mutate(
            info,
            lambda w: update_organization(w, input),
            lambda org: OrganizationSuccess(organization=to_node(Organization, org)),
        )

    @strawberry.mutation(description="Delete an organization (OWNER only).")
    async def organization_delete(
        self, info: Info, input: OrganizationDeleteInput
    ) -> OrganizationDeletePayload:
        return await mutate(
            info,
            lambda w: delete_organization(w, id=input.id),
            lambda _: OrganizationDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description="Add a user to an organization with a role (ADMIN+).")
    async def membership_create(
        self, info: Info, input: MembershipCreateInput
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
        self, info: Info, input: MembershipRoleChangeInput
    ) -> MembershipRoleChangePayload:
        return await mutate(
            info,
            lambda w: change_member_role(w, id=input.id, role=input.role),
            lambda m: MembershipSuccess(membership=to_node(Membership, m)),
        )

    @strawberry.mutation(description="Remove a member (ADMIN+), or leave an organization.")
    async def membership_delete(
        self, info: Info, input: MembershipDeleteInput
    ) -> MembershipDeletePayload:
        return await mutate(
            info,
            lambda w: remove_member(w, id=input.id),
            lambda m: MembershipDeleteSuccess(deleted_id=input.id),
        )
