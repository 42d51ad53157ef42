"""The login throttle: failed sign-ins per account and per client address in a sliding
window, counted in PostgreSQL so every server process shares one count.

The counters are rows of `login_failures`, an UNLOGGED table (models/accounts.py): a failure
is one insert per key, a check one indexed read. Advisory locks were the alternative, but
they hold no count and no time, so a sliding window would still need a table. The key is a
SHA-256 of the normalised email or the address: an unknown email counts exactly like a
known one (the answer reveals nothing about which accounts exist) and nothing typed is
stored in clear. The check and the record are two statements around the password check, so
attempts running at the same instant may each pass the check: the limit can be exceeded by
the number of attempts in flight at once, not multiplied by the number of processes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# The limit-th most recent failure of each key inside the window: when it leaves the window
# another attempt is allowed.
_OLDEST_COUNTED = text("""
WITH wanted (key, lim) AS (
    SELECT * FROM unnest(CAST(:keys AS varchar[]), CAST(:limits AS integer[]))
)
SELECT max(r.created_at) FROM (
    SELECT f.key, f.created_at,
           row_number() OVER (PARTITION BY f.key ORDER BY f.created_at DESC) AS n
    FROM login_failures AS f
    WHERE f.key = ANY(CAST(:keys AS varchar[])) AND f.created_at > :since
) AS r
JOIN wanted AS w ON w.key = r.key AND r.n = w.lim
""")

# Record a failure under each key, and forget every failure that left the window.
_RECORD = text("""
WITH pruned AS (DELETE FROM login_failures WHERE created_at <= :since)
INSERT INTO login_failures (key, created_at, updated_at)
SELECT k, :now, :now FROM unnest(CAST(:keys AS varchar[])) AS k
""")

Key = tuple[str, str]


def _now() -> datetime:
    return datetime.now(UTC)


class LoginThrottle:
    def __init__(
        self,
        *,
        per_account: int,
        per_address: int,
        window_seconds: int,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.limits = {"account": per_account, "address": per_address}
        self.window = timedelta(seconds=window_seconds)
        self.clock = clock

    @staticmethod
    def keys(email: str, address: str | None) -> list[Key]:
        keys = [("account", email.strip().lower())]
        if address:
            keys.append(("address", address))
        return keys

    @staticmethod
    def _hashed(keys: list[Key]) -> list[str]:
        return [hashlib.sha256(f"{kind}:{value}".encode()).hexdigest() for kind, value in keys]

    async def retry_after(self, engine: AsyncEngine, keys: list[Key]) -> int | None:
        """Seconds until another attempt is allowed, or None if one is allowed now."""
        now = self.clock()
        params = {
            "keys": self._hashed(keys),
            "limits": [self.limits[kind] for kind, _ in keys],
            "since": now - self.window,
        }
        async with engine.connect() as conn:
            oldest: datetime | None = (await conn.execute(_OLDEST_COUNTED, params)).scalar()
        if oldest is None:
            return None
        return max(1, math.ceil((oldest + self.window - now).total_seconds()))

    async def failed(self, engine: AsyncEngine, keys: list[Key]) -> None:
        now = self.clock()
        params = {"keys": self._hashed(keys), "now": now, "since": now - self.window}
        async with engine.begin() as conn:
            await conn.execute(_RECORD, params)
