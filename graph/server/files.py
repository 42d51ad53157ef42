"""Downloads: ``GET /files/<file id>?u=<user>&e=<expiry>&s=<signature>``, the signed URLs of
`FileAsset.url` (graph/storage/signing.py).

A forged, altered or expired URL is a 403. A valid one is read as the user it was made for:
a file that user cannot see (another organization's, or one whose organization they left) or
that is gone is a 404. The bytes are streamed from storage, never read whole, with their type,
length, SHA-256 ETag (a matching `If-None-Match` gets a 304) and a `Content-Disposition`
carrying the file name.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import select

import models
from graph.database import Database
from graph.storage import Files
from graph.storage.signing import PATH_PREFIX
from loaders.base import visible_select
from models.files import FileAsset

log = logging.getLogger("trellis.files")


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def visible_file(db: Database, file_id: uuid.UUID, user_id: uuid.UUID) -> Any:
    """The file's row if ``user_id`` (active, in a live organization of it) may see it."""
    user, membership, org = models.User, models.Membership, models.Organization
    async with db.read_engine.connect() as conn:
        superuser = (
            await conn.execute(
                select(user.is_superuser).where(
                    user.id == user_id, user.is_active, user.deleted_at.is_(None)
                )
            )
        ).scalar_one_or_none()
        if superuser is None:
            return None
        orgs = (
            await conn.execute(
                select(membership.organization_id)
                .join(org, org.id == membership.organization_id)
                .where(membership.user_id == user_id, org.deleted_at.is_(None))
            )
        ).scalars()
        params = {"viewer_id": user_id, "viewer_orgs": list(orgs), "viewer_superuser": superuser}
        stmt = visible_select(FileAsset, *FileAsset.__table__.columns).where(
            FileAsset.id == file_id
        )
        return (await conn.execute(stmt.params(**params))).first()


def files_router(files: Files) -> APIRouter:
    router = APIRouter()

    @router.get(PATH_PREFIX + "{file_id}", include_in_schema=False)
    async def download(request: Request, file_id: str) -> Response:
        query = request.query_params
        try:
            fid, uid = uuid.UUID(file_id), uuid.UUID(query.get("u", ""))
            expires = int(query.get("e", ""))
        except ValueError:
            return _error(403, "FORBIDDEN", "This download URL is malformed.")
        if not files.signer.verify(fid, uid, expires, query.get("s", "")):
            return _error(403, "FORBIDDEN", "This download URL is invalid or has expired.")
        db: Database = request.app.state.db
        row = await visible_file(db, fid, uid)
        if row is None:
            return _error(404, "NOT_FOUND", "No such file.")
        if not await files.storage.exists(row.storage_key):
            log.error("file %s has no bytes under %s", fid, row.storage_key)
            return _error(404, "NOT_FOUND", "No such file.")
        etag = f'"{row.checksum_sha256}"'
        headers = {
            "ETag": etag,
            # The URL is the user's own and expires: private, cached until it does.
            "Cache-Control": f"private, max-age={max(0, expires - int(time.time()))}",
            "X-Content-Type-Options": "nosniff",
        }
        if etag in (request.headers.get("if-none-match") or ""):
            return Response(status_code=304, headers=headers)
        headers["Content-Length"] = str(row.size_bytes)
        headers["Content-Disposition"] = content_disposition(row.filename)
        return StreamingResponse(
            files.storage.open(row.storage_key), media_type=row.mime_type, headers=headers
        )

    return router
