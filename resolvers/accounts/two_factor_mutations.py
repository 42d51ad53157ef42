"""Two-factor sign-in in the Mutation type: `authLoginVerify` and the `twoFactor...`
mutations; each runs an op and returns its payload."""

from __future__ import annotations

from typing import Any

import strawberry

import models
from graph.context import Info
from graph.kernel.errors import AuthenticationFailed, MutationInput
from graph.types.accounts.inputs import AuthLoginVerifyPayload
from graph.types.accounts.nodes import User
from graph.types.accounts.two_factor import (
    AuthLoginVerifyInput,
    TwoFactorConfirmInput,
    TwoFactorConfirmPayload,
    TwoFactorDisableInput,
    TwoFactorDisablePayload,
    TwoFactorDisableSuccess,
    TwoFactorEnrollment,
    TwoFactorEnrollPayload,
    TwoFactorRecoveryCodes,
    TwoFactorRecoveryCodesRegenerateInput,
    TwoFactorRecoveryCodesRegeneratePayload,
)
from loaders.base import to_node
from resolvers.accounts.auth import sign_in
from resolvers.accounts.mutations import _tokens  # the same AuthTokens as authLogin's
from resolvers.accounts.two_factor import (
    challenged_user,
    confirm,
    disable,
    enroll,
    regenerate_recovery_codes,
    verify_challenge,
)
from resolvers.writes import Writer, mutate

# The login throttle is the app's (graph/server/throttle.py `LoginThrottle`, read from the
# app's state as `authLogin` does): resolvers do not import the server package.
Key = tuple[str, str]


def _throttle(info: Info) -> Any:
    """The app's login throttle, when it has one."""
    state = getattr(getattr(getattr(info.context, "request", None), "app", None), "state", None)
    return getattr(state, "login_throttle", None)


async def _throttled(info: Info, keys: list[Key], check: Any, throttle: Any) -> Any:
    """Run ``check`` unless ``keys`` are locked out; a refusal counts as a failed sign-in,
    like a wrong password, so wrong codes lock the account and the address alike."""
    engine = info.context.db.read_engine
    if throttle is not None and (wait := await throttle.retry_after(engine, keys)) is not None:
        raise AuthenticationFailed(f"Too many attempts, try again in {wait} s.")
    try:
        return await check()
    except AuthenticationFailed:
        if throttle is not None:
            await throttle.failed(engine, keys)
        raise


async def _own_throttled(info: Info, w: Writer, check: Any) -> Any:
    """``check`` of the signed-in caller's password or code, throttled under their account
    and address (a stolen session cannot guess codes freely)."""
    user_id = info.context.viewer.user_id
    if user_id is None:  # refused before any check: nothing to count
        return await check()
    throttle = _throttle(info)
    email = (await w.session.get_one(models.User, user_id)).email
    keys = throttle.keys(email, info.context.client_ip) if throttle else []
    return await _throttled(info, keys, check, throttle)


def _codes(result: tuple[models.User, list[str]]) -> TwoFactorRecoveryCodes:
    return TwoFactorRecoveryCodes(recovery_codes=result[1], user=to_node(User, result[0]))


@strawberry.type
class TwoFactorMutation:
    @strawberry.mutation(
        description="Finish signing in to an account with two-factor sign-in on: the "
        "challenge `authLogin` returned and a code give the tokens. The challenge works "
        "once; wrong codes count towards the sign-in limits like wrong passwords."
    )
    async def auth_login_verify(
        self, info: Info, input: MutationInput[AuthLoginVerifyInput]
    ) -> AuthLoginVerifyPayload:
        ctx = info.context
        throttle = _throttle(info)
        address: list[Key] = [("address", ctx.client_ip)] if ctx.client_ip else []

        async def attempt(w: Writer) -> tuple[models.User, dict[str, Any]]:
            # an unknown challenge counts against the address; a known one, the account too
            user, challenge = await _throttled(
                info, address, lambda: challenged_user(w, challenge=input.challenge), throttle
            )
            keys = throttle.keys(user.email, ctx.client_ip) if throttle else []

            async def check() -> None:
                await verify_challenge(w, user=user, challenge=challenge, code=input.code)

            await _throttled(info, keys, check, throttle)
            return await sign_in(w, user, ip=ctx.client_ip, user_agent=ctx.user_agent)

        return await mutate(info, attempt, _tokens, anonymous=True)

    @strawberry.mutation(
        description="Start turning two-factor sign-in on: a new TOTP secret, pending until "
        "`twoFactorConfirm`. Enrolling again before confirming replaces the secret. Takes a "
        "signed-in session (not an API key)."
    )
    async def two_factor_enroll(self, info: Info) -> TwoFactorEnrollPayload:
        return await mutate(
            info, enroll, lambda e: TwoFactorEnrollment(secret=e.secret, otpauth_uri=e.uri)
        )

    @strawberry.mutation(
        description="Turn two-factor sign-in on with a code of the enrolled secret; returns "
        "ten recovery codes, shown this once. From now on `authLogin` returns a challenge."
    )
    async def two_factor_confirm(
        self, info: Info, input: MutationInput[TwoFactorConfirmInput]
    ) -> TwoFactorConfirmPayload:
        return await mutate(info, lambda w: confirm(w, code=input.code), _codes)

    @strawberry.mutation(
        description="Replace the recovery codes (a current code needed): ten new ones, "
        "shown this once; the old ones stop working. Wrong codes count towards the sign-in "
        "limits."
    )
    async def two_factor_recovery_codes_regenerate(
        self, info: Info, input: MutationInput[TwoFactorRecoveryCodesRegenerateInput]
    ) -> TwoFactorRecoveryCodesRegeneratePayload:
        return await mutate(
            info,
            lambda w: _own_throttled(
                info, w, lambda: regenerate_recovery_codes(w, code=input.code)
            ),
            _codes,
        )

    @strawberry.mutation(
        description="Turn two-factor sign-in off (the password and a current or recovery "
        "code needed): the secret and recovery codes are deleted. Wrong passwords and codes "
        "count towards the sign-in limits."
    )
    async def two_factor_disable(
        self, info: Info, input: MutationInput[TwoFactorDisableInput]
    ) -> TwoFactorDisablePayload:
        return await mutate(
            info,
            lambda w: _own_throttled(
                info, w, lambda: disable(w, password=input.password, code=input.code)
            ),
            lambda user: TwoFactorDisableSuccess(user=to_node(User, user)),
        )
