"""Two tenants side by side, for the cross-tenant leak suite.

Organization A ("alpha") is the caller's; organization B ("beta") holds everything the caller
must never see. B's text carries the marker ``Beta secret`` and its emails ``@beta.example``,
so a response can be scanned for a leak of any kind, not only of the field a test asks for.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

import models
from graph.database import Database
from models.ai import AIModel, Content, ContentRole, Embedding
from models.jobs import Job, JobStatus
from tests.factories import Factory, Member, gid

SECRET_MARKERS = ("Beta secret", "@beta.example")

TYPE_NAMES: dict[type[Any], str] = {
    models.Item: "Item",
    models.Tag: "Tag",
    models.Organization: "Organization",
    models.Membership: "Membership",
    models.User: "User",
    models.Role: "Role",
    models.APIKey: "ApiKey",
    Job: "Job",
    Content: "Content",
    AIModel: "AIModel",
    Embedding: "Embedding",
}


def gid_of(obj: Any) -> str:
    """The global ID of a model instance, or of a Member's user."""
    if isinstance(obj, Member):
        obj = obj.user
    return gid(TYPE_NAMES[type(obj)], obj.id)


@dataclass
class World:
    org_a: models.Organization
    org_b: models.Organization
    alice: Member  # OWNER of A: every permission there, so only tenancy can stop her
    dave: Member  # EDITOR of A
    carol: Member  # VIEWER of A and EDITOR of B: the co-member whose B side must stay hidden
    bob: Member  # OWNER of B only
    alice_a: models.Membership
    dave_a: models.Membership
    carol_a: models.Membership
    carol_b: models.Membership
    bob_b: models.Membership
    a_item: models.Item
    carol_a_item: models.Item
    b_item: models.Item
    carol_b_item: models.Item
    a_tag: models.Tag
    b_tag: models.Tag
    a_role: models.Role
    b_role: models.Role
    alice_key: models.APIKey
    bob_key: models.APIKey
    a_job: Job
    b_job: Job  # queued: a jobCancel that got through would change it
    a_content: Content
    b_content: Content
    a_model: AIModel
    b_model: AIModel
    global_model: AIModel  # the default embedder: everyone signed in sees it
    a_embedding: Embedding
    b_embedding: Embedding
    builtin_roles: dict[str, uuid.UUID]

    def builtin_gid(self, name: str) -> str:
        return gid("Role", self.builtin_roles[name])

    def builtin_gids(self) -> set[str]:
        return {gid("Role", pk) for pk in self.builtin_roles.values()}

    def foreign_gids(self) -> set[str]:
        """Every global ID that exists only on B's side."""
        return {
            gid_of(o)
            for o in (
                self.org_b, self.bob, self.carol_b, self.bob_b, self.b_item,
                self.carol_b_item, self.b_tag, self.b_role, self.bob_key, self.b_job,
                self.b_content, self.b_model, self.b_embedding,
            )
        }  # fmt: skip


async def _add(db: Database, obj: Any) -> Any:
    async with db.sessions() as session, session.begin():
        session.add(obj)
    return obj


async def _api_key(db: Database, user: models.User) -> models.APIKey:
    secret = uuid.uuid4().hex
    key = models.APIKey(
        user_id=user.id, name="k", prefix=secret[:8], key_hash=secret * 2, scopes=["read"]
    )
    return await _add(db, key)


async def _job(db: Database, org: models.Organization, by: Member) -> Job:
    job = Job(
        organization_id=org.id,
        requested_by_id=by.user.id,
        kind="changes.count",
        status=JobStatus.QUEUED,
        parameters={"batchSize": 500, "pauseMilliseconds": 0},
    )
    return await _add(db, job)


async def _content(db: Database, item: models.Item, text: str) -> Content:
    return await _add(
        db, Content(item_id=item.id, organization_id=item.organization_id, role=ContentRole.USER,
                    text=text, position=0),
    )  # fmt: skip


async def _embedding(db: Database, content: Content, model: AIModel) -> Embedding:
    vector = [1.0] + [0.0] * 255
    return await _add(
        db, Embedding(model_id=model.id, content_id=content.id, item_id=content.item_id,
                      organization_id=content.organization_id, vector=vector, dimension=256),
    )  # fmt: skip


async def _link(db: Database, item: models.Item, tag: models.Tag) -> None:
    async with db.sessions() as session, session.begin():
        await session.execute(insert(models.item_tags).values(item_id=item.id, tag_id=tag.id))


async def build_world(factory: Factory, db: Database) -> World:
    org_a = await factory.organization(name="Alpha org", slug="alpha")
    org_b = await factory.organization(name="Beta secret org", slug="beta")
    alice = await factory.member(org_a, "OWNER", email="alice@alpha.example")
    dave = await factory.member(org_a, "EDITOR", email="dave@alpha.example")
    carol = await factory.member(org_a, "VIEWER", email="carol@alpha.example")
    bob = await factory.member(None, email="bob@beta.example", full_name="Beta secret Bob")
    carol_b = await factory.membership(carol.user, org_b, "EDITOR")
    bob_b = await factory.membership(bob.user, org_b, "OWNER")
    memberships = {}
    async with db.sessions() as session:
        for m in (await session.scalars(select(models.Membership))).all():
            memberships[(m.user_id, m.organization_id)] = m
        builtin = {
            r.name: r.id
            for r in (
                await session.scalars(
                    select(models.Role).where(models.Role.organization_id.is_(None))
                )
            ).all()
        }
    a_item = await factory.item(alice.user, org_a, title="Alpha item")
    carol_a_item = await factory.item(carol.user, org_a, title="Alpha item by carol")
    b_item = await factory.item(bob.user, org_b, title="Beta secret item")
    carol_b_item = await factory.item(carol.user, org_b, title="Beta secret item by carol")
    a_tag = await factory.tag(org_a, name="alpha tag")
    b_tag = await factory.tag(org_b, name="Beta secret tag")
    await factory.tag_item(a_item, a_tag)
    await factory.tag_item(b_item, b_tag)
    await factory.tag_item(carol_b_item, b_tag)
    # Links across tenants cannot be made through the API; made here, they check that a
    # nested list scopes its children itself rather than trusting the link table.
    await _link(db, a_item, b_tag)
    await _link(db, carol_b_item, a_tag)
    a_role = await _add(db, models.Role(organization_id=org_a.id, name="Alpha auditor", rank=20))
    b_role = await _add(db, models.Role(organization_id=org_b.id, name="Beta secret role", rank=20))
    async with db.sessions() as session:
        global_model = (
            await session.scalars(select(AIModel).where(AIModel.default_embedder))
        ).one()
    a_content = await _content(db, a_item, "Alpha content")
    b_content = await _content(db, b_item, "Beta secret content")
    a_model = await _add(db, AIModel(organization_id=org_a.id, name="alpha-model", provider="x"))
    b_model = await _add(
        db, AIModel(organization_id=org_b.id, name="Beta secret model", provider="x")
    )
    return World(
        org_a=org_a, org_b=org_b, alice=alice, dave=dave, carol=carol, bob=bob,
        alice_a=memberships[(alice.user.id, org_a.id)],
        dave_a=memberships[(dave.user.id, org_a.id)],
        carol_a=memberships[(carol.user.id, org_a.id)],
        carol_b=carol_b, bob_b=bob_b,
        a_item=a_item, carol_a_item=carol_a_item, b_item=b_item, carol_b_item=carol_b_item,
        a_tag=a_tag, b_tag=b_tag, a_role=a_role, b_role=b_role,
        alice_key=await _api_key(db, alice.user), bob_key=await _api_key(db, bob.user),
        a_job=await _job(db, org_a, alice), b_job=await _job(db, org_b, bob),
        a_content=a_content, b_content=b_content, a_model=a_model, b_model=b_model,
        global_model=global_model,
        a_embedding=await _embedding(db, a_content, global_model),
        b_embedding=await _embedding(db, b_content, global_model),
        builtin_roles=builtin,
    )  # fmt: skip


def assert_no_leak(body: dict[str, Any], world: World) -> None:
    """Nothing of B anywhere in a response: no ID, no name, no email."""
    text = json.dumps(body)
    leaked = [g for g in world.foreign_gids() if g in text]
    leaked += [m for m in SECRET_MARKERS if m in text]
    assert not leaked, f"B's data in the response: {leaked}\n{text}"


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key: equal before and after means a
    refused mutation changed nothing at all."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read_engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            stmt = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(r) for r in (await conn.execute(stmt)).all()]
    return rows


def value_at(data: Any, path: list[str]) -> Any:
    """The value at an error ``path`` (["tags", "0"]) inside a mutation's input."""
    for key in path:
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


def connection(body: dict[str, Any], path: tuple[str, ...]) -> tuple[set[str], int | None]:
    """(node IDs, totalCount) of the connection at ``path`` under ``data``; a null parent
    on the way counts as an empty connection."""
    value: Any = body["data"]
    for key in path:
        if value is None:
            return set(), 0
        value = value[key]
    return {n["id"] for n in value["nodes"]}, value.get("totalCount")


# ---------------------------------------------------------------------------------------------
# The shapes of the suite's case tables: one row per entity on each path

G = Callable[[World], Any]  # picks an object out of the world


@dataclass(frozen=True)
class Root:
    field: str
    visible: Callable[[World], set[str]]  # exactly what alice sees
    anonymous: Callable[[World], set[str]] = lambda w: set()


@dataclass(frozen=True)
class ById:
    type_name: str
    theirs: G  # B's object: must be null
    mine: G  # A's object of the same type: must load (proves the query itself works)


@dataclass(frozen=True)
class Filter:
    doc: str
    path: tuple[str, ...]
    field: str  # the IDFilter field that names B's object
    theirs: G
    mine: G  # the same filter with A's object finds something
    parent: G | None = None
    op: str = "eq"

    def build(self, global_id: str) -> dict[str, Any]:
        value = [global_id] if self.op == "in" else global_id
        return {self.field: {self.op: value}}


@dataclass(frozen=True)
class Nested:
    doc: str
    path: tuple[str, ...]
    visible: Callable[[World], set[str]]
    parent: G | None = None


@dataclass(frozen=True)
class Refused:
    name: str
    input_type: str
    path: list[str]  # where in the input B's ID sits; the error names it
    input: Callable[[World], dict[str, Any]]
