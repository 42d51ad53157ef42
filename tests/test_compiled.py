"""Compiled queries answer exactly like the resolvers (graph/compiled/).

Two apps share one database: one with `compiled_queries` on, one with it off (graphql-core and
the Strawberry resolvers, the reference). Every query of the corpus runs on both, as the same
viewer, and the two response bodies must be equal byte for byte (both apps serialise the same
way, so this compares values, key order and number formatting at once). Each case also says
whether it should compile: a compiled request sends exactly one statement after
authentication, a SELECT of `json_build_object`; a request the compiler leaves to the
resolvers sends no such statement at all.

The data is built once for the module (the corpus only reads) and emptied after it.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import delete, literal_column, update

import models
from graph.compiled import QueryCompiler
from graph.database import Database, StatementCounter
from graph.server.app import create_app
from graph.settings import get_settings
from models.accounts import Invitation, InvitationStatus, PlanType, UserProfile
from models.ai import AIModel, Content, ContentRole
from models.billing import (
    BillingDetails,
    CardBrand,
    Invoice,
    InvoiceStatus,
    OrganizationPlan,
    PlanChange,
    PlanStatus,
)
from models.design import (
    AttributeDataType,
    CallToActionPriority,
    Cardinality,
    Presence,
    ProjectRole,
    ProjectStatus,
)
from models.exports import ExportFormat, ExportJob
from models.files import FileAsset
from models.jobs import Job, JobStatus
from models.realty import InteractionType, MediaType, NurtureStatus, PropertyStatus
from tests.conftest import KEEP
from tests.design.conftest import DesignFactory
from tests.factories import Factory, Member, gid
from tests.realty.conftest import (
    add_interest,
    create_client,
    create_interaction,
    create_media,
    create_property,
)

AUTH = 1  # a bearer token is checked in one statement
# The one statement of a compiled request: a SELECT of the whole answer as a JSON object.
COMPILED_SQL = re.compile(r"^\s*SELECT\s+(CAST\()?json_build_object\(", re.IGNORECASE)
REQUEST_ID = re.compile(r'"requestId":"[0-9a-f]+"')
# Every name of the tenant the viewer does not belong to carries this marker.
FOREIGN = "Initech secret"

BASE = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)

T = TypeVar("T")


def at(minutes: int, microseconds: int = 0) -> datetime:
    return BASE + timedelta(minutes=minutes, microseconds=microseconds)


# ---------------------------------------------------------------------------------------------
# Two apps over one database


@dataclass
class Exchange:
    status: int
    body: bytes
    statements: list[str]
    # The response's headers but its request id (new each request), in order.
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def compiled_statements(self) -> list[str]:
        return [s for s in self.statements if COMPILED_SQL.match(s)]


@dataclass
class Apps:
    compiled: httpx.AsyncClient
    resolvers: httpx.AsyncClient

    async def post(
        self,
        client: httpx.AsyncClient,
        counter: StatementCounter,
        query: str,
        variables: dict[str, Any] | None,
        token: str | None,
        operation_name: str | None,
    ) -> Exchange:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name is not None:
            payload["operationName"] = operation_name
        counter.reset()
        response = await client.post("/graphql", json=payload, headers=headers)
        kept = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]
        return Exchange(response.status_code, response.content, list(counter.statements), kept)

    async def both(
        self,
        counter: StatementCounter,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        operation_name: str | None = None,
    ) -> tuple[Exchange, Exchange]:
        """(compiled app's exchange, resolver app's exchange) for one request."""
        args = (query, variables, token, operation_name)
        compiled = await self.post(self.compiled, counter, *args)
        resolved = await self.post(self.resolvers, counter, *args)
        return compiled, resolved


def _comparable(body: bytes) -> str:
    """The body as text, the one part that differs per request (a masked error's request id)
    blanked out."""
    return REQUEST_ID.sub('"requestId":"-"', body.decode())


def assert_same_answer(compiled: Exchange, resolved: Exchange) -> None:
    assert compiled.status == resolved.status, (compiled.body, resolved.body)
    assert _comparable(compiled.body) == _comparable(resolved.body)


def assert_compiled(exchange: Exchange, *, token: str | None) -> None:
    expected = (AUTH if token else 0) + 1
    assert len(exchange.statements) == expected, exchange.statements
    assert COMPILED_SQL.match(exchange.statements[-1]), exchange.statements[-1]


def assert_not_compiled(exchange: Exchange) -> None:
    assert exchange.compiled_statements == [], exchange.compiled_statements


@pytest.fixture(scope="module")
async def apps(db: Database) -> AsyncIterator[Apps]:
    async with AsyncExitStack() as stack:
        clients = {}
        for path, on in (("compiled", True), ("resolvers", False)):
            settings = get_settings().replace(compiled_queries=on)
            application = create_app(settings, database=db)
            application.state.db = db
            # An exception in the app is a 500 answer here, compared like any other.
            transport = httpx.ASGITransport(
                app=application, client=("127.0.0.1", 50000), raise_app_exceptions=False
            )
            clients[path] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )
        yield Apps(**clients)


# ---------------------------------------------------------------------------------------------
# The dataset: three tenants seen from Acme


@dataclass
class World:
    vera: Member  # OWNER of Acme, EDITOR of Globex: the viewer of most cases
    olga: Member  # EDITOR of Acme, VIEWER of Initech
    frank: Member  # OWNER of Initech only: a stranger to vera
    hank: Member  # alone in Hooli, whose items carry JSON the resolvers cannot answer
    root: Member  # a superuser, in no organization
    loner: Member  # in no organization
    ids: dict[str, str] = field(default_factory=dict)  # name -> global ID

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def token(self, viewer: str | None) -> str | None:
        if viewer == "invalid":
            return "trl_at_not-a-token"
        return None if viewer is None else getattr(self, viewer).token

    def render(self, query: str) -> str:
        """The query with each `<<name>>` replaced by that object's global ID."""
        return re.sub(r"<<([\w.]+)>>", lambda m: self.ids[m.group(1)], query)


@pytest.fixture(autouse=True)
async def _clean() -> None:
    """Overrides conftest's per-test emptying: the corpus only reads, so the dataset lives for
    the module (`world` empties the tables after the last test)."""


async def _empty(db: Database) -> None:
    async with db.engine.begin() as conn:
        for table in reversed(models.Base.metadata.sorted_tables):
            if table.name not in KEEP:
                await conn.execute(delete(table))
        await conn.execute(delete(models.Role).where(models.Role.organization_id.is_not(None)))


async def _add(db: Database, obj: Any) -> Any:
    async with db.sessions() as session, session.begin():
        session.add(obj)
    return obj


async def _set(db: Database, model: Any, obj: Any, **values: Any) -> None:
    """Column values written straight to the row (timestamps, soft deletes)."""
    async with db.engine.begin() as conn:
        await conn.execute(update(model).where(model.id == obj.id).values(**values))


async def _api_key(db: Database, user: models.User, name: str, **values: Any) -> models.APIKey:
    secret = uuid.uuid4().hex
    key = models.APIKey(
        user_id=user.id, name=name, prefix=secret[:8], key_hash=secret * 2, scopes=["read"]
    )
    for k, v in values.items():
        setattr(key, k, v)
    added: models.APIKey = await _add(db, key)
    return added


async def _build(db: Database, resolvers: httpx.AsyncClient) -> World:
    factory, design = Factory(db), DesignFactory(db)
    ids: dict[str, str] = {}

    async def named(key: str, made: Awaitable[T]) -> T:
        """A new row, remembered by ``key`` (its global ID goes into the queries)."""
        obj = await made
        ids[key] = gid(type(obj).type_name(), obj.id)  # type: ignore[attr-defined]
        return obj

    # -- accounts ---------------------------------------------------------------------------
    meta = {"tier": "gold", "seats": 12, "ratio": 0.25}
    acme = await named("org.acme", factory.organization(name="Acme", slug="acme", meta_data=meta))
    globex = await named("org.globex", factory.organization(name="Globex “Ltd”", slug="globex"))
    initech = await named("org.initech", factory.organization(name=f"{FOREIGN} org", slug="ini"))
    hooli = await named("org.hooli", factory.organization(name="Hooli", slug="hooli"))
    vera = await factory.member(acme, email="vera@acme.example", full_name='Vera "V" Quinn')
    await factory.membership(vera.user, globex, "EDITOR")
    olga = await factory.member(acme, "EDITOR", email="olga@acme.example", full_name="Olga Ö 🌍")
    await factory.membership(olga.user, initech, "VIEWER")
    frank = await factory.member(initech, email="frank@ini.example", full_name=f"{FOREIGN} Frank")
    hank = await factory.member(hooli, email="hank@hooli.example", full_name="Hank")
    dormant = factory.organization(name="Dormant", slug="dormant", archived_at=at(36))
    await factory.membership(vera.user, await named("org.dormant", dormant), "OWNER")
    root = await factory.member(None, email="root@example.com", is_superuser=True)
    loner = await factory.member(None, email="loner@example.com")
    for key, member in (("vera", vera), ("olga", olga), ("frank", frank), ("hank", hank)):
        ids[f"user.{key}"] = member.id
    await _set(db, models.User, vera.user, last_login_at=at(60 * 24 * 17), created_at=at(-60))
    await _set(db, models.User, olga.user, last_login_at=at(5, 654321), created_at=at(-59, 1))
    auditor = models.Role(organization_id=acme.id, name="Auditor", description='"All"', rank=20)
    await named("role.auditor", _add(db, auditor))
    await _add(db, models.Role(organization_id=initech.id, name=f"{FOREIGN} role", rank=30))
    await _api_key(db, vera.user, "CI “key”", expires_at=at(9**5), last_used_at=at(7, 1))
    revoked = await _api_key(db, vera.user, "old key", revoked_at=at(8))
    await _set(db, models.APIKey, revoked, created_at=at(1))
    await _api_key(db, olga.user, "olga's key")
    await _api_key(db, frank.user, f"{FOREIGN} key")

    # -- catalog ----------------------------------------------------------------------------
    async def item(key: str, owner: Member, org: Any, **values: Any) -> models.Item:
        return await named(f"item.{key}", factory.item(owner.user, org, **values))

    quotes = await item(
        "quotes", vera, acme, title="Say \"hello\" & 'bye' <b>", description=None,
        meta_data={
            "nested": {"deep": [1, 2.5, {"k": "ünïcødé ✓"}], "empty": {}, "none": None},
            "emoji": "🌳", "quote": '"q"', "flag": True, "long": 0.1234567890123456789,
            "big": 18446744073709551615, "neg": -9223372036854775808,
        },
    )  # fmt: skip
    backslash = await item(
        "backslash", olga, acme, title="C:\\path\\to\nnext line\ttab", description="multi\nline",
        type="book",
    )  # fmt: skip
    emoji = await item("emoji", vera, acme, title="🌳 Trellis ☃ — naïve", description="ünï")
    control = await item(
        "control", vera, acme, title="ctrl\u0001char\u001f end\u007f \b\f\r", type="special",
        description="bell\u0007 and \u2028 line\u2029 separators",
    )  # fmt: skip
    percent = await item("percent", olga, acme, title="100% _under_score", description="")
    stranger = await item("stranger", frank, acme, title="Item owned by a stranger")
    deleted = await item("deleted", vera, acme, title="Deleted item")
    await _set(db, models.Item, deleted, deleted_at=at(30))
    shelved = await item("shelved", vera, acme, title="Archived item")
    await _set(db, models.Item, shelved, archived_at=at(31), created_at=at(4, 700000))
    plain = [
        await item(f"plain{n}", vera if n % 2 else olga, acme, title=f"Plain {n:02}")
        for n in range(1, 7)
    ]
    orphan = await item("orphan", vera, None, title="Orphan of vera")
    await item("orphan.olga", olga, None, title="Orphan of olga")
    widget = await item("widget", vera, globex, title="Globex widget", type="gadget")
    await item("gadget", vera, globex, title="Globex gadget", type="gadget")
    secret = await item("secret", olga, initech, title=f"{FOREIGN} item")
    await item("secret.frank", frank, initech, title=f"{FOREIGN} item of frank")
    # JSON the resolver path cannot answer: numbers beyond 64 bits (jsonb prints 1e20 as an
    # integer), and a JSON null in the NOT NULL column behind `metaData: JSON!`.
    huge = {"big": 12345678901234567890123, "small": -9223372036854775809, "float": 1e20}
    await item("huge", hank, hooli, title="Huge numbers", meta_data=huge)
    blank = await item("blank", hank, hooli, title="JSON null metadata")
    await _set(db, models.Item, blank, meta_data=literal_column("'null'::jsonb"))
    stamps = [
        (quotes, at(0), at(0)),
        (backslash, at(1, 123456), at(40, 1)),
        (emoji, at(2, 1), at(2, 1)),
        (control, at(2, 1), at(3)),  # the same created_at as emoji: the id breaks the tie
        (percent, at(3), at(3, 500000)),
        (stranger, at(4, 500000), at(4, 500000)),
        (deleted, at(4, 600000), at(4, 600000)),
        (orphan, at(-5), at(-5)),
        (widget, at(20, 20), at(20, 20)),
        (secret, at(2, 1), at(2, 1)),
    ]
    stamps += [(p, at(5 + n, 999999 if n % 2 else 0), at(50 - n)) for n, p in enumerate(plain)]
    for row, created, updated in stamps:
        await _set(db, models.Item, row, created_at=created, updated_at=updated)

    async def tag(key: str, org: Any, **values: Any) -> models.Tag:
        return await named(f"tag.{key}", factory.tag(org, **values))

    red = await tag("red", acme, name="red", color="#ff0000")
    blue = await tag("blue", acme, name="Blue", color=None)
    accent = await tag("accent", acme, name="ünï “tag”", color="#00ff00")
    gone = await tag("gone", acme, name="deleted tag")
    await _set(db, models.Tag, gone, deleted_at=at(31))
    await tag("lonely", acme, name="lonely")
    shiny = await tag("shiny", globex, name="shiny")
    hush = await tag("hush", initech, name=f"{FOREIGN} tag")
    await factory.tag_item(quotes, red, blue, accent, gone, hush)  # hush: a cross-tenant link
    await factory.tag_item(emoji, red)
    await factory.tag_item(shelved, red)
    await factory.tag_item(control, blue, red)
    await factory.tag_item(plain[0], accent)
    await factory.tag_item(widget, shiny)
    await factory.tag_item(secret, red, hush)  # red: a cross-tenant link the other way
    for n, t in enumerate((red, blue, accent, shiny, hush)):
        await _set(db, models.Tag, t, created_at=at(n, 0 if n % 2 else 250), updated_at=at(9))

    # History, made through the API: only the write path records changes.
    edit = "mutation($input: ItemUpdateInput!) { itemUpdate(input: $input) { __typename } }"
    for title in ("Plain 01 (edited)", "Plain 01"):
        variables = {"input": {"id": ids["item.plain1"], "title": title}}
        response = await resolvers.post(
            "/graphql",
            json={"query": edit, "variables": variables},
            headers={"Authorization": f"Bearer {vera.token}"},
        )
        assert response.json() == {"data": {"itemUpdate": {"__typename": "ItemSuccess"}}}

    # -- design -----------------------------------------------------------------------------
    settings = {"grid": {"w": 3, "h": 2}, "théme": "dark"}
    bookstore = await named("project.bookstore", design.project(
        acme, vera, name="Bookstore", description="Books & “more”", status=ProjectStatus.ACTIVE,
        settings=settings,
    ))  # fmt: skip
    await design.member(bookstore, vera, ProjectRole.OWNER)
    await design.member(bookstore, olga, ProjectRole.VIEWER)
    archived = design.project(acme, None, name="Archive", status=ProjectStatus.ARCHIVED)
    archive = await named("project.archive", archived)
    trashed = await named("project.trashed", design.project(acme, vera, name="Trashed"))
    await _set(db, models.design.Project, trashed, deleted_at=at(32))
    await _set(db, models.design.Project, archive, archived_at=at(35))
    await named("object.trashed", design.object(trashed, 0, 0, name="In a deleted project"))
    hidden = await design.project(initech, frank, name=f"{FOREIGN} project")
    await design.object(hidden, 0, 0, name=f"{FOREIGN} object")

    async def cell(key: str, x: int, y: int, **values: Any) -> Any:
        return await named(f"object.{key}", design.object(bookstore, x, y, **values))

    book = await cell(
        "book", 0, 0, name="Book", object_type="entity", complexity=3, created_by=vera.user.id,
        meta_data={"color": "#fff", "tags": ["a", "b"]}, description="A book\nwith lines",
    )  # fmt: skip
    author = await cell("author", 1, 0, name="Author", complexity=2, created_by=olga.user.id)
    shelf = await cell("shelf", 2, 0, name="Shelf", object_type="place", created_by=frank.user.id)
    order = await cell("order", 0, 1, name="Order", complexity=10)
    await cell("note", 1, 1, name="Note", object_type="annotation")
    await design.relationship(
        book, author, relationship_type="written_by", cardinality=Cardinality.MANY_TO_ONE,
        description="who wrote it",
    )  # fmt: skip
    await design.relationship(book, shelf, relationship_type="stored_on")
    await design.relationship(order, book, cardinality=Cardinality.ONE_TO_ONE, description=None)
    await design.relationship(author, author, relationship_type="mentors")
    attributes = [
        ("isbn", AttributeDataType.STRING, True, "978-3-16-148410-0", {"pattern": "^978"}),
        ("pages", AttributeDataType.INTEGER, False, 300, {"min": 1}),
        ("price", AttributeDataType.NUMBER, False, 9.99, {}),
        ("available", AttributeDataType.BOOLEAN, False, True, {}),
        ("published", AttributeDataType.DATE, False, "2024-01-01", {}),
        ("format", AttributeDataType.ENUM, True, "paperback", {"choices": ["paperback", "ebook"]}),
        ("blurb", AttributeDataType.STRING, False, None, {}),
    ]
    for attribute, data_type, required, default, rules in attributes:
        await design.attribute(
            book, name=attribute, data_type=data_type, is_required=required,
            default_value=default, validation_rules=rules,
        )  # fmt: skip
    await design.call_to_action(
        book, name="Buy", priority=CallToActionPriority.HIGH, user_story="As a reader…",
        acceptance_criteria=["paid", "sent"],
    )  # fmt: skip
    await design.call_to_action(book, name="Browse", priority=CallToActionPriority.LOW)
    now = datetime.now(UTC)
    for member, client_id, (x, y), expires in (
        (olga, "tab-1", (1, 0), now + timedelta(hours=1)),
        (vera, "tab-gone", (None, None), now - timedelta(hours=1)),  # expired: hidden
    ):
        await _add(db, Presence(
            project_id=bookstore.id, organization_id=acme.id, user_id=member.user.id,
            client_id=client_id, cursor_x=x, cursor_y=y, expires_at=expires,
        ))  # fmt: skip
    for n, p in enumerate((bookstore, archive, hidden)):
        await _set(db, models.design.Project, p, created_at=at(n, 0 if n else 777))

    # -- realty -----------------------------------------------------------------------------
    async def prop(key: str, org: Any, **values: Any) -> Any:
        return await named(f"property.{key}", create_property(db, org, **values))

    loft = await prop(
        "loft", acme, title="Loft", price=Decimal("1000.00"), size_sqft=850, city="Lisbon",
        latitude=38.7, bedrooms=2, bathrooms=1,
    )  # fmt: skip
    spot = await prop(
        "spot", acme, title="Garage spot", price=Decimal("0.50"), status=PropertyStatus.SOLD,
        property_type="parking",
    )  # fmt: skip
    villa = await prop(
        "villa", acme, title="Villa “Sol”", price=Decimal("250000.00"), size_sqft=3000,
        status=PropertyStatus.UNDER_OFFER, bedrooms=5,
    )  # fmt: skip
    plot = await prop("plot", acme, title="Plot", price=Decimal("0.00"), property_type="land")
    razed = await prop("razed", acme, title="Deleted house", price=Decimal("5.05"))
    await _set(db, models.realty.Property, razed, deleted_at=at(33))
    faraway = await prop("faraway", initech, title=f"{FOREIGN} villa", price=Decimal("9.99"))
    await prop("shelved", acme, title="Archived house", price=Decimal("7.00"), archived_at=at(37))
    for n, p in enumerate((loft, spot, villa, plot)):
        await _set(db, models.realty.Property, p, created_at=at(n % 3, 0 if n else 42))
    for key, p, media in (
        ("loft.photo", loft, {"meta_data": {"w": 1920, "h": 1080, "caption": "Vue « salon »"}}),
        ("loft.plan", loft, {"type": MediaType.DOC, "url": "https://example.com/p.pdf?a=1&b=2"}),
        ("villa.tour", villa, {"type": MediaType.VIDEO, "url": "media/tour.mp4"}),
        ("razed.photo", razed, {}),
    ):
        await named(f"media.{key}", create_media(db, p, **media))

    async def cli(key: str, org: Any, **values: Any) -> Any:
        return await named(f"client.{key}", create_client(db, org, **values))

    ana = await cli(
        "ana", acme, name="Ana", email="ana@example.com", phone="+351 900 000 000",
        lead_score=80, nurture_status=NurtureStatus.HOT, last_contacted_at=at(100),
    )  # fmt: skip
    ben = await cli("ben", acme, name="Ben", lead_score=10, nurture_status=NurtureStatus.COLD)
    cleo = await cli(
        "cleo", acme, name="Cleo", lead_score=50, nurture_status=NurtureStatus.WARM,
        last_contacted_at=at(90, 250000),
    )  # fmt: skip
    dropped = await cli("dropped", acme, name="Deleted client")
    await _set(db, models.realty.Client, dropped, deleted_at=at(34))
    stranger_client = await cli("secret", initech, name=f"{FOREIGN} client")
    await cli("shelved", acme, name="Archived client", archived_at=at(38))
    for n, c in enumerate((ana, ben, cleo)):
        await _set(db, models.realty.Client, c, created_at=at(0, n * 100000))
    call, email, meeting, note = (
        InteractionType.CALL, InteractionType.EMAIL, InteractionType.MEETING, InteractionType.NOTE
    )  # fmt: skip
    for c, user, values in (
        (ana, vera.user, {"type": call, "occurred_at": at(100), "notes": "Called"}),
        (ana, olga.user, {"type": email, "occurred_at": at(95, 1), "outcome": "replied “yes”"}),
        (ana, frank.user, {"type": meeting, "occurred_at": at(95, 1)}),  # a tie; frank: hidden
        (ana, None, {"type": note, "occurred_at": at(80, 999999), "notes": "line 1\nline 2"}),
        (cleo, vera.user, {"occurred_at": at(90, 250000)}),
        (dropped, vera.user, {"occurred_at": at(70), "notes": "hidden with its client"}),
        (stranger_client, frank.user, {"occurred_at": at(70), "notes": f"{FOREIGN} call"}),
    ):
        await create_interaction(db, c, user, **values)
    await add_interest(db, ana, loft, villa, razed, faraway)  # faraway: cross-tenant
    await add_interest(db, ben, spot)
    await add_interest(db, stranger_client, faraway, loft)

    # -- files (rows only: reads need no bytes) ---------------------------------------------
    async def file(key: str, org: Any, owner: Member, **values: Any) -> Any:
        checksum = key.encode().hex().ljust(64, "0")
        row = FileAsset(organization_id=org.id, owner_id=owner.user.id, storage_key=key,
                        checksum_sha256=checksum, **values)  # fmt: skip
        return await named(f"file.{key}", _add(db, row))

    plan = await file(
        "plan", acme, olga, filename="plan “v2”.pdf", mime_type="application/pdf",
        size_bytes=123_456, item_id=quotes.id, meta_data={"pages": 3},
    )  # fmt: skip
    await file("photo", acme, vera, filename="photo.png", mime_type="image/png", size_bytes=99)
    await file("secret", initech, frank, filename=f"{FOREIGN}.png", mime_type="image/png",
               size_bytes=1, item_id=stranger.id)  # fmt: skip
    await named("media.loft.upload", create_media(
        db, loft, url=plan.storage_key, file_id=plan.id, type=MediaType.DOC))  # fmt: skip

    # -- exports (rows only: the job and the file are made up) ------------------------------
    async def export(key: str, project: Any, by: Member, **values: Any) -> Any:
        job = await _add(
            db,
            Job(
                organization_id=project.organization_id,
                requested_by_id=by.user.id,
                kind="project.export",
                **values,
            ),
        )
        row = ExportJob(project_id=project.id, organization_id=project.organization_id,
                        job_id=job.id, requested_by_id=by.user.id, format=ExportFormat.GRAPHML,
                        parameters={"format": "graphml"})  # fmt: skip
        return await named(f"export.{key}", _add(db, row))

    done = await export("done", bookstore, olga, status=JobStatus.SUCCEEDED, progress=100)
    await _set(db, ExportJob, done, result_file_id=plan.id, completed_at=at(40))
    await export("queued", bookstore, vera)
    await export("trashed", trashed, vera, status=JobStatus.FAILED, error="gone")
    await export("secret", hidden, frank)

    # -- invitations -------------------------------------------------------------------------
    async def invitation(key: str, org: Any, email: str, by: Member | None, **values: Any) -> Any:
        row = Invitation(organization_id=org.id, email=email, role_id=auditor.id,
                         inviter_id=by.user.id if by else None, token_hash=key.ljust(64, "0"),
                         expires_at=at(60 * 24 * 7), last_sent_at=at(2), **values)  # fmt: skip
        return await named(f"invitation.{key}", _add(db, row))

    await invitation("pending", acme, "zoé@guest.example", vera, sent_count=2)
    await invitation("accepted", acme, "olga@acme.example", vera,
                     status=InvitationStatus.ACCEPTED, accepted_at=at(3),
                     accepted_by_id=olga.user.id)  # fmt: skip
    await invitation("orphan", acme, "nobody@guest.example", None,
                     status=InvitationStatus.REVOKED)  # fmt: skip
    await invitation("secret", initech, f"{FOREIGN}@ini.example", frank)
    profiles: tuple[tuple[str, Member, dict[str, Any]], ...] = (
        ("vera", vera, {"first_name": "Vera", "username": "vera.q", "feature_flags": ["ai", "beta"],
                "location": {"timeZone": "Europe/Paris", "country": "FR"}}),
        ("olga", olga, {"last_name": "Ö", "socials": [{"network": "github", "url": "https://x.example"}]}),
        ("frank", frank, {"first_name": f"{FOREIGN} Frank", "username": "frank"}),
    )  # fmt: skip
    for key, who, values in profiles:
        await named(f"profile.{key}", _add(db, UserProfile(id=who.user.id, **values)))
    # -- billing --------------------------------------------------------------------------
    for org, marker in ((acme, "Acme"), (initech, FOREIGN)):
        await named(f"plan.{org.slug}", _add(db, OrganizationPlan(
            organization_id=org.id, plan_type=PlanType.PRO, status=PlanStatus.TRIALING,
            started_at=at(0), ends_at=at(60 * 24 * 14),
        )))  # fmt: skip
        await named(f"billing.{org.slug}", _add(db, BillingDetails(
            organization_id=org.id, company_name=f"{marker} “Lda”", country="PT",
            card_brand=CardBrand.VISA, card_last4="4242", card_exp_month=1, card_exp_year=2030,
        )))  # fmt: skip
        for n, (before, after) in enumerate(((None, PlanType.FREE), (PlanType.FREE, PlanType.PRO))):
            await _add(db, PlanChange(
                organization_id=org.id, from_plan=before, to_plan=after,
                to_status=PlanStatus.ACTIVE, changed_at=at(n), note=f"{marker} change {n}",
                changed_by_id=(vera if org is acme else frank).user.id,
            ))  # fmt: skip
        for n, status in enumerate((InvoiceStatus.PAID, InvoiceStatus.OPEN, InvoiceStatus.VOID)):
            await named(f"invoice.{org.slug}.{n}", _add(db, Invoice(
                organization_id=org.id, number=f"{marker} {n:03}", plan_type=PlanType.PRO,
                status=status, amount=Decimal("49.90") * n, currency="EUR",
                period_start=date(2026, n + 1, 1), period_end=date(2026, n + 1, 28),
                issued_at=at(n % 2), paid_at=at(5) if status is InvoiceStatus.PAID else None,
            )))  # fmt: skip

    # -- AI catalog (contents of items; models) ---------------------------------------------
    async def content(key: str, of: Any, position: int, **values: Any) -> Any:
        row = Content(item_id=of.id, organization_id=of.organization_id, position=position,
                      role=values.pop("role", ContentRole.USER), **values)  # fmt: skip
        return await named(f"content.{key}", _add(db, row))

    await content("prompt", quotes, 1, text="Say “hi” & <b>", meta_data={"tokens": 3})
    await content("system", quotes, 0, text="You are terse.", role=ContentRole.SYSTEM)
    await content("hidden", deleted, 0, text="of a deleted item")
    await content("secret", secret, 0, text=f"{FOREIGN} content", role=ContentRole.NOTE)
    await named(
        "model.acme",
        _add(
            db,
            AIModel(
                organization_id=acme.id, name="acme-llm", provider="local", parameters={"t": 0.5}
            ),
        ),
    )
    await named(
        "model.secret",
        _add(db, AIModel(organization_id=initech.id, name=f"{FOREIGN} llm", provider="x")),
    )

    return World(vera=vera, olga=olga, frank=frank, hank=hank, root=root, loner=loner, ids=ids)


@pytest.fixture(scope="module")
async def world(db: Database, apps: Apps) -> AsyncIterator[World]:
    await _empty(db)
    try:
        yield await _build(db, apps.resolvers)
    finally:
        await _empty(db)


# ---------------------------------------------------------------------------------------------
# The corpus


@dataclass(frozen=True)
class Case:
    query: str  # `<<name>>` stands for the global ID of that object of the world
    variables: Callable[[World], dict[str, Any]] | None = None
    compiled: bool = True
    viewer: str | None = "vera"
    operation_name: str | None = None
    error: str | None = None  # the code of the error both answers must carry
    # The compiled statement ran, found a null GraphQL forbids, and the resolvers answered.
    fallback: bool = False


def case(
    case_id: str,
    query: str,
    variables: Callable[[World], dict[str, Any]] | None = None,
    *,
    compiled: bool = True,
    viewer: str | None = "vera",
    operation_name: str | None = None,
    error: str | None = None,
    fallback: bool = False,
    differs: str | None = None,
) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=differs)] if differs else []
    return pytest.param(
        Case(query, variables, compiled, viewer, operation_name, error, fallback),
        id=case_id,
        marks=marks,
    )


def _variant(global_id: str) -> str:
    """The same ID spelled differently: an upper-case UUID, base64 padding kept."""
    type_name, _, pk = base64.urlsafe_b64decode(global_id + "==").decode().partition(":")
    return base64.urlsafe_b64encode(f"{type_name}:{pk.upper()}".encode()).decode()


PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

ITEM_FIELDS = "id __typename type title description metaData createdAt updatedAt"

CATALOG = [
    case(
        "item by id with owner and organization",
        f"""
        query($id: ID!) {{
          item(id: $id) {{
            {ITEM_FIELDS}
            owner {{ id __typename email fullName isActive lastLoginAt createdAt }}
            organization {{ id name slug planType metaData }}
          }}
        }}""",
        lambda w: {"id": w["item.quotes"]},
    ),
    case(
        "item by id written in the document",
        '{ item(id: "<<item.backslash>>") { id title description owner { fullName } } }',
    ),
    case(
        "items with control characters, emoji and backslashes by id",
        """
        query($a: ID!, $b: ID!, $c: ID!) {
          a: item(id: $a) { title description }
          b: item(id: $b) { title description }
          c: item(id: $c) { title description }
        }""",
        lambda w: {"a": w["item.control"], "b": w["item.emoji"], "c": w["item.percent"]},
    ),
    case(
        "item whose owner is not visible has a null owner",
        "query($id: ID!) { item(id: $id) { title owner { id email } organization { name } } }",
        lambda w: {"id": w["item.stranger"]},
    ),
    case(
        "orphan item of the viewer has a null organization",
        "query($id: ID!) { item(id: $id) { title organization { id } owner { email } } }",
        lambda w: {"id": w["item.orphan"]},
    ),
    case(
        "an ID variable with a default value",
        'query($id: ID! = "<<item.emoji>>") { item(id: $id) { title } }',
    ),
    case(
        "an ID written with base64 padding and an upper-case UUID",
        "query($id: ID!) { item(id: $id) { id title } }",
        lambda w: {"id": _variant(w["item.emoji"])},
    ),
    case(
        "an ID given as a number falls back and reports INVALID_ID",
        "query($id: ID!) { item(id: $id) { id } }",
        lambda w: {"id": 5},
        compiled=False,
        error="INVALID_ID",
    ),
    case(
        "item with a well-formed id that matches no row is null",
        "query($id: ID!) { item(id: $id) { id title } }",
        lambda w: {"id": gid("Item", uuid.UUID(int=7))},
    ),
    case(
        "item of an organization the viewer is not in is null",
        'query($id: ID!) { item(id: $id) { id title } tag(id: "<<tag.hush>>") { name } }',
        lambda w: {"id": w["item.secret"]},
    ),
    case(
        "soft-deleted item and tag are null",
        '{ item(id: "<<item.deleted>>") { id } tag(id: "<<tag.gone>>") { id } }',
    ),
    case(
        "malformed id in a variable falls back and reports INVALID_ID",
        "query($id: ID!) { item(id: $id) { id } }",
        lambda w: {"id": "not-an-id"},
        compiled=False,
        error="INVALID_ID",
    ),
    case(
        "malformed id in the document falls back and reports INVALID_ID",
        '{ item(id: "bm90IGFuIGlk") { id } }',
        compiled=False,
        error="INVALID_ID",
    ),
    case(
        "id of another type falls back and reports INVALID_ID",
        "query($id: ID!) { item(id: $id) { id } }",
        lambda w: {"id": w["tag.red"]},
        compiled=False,
        error="INVALID_ID",
    ),
    case(
        "organization with items, their owners and tags",
        """
        query($org: ID!) {
          organization(id: $org) {
            name
            items(first: 50) {
              nodes { title owner { email } tags(first: 10) { nodes { name color } } }
            }
          }
        }""",
        lambda w: {"org": w["org.acme"]},
    ),
    case(
        "organizations with items and tags, counted at every level",
        """
        {
          organizations(first: 10) {
            totalCount
            nodes {
              name slug planType createdAt
              items(first: 20) {
                totalCount
                nodes { title tags { totalCount nodes { name } } }
              }
            }
          }
        }""",
    ),
    case(
        "aliases of one field with different arguments",
        f"""
        {{
          newest: items(first: 3, orderBy: [{{field: CREATED_AT, direction: DESC}}]) {{
            nodes {{
              title
              a: tags(first: 1) {{ nodes {{ name }} }}
              b: tags(last: 1) {{ nodes {{ name }} }}
            }}
          }}
          oldest: items(first: 3) {{ nodes {{ title }} {PAGE_INFO} }}
          byTitle: items(first: 2, orderBy: [{{field: TITLE}}]) {{ nodes {{ title }} }}
        }}""",
    ),
    case(
        "named and inline fragments with __typename at every level",
        """
        query {
          __typename
          items(first: 4, orderBy: [{field: TITLE, direction: DESC}]) {
            __typename
            ...Page
            nodes { ... on Node { id __typename } ... on Item { title } ...ItemFields }
          }
        }
        fragment Page on ItemConnection { pageInfo { __typename hasNextPage } }
        fragment ItemFields on Item {
          __typename
          owner { ...UserFields ... on User { __typename } }
          tags { __typename nodes { __typename ... on Tag { name } } }
        }
        fragment UserFields on User { id email }""",
    ),
    case(
        "the same field selected twice merges",
        """
        {
          items(first: 2) { nodes { title } }
          items(first: 2) { nodes { id owner { email } } totalCount }
        }""",
    ),
    case(
        "edges with cursors ordered by title",
        f"""
        {{
          items(first: 5, orderBy: [{{field: TITLE}}]) {{
            edges {{ __typename cursor node {{ id title }} }}
            {PAGE_INFO}
          }}
        }}""",
    ),
    case(
        "last page ordered by type then newest",
        f"""
        {{
          items(last: 4, orderBy: [{{field: TYPE}}, {{field: CREATED_AT, direction: DESC}}]) {{
            edges {{ cursor node {{ title type createdAt }} }}
            {PAGE_INFO}
          }}
        }}""",
    ),
    case(
        "ordered by updatedAt descending, tags by name descending",
        """
        {
          items(first: 8, orderBy: [{field: UPDATED_AT, direction: DESC}]) {
            nodes {
              title updatedAt
              tags(orderBy: [{field: NAME, direction: DESC}]) { nodes { name } }
            }
          }
        }""",
    ),
    case(
        "string filters: eq, contains with LIKE characters, in, isNull",
        """
        {
          eq: items(filter: {title: {eq: "Plain 03"}}) { nodes { title } }
          quote: items(filter: {title: {contains: "\\""}}) { nodes { title } }
          percent: items(filter: {title: {contains: "0% _"}}) { nodes { title } }
          listed: items(filter: {title: {in: ["Plain 02", "Globex widget", "nope"]}}) {
            nodes { title }
          }
          noDescription: items(filter: {description: {isNull: true}}, first: 50) {
            totalCount nodes { title }
          }
        }""",
    ),
    case(
        "id filters, including another tenant's organization",
        """
        query($org: ID!, $foreign: ID!, $owner: ID!) {
          mine: items(filter: {organization: {eq: $org}, owner: {eq: $owner}}) {
            totalCount nodes { title }
          }
          theirs: items(filter: {organization: {eq: $foreign}}) { totalCount nodes { title } }
          some: items(filter: {
            id: {in: ["<<item.quotes>>", "<<item.secret>>", "<<item.widget>>"]}
          }) {
            nodes { title }
          }
          none: items(filter: {id: {ne: "<<item.quotes>>"}, organization: {isNull: true}}) {
            nodes { title }
          }
        }""",
        lambda w: {"org": w["org.acme"], "foreign": w["org.initech"], "owner": w["user.olga"]},
    ),
    case(
        "date filters",
        """
        {
          items(filter: {
            createdAt: {gte: "2024-01-15T09:32:00.000001+00:00", lt: "2024-01-15T09:40:00Z"}
          }) {
            nodes { title createdAt }
          }
          tags(filter: {createdAt: {lte: "2024-01-15T09:31:00+00:00"}}) { nodes { name createdAt } }
        }""",
    ),
    case(
        "and, or and not",
        """
        {
          items(first: 50, filter: {
            or: [{title: {startsWith: "Plain"}}, {type: {eq: "book"}}],
            not: {title: {in: ["Plain 01", "Plain 02"]}},
            and: [{description: {isNull: true}}]
          }) { totalCount nodes { title type } }
        }""",
    ),
    case(
        "totalCount alone",
        '{ items(filter: {type: {eq: "book"}}) { totalCount } tags { totalCount } }',
    ),
    case(
        "an empty nested connection with totalCount, nodes and pageInfo",
        f"""
        {{
          tag(id: "<<tag.lonely>>") {{
            name items {{ totalCount nodes {{ id }} edges {{ cursor }} {PAGE_INFO} }}
          }}
        }}""",
    ),
    case(
        "first: 0",
        f"""
        {{
          items(first: 0) {{ totalCount nodes {{ id }} {PAGE_INFO} }}
          organizations(first: 0) {{ {PAGE_INFO} }}
          tags(last: 0) {{ edges {{ cursor }} {PAGE_INFO} }}
        }}""",
    ),
    case(
        "a filter that matches nothing",
        f"""
        {{
          items(filter: {{title: {{eq: "no such title"}}}}) {{
            totalCount nodes {{ id }} edges {{ node {{ id }} }} {PAGE_INFO}
          }}
        }}""",
    ),
    case(
        "cross-tenant links: item tags and tag items stay in the tenant",
        """
        {
          item(id: "<<item.quotes>>") { tags { totalCount nodes { name } } }
          tag(id: "<<tag.red>>") { name organization { name } items { totalCount nodes { title } } }
        }""",
    ),
    case(
        "variables with default values",
        """
        query($first: Int = 2, $order: [ItemOrder!] = [{field: TITLE, direction: DESC}],
              $filter: ItemFilter = {type: {eq: "book"}}) {
          items(first: $first, orderBy: $order, filter: $filter) { nodes { title } }
        }""",
    ),
    case(
        "operationName selects one of two operations",
        """
        query Tags { tags { nodes { name } } }
        query Items { items(first: 3) { nodes { title } } }""",
        operation_name="Items",
    ),
    case(
        "an item's history",
        """
        query($id: ID!) {
          item(id: $id) {
            history(first: 5) {
              totalCount
              nodes {
                __typename entityType action at
                actor { email } organization { name } actorApiKey { name }
              }
              pageInfo { hasNextPage }
            }
          }
        }""",
        lambda w: {"id": w["item.plain1"]},
    ),
    case(
        "history edges with cursors, filtered by action",
        """
        query($id: ID!) {
          item(id: $id) {
            history(filter: {action: {eq: UPDATE}}, last: 1) { edges { cursor node { action } } }
          }
        }""",
        lambda w: {"id": w["item.plain1"]},
    ),
    case(
        "history with resolver fields (entityId, fields, cursor) is not compiled",
        """
        query($id: ID!) {
          item(id: $id) { history { nodes { entityId cursor fields { field old new } } } }
        }""",
        lambda w: {"id": w["item.plain1"]},
        compiled=False,
    ),
    case(
        "@include and @skip by a variable (true)",
        """
        query($yes: Boolean!) {
          items(first: 3) { nodes { title @include(if: $yes) description @skip(if: $yes) } }
        }""",
        lambda w: {"yes": True},
    ),
    case(
        "@include and @skip by a variable (false)",
        """
        query($yes: Boolean!) {
          items(first: 3) { nodes { title @include(if: $yes) description @skip(if: $yes) } }
        }""",
        lambda w: {"yes": False},
    ),
    case(
        "@skip and @include on one field: skip wins",
        "{ items(first: 2) { nodes { title @skip(if: true) @include(if: true) id } } }",
    ),
    case(
        "@include by a variable's default, on a relation and a nested connection",
        """
        query($details: Boolean = false, $tags: Boolean = true) {
          items(first: 3, orderBy: [{field: TITLE}]) {
            totalCount @include(if: $details)
            nodes {
              title
              owner @include(if: $details) { fullName }
              tags @include(if: $tags) { nodes { name } pageInfo @skip(if: $tags) { hasNextPage } }
            }
          }
        }""",
    ),
    case(
        "a field skipped in one place and selected in another is selected",
        """
        { items(first: 2) { nodes { title @skip(if: true) ... on Item { title } id } } }""",
    ),
    case(
        "a root field skipped by a variable",
        """
        query($no: Boolean!) {
          tags(first: 1) { nodes { name } }
          items @skip(if: $no) { totalCount }
        }""",
        lambda w: {"no": True},
    ),
    case(
        "introspection is not compiled",
        "{ __schema { queryType { name } } items(first: 1) { totalCount } }",
        compiled=False,
    ),
    case(
        "first and last together fall back and report the page error",
        "{ items(first: 1, last: 1) { nodes { id } } }",
        compiled=False,
        error="BAD_PAGE_ARGUMENTS",
    ),
    case(
        "a malformed cursor falls back and reports INVALID_CURSOR",
        '{ items(first: 1, after: "garbage") { nodes { id } } }',
        compiled=False,
        error="INVALID_CURSOR",
    ),
    case(
        "a malformed ID in a filter falls back and reports the error",
        '{ items(filter: {owner: {eq: "garbage"}}) { nodes { id } } }',
        compiled=False,
        error="INVALID_ID",
    ),
    case(
        "a page size over the maximum falls back with the same error",
        "{ items(first: 101) { nodes { id } } }",
        compiled=False,
    ),
    case(
        "nested lists six levels deep",
        """
        {
          organizations(first: 3) {
            nodes {
              items(first: 5) {
                nodes {
                  tags(first: 3) {
                    nodes {
                      items(first: 3) { nodes { owner { items(first: 2) { nodes { title } } } } }
                    }
                  }
                }
              }
            }
          }
        }""",
    ),
    case(
        "nested filters and orderings on a many-to-many relation",
        """
        query($tag: ID!) {
          items(first: 50, filter: {title: {ne: "Plain 01"}}) {
            nodes {
              title
              tags(
                filter: {or: [{name: {eq: "red"}}, {color: {isNull: true}}]}
                orderBy: [{field: CREATED_AT, direction: DESC}]
              ) {
                totalCount nodes { name }
              }
            }
          }
          tag(id: $tag) {
            items(filter: {type: {in: ["book", "special"]}}, last: 1) {
              totalCount edges { cursor node { title } }
            }
          }
        }""",
        lambda w: {"tag": w["tag.red"]},
    ),
    case(
        "organizationBySlug and auditLog are not compiled",
        """
        query($org: ID!) {
          organizationBySlug(slug: "acme") { name }
          auditLog(organization: $org, first: 3) { nodes { action entityType } }
        }""",
        lambda w: {"org": w["org.acme"]},
        compiled=False,
    ),
    case(
        "an unknown operationName is refused alike",
        "query A { tags { totalCount } }",
        operation_name="B",
        compiled=False,
    ),
    case(
        "a mutation is not compiled",
        'mutation { itemDelete(input: {id: "garbage"}) { __typename } }',
        compiled=False,
    ),
    case("a syntax error is refused alike", "{ items { nodes { id }", compiled=False),
    case("a validation error is refused alike", "{ items { nodes { nope } } }", compiled=False),
    case(
        "a variable of the wrong type is refused alike",
        "query($first: Int) { items(first: $first) { nodes { id } } }",
        lambda w: {"first": "two"},
        compiled=False,
    ),
    case(
        "an invalid token is refused alike",
        "{ items { totalCount } }",
        viewer="invalid",
        compiled=False,
    ),
    case(
        "another viewer sees their own tenants",
        """
        { items(first: 50) { totalCount nodes { title organization { name } owner { email } } }
          }""",
        viewer="olga",
    ),
    case(
        "a superuser sees every tenant",
        """
        {
          items(first: 50, orderBy: [{field: TITLE}]) { totalCount nodes { title organization {
            name } owner { email } } }
          organizations { totalCount nodes { slug } }
          users { totalCount }
          roles { totalCount }
        }""",
        viewer="root",
    ),
    case(
        "a user in no organization sees only themselves",
        """
        { items { totalCount } organizations { totalCount } users { nodes { email } } me { email }
          }""",
        viewer="loner",
    ),
    case(
        "out-of-range JSON integers",
        "query($id: ID!) { item(id: $id) { title metaData } }",
        lambda w: {"id": w["item.huge"]},
        viewer="hank",
    ),
    case(
        "a JSON null in a non-null JSON field",
        "query($id: ID!) { item(id: $id) { title metaData } }",
        lambda w: {"id": w["item.blank"]},
        viewer="hank",
        # The compiled answer carries the null-violation marker: the resolvers answer, with
        # graphql-core's non-null error.
        fallback=True,
    ),
    case(
        "aliases that swap field names, and an aliased __typename",
        """
        {
          items(first: 3, orderBy: [{field: TITLE}]) {
            kind: __typename
            nodes { title: description description: title id: __typename key: id }
          }
        }""",
    ),
    case(
        "pageInfo and nodes selected twice merge",
        """
        {
          items(first: 2) {
            pageInfo { hasNextPage } nodes { id }
            pageInfo { endCursor hasNextPage } nodes { title } edges { node { id } }
          }
        }""",
    ),
    case("a query of __typename alone", "{ __typename }"),
    case(
        "root fields inside a fragment on Query and an inline fragment",
        """
        query($id: ID!) { ...Roots ... on Query { tags(first: 1) { nodes { name } } } }
        fragment Roots on Query { item(id: $id) { title } }""",
        lambda w: {"id": w["item.emoji"]},
    ),
    case(
        "@include(if: false) on an inline fragment",
        "{ items(first: 2) { nodes { title ... on Item @include(if: false) { description } } } }",
    ),
    case(
        "@skip(if: true) on a fragment spread",
        """
        { items(first: 2) { nodes { title ...Owner @skip(if: true) } } }
        fragment Owner on Item { owner { email } }""",
    ),
    case(
        "@include(if: false) on a root inline fragment",
        "{ tags { totalCount } ... @include(if: false) { items { totalCount } } }",
    ),
]

ACCOUNTS = [
    case(
        "users with memberships and items",
        """
        {
          users(orderBy: [{field: EMAIL, direction: DESC}]) {
            totalCount
            nodes {
              id email fullName isActive lastLoginAt
              memberships {
                nodes { joinedAt organization { name } role { name rank description } }
              }
              items(first: 3) { totalCount nodes { title } }
            }
          }
        }""",
    ),
    case(
        "user by id, and a stranger by id",
        """
        query($me: ID!, $stranger: ID!) {
          me: user(id: $me) { email lastLoginAt }
          stranger: user(id: $stranger) { email }
        }""",
        lambda w: {"me": w["user.vera"], "stranger": w["user.frank"]},
    ),
    case(
        "organization members and their roles",
        f"""
        query($org: ID!) {{
          organization(id: $org) {{
            memberships(orderBy: [{{field: JOINED_AT, direction: DESC}}]) {{
              edges {{
                cursor node {{ user {{ email }} role {{ name rank }} organization {{ slug }} }}
              }}
              {PAGE_INFO}
            }}
          }}
        }}""",
        lambda w: {"org": w["org.acme"]},
    ),
    case(
        "roles ordered by rank and name",
        """
        {
          roles(orderBy: [{field: RANK}, {field: NAME, direction: DESC}]) {
            totalCount edges { cursor node { name description rank } }
          }
        }""",
    ),
    case(
        "roles with resolver fields (isBuiltin, permissions) are not compiled",
        "{ roles(first: 2) { nodes { name isBuiltin permissions { code } } } }",
        compiled=False,
    ),
    case(
        "organization viewerRole is not compiled",
        "{ organizations { nodes { name viewerRole } } }",
        compiled=False,
    ),
    case(
        "api keys",
        f"""
        {{ apiKeys {{ totalCount edges {{ cursor node {{ id name prefix expiresAt lastUsedAt
          revokedAt createdAt }} }} {PAGE_INFO} }} }}""",
    ),
    case(
        "api key scopes are not compiled",
        "{ apiKeys { nodes { name scopes } } }",
        compiled=False,
    ),
    case(
        "me, with memberships and items",
        """
        { me { id email fullName memberships { nodes { organization { name } role { name } } } }
          }""",
    ),
    case(
        "me and a root list beside it",
        "{ me { email } items(first: 2) { nodes { title } } }",
    ),
    case(
        "node(id:) of an item, with fragments on several types",
        """
        query($id: ID!) {
          node(id: $id) {
            __typename id
            ... on Item { title owner { email } tags { nodes { name } } }
            ... on Tag { name }
          }
        }""",
        lambda w: {"id": w["item.quotes"]},
    ),
    case(
        "node(id:) of a tag, a project, a membership-less user and a media file",
        """
        {
          tag: node(id: "<<tag.red>>") { id ... on Tag { name items { totalCount } } }
          project: node(id: "<<project.archive>>") { ... on Project { name status owner { id } } }
          user: node(id: "<<user.olga>>") { ... on User { email } ... on Node { id } }
          media: node(id: "<<media.loft.plan>>") { ... on Media { type url property { title } } }
        }""",
    ),
    case(
        "node(id:) of foreign, deleted, hidden-with-parent and missing nodes is null",
        """
        {
          foreign: node(id: "<<item.secret>>") { id }
          deleted: node(id: "<<item.deleted>>") { id }
          missing: node(id: "SXRlbTowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA") { id }
          photo: node(id: "<<media.razed.photo>>") { id }
          object: node(id: "<<object.trashed>>") { id }
        }""",
    ),
    case(
        "node(id:) with a malformed id falls back and reports INVALID_ID",
        "query($id: ID!) { node(id: $id) { id } }",
        lambda w: {"id": "SXRlbTpub3BlCg"},
        compiled=False,
        error="INVALID_ID",
    ),
    case(
        "node(id:) of a role, with a resolver field, is not compiled",
        "query($id: ID!) { node(id: $id) { id ... on Role { name isBuiltin } } }",
        lambda w: {"id": w["role.auditor"]},
        compiled=False,
    ),
    case(
        "nodes(ids:) in the document: types mixed, foreign, deleted, missing, repeated",
        """
        { nodes(ids: ["<<item.quotes>>", "<<tag.red>>", "<<item.secret>>", "<<item.deleted>>",
                      "<<user.olga>>", "<<item.quotes>>",
                      "SXRlbTowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDc"]) {
            __typename id
            ... on Item { title owner { fullName } tags { nodes { name } } }
            ... on Tag { name }
            ...UserName
        } }
        fragment UserName on User { fullName }""",
    ),
    case(
        "nodes(ids:) by a variable, with node(id:) beside it",
        """
        query($ids: [ID!]!, $one: ID!) {
          nodes(ids: $ids) { id ... on Item { title } ... on Property { title price } }
          node(id: $one) { __typename }
        }""",
        lambda w: {
            "ids": [w["property.loft"], w["item.emoji"], w["property.faraway"]],
            "one": w["tag.lonely"],
        },
    ),
    case(
        "nodes(ids:) of an empty list",
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        lambda w: {"ids": []},
    ),
    case(
        "nodes(ids:) with a malformed ID falls back and reports INVALID_ID",
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        lambda w: {"ids": [w["item.quotes"], "not-an-id"]},
        compiled=False,
        error="INVALID_ID",
    ),
    case(
        "nodes(ids:) of more than 100 IDs falls back and reports TOO_MANY_IDS",
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        lambda w: {"ids": [w["item.quotes"]] * 101},
        compiled=False,
        error="TOO_MANY_IDS",
    ),
    case(
        "anonymous: me and node(id:) are null",
        '{ me { id } node(id: "<<item.quotes>>") { id } }',
        viewer=None,
    ),
    case(
        "anonymous: lists are empty, nodes null",
        f"""
        query($id: ID!) {{
          items {{ totalCount nodes {{ id }} {PAGE_INFO} }}
          organizations {{ totalCount }}
          users {{ nodes {{ id }} }}
          roles(orderBy: [{{field: NAME}}]) {{ nodes {{ name rank }} }}
          item(id: $id) {{ id }}
        }}""",
        lambda w: {"id": w["item.quotes"]},
        viewer=None,
    ),
]

DESIGN = [
    case(
        "design project matrix: objects, relationships, targets, attributes",
        """
        query($id: ID!) {
          project(id: $id) {
            id name description status settings createdAt
            owner { email } organization { name }
            members { nodes { role user { email } project { name } } }
            objects(first: 50) {
              totalCount
              nodes {
                id name description positionX positionY objectType complexity metaData
                createdBy { email }
                outgoingRelationships {
                  nodes {
                    relationshipType cardinality description
                    source { name } target { name positionX positionY }
                  }
                }
                incomingRelationships { totalCount }
                attributes { nodes { name dataType isRequired defaultValue designObject { name } } }
                callsToAction { nodes { name priority userStory designObject { name } } }
              }
            }
            relationships { totalCount }
          }
        }""",
        lambda w: {"id": w["project.bookstore"]},
    ),
    case(
        "projects ordered by status, deleted and foreign ones hidden",
        """
        {
          projects(orderBy: [{field: STATUS, direction: DESC}]) {
            edges { cursor node { name status description owner { email } objects { totalCount } } }
          }
        }""",
    ),
    case(
        "objects ordered by complexity descending with cursors",
        f"""
        query($id: ID!) {{
          project(id: $id) {{
            objects(first: 3, orderBy: [{{field: COMPLEXITY, direction: DESC}}]) {{
              edges {{ cursor node {{ name complexity }} }} {PAGE_INFO}
            }}
          }}
        }}""",
        lambda w: {"id": w["project.bookstore"]},
    ),
    case(
        "attributes ordered by data type, filtered by enum",
        """
        query($id: ID!) {
          object: project(id: $id) {
            objects(filter: {name: {eq: "Book"}}) {
              nodes {
                all: attributes(orderBy: [{field: DATA_TYPE, direction: DESC}]) {
                  edges { cursor node { name dataType } }
                }
                enums: attributes(filter: {dataType: {in: [ENUM, DATE]}}) {
                  nodes { name defaultValue }
                }
              }
            }
          }
        }""",
        lambda w: {"id": w["project.bookstore"]},
    ),
    case(
        "members ordered by role and calls to action by priority, with cursors",
        """
        query($id: ID!) {
          project(id: $id) {
            members(orderBy: [{field: ROLE, direction: DESC}]) { edges { cursor node { role } } }
            objects(first: 1) {
              nodes {
                callsToAction(orderBy: [{field: PRIORITY}]) { edges { cursor node { priority } } }
              }
            }
          }
        }""",
        lambda w: {"id": w["project.bookstore"]},
    ),
    case(
        "relationships ordered by cardinality",
        """
        query($id: ID!) {
          project(id: $id) {
            relationships(orderBy: [{field: CARDINALITY}]) {
              edges { cursor node { cardinality source { name } } }
            }
          }
        }""",
        lambda w: {"id": w["project.bookstore"]},
    ),
    case(
        "presence: live clients only",
        """
        query($id: ID!) {
          project(id: $id) {
            presence {
              totalCount
              nodes { clientId cursorX cursorY lastSeenAt expiresAt user { email } }
            }
          }
        }""",
        lambda w: {"id": w["project.bookstore"]},
    ),
    case(
        "a deleted project is null",
        '{ project(id: "<<project.trashed>>") { name objects { totalCount } } }',
    ),
    case(
        "call to action acceptance criteria (a list column) are not compiled",
        """
        query($id: ID!) {
          project(id: $id) {
            objects(first: 1) { nodes { callsToAction { nodes { acceptanceCriteria } } } }
          }
        }""",
        lambda w: {"id": w["project.bookstore"]},
        compiled=False,
    ),
    case(
        "attribute validation rules are not compiled",
        """
        query($id: ID!) {
          project(id: $id) {
            objects(first: 1) { nodes { attributes { nodes { validationRules { choices } } } } }
          }
        }""",
        lambda w: {"id": w["project.bookstore"]},
        compiled=False,
    ),
]

REALTY = [
    case(
        "clients with interactions and interested properties",
        """
        {
          clients {
            totalCount
            nodes {
              id name email phone leadScore nurtureStatus lastContactedAt createdAt
              organization { name }
              interactions {
                totalCount
                nodes { type notes occurredAt outcome user { email } client { name } }
              }
              interestedProperties { totalCount nodes { title price status } }
            }
          }
        }""",
    ),
    case(
        "properties with media and interested clients",
        """
        {
          properties(orderBy: [{field: PRICE, direction: DESC}]) {
            edges {
              cursor
              node {
                title address city area propertyType bedrooms bathrooms sizeSqft price status
                media { nodes { type url metaData property { title } } }
                interestedClients { nodes { name nurtureStatus } }
              }
            }
          }
        }""",
    ),
    case(
        "properties ordered by a nullable column, both directions",
        f"""
        {{
          up: properties(orderBy: [{{field: SIZE_SQFT}}]) {{
            edges {{ cursor node {{ title sizeSqft }} }} {PAGE_INFO}
          }}
          down: properties(orderBy: [{{field: SIZE_SQFT, direction: DESC}}], last: 2) {{
            edges {{ cursor node {{ title sizeSqft }} }} {PAGE_INFO}
          }}
        }}""",
    ),
    case(
        "clients ordered by last contact (nullable datetime)",
        """
        {
          clients(orderBy: [{field: LAST_CONTACTED_AT, direction: DESC}]) {
            edges { cursor node { name lastContactedAt } }
          }
        }""",
    ),
    case(
        "interactions filtered by type and date, ordered oldest first",
        """
        query($id: ID!) {
          client(id: $id) {
            name
            calls: interactions(filter: {type: {in: [CALL, MEETING]}}) {
              nodes { type occurredAt user { email } }
            }
            recent: interactions(
              orderBy: [{field: OCCURRED_AT}]
              filter: {occurredAt: {gt: "2024-01-15T10:50:00Z"}}
            ) {
              edges { cursor node { type occurredAt } }
            }
          }
        }""",
        lambda w: {"id": w["client.ana"]},
    ),
    case(
        "integer, boolean, enum and empty-list filters",
        """
        {
          properties(filter: {bedrooms: {gte: 2}, status: {ne: SOLD}, sizeSqft: {isNull: false}}) {
            nodes { title bedrooms status }
          }
          clients(filter: {nurtureStatus: {in: [HOT, COLD]}, leadScore: {lt: 90}}) {
            nodes { name leadScore nurtureStatus }
          }
          users(filter: {isActive: {eq: true}, email: {startsWith: "o"}}) { nodes { email } }
          none: items(filter: {title: {in: []}}) { totalCount nodes { id } }
        }""",
    ),
    case(
        "decimal filters",
        """
        {
          cheap: properties(filter: {price: {lte: "0.50"}}) { nodes { title price } }
          range: properties(filter: {price: {gte: "1000", lt: "250000.00"}}) {
            nodes { title price }
          }
          exact: properties(filter: {price: {in: ["0", "250000"]}}) { nodes { title price } }
        }""",
    ),
    case(
        "property by id, a deleted one, and a foreign one",
        """
        {
          loft: property(id: "<<property.loft>>") { title price media { totalCount } }
          razed: property(id: "<<property.razed>>") { title }
          faraway: property(id: "<<property.faraway>>") { title }
          dropped: client(id: "<<client.dropped>>") { name }
        }""",
    ),
    case(
        "property coordinates (Float) are not compiled",
        "{ properties { nodes { title latitude longitude } } }",
        compiled=False,
    ),
    case(
        "searches with scores, snippets and relevance order",
        """
        {
          properties(search: "loft or villa", first: 3) {
            totalCount edges { score snippet node { title } }
          }
          clients(search: "ana") { nodes { name } edges { score } }
          items(search: "hello", orderBy: [{field: RELEVANCE}]) {
            nodes { title } edges { snippet }
          }
          none: properties(search: "   ") { totalCount edges { score snippet } }
          titled: properties(search: "loft or villa", orderBy: [{field: TITLE}], first: 1) {
            edges { cursor score node { title } } pageInfo { hasNextPage endCursor }
          }
        }""",
    ),
    case(
        "a search in a nested connection and through a link table",
        """
        {
          organization(id: "<<org.acme>>") {
            properties(search: "loft") { totalCount edges { snippet node { title } } }
          }
          client(id: "<<client.ana>>") {
            interestedProperties(search: "loft or villa") { totalCount nodes { title } }
          }
        }""",
    ),
    case(
        "a search by variable",
        """
        query($q: String) {
          properties(search: $q, first: 2) { totalCount edges { score node { title } } }
        }""",
        lambda w: {"q": "loft -villa"},
    ),
    case(
        "a relevance cursor (a score, written as Python writes floats) is left to the resolvers",
        """
        {
          properties(search: "loft or villa", first: 1) {
            edges { cursor node { title } } pageInfo { endCursor }
          }
        }""",
        compiled=False,
    ),
    case(
        "RELEVANCE without a search is refused alike",
        "{ items(orderBy: [{field: RELEVANCE}]) { nodes { title } } }",
        compiled=False,
        error="BAD_ORDER",
    ),
    case(
        "aggregates, groups and facets are left to the resolvers",
        """
        {
          properties(filter: {bedrooms: {gte: 1}}) {
            aggregate {
              count sum { price sizeSqft } avg { price } min { createdAt } max { price }
              groups(by: [{field: STATUS}, {field: CREATED_AT, truncate: MONTH,
                           timeZone: "Europe/Paris"}], orderBy: COUNT_DESC) {
                key { status createdAt } count sum { price }
              }
            }
            facets(fields: [STATUS, BEDROOMS]) { field values { key { status bedrooms } count } }
          }
          organization(id: "<<org.acme>>") {
            clients { aggregate { count avg { leadScore } } }
          }
        }""",
        compiled=False,
    ),
    case(
        "aggregates next to compilable fields: the whole query is left to the resolvers",
        """
        {
          properties(orderBy: [{field: PRICE}]) { nodes { title } }
          found: properties(search: "loft") { aggregate { count } }
        }""",
        compiled=False,
    ),
]

FILES = [
    case(
        "files with owner, item and organization",
        """
        {
          files(orderBy: [{field: SIZE_BYTES, direction: DESC}]) {
            totalCount
            nodes {
              filename mimeType sizeBytes sha256 storageKey metaData createdAt
              owner { email } item { title } organization { name }
            }
          }
        }""",
    ),
    case(
        "an item's and an organization's files, a media's file",
        """
        {
          item(id: "<<item.quotes>>") { files { totalCount nodes { filename } } }
          organization(id: "<<org.acme>>") {
            files(filter: {mimeType: {startsWith: "image/"}}) { nodes { filename sizeBytes } }
          }
          loft: property(id: "<<property.loft>>") {
            media { nodes { type url file { filename mimeType } } }
          }
          secret: file(id: "<<file.secret>>") { filename }
        }""",
    ),
    case(
        "a file's signed URL is not compiled",
        "{ files { nodes { filename url } } }",
        compiled=False,
    ),
]

EXPORTS = [
    case(
        "exports with their project, job, file and requester",
        """
        {
          exports(orderBy: [{field: COMPLETED_AT}]) {
            totalCount
            nodes {
              format exportType parameters error completedAt
              project { name } job { kind status progress error } resultFile { filename }
              requestedBy { email }
            }
          }
        }""",
    ),
    case(
        "a project's exports, by id, a deleted project's and a foreign one",
        """
        {
          project(id: "<<project.bookstore>>") {
            exports(filter: {completedAt: {isNull: false}}) { nodes { format job { status } } }
          }
          done: export(id: "<<export.done>>") { format resultFile { mimeType } }
          trashed: export(id: "<<export.trashed>>") { format }
          secret: export(id: "<<export.secret>>") { format }
        }""",
    ),
]

INVITATIONS = [
    case(
        "an organization's invitations with their role, inviter and acceptor",
        """
        {
          organization(id: "<<org.acme>>") {
            invitations(orderBy: [{field: EMAIL, direction: DESC}]) {
              totalCount
              nodes {
                id email status expiresAt sentCount lastSentAt acceptedAt
                role { name } inviter { email } acceptedBy { fullName } organization { slug }
              }
            }
          }
        }""",
    ),
    case(
        "invitations filtered by status, by id, a foreign one",
        """
        {
          organization(id: "<<org.acme>>") {
            pending: invitations(filter: {status: {in: [PENDING, EXPIRED]}}) { nodes { email } }
            gone: invitations(filter: {inviter: {isNull: true}}) { nodes { status } }
          }
          mine: node(id: "<<invitation.pending>>") { ... on Invitation { email } }
          secret: node(id: "<<invitation.secret>>") { ... on Invitation { email } }
        }""",
    ),
]

PROFILES = [
    case(
        "users' profiles, their scalar fields",
        """
        {
          users(orderBy: [{field: EMAIL}]) {
            nodes { email profile { id firstName lastName username createdAt } }
          }
          secret: node(id: "<<profile.frank>>") { id }
        }""",
    ),
    case(
        "a profile's typed parts are answered by the resolvers",
        "{ me { profile { location { timeZone country } socials { network } } } }",
        compiled=False,
    ),
    case(
        "a profile's feature flags (a list-valued column) are answered by the resolvers",
        "{ me { profile { featureFlags } } }",
        compiled=False,
    ),
]

ARCHIVED = [
    case(
        "lists without and with their archived rows, root and nested",
        """
        query($all: Boolean!) {
          items(includeArchived: $all, first: 50) { totalCount nodes { title archivedAt } }
          projects(includeArchived: $all) { totalCount nodes { name archivedAt } }
          properties(includeArchived: $all) { totalCount nodes { title archivedAt } }
          clients(includeArchived: $all) { totalCount nodes { name archivedAt } }
          organizations(includeArchived: $all) { totalCount nodes { slug archivedAt } }
          organization(id: "<<org.acme>>") {
            items(includeArchived: $all, first: 50, filter: {title: {contains: "item"}}) {
              totalCount edges { cursor node { title } }
            }
            projects(includeArchived: $all) { totalCount nodes { name } }
          }
          tag(id: "<<tag.red>>") { items(includeArchived: $all) { totalCount nodes { title } } }
        }""",
        lambda w: {"all": False},
    ),
    case(
        "lists with their archived rows",
        """
        {
          items(includeArchived: true, first: 50) { totalCount nodes { title archivedAt } }
          organizations(includeArchived: true) { totalCount nodes { slug archivedAt } }
          tag(id: "<<tag.red>>") { items(includeArchived: true) { totalCount nodes { title } } }
          organization(id: "<<org.acme>>") {
            clients(includeArchived: true) { totalCount nodes { name } }
            properties(includeArchived: true, orderBy: [{field: PRICE}]) {
              totalCount nodes { title }
            }
          }
        }""",
    ),
    case(
        "archived rows by id and through node",
        """
        {
          item(id: "<<item.shelved>>") { title archivedAt organization { slug } }
          project(id: "<<project.archive>>") { name archivedAt }
          organization(id: "<<org.dormant>>") { slug archivedAt viewerRole }
          node(id: "<<client.shelved>>") { ... on Client { name archivedAt } }
        }""",
        compiled=False,  # viewerRole has a resolver of its own
    ),
    case(
        "archived rows by id, compiled",
        """
        {
          item(id: "<<item.shelved>>") { title archivedAt organization { slug } }
          project(id: "<<project.archive>>") { name archivedAt }
          organization(id: "<<org.dormant>>") { slug archivedAt }
          node(id: "<<client.shelved>>") { ... on Client { name archivedAt } }
        }""",
    ),
]

BILLING = [
    case(
        "an organization's plan, history, billing details and invoices",
        """
        {
          organizations(includeArchived: true) {
            nodes {
              slug planType
              plan { id planType status startedAt endsAt organization { slug } }
              planChanges { totalCount nodes { fromPlan toPlan fromStatus toStatus changedAt
                                               note changedBy { email } } }
              billingDetails { id companyName country cardBrand cardLast4 cardExpMonth
                               cardExpYear organization { slug } }
              invoices(orderBy: [{field: AMOUNT, direction: DESC}]) {
                totalCount
                edges { cursor node { number planType status amount currency periodStart
                                      periodEnd issuedAt paidAt } }
              }
            }
          }
        }""",
    ),
    case(
        "invoices filtered, ordered by a tie, and billing nodes by id",
        """
        {
          invoices(filter: {status: {in: [PAID, OPEN]}, amount: {gte: "0"}},
                   orderBy: [{field: ISSUED_AT}]) {
            totalCount nodes { number status organization { slug } }
          }
          invoice(id: "<<invoice.acme.2>>") { number status }
          secret: invoice(id: "<<invoice.ini.0>>") { number }
          plan: node(id: "<<plan.acme>>") { ... on OrganizationPlan { planType endsAt } }
          foreign: node(id: "<<billing.ini>>") { ... on BillingDetails { companyName } }
        }""",
    ),
    case(
        "billing as a viewer who does not run the organization",
        """
        {
          organization(id: "<<org.acme>>") {
            plan { planType } billingDetails { companyName } invoices { totalCount }
          }
        }""",
        viewer="olga",
    ),
]

AI = [
    case(
        "contents with their item, by role, and an item's contents in order",
        """
        {
          contents(orderBy: [{field: ROLE}], filter: {role: {in: [SYSTEM, USER, NOTE]}}) {
            totalCount
            nodes { role text position metaData item { title } organization { slug } }
          }
          item(id: "<<item.quotes>>") {
            contents(first: 1, filter: {text: {contains: "HI"}}) {
              totalCount nodes { text role }
            }
          }
          hidden: content(id: "<<content.hidden>>") { text }
          secret: content(id: "<<content.secret>>") { text }
        }""",
    ),
    case(
        "AI models: global and an organization's, by name",
        """
        {
          aiModels {
            nodes { name provider version parameters defaultEmbedder organization { slug } }
          }
          secret: aiModel(id: "<<model.secret>>") { name }
        }""",
    ),
]

CORPUS = (
    CATALOG
    + ACCOUNTS
    + DESIGN
    + REALTY
    + FILES
    + EXPORTS
    + INVITATIONS
    + PROFILES
    + ARCHIVED
    + BILLING
    + AI
)


@pytest.mark.parametrize("case", CORPUS)
async def test_compiled_answer_equals_the_resolvers_answer(
    apps: Apps, world: World, counter: StatementCounter, case: Case, full_path_runs: list[str]
) -> None:
    # given
    token = world.token(case.viewer)
    query = world.render(case.query)
    variables = case.variables(world) if case.variables else None
    # when
    compiled, resolved = await apps.both(
        counter, query, variables, token=token, operation_name=case.operation_name
    )
    # then
    assert_same_answer(compiled, resolved)
    assert_not_compiled(resolved)
    if case.fallback:
        assert len(compiled.compiled_statements) == 1, compiled.statements
        assert len(compiled.statements) > (AUTH if token else 0) + 1, compiled.statements
    elif case.compiled:
        assert_compiled(compiled, token=token)
        assert "errors" not in compiled.json, compiled.json
    else:
        assert_not_compiled(compiled)
    if case.error is not None:
        codes = [e.get("extensions", {}).get("code") for e in resolved.json.get("errors", [])]
        assert codes == [case.error], resolved.json
    if case.viewer in ("vera", "invalid", None):
        assert FOREIGN not in compiled.body.decode()
    # when: asked again, a compiled document takes the fast lane (graph/compiled/lane.py)
    full_path_runs.clear()
    again = await apps.post(apps.compiled, counter, query, variables, token, case.operation_name)
    # then: the same answer, headers included, in as many statements
    assert (again.status, _comparable(again.body), again.headers) == (
        compiled.status,
        _comparable(compiled.body),
        compiled.headers,
    )
    lane = case.compiled and not case.fallback
    if lane or case.fallback:  # (the resolvers' count may vary when a field fails)
        assert len(again.statements) == len(compiled.statements), again.statements
    # (a refused token is refused before execution on either path)
    assert full_path_runs == ([] if lane or case.viewer == "invalid" else [query])


# ---------------------------------------------------------------------------------------------
# Paging through a list with the cursors it hands out


@dataclass(frozen=True)
class Walk:
    """A connection at ``path`` paged through with `$cursor` (after: forward, before:
    backward); ``whole`` is the same list in one page, in the same order."""

    query: str
    whole: str
    path: tuple[str, ...]
    backward: bool = False
    variables: Callable[[World], dict[str, Any]] | None = None


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


WALKS = {
    "items by title, forward": Walk(
        """query($cursor: String) {
          items(first: 3, after: $cursor, orderBy: [{field: TITLE}]) {
            nodes { id title } PAGEINFO
          }
        }""",
        "{ items(first: 100, orderBy: [{field: TITLE}]) { nodes { id title } } }",
        ("items",),
    ),
    "items by creation (ties included), backward": Walk(
        """query($cursor: String) {
          items(last: 3, before: $cursor) { edges { cursor node { id createdAt } } PAGEINFO }
        }""",
        "{ items(first: 100) { nodes { id } } }",
        ("items",),
        backward=True,
    ),
    "an organization's items by last update, forward": Walk(
        """query($org: ID!, $cursor: String) {
          organization(id: $org) {
            items(first: 2, after: $cursor, orderBy: [{field: UPDATED_AT, direction: DESC}]) {
              totalCount nodes { id updatedAt tags { nodes { name } } } PAGEINFO
            }
          }
        }""",
        """query($org: ID!) {
          organization(id: $org) {
            items(first: 100, orderBy: [{field: UPDATED_AT, direction: DESC}]) { nodes { id } }
          }
        }""",
        ("organization", "items"),
        variables=lambda w: {"org": w["org.acme"]},
    ),
    "tags by name descending, backward": Walk(
        """query($cursor: String) {
          tags(last: 2, before: $cursor, orderBy: [{field: NAME, direction: DESC}]) {
            nodes { id name } PAGEINFO
          }
        }""",
        "{ tags(first: 100, orderBy: [{field: NAME, direction: DESC}]) { nodes { id } } }",
        ("tags",),
        backward=True,
    ),
    "properties by size (nulls last), forward": Walk(
        """query($cursor: String) {
          properties(first: 1, after: $cursor, orderBy: [{field: SIZE_SQFT}]) {
            nodes { id sizeSqft } PAGEINFO
          }
        }""",
        "{ properties(first: 100, orderBy: [{field: SIZE_SQFT}]) { nodes { id } } }",
        ("properties",),
    ),
    "properties by size descending (nulls first going back), backward": Walk(
        """query($cursor: String) {
          properties(last: 1, before: $cursor, orderBy: [{field: SIZE_SQFT, direction: DESC}]) {
            edges { cursor node { id sizeSqft } } PAGEINFO
          }
        }""",
        """{
          properties(first: 100, orderBy: [{field: SIZE_SQFT, direction: DESC}]) { nodes { id } }
        }""",
        ("properties",),
        backward=True,
    ),
    "properties by price, forward": Walk(
        """query($cursor: String) {
          properties(first: 2, after: $cursor, orderBy: [{field: PRICE}]) {
            nodes { id price } PAGEINFO
          }
        }""",
        "{ properties(first: 100, orderBy: [{field: PRICE}]) { nodes { id } } }",
        ("properties",),
    ),
    "clients by last contact, forward": Walk(
        """query($cursor: String) {
          clients(
            first: 1, after: $cursor, orderBy: [{field: LAST_CONTACTED_AT, direction: DESC}]
          ) {
            nodes { id lastContactedAt } PAGEINFO
          }
        }""",
        """{
          clients(first: 100, orderBy: [{field: LAST_CONTACTED_AT, direction: DESC}]) {
            nodes { id }
          }
        }""",
        ("clients",),
    ),
    "a client's interactions (newest first, tied times), backward": Walk(
        """query($id: ID!, $cursor: String) {
          client(id: $id) {
            interactions(last: 1, before: $cursor) { nodes { id type occurredAt } PAGEINFO }
          }
        }""",
        """query($id: ID!) { client(id: $id) { interactions(first: 100) { nodes { id } } } }""",
        ("client", "interactions"),
        backward=True,
        variables=lambda w: {"id": w["client.ana"]},
    ),
    "a project's objects (row by row), forward": Walk(
        """query($id: ID!, $cursor: String) {
          project(id: $id) {
            objects(first: 2, after: $cursor) { edges { cursor node { id name } } PAGEINFO }
          }
        }""",
        """query($id: ID!) { project(id: $id) { objects(first: 100) { nodes { id } } } }""",
        ("project", "objects"),
        variables=lambda w: {"id": w["project.bookstore"]},
    ),
    "an item's history (by position), forward": Walk(
        """query($id: ID!, $cursor: String) {
          item(id: $id) { history(first: 1, after: $cursor) { nodes { action at } PAGEINFO } }
        }""",
        """query($id: ID!) { item(id: $id) { history(first: 100) { nodes { action at } } } }""",
        ("item", "history"),
        variables=lambda w: {"id": w["item.plain1"]},
    ),
}


def _node_keys(connection: dict[str, Any]) -> list[Any]:
    """The IDs of a connection's nodes (the nodes themselves when they have none)."""
    if "nodes" in connection:
        nodes = connection["nodes"]
    else:
        nodes = [edge["node"] for edge in connection["edges"]]
    return [n.get("id", n) for n in nodes]


@pytest.mark.parametrize("walk", list(WALKS.values()), ids=list(WALKS))
async def test_paging_with_cursors_compiles_and_matches_page_by_page(
    apps: Apps, world: World, counter: StatementCounter, walk: Walk, compilations: list[object]
) -> None:
    # given
    token = world.vera.token
    query = walk.query.replace("PAGEINFO", PAGE_INFO)
    fixed = walk.variables(world) if walk.variables else {}
    whole, _ = await apps.both(counter, walk.whole, fixed, token=token)
    expected = _node_keys(_at(whole.json["data"], walk.path))
    # when: every page, each cursor taken from the previous page's answer
    pages: list[list[Any]] = []
    cursor = None
    while True:
        compiled, resolved = await apps.both(
            counter, query, {**fixed, "cursor": cursor}, token=token
        )
        # then: each page is the same on both paths, and compiled
        assert_same_answer(compiled, resolved)
        assert_compiled(compiled, token=token)
        connection = _at(resolved.json["data"], walk.path)
        pages.append(_node_keys(connection))
        info = connection["pageInfo"]
        more = info["hasPreviousPage"] if walk.backward else info["hasNextPage"]
        if not more:
            break
        cursor = info["startCursor"] if walk.backward else info["endCursor"]
        assert len(pages) < 30, "the walk does not end"
    # then: the pages together are the whole list, once each
    walked = [key for page in (reversed(pages) if walk.backward else pages) for key in page]
    assert walked == expected
    assert len(pages) > 1
    # and cursors are bound per request: plans for the whole list, the first page, and the
    # pages after a cursor (one more where a cursor holds a null), not one per page
    assert len(compilations) <= 4


async def test_a_cursor_of_another_ordering_falls_back_with_the_same_error(
    apps: Apps, world: World, counter: StatementCounter
) -> None:
    # given: a cursor handed out for the title ordering
    token = world.vera.token
    first, _ = await apps.both(
        counter,
        "{ items(first: 1, orderBy: [{field: TITLE}]) { pageInfo { endCursor } } }",
        token=token,
    )
    cursor = first.json["data"]["items"]["pageInfo"]["endCursor"]
    # when: it is used with the default ordering, and with `last`
    query = """query($cursor: String!) {
      byDefault: items(first: 2, after: $cursor) { nodes { id } }
    }"""
    backward = "query($cursor: String!) { items(last: 2, after: $cursor) { nodes { id } } }"
    for document, code in ((query, "INVALID_CURSOR"), (backward, "BAD_PAGE_ARGUMENTS")):
        compiled, resolved = await apps.both(counter, document, {"cursor": cursor}, token=token)
        # then
        assert_same_answer(compiled, resolved)
        assert_not_compiled(compiled)
        assert [e["extensions"]["code"] for e in resolved.json["errors"]] == [code]


# ---------------------------------------------------------------------------------------------
# Plans


@pytest.fixture
def compilations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every compilation of a plan from here on (the arguments of each)."""
    seen: list[object] = []
    compile_ = QueryCompiler._compile

    def counting(self: QueryCompiler, *args: Any, **kwargs: Any) -> Any:
        seen.append(args)
        return compile_(self, *args, **kwargs)

    monkeypatch.setattr(QueryCompiler, "_compile", counting)
    return seen


async def test_a_plan_is_compiled_once_and_serves_every_id(
    apps: Apps, world: World, counter: StatementCounter, compilations: list[object]
) -> None:
    # given: a document the compiler has not seen
    query = f"""# {uuid.uuid4()}
    query($id: ID!) {{ item(id: $id) {{ id title tags {{ nodes {{ name }} }} }} }}"""
    # when: the same document with four IDs: visible, visible, foreign, missing
    ids = [world["item.quotes"], world["item.emoji"], world["item.secret"]]
    ids.append(gid("Item", uuid.UUID(int=1)))
    answers = [await apps.both(counter, query, {"id": i}, token=world.vera.token) for i in ids]
    # then: one plan answers them all, like the resolvers
    assert len(compilations) == 1
    for compiled, resolved in answers:
        assert_same_answer(compiled, resolved)
        assert_compiled(compiled, token=world.vera.token)
    assert [a.json["data"]["item"] is None for a, _ in answers] == [False, False, True, True]


async def test_a_plan_is_compiled_per_value_of_a_structural_variable(
    apps: Apps, world: World, counter: StatementCounter, compilations: list[object]
) -> None:
    # given
    query = f"""# {uuid.uuid4()}
    query($type: String!) {{ items(filter: {{type: {{eq: $type}}}}) {{ nodes {{ title }} }} }}"""
    # when: two filter values, the first one twice
    answers = [
        await apps.both(counter, query, {"type": t}, token=world.vera.token)
        for t in ("book", "note", "book")
    ]
    # then: a plan per value, reused for the repeated one
    assert len(compilations) == 2
    for compiled, resolved in answers:
        assert_same_answer(compiled, resolved)
        assert_compiled(compiled, token=world.vera.token)


async def test_one_plan_answers_every_search_text(
    apps: Apps, world: World, counter: StatementCounter, compilations: list[object]
) -> None:
    # given
    query = f"""# {uuid.uuid4()}
    query($q: String) {{
      properties(search: $q) {{ totalCount edges {{ score snippet node {{ title }} }} }}
    }}"""
    # when: three texts (one matching nothing), and none
    texts = ["loft", "villa or loft", "castle", None]
    answers = [await apps.both(counter, query, {"q": t}, token=world.vera.token) for t in texts]
    # then: one plan for every text, one for none
    assert len(compilations) == 2
    for compiled, resolved in answers:
        assert_same_answer(compiled, resolved)
        assert_compiled(compiled, token=world.vera.token)
    totals = [a.json["data"]["properties"]["totalCount"] for a, _ in answers]
    assert totals[2] == 0
    assert totals[0] <= totals[1] < totals[3]


async def test_before_without_last_pages_back_by_the_default_size(
    apps: Apps, world: World, counter: StatementCounter
) -> None:
    # given: the cursor of the sixth item by title
    token = world.vera.token
    first, _ = await apps.both(
        counter, "{ items(first: 6, orderBy: [{field: TITLE}]) { edges { cursor } } }", token=token
    )
    cursor = first.json["data"]["items"]["edges"][-1]["cursor"]
    # when
    compiled, resolved = await apps.both(
        counter,
        f"""query($cursor: String!) {{
          items(before: $cursor, orderBy: [{{field: TITLE}}]) {{ nodes {{ title }} {PAGE_INFO} }}
        }}""",
        {"cursor": cursor},
        token=token,
    )
    # then
    assert_same_answer(compiled, resolved)
    assert_compiled(compiled, token=token)
    assert len(resolved.json["data"]["items"]["nodes"]) == 5


async def test_a_get_request_is_compiled_too(
    apps: Apps, world: World, counter: StatementCounter
) -> None:
    # given
    headers = {"Authorization": f"Bearer {world.vera.token}"}
    params = {
        "query": "query($n: Int) { items(first: $n) { nodes { title } } }",
        "variables": json.dumps({"n": 3}),
    }
    # when
    answers = []
    for client in (apps.compiled, apps.resolvers):
        counter.reset()
        response = await client.get("/graphql", params=params, headers=headers)
        answers.append(Exchange(response.status_code, response.content, list(counter.statements)))
    # then
    compiled, resolved = answers
    assert_same_answer(compiled, resolved)
    assert_compiled(compiled, token=world.vera.token)
    assert len(resolved.json["data"]["items"]["nodes"]) == 3


async def test_one_plan_answers_each_viewer_with_their_own_rows(
    apps: Apps, world: World, counter: StatementCounter
) -> None:
    # given: a document both viewers send
    query = f"""# {uuid.uuid4()}
    {{ items(first: 50) {{ totalCount nodes {{ title organization {{ name }} }} }} }}"""
    # when
    answers = {}
    for viewer in ("vera", "olga", "hank", "root", "loner", None):
        token = world.token(viewer)
        compiled, resolved = await apps.both(counter, query, token=token)
        assert_same_answer(compiled, resolved)
        assert_compiled(compiled, token=token)
        answers[viewer] = resolved.json["data"]["items"]
    # then: each viewer gets their own rows (the loner, like an anonymous caller, none)
    assert len({json.dumps(a) for a in answers.values()}) == 5
    assert answers[None] == answers["loner"] == {"totalCount": 0, "nodes": []}


async def test_node_plans_are_made_per_node_type(
    apps: Apps, world: World, counter: StatementCounter, compilations: list[object]
) -> None:
    # given: a node(id:) document; its Role fragment selects a field with a resolver
    query = f"""# {uuid.uuid4()}
    query($id: ID!) {{
      node(id: $id) {{ id ... on Item {{ title }} ... on Tag {{ name }} ... on Role {{ isBuiltin }}
        }}
    }}"""
    token = world.vera.token
    ids = ["item.quotes", "tag.red", "role.auditor", "item.emoji", "tag.blue", "role.auditor"]
    # when
    answers = [await apps.both(counter, query, {"id": world[i]}, token=token) for i in ids]
    # then: a plan for items, one for tags, a refusal for roles, each made once
    assert len(compilations) == 3
    for name, (compiled, resolved) in zip(ids, answers, strict=True):
        assert_same_answer(compiled, resolved)
        if name.startswith("role."):
            assert_not_compiled(compiled)
        else:
            assert_compiled(compiled, token=token)


async def test_an_id_inside_a_fragment_is_compiled_into_a_plan_per_id(
    apps: Apps, world: World, counter: StatementCounter
) -> None:
    # given: the root field reads $id through a fragment on Query
    query = f"""# {uuid.uuid4()}
    query($id: ID!) {{ ...Root }}
    fragment Root on Query {{ item(id: $id) {{ title }} }}"""
    token = world.vera.token
    # when
    answers = [
        await apps.both(counter, query, {"id": world[i]}, token=token)
        for i in ("item.quotes", "item.emoji", "item.quotes")
    ]
    # then: each ID gets its own item
    titles = []
    for compiled, resolved in answers:
        assert_same_answer(compiled, resolved)
        assert_compiled(compiled, token=token)
        titles.append(resolved.json["data"]["item"]["title"])
    assert titles[0] == titles[2] != titles[1]


async def test_pages_beyond_either_end_are_empty_alike(
    apps: Apps, world: World, counter: StatementCounter
) -> None:
    # given: the cursors of the first and the last item by title
    token = world.vera.token
    whole, _ = await apps.both(
        counter,
        "{ items(first: 100, orderBy: [{field: TITLE}]) { edges { cursor } } }",
        token=token,
    )
    edges = whole.json["data"]["items"]["edges"]
    query = f"""query($after: String, $before: String) {{
      forward: items(first: 2, after: $after, orderBy: [{{field: TITLE}}]) {{ nodes {{ id }}
        {PAGE_INFO} }}
      backward: items(last: 2, before: $before, orderBy: [{{field: TITLE}}]) {{ nodes {{ id }}
        {PAGE_INFO} }}
    }}"""
    # when
    compiled, resolved = await apps.both(
        counter, query, {"after": edges[-1]["cursor"], "before": edges[0]["cursor"]}, token=token
    )
    # then
    assert_same_answer(compiled, resolved)
    assert_compiled(compiled, token=token)
    data = resolved.json["data"]
    assert data["forward"]["nodes"] == data["backward"]["nodes"] == []
    assert data["forward"]["pageInfo"]["hasPreviousPage"] is True
    assert data["backward"]["pageInfo"]["hasNextPage"] is True
