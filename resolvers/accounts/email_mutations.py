"""Invitations, password reset, email verification and your own account in the Mutation
type: each mutation runs an op and returns its payload."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from graph.context import Info
from graph.kernel.ids import to_global_id
from graph.types.accounts.invitations import (
    EmailVerifyInput,
    EmailVerifyPayload,
    EmailVerifySuccess,
    Invitation,
    InvitationAcceptInput,
    InvitationAcceptPayload,
    InvitationAcceptSuccess,
    InvitationChangePayload,
    InvitationCreateInput,
    InvitationCreatePayload,
    InvitationResendInput,
    InvitationRevokeInput,
    InvitationSuccess,
    PasswordResetInput,
    PasswordResetPayload,
    PasswordResetRequestInput,
    PasswordResetRequestPayload,
    PasswordResetRequestSuccess,
    PasswordResetSuccess,
    UserDeleteInput,
    UserDeletePayload,
    UserDeleteSuccess,
    UserUpdateInput,
    UserUpdatePayload,
    UserUpdateSuccess,
)
from graph.types.accounts.nodes import Membership, User
from loaders.base import to_node
from resolvers.accounts.deletion import delete_user
from resolvers.accounts.emails import (
    request_password_reset,
    reset_password,
    update_own_account,
    verify_email,
)
from resolvers.accounts.invitations import (
    accept_invitation,
    create_invitation,
    resend_invitation,
    revoke_invitation,
)
from resolvers.writes import mutate


def _invitation(obj: Any) -> InvitationSuccess:
    return InvitationSuccess(invitation=to_node(Invitation, obj))


def _accepted(result: Any) -> InvitationAcceptSuccess:
    invitation, membership, user, created = result
    return InvitationAcceptSuccess(
        invitation=to_node(Invitation, invitation),
        membership=to_node(Membership, membership),
        user=to_node(User, user),
        account_created=created,
    )


@strawberry.type
class AccountEmailMutation:
    @strawberry.mutation(
        description="Invite an email address into an organization (ADMIN+); the invitation "
        "email is queued with this mutation's transaction. A pending invitation to the same "
        "address is sent again with a new link; a member's address is a ConflictError."
    )
    async def invitation_create(
        self,
        info: Info,
        input: Annotated[
            InvitationCreateInput,
            strawberry.argument(description="Who to invite, where, with which role."),
        ],
    ) -> InvitationCreatePayload:
        return await mutate(info, lambda w: create_invitation(w, input), _invitation)

    @strawberry.mutation(
        description="Send a pending invitation again (ADMIN+), with a new link and expiry: "
        "the previous link stops working."
    )
    async def invitation_resend(
        self,
        info: Info,
        input: Annotated[
            InvitationResendInput, strawberry.argument(description="The invitation to send again.")
        ],
    ) -> InvitationChangePayload:
        return await mutate(info, lambda w: resend_invitation(w, id=input.id), _invitation)

    @strawberry.mutation(description="Revoke a pending invitation (ADMIN+): its link dies.")
    async def invitation_revoke(
        self,
        info: Info,
        input: Annotated[
            InvitationRevokeInput, strawberry.argument(description="The invitation to revoke.")
        ],
    ) -> InvitationChangePayload:
        return await mutate(info, lambda w: revoke_invitation(w, id=input.id), _invitation)

    @strawberry.mutation(
        description="Accept an invitation with its emailed token (no sign-in needed: the "
        "token proves the address). Makes the membership, signing up an account for an "
        "address that has none. The token works once."
    )
    async def invitation_accept(
        self,
        info: Info,
        input: Annotated[
            InvitationAcceptInput,
            strawberry.argument(
                description="The emailed token, and a new account's password and name."
            ),
        ],
    ) -> InvitationAcceptPayload:
        return await mutate(info, lambda w: accept_invitation(w, input), _accepted, anonymous=True)

    @strawberry.mutation(
        description="Ask for a password-reset email. The answer is the same whether or not "
        "an account has the address."
    )
    async def password_reset_request(
        self,
        info: Info,
        input: Annotated[
            PasswordResetRequestInput, strawberry.argument(description="The account's address.")
        ],
    ) -> PasswordResetRequestPayload:
        return await mutate(
            info,
            lambda w: request_password_reset(w, email=input.email),
            lambda message: PasswordResetRequestSuccess(message=message),
            anonymous=True,
        )

    @strawberry.mutation(
        description="Set a new password with a reset email's token; signs out every session "
        "of the account."
    )
    async def password_reset(
        self,
        info: Info,
        input: Annotated[
            PasswordResetInput,
            strawberry.argument(description="The emailed token and the new password."),
        ],
    ) -> PasswordResetPayload:
        return await mutate(
            info,
            lambda w: reset_password(w, input),
            lambda user: PasswordResetSuccess(user=to_node(User, user)),
            anonymous=True,
        )

    @strawberry.mutation(
        description="Verify an address with a verification email's token; after an email "
        "change, the new address becomes the account's."
    )
    async def email_verify(
        self,
        info: Info,
        input: Annotated[EmailVerifyInput, strawberry.argument(description="The emailed token.")],
    ) -> EmailVerifyPayload:
        return await mutate(
            info,
            lambda w: verify_email(w, token=input.token),
            lambda user: EmailVerifySuccess(user=to_node(User, user)),
            anonymous=True,
        )

    @strawberry.mutation(
        description="Change your own account: name, email (taken once verified), password "
        "(needs the current one; signs out your other sessions)."
    )
    async def user_update(
        self,
        info: Info,
        input: Annotated[UserUpdateInput, strawberry.argument(description="What to change.")],
    ) -> UserUpdatePayload:
        return await mutate(
            info,
            lambda w: update_own_account(w, input),
            lambda r: UserUpdateSuccess(
                user=to_node(User, r[0]), verification_sent_to=r[1], sessions_revoked=r[2]
            ),
        )

    @strawberry.mutation(
        description="Delete your account (a superuser: anyone's): personal data removed, "
        "sessions and API keys ended, owned rows handled by the data model's rules. The "
        "last OWNER of an organization is refused."
    )
    async def user_delete(
        self,
        info: Info,
        input: Annotated[
            UserDeleteInput, strawberry.argument(description="Whose account (yours by default).")
        ],
    ) -> UserDeletePayload:
        return await mutate(
            info,
            lambda w: delete_user(w, id=input.id),
            lambda user: UserDeleteSuccess(deleted_id=strawberry.ID(to_global_id("User", user.id))),
        )
