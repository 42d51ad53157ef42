"""The storage interface: bytes under a key, written and read as streams of chunks.

A backend never holds a whole file in memory: `write` consumes chunks as they come (hashing
and counting them), `open` yields chunks as they are read. A local directory is the default
backend (`LocalStorage`); an S3-compatible object store can implement the same four methods
(a multipart upload for `write`, a ranged GET stream for `open`).
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterable, AsyncIterator


class StorageError(Exception):
    """A backend could not do what was asked (a bad key, an I/O failure)."""


class TooLarge(StorageError):
    """A write passed its byte limit; nothing was kept under the key."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class Storage(abc.ABC):
    @abc.abstractmethod
    async def write(
        self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None
    ) -> tuple[int, str]:
        """Store the chunks under ``key``; return (size in bytes, hex SHA-256).

        All or nothing: a failed write (an error, or `TooLarge` once more than ``max_bytes``
        came) leaves nothing under ``key``, and a reader never sees a partial file there."""

    @abc.abstractmethod
    def open(self, key: str) -> AsyncIterator[bytes]:
        """The bytes under ``key``, chunk by chunk; `FileNotFoundError` if there are none."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove ``key``'s bytes; a missing key is not an error."""

    @abc.abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether bytes are stored under ``key``."""
