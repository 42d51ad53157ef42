"""Demo data for the design domain, loaded by graph.seed into the demo organization."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession


async def seed_design(
    session: AsyncSession, organization_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> None:
    """Demo rows for the organization; `user_ids` are owner, admin, editor, viewer."""
