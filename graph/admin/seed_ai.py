"""Demo data for the AI catalog: three demo items with three contents each (a system prompt,
a question, an answer), embedded by the default embedder at seed time (in-process, offline),
so semantic search works on a freshly seeded database without a worker; and one AI model of
the demo organization's own."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from graph.ai.embedders import embedder_for
from models.ai import AIModel, Content, ContentRole, Embedding
from models.catalog import Item

DEMO_CONVERSATIONS = {
    "Sourdough baking guide": [
        (ContentRole.SYSTEM, "You are a patient baking coach."),
        (ContentRole.USER, "How do I keep a sourdough starter alive and bake a crusty loaf?"),
        (ContentRole.ASSISTANT, "Feed the starter flour and water daily, let the dough rise "
                                "overnight and bake the bread in a very hot oven."),
    ],
    "Quarterly tax checklist": [
        (ContentRole.SYSTEM, "You answer small-business accounting questions."),
        (ContentRole.USER, "When are the quarterly estimated tax payments due?"),
        (ContentRole.ASSISTANT, "Estimated taxes are paid four times a year; keep every "
                                "invoice and receipt for the accountant."),
    ],
    "Cat care notes": [
        (ContentRole.SYSTEM, "You give general pet-care advice."),
        (ContentRole.USER, "My cat keeps sneezing. Should the kitten see a veterinarian?"),
        (ContentRole.NOTE, "Vaccination records and the vet's phone number."),
    ],
}  # fmt: skip


async def seed_ai(session: AsyncSession, organization_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    model = (await session.scalars(select(AIModel).where(AIModel.default_embedder))).one()
    embedder = embedder_for(model.provider, model.parameters)
    for title, conversation in DEMO_CONVERSATIONS.items():
        description = f"Demo conversation: {title.lower()}."
        item = Item(owner_id=owner_id, organization_id=organization_id, title=title,
                    type="conversation", description=description)  # fmt: skip
        session.add(item)
        await session.flush()
        contents = [
            Content(item_id=item.id, organization_id=organization_id, role=role, text=text,
                    position=position)
            for position, (role, text) in enumerate(conversation)
        ]  # fmt: skip
        session.add_all(contents)
        await session.flush()
        vectors = embedder.embed([c.text for c in contents])
        session.add_all(
            Embedding(model_id=model.id, content_id=c.id, item_id=item.id,
                      organization_id=organization_id, vector=v, dimension=len(v))
            for c, v in zip(contents, vectors, strict=True)
        )  # fmt: skip
    session.add(
        AIModel(
            organization_id=organization_id, name="acme-support-assistant", provider="local",
            version="1", parameters={"kind": "completion", "temperature": 0.2},
            meta_data={"description": "The demo organization's own assistant (a record)."},
        )
    )  # fmt: skip
    await session.flush()
