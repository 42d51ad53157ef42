"""Accounts ops: registration, sign-in, tokens and API keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

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
from graph.kernel.errors import (
    AuthenticationFailed,
    FieldErrorCode,
    ValidationFailed,
)
from graph.settings import get_settings
from resolvers.accounts.two_factor import Challenge, challenge_if_enabled
from resolvers.validation import Checks
from resolvers.writes import Writer


def utc_now() -> datetime:
    return datetime.now(UTC)


def require_login(writer: Writer) -> uuid.UUID:
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
    now = utc_now()
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
) -> tuple[models.User, dict[str, Any]] | Challenge:
    """Tokens for a right password; a `Challenge` instead when the account has two-factor
    sign-in on (`authLoginVerify` then trades it with a code for the tokens)."""
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
    rehash = {"password_hash": new_hash} if new_hash else {}
    challenge = await challenge_if_enabled(writer, user)
    if challenge is not None:
        await writer.update(user, rehash)
        return challenge
    return await sign_in(writer, user, ip=ip, user_agent=user_agent, changes=rehash)


async def sign_in(
    writer: Writer,
    user: models.User,
    *,
    ip: str | None,
    user_agent: str | None,
    changes: dict[str, Any] | None = None,
) -> tuple[models.User, dict[str, Any]]:
    """A new session for ``user``, whose credentials were checked (``changes``: more of the
    user's columns to set with `last_login_at`)."""
    await writer.update(user, {**(changes or {}), "last_login_at": utc_now()})
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
    user_id = require_login(writer)
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
    now = utc_now()
    for session in sessions:
        await writer.update(session, {"revoked_at": now})
    return len(sessions)


async def create_api_key(
    writer: Writer, *, name: str, scopes: list[str], expires_at: datetime | None
) -> tuple[models.APIKey, str]:
    user_id = require_login(writer)
    checks = Checks()
    name = checks.text(["name"], name)
    if not scopes:
        checks.fail(["scopes"], FieldErrorCode.REQUIRED, "Give the key at least one scope.")
    if not set(scopes) <= writer.viewer.scopes:
        checks.fail(["scopes"], FieldErrorCode.INVALID, "A key cannot have scopes you lack.")
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)  # a time without an offset is UTC
    if expires_at is not None and expires_at <= utc_now():
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
        await writer.update(key, {"revoked_at": utc_now()})
    return key
