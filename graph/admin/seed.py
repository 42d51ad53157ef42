"""Demo data for `make run`: loaded only into an empty database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

import models
from graph.admin.seed_accounts import seed_invitations, seed_profiles
from graph.admin.seed_ai import seed_ai
from graph.admin.seed_billing import EPOCH, seed_billing
from graph.admin.seed_design import seed_design
from graph.admin.seed_exports import seed_exports
from graph.admin.seed_files import seed_files
from graph.admin.seed_jobs import seed_jobs
from graph.admin.seed_realty import seed_realty
from graph.auth import hash_password
from graph.settings import get_settings
from graph.storage import Storage, files_for
from models.accounts import ADMIN, EDITOR, OWNER, VIEWER
from models.search import SearchLanguage


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    full_name: str
    role: str


DEMO_USERS = (
    DemoUser("owner@demo.trellis.dev", "demo-owner-pass", "Olivia Owner", OWNER),
    DemoUser("admin@demo.trellis.dev", "demo-admin-pass", "Adam Admin", ADMIN),
    DemoUser("editor@demo.trellis.dev", "demo-editor-pass", "Edith Editor", EDITOR),
    DemoUser("viewer@demo.trellis.dev", "demo-viewer-pass", "Victor Viewer", VIEWER),
)
DEMO_TAGS = (
    ("design", "#7c3aed"),
    ("research", "#2563eb"),
    ("urgent", "#dc2626"),
    ("idea", "#16a34a"),
    ("archive", "#6b7280"),
)
DEMO_ITEMS = (
    ("Brand guidelines", "document", ("design",)),
    ("Competitor landscape", "report", ("research",)),
    ("Homepage redesign", "project", ("design", "urgent")),
    ("Customer interviews", "notes", ("research",)),
    ("Pricing experiment", "idea", ("idea", "research")),
    ("Onboarding checklist", "document", ()),
    ("Q3 roadmap", "plan", ("urgent",)),
    ("Old logo files", "asset", ("archive", "design")),
)
# Archived: out of lists unless `includeArchived: true`.
ARCHIVED_ITEMS = frozenset({"Old logo files"})


async def seed(session: AsyncSession, storage: Storage | None = None) -> bool:
    """Load the demo organization, its users, tags and items; False if data exists already.
    The demo files' bytes go to ``storage`` (default: the settings' local storage)."""
    if await session.scalar(select(func.count()).select_from(models.Organization)):
        return False
    roles = {
        r.name: r.id
        for r in (
            await session.scalars(select(models.Role).where(models.Role.organization_id.is_(None)))
        ).all()
    }
    org = models.Organization(
        name="Acme Demo",
        slug="acme-demo",
        meta_data={"demo": True},
        search_language=SearchLanguage.ENGLISH,  # its texts are English: stemmed searches
    )
    session.add(org)
    users = []
    for demo in DEMO_USERS:
        user = models.User(
            email=demo.email, full_name=demo.full_name, password_hash=hash_password(demo.password)
        )
        session.add(user)
        users.append(user)
    await session.flush()
    for user, demo in zip(users, DEMO_USERS, strict=True):
        session.add(
            models.Membership(user_id=user.id, organization_id=org.id, role_id=roles[demo.role])
        )
    tags = {name: models.Tag(organization_id=org.id, name=name, color=c) for name, c in DEMO_TAGS}
    session.add_all(tags.values())
    await session.flush()
    for i, (title, kind, tag_names) in enumerate(DEMO_ITEMS):
        item = models.Item(
            owner_id=users[i % 3].id, organization_id=org.id, title=title, type=kind,
            description=f"Demo {kind}: {title.lower()}.",
            archived_at=EPOCH if title in ARCHIVED_ITEMS else None,
        )  # fmt: skip
        session.add(item)
        await session.flush()
        if tag_names:
            await session.execute(
                insert(models.item_tags),
                [{"item_id": item.id, "tag_id": tags[n].id} for n in tag_names],
            )
    user_ids = [u.id for u in users]
    await seed_invitations(session, org.id, user_ids[0], user_ids[2])
    await seed_profiles(session, user_ids[0])
    await seed_design(session, org.id, user_ids)
    await seed_realty(session, org.id, user_ids)
    await seed_jobs(session, org.id, user_ids[0])
    await seed_billing(session, org, user_ids[0])
    await seed_ai(session, org.id, user_ids[0])
    store = storage or files_for(get_settings()).storage
    await seed_files(session, store, org.id, user_ids[0])
    await seed_exports(session, store, org.id, user_ids[0])
    return True
