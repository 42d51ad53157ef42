"""The real-estate CRM's mutation inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.types.realty.nodes import Client, Interaction, Media, Property
from models.realty import (
    InteractionType,
    MediaType,
    NurtureStatus,
    PropertyStatus,
)

# ---------------------------------------------------------------------------------------------
# Mutation inputs and payloads


@strawberry.input(description="A new property in an organization (EDITOR+).")
class PropertyCreateInput:
    organization: strawberry.ID
    title: str = strawberry.field(description="1-300 characters.")
    address: str = strawberry.field(description="1-500 characters.")
    price: Decimal = strawberry.field(description="At least 0, at most two decimals.")
    city: str | None = None
    area: str | None = None
    latitude: float | None = strawberry.field(default=None, description="-90 to 90.")
    longitude: float | None = strawberry.field(default=None, description="-180 to 180.")
    property_type: str = "house"
    bedrooms: int = strawberry.field(default=0, description="At least 0.")
    bathrooms: int = strawberry.field(default=0, description="At least 0.")
    size_sqft: int | None = strawberry.field(default=None, description="At least 0.")
    status: PropertyStatus = PropertyStatus.ACTIVE


@strawberry.input(description="Change a property. Omitted fields stay as they are.")
class PropertyUpdateInput:
    id: strawberry.ID
    # Nullable in the SDL so an explicit null on a required field gets a typed error.
    title: Maybe[str | None] = None
    address: Maybe[str | None] = None
    price: Maybe[Decimal | None] = None
    city: Maybe[str | None] = None
    area: Maybe[str | None] = None
    latitude: Maybe[float | None] = None
    longitude: Maybe[float | None] = None
    property_type: Maybe[str | None] = None
    bedrooms: Maybe[int | None] = None
    bathrooms: Maybe[int | None] = None
    size_sqft: Maybe[int | None] = None
    status: Maybe[PropertyStatus | None] = None
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete a property (soft: it disappears from every read).")
class PropertyDeleteInput:
    id: strawberry.ID


@strawberry.type
class PropertySuccess:
    property: Property


@strawberry.type
class PropertyDeleteSuccess:
    deleted_id: strawberry.ID


PropertyCreatePayload = Annotated[
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("PropertyCreatePayload"),
]
PropertyUpdatePayload = Annotated[
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("PropertyUpdatePayload"),
]
PropertyDeletePayload = Annotated[
    PropertyDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("PropertyDeletePayload"),
]


@strawberry.input(description="Attach a media file to a property (EDITOR+).")
class MediaAddInput:
    property: strawberry.ID
    type: MediaType
    url: str | None = strawberry.field(
        default=None,
        description="A storage key or an absolute URL; 1-2000 chars. Give `url` or `file`.",
    )
    file: strawberry.ID | None = strawberry.field(
        default=None,
        description="An uploaded file of the property's organization (`fileUpload`); the "
        "media's `url` is its storage key. Give `url` or `file`.",
    )
    meta_data: JSON | None = None


@strawberry.input(description="Remove a media file from its property (EDITOR+).")
class MediaRemoveInput:
    id: strawberry.ID


@strawberry.type
class MediaSuccess:
    media: Media


@strawberry.type
class MediaRemoveSuccess:
    deleted_id: strawberry.ID


MediaAddPayload = Annotated[
    MediaSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("MediaAddPayload"),
]
MediaRemovePayload = Annotated[
    MediaRemoveSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("MediaRemovePayload"),
]


@strawberry.input(description="A new client in an organization (EDITOR+).")
class ClientCreateInput:
    organization: strawberry.ID
    name: str = strawberry.field(description="1-200 characters.")
    email: str | None = None
    phone: str | None = strawberry.field(default=None, description="At most 50 characters.")
    lead_score: int = strawberry.field(default=0, description="0-100.")
    nurture_status: NurtureStatus = NurtureStatus.NEW
    interested_properties: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Properties of the same organization."
    )


@strawberry.input(description="Change a client. Omitted fields stay as they are.")
class ClientUpdateInput:
    id: strawberry.ID
    name: Maybe[str | None] = None
    email: Maybe[str | None] = None
    phone: Maybe[str | None] = None
    lead_score: Maybe[int | None] = None
    nurture_status: Maybe[NurtureStatus | None] = None
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete a client (soft: it disappears from every read).")
class ClientDeleteInput:
    id: strawberry.ID


@strawberry.input(description="Add or remove properties a client is interested in.")
class ClientInterestInput:
    client: strawberry.ID
    properties: list[strawberry.ID] = strawberry.field(
        description="Properties of the client's organization."
    )


@strawberry.type
class ClientSuccess:
    client: Client


@strawberry.type
class ClientDeleteSuccess:
    deleted_id: strawberry.ID


ClientCreatePayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("ClientCreatePayload"),
]
ClientUpdatePayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("ClientUpdatePayload"),
]
ClientDeletePayload = Annotated[
    ClientDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("ClientDeletePayload"),
]
ClientInterestPayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("ClientInterestPayload"),
]


@strawberry.input(
    description="Record a contact with a client (EDITOR+). The client's `lastContactedAt` "
    "moves to `occurredAt` if that is later, in the same transaction."
)
class InteractionRecordInput:
    client: strawberry.ID
    type: InteractionType
    occurred_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    notes: str | None = None
    outcome: str | None = strawberry.field(default=None, description="At most 500 characters.")


@strawberry.input(
    description="Change an interaction. Omitted fields stay as they are; a later "
    "`occurredAt` moves the client's `lastContactedAt` forward too."
)
class InteractionUpdateInput:
    id: strawberry.ID
    type: Maybe[InteractionType | None] = None
    occurred_at: Maybe[datetime | None] = None
    notes: Maybe[str | None] = None
    outcome: Maybe[str | None] = None
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete an interaction (the client's `lastContactedAt` stays).")
class InteractionDeleteInput:
    id: strawberry.ID


@strawberry.type
class InteractionSuccess:
    interaction: Interaction


@strawberry.type
class InteractionDeleteSuccess:
    deleted_id: strawberry.ID


# ConflictError: the write clashed with a concurrent change (the transaction is undone).
InteractionRecordPayload = Annotated[
    InteractionSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("InteractionRecordPayload"),
]
InteractionUpdatePayload = Annotated[
    InteractionSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("InteractionUpdatePayload"),
]
InteractionDeletePayload = Annotated[
    InteractionDeleteSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError,
    strawberry.union("InteractionDeletePayload"),
]
