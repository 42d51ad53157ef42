"""File storage: the `Storage` interface and its local backend, MIME sniffing, and the
signing of download URLs. `Files` bundles what a request needs of them, per settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from graph.settings import Settings
from graph.storage.base import Storage, StorageError, TooLarge
from graph.storage.local import LocalStorage
from graph.storage.signing import UrlSigner, persisted_secret
from graph.storage.sniff import HEAD_BYTES, sniff


class MissingSecret(RuntimeError):
    """Production mode without TRELLIS_FILE_SECRET."""


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_files: int
    mime_types: frozenset[str]


@dataclass(frozen=True)
class Files:
    storage: Storage
    signer: UrlSigner
    limits: UploadLimits


def require_secret(settings: Settings) -> None:
    """Refuse to serve in production without a configured signing secret (checked when the
    server starts: every process must sign and verify with the same one)."""
    if settings.production and not settings.file_signing_secret:
        raise MissingSecret("production mode needs TRELLIS_FILE_SECRET to sign file URLs")


@lru_cache(maxsize=8)
def files_for(settings: Settings) -> Files:
    """The storage, URL signer and upload limits of ``settings`` (one per settings).

    Without a configured secret: in development, one kept in the data directory; in
    production (reachable only where the server's start-up check did not run, an app driven
    in process) a random one for this process."""
    if settings.file_signing_secret:
        secret = settings.file_signing_secret.encode()
    elif settings.production:
        secret = secrets.token_bytes(32)
    else:
        secret = persisted_secret(settings.data_dir)
    return Files(
        storage=LocalStorage(settings.data_dir / "files"),
        signer=UrlSigner(secret, settings.file_url_ttl_seconds),
        limits=UploadLimits(
            max_bytes=settings.upload_max_bytes,
            max_files=settings.upload_max_files,
            mime_types=frozenset(settings.upload_mime_types),
        ),
    )


__all__ = [
    "HEAD_BYTES",
    "Files",
    "LocalStorage",
    "MissingSecret",
    "Storage",
    "StorageError",
    "TooLarge",
    "UploadLimits",
    "UrlSigner",
    "files_for",
    "require_secret",
    "sniff",
]
