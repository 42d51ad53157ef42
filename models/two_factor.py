"""Two-factor sign-in: a user's TOTP credential (RFC 6238) and the short-lived challenges
`authLogin` hands out while the second factor is pending.

Nothing here is ever read back through the API: the TOTP secret is shown once by
`twoFactorEnroll` and then only compared against; recovery codes and challenges are
high-entropy random strings kept as SHA-256 hashes. Every such column is listed in
`__secret_columns__`, so the change history records that a credential changed, never what
it holds.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import Base, own


class TwoFactorCredential(Base):
    """One per user: enrolled (a secret, not yet confirmed) or on (``confirmed_at`` set)."""

    __tablename__ = "two_factor_credentials"
    __secret_columns__ = frozenset({"secret", "recovery_code_hashes", "last_used_step"})

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    # The base32 TOTP secret, encrypted with TRELLIS_TWO_FACTOR_KEYS when set
    # (resolvers/accounts/two_factor.py `seal`); see README "Two-factor sign-in".
    secret: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[datetime | None]
    # SHA-256 of each unused recovery code; a used code's hash is removed.
    recovery_code_hashes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    recovery_codes_generated_at: Mapped[datetime | None]
    # The last TOTP time step accepted: a code of that step or an earlier one is a replay.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    last_used_at: Mapped[datetime | None]

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return own(cls.user_id)


class TwoFactorChallenge(Base):
    """A password accepted for an account with two-factor sign-in on: `authLoginVerify`
    trades it, once and before it expires, with a code for the tokens."""

    __tablename__ = "two_factor_challenges"
    __secret_columns__ = frozenset({"challenge_hash"})

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return own(cls.user_id)


__all__ = ["TwoFactorChallenge", "TwoFactorCredential"]
