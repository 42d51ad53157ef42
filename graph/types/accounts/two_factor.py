"""Two-factor sign-in in the API: the login challenge, enrollment, recovery codes, and
`User.twoFactorEnabled`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from graph.context import Info
from graph.kernel.errors import AuthenticationError, ConflictError, changed_node, payload
from graph.types.accounts.nodes import User


@strawberry.type(
    description="The password was right and the account has two-factor sign-in on: send "
    "`challenge` with a code from the authenticator app (or a recovery code) to "
    "`authLoginVerify` for the tokens."
)
class TwoFactorChallenge:
    challenge: str = strawberry.field(
        description="An opaque single-use string for `authLoginVerify`; stored only hashed."
    )
    expires_at: datetime = strawberry.field(
        description="When the challenge stops working (5 minutes after `authLogin`); sign in "
        "again after that."
    )


@strawberry.input(description="The challenge `authLogin` returned, and a code.")
class AuthLoginVerifyInput:
    challenge: str = strawberry.field(description="`TwoFactorChallenge.challenge`.")
    code: str = strawberry.field(
        description="The 6-digit code the authenticator app shows now (each code is accepted "
        "once), or one of the unused recovery codes (each works once)."
    )


@strawberry.type(
    description="Two-factor sign-in is enrolled but not on yet: add the secret to an "
    "authenticator app and confirm with a code (`twoFactorConfirm`)."
)
class TwoFactorEnrollment:
    secret: str = strawberry.field(
        description="The TOTP secret (base32, RFC 6238: SHA-1, 6 digits, 30 seconds). Shown "
        "by this mutation only; it is never readable again."
    )
    otpauth_uri: str = strawberry.field(
        description="The same secret as an `otpauth://totp/...` URI, for a QR code."
    )


TwoFactorEnrollPayload = Annotated[
    TwoFactorEnrollment | AuthenticationError | ConflictError, payload("TwoFactorEnrollPayload")
]


@strawberry.input(description="A code of the enrolled secret, proving the app has it.")
class TwoFactorConfirmInput:
    code: str = strawberry.field(description="The 6-digit code the authenticator app shows now.")


@strawberry.input(description="A current code, to replace the recovery codes.")
class TwoFactorRecoveryCodesRegenerateInput:
    code: str = strawberry.field(
        description="The 6-digit code the authenticator app shows now, or an unused recovery "
        "code (used up by this)."
    )


@strawberry.type(
    description="Two-factor sign-in is on, with new recovery codes. They are shown this once "
    "and stored only hashed: keep them somewhere safe."
)
class TwoFactorRecoveryCodes:
    recovery_codes: list[str] = strawberry.field(
        description="Ten single-use codes, each accepted once in place of an app's code "
        "(`authLoginVerify`, `twoFactorDisable`); any earlier codes no longer work."
    )
    user: User = changed_node()


TwoFactorConfirmPayload = Annotated[
    TwoFactorRecoveryCodes | AuthenticationError | ConflictError,
    payload("TwoFactorConfirmPayload"),
]
TwoFactorRecoveryCodesRegeneratePayload = Annotated[
    TwoFactorRecoveryCodes | AuthenticationError | ConflictError,
    payload("TwoFactorRecoveryCodesRegeneratePayload"),
]


@strawberry.input(description="The password and a current code, to turn two-factor sign-in off.")
class TwoFactorDisableInput:
    password: str = strawberry.field(description="The account's password.")
    code: str = strawberry.field(
        description="The 6-digit code the authenticator app shows now, or an unused recovery code."
    )


@strawberry.type(description="Two-factor sign-in is off: a password alone signs in again.")
class TwoFactorDisableSuccess:
    user: User = changed_node()


TwoFactorDisablePayload = Annotated[
    TwoFactorDisableSuccess | AuthenticationError | ConflictError,
    payload("TwoFactorDisablePayload"),
]

_ENABLED = (
    "SELECT 1 FROM two_factor_credentials WHERE user_id = %(user)s AND confirmed_at IS NOT NULL"
)


async def _two_factor_enabled(self: User, info: Info) -> bool | None:
    viewer = info.context.viewer
    if viewer.user_id is None or viewer.user_id != self.pk:
        return None
    return bool(await info.context.db.reader.execute(_ENABLED, {"user": self.pk}))


@strawberry.type
class TwoFactorUserFields:
    """Two-factor sign-in's field of a user (composed in graph.schema)."""

    two_factor_enabled: bool | None = strawberry.field(
        resolver=_two_factor_enabled,
        description="Whether sign-in asks for a second factor (`twoFactorConfirm`). Only "
        "the user themselves can read it: null for anyone else.",
    )
