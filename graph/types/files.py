"""Files in the API: the `FileAsset` node, its filter and order, the files of organizations
and items, and the upload, update and delete inputs and payloads."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import Maybe
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from graph.context import Info
from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.fields import to_many, to_one
from graph.kernel.filters import (
    DateTimeFilter,
    EntityFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    StringFilter,
    by,
    entity_filter,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import Organization, User
from graph.types.catalog import Item
from loaders.paging import OrderTerm
from models.files import FileAsset as FileModel

# ---------------------------------------------------------------------------------------------
# Filter and order


@strawberry.input(description="Filter files; all given conditions must hold.")
@entity_filter
class FileAssetFilter(EntityFilter):
    id: IDFilter | None = on(FileModel.id, ref="FileAsset", description="The file's ID.")
    organization: IDFilter | None = on(
        FileModel.organization_id, ref="Organization", description="The owning organization."
    )
    owner: IDFilter | None = on(FileModel.owner_id, ref="User", description="Who uploaded it.")
    item: IDFilter | None = on(
        FileModel.item_id, ref="Item", description="`{isNull: true}`: files on no item."
    )
    filename: StringFilter | None = on(
        FileModel.filename, description="`contains` / `startsWith` match case-insensitively."
    )
    mime_type: StringFilter | None = on(
        FileModel.mime_type, description='All images: `{startsWith: "image/"}`.'
    )
    size_bytes: IntFilter | None = on(FileModel.size_bytes, description="A size range in bytes.")
    created_at: DateTimeFilter | None = on(FileModel.created_at, description="Upload time.")


@strawberry.enum(description="Fields files can be ordered by.")
class FileAssetOrderField(enum.Enum):
    CREATED_AT = by(FileModel.created_at, description="Upload time.")
    FILENAME = by(FileModel.filename, description="The file's name.")
    SIZE_BYTES = by(FileModel.size_bytes, description="Size in bytes.")


@strawberry.input(description="One ordering term for files.")
class FileAssetOrder(OrderBy[FileAssetOrderField]):
    pass


# ---------------------------------------------------------------------------------------------
# Node and connection


@node_type
@strawberry.type(
    description="An uploaded file of an organization: its name, type, size and checksum; the "
    "bytes are downloaded from `url`."
)
class FileAsset(Node):
    __model__ = FileModel

    organization_id: strawberry.Private[uuid.UUID]
    owner_id: strawberry.Private[uuid.UUID | None]
    item_id: strawberry.Private[uuid.UUID | None]
    filename: str = strawberry.field(description="The name it is downloaded as; 1-255 chars.")
    storage_key: str = strawberry.field(
        description="Where the bytes are stored (unique); a media's `url` holds it too."
    )
    mime_type: str = strawberry.field(
        description="The MIME type sniffed from the bytes at upload (not the declared one)."
    )
    size_bytes: int = strawberry.field(description="The size in bytes.")
    checksum_sha256: str = strawberry.field(
        name="sha256", description="The SHA-256 of the bytes, hex; the download's ETag."
    )
    meta_data: JSON = strawberry.field(description="Free-form: caption, dimensions, source...")
    created_at: datetime = strawberry.field(description="When it was uploaded.")
    updated_at: datetime = strawberry.field(description="When its description last changed.")

    organization: Organization | None = to_one(
        "organization_id", description="The organization it belongs to."
    )
    owner: User | None = to_one(
        "owner_id", description="Who uploaded it; null when you cannot see them (they left)."
    )
    item: Item | None = to_one(
        "item_id", description="The item it is attached to; null if none (or deleted)."
    )

    @strawberry.field(
        description="A signed URL to download the bytes (`GET`, no credentials needed), made "
        "for you: it expires (TRELLIS_FILE_URL_TTL, an hour by default) and stops working "
        "if you lose access to the file. A path on this server: `/files/<id>?...`."
    )
    def url(self, info: Info) -> str | None:
        user_id = info.context.viewer.user_id
        if user_id is None:
            return None
        return info.context.files.signer.url(self.pk, user_id)


@strawberry.type(description="A page of files.")
class FileAssetConnection(
    Connection[FileAsset],
    filter=FileAssetFilter,
    order=FileAssetOrder,
    default_order=OrderTerm(FileModel.created_at),
):
    pass


@strawberry.type
class FilesOrganizationFields:
    """Files' fields of an organization (composed in graph.schema)."""

    files: FileAssetConnection = to_many(
        FileModel.organization_id, description="The organization's uploaded files."
    )


@strawberry.type
class FilesItemFields:
    """Files' fields of an item (composed in graph.schema)."""

    files: FileAssetConnection = to_many(
        FileModel.item_id, description="Files attached to this item."
    )


# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads


@strawberry.input(
    description="Upload a file (EDITOR+) as a GraphQL multipart request: `file` is a part of "
    "the request. Refused before anything is stored when it is over the size limit "
    "(TRELLIS_UPLOAD_MAX_BYTES) or its bytes are not of an allowed type "
    "(TRELLIS_UPLOAD_MIME_TYPES)."
)
class FileUploadInput:
    file: Upload = strawberry.field(description="The file's part of the multipart request.")
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="The owning organization; default: the item's."
    )
    item: strawberry.ID | None = strawberry.field(
        default=None, description="An item of the organization to attach the file to."
    )
    filename: str | None = strawberry.field(
        default=None, description="Default: the part's file name; 1-255 characters."
    )
    meta_data: JSON | None = strawberry.field(default=None, description="A JSON object.")


@strawberry.input(description="Change a file's description. Omitted fields stay as they are.")
class FileUpdateInput:
    id: strawberry.ID = strawberry.field(description="The file to change.")
    filename: Maybe[str | None] = strawberry.field(default=None, description="1-255 characters.")
    meta_data: Maybe[JSON | None] = strawberry.field(default=None, description="A JSON object.")
    item: Maybe[strawberry.ID | None] = strawberry.field(
        default=None, description="An item of the file's organization; null detaches it."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(
    description="Delete a file: its row at once, its bytes after the deletion commits, and "
    "the property media that show it."
)
class FileDeleteInput:
    id: strawberry.ID = strawberry.field(description="The file to delete.")


@strawberry.type(description="The file, as stored.")
class FileSuccess:
    file: FileAsset = strawberry.field(description="The file after the change.")


@strawberry.type(description="The file is gone.")
class FileDeleteSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The deleted file's ID.")


FileUploadPayload = Annotated[
    FileSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("FileUploadPayload", description="The uploaded file, or why not."),
]
FileUpdatePayload = Annotated[
    FileSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("FileUpdatePayload", description="The changed file, or why not."),
]
FileDeletePayload = Annotated[
    FileDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("FileDeletePayload", description="The deleted ID, or why not."),
]
