"""Credentials: password hashing, opaque tokens, and turning a bearer token into a Viewer.

Tokens (access, refresh, API key) are 32 random bytes, shown to the client once and stored
only as SHA-256 hashes: they carry full entropy, so a slow hash would add nothing. Passwords
use argon2id and are rehashed on login when the parameters change.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import uuid
from datetime import datetime
from typing import Any, NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from loaders.reader import Reader
from models.viewer import ALL_SCOPES, ANONYMOUS, Viewer

ACCESS_PREFIX = "trl_at_"
REFRESH_PREFIX = "trl_rt_"
API_KEY_PREFIX = "trl_key_"

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # "surrogatepass": a token from JSON (a WebSocket's connection_init) may hold a lone
    # surrogate; it matches nothing rather than failing.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one should be upgraded)."""
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if password_hash is None:
        return False, None
    if _hasher.check_needs_rehash(password_hash):
        return True, _hasher.hash(password)
    return True, None


# One statement and one row: the credential (session or API key, touching the key's
# last_used_at at most once a minute), its user, the user's memberships in live
# organizations, and the permissions of each distinct role among them.
_AUTHENTICATE = """
    WITH touched AS (
        UPDATE api_keys SET last_used_at = now()
        WHERE key_hash = %(hash)s AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > now())
          AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
        RETURNING id
    ),
    principal AS (
        SELECT s.user_id, s.id AS session_id, NULL::uuid AS api_key_id, NULL::varchar[] AS scopes,
               s.expires_at
        FROM auth_sessions s
        WHERE s.token_hash = %(hash)s AND s.revoked_at IS NULL AND s.expires_at > now()
        UNION ALL
        SELECT k.user_id, NULL, k.id, k.scopes, k.expires_at
        FROM api_keys k
        WHERE k.key_hash = %(hash)s AND k.revoked_at IS NULL
          AND (k.expires_at IS NULL OR k.expires_at > now())
    ),
    member AS (
        SELECT m.organization_id, m.role_id, r.name
        FROM principal p
        JOIN memberships m ON m.user_id = p.user_id
        JOIN organizations o ON o.id = m.organization_id AND o.deleted_at IS NULL
        JOIN roles r ON r.id = m.role_id
    )
    SELECT p.user_id, p.session_id, p.api_key_id, p.scopes, u.is_superuser,
           (SELECT coalesce(json_agg(json_build_array(organization_id, role_id, name)), '[]')
            FROM member) AS memberships,
           (SELECT coalesce(json_object_agg(role_id, codes), '{}')
            FROM (SELECT rp.role_id, array_agg(pm.resource || ':' || pm.action) AS codes
                  FROM role_permissions rp JOIN permissions pm ON pm.id = rp.permission_id
                  WHERE rp.role_id IN (SELECT role_id FROM member)
                  GROUP BY rp.role_id) granted) AS role_permissions,
           (SELECT count(*) FROM touched) AS touched,
           p.expires_at
    FROM principal p
    JOIN users u ON u.id = p.user_id AND u.is_active AND u.deleted_at IS NULL
"""


class _Principal(NamedTuple):
    user_id: uuid.UUID
    session_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    scopes: list[str] | None
    is_superuser: bool
    memberships: list[list[Any]]
    role_permissions: dict[str, list[str]]
    touched: int
    expires_at: datetime | None


EXPECTED_FORM = "`Authorization: Bearer <access token or API key>`"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,19}")


class InvalidCredentials(Exception):
    """A credential was sent but is no use: malformed, or matching no live session or API
    key. ``message`` says which and what to do; ``code`` is the `extensions.code`."""

    def __init__(
        self,
        message: str = "The access token or API key is invalid, expired or revoked.",
        code: str = "UNAUTHENTICATED",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def close_reason(self) -> str:
        """The WebSocket close reason for this refusal: `CODE: what to do`, within the
        protocol's 123 bytes."""
        if self.code == "TOKEN_EXPIRED":
            advice = "the access token expired; get a new one with authRefresh, then reconnect"
        elif self.message.startswith("The Authorization header"):
            advice = 'send {"Authorization": "Bearer <access token or API key>"} in connection_init'
        else:
            advice = "the access token or API key is invalid or revoked; sign in again"
        return f"{self.code}: {advice}"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None without one (or with an
    empty one, or an empty `Bearer `). Any other form raises `InvalidCredentials` saying
    the form expected, so a mistyped header is never taken for an anonymous caller."""
    if authorization is None or not authorization.strip():
        return None
    value = authorization.strip()
    scheme, _, token = value.partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer":
        if not token:  # GraphiQL's headers template, before a token is pasted: anonymous
            return None
        if " " not in token:
            return token
        hint = "it holds more than one value"
    elif value.startswith((ACCESS_PREFIX, API_KEY_PREFIX, REFRESH_PREFIX)):
        hint = "it lacks the `Bearer ` prefix"
    elif value.startswith(("{", "[", '"')):
        hint = "it looks like JSON; send only the header's value"
    elif _SCHEME.fullmatch(scheme):
        hint = f"`{scheme}` is not a scheme this API accepts"
    else:
        hint = "it is not in that form"
    raise InvalidCredentials(f"The Authorization header must be {EXPECTED_FORM}: {hint}.")


# Why a token that authenticates nothing failed, when it is a known credential that
# expired: looked up only after a failure, so it costs nothing on the usual path.
_EXPIRED = """
    SELECT 'session' FROM auth_sessions
    WHERE token_hash = %(hash)s AND revoked_at IS NULL AND expires_at <= now()
    UNION ALL
    SELECT 'api_key' FROM api_keys
    WHERE key_hash = %(hash)s AND revoked_at IS NULL AND expires_at <= now()
"""


async def _refusal(reader: Reader, token: str, key: str) -> InvalidCredentials:
    rows = await reader.execute(_EXPIRED, {"hash": key})
    kinds = {row[0] for row in rows}
    if "session" in kinds:
        return InvalidCredentials(
            "The access token expired: get a new one with the authRefresh mutation (its "
            "refreshToken), or sign in again with authLogin.",
            "TOKEN_EXPIRED",
        )
    if "api_key" in kinds:
        return InvalidCredentials(
            "The API key expired: create a new one with apiKeyCreate.", "TOKEN_EXPIRED"
        )
    if token.startswith(REFRESH_PREFIX):
        return InvalidCredentials(
            "This is a refresh token: send the accessToken, and pass the refresh token "
            "only to authRefresh."
        )
    return InvalidCredentials()


async def authenticate(
    reader: Reader, token: str | None, cache: ViewerCache | None = None
) -> Viewer:
    """The Viewer a bearer token stands for; ANONYMOUS without one.

    With a ``cache``, a viewer read in the last few seconds is reused (see `ViewerCache`).
    """
    if token is None:
        return ANONYMOUS
    key = hash_token(token)
    if cache is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    rows = await reader.execute(_AUTHENTICATE, {"hash": key})
    if not rows:
        raise await _refusal(reader, token, key)
    row = _Principal(*rows[0])
    grants = {role: frozenset(codes) for role, codes in row.role_permissions.items()}
    permissions: dict[uuid.UUID, frozenset[str]] = {}
    roles: dict[uuid.UUID, str] = {}
    for organization_id, role_id, role_name in row.memberships:
        org = uuid.UUID(organization_id)
        permissions[org] = grants.get(role_id, frozenset())
        roles[org] = role_name
    viewer = Viewer(
        user_id=row.user_id,
        is_superuser=row.is_superuser,
        permissions=permissions,
        roles=roles,
        session_id=row.session_id,
        api_key_id=row.api_key_id,
        scopes=frozenset(row.scopes) if row.scopes is not None else ALL_SCOPES,
    )
    if cache is not None:
        cache.put(key, viewer, row.expires_at)
    return viewer


class ViewerCache:
    """Viewers by token hash, reused for a few seconds: authenticating is a round trip and
    ~1 ms of decoding per request.

    It is only on while this process's change stream listens (`enabled`, set by the change
    hub), which clears it whenever a row viewers are read from changes, on any process
    (models/viewer.py `VIEWER_ENTITY_TYPES`); `mutate` clears it at once after such a change
    here. An
    entry also ends with its credential's expiry, and after ``ttl`` seconds in any case (a
    bound on staleness should a notification be lost).
    """

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self.enabled = False
        self._entries: dict[str, tuple[Viewer, float]] = {}

    def get(self, key: str) -> Viewer | None:
        if not self.enabled or self.ttl <= 0:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        viewer, until = entry
        if time.time() >= until:
            del self._entries[key]
            return None
        return viewer

    def put(self, key: str, viewer: Viewer, expires_at: datetime | None) -> None:
        if not self.enabled or self.ttl <= 0:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()
        until = time.time() + self.ttl
        if expires_at is not None:
            until = min(until, expires_at.timestamp())
        self._entries[key] = (viewer, until)

    def clear(self) -> None:
        self._entries.clear()
