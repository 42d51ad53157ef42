"""Accounts: users, organizations, memberships, roles, permissions, sessions, API keys."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import (
    JSON,
    VIEWER_ORGS,
    VIEWER_SUPERUSER,
    ArchiveMixin,
    Base,
    SoftDeleteMixin,
    Str200,
    member_of,
    own,
)
from models.search import SearchLanguage, search_language_enum


class PlanType(enum.Enum):
    FREE = "free"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class AuthProvider(enum.Enum):
    PASSWORD = "password"
    GOOGLE = "google"
    GITHUB = "github"


# The built-in roles, strongest first. Their permissions are seeded by a migration.
OWNER, ADMIN, EDITOR, VIEWER = "OWNER", "ADMIN", "EDITOR", "VIEWER"
BUILTIN_ROLES = (OWNER, ADMIN, EDITOR, VIEWER)


class User(SoftDeleteMixin, Base):
    __tablename__ = "users"
    __secret_columns__ = frozenset({"password_hash"})

    email: Mapped[str] = mapped_column(String(320))
    full_name: Mapped[Str200] = mapped_column(default="")
    password_hash: Mapped[str | None]
    is_active: Mapped[bool] = mapped_column(server_default=true())
    is_superuser: Mapped[bool] = mapped_column(server_default=false())
    auth_provider: Mapped[AuthProvider] = mapped_column(
        Enum(AuthProvider, name="auth_provider", values_callable=lambda e: [m.value for m in e]),
        server_default=AuthProvider.PASSWORD.value,
    )
    last_login_at: Mapped[datetime | None]
    # When the current email address was proven to be the user's (a link from the outbox
    # followed); null until then, and again after an email change until the new one is.
    email_verified_at: Mapped[datetime | None]
    extras: Mapped[JSON]

    __table_args__ = (
        # Case-insensitive uniqueness: one account per address however it is typed.
        Index("users_email_lower_key", func.lower(email), unique=True),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        """Yourself, and the people who share an organization with you."""
        # A correlated EXISTS: one probe of memberships (user_id, organization_id) per user,
        # instead of listing every member of every organization of the viewer.
        shares_an_organization = (
            select(Membership.id)
            .where(
                Membership.user_id == cls.id,
                Membership.organization_id == func.any(VIEWER_ORGS),
            )
            .exists()
        )
        return cls.deleted_at.is_(None) & or_(VIEWER_SUPERUSER, own(cls.id), shares_an_organization)


class Organization(ArchiveMixin, SoftDeleteMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[Str200]
    slug: Mapped[str] = mapped_column(String(64))
    plan_type: Mapped[PlanType] = mapped_column(
        Enum(PlanType, name="plan_type", values_callable=lambda e: [m.value for m in e]),
        server_default=PlanType.FREE.value,
    )
    meta_data: Mapped[JSON]
    # The language its texts are searched in (models.search); searchable rows copy it.
    search_language: Mapped[SearchLanguage] = mapped_column(
        search_language_enum(), server_default=SearchLanguage.SIMPLE.value
    )

    __table_args__ = (
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]*$'", name="slug_format"),
        # A deleted organization's slug is free again.
        Index("organizations_slug_key", "slug", unique=True, postgresql_where="deleted_at IS NULL"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_(None) & member_of(cls.id)


class Permission(Base):
    """A right to perform ``action`` on ``resource``, e.g. item:create."""

    __tablename__ = "permissions"

    resource: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(server_default="")

    __table_args__ = (UniqueConstraint("resource", "action"),)

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return true()


role_permissions = Table(
    "role_permissions",
    Base.metadata,
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    Column("permission_id", ForeignKey("permissions.id", ondelete="CASCADE"), primary_key=True),
)


class Role(Base):
    """A named set of permissions; built-in roles have no organization."""

    __tablename__ = "roles"

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(server_default="")
    # Rank orders roles for "at least ADMIN" checks: OWNER 100, ADMIN 80, EDITOR 50, VIEWER 10.
    rank: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        Index(
            "roles_builtin_name_key",
            "name",
            unique=True,
            postgresql_where="organization_id IS NULL",
        ),
        UniqueConstraint("organization_id", "name"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return cls.organization_id.is_(None) | member_of(cls.organization_id)


class Membership(Base):
    __tablename__ = "memberships"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"))
    joined_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id)


class AuthSession(Base):
    """A login: opaque access and refresh tokens, stored only as SHA-256 hashes."""

    __tablename__ = "auth_sessions"
    __secret_columns__ = frozenset({"token_hash", "refresh_token_hash"})

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    expires_at: Mapped[datetime]
    refresh_expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return own(cls.user_id)


class APIKey(Base):
    """A long-lived credential of a user, narrowed by scopes; the key is shown once."""

    __tablename__ = "api_keys"
    __type_name__ = "ApiKey"
    __secret_columns__ = frozenset({"key_hash"})

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[Str200]
    # The first characters of the key, shown in lists so a user can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return own(cls.user_id)


class LoginFailure(Base):
    """A failed sign-in, counted by the login throttle (graph/server/throttle.py) of every
    server process. The key is a SHA-256 of the account's email or the client's address, so
    what people typed is never stored. UNLOGGED: no WAL, so cheap to write and prune; lost
    on a crash (the counters restart, which a throttle can afford) and absent on replicas
    (only the primary counts)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index(None, "key", "created_at"),
        Index(None, "created_at"),
        {"prefixes": ["UNLOGGED"]},
    )

    key: Mapped[str] = mapped_column(String(64))


class UserProfile(Base):
    """A user's profile, one-to-one: its id is the user's. The parts the seeds describe as
    sub-objects are JSONB, shaped by the API's typed inputs (graph/types/accounts/profiles.py):
    contact {phones, emails: [{label, value}]}, location {country, region, city, timeZone},
    socials [{network, url}], company {name, industry, size, website}, preferences
    {language, notifications: [{channel, event, enabled}]}, onboarding {stepsDone,
    completedAt}."""

    __tablename__ = "user_profiles"

    id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    # Unique however it is cased (an index on lower()); kept as typed.
    username: Mapped[str | None] = mapped_column(String(32))
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    location: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    socials: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    company: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    preferences: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    onboarding: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    feature_flags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")

    __table_args__ = (Index("user_profiles_username_lower_key", func.lower(username), unique=True),)

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        """As its user: yourself, and the people who share an organization with you."""
        shares_an_organization = (
            select(Membership.id)
            .where(
                Membership.user_id == cls.id,
                Membership.organization_id == func.any(VIEWER_ORGS),
            )
            .exists()
        )
        return or_(VIEWER_SUPERUSER, own(cls.id), shares_an_organization)


class InvitationStatus(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Invitation(Base):
    """An email address invited into an organization with a role. The token travels only in
    the email; the row keeps its SHA-256 hash."""

    __tablename__ = "invitations"
    __secret_columns__ = frozenset({"token_hash"})

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(320))
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    # The invitation outlives the account that sent it.
    inviter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[InvitationStatus] = mapped_column(
        Enum(
            InvitationStatus,
            name="invitation_status",
            values_callable=lambda e: [m.value for m in e],
        ),
        server_default=InvitationStatus.PENDING.value,
    )
    expires_at: Mapped[datetime]
    sent_count: Mapped[int] = mapped_column(server_default="1")
    last_sent_at: Mapped[datetime] = mapped_column(server_default=func.now())
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        Index("invitations_organization_id_created_at_idx", "organization_id", "created_at", "id"),
        # One pending invitation per address and organization: inviting again resends it.
        Index(
            "invitations_pending_email_key",
            "organization_id",
            func.lower(email),
            unique=True,
            postgresql_where="status = 'pending'",
        ),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id)


class AccountTokenPurpose(enum.Enum):
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFICATION = "email_verification"


class AccountToken(Base):
    """A single-use token mailed to a user: a password reset, or proof that an address is
    theirs (``email``: the address it proves, the new one after an email change)."""

    __tablename__ = "account_tokens"
    __secret_columns__ = frozenset({"token_hash"})

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[AccountTokenPurpose] = mapped_column(
        Enum(
            AccountTokenPurpose,
            name="account_token_purpose",
            values_callable=lambda e: [m.value for m in e],
        )
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return own(cls.user_id)


__all__ = [
    "ADMIN",
    "BUILTIN_ROLES",
    "EDITOR",
    "OWNER",
    "VIEWER",
    "APIKey",
    "AccountToken",
    "AccountTokenPurpose",
    "AuthProvider",
    "AuthSession",
    "Invitation",
    "InvitationStatus",
    "LoginFailure",
    "Membership",
    "Organization",
    "Permission",
    "PlanType",
    "Role",
    "User",
    "UserProfile",
    "role_permissions",
]
