"""Invitations: sending, resending, revoking and accepting them.

Sending writes the `Invitation` (through the Writer: history, change stream) and its email
(graph/mail/outbox.py) in one transaction. The token is 32 random bytes shown only in the
email's link; the row keeps its SHA-256 hash, so a resend makes a new token and the old link
dies. Sending, resending and revoking need `membership:create` (ADMIN+), and a role no
higher than the sender's own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, select

import models
from graph.auth import hash_password, hash_token, new_token
from graph.kernel.errors import Conflict, FieldErrorCode, PermissionDenied, ValidationFailed
from graph.mail.outbox import queue_email
from graph.mail.templates import INVITATION
from graph.settings import get_settings
from graph.types.accounts.invitations import (
    InvalidToken,
    InvitationAcceptInput,
    InvitationCreateInput,
    TokenProblem,
)
from models.accounts import Invitation, InvitationStatus
from resolvers.accounts.auth import utc_now
from resolvers.accounts.organizations import _role, _viewer_rank
from resolvers.validation import Checks
from resolvers.writes import UNIQUE_CONFLICTS, Writer

INVITATION_PREFIX = "trl_inv_"
UNIQUE_CONFLICTS["invitations_pending_email_key"] = (
    ("email",),
    "An invitation to this address was made at the same moment; send it again.",
)
PERMISSION = "membership:create"


def link(path: str, token: str) -> str:
    """The frontend link carrying an emailed token."""
    return f"{get_settings().public_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _send(writer: Writer, invitation: Invitation, token: str) -> None:
    org = await writer.session.get(models.Organization, invitation.organization_id)
    role = await writer.session.get(models.Role, invitation.role_id)
    inviter = (
        await writer.session.get(models.User, writer.viewer.user_id)
        if writer.viewer.user_id
        else None
    )
    assert org is not None
    assert role is not None
    message = INVITATION.render(
        inviter=(inviter.full_name or inviter.email) if inviter else "Someone",
        organization=org.name,
        role=role.name,
        link=link("/invitations/accept", token),
        expires=_when(invitation.expires_at),
        title="Invitation",
    )
    await queue_email(writer.session, to=invitation.email, message=message)


def _fresh_token() -> tuple[str, dict[str, object]]:
    token = new_token(INVITATION_PREFIX)
    expires = utc_now() + timedelta(seconds=get_settings().invitation_ttl_seconds)
    return token, {"token_hash": hash_token(token), "expires_at": expires}


async def create_invitation(writer: Writer, data: InvitationCreateInput) -> Invitation:
    org = await writer.get(
        models.Organization, data.organization, type_name="Organization", path=("organization",)
    )
    writer.require(PERMISSION, org.id)
    role = await _role(writer, data.role, org.id)
    if role.rank > await _viewer_rank(writer, org.id):
        raise PermissionDenied(PERMISSION, "You cannot invite with a role above your own.")
    checks = Checks()
    email = checks.email(["email"], data.email)
    checks.done()
    member = await writer.session.scalar(
        select(models.Membership.id)
        .join(models.User, models.User.id == models.Membership.user_id)
        .where(
            models.Membership.organization_id == org.id,
            func.lower(models.User.email) == email,
            models.User.deleted_at.is_(None),
        )
    )
    if member is not None:
        raise Conflict("This address belongs to a member of the organization already.", ["email"])
    token, fresh = _fresh_token()
    pending = await writer.session.scalar(
        select(Invitation)
        .where(
            Invitation.organization_id == org.id,
            func.lower(Invitation.email) == email,
            Invitation.status == InvitationStatus.PENDING,
        )
        .with_for_update()
    )
    if pending is not None:  # inviting again resends, with the role asked for now
        values = {
            **fresh,
            "role_id": role.id,
            "inviter_id": writer.viewer.user_id,
            "sent_count": pending.sent_count + 1,
            "last_sent_at": utc_now(),
        }
        invitation = await writer.update(pending, values)
    else:
        invitation = await writer.create(
            Invitation(
                organization_id=org.id,
                email=email,
                role_id=role.id,
                inviter_id=writer.viewer.user_id,
                **fresh,
            )
        )
    await _send(writer, invitation, token)
    return invitation


async def _pending(writer: Writer, id: str) -> Invitation:
    invitation = await writer.get(Invitation, id, type_name="Invitation")
    writer.require(PERMISSION, invitation.organization_id)
    if invitation.status is not InvitationStatus.PENDING:
        raise Conflict(f"This invitation is {invitation.status.value}, not pending.", ["id"])
    return invitation


async def resend_invitation(writer: Writer, *, id: str) -> Invitation:
    invitation = await _pending(writer, id)
    token, fresh = _fresh_token()
    values = {**fresh, "sent_count": invitation.sent_count + 1, "last_sent_at": utc_now()}
    await writer.update(invitation, values)
    await _send(writer, invitation, token)
    return invitation


async def revoke_invitation(writer: Writer, *, id: str) -> Invitation:
    invitation = await _pending(writer, id)
    return await writer.update(invitation, {"status": InvitationStatus.REVOKED})


async def invitation_by_token(writer: Writer, token: str) -> Invitation:
    """The pending, unexpired invitation a token stands for, locked; else `InvalidToken`."""
    invitation = await writer.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token)).with_for_update()
    )
    if invitation is None:
        raise InvalidToken(TokenProblem.UNKNOWN)
    status = invitation.status
    if status is InvitationStatus.ACCEPTED:
        raise InvalidToken(TokenProblem.USED)
    if status is InvitationStatus.REVOKED:
        raise InvalidToken(TokenProblem.REVOKED)
    if status is InvitationStatus.EXPIRED or invitation.expires_at <= utc_now():
        raise InvalidToken(TokenProblem.EXPIRED)
    org = await writer.session.get(models.Organization, invitation.organization_id)
    if org is None or org.deleted_at is not None:
        raise InvalidToken(TokenProblem.UNKNOWN)
    return invitation


async def accept_invitation(
    writer: Writer, data: InvitationAcceptInput
) -> tuple[Invitation, models.Membership, models.User, bool]:
    """The token proves the invited address is the caller's: its account (a new one if it
    has none) becomes a member. A new account's address counts as verified."""
    invitation = await invitation_by_token(writer, data.token)
    user = await writer.session.scalar(
        select(models.User).where(
            func.lower(models.User.email) == invitation.email, models.User.deleted_at.is_(None)
        )
    )
    created = user is None
    if user is None:
        checks = Checks()
        if data.password is None:
            checks.fail(["password"], FieldErrorCode.REQUIRED, "Choose a password for the account.")
            checks.done()
        password = checks.password(["password"], data.password or "")
        full_name = checks.text(["fullName"], data.full_name, min_length=0, max_length=200)
        checks.done()
        user = await writer.create(
            models.User(
                email=invitation.email,
                full_name=full_name,
                password_hash=hash_password(password),
                email_verified_at=utc_now(),
            )
        )
    elif not user.is_active:
        raise ValidationFailed.one(["token"], FieldErrorCode.INVALID, "This account is disabled.")
    elif user.email_verified_at is None:
        await writer.update(user, {"email_verified_at": utc_now()})
    is_member = await writer.session.scalar(
        select(models.Membership.id).where(
            models.Membership.user_id == user.id,
            models.Membership.organization_id == invitation.organization_id,
        )
    )
    if is_member is not None:
        raise Conflict("You are a member of this organization already.", ["token"])
    membership = await writer.create(
        models.Membership(
            user_id=user.id,
            organization_id=invitation.organization_id,
            role_id=invitation.role_id,
        )
    )
    values = {
        "status": InvitationStatus.ACCEPTED,
        "accepted_at": utc_now(),
        "accepted_by_id": user.id,
    }
    await writer.update(invitation, values)
    return invitation, membership, user, created


async def expire_invitations(writer: Writer) -> int:
    """Mark pending invitations whose link ran out EXPIRED, recording each change."""
    expired = (
        await writer.session.execute(
            select(Invitation.organization_id).where(
                Invitation.status == InvitationStatus.PENDING, Invitation.expires_at <= func.now()
            )
        )
    ).scalars()
    total = 0
    for org_id in set(expired):
        total += await writer.update_where(
            Invitation,
            (Invitation.organization_id == org_id)
            & (Invitation.status == InvitationStatus.PENDING)
            & (Invitation.expires_at <= func.now()),
            {"status": InvitationStatus.EXPIRED},
            {"status": InvitationStatus.PENDING, "organization_id": org_id},
        )
    return total


__all__ = [
    "accept_invitation",
    "create_invitation",
    "expire_invitations",
    "resend_invitation",
    "revoke_invitation",
]
