"""The realty domain: properties and media, clients and their interests, interactions.

Writes need the organization's content permissions (`item:create`, `item:update`,
`item:delete`), the same the catalog uses: EDITOR and up may write, VIEWER only reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import and_

import models
from graph.context import Info
from graph.kernel.errors import FieldErrorCode, MutationInput, NotFound, ValidationFailed
from graph.kernel.fields import by_id, root_list
from graph.kernel.ids import to_global_id
from graph.types.realty import (
    Client,
    ClientConnection,
    ClientCreateInput,
    ClientCreatePayload,
    ClientDeleteInput,
    ClientDeletePayload,
    ClientDeleteSuccess,
    ClientInterestInput,
    ClientInterestPayload,
    ClientSuccess,
    ClientUpdateInput,
    ClientUpdatePayload,
    Interaction,
    InteractionDeleteInput,
    InteractionDeletePayload,
    InteractionDeleteSuccess,
    InteractionRecordInput,
    InteractionRecordPayload,
    InteractionSuccess,
    InteractionUpdateInput,
    InteractionUpdatePayload,
    Media,
    MediaAddInput,
    MediaAddPayload,
    MediaRemoveInput,
    MediaRemovePayload,
    MediaRemoveSuccess,
    MediaSuccess,
    Property,
    PropertyConnection,
    PropertyCreateInput,
    PropertyCreatePayload,
    PropertyDeleteInput,
    PropertyDeletePayload,
    PropertyDeleteSuccess,
    PropertySuccess,
    PropertyUpdateInput,
    PropertyUpdatePayload,
)
from loaders.base import to_node
from models.files import FileAsset
from models.realty import client_interested_properties
from resolvers.validation import (
    Checks,
    FieldChecks,
    as_is,
    in_range,
    optional_text,
    required,
    text,
)
from resolvers.writes import Writer, mutate

CREATE, UPDATE, DELETE = "item:create", "item:update", "item:delete"

# NUMERIC(14, 2): twelve digits before the point, two after.
PRICE_MAX = Decimal("999999999999.99")

# ---------------------------------------------------------------------------------------------
# Checks particular to this domain (they add to a `Checks`, which refuses once)


def _price(checks: Checks, path: Sequence[str], value: Decimal | None) -> Decimal:
    if value is None:
        checks.fail(path, FieldErrorCode.REQUIRED, "Cannot be null.")
        return Decimal(0)
    if not value.is_finite():
        checks.fail(path, FieldErrorCode.INVALID, "Must be a number.")
    elif value < 0 or value > PRICE_MAX:
        checks.fail(path, FieldErrorCode.OUT_OF_RANGE, f"Must be between 0 and {PRICE_MAX}.")
    elif -value.as_tuple().exponent > 2:  # type: ignore[operator]  # finite: an int exponent
        checks.fail(path, FieldErrorCode.INVALID_FORMAT, "Use at most two decimals.")
    return value


def _lead_score(checks: Checks, path: Sequence[str], value: int | None) -> int:
    if value is None:
        checks.fail(path, FieldErrorCode.REQUIRED, "Cannot be null.")
        return 0
    if not 0 <= value <= 100:
        checks.fail(path, FieldErrorCode.OUT_OF_RANGE, "Must be between 0 and 100.")
    return value


def _email(checks: Checks, path: Sequence[str], value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return checks.email(path, value)


# ---------------------------------------------------------------------------------------------
# Ops: properties and media


async def _organization(writer: Writer, global_id: str) -> models.Organization:
    return await writer.get(
        models.Organization, global_id, type_name="Organization", path=("organization",), lock=False
    )


PROPERTY_FIELDS = FieldChecks(
    title=text(max_length=300),
    address=text(max_length=500),
    price=_price,
    city=optional_text(max_length=120),
    area=optional_text(max_length=120),
    latitude=in_range(-90, 90),
    longitude=in_range(-180, 180),
    property_type=text(max_length=64),
    bedrooms=required(in_range(0)),
    bathrooms=required(in_range(0)),
    size_sqft=in_range(0),
    status=required(),
)


async def create_property(writer: Writer, data: PropertyCreateInput) -> models.realty.Property:
    org = await _organization(writer, data.organization)
    writer.require(CREATE, org.id)
    checks = Checks()
    values = PROPERTY_FIELDS.create(checks, data)
    checks.done()
    return await writer.create(models.realty.Property(organization_id=org.id, **values))


async def update_property(writer: Writer, data: PropertyUpdateInput) -> models.realty.Property:
    prop = await writer.get(models.realty.Property, data.id, type_name="Property")
    writer.require(UPDATE, prop.organization_id)
    checks = Checks()
    values = PROPERTY_FIELDS.update(checks, data)
    checks.done()
    return await writer.update(prop, values, seen_updated_at=data.updated_at)


async def delete_property(writer: Writer, *, id: str) -> None:
    prop = await writer.get(models.realty.Property, id, type_name="Property")
    writer.require(DELETE, prop.organization_id)
    await writer.delete(prop)


async def add_media(writer: Writer, data: MediaAddInput) -> models.realty.PropertyMedia:
    prop = await writer.get(
        models.realty.Property, data.property, type_name="Property", path=("property",), lock=False
    )
    writer.require(UPDATE, prop.organization_id)
    checks = Checks()
    if (data.url is None) == (data.file is None):
        for path in ("url", "file"):
            checks.fail([path], FieldErrorCode.INVALID, "Give either `url` or `file`.")
    url = checks.text(["url"], data.url, max_length=2000) if data.url is not None else ""
    meta = checks.json_object(["metaData"], data.meta_data if data.meta_data is not None else {})
    checks.done()
    file_id = None
    if data.file is not None:
        file = await writer.get(FileAsset, data.file, type_name="FileAsset", path=("file",))
        if file.organization_id != prop.organization_id:
            raise ValidationFailed.one(
                ("file",), FieldErrorCode.INVALID, "The file belongs to another organization."
            )
        url, file_id = file.storage_key, file.id
    return await writer.create(
        models.realty.PropertyMedia(
            organization_id=prop.organization_id,
            property_id=prop.id,
            type=data.type,
            url=url,
            file_id=file_id,
            meta_data=meta,
        )
    )


async def remove_media(writer: Writer, *, id: str) -> None:
    media = await writer.get(models.realty.PropertyMedia, id, type_name="Media")
    writer.require(UPDATE, media.organization_id)
    await writer.delete(media)


# ---------------------------------------------------------------------------------------------
# Ops: clients and their interests


async def _properties_of(
    writer: Writer, ids: list[uuid.UUID], organization_id: uuid.UUID, path: str
) -> list[models.realty.Property]:
    """Properties of one organization, all visible, or NotFound naming the first that is not."""
    if not ids:
        return []
    found = (
        await writer.session.scalars(
            writer.visible(models.realty.Property).where(
                models.realty.Property.id.in_(ids),
                models.realty.Property.organization_id == organization_id,
            )
        )
    ).all()
    known = {p.id for p in found}
    for i, pk in enumerate(ids):
        if pk not in known:
            raise NotFound("Property", to_global_id("Property", pk), (path, str(i)))
    return list(found)


def _interest_rows(
    client: models.realty.Client, props: list[models.realty.Property]
) -> list[dict[str, Any]]:
    return [
        {"client_id": client.id, "property_id": p.id, "organization_id": client.organization_id}
        for p in props
    ]


CLIENT_FIELDS = FieldChecks(
    name=text(max_length=200),
    email=_email,
    phone=optional_text(max_length=50),
    lead_score=_lead_score,
    nurture_status=required(),
)


async def create_client(writer: Writer, data: ClientCreateInput) -> models.realty.Client:
    org = await _organization(writer, data.organization)
    writer.require(CREATE, org.id)
    checks = Checks()
    values = CLIENT_FIELDS.create(checks, data)
    property_ids = checks.ids(["interestedProperties"], data.interested_properties, "Property")
    checks.done()
    props = await _properties_of(writer, property_ids, org.id, "interestedProperties")
    client = await writer.create(models.realty.Client(organization_id=org.id, **values))
    await writer.link(
        client_interested_properties, client, _interest_rows(client, props), "interested_properties"
    )
    return client


async def update_client(writer: Writer, data: ClientUpdateInput) -> models.realty.Client:
    client = await writer.get(models.realty.Client, data.id, type_name="Client")
    writer.require(UPDATE, client.organization_id)
    checks = Checks()
    values = CLIENT_FIELDS.update(checks, data)
    checks.done()
    return await writer.update(client, values, seen_updated_at=data.updated_at)


async def delete_client(writer: Writer, *, id: str) -> None:
    client = await writer.get(models.realty.Client, id, type_name="Client")
    writer.require(DELETE, client.organization_id)
    await writer.delete(client)


async def change_interest(
    writer: Writer, data: ClientInterestInput, *, add: bool
) -> models.realty.Client:
    client = await writer.get(
        models.realty.Client, data.client, type_name="Client", path=("client",)
    )
    writer.require(UPDATE, client.organization_id)
    checks = Checks()
    property_ids = checks.ids(["properties"], data.properties, "Property")
    checks.done()
    props = await _properties_of(writer, property_ids, client.organization_id, "properties")
    if add:
        rows = _interest_rows(client, props)
        await writer.link(client_interested_properties, client, rows, "interested_properties")
    elif props:
        links = client_interested_properties.c
        where = and_(links.client_id == client.id, links.property_id.in_([p.id for p in props]))
        await writer.unlink(client_interested_properties, client, where, "interested_properties")
    return client


# ---------------------------------------------------------------------------------------------
# Ops: interactions


async def _touch_last_contacted(writer: Writer, client: models.realty.Client, at: datetime) -> None:
    """Move the client's last contact forward to ``at``; never backward."""
    if client.last_contacted_at is None or at > client.last_contacted_at:
        await writer.update(client, {"last_contacted_at": at})


def _occurred_at(checks: Checks, path: Sequence[str], value: datetime) -> datetime:
    if value.tzinfo is None:
        checks.fail(path, FieldErrorCode.INVALID_FORMAT, "Give a time zone offset.")
    return value


INTERACTION_FIELDS = FieldChecks(
    type=required(),
    occurred_at=required(_occurred_at),
    notes=as_is(),
    outcome=optional_text(max_length=500),
)


async def record_interaction(
    writer: Writer, data: InteractionRecordInput
) -> models.realty.Interaction:
    # Locked: concurrent recordings for one client apply their last-contact moves in turn.
    client = await writer.get(
        models.realty.Client, data.client, type_name="Client", path=("client",)
    )
    writer.require(UPDATE, client.organization_id)
    checks = Checks()
    at = data.occurred_at if data.occurred_at is not None else datetime.now(UTC)
    values = INTERACTION_FIELDS.create(checks, data, occurred_at=at)
    checks.done()
    interaction = await writer.create(
        models.realty.Interaction(
            organization_id=client.organization_id,
            client_id=client.id,
            user_id=writer.viewer.user_id,
            **values,
        )
    )
    await _touch_last_contacted(writer, client, values["occurred_at"])
    return interaction


async def update_interaction(
    writer: Writer, data: InteractionUpdateInput
) -> models.realty.Interaction:
    interaction = await writer.get(models.realty.Interaction, data.id, type_name="Interaction")
    writer.require(UPDATE, interaction.organization_id)
    checks = Checks()
    values = INTERACTION_FIELDS.update(checks, data)
    checks.done()
    interaction = await writer.update(interaction, values, seen_updated_at=data.updated_at)
    if "occurred_at" in values:
        client = await writer.get(
            models.realty.Client, to_global_id("Client", interaction.client_id), type_name="Client"
        )
        await _touch_last_contacted(writer, client, interaction.occurred_at)
    return interaction


async def delete_interaction(writer: Writer, *, id: str) -> None:
    interaction = await writer.get(models.realty.Interaction, id, type_name="Interaction")
    writer.require(DELETE, interaction.organization_id)
    await writer.delete(interaction)


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class RealtyQuery:
    property: Property | None = by_id(description="A property you can see, by ID.")
    client: Client | None = by_id(description="A client you can see, by ID.")
    properties: PropertyConnection = root_list(
        description="Properties you can see, across your organizations."
    )
    clients: ClientConnection = root_list(
        description="Clients you can see, across your organizations."
    )


def _property(obj: Any) -> PropertySuccess:
    return PropertySuccess(property=to_node(Property, obj))


def _media(obj: Any) -> MediaSuccess:
    return MediaSuccess(media=to_node(Media, obj))


def _client(obj: Any) -> ClientSuccess:
    return ClientSuccess(client=to_node(Client, obj))


def _interaction(obj: Any) -> InteractionSuccess:
    return InteractionSuccess(interaction=to_node(Interaction, obj))


@strawberry.type
class RealtyMutation:
    @strawberry.mutation(description="Create a property (EDITOR+).")
    async def property_create(
        self, info: Info, input: MutationInput[PropertyCreateInput]
    ) -> PropertyCreatePayload:
        return await mutate(info, lambda w: create_property(w, input), _property)

    @strawberry.mutation(description="Change a property (EDITOR+).")
    async def property_update(
        self, info: Info, input: MutationInput[PropertyUpdateInput]
    ) -> PropertyUpdatePayload:
        return await mutate(info, lambda w: update_property(w, input), _property)

    @strawberry.mutation(
        description="Delete a property (EDITOR+; soft delete: its media and interests are "
        "hidden with it)."
    )
    async def property_delete(
        self, info: Info, input: MutationInput[PropertyDeleteInput]
    ) -> PropertyDeletePayload:
        return await mutate(
            info,
            lambda w: delete_property(w, id=input.id),
            lambda _: PropertyDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description="Attach a photo, document or video to a property (EDITOR+).")
    async def media_add(self, info: Info, input: MutationInput[MediaAddInput]) -> MediaAddPayload:
        return await mutate(info, lambda w: add_media(w, input), _media)

    @strawberry.mutation(description="Remove a media file from its property (EDITOR+).")
    async def media_remove(
        self, info: Info, input: MutationInput[MediaRemoveInput]
    ) -> MediaRemovePayload:
        return await mutate(
            info,
            lambda w: remove_media(w, id=input.id),
            lambda _: MediaRemoveSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description="Create a client (EDITOR+), optionally with interests.")
    async def client_create(
        self, info: Info, input: MutationInput[ClientCreateInput]
    ) -> ClientCreatePayload:
        return await mutate(info, lambda w: create_client(w, input), _client)

    @strawberry.mutation(description="Change a client (EDITOR+).")
    async def client_update(
        self, info: Info, input: MutationInput[ClientUpdateInput]
    ) -> ClientUpdatePayload:
        return await mutate(info, lambda w: update_client(w, input), _client)

    @strawberry.mutation(description="Delete a client (EDITOR+; soft delete).")
    async def client_delete(
        self, info: Info, input: MutationInput[ClientDeleteInput]
    ) -> ClientDeletePayload:
        return await mutate(
            info,
            lambda w: delete_client(w, id=input.id),
            lambda _: ClientDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(
        description="Mark properties as interesting to a client (EDITOR+); marked ones stay."
    )
    async def client_interest_add(
        self, info: Info, input: MutationInput[ClientInterestInput]
    ) -> ClientInterestPayload:
        return await mutate(info, lambda w: change_interest(w, input, add=True), _client)

    @strawberry.mutation(description="Unmark properties as interesting to a client (EDITOR+).")
    async def client_interest_remove(
        self, info: Info, input: MutationInput[ClientInterestInput]
    ) -> ClientInterestPayload:
        return await mutate(info, lambda w: change_interest(w, input, add=False), _client)

    @strawberry.mutation(
        description="Record a contact with a client (EDITOR+); moves the client's "
        "`lastContactedAt` forward to it in the same transaction."
    )
    async def interaction_record(
        self, info: Info, input: MutationInput[InteractionRecordInput]
    ) -> InteractionRecordPayload:
        return await mutate(info, lambda w: record_interaction(w, input), _interaction)

    @strawberry.mutation(description="Change an interaction (EDITOR+).")
    async def interaction_update(
        self, info: Info, input: MutationInput[InteractionUpdateInput]
    ) -> InteractionUpdatePayload:
        return await mutate(info, lambda w: update_interaction(w, input), _interaction)

    @strawberry.mutation(description="Delete an interaction (EDITOR+).")
    async def interaction_delete(
        self, info: Info, input: MutationInput[InteractionDeleteInput]
    ) -> InteractionDeletePayload:
        return await mutate(
            info,
            lambda w: delete_interaction(w, id=input.id),
            lambda _: InteractionDeleteSuccess(deleted_id=input.id),
        )
