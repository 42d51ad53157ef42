"""The real-estate CRM's filter and order inputs, and its link-table relations."""

from __future__ import annotations

import enum

import strawberry

from graph.kernel.enums import model_enum
from graph.kernel.filters import (
    DateTimeFilter,
    DecimalFilter,
    EntityFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    StringFilter,
    by,
    by_relevance,
    entity_filter,
    on,
)
from loaders.base import Relation
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

model_enum(
    PropertyStatus,
    "Where a property is in its sale or letting.",
    ACTIVE="On the market.",
    UNDER_OFFER="An offer is accepted; the sale or letting is not complete.",
    SOLD="Sold: off the market.",
    RENTED="Let: off the market.",
)
model_enum(
    MediaType,
    "What a media file of a property is.",
    IMAGE="A photo or plan, shown as an image.",
    DOC="A document (a PDF, say).",
    VIDEO="A video or a virtual tour.",
)
model_enum(
    NurtureStatus,
    "How warm a client is as a lead.",
    NEW="Not yet qualified.",
    HOT="Ready to act: follow up first.",
    WARM="Interested, not yet ready.",
    COLD="Not active now.",
)
model_enum(
    InteractionType,
    "How a client was contacted.",
    EMAIL="An email, sent or received.",
    CALL="A phone call.",
    MEETING="A meeting or a viewing.",
    NOTE="A note, with no contact (it still counts as a contact for `lastContactedAt`).",
)


# ---------------------------------------------------------------------------------------------
# Filters and orderings


PropertyStatusFilter = EnumFilter[PropertyStatus]
NurtureStatusFilter = EnumFilter[NurtureStatus]
InteractionTypeFilter = EnumFilter[InteractionType]
MediaTypeFilter = EnumFilter[MediaType]


@strawberry.input(description="Filter properties; all given conditions must hold.")
@entity_filter
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
    RELEVANCE = strawberry.enum_value(
        by_relevance(),
        description="How well each node matches the `search` (needed): best first ascending.",
    )


@strawberry.input(description="One ordering term for properties.")
class PropertyOrder(OrderBy[PropertyOrderField]):
    pass


@strawberry.input(description="Filter a property's media; all given conditions must hold.")
@entity_filter
class MediaFilter(EntityFilter):
    id: IDFilter | None = on(MediaModel.id, ref="Media")
    type: MediaTypeFilter | None = on(MediaModel.type)
    created_at: DateTimeFilter | None = on(MediaModel.created_at)


@strawberry.enum(description="Fields media can be ordered by.")
class MediaOrderField(enum.Enum):
    CREATED_AT = by(MediaModel.created_at)


@strawberry.input(description="One ordering term for media.")
class MediaOrder(OrderBy[MediaOrderField]):
    pass


@strawberry.input(description="Filter clients; all given conditions must hold.")
@entity_filter
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
    RELEVANCE = strawberry.enum_value(
        by_relevance(),
        description="How well each node matches the `search` (needed): best first ascending.",
    )


@strawberry.input(description="One ordering term for clients.")
class ClientOrder(OrderBy[ClientOrderField]):
    pass


@strawberry.input(description="Filter interactions; all given conditions must hold.")
@entity_filter
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
    pass


_links = client_interested_properties
CLIENT_PROPERTIES = Relation(_links.c.client_id, _links, _links.c.property_id == PropertyModel.id)
PROPERTY_CLIENTS = Relation(_links.c.property_id, _links, _links.c.client_id == ClientModel.id)
