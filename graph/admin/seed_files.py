"""Demo files, loaded by graph.admin.seed into the demo organization: a logo (PNG) on the
"Old logo files" item and a price list (CSV), stored through the storage backend, and a media
of the first property that shows the logo."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import models
from graph.storage import Storage
from models.files import FileAsset
from models.realty import MediaType, Property, PropertyMedia

# A 1x1 PNG pixel.
LOGO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PRICE_LIST = b"property,price\nBright 2-bedroom apartment,350000\nVilla with pool,1200000\n"
DEMO_FILES = (
    ("acme-logo.png", "image/png", LOGO, "Old logo files", {"caption": "The old logo"}),
    ("price-list.csv", "text/csv", PRICE_LIST, None, {"source": "demo"}),
)


async def _chunks(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def seed_files(
    session: AsyncSession, storage: Storage, organization_id: uuid.UUID, owner_id: uuid.UUID
) -> None:
    """Store the demo files' bytes (deterministic keys: a reload overwrites them) and rows."""
    rows = []
    for filename, mime, content, item_title, meta in DEMO_FILES:
        key = f"{organization_id}/demo-{hashlib.sha256(content).hexdigest()[:16]}"
        size, checksum = await storage.write(key, _chunks(content))
        item_id = None
        if item_title is not None:
            item_id = await session.scalar(
                select(models.Item.id).where(
                    models.Item.organization_id == organization_id, models.Item.title == item_title
                )
            )
        rows.append(
            FileAsset(
                organization_id=organization_id, owner_id=owner_id, item_id=item_id,
                filename=filename, storage_key=key, mime_type=mime, size_bytes=size,
                checksum_sha256=checksum, meta_data=meta,
            )
        )  # fmt: skip
    session.add_all(rows)
    await session.flush()
    first = await session.scalar(
        select(Property)
        .where(Property.organization_id == organization_id)
        .order_by(Property.created_at, Property.id)
        .limit(1)
    )
    if first is not None:
        logo = rows[0]
        session.add(
            PropertyMedia(
                organization_id=organization_id, property_id=first.id, type=MediaType.IMAGE,
                url=logo.storage_key, file_id=logo.id, meta_data={"caption": "Agency logo"},
            )
        )  # fmt: skip
        await session.flush()
