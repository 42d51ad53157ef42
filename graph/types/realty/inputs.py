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
    changed_node,
    deleted_id,
    payload,
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
    organization: strawberry.ID = strawberry.field(
        description="The global ID of the organization (EDITOR or above there)."
    )
    title: str = strawberry.field(description="1-300 characters.")
    address: str = strawberry.field(description="1-500 characters.")
    price: Decimal = strawberry.field(description="At least 0, at most two decimals.")
    city: str | None = strawberry.field(
        default=None, description="The city, at most 120 characters."
    )
    area: str | None = strawberry.field(
        default=None, description="The neighbourhood or district, at most 120 characters."
    )
    latitude: float | None = strawberry.field(default=None, description="-90 to 90.")
    longitude: float | None = strawberry.field(default=None, description="-180 to 180.")
    property_type: str = strawberry.field(
        default="house", description="A free-form kind (`house` by default), 1-64 characters."
    )
    bedrooms: int = strawberry.field(default=0, description="At least 0.")
    bathrooms: int = strawberry.field(default=0, description="At least 0.")
    size_sqft: int | None = strawberry.field(default=None, description="At least 0.")
    status: PropertyStatus = strawberry.field(
        default=PropertyStatus.ACTIVE, description="ACTIVE by default."
    )


@strawberry.input(description="Change a property. Omitted fields stay as they are.")
class PropertyUpdateInput:
    id: strawberry.ID = strawberry.field(description="The property's global ID.")
    # Nullable in the SDL so an explicit null on a required field gets a typed error.
    title: Maybe[str | None] = strawberry.field(
        default=None, description="A new title, 1-300 characters (null is refused)."
    )
    address: Maybe[str | None] = strawberry.field(
        default=None, description="A new address, 1-500 characters (null is refused)."
    )
    price: Maybe[Decimal | None] = strawberry.field(
        default=None,
        description="A new price, at least 0 with at most two decimals (null is refused).",
    )
    city: Maybe[str | None] = strawberry.field(
        default=None, description="A new city, at most 120 characters; null clears it."
    )
    area: Maybe[str | None] = strawberry.field(
        default=None, description="A new area, at most 120 characters; null clears it."
    )
    latitude: Maybe[float | None] = strawberry.field(
        default=None, description="A new latitude, -90 to 90; null clears it."
    )
    longitude: Maybe[float | None] = strawberry.field(
        default=None, description="A new longitude, -180 to 180; null clears it."
    )
    property_type: Maybe[str | None] = strawberry.field(
        default=None, description="A new kind, 1-64 characters (null is refused)."
    )
    bedrooms: Maybe[int | None] = strawberry.field(
        default=None, description="A new number of bedrooms, 0 or more (null is refused)."
    )
    bathrooms: Maybe[int | None] = strawberry.field(
        default=None, description="A new number of bathrooms, 0 or more (null is refused)."
    )
    size_sqft: Maybe[int | None] = strawberry.field(
        default=None, description="A new floor area in square feet, 0 or more; null clears it."
    )
    status: Maybe[PropertyStatus | None] = strawberry.field(
        default=None, description="A new status (null is refused)."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete a property (soft: it disappears from every read).")
class PropertyDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the property to delete.")


@strawberry.type(description="The `Property`, as the mutation left it.")
class PropertySuccess:
    property: Property = changed_node()


@strawberry.type(description="The `Property` is deleted.")
class PropertyDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


PropertyCreatePayload = Annotated[
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("PropertyCreatePayload"),
]
PropertyUpdatePayload = Annotated[
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("PropertyUpdatePayload"),
]
PropertyDeletePayload = Annotated[
    PropertyDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("PropertyDeletePayload"),
]


@strawberry.input(description="Attach a media file to a property (EDITOR+).")
class MediaAddInput:
    property: strawberry.ID = strawberry.field(description="The global ID of the property.")
    type: MediaType = strawberry.field(description="What the media is.")
    url: str | None = strawberry.field(
        default=None,
        description="A storage key or an absolute URL; 1-2000 chars. Give `url` or `file`.",
    )
    file: strawberry.ID | None = strawberry.field(
        default=None,
        description="An uploaded file of the property's organization (`fileUpload`); the "
        "media's `url` is its storage key. Give `url` or `file`.",
    )
    meta_data: JSON | None = strawberry.field(
        default=None,
        description="A JSON object to keep "
        "with the media (caption, dimensions...); `{}` by default.",
    )


@strawberry.input(description="Remove a media file from its property (EDITOR+).")
class MediaRemoveInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the media to remove.")


@strawberry.type(description="The `Media`, as the mutation left it.")
class MediaSuccess:
    media: Media = changed_node()


@strawberry.type(description="The `Media` is deleted.")
class MediaRemoveSuccess:
    deleted_id: strawberry.ID = deleted_id()


MediaAddPayload = Annotated[
    MediaSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("MediaAddPayload"),
]
MediaRemovePayload = Annotated[
    MediaRemoveSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("MediaRemovePayload"),
]


@strawberry.input(description="A new client in an organization (EDITOR+).")
class ClientCreateInput:
    organization: strawberry.ID = strawberry.field(
        description="The global ID of the organization (EDITOR or above there)."
    )
    name: str = strawberry.field(description="1-200 characters.")
    email: str | None = strawberry.field(
        default=None, description="The client's email (a valid address); none by default."
    )
    phone: str | None = strawberry.field(default=None, description="At most 50 characters.")
    lead_score: int = strawberry.field(default=0, description="0-100.")
    nurture_status: NurtureStatus = strawberry.field(
        default=NurtureStatus.NEW, description="NEW by default."
    )
    interested_properties: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Properties of the same organization."
    )


@strawberry.input(description="Change a client. Omitted fields stay as they are.")
class ClientUpdateInput:
    id: strawberry.ID = strawberry.field(description="The client's global ID.")
    name: Maybe[str | None] = strawberry.field(
        default=None, description="A new name, 1-200 characters (null is refused)."
    )
    email: Maybe[str | None] = strawberry.field(
        default=None, description="A new email; null clears it."
    )
    phone: Maybe[str | None] = strawberry.field(
        default=None, description="A new phone number, at most 50 characters; null clears it."
    )
    lead_score: Maybe[int | None] = strawberry.field(
        default=None, description="A new lead score, 0-100 (null is refused)."
    )
    nurture_status: Maybe[NurtureStatus | None] = strawberry.field(
        default=None, description="A new nurture status (null is refused)."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete a client (soft: it disappears from every read).")
class ClientDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the client to delete.")


@strawberry.input(description="Add or remove properties a client is interested in.")
class ClientInterestInput:
    client: strawberry.ID = strawberry.field(description="The client's global ID.")
    properties: list[strawberry.ID] = strawberry.field(
        description="Properties of the client's organization."
    )


@strawberry.type(description="The `Client`, as the mutation left it.")
class ClientSuccess:
    client: Client = changed_node()


@strawberry.type(description="The `Client` is deleted.")
class ClientDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


ClientCreatePayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ClientCreatePayload"),
]
ClientUpdatePayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ClientUpdatePayload"),
]
ClientDeletePayload = Annotated[
    ClientDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ClientDeletePayload"),
]
ClientInterestPayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("ClientInterestPayload", "clientInterestAdd", "clientInterestRemove"),
]


@strawberry.input(
    description="Record a contact with a client (EDITOR+). The client's `lastContactedAt` "
    "moves to `occurredAt` if that is later, in the same transaction."
)
class InteractionRecordInput:
    client: strawberry.ID = strawberry.field(description="The global ID of the client contacted.")
    type: InteractionType = strawberry.field(description="How the client was contacted.")
    occurred_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    notes: str | None = strawberry.field(default=None, description="What was said or done.")
    outcome: str | None = strawberry.field(default=None, description="At most 500 characters.")


@strawberry.input(
    description="Change an interaction. Omitted fields stay as they are; a later "
    "`occurredAt` moves the client's `lastContactedAt` forward too."
)
class InteractionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The interaction's global ID.")
    type: Maybe[InteractionType | None] = strawberry.field(
        default=None, description="A new type (null is refused)."
    )
    occurred_at: Maybe[datetime | None] = strawberry.field(
        default=None,
        description="A new time "
        "(null is refused); a later one moves the client's `lastContactedAt` forward.",
    )
    notes: Maybe[str | None] = strawberry.field(
        default=None, description="New notes; null clears them."
    )
    outcome: Maybe[str | None] = strawberry.field(
        default=None, description="A new outcome, at most 500 characters; null clears it."
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.input(description="Delete an interaction (the client's `lastContactedAt` stays).")
class InteractionDeleteInput:
    id: strawberry.ID = strawberry.field(description="The global ID of the interaction to delete.")


@strawberry.type(description="The `Interaction`, as the mutation left it.")
class InteractionSuccess:
    interaction: Interaction = changed_node()


@strawberry.type(description="The `Interaction` is deleted.")
class InteractionDeleteSuccess:
    deleted_id: strawberry.ID = deleted_id()


# ConflictError: the write clashed with a concurrent change (the transaction is undone).
InteractionRecordPayload = Annotated[
    InteractionSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("InteractionRecordPayload"),
]
InteractionUpdatePayload = Annotated[
    InteractionSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    payload("InteractionUpdatePayload"),
]
InteractionDeletePayload = Annotated[
    InteractionDeleteSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError,
    payload("InteractionDeletePayload"),
]
