"""Two-factor sign-in ops: TOTP enrollment (RFC 6238, by pyotp), recovery codes, and the
challenge `authLogin` returns while the second factor is pending.

Codes are checked here and nowhere else. A TOTP code is accepted for the current 30-second
step or the one either side (clock drift), and only for a step later than the last one
accepted: a code is never accepted twice (RFC 6238 §5.2). A recovery code works once. A
refused code raises `AuthenticationFailed`, whose message never repeats the code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import delete, func, or_, select

import models
from graph.auth import hash_token, verify_password
from graph.kernel.errors import AuthenticationFailed, Conflict
from graph.settings import get_settings
from models.two_factor import TwoFactorChallenge, TwoFactorCredential
from resolvers.writes import Writer

log = logging.getLogger(__name__)

ISSUER = "Trellis"
RECOVERY_CODE_COUNT = 10
CHALLENGE_TTL = timedelta(minutes=5)
CHALLENGE_PREFIX = "trl_2fa_"

INVALID_CODE = "The code is wrong or was used already."
INVALID_CHALLENGE = "The sign-in challenge is invalid, expired or used; sign in again."


def utc_now() -> datetime:
    return datetime.now(UTC)


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# A secret encrypted with TRELLIS_TWO_FACTOR_KEYS starts with this; one without was stored
# while no key was set, and is read as is.
SEALED = "fernet:"


def _fernet() -> MultiFernet | None:
    keys = get_settings().two_factor_keys
    if not keys:
        return None
    # Each configured string (at least 32 characters) is hashed to Fernet's 32-byte key.
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(k.encode()).digest())) for k in keys]
    )


def seal(secret: str) -> str:
    """The TOTP secret as stored: encrypted with the first key, if any is set."""
    fernet = _fernet()
    return secret if fernet is None else SEALED + fernet.encrypt(secret.encode()).decode()


def unseal(stored: str) -> str:
    """The TOTP secret of a stored value. An encrypted one without a key that opens it is a
    configuration error, not the user's: it raises."""
    if not stored.startswith(SEALED):
        return stored
    fernet = _fernet()
    if fernet is None:
        raise RuntimeError("a two-factor secret is encrypted but TRELLIS_TWO_FACTOR_KEYS is empty")
    return fernet.decrypt(stored.removeprefix(SEALED).encode()).decode()


def new_recovery_codes() -> list[str]:
    """Ten codes of 80 random bits each, as `xxxxx-xxxxx-xxxxx-xxxxx` (hex)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(10)
        codes.append("-".join(raw[i : i + 5] for i in range(0, 20, 5)))
    return codes


def hash_recovery_code(code: str) -> str:
    # SHA-256, not argon2: each code carries 80 random bits, so guessing from the hash is as
    # hopeless as guessing the code, and a fast hash lets a lookup stay cheap.
    return hash_token(_normal(code))


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` is the TOTP of, within one step of ``now``; None if none."""
    code = _normal(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def require_session(writer: Writer) -> uuid.UUID:
    """Managing the second factor takes a signed-in session: an API key cannot."""
    if writer.viewer.user_id is None:
        raise AuthenticationFailed("Sign in first.")
    if writer.viewer.session_id is None:
        raise AuthenticationFailed("Two-factor sign-in is managed from a session, not an API key.")
    return writer.viewer.user_id


async def _credential(writer: Writer, user_id: uuid.UUID) -> TwoFactorCredential | None:
    return await writer.session.scalar(
        select(TwoFactorCredential).where(TwoFactorCredential.user_id == user_id).with_for_update()
    )


async def _enabled_credential(writer: Writer, user_id: uuid.UUID) -> TwoFactorCredential:
    credential = await _credential(writer, user_id)
    if credential is None or credential.confirmed_at is None:
        raise Conflict("Two-factor sign-in is not on for this account.")
    return credential


async def use_code(
    writer: Writer, credential: TwoFactorCredential, code: str, *, recovery: bool = True
) -> None:
    """Accept a TOTP code not used before, or (with ``recovery``) an unused recovery code,
    and record its use; refuse anything else."""
    now = utc_now()
    try:
        secret: str | None = unseal(credential.secret)
    except (RuntimeError, InvalidToken):
        # the keys changed without the old one kept: app codes fail, recovery codes work
        log.error("a two-factor secret cannot be decrypted: check TRELLIS_TWO_FACTOR_KEYS")
        secret = None
    step = None if secret is None else totp_step(secret, code, now)
    if step is not None:
        if credential.last_used_step is not None and step <= credential.last_used_step:
            raise AuthenticationFailed(INVALID_CODE, ("code",))  # a replay
        await writer.update(credential, {"last_used_step": step, "last_used_at": now})
        return
    hashed = hash_recovery_code(code)
    if recovery and hashed in credential.recovery_code_hashes:
        left = [h for h in credential.recovery_code_hashes if h != hashed]
        await writer.update(credential, {"recovery_code_hashes": left, "last_used_at": now})
        return
    raise AuthenticationFailed(INVALID_CODE, ("code",))


@dataclass(frozen=True, slots=True)
class Enrollment:
    secret: str
    uri: str


async def enroll(writer: Writer) -> Enrollment:
    """A new secret, pending until `confirm`; enrolling again replaces a pending one."""
    user_id = require_session(writer)
    user = await writer.session.get_one(models.User, user_id)
    credential = await _credential(writer, user_id)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict("Two-factor sign-in is on already; disable it first to enroll again.")
    secret = pyotp.random_base32()
    if credential is None:
        await writer.create(TwoFactorCredential(user_id=user_id, secret=seal(secret)))
    else:
        await writer.update(credential, {"secret": seal(secret), "last_used_step": None})
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrollment(secret=secret, uri=uri)


async def _new_codes(writer: Writer, credential: TwoFactorCredential) -> list[str]:
    codes = new_recovery_codes()
    await writer.update(
        credential,
        {
            "recovery_code_hashes": [hash_recovery_code(c) for c in codes],
            "recovery_codes_generated_at": utc_now(),
        },
    )
    return codes


async def confirm(writer: Writer, *, code: str) -> tuple[models.User, list[str]]:
    """Turn two-factor sign-in on with a code of the enrolled secret; the recovery codes."""
    user_id = require_session(writer)
    credential = await _credential(writer, user_id)
    if credential is None:
        raise Conflict("Enroll first (`twoFactorEnroll`).")
    if credential.confirmed_at is not None:
        raise Conflict("Two-factor sign-in is on already.")
    await use_code(writer, credential, code, recovery=False)
    await writer.update(credential, {"confirmed_at": utc_now()})
    codes = await _new_codes(writer, credential)
    return await writer.session.get_one(models.User, user_id), codes


async def regenerate_recovery_codes(writer: Writer, *, code: str) -> tuple[models.User, list[str]]:
    """Ten new recovery codes for a current code; the old ones stop working."""
    user_id = require_session(writer)
    credential = await _enabled_credential(writer, user_id)
    await use_code(writer, credential, code)
    codes = await _new_codes(writer, credential)
    return await writer.session.get_one(models.User, user_id), codes


async def disable(writer: Writer, *, password: str, code: str) -> models.User:
    """Turn two-factor sign-in off: takes the password and a current (or recovery) code."""
    user_id = require_session(writer)
    user = await writer.session.get_one(models.User, user_id)
    credential = await _enabled_credential(writer, user_id)
    ok, _ = verify_password(user.password_hash, password)
    if not ok:
        raise AuthenticationFailed("The password is wrong.", ("password",))
    await use_code(writer, credential, code)
    await writer.delete(credential)
    return user


# ---------------------------------------------------------------------------------------------
# Sign-in


@dataclass(frozen=True, slots=True)
class Challenge:
    challenge: str
    expires_at: datetime


async def challenge_if_enabled(writer: Writer, user: models.User) -> Challenge | None:
    """A challenge when ``user`` has two-factor sign-in on (the password was right)."""
    enabled = await writer.session.scalar(
        select(TwoFactorCredential.id).where(
            TwoFactorCredential.user_id == user.id,
            TwoFactorCredential.confirmed_at.is_not(None),
        )
    )
    if enabled is None:
        return None
    # The account's spent challenges go as a new one comes: at most the live ones remain.
    await writer.session.execute(
        delete(TwoFactorChallenge).where(
            TwoFactorChallenge.user_id == user.id,
            or_(
                TwoFactorChallenge.used_at.is_not(None), TwoFactorChallenge.expires_at < func.now()
            ),
        )
    )
    token = CHALLENGE_PREFIX + secrets.token_urlsafe(32)
    expires_at = utc_now() + CHALLENGE_TTL
    await writer.create(
        TwoFactorChallenge(user_id=user.id, challenge_hash=hash_token(token), expires_at=expires_at)
    )
    return Challenge(challenge=token, expires_at=expires_at)


async def challenged_user(
    writer: Writer, *, challenge: str
) -> tuple[models.User, TwoFactorChallenge]:
    """The account a live challenge stands for (locked, with the challenge)."""
    row = await writer.session.scalar(
        select(TwoFactorChallenge)
        .where(
            TwoFactorChallenge.challenge_hash == hash_token(challenge),
            TwoFactorChallenge.used_at.is_(None),
            TwoFactorChallenge.expires_at > utc_now(),
        )
        .with_for_update()
    )
    user = None if row is None else await writer.session.get(models.User, row.user_id)
    if row is None or user is None or not user.is_active or user.deleted_at is not None:
        raise AuthenticationFailed(INVALID_CHALLENGE, ("challenge",))
    return user, row


async def verify_challenge(
    writer: Writer, *, user: models.User, challenge: TwoFactorChallenge, code: str
) -> None:
    """Accept the second factor for ``challenge``, which is used up."""
    credential = await _credential(writer, user.id)
    if credential is None or credential.confirmed_at is None:  # disabled since the password
        raise AuthenticationFailed(INVALID_CHALLENGE, ("challenge",))
    await use_code(writer, credential, code)
    await writer.update(challenge, {"used_at": utc_now()})
