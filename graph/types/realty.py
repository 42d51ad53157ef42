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

import models
from graph.context import Info
from graph.kernel.connections import PageArgs, ToMany, ToOne, to_many, to_one
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
    OrderDirection,
    Ref,
    StringFilter,
)
from graph.kernel.relay import Connection, Node, node_type
from graph.types.accounts import CLIENT_ORDER, PROPERTY_ORDER, Organization, User
from loaders.base import OrderTerm, Relation
from models.realty import (
    InteractionType,
    MediaType,
    NurtureStatus,
    PropertyStatus,
    client_interested_properties,
)

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


@strawberry.input(description="Filter properties; all given conditions must hold.")
class PropertyFilter(EntityFilter):
    id: IDFilter | None = None
    organization: IDFilter | None = None
    title: StringFilter | None = strawberry.field(
        default=None, description="`contains` / `startsWith` match case-insensitively."
    )
    address: StringFilter | None = None
    city: StringFilter | None = None
    area: StringFilter | None = None
    property_type: StringFilter | None = None
    status: PropertyStatusFilter | None = None
    price: DecimalFilter | None = strawberry.field(
        default=None, description='A price range: `{gte: "300000", lte: "450000"}`.'
    )
    bedrooms: IntFilter | None = strawberry.field(
        default=None, description="At least n bedrooms: `{gte: n}`."
    )
    bathrooms: IntFilter | None = None
    size_sqft: IntFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[PropertyFilter] | None = strawberry.field(name="and", default=None)
    or_: list[PropertyFilter] | None = strawberry.field(name="or", default=None)
    not_: PropertyFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.realty.Property.id, "Property"),
        "organization": Ref(models.realty.Property.organization_id, "Organization"),
        "title": models.realty.Property.title,
        "address": models.realty.Property.address,
        "city": models.realty.Property.city,
        "area": models.realty.Property.area,
        "property_type": models.realty.Property.property_type,
        "status": models.realty.Property.status,
        "price": models.realty.Property.price,
        "bedrooms": models.realty.Property.bedrooms,
        "bathrooms": models.realty.Property.bathrooms,
        "size_sqft": models.realty.Property.size_sqft,
        "created_at": models.realty.Property.created_at,
        "updated_at": models.realty.Property.updated_at,
    }


@strawberry.enum(description="Fields properties can be ordered by.")
class PropertyOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"
    PRICE = "price"
    BEDROOMS = "bedrooms"
    SIZE_SQFT = "size_sqft"


@strawberry.input(description="One ordering term for properties.")
class PropertyOrder:
    field: PropertyOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        PropertyOrderField.CREATED_AT: models.realty.Property.created_at,
        PropertyOrderField.UPDATED_AT: models.realty.Property.updated_at,
        PropertyOrderField.TITLE: models.realty.Property.title,
        PropertyOrderField.PRICE: models.realty.Property.price,
        PropertyOrderField.BEDROOMS: models.realty.Property.bedrooms,
        PropertyOrderField.SIZE_SQFT: models.realty.Property.size_sqft,
    }


@strawberry.input(description="Filter a property's media; all given conditions must hold.")
class MediaFilter(EntityFilter):
    id: IDFilter | None = None
    type: MediaTypeFilter | None = None
    created_at: DateTimeFilter | None = None
    and_: list[MediaFilter] | None = strawberry.field(name="and", default=None)
    or_: list[MediaFilter] | None = strawberry.field(name="or", default=None)
    not_: MediaFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.realty.PropertyMedia.id, "Media"),
        "type": models.realty.PropertyMedia.type,
        "created_at": models.realty.PropertyMedia.created_at,
    }


@strawberry.enum(description="Fields media can be ordered by.")
class MediaOrderField(enum.Enum):
    CREATED_AT = "created_at"


@strawberry.input(description="One ordering term for media.")
class MediaOrder:
    field: MediaOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {MediaOrderField.CREATED_AT: models.realty.PropertyMedia.created_at}


@strawberry.input(description="Filter clients; all given conditions must hold.")
class ClientFilter(EntityFilter):
    id: IDFilter | None = None
    organization: IDFilter | None = None
    name: StringFilter | None = None
    email: StringFilter | None = None
    phone: StringFilter | None = None
    nurture_status: NurtureStatusFilter | None = None
    lead_score: IntFilter | None = strawberry.field(
        default=None, description="A score range: `{gte: 60, lte: 90}`."
    )
    last_contacted_at: DateTimeFilter | None = strawberry.field(
        default=None, description="`{isNull: true}`: never contacted."
    )
    created_at: DateTimeFilter | None = None
    and_: list[ClientFilter] | None = strawberry.field(name="and", default=None)
    or_: list[ClientFilter] | None = strawberry.field(name="or", default=None)
    not_: ClientFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.realty.Client.id, "Client"),
        "organization": Ref(models.realty.Client.organization_id, "Organization"),
        "name": models.realty.Client.name,
        "email": models.realty.Client.email,
        "phone": models.realty.Client.phone,
        "nurture_status": models.realty.Client.nurture_status,
        "lead_score": models.realty.Client.lead_score,
        "last_contacted_at": models.realty.Client.last_contacted_at,
        "created_at": models.realty.Client.created_at,
    }


@strawberry.enum(description="Fields clients can be ordered by. NULLs (never contacted) sort last.")
class ClientOrderField(enum.Enum):
    CREATED_AT = "created_at"
    NAME = "name"
    LEAD_SCORE = "lead_score"
    LAST_CONTACTED_AT = "last_contacted_at"


@strawberry.input(description="One ordering term for clients.")
class ClientOrder:
    field: ClientOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        ClientOrderField.CREATED_AT: models.realty.Client.created_at,
        ClientOrderField.NAME: models.realty.Client.name,
        ClientOrderField.LEAD_SCORE: models.realty.Client.lead_score,
        ClientOrderField.LAST_CONTACTED_AT: models.realty.Client.last_contacted_at,
    }


@strawberry.input(description="Filter interactions; all given conditions must hold.")
class InteractionFilter(EntityFilter):
    id: IDFilter | None = None
    client: IDFilter | None = None
    user: IDFilter | None = None
    type: InteractionTypeFilter | None = None
    occurred_at: DateTimeFilter | None = None
    outcome: StringFilter | None = None
    and_: list[InteractionFilter] | None = strawberry.field(name="and", default=None)
    or_: list[InteractionFilter] | None = strawberry.field(name="or", default=None)
    not_: InteractionFilter | None = strawberry.field(name="not", default=None)

    __columns__ = {
        "id": Ref(models.realty.Interaction.id, "Interaction"),
        "client": Ref(models.realty.Interaction.client_id, "Client"),
        "user": Ref(models.realty.Interaction.user_id, "User"),
        "type": models.realty.Interaction.type,
        "occurred_at": models.realty.Interaction.occurred_at,
        "outcome": models.realty.Interaction.outcome,
    }


@strawberry.enum(description="Fields interactions can be ordered by.")
class InteractionOrderField(enum.Enum):
    OCCURRED_AT = "occurred_at"
    CREATED_AT = "created_at"


@strawberry.input(description="One ordering term for interactions.")
class InteractionOrder:
    field: InteractionOrderField
    direction: OrderDirection = OrderDirection.ASC

    __columns__ = {
        InteractionOrderField.OCCURRED_AT: models.realty.Interaction.occurred_at,
        InteractionOrderField.CREATED_AT: models.realty.Interaction.created_at,
    }


MEDIA_ORDER = (OrderTerm(models.realty.PropertyMedia.created_at),)
INTERACTION_ORDER = (OrderTerm(models.realty.Interaction.occurred_at, descending=True),)

_links = client_interested_properties
CLIENT_PROPERTIES = Relation(
    _links.c.client_id, _links, _links.c.property_id == models.realty.Property.id
)
PROPERTY_CLIENTS = Relation(
    _links.c.property_id, _links, _links.c.client_id == models.realty.Client.id
)

# ---------------------------------------------------------------------------------------------
# Nodes


@node_type
@strawberry.type(description="A property on a brokerage's books.")
class Property(Node):
    __model__ = models.realty.Property
    __relations__ = {
        "organization": ToOne(lambda: Organization, "organization_id"),
        "media": ToMany(
            lambda: MediaConnection, lambda: Media,
            Relation(models.realty.PropertyMedia.property_id), MEDIA_ORDER,
        ),
        "interested_clients": ToMany(
            lambda: ClientConnection, lambda: Client, PROPERTY_CLIENTS, CLIENT_ORDER
        ),
    }  # fmt: skip

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

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return to_one(info, self, "organization")

    @strawberry.field(description="Photos, documents and videos of the property.")
    def media(
        self,
        info: Info,
        filter: MediaFilter | None = None,
        order_by: list[MediaOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MediaConnection:
        return to_many(info, self, "media", PageArgs(filter, order_by, first, after, last, before))

    @strawberry.field(description="Clients interested in this property.")
    def interested_clients(
        self,
        info: Info,
        filter: ClientFilter | None = None,
        order_by: list[ClientOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ClientConnection:
        return to_many(
            info, self, "interested_clients", PageArgs(filter, order_by, first, after, last, before)
        )


@node_type
@strawberry.type(description="A photo, document or video of a property.")
class Media(Node):
    __model__ = models.realty.PropertyMedia
    __relations__ = {"property": ToOne(lambda: Property, "property_id")}

    property_id: strawberry.Private[uuid.UUID]
    type: MediaType
    url: str = strawberry.field(description="A storage key or an absolute URL.")
    meta_data: JSON = strawberry.field(description="Free-form: dimensions, caption, duration...")
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def property(self, info: Info) -> Property | None:
        return to_one(info, self, "property")


@node_type
@strawberry.type(description="A buyer, seller or tenant the brokerage works with.")
class Client(Node):
    __model__ = models.realty.Client
    __relations__ = {
        "organization": ToOne(lambda: Organization, "organization_id"),
        "interactions": ToMany(
            lambda: InteractionConnection, lambda: Interaction,
            Relation(models.realty.Interaction.client_id), INTERACTION_ORDER,
        ),
        "interested_properties": ToMany(
            lambda: PropertyConnection, lambda: Property, CLIENT_PROPERTIES, PROPERTY_ORDER
        ),
    }  # fmt: skip

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

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return to_one(info, self, "organization")

    @strawberry.field(description="Recorded contacts with this client, newest first by default.")
    def interactions(
        self,
        info: Info,
        filter: InteractionFilter | None = None,
        order_by: list[InteractionOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> InteractionConnection:
        return to_many(
            info, self, "interactions", PageArgs(filter, order_by, first, after, last, before)
        )

    @strawberry.field(description="Properties this client is interested in.")
    def interested_properties(
        self,
        info: Info,
        filter: PropertyFilter | None = None,
        order_by: list[PropertyOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PropertyConnection:
        return to_many(
            info,
            self,
            "interested_properties",
            PageArgs(filter, order_by, first, after, last, before),
        )


@node_type
@strawberry.type(description="One contact with a client: an email, call, meeting or note.")
class Interaction(Node):
    __model__ = models.realty.Interaction
    __relations__ = {
        "client": ToOne(lambda: Client, "client_id"),
        "user": ToOne(lambda: User, "user_id"),
    }

    client_id: strawberry.Private[uuid.UUID]
    user_id: strawberry.Private[uuid.UUID | None]
    type: InteractionType
    notes: str | None
    occurred_at: datetime
    outcome: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def client(self, info: Info) -> Client | None:
        return to_one(info, self, "client")

    @strawberry.field(description="Who recorded it; null when you cannot see them (they left).")
    def user(self, info: Info) -> User | None:
        return to_one(info, self, "user")


@strawberry.type(description="A page of properties.")
class PropertyConnection(Connection[Property]):
    pass


@strawberry.type(description="A page of media.")
class MediaConnection(Connection[Media]):
    pass


@strawberry.type(description="A page of clients.")
class ClientConnection(Connection[Client]):
    pass


@strawberry.type(description="A page of interactions.")
class InteractionConnection(Connection[Interaction]):
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
