"""Files: uploading (GraphQL multipart requests), describing and deleting `FileAsset`s.

Writes need the organization's content permissions (`item:create`, `item:update`,
`item:delete`), like the catalog: EDITOR and up may write, VIEWER only reads. The bytes are
stored before the row is inserted; if the mutation then fails, they are removed after the
rollback, and a deleted file's bytes are removed after the delete commits.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import strawberry
from sqlalchemy import select

import models
from graph.context import Info
from graph.kernel.errors import FieldErrorCode, MutationInput, NotFound, ValidationFailed
from graph.kernel.fields import by_id, root_list
from graph.kernel.ids import to_global_id
from graph.storage import HEAD_BYTES, Files, TooLarge, sniff
from graph.types.files import (
    FileAsset,
    FileAssetConnection,
    FileDeleteInput,
    FileDeletePayload,
    FileDeleteSuccess,
    FileSuccess,
    FileUpdateInput,
    FileUpdatePayload,
    FileUploadInput,
    FileUploadPayload,
)
from loaders.base import to_node
from models.files import FileAsset as FileModel
from models.realty import PropertyMedia
from resolvers.validation import Checks, FieldChecks, json_object, text
from resolvers.writes import Writer, mutate

CREATE, UPDATE, DELETE = "item:create", "item:update", "item:delete"
READ_BYTES = 256 * 1024

FILE_FIELDS = FieldChecks(filename=text(max_length=255), meta_data=json_object())


async def _item_of(
    writer: Writer, pk: uuid.UUID, organization_id: uuid.UUID | None, path: str
) -> models.Item:
    """A visible item, of ``organization_id`` when given, or NotFound at ``path``."""
    stmt = writer.visible(models.Item).where(models.Item.id == pk)
    if organization_id is not None:
        stmt = stmt.where(models.Item.organization_id == organization_id)
    item = (await writer.session.execute(stmt)).scalar_one_or_none()
    if item is None:
        raise NotFound("Item", to_global_id("Item", pk), (path,))
    return item


def _refuse(code: FieldErrorCode, message: str) -> ValidationFailed:
    return ValidationFailed.one(("file",), code, message)


async def _placement(writer: Writer, data: FileUploadInput) -> tuple[uuid.UUID, uuid.UUID | None]:
    """The organization and item of a new file: the organization given, or its item's."""
    checks = Checks()
    item_pk = checks.id(["item"], data.item, "Item") if data.item is not None else None
    if data.organization is None and data.item is None:
        checks.fail(["organization"], FieldErrorCode.REQUIRED, "Give an organization or an item.")
    checks.done()
    org_id: uuid.UUID | None = None
    if data.organization is not None:
        org = await writer.get(
            models.Organization,
            data.organization,
            type_name="Organization",
            path=("organization",),
            lock=False,
        )
        org_id = org.id
    if item_pk is not None:
        item = await _item_of(writer, item_pk, org_id, "item")
        if item.organization_id is None:
            raise ValidationFailed.one(
                ("item",), FieldErrorCode.INVALID, "The item belongs to no organization."
            )
        org_id = item.organization_id
    assert org_id is not None
    return org_id, item_pk


async def upload_file(writer: Writer, files: Files, data: FileUploadInput) -> FileModel:
    upload: Any = data.file  # a Starlette UploadFile, spooled to a temporary file
    if not callable(getattr(upload, "read", None)):  # a literal or JSON value, not a part
        raise _refuse(
            FieldErrorCode.INVALID,
            "Send the file as a part of a multipart request (the GraphQL multipart request "
            "spec), mapped to this variable.",
        )
    org_id, item_pk = await _placement(writer, data)
    writer.require(CREATE, org_id)
    checks = Checks()
    name = data.filename if data.filename is not None else (upload.filename or "")
    filename = checks.text(["filename"], name.replace("/", "_").replace("\\", "_"), max_length=255)
    meta = checks.json_object(["metaData"], data.meta_data if data.meta_data is not None else {})
    checks.done()
    limits = files.limits
    too_large = f"Files may be at most {limits.max_bytes} bytes."
    if upload.size is not None and upload.size > limits.max_bytes:
        raise _refuse(FieldErrorCode.TOO_LARGE, too_large)
    head: bytes = await upload.read(HEAD_BYTES)
    mime = sniff(head, upload.content_type, complete=len(head) < HEAD_BYTES)
    if mime is None or mime not in limits.mime_types:
        allowed = ", ".join(sorted(limits.mime_types))
        raise _refuse(
            FieldErrorCode.UNSUPPORTED_TYPE,
            f"The file's content is {mime or 'of an unknown type'}; accepted: {allowed}.",
        )

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        while chunk := await upload.read(READ_BYTES):
            yield chunk

    key = f"{org_id}/{uuid.uuid4().hex}"
    storage = files.storage
    try:
        size, checksum = await storage.write(key, chunks(), max_bytes=limits.max_bytes)
    except TooLarge as exc:
        raise _refuse(FieldErrorCode.TOO_LARGE, too_large) from exc
    writer.after_rollback.append(lambda: storage.delete(key))
    return await writer.create(
        FileModel(
            organization_id=org_id,
            owner_id=writer.viewer.user_id,
            item_id=item_pk,
            filename=filename,
            storage_key=key,
            mime_type=mime,
            size_bytes=size,
            checksum_sha256=checksum,
            meta_data=meta,
        )
    )


async def update_file(writer: Writer, data: FileUpdateInput) -> FileModel:
    file = await writer.get(FileModel, data.id, type_name="FileAsset")
    writer.require(UPDATE, file.organization_id)
    checks = Checks()
    values = FILE_FIELDS.update(checks, data)
    item_pk: uuid.UUID | None = None
    if data.item is not None:  # given: an item, or null to detach
        item_pk = checks.id(["item"], data.item.value, "Item") if data.item.value else None
        values["item_id"] = item_pk
    checks.done()
    if item_pk is not None:
        await _item_of(writer, item_pk, file.organization_id, "item")
    return await writer.update(file, values, seen_updated_at=data.updated_at)


async def delete_file(writer: Writer, files: Files, *, id: str) -> None:
    file = await writer.get(FileModel, id, type_name="FileAsset")
    writer.require(DELETE, file.organization_id)
    # The media showing it go first, through the write path, so their deletion is recorded.
    shown_by = select(PropertyMedia).where(PropertyMedia.file_id == file.id).with_for_update()
    for media in (await writer.session.scalars(shown_by)).all():
        await writer.delete(media)
    await writer.delete(file)
    key, storage = file.storage_key, files.storage
    writer.after_commit.append(lambda: storage.delete(key))


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class FilesQuery:
    file: FileAsset | None = by_id(description="A file you can see, by ID.")
    files: FileAssetConnection = root_list(
        description="Files you can see, across your organizations."
    )


def _file(obj: Any) -> FileSuccess:
    return FileSuccess(file=to_node(FileAsset, obj))


@strawberry.type
class FilesMutation:
    @strawberry.mutation(
        description="Upload a file (EDITOR+), by a GraphQL multipart request (the `file` "
        "variable is a part of the request; the request needs an `X-Trellis-CSRF`, "
        "`GraphQL-Require-Preflight` or `Apollo-Require-Preflight` header)."
    )
    async def file_upload(
        self, info: Info, input: MutationInput[FileUploadInput]
    ) -> FileUploadPayload:
        files = info.context.files
        return await mutate(info, lambda w: upload_file(w, files, input), _file)

    @strawberry.mutation(description="Rename a file, change its metadata or item (EDITOR+).")
    async def file_update(
        self, info: Info, input: MutationInput[FileUpdateInput]
    ) -> FileUpdatePayload:
        return await mutate(info, lambda w: update_file(w, input), _file)

    @strawberry.mutation(
        description="Delete a file (EDITOR+): the row and the media showing it now, the bytes "
        "once the deletion commits."
    )
    async def file_delete(
        self, info: Info, input: MutationInput[FileDeleteInput]
    ) -> FileDeletePayload:
        files = info.context.files
        return await mutate(
            info,
            lambda w: delete_file(w, files, id=input.id),
            lambda _: FileDeleteSuccess(deleted_id=input.id),
        )
