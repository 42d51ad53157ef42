"""The default backend: a directory on the local file system.

A write goes to a temporary file under ``root/.tmp`` (same file system), is fsynced, then
renamed to its key's path and the directory fsynced: a crash leaves at most a stray temporary
file, never a half-written file under a real key. Blocking file calls run in worker threads.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from graph.storage.base import Storage, StorageError, TooLarge

# Keys are made by Trellis ("<organization>/<uuid>"): path segments of safe characters only.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,7}")
CHUNK_BYTES = 256 * 1024


class LocalStorage(Storage):
    def __init__(self, root: Path, *, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.root = root
        self.chunk_bytes = chunk_bytes

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key) or ".." in key:
            raise StorageError(f"not a storage key: {key!r}")
        return self.root / key

    async def write(
        self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None
    ) -> tuple[int, str]:
        final = self.path(key)
        tmp_dir = self.root / ".tmp"
        await asyncio.to_thread(_make_dirs, tmp_dir, final.parent)
        tmp = tmp_dir / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        out = await asyncio.to_thread(tmp.open, "xb")
        try:
            async for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise TooLarge(max_bytes)
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
            await asyncio.to_thread(_sync_close, out)
            await asyncio.to_thread(_publish, tmp, final)
        except BaseException:
            await asyncio.to_thread(_discard, out, tmp)
            raise
        return size, digest.hexdigest()

    async def open(self, key: str) -> AsyncIterator[bytes]:
        source = await asyncio.to_thread(self.path(key).open, "rb")
        try:
            while chunk := await asyncio.to_thread(source.read, self.chunk_bytes):
                yield chunk
        finally:
            await asyncio.to_thread(source.close)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)


def _make_dirs(*dirs: Path) -> None:
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)


def _sync_close(out: BinaryIO) -> None:
    out.flush()
    os.fsync(out.fileno())
    out.close()


def _publish(tmp: Path, final: Path) -> None:
    """Rename into place, then make the rename durable (fsync the directory)."""
    os.replace(tmp, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard(out: BinaryIO, tmp: Path) -> None:
    out.close()
    tmp.unlink(missing_ok=True)
