"""Demo data for accounts: the demo owner's profile, a pending invitation into the demo
organization sent by its owner, and one accepted earlier by the demo editor. The
invitations' tokens are not known to anyone: their links were never mailed (a new one comes
with `invitationResend`)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import models
from models.accounts import Invitation, InvitationStatus, UserProfile

EPOCH = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _unusable_hash(label: str) -> str:
    """A token hash no token has (it is not the SHA-256 of any `trl_inv_` token we make)."""
    return hashlib.sha256(f"demo invitation {label}".encode()).hexdigest()


async def seed_invitations(
    session: AsyncSession, organization_id: uuid.UUID, owner_id: uuid.UUID, editor_id: uuid.UUID
) -> None:
    roles = {
        r.name: r.id
        for r in await session.scalars(
            select(models.Role).where(models.Role.organization_id.is_(None))
        )
    }
    session.add_all(
        [
            Invitation(
                organization_id=organization_id,
                email="newcomer@demo.trellis.dev",
                role_id=roles["EDITOR"],
                inviter_id=owner_id,
                token_hash=_unusable_hash("pending"),
                # Far in the future, so the demo invitation stays pending.
                expires_at=datetime(2099, 1, 1, tzinfo=UTC),
                last_sent_at=EPOCH,
                created_at=EPOCH,
            ),
            Invitation(
                organization_id=organization_id,
                email="editor@demo.trellis.dev",
                role_id=roles["EDITOR"],
                inviter_id=owner_id,
                token_hash=_unusable_hash("accepted"),
                status=InvitationStatus.ACCEPTED,
                expires_at=EPOCH + timedelta(days=7),
                last_sent_at=EPOCH - timedelta(days=1),
                accepted_at=EPOCH,
                accepted_by_id=editor_id,
                created_at=EPOCH - timedelta(days=1),
            ),
        ]
    )
    await session.flush()


async def seed_profiles(session: AsyncSession, owner_id: uuid.UUID) -> None:
    session.add(
        UserProfile(
            id=owner_id,
            first_name="Olivia",
            last_name="Owner",
            username="olivia",
            contact={"phones": [{"label": "work", "value": "+33 1 23 45 67 89"}], "emails": []},
            location={"country": "FR", "region": None, "city": "Paris", "timeZone": "Europe/Paris"},
            socials=[{"network": "github", "url": "https://github.com/trellis-demo"}],
            company={
                "name": "Acme Demo",
                "industry": "Software",
                "size": "small",
                "website": "https://acme.example",
            },
            preferences={
                "language": "en",
                "notifications": [
                    {"channel": "email", "event": "digest", "enabled": True},
                    {"channel": "in_app", "event": "mention", "enabled": True},
                ],
            },
            onboarding={
                "stepsDone": ["profile", "first-project"],
                "completedAt": "2026-11-01T09:00:00+00:00",
            },
            feature_flags=["matrix.beta"],
        )
    )
    await session.flush()
