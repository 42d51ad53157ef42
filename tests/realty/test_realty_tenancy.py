"""Cross-tenant isolation of the realty domain: alice (OWNER of A) sees and changes nothing of
organization B's properties, media, clients, interests and interactions, on any path.

The two-tenant world of tests/tenancy_helpers.py, plus a brokerage on each side. B's text
carries the ``Beta secret`` marker, so a response is scanned for leaks of any kind. Links
across tenants (A's client interested in B's property and the reverse) are made straight in
the database: the API cannot make them, and nested lists must scope their children anyway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from graph.kernel.ids import from_global_id
from models.realty import Client, Interaction, Property, PropertyMedia
from tests.factories import gid
from tests.realty.conftest import (
    add_interest,
    create_client,
    create_interaction,
    create_media,
    create_property,
)
from tests.tenancy_helpers import (
    SECRET_MARKERS,
    ById,
    Nested,
    Refused,
    Root,
    World,
    build_world,
    connection,
    gid_of,
    snapshot,
    value_at,
)

T0 = datetime(2026, 2, 1, 12, tzinfo=UTC)

TYPE_NAMES = {
    Property: "Property",
    PropertyMedia: "Media",
    Client: "Client",
    Interaction: "Interaction",
}


def rid(obj: Any) -> str:
    """The global ID of a realty row, or of an organization / member of the base world."""
    if type(obj) in TYPE_NAMES:
        return gid(TYPE_NAMES[type(obj)], obj.id)
    return gid_of(obj)


@dataclass
class RealtyWorld:
    base: World
    a_property: Property
    b_property: Property
    a_media: PropertyMedia
    b_media: PropertyMedia
    a_client: Client
    b_client: Client
    a_interaction: Interaction
    b_interaction: Interaction  # recorded in B by carol, who is a member of both

    def foreign_gids(self) -> set[str]:
        theirs = (self.b_property, self.b_media, self.b_client, self.b_interaction)
        return self.base.foreign_gids() | {rid(o) for o in theirs}


@pytest.fixture
async def world(factory, db) -> RealtyWorld:
    base = await build_world(factory, db)
    a_property = await create_property(
        db, base.org_a, title="Alpha loft", price=Decimal("100000"), city="Lisbon"
    )
    b_property = await create_property(
        db, base.org_b, title="Beta secret villa", address="Beta secret road",
        price=Decimal("100000"), city="Lisbon",
    )  # fmt: skip
    a_client = await create_client(db, base.org_a, name="Alpha client", lead_score=50)
    b_client = await create_client(
        db, base.org_b, name="Beta secret client", email="client@beta.example", lead_score=50
    )
    await add_interest(db, a_client, a_property, b_property)  # the second crosses tenants
    await add_interest(db, b_client, b_property, a_property)  # so does the second here
    return RealtyWorld(
        base=base,
        a_property=a_property,
        b_property=b_property,
        a_media=await create_media(db, a_property, url="alpha/front.jpg"),
        b_media=await create_media(db, b_property, url="beta/Beta secret.jpg"),
        a_client=a_client,
        b_client=b_client,
        a_interaction=await create_interaction(db, a_client, base.alice.user, occurred_at=T0),
        b_interaction=await create_interaction(
            db, b_client, base.carol.user, occurred_at=T0, notes="Beta secret notes"
        ),
    )


def assert_no_leak(body: dict[str, Any], world: RealtyWorld) -> None:
    text = json.dumps(body)
    leaked = [g for g in world.foreign_gids() if g in text]
    leaked += [m for m in SECRET_MARKERS if m in text]
    assert not leaked, f"B's data in the response: {leaked}\n{text}"


def _ids(*objs: Any) -> set[str]:
    return {rid(o) for o in objs}


# The helpers' case shapes, over this module's world (lambdas typed by these wrappers).
def root(field: str, visible: Any) -> Root:
    return Root(field, visible)


def by_id(type_name: str, theirs: Any, mine: Any) -> ById:
    return ById(type_name, theirs, mine)


def nested(doc: str, path: tuple[str, ...], visible: Any, parent: Any) -> Nested:
    return Nested(doc, path, visible, parent)


# ---------------------------------------------------------------------------------------------
# Root connections, their totalCount, and filters naming B's objects


def _root(field: str, filter_type: str) -> str:
    return f"""
query($filter: {filter_type}) {{
  {field}(filter: $filter, first: 100) {{ totalCount nodes {{ id }} }}
}}"""


ROOT_DOCS = {"properties": _root("properties", "PropertyFilter"),
             "clients": _root("clients", "ClientFilter")}  # fmt: skip
ROOTS = [
    root("properties", lambda w: _ids(w.a_property)),
    root("clients", lambda w: _ids(w.a_client)),
]


@pytest.mark.parametrize("root", ROOTS, ids=[r.field for r in ROOTS])
@pytest.mark.parametrize("who", ["alice", "anonymous"])
async def test_root_connection_lists_only_own_tenant(gql, world, root, who):
    # given
    token = world.base.alice.token if who == "alice" else None
    expected = root.visible(world) if who == "alice" else set()
    # when
    body = await gql(ROOT_DOCS[root.field], token=token)
    # then
    assert connection(body, (root.field,)) == (expected, len(expected))
    assert_no_leak(body, world)


ROOT_FILTERS = {
    "properties-by-organization": ("properties", "organization", "org_b", "org_a"),
    "properties-by-id": ("properties", "id", "b_property", "a_property"),
    "properties-by-city": ("properties", "city", None, None),
    "clients-by-organization": ("clients", "organization", "org_b", "org_a"),
    "clients-by-id": ("clients", "id", "b_client", "a_client"),
}


def _pick(world: RealtyWorld, name: str) -> Any:
    return getattr(world, name) if hasattr(world, name) else getattr(world.base, name)


@pytest.mark.parametrize(
    ("field", "column", "theirs", "mine"), ROOT_FILTERS.values(), ids=ROOT_FILTERS.keys()
)
async def test_root_filter_naming_other_tenant_finds_nothing(
    gql, world, field, column, theirs, mine
):
    # given
    if theirs is None:  # a value both tenants share: only A's row matches
        flt_theirs = flt_mine = {column: {"eq": "Lisbon"}}
    else:
        flt_theirs = {column: {"eq": rid(_pick(world, theirs))}}
        flt_mine = {column: {"eq": rid(_pick(world, mine))}}
    # when
    body_theirs = await gql(ROOT_DOCS[field], {"filter": flt_theirs}, token=world.base.alice.token)
    body_mine = await gql(ROOT_DOCS[field], {"filter": flt_mine}, token=world.base.alice.token)
    # then
    assert_no_leak(body_theirs, world)
    assert_no_leak(body_mine, world)
    if theirs is not None:
        assert connection(body_theirs, (field,)) == (set(), 0)
    found, total = connection(body_mine, (field,))
    assert len(found) == total == 1


# ---------------------------------------------------------------------------------------------
# By ID: node, nodes and the singular root fields

BY_ID = {
    "property": by_id("Property", lambda w: w.b_property, lambda w: w.a_property),
    "media": by_id("Media", lambda w: w.b_media, lambda w: w.a_media),
    "client": by_id("Client", lambda w: w.b_client, lambda w: w.a_client),
    "interaction": by_id("Interaction", lambda w: w.b_interaction, lambda w: w.a_interaction),
}  # fmt: skip
BY_ID_FIELDS = {"node": None, "property": "Property", "client": "Client"}
BY_ID_CASES = {
    f"{field}-{key}": (field, case)
    for field, only in BY_ID_FIELDS.items()
    for key, case in BY_ID.items()
    if only in (None, case.type_name)
}
BY_ID_DOCS = {
    field: f"""
query($mine: ID!, $theirs: ID!) {{
  mine: {field}(id: $mine) {{ __typename id }}
  theirs: {field}(id: $theirs) {{ __typename id }}
}}"""
    for field in BY_ID_FIELDS
}
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


@pytest.mark.parametrize(("field", "case"), BY_ID_CASES.values(), ids=BY_ID_CASES.keys())
async def test_by_id_of_other_tenant_is_null(gql, world, field, case):
    # given
    mine, theirs = rid(case.mine(world)), rid(case.theirs(world))
    # when
    body = await gql(
        BY_ID_DOCS[field], {"mine": mine, "theirs": theirs}, token=world.base.alice.token
    )
    # then
    assert body == {"data": {"mine": {"__typename": case.type_name, "id": mine}, "theirs": None}}


@pytest.mark.parametrize("case", BY_ID.values(), ids=BY_ID.keys())
async def test_nodes_of_other_tenant_are_null(gql, world, case):
    # given
    mine, theirs = rid(case.mine(world)), rid(case.theirs(world))
    # when
    body = await gql(NODES, {"ids": [theirs, mine, theirs]}, token=world.base.alice.token)
    # then
    assert body == {"data": {"nodes": [None, {"__typename": case.type_name, "id": mine}, None]}}


async def test_anonymous_gets_null_for_every_realty_node(gql, world):
    # given
    everything = [
        rid(o)
        for o in (world.a_property, world.b_property, world.a_media, world.b_media,
                  world.a_client, world.b_client, world.a_interaction, world.b_interaction)
    ]  # fmt: skip
    # when
    body = await gql(NODES, {"ids": everything})
    # then
    assert body == {"data": {"nodes": [None] * len(everything)}}


# ---------------------------------------------------------------------------------------------
# Nested connections


def _nested(parent: str, field: str, filter_type: str) -> str:
    return f"""
query($id: ID!, $filter: {filter_type}) {{
  node(id: $id) {{
    ... on {parent} {{ {field}(filter: $filter, first: 100) {{ totalCount nodes {{ id }} }} }}
  }}
}}"""


NESTED = {
    "organization.properties": nested(
        _nested("Organization", "properties", "PropertyFilter"), ("node", "properties"),
        lambda w: _ids(w.a_property), lambda w: w.base.org_a,
    ),
    "organization.clients": nested(
        _nested("Organization", "clients", "ClientFilter"), ("node", "clients"),
        lambda w: _ids(w.a_client), lambda w: w.base.org_a,
    ),
    "their-organization.properties": nested(
        _nested("Organization", "properties", "PropertyFilter"), ("node", "properties"),
        lambda w: set(), lambda w: w.base.org_b,
    ),
    "property.media": nested(
        _nested("Property", "media", "MediaFilter"), ("node", "media"),
        lambda w: _ids(w.a_media), lambda w: w.a_property,
    ),
    "property.interestedClients-cross-linked": nested(
        _nested("Property", "interestedClients", "ClientFilter"), ("node", "interestedClients"),
        lambda w: _ids(w.a_client), lambda w: w.a_property,
    ),
    "client.interestedProperties-cross-linked": nested(
        _nested("Client", "interestedProperties", "PropertyFilter"),
        ("node", "interestedProperties"),
        lambda w: _ids(w.a_property), lambda w: w.a_client,
    ),
    "client.interactions": nested(
        _nested("Client", "interactions", "InteractionFilter"), ("node", "interactions"),
        lambda w: _ids(w.a_interaction), lambda w: w.a_client,
    ),
    "their-client.interactions": nested(
        _nested("Client", "interactions", "InteractionFilter"), ("node", "interactions"),
        lambda w: set(), lambda w: w.b_client,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", NESTED.values(), ids=NESTED.keys())
async def test_nested_connection_shows_only_own_tenant(gql, world, case):
    # given
    variables = {"id": rid(case.parent(world))}
    # when
    body = await gql(case.doc, variables, token=world.base.alice.token)
    # then
    expected = case.visible(world)
    assert connection(body, case.path) == (expected, len(expected))
    assert_no_leak(body, world)


ROOT_WITH_EVERYTHING = """
query {
  organizations(first: 5) { nodes {
    properties(first: 10) { totalCount nodes { id organization { id }
      media(first: 5) { totalCount nodes { id url property { id } } }
      interestedClients(first: 5) { totalCount nodes { id name email } } } }
    clients(first: 10) { totalCount nodes { id organization { id }
      interestedProperties(first: 5) { totalCount nodes { id title address } }
      interactions(first: 5) { totalCount nodes { id notes client { id } user { id } } } } }
  } }
  properties(first: 10) { nodes { interestedClients(first: 5) { nodes { id name } } } }
  clients(first: 10) { nodes { interestedProperties(first: 5) { nodes { id title } } } }
}
"""


@pytest.mark.parametrize("who", ["alice", "carol"])
async def test_every_nested_path_from_the_roots_stays_in_the_tenant(gql, world, who):
    # given: carol belongs to both, so she sees both sides (the control case)
    member = getattr(world.base, who)
    # when
    body = await gql(ROOT_WITH_EVERYTHING, token=member.token)
    # then
    assert "errors" not in body
    if who == "alice":
        assert_no_leak(body, world)
        orgs = body["data"]["organizations"]["nodes"]
        assert [o["properties"]["totalCount"] for o in orgs] == [1]
        assert [len(o["clients"]["nodes"][0]["interactions"]["nodes"]) for o in orgs] == [1]
    else:
        text = json.dumps(body)
        assert rid(world.b_interaction) in text
        assert rid(world.a_interaction) in text


# ---------------------------------------------------------------------------------------------
# Mutations on B's objects: NotFoundError (never PermissionDenied), and nothing changes


def _mutation(name: str, input_type: str) -> str:
    return f"""
mutation($input: {input_type}!) {{
  {name}(input: $input) {{
    __typename
    ... on Error {{ message code path }}
    ... on NotFoundError {{ id }}
  }}
}}"""


def _r(name: str, input_type: str, path: list[str], make: Any) -> Refused:
    return Refused(name, input_type, path, make)


MUTATIONS = {
    "propertyCreate-their-organization": _r("propertyCreate", "PropertyCreateInput",
        ["organization"], lambda w: {"organization": rid(w.base.org_b), "title": "x",
                                     "address": "y", "price": "1"}),
    "propertyUpdate": _r("propertyUpdate", "PropertyUpdateInput", ["id"],
        lambda w: {"id": rid(w.b_property), "price": "0"}),
    "propertyDelete": _r("propertyDelete", "PropertyDeleteInput", ["id"],
        lambda w: {"id": rid(w.b_property)}),
    "mediaAdd-their-property": _r("mediaAdd", "MediaAddInput", ["property"],
        lambda w: {"property": rid(w.b_property), "type": "IMAGE", "url": "x.jpg"}),
    "mediaRemove": _r("mediaRemove", "MediaRemoveInput", ["id"],
        lambda w: {"id": rid(w.b_media)}),
    "clientCreate-their-organization": _r("clientCreate", "ClientCreateInput", ["organization"],
        lambda w: {"organization": rid(w.base.org_b), "name": "x"}),
    "clientCreate-their-property": _r("clientCreate", "ClientCreateInput",
        ["interestedProperties", "0"],
        lambda w: {"organization": rid(w.base.org_a), "name": "x",
                   "interestedProperties": [rid(w.b_property)]}),
    "clientUpdate": _r("clientUpdate", "ClientUpdateInput", ["id"],
        lambda w: {"id": rid(w.b_client), "leadScore": 0}),
    "clientDelete": _r("clientDelete", "ClientDeleteInput", ["id"],
        lambda w: {"id": rid(w.b_client)}),
    "clientInterestAdd-their-client": _r("clientInterestAdd", "ClientInterestInput", ["client"],
        lambda w: {"client": rid(w.b_client), "properties": [rid(w.a_property)]}),
    "clientInterestAdd-their-property": _r("clientInterestAdd", "ClientInterestInput",
        ["properties", "0"],
        lambda w: {"client": rid(w.a_client), "properties": [rid(w.b_property)]}),
    "clientInterestRemove-their-client": _r("clientInterestRemove", "ClientInterestInput",
        ["client"], lambda w: {"client": rid(w.b_client), "properties": [rid(w.b_property)]}),
    "clientInterestRemove-their-property": _r("clientInterestRemove", "ClientInterestInput",
        ["properties", "0"],
        lambda w: {"client": rid(w.a_client), "properties": [rid(w.b_property)]}),
    "interactionRecord-their-client": _r("interactionRecord", "InteractionRecordInput",
        ["client"], lambda w: {"client": rid(w.b_client), "type": "CALL"}),
    "interactionUpdate": _r("interactionUpdate", "InteractionUpdateInput", ["id"],
        lambda w: {"id": rid(w.b_interaction), "notes": "pwned"}),
    "interactionDelete": _r("interactionDelete", "InteractionDeleteInput", ["id"],
        lambda w: {"id": rid(w.b_interaction)}),
}  # fmt: skip
MUTATION_DOCS = {c.name: _mutation(c.name, c.input_type) for c in MUTATIONS.values()}


@pytest.mark.parametrize("case", MUTATIONS.values(), ids=MUTATIONS.keys())
async def test_mutation_on_other_tenant_is_not_found_and_changes_nothing(gql, db, world, case):
    # given
    data = case.input(world)
    foreign_id = value_at(data, case.path)
    before = await snapshot(db)
    # when
    body = await gql(MUTATION_DOCS[case.name], {"input": data}, token=world.base.alice.token)
    # then
    assert body["data"][case.name] == {
        "__typename": "NotFoundError",
        "message": f"{from_global_id(foreign_id)[0]} not found.",
        "code": "NOT_FOUND",
        "path": case.path,
        "id": foreign_id,
    }
    assert foreign_id in world.foreign_gids()
    assert await snapshot(db) == before
