"""Reading the outbox in in-process tests: the messages queued, and the token in a link."""

from __future__ import annotations

import re

from sqlalchemy import select

from graph.database import Database
from models.mail import OutboundEmail

TOKEN = re.compile(r"[?&]token=([A-Za-z0-9_\-]+)")


async def outbox(db: Database) -> list[OutboundEmail]:
    """Every outbox row, oldest first."""
    async with db.sessions() as session:
        stmt = select(OutboundEmail).order_by(OutboundEmail.created_at, OutboundEmail.id)
        return list((await session.scalars(stmt)).all())


async def last_token(db: Database, to: str) -> str:
    """The token in the newest message queued for ``to`` (not sent yet: bodies intact)."""
    rows = [row for row in await outbox(db) if row.to_address == to]
    assert rows, f"no email to {to}"
    found = TOKEN.search(rows[-1].text_body)
    assert found, rows[-1].text_body
    return found.group(1)
