"""Account flows that go through an emailed link: password reset, email verification, and
changing your own account (a new email is verified before it is taken).

Tokens are 32 random bytes, in the email only; `account_tokens` keeps their SHA-256 hash,
their purpose and the address they prove. A password reset never says whether an account
has the address: the answer and the work done in the request are the same either way.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

import models
from graph.auth import hash_password, hash_token, new_token, verify_password
from graph.kernel.errors import AuthenticationFailed, FieldErrorCode, ValidationFailed
from graph.mail.outbox import queue_email
from graph.mail.templates import EMAIL_VERIFICATION, PASSWORD_RESET
from graph.settings import get_settings
from graph.types.accounts.invitations import (
    InvalidToken,
    PasswordResetInput,
    TokenProblem,
    UserUpdateInput,
)
from models.accounts import AccountToken, AccountTokenPurpose
from resolvers.accounts.auth import register_user, require_login, utc_now
from resolvers.accounts.invitations import _when, link
from resolvers.validation import Checks
from resolvers.writes import Writer

RESET_PREFIX = "trl_pwr_"
VERIFY_PREFIX = "trl_ver_"
RESET_ANSWER = (
    "If an account has this address, an email with a link to reset its password is on its way."
)


async def _issue(
    writer: Writer, user: models.User, purpose: AccountTokenPurpose, email: str
) -> str:
    """A new token of ``purpose`` for ``user``; earlier unused ones of that purpose die."""
    settings = get_settings()
    ttl = (
        settings.password_reset_ttl_seconds
        if purpose is AccountTokenPurpose.PASSWORD_RESET
        else settings.email_verification_ttl_seconds
    )
    await _retire(writer, user, purpose)
    prefix = RESET_PREFIX if purpose is AccountTokenPurpose.PASSWORD_RESET else VERIFY_PREFIX
    token = new_token(prefix)
    writer.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            email=email,
            expires_at=utc_now() + timedelta(seconds=ttl),
        )
    )
    return token


async def _retire(writer: Writer, user: models.User, purpose: AccountTokenPurpose) -> None:
    await writer.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=func.now())
    )


async def send_verification(writer: Writer, user: models.User, email: str) -> None:
    """Mail ``email`` a link proving it is ``user``'s (their address, or a new one)."""
    token = await _issue(writer, user, AccountTokenPurpose.EMAIL_VERIFICATION, email)
    ttl = get_settings().email_verification_ttl_seconds
    message = EMAIL_VERIFICATION.render(
        email=email,
        link=link("/verify-email", token),
        expires=_when(utc_now() + timedelta(seconds=ttl)),
        title="Confirm your email address",
    )
    await queue_email(writer.session, to=email, message=message)


async def _redeem(
    writer: Writer, token: str, purpose: AccountTokenPurpose
) -> tuple[AccountToken, models.User]:
    row = await writer.session.scalar(
        select(AccountToken)
        .where(AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose)
        .with_for_update()
    )
    if row is None:
        raise InvalidToken(TokenProblem.UNKNOWN)
    if row.used_at is not None:
        raise InvalidToken(TokenProblem.USED)
    if row.expires_at <= utc_now():
        raise InvalidToken(TokenProblem.EXPIRED)
    user = await writer.session.get(models.User, row.user_id, with_for_update=True)
    if user is None or user.deleted_at is not None or not user.is_active:
        raise InvalidToken(TokenProblem.UNKNOWN)
    row.used_at = utc_now()
    return row, user


async def request_password_reset(writer: Writer, *, email: str) -> str:
    checks = Checks()
    email = checks.email(["email"], email)
    checks.done()
    user = await writer.session.scalar(
        select(models.User).where(
            func.lower(models.User.email) == email,
            models.User.deleted_at.is_(None),
            models.User.is_active,
        )
    )
    if user is not None:
        token = await _issue(writer, user, AccountTokenPurpose.PASSWORD_RESET, user.email)
        ttl = get_settings().password_reset_ttl_seconds
        message = PASSWORD_RESET.render(
            link=link("/reset-password", token),
            expires=_when(utc_now() + timedelta(seconds=ttl)),
            title="Reset your password",
        )
        await queue_email(writer.session, to=user.email, message=message)
    return RESET_ANSWER


async def _revoke_sessions(
    writer: Writer, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> int:
    stmt = select(models.AuthSession).where(
        models.AuthSession.user_id == user_id, models.AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(models.AuthSession.id != keep)
    sessions = (await writer.session.scalars(stmt.with_for_update())).all()
    now = utc_now()
    for session in sessions:
        await writer.update(session, {"revoked_at": now})
    return len(sessions)


async def reset_password(writer: Writer, data: PasswordResetInput) -> models.User:
    """A new password from a reset link: every session of the account ends (whoever asked
    for the reset may have had a stolen one)."""
    checks = Checks()
    password = checks.password(["newPassword"], data.new_password)
    checks.done()
    _, user = await _redeem(writer, data.token, AccountTokenPurpose.PASSWORD_RESET)
    # The link reached the account's inbox: that proves the address too.
    values: dict[str, object] = {"password_hash": hash_password(password)}
    if user.email_verified_at is None:
        values["email_verified_at"] = utc_now()
    await writer.update(user, values)
    await _revoke_sessions(writer, user.id)
    return user


async def verify_email(writer: Writer, *, token: str) -> models.User:
    row, user = await _redeem(writer, token, AccountTokenPurpose.EMAIL_VERIFICATION)
    if row.email.lower() != user.email.lower():
        taken = await writer.session.scalar(
            select(func.count())
            .select_from(models.User)
            .where(func.lower(models.User.email) == row.email.lower(), models.User.id != user.id)
        )
        if taken:
            raise ValidationFailed.one(
                ["token"], FieldErrorCode.ALREADY_EXISTS, "Another account has this address now."
            )
    await writer.update(user, {"email": row.email, "email_verified_at": utc_now()})
    return user


async def update_own_account(
    writer: Writer, data: UserUpdateInput
) -> tuple[models.User, str | None, int]:
    """Change your name, email (verified first) or password. (account, where a verification
    went, sessions signed out)."""
    user_id = require_login(writer)
    if not writer.viewer.may_write():
        raise AuthenticationFailed("This API key may only read.")
    user = await writer.session.get(models.User, user_id, with_for_update=True)
    assert user is not None
    checks = Checks()
    values: dict[str, object] = {}
    if data.full_name is not None:
        values["full_name"] = checks.text(["fullName"], data.full_name, min_length=0)
    email = checks.email(["email"], data.email) if data.email is not None else None
    if email == user.email.lower():
        email = None
    password = (
        checks.password(["newPassword"], data.new_password)
        if data.new_password is not None
        else None
    )
    if email is not None or password is not None:
        ok, _ = verify_password(user.password_hash, data.current_password or "")
        if not ok:
            checks.fail(
                ["currentPassword"], FieldErrorCode.INVALID, "Your current password is needed."
            )
    if email is not None:
        taken = await writer.session.scalar(
            select(func.count())
            .select_from(models.User)
            .where(func.lower(models.User.email) == email)
        )
        if taken:
            checks.fail(
                ["email"], FieldErrorCode.ALREADY_EXISTS, "An account with this email exists."
            )
    checks.done()
    revoked = 0
    if password is not None:
        values["password_hash"] = hash_password(password)
        revoked = await _revoke_sessions(writer, user.id, keep=writer.viewer.session_id)
    await writer.update(user, values)
    if email is not None:
        await send_verification(writer, user, email)
    return user, email, revoked


async def register_and_verify(
    writer: Writer, *, email: str, password: str, full_name: str = ""
) -> models.User:
    """A new account, and a link proving its address mailed to it."""
    user = await register_user(writer, email=email, password=password, full_name=full_name)
    await send_verification(writer, user, user.email)
    return user
