"""Housekeeping of stored files: bytes that no `FileAsset` row names.

Bytes outlive their row when the row goes without the write path's after-commit delete: an
organization's deletion cascades to its `file_assets` rows but leaves its bytes, and a
process that dies between a commit (or a rollback) and its delete of the bytes leaves them
too; a crash mid-write leaves a temporary file under ``.tmp``. The sweep removes such bytes
once they are older than a grace period, and never younger ones: an upload stores its bytes
first and inserts its row after, so a key without a row may be an upload still in flight.
Its file's modification time is when its last byte was written, so an upload whose bytes
are older than the grace period has committed or rolled back long ago.

Listing keys is a backend matter: the local directory is walked here (the `Storage`
interface has no listing yet; another backend is skipped with a warning).
"""

from __future__ import annotations

import asyncio
import logging
import stat
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from graph.database import Database
from graph.storage import LocalStorage, Storage, StorageError
from models.files import FileAsset

log = logging.getLogger("trellis.jobs")

# Bytes younger than this are never removed (an upload in flight stores its bytes, then
# inserts its row); an upload of the largest allowed file takes seconds, not an hour.
ORPHAN_GRACE = timedelta(hours=1)
# Keys looked up in one statement.
BATCH = 500
TMP = ".tmp"


@dataclass(frozen=True, slots=True)
class Swept:
    """What one sweep did: orphaned keys and stale temporary files removed, old keys kept."""

    deleted: int
    temporaries: int
    kept: int


def _old_files(root: Path, before: float) -> tuple[list[str], list[Path]]:
    """The keys and the temporary files under ``root`` last written before ``before``."""
    keys: list[str] = []
    temporaries: list[Path] = []
    if not root.is_dir():
        return keys, temporaries
    for path in root.rglob("*"):
        try:
            info = path.lstat()
        except FileNotFoundError:  # deleted while we walked
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_mtime >= before:
            continue
        relative = path.relative_to(root)
        if relative.parts[0] == TMP:
            temporaries.append(path)
        else:
            keys.append(relative.as_posix())
    return keys, temporaries


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def sweep_orphaned_files(
    db: Database,
    storage: Storage,
    *,
    grace: timedelta = ORPHAN_GRACE,
    now: float | None = None,
) -> Swept:
    """Delete stored bytes older than ``grace`` that no `FileAsset` row names."""
    if not isinstance(storage, LocalStorage):
        log.warning("orphaned files: cannot list keys of %s, skipped", type(storage).__name__)
        return Swept(0, 0, 0)
    before = (time.time() if now is None else now) - grace.total_seconds()
    keys, temporaries = await asyncio.to_thread(_old_files, storage.root, before)
    deleted = kept = 0
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        # Read after listing: a row committed before this read is seen.
        async with db.sessions() as session:
            named = set(
                await session.scalars(
                    select(FileAsset.storage_key).where(FileAsset.storage_key.in_(batch))
                )
            )
        for key in batch:
            if key in named:
                kept += 1
                continue
            try:
                await storage.delete(key)
            except StorageError:  # not a name Trellis makes: not ours to remove
                log.warning("orphaned files: leaving %r (not a storage key)", key)
                continue
            deleted += 1
    await asyncio.to_thread(_unlink, temporaries)
    return Swept(deleted=deleted, temporaries=len(temporaries), kept=kept)
