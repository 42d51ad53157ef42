"""The real-estate CRM's nodes and connections: properties and their media, clients, their
interactions; and the CRM's fields of an organization."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from graph.kernel.aggregates import Aggregable
from graph.kernel.fields import to_many, to_one
from graph.kernel.ids import node_type
from graph.kernel.relay import Connection, Node, created, updated
from graph.types.accounts import Organization, User
from graph.types.files import FileAsset
from graph.types.realty.filters import (
    CLIENT_PROPERTIES,
    PROPERTY_CLIENTS,
    ClientFilter,
    ClientOrder,
    InteractionFilter,
    InteractionOrder,
    MediaFilter,
    MediaOrder,
    PropertyFilter,
    PropertyOrder,
)
from loaders.paging import OrderTerm
from models.realty import Client as ClientModel
from models.realty import Interaction as InteractionModel
from models.realty import (
    InteractionType,
    MediaType,
    NurtureStatus,
    PropertyStatus,
)
from models.realty import Property as PropertyModel
from models.realty import PropertyMedia as MediaModel

# ---------------------------------------------------------------------------------------------
# Nodes


@node_type
@strawberry.type(description="A property on a brokerage's books.")
class Property(Node):
    __model__ = PropertyModel

    organization_id: strawberry.Private[uuid.UUID]
    title: str = strawberry.field(description="The listing's title, 1-300 characters.")
    address: str = strawberry.field(description="The street address, 1-500 characters.")
    city: str | None = strawberry.field(description="The city; null when not given.")
    area: str | None = strawberry.field(
        description="The neighbourhood or district; null when not given."
    )
    latitude: float | None = strawberry.field(
        description="Degrees north (negative: south), -90 to 90; null when not given."
    )
    longitude: float | None = strawberry.field(
        description="Degrees east (negative: west), -180 to 180; null when not given."
    )
    property_type: str = strawberry.field(description="Free text: house, apartment, land...")
    bedrooms: int = strawberry.field(description="Number of bedrooms, 0 or more.")
    bathrooms: int = strawberry.field(description="Number of bathrooms, 0 or more.")
    size_sqft: int | None = strawberry.field(
        description="Floor area in square feet; null when not given."
    )
    price: Decimal = strawberry.field(description="Exact, with two decimals, as a string.")
    status: PropertyStatus = strawberry.field(
        description="Where the property is in its sale or letting."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()
    archived_at: datetime | None = strawberry.field(
        description="When it was archived; null when it is not. Archived nodes drop out of "
        "lists (unless `includeArchived: true`) and cannot be changed until restored."
    )

    organization: Organization | None = to_one(
        "organization_id", description="The organization (agency) the property belongs to."
    )
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
    file_id: strawberry.Private[uuid.UUID | None]
    type: MediaType = strawberry.field(description="What the media is: image, document or video.")
    url: str = strawberry.field(description="A storage key or an absolute URL.")
    meta_data: JSON = strawberry.field(description="Free-form: dimensions, caption, duration...")
    created_at: datetime = created()
    updated_at: datetime = updated()

    property: Property | None = to_one("property_id", description="The property it shows.")
    file: FileAsset | None = to_one(
        "file_id", description="The uploaded file it shows; null for an external URL."
    )


@node_type
@strawberry.type(description="A buyer, seller or tenant the brokerage works with.")
class Client(Node):
    __model__ = ClientModel

    organization_id: strawberry.Private[uuid.UUID]
    name: str = strawberry.field(description="The client's name, 1-200 characters.")
    email: str | None = strawberry.field(description="The client's email; null when not given.")
    phone: str | None = strawberry.field(
        description="The client's phone number as entered, at "
        "most 50 characters; null when not given."
    )
    lead_score: int = strawberry.field(description="0-100.")
    nurture_status: NurtureStatus = strawberry.field(
        description="How warm the client is as a lead."
    )
    last_contacted_at: datetime | None = strawberry.field(
        description="When the latest recorded interaction occurred; null if never contacted."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()
    archived_at: datetime | None = strawberry.field(
        description="When it was archived; null when it is not. Archived nodes drop out of "
        "lists (unless `includeArchived: true`) and cannot be changed until restored."
    )

    organization: Organization | None = to_one(
        "organization_id", description="The organization (agency) the client belongs to."
    )
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
    type: InteractionType = strawberry.field(description="How the client was contacted.")
    notes: str | None = strawberry.field(description="What was said or done; null when none.")
    occurred_at: datetime = strawberry.field(
        description="When it happened (it moves the client's `lastContactedAt` forward)."
    )
    outcome: str | None = strawberry.field(
        description="What came of it, at most 500 characters; null when none."
    )
    created_at: datetime = created()
    updated_at: datetime = updated()

    client: Client | None = to_one("client_id", description="The client contacted.")
    user: User | None = to_one(
        "user_id", description="Who recorded it; null when you cannot see them (they left)."
    )


@strawberry.type(description="A page of properties.")
class PropertyConnection(
    Connection[Property],
    filter=PropertyFilter,
    order=PropertyOrder,
    default_order=OrderTerm(PropertyModel.created_at),
    aggregate=Aggregable(
        numbers={
            "price": PropertyModel.price,
            "size_sqft": PropertyModel.size_sqft,
            "bedrooms": PropertyModel.bedrooms,
            "bathrooms": PropertyModel.bathrooms,
        },
        dates={"created_at": PropertyModel.created_at, "updated_at": PropertyModel.updated_at},
        groups={
            "status": PropertyModel.status,
            "bedrooms": PropertyModel.bedrooms,
            "bathrooms": PropertyModel.bathrooms,
            "property_type": PropertyModel.property_type,
            "city": PropertyModel.city,
        },
    ),
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
    aggregate=Aggregable(
        numbers={"lead_score": ClientModel.lead_score},
        dates={
            "created_at": ClientModel.created_at,
            "last_contacted_at": ClientModel.last_contacted_at,
        },
        groups={"nurture_status": ClientModel.nurture_status},
    ),
):
    pass


@strawberry.type(description="A page of interactions.")
class InteractionConnection(
    Connection[Interaction],
    filter=InteractionFilter,
    order=InteractionOrder,
    default_order=OrderTerm(InteractionModel.occurred_at, descending=True),
    aggregate=Aggregable(
        dates={"occurred_at": InteractionModel.occurred_at},
        groups={"type": InteractionModel.type},
    ),
):
    pass


@strawberry.type
class RealtyOrganizationFields:
    """The CRM's fields of an organization (composed in graph.schema)."""

    properties: PropertyConnection = to_many(
        PropertyModel.organization_id,
        description="The organization's properties (real-estate CRM).",
    )
    clients: ClientConnection = to_many(
        ClientModel.organization_id, description="The organization's clients (real-estate CRM)."
    )
