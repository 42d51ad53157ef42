"""The real-estate CRM in the API: properties and their media, clients, their interests and
interactions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import Maybe
from strawberry.scalars import JSON

from graph.kernel.fields import to_many, to_one
from graph.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.filters import (
    DateTimeFilter,
    DecimalFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    OrderDirection,
    StringFilter,
    by,
    filter_input,
    on,
)
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node
from graph.types.accounts import Organization, User
from loaders.base import OrderTerm, Relation
from models.realty import Client as ClientModel
from models.realty import Interaction as InteractionModel
from models.realty import (
    InteractionType,
    MediaType,
    NurtureStatus,
    PropertyStatus,
    client_interested_properties,
)
from models.realty import Property as PropertyModel
from models.realty import PropertyMedia as MediaModel

strawberry.enum(PropertyStatus, description="Where a property is in its sale or letting.")
strawberry.enum(MediaType, description="What a media file of a property is.")
strawberry.enum(NurtureStatus, description="How warm a client is as a lead.")
strawberry.enum(InteractionType, description="How a client was contacted.")

# ---------------------------------------------------------------------------------------------
# Filters and orderings


PropertyStatusFilter = EnumFilter[PropertyStatus]
NurtureStatusFilter = EnumFilter[NurtureStatus]
InteractionTypeFilter = EnumFilter[InteractionType]
MediaTypeFilter = EnumFilter[MediaType]


@filter_input(description="Filter properties; all given conditions must hold.")
class PropertyFilter(EntityFilter):
    id: IDFilter | None = on(PropertyModel.id, ref="Property")
    organization: IDFilter | None = on(PropertyModel.organization_id, ref="Organization")
    title: StringFilter | None = on(
        PropertyModel.title, description="`contains` / `startsWith` match case-insensitively."
    )
    address: StringFilter | None = on(PropertyModel.address)
    city: StringFilter | None = on(PropertyModel.city)
    area: StringFilter | None = on(PropertyModel.area)
    property_type: StringFilter | None = on(PropertyModel.property_type)
    status: PropertyStatusFilter | None = on(PropertyModel.status)
    price: DecimalFilter | None = on(
        PropertyModel.price, description='A price range: `{gte: "300000", lte: "450000"}`.'
    )
    bedrooms: IntFilter | None = on(
        PropertyModel.bedrooms, description="At least n bedrooms: `{gte: n}`."
    )
    bathrooms: IntFilter | None = on(PropertyModel.bathrooms)
    size_sqft: IntFilter | None = on(PropertyModel.size_sqft)
    created_at: DateTimeFilter | None = on(PropertyModel.created_at)
    updated_at: DateTimeFilter | None = on(PropertyModel.updated_at)


@strawberry.enum(description="Fields properties can be ordered by.")
class PropertyOrderField(enum.Enum):
    CREATED_AT = by(PropertyModel.created_at)
    UPDATED_AT = by(PropertyModel.updated_at)
    TITLE = by(PropertyModel.title)
    PRICE = by(PropertyModel.price)
    BEDROOMS = by(PropertyModel.bedrooms)
    SIZE_SQFT = by(PropertyModel.size_sqft)


@strawberry.input(description="One ordering term for properties.")
class PropertyOrder(OrderBy[PropertyOrderField]):
    field: PropertyOrderField
    direction: OrderDirection = OrderDirection.ASC


@filter_input(description="Filter a property's media; all given conditions must hold.")
class MediaFilter(EntityFilter):
    id: IDFilter | None = on(MediaModel.id, ref="Media")
    type: MediaTypeFilter | None = on(MediaModel.type)
    created_at: DateTimeFilter | None = on(MediaModel.created_at)


@strawberry.enum(description="Fields media can be ordered by.")
class MediaOrderField(enum.Enum):
    CREATED_AT = by(MediaModel.created_at)


@strawberry.input(description="One ordering term for media.")
class MediaOrder(OrderBy[MediaOrderField]):
    field: MediaOrderField
    direction: OrderDirection = OrderDirection.ASC


@filter_input(description="Filter clients; all given conditions must hold.")
class ClientFilter(EntityFilter):
    id: IDFilter | None = on(ClientModel.id, ref="Client")
    organization: IDFilter | None = on(ClientModel.organization_id, ref="Organization")
    name: StringFilter | None = on(ClientModel.name)
    email: StringFilter | None = on(ClientModel.email)
    phone: StringFilter | None = on(ClientModel.phone)
    nurture_status: NurtureStatusFilter | None = on(ClientModel.nurture_status)
    lead_score: IntFilter | None = on(
        ClientModel.lead_score, description="A score range: `{gte: 60, lte: 90}`."
    )
    last_contacted_at: DateTimeFilter | None = on(
        ClientModel.last_contacted_at, description="`{isNull: true}`: never contacted."
    )
    created_at: DateTimeFilter | None = on(ClientModel.created_at)


@strawberry.enum(description="Fields clients can be ordered by. NULLs (never contacted) sort last.")
class ClientOrderField(enum.Enum):
    CREATED_AT = by(ClientModel.created_at)
    NAME = by(ClientModel.name)
    LEAD_SCORE = by(ClientModel.lead_score)
    LAST_CONTACTED_AT = by(ClientModel.last_contacted_at)


@strawberry.input(description="One ordering term for clients.")
class ClientOrder(OrderBy[ClientOrderField]):
    field: ClientOrderField
    direction: OrderDirection = OrderDirection.ASC


@filter_input(description="Filter interactions; all given conditions must hold.")
class InteractionFilter(EntityFilter):
    id: IDFilter | None = on(InteractionModel.id, ref="Interaction")
    client: IDFilter | None = on(InteractionModel.client_id, ref="Client")
    user: IDFilter | None = on(InteractionModel.user_id, ref="User")
    type: InteractionTypeFilter | None = on(InteractionModel.type)
    occurred_at: DateTimeFilter | None = on(InteractionModel.occurred_at)
    outcome: StringFilter | None = on(InteractionModel.outcome)


@strawberry.enum(description="Fields interactions can be ordered by.")
class InteractionOrderField(enum.Enum):
    OCCURRED_AT = by(InteractionModel.occurred_at)
    CREATED_AT = by(InteractionModel.created_at)


@strawberry.input(description="One ordering term for interactions.")
class InteractionOrder(OrderBy[InteractionOrderField]):
    field: InteractionOrderField
    direction: OrderDirection = OrderDirection.ASC


_links = client_interested_properties
CLIENT_PROPERTIES = Relation(_links.c.client_id, _links, _links.c.property_id == PropertyModel.id)
PROPERTY_CLIENTS = Relation(_links.c.property_id, _links, _links.c.client_id == ClientModel.id)

# ---------------------------------------------------------------------------------------------
# Nodes


@node_type
@strawberry.type(description="A property on a brokerage's books.")
class Property(Node):
    __model__ = PropertyModel

    organization_id: strawberry.Private[uuid.UUID]
    title: str
    address: str
    city: str | None
    area: str | None
    latitude: float | None
    longitude: float | None
    property_type: str = strawberry.field(description="Free text: house, apartment, land...")
    bedrooms: int
    bathrooms: int
    size_sqft: int | None
    price: Decimal = strawberry.field(description="Exact, with two decimals, as a string.")
    status: PropertyStatus
    created_at: datetime
    updated_at: datetime

    organization: Organization | None = to_one("organization_id")
    media: MediaConnection = to_many(
        MediaModel.property_id, description="Photos, documents and videos of the property."
    )
    interested_clients: ClientConnection = to_many(
        PROPERTY_CLIENTS, description="Clients interested in this property."
    )


@node_type
@strawberry.type(description="A photo, document or video of a property.")
class Media(Node):
    __model__ = MediaModel

    property_id: strawberry.Private[uuid.UUID]
    type: MediaType
    url: str = strawberry.field(description="A storage key or an absolute URL.")
    meta_data: JSON = strawberry.field(description="Free-form: dimensions, caption, duration...")
    created_at: datetime
    updated_at: datetime

    property: Property | None = to_one("property_id")


@node_type
@strawberry.type(description="A buyer, seller or tenant the brokerage works with.")
class Client(Node):
    __model__ = ClientModel

    organization_id: strawberry.Private[uuid.UUID]
    name: str
    email: str | None
    phone: str | None
    lead_score: int = strawberry.field(description="0-100.")
    nurture_status: NurtureStatus
    last_contacted_at: datetime | None = strawberry.field(
        description="When the latest recorded interaction occurred; null if never contacted."
    )
    created_at: datetime
    updated_at: datetime

    organization: Organization | None = to_one("organization_id")
    interactions: InteractionConnection = to_many(
        InteractionModel.client_id,
        description="Recorded contacts with this client, newest first by default.",
    )
    interested_properties: PropertyConnection = to_many(
        CLIENT_PROPERTIES, description="Properties this client is interested in."
    )


@node_type
@strawberry.type(description="One contact with a client: an email, call, meeting or note.")
class Interaction(Node):
    __model__ = InteractionModel

    client_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID | None]
    type: InteractionType
    notes: str | None
    occurred_at: datetime
    outcome: str | None
    created_at: datetime
    updated_at: datetime

    client: Client | None = to_one("client_id")
    user: User | None = to_one(
        "user_id", description="Who recorded it; null when you cannot see them (they left)."
    )


@strawberry.type(description="A page of properties.")
class PropertyConnection(
    Connection[Property],
    filter=PropertyFilter,
    order=PropertyOrder,
    default_order=OrderTerm(PropertyModel.created_at),
):
    pass


@strawberry.type(description="A page of media.")
class MediaConnection(
    Connection[Media],
    filter=MediaFilter,
    order=MediaOrder,
    default_order=OrderTerm(MediaModel.created_at),
):
    pass


@strawberry.type(description="A page of clients.")
class ClientConnection(
    Connection[Client],
    filter=ClientFilter,
    order=ClientOrder,
    default_order=OrderTerm(ClientModel.created_at),
):
    pass


@strawberry.type(description="A page of interactions.")
class InteractionConnection(
    Connection[Interaction],
    filter=InteractionFilter,
    order=InteractionOrder,
    default_order=OrderTerm(InteractionModel.occurred_at, descending=True),
):
    pass


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
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("PropertyCreatePayload"),
]
PropertyUpdatePayload = Annotated[
    PropertySuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("PropertyUpdatePayload"),
]
PropertyDeletePayload = Annotated[
    PropertyDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("PropertyDeletePayload"),
]


@strawberry.input(description="Attach a media file to a property (EDITOR+).")
class MediaAddInput:
    property: strawberry.ID
    type: MediaType
    url: str = strawberry.field(description="A storage key or an absolute URL; 1-2000 chars.")
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
    MediaSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("MediaAddPayload"),
]
MediaRemovePayload = Annotated[
    MediaRemoveSuccess | ValidationError | NotFoundError | PermissionDeniedError,
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
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ClientCreatePayload"),
]
ClientUpdatePayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError | ConflictError,
    strawberry.union("ClientUpdatePayload"),
]
ClientDeletePayload = Annotated[
    ClientDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("ClientDeletePayload"),
]
ClientInterestPayload = Annotated[
    ClientSuccess | ValidationError | NotFoundError | PermissionDeniedError,
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
    InteractionDeleteSuccess | ValidationError | NotFoundError | PermissionDeniedError,
    strawberry.union("InteractionDeletePayload"),
]
