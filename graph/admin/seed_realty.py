"""Demo data for the realty domain, loaded by graph.admin.seed into the demo organization: a small
brokerage with 32 properties (some with media) and 24 clients, their interests and
interactions. Deterministic: every value derives from the row's index."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.realty import (
    Client,
    Interaction,
    InteractionType,
    MediaType,
    NurtureStatus,
    Property,
    PropertyMedia,
    PropertyStatus,
    client_interested_properties,
)

# (city, area, latitude, longitude)
LOCATIONS = (
    ("Lisbon", "Alfama", 38.7114, -9.1300),
    ("Lisbon", "Príncipe Real", 38.7167, -9.1500),
    ("Porto", "Ribeira", 41.1406, -8.6133),
    ("Porto", "Foz do Douro", 41.1550, -8.6760),
    ("Cascais", "Estoril", 38.7057, -9.3977),
    ("Faro", "Old Town", 37.0146, -7.9331),
)
KINDS = (
    ("apartment", "Bright {n}-bedroom apartment"),
    ("house", "Family house with garden ({n} bedrooms)"),
    ("villa", "Villa with pool, {n} bedrooms"),
    ("studio", "Compact studio near the centre"),
    ("penthouse", "Penthouse with terrace, {n} bedrooms"),
)
STREETS = ("Rua Augusta", "Avenida da Liberdade", "Rua das Flores", "Rua do Ouro", "Travessa Nova")
STATUSES = (
    PropertyStatus.ACTIVE, PropertyStatus.ACTIVE, PropertyStatus.ACTIVE,
    PropertyStatus.UNDER_OFFER, PropertyStatus.SOLD, PropertyStatus.RENTED,
)  # fmt: skip
FIRST = ("Ana", "Bruno", "Carla", "Diogo", "Eva", "Filipe", "Gabriela", "Hugo", "Inês", "João")
LAST = ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins")
NURTURE = (NurtureStatus.HOT, NurtureStatus.WARM, NurtureStatus.COLD, NurtureStatus.NEW)
CONTACTS = (
    (InteractionType.CALL, "Discussed budget and preferred areas.", "Wants a viewing"),
    (InteractionType.EMAIL, "Sent three matching listings.", "Replied with interest"),
    (InteractionType.MEETING, "Viewing at the property.", "Considering an offer"),
    (InteractionType.NOTE, "Mortgage pre-approval expected next week.", None),
)
PROPERTIES, CLIENTS = 32, 24
# A fixed "now" keeps the demo identical on every load.
EPOCH = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _property(organization_id: uuid.UUID, i: int) -> Property:
    city, area, lat, lng = LOCATIONS[i % len(LOCATIONS)]
    kind, title = KINDS[i % len(KINDS)]
    bedrooms = 0 if kind == "studio" else 1 + i % 5
    return Property(
        organization_id=organization_id,
        title=f"{title.format(n=bedrooms)} in {area}",
        address=f"{STREETS[i % len(STREETS)]} {10 + i * 7}, {city}",
        city=city,
        area=area,
        latitude=round(lat + (i % 7) * 0.001, 6),
        longitude=round(lng - (i % 5) * 0.001, 6),
        property_type=kind,
        bedrooms=bedrooms,
        bathrooms=max(1, bedrooms - 1),
        size_sqft=450 + bedrooms * 380 + (i % 4) * 55,
        price=Decimal(180_000 + bedrooms * 95_000 + (i * 12_345) % 60_000)
        + Decimal("0.50") * (i % 2),
        status=STATUSES[i % len(STATUSES)],
    )


async def seed_realty(
    session: AsyncSession, organization_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> None:
    """Demo rows for the organization; `user_ids` are owner, admin, editor, viewer."""
    properties = [_property(organization_id, i) for i in range(PROPERTIES)]
    session.add_all(properties)
    await session.flush()
    for i, prop in enumerate(properties[::3]):
        session.add(
            PropertyMedia(
                organization_id=organization_id,
                property_id=prop.id,
                type=MediaType.IMAGE,
                url=f"demo/properties/{i}/front.jpg",
                meta_data={"width": 1600, "height": 1067, "caption": "Front view"},
            )
        )
        if i % 2 == 0:
            session.add(
                PropertyMedia(
                    organization_id=organization_id,
                    property_id=prop.id,
                    type=MediaType.DOC if i % 4 == 0 else MediaType.VIDEO,
                    url=f"demo/properties/{i}/{'floorplan.pdf' if i % 4 == 0 else 'tour.mp4'}",
                    meta_data={"caption": "Floor plan" if i % 4 == 0 else "Video tour"},
                )
            )
    clients = []
    for i in range(CLIENTS):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 3) % len(LAST)]}"
        clients.append(
            Client(
                organization_id=organization_id,
                name=name,
                email=f"{name.split()[0].lower()}.{i}@clients.example" if i % 5 else None,
                phone=f"+351 91{i:02d} 000 {100 + i}" if i % 3 else None,
                lead_score=(i * 37) % 101,
                nurture_status=NURTURE[i % len(NURTURE)],
            )
        )
    session.add_all(clients)
    await session.flush()
    links = []
    writers = user_ids[:3]  # owner, admin and editor record contacts; the viewer cannot
    for i, client in enumerate(clients):
        for k in range(i % 4):
            prop = properties[(i * 5 + k * 7) % PROPERTIES]
            links.append(
                {
                    "client_id": client.id,
                    "property_id": prop.id,
                    "organization_id": organization_id,
                }
            )
        # Every fourth client has never been contacted (NEW leads).
        contacts = 0 if i % 4 == 3 else 1 + i % 3
        last = None
        for k in range(contacts):
            kind, notes, outcome = CONTACTS[(i + k) % len(CONTACTS)]
            at = EPOCH - timedelta(days=(i * 3 + k * 5) % 40, hours=k)
            last = at if last is None or at > last else last
            session.add(
                Interaction(
                    organization_id=organization_id,
                    client_id=client.id,
                    user_id=writers[(i + k) % len(writers)],
                    type=kind,
                    notes=notes,
                    occurred_at=at,
                    outcome=outcome,
                )
            )
        client.last_contacted_at = last
    if links:
        await session.execute(insert(client_interested_properties), links)
    await session.flush()
