"""Invitations and the emailed-token flows in the API: the `Invitation` node, its connection
on Organization, and the inputs and payloads of the invitation, password-reset, email
verification and own-account mutations."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from graph.kernel.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    Error,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.fields import to_many, to_one
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    OrderBy,
    StringFilter,
    by,
    entity_filter,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts.nodes import Membership, Organization, Role, User
from loaders.paging import OrderTerm
from models.accounts import Invitation as InvitationModel
from models.accounts import InvitationStatus

strawberry.enum(
    InvitationStatus,
    description="Where an invitation is: PENDING (its link works until `expiresAt`), "
    "ACCEPTED (a membership was made from it), REVOKED (by an ADMIN+), EXPIRED (its link "
    "ran out before it was used; marked by a periodic job within ten minutes).",
)

# The model's enum carries no GraphQL descriptions; its values get theirs here.
_STATUS_VALUES = {
    "PENDING": "Sent; its link works until `expiresAt`.",
    "ACCEPTED": "Turned into a membership; its link works no more.",
    "REVOKED": "Withdrawn by an ADMIN+; its link works no more.",
    "EXPIRED": "Its link ran out before it was used.",
}
for _value in InvitationStatus.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _STATUS_VALUES[_value.name]

InvitationStatusFilter = EnumFilter[InvitationStatus]


@node_type
@strawberry.type(
    description="An email address invited into an organization with a role. The link in "
    "the email carries a single-use token (stored only as a hash); `invitationAccept` "
    "turns it into a membership, signing up a new account if the address has none."
)
class Invitation(Node):
    __model__ = InvitationModel

    organization_id: strawberry.Private[uuid.UUID]
    role_id: strawberry.Private[uuid.UUID]
    inviter_id: strawberry.Private[uuid.UUID | None]
    accepted_by_id: strawberry.Private[uuid.UUID | None]
    email: str = strawberry.field(description="The address invited (lowercased).")
    status: InvitationStatus = strawberry.field(description="Where the invitation is.")
    expires_at: datetime = strawberry.field(description="When the emailed link stops working.")
    sent_count: int = strawberry.field(
        description="Emails sent for it: 1, plus one per resend (each with a new link)."
    )
    last_sent_at: datetime = strawberry.field(description="When the latest email was queued.")
    accepted_at: datetime | None = strawberry.field(description="When it was accepted.")
    created_at: datetime = strawberry.field(description="When the invitation was made.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    organization: Organization | None = to_one(
        "organization_id", description="The organization the invitation is into."
    )
    role: Role | None = to_one("role_id", description="The role the membership will have.")
    inviter: User | None = to_one(
        "inviter_id",
        description="Who sent it; null if you cannot see them (or their account is gone).",
    )
    accepted_by: User | None = to_one(
        "accepted_by_id", description="The account that accepted it; null until then."
    )


@strawberry.input(description="Filter invitations; all given conditions must hold.")
@entity_filter
class InvitationFilter(EntityFilter):
    id: IDFilter | None = on(InvitationModel.id, ref="Invitation", description="By ID.")
    email: StringFilter | None = on(InvitationModel.email, description="By invited address.")
    status: InvitationStatusFilter | None = on(InvitationModel.status, description="By status.")
    role: IDFilter | None = on(InvitationModel.role_id, ref="Role", description="By role.")
    inviter: IDFilter | None = on(InvitationModel.inviter_id, ref="User", description="By sender.")
    created_at: DateTimeFilter | None = on(
        InvitationModel.created_at, description="By creation time."
    )
    expires_at: DateTimeFilter | None = on(
        InvitationModel.expires_at, description="By expiry time."
    )


@strawberry.enum(description="Fields invitations can be ordered by.")
class InvitationOrderField(enum.Enum):
    CREATED_AT = by(InvitationModel.created_at, description="When it was made.")
    EXPIRES_AT = by(InvitationModel.expires_at, description="When its link expires.")
    EMAIL = by(InvitationModel.email, description="The invited address.")


@strawberry.input(description="One ordering term for invitations.")
class InvitationOrder(OrderBy[InvitationOrderField]):
    pass


@strawberry.type(description="A page of invitations.")
class InvitationConnection(
    Connection[Invitation],
    filter=InvitationFilter,
    order=InvitationOrder,
    default_order=OrderTerm(InvitationModel.created_at, descending=True),
):
    pass


@strawberry.type
class InvitationsOrganizationFields:
    """Invitations' fields of an organization (composed in graph.schema)."""

    invitations: InvitationConnection = to_many(
        InvitationModel.organization_id,
        description="Invitations into the organization, newest first by default (its "
        "members see them; ADMIN+ send, resend and revoke them).",
    )


# ---------------------------------------------------------------------------------------------
# A refused emailed token


@strawberry.enum(description="Why an emailed token (invitation, reset, verification) failed.")
class TokenProblem(enum.Enum):
    UNKNOWN = strawberry.enum_value(
        "unknown", description="No such token (mistyped, or replaced by a newer email)."
    )
    EXPIRED = strawberry.enum_value("expired", description="The token's time ran out.")
    REVOKED = strawberry.enum_value("revoked", description="The invitation was revoked.")
    USED = strawberry.enum_value("used", description="The token was used already.")


@strawberry.type(
    description="An emailed token was refused: unknown, expired, revoked or used already. "
    "Nothing changed; ask for a new email."
)
class InvalidTokenError(Error):
    reason: TokenProblem = strawberry.field(description="Why the token was refused.")


class InvalidToken(DomainError):
    def __init__(self, reason: TokenProblem) -> None:
        messages = {
            TokenProblem.UNKNOWN: "This link is not valid.",
            TokenProblem.EXPIRED: "This link has expired.",
            TokenProblem.REVOKED: "This invitation was revoked.",
            TokenProblem.USED: "This link was used already.",
        }
        super().__init__(messages[reason], ("token",))
        self.reason = reason

    def to_graphql(self) -> Error:
        return InvalidTokenError(
            message=self.message, code=ErrorCode.VALIDATION, path=self.path, reason=self.reason
        )


# ---------------------------------------------------------------------------------------------
# Invitation inputs and payloads


@strawberry.input(
    description="Invite an email address into an organization (ADMIN+, a role no higher than "
    "your own). An address with a pending invitation gets it again, with a new link."
)
class InvitationCreateInput:
    organization: strawberry.ID = strawberry.field(description="The organization.")
    email: str = strawberry.field(description="The address to invite.")
    role: strawberry.ID = strawberry.field(description="The role the membership will have.")


@strawberry.input(description="Send a pending invitation's email again, with a new link.")
class InvitationResendInput:
    id: strawberry.ID = strawberry.field(description="The invitation.")


@strawberry.input(description="Revoke a pending invitation: its link stops working.")
class InvitationRevokeInput:
    id: strawberry.ID = strawberry.field(description="The invitation.")


@strawberry.input(
    description="Accept an invitation with the token from its email. An address without an "
    "account signs up here: give `password` (and a `fullName`)."
)
class InvitationAcceptInput:
    token: str = strawberry.field(description="The `token` parameter of the emailed link.")
    password: str | None = strawberry.field(
        default=None, description="A new account's password (at least 8 characters)."
    )
    full_name: str = strawberry.field(default="", description="A new account's name.")


@strawberry.type(description="The invitation, as the mutation left it.")
class InvitationSuccess:
    invitation: Invitation = strawberry.field(description="The invitation.")


@strawberry.type(description="The invitation accepted: the membership made from it.")
class InvitationAcceptSuccess:
    invitation: Invitation = strawberry.field(description="The accepted invitation.")
    membership: Membership = strawberry.field(description="The new membership.")
    user: User = strawberry.field(description="The member (a new account if it had none).")
    account_created: bool = strawberry.field(
        description="Whether the invitation signed up a new account (sign in with it next)."
    )


InvitationCreatePayload = Annotated[
    InvitationSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "InvitationCreatePayload",
        description="The invitation (new, or the pending one resent), or why not "
        "(ConflictError: the address is a member already).",
    ),
]
InvitationChangePayload = Annotated[
    InvitationSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union(
        "InvitationChangePayload",
        description="The invitation, or why not (ConflictError: it is not pending).",
    ),
]
InvitationAcceptPayload = Annotated[
    InvitationAcceptSuccess | InvalidTokenError | ValidationError | ConflictError,
    strawberry.union(
        "InvitationAcceptPayload",
        description="The new membership, or why not (InvalidTokenError: unknown, expired, "
        "revoked or used token; ConflictError: a member already).",
    ),
]


# ---------------------------------------------------------------------------------------------
# Password reset, email verification, your own account


@strawberry.input(description="Ask for a password-reset email.")
class PasswordResetRequestInput:
    email: str = strawberry.field(description="The account's address.")


@strawberry.type(
    description="The request was taken. The answer is the same whether or not an account "
    "has the address: if one does, an email with a link is on its way."
)
class PasswordResetRequestSuccess:
    message: str = strawberry.field(description="What to tell the person.")


@strawberry.input(description="Set a new password with the token from a reset email.")
class PasswordResetInput:
    token: str = strawberry.field(description="The `token` parameter of the emailed link.")
    new_password: str = strawberry.field(description="At least 8 characters.")


@strawberry.type(description="The password was changed; every session was signed out.")
class PasswordResetSuccess:
    user: User = strawberry.field(description="The account (sign in with the new password).")


@strawberry.input(description="Prove an address with the token from a verification email.")
class EmailVerifyInput:
    token: str = strawberry.field(description="The `token` parameter of the emailed link.")


@strawberry.type(description="The address is verified (and, after a change, is now the account's).")
class EmailVerifySuccess:
    user: User = strawberry.field(description="The account.")


@strawberry.input(
    description="Change your own account. Omitted fields stay as they are. A new email is "
    "only taken once its verification link is followed (`emailVerify`); changing the email "
    "or the password needs `currentPassword`, and a new password signs out your other "
    "sessions."
)
class UserUpdateInput:
    full_name: str | None = strawberry.field(default=None, description="Your name.")
    email: str | None = strawberry.field(
        default=None, description="A new address: a verification link is sent to it."
    )
    new_password: str | None = strawberry.field(
        default=None, description="A new password (at least 8 characters)."
    )
    current_password: str | None = strawberry.field(
        default=None, description="Your current password: needed for `email` and `newPassword`."
    )


@strawberry.type(description="Your account, as the mutation left it.")
class UserUpdateSuccess:
    user: User = strawberry.field(description="Your account.")
    verification_sent_to: str | None = strawberry.field(
        description="Where the verification link for a new email went; null without one."
    )
    sessions_revoked: int = strawberry.field(
        description="Your other sessions signed out by a password change."
    )


PasswordResetRequestPayload = Annotated[
    PasswordResetRequestSuccess | ValidationError,
    strawberry.union(
        "PasswordResetRequestPayload",
        description="Taken (the same answer for any well-formed address), or a malformed one.",
    ),
]
PasswordResetPayload = Annotated[
    PasswordResetSuccess | InvalidTokenError | ValidationError,
    strawberry.union("PasswordResetPayload", description="The new password is set, or why not."),
]
EmailVerifyPayload = Annotated[
    EmailVerifySuccess | InvalidTokenError | ValidationError,
    strawberry.union("EmailVerifyPayload", description="The address is verified, or why not."),
]
UserUpdatePayload = Annotated[
    UserUpdateSuccess | ValidationError | AuthenticationError,
    strawberry.union(
        "UserUpdatePayload",
        description="Your account, or why not (AuthenticationError: not signed in, or an "
        "API key that may not write).",
    ),
]


@strawberry.input(
    description="Delete an account: yours, or anyone's for a superuser. Its personal data "
    "(email, name, password, profile, credentials) is removed and the history scrubbed of "
    "it; rows it owns follow the data model's rules (its items are deleted; projects, "
    "jobs, files, interactions and invitations stay, without it). Refused while it is the "
    "last OWNER of an organization."
)
class UserDeleteInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="The account (superusers only); yours when omitted."
    )


@strawberry.type(description="The account is deleted; its sessions and API keys are gone.")
class UserDeleteSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The deleted user's ID.")


UserDeletePayload = Annotated[
    UserDeleteSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError
    | AuthenticationError,
    strawberry.union(
        "UserDeletePayload",
        description="The account is deleted, or why not (ConflictError: the last OWNER of "
        "an organization).",
    ),
]
