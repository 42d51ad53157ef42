"""Signed, expiring download URLs: ``/files/<file id>?u=<user id>&e=<expiry>&s=<signature>``.

The signature is an HMAC-SHA256, under the server's secret, of the file, the user the URL was
made for and the expiry (Unix seconds). The URL works without credentials (an ``<img src>``),
and the download still reads the file as that user: a user who lost access to the file's
organization gets a 404 even with a valid URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

PATH_PREFIX = "/files/"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class UrlSigner:
    secret: bytes
    ttl_seconds: int

    def _signature(self, file_id: uuid.UUID, user_id: uuid.UUID, expires: int) -> str:
        message = f"{file_id}:{user_id}:{expires}".encode()
        return _b64(hmac.new(self.secret, message, hashlib.sha256).digest())

    def url(self, file_id: uuid.UUID, user_id: uuid.UUID, *, now: float | None = None) -> str:
        """A URL for ``user_id`` to download the file. The expiry is rounded up to a minute, so
        a file's URL stays the same for a minute (caches and ETags can work)."""
        at = time.time() if now is None else now
        expires = math.ceil((at + self.ttl_seconds) / 60) * 60
        signature = self._signature(file_id, user_id, expires)
        return f"{PATH_PREFIX}{file_id}?u={user_id}&e={expires}&s={signature}"

    def verify(self, file_id: uuid.UUID, user_id: uuid.UUID, expires: int, signature: str) -> bool:
        """Whether the signature is this server's and the URL has not expired."""
        expected = self._signature(file_id, user_id, expires)
        return hmac.compare_digest(expected, signature) and time.time() < expires


def persisted_secret(data_dir: Path) -> bytes:
    """The development signing secret: made once, kept in the data directory (mode 0600), so
    URLs stay valid across restarts and between the processes of one data directory."""
    path = data_dir / "file-signing.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(secret.hex())
    tmp.chmod(0o600)
    try:
        # Another process may have made one first: keep theirs (link fails if it exists).
        path.hardlink_to(tmp)
    except FileExistsError:
        tmp.unlink()
        return bytes.fromhex(path.read_text().strip())
    tmp.unlink()
    return secret
