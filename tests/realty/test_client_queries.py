"""Reading clients: nurture status and lead score filters, ordering by lead score and by last
contact (never-contacted clients last, paginated across them both ways), and the nested
interactions and interested properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.realty import InteractionType, NurtureStatus
from tests.catalog.conftest import Workspace
from tests.factories import gid
from tests.realty.conftest import add_interest, create_client, create_interaction, create_property

CLIENTS = """
query Clients($filter: ClientFilter, $orderBy: [ClientOrder!], $first: Int, $after: String,
              $last: Int, $before: String) {
  clients(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last,
          before: $before) {
    totalCount
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

CLIENT = """
query Client($id: ID!) {
  client(id: $id) {
    id name email phone leadScore nurtureStatus lastContactedAt
    organization { id }
    interactions { totalCount nodes { type notes outcome occurredAt client { id } user { id } } }
    interestedProperties { totalCount nodes { title } }
  }
}
"""

T0 = datetime(2026, 1, 10, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)

# name, nurture status, lead score, last contacted (None: never)
PEOPLE = [
    ("Ana", NurtureStatus.HOT, 90, T0 + 2 * HOUR),
    ("Bruno", NurtureStatus.WARM, 60, None),
    ("Carla", NurtureStatus.COLD, 10, T0),
    ("Diogo", NurtureStatus.HOT, 75, None),
    ("Eva", NurtureStatus.NEW, 60, T0 + HOUR),
    ("Filipe", NurtureStatus.WARM, 35, None),
]


@pytest.fixture
async def people(db, workspace: Workspace, factory) -> dict[str, Any]:
    found = {}
    for name, status, score, contacted in PEOPLE:
        found[name] = await create_client(
            db, workspace.org, name=name, nurture_status=status, lead_score=score,
            last_contacted_at=contacted,
        )  # fmt: skip
    other = await factory.organization()
    await create_client(db, other, name="Foreign Ana", nurture_status=NurtureStatus.HOT,
                        lead_score=90)  # fmt: skip
    return found


def names(body: dict[str, Any]) -> list[str]:
    return [n["name"] for n in body["data"]["clients"]["nodes"]]


BY_NAME = [{"field": "NAME"}]

FILTERS = {
    "nurture-eq": ({"nurtureStatus": {"eq": "HOT"}}, ["Ana", "Diogo"]),
    "nurture-in": ({"nurtureStatus": {"in": ["WARM", "COLD"]}}, ["Bruno", "Carla", "Filipe"]),
    "lead-score-range": (
        {"leadScore": {"gte": 35, "lte": 75}}, ["Bruno", "Diogo", "Eva", "Filipe"]
    ),
    "lead-score-at-least": ({"leadScore": {"gte": 76}}, ["Ana"]),
    "never-contacted": ({"lastContactedAt": {"isNull": True}}, ["Bruno", "Diogo", "Filipe"]),
    "contacted-since": (
        {"lastContactedAt": {"gte": (T0 + HOUR).isoformat()}}, ["Ana", "Eva"]
    ),
    "hot-and-high-score": (
        {"nurtureStatus": {"in": ["HOT", "WARM"]}, "leadScore": {"gte": 60}},
        ["Ana", "Bruno", "Diogo"],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("flt", "expected"), FILTERS.values(), ids=FILTERS.keys())
async def test_client_filters(gql, workspace, people, flt, expected):
    # when
    body = await gql(CLIENTS, {"filter": flt, "orderBy": BY_NAME}, token=workspace.viewer.token)
    # then
    assert names(body) == expected
    assert body["data"]["clients"]["totalCount"] == len(expected)


ORDERS = {
    # ties (Bruno and Eva at 60) break by id, i.e. creation order here
    "lead-score-desc": (
        [{"field": "LEAD_SCORE", "direction": "DESC"}],
        ["Ana", "Diogo", "Bruno", "Eva", "Filipe", "Carla"],
    ),
    "lead-score-asc": (
        [{"field": "LEAD_SCORE", "direction": "ASC"}],
        ["Carla", "Filipe", "Bruno", "Eva", "Diogo", "Ana"],
    ),
    "last-contacted-desc-nulls-last": (
        [{"field": "LAST_CONTACTED_AT", "direction": "DESC"}],
        ["Ana", "Eva", "Carla", "Bruno", "Diogo", "Filipe"],
    ),
    "last-contacted-asc-nulls-last": (
        [{"field": "LAST_CONTACTED_AT", "direction": "ASC"}],
        ["Carla", "Eva", "Ana", "Bruno", "Diogo", "Filipe"],
    ),
    "nulls-last-then-lead-score": (
        [{"field": "LAST_CONTACTED_AT", "direction": "DESC"},
         {"field": "LEAD_SCORE", "direction": "DESC"}],
        ["Ana", "Eva", "Carla", "Diogo", "Bruno", "Filipe"],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("order", "expected"), ORDERS.values(), ids=ORDERS.keys())
async def test_client_orderings(gql, workspace, people, order, expected):
    # when
    body = await gql(CLIENTS, {"orderBy": order}, token=workspace.viewer.token)
    # then
    assert names(body) == _tie_break(people, expected, order)


def _tie_break(people: dict[str, Any], expected: list[str], order: list[Any]) -> list[str]:
    """The expected order with equal-key runs sorted by id, as the server breaks ties."""
    fields = [o["field"] for o in order]
    key_of = {
        "LEAD_SCORE": lambda p: p.lead_score,
        "LAST_CONTACTED_AT": lambda p: p.last_contacted_at,
    }

    def key(name: str) -> tuple[Any, ...]:
        return tuple(key_of[f](people[name]) for f in fields)

    result: list[str] = []
    run: list[str] = []
    for name in expected:
        if run and key(run[-1]) != key(name):
            result += sorted(run, key=lambda n: people[n].id)
            run = []
        run.append(name)
    return result + sorted(run, key=lambda n: people[n].id)


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_pages_by_last_contact_cross_the_never_contacted_both_ways(
    gql, workspace, people, direction
):
    # given: three contacted clients, then three never contacted, two per page
    order = [{"field": "LAST_CONTACTED_AT", "direction": direction}]
    everyone = names(await gql(CLIENTS, {"orderBy": order}, token=workspace.viewer.token))
    forward: list[list[str]] = []
    variables: dict[str, Any] = {"orderBy": order, "first": 2}
    # when: forward
    while True:
        body = await gql(CLIENTS, variables, token=workspace.viewer.token)
        forward.append(names(body))
        info = body["data"]["clients"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        variables["after"] = info["endCursor"]
    # and backward from the end
    backward: list[list[str]] = []
    variables = {"orderBy": order, "last": 2}
    while True:
        body = await gql(CLIENTS, variables, token=workspace.viewer.token)
        backward.insert(0, names(body))
        info = body["data"]["clients"]["pageInfo"]
        if not info["hasPreviousPage"]:
            break
        variables["before"] = info["startCursor"]
    # then
    assert len(everyone) == 6
    assert everyone[3:] == sorted(everyone[3:], key=lambda n: people[n].id)  # NULLs, by id
    assert {people[n].last_contacted_at for n in everyone[3:]} == {None}
    assert forward == [everyone[0:2], everyone[2:4], everyone[4:6]]
    assert backward == [everyone[0:2], everyone[2:4], everyone[4:6]]


async def test_client_by_id_with_interactions_and_interests(gql, db, workspace):
    # given
    client = await create_client(
        db, workspace.org, name="Ana", email="ana@example.com", phone="+351 910 000 000",
        lead_score=80, nurture_status=NurtureStatus.HOT, last_contacted_at=T0 + HOUR,
    )  # fmt: skip
    await create_interaction(db, client, workspace.editor.user, occurred_at=T0, notes="Hi")
    await create_interaction(
        db, client, workspace.owner.user, occurred_at=T0 + HOUR, type=InteractionType.MEETING,
        outcome="Offer soon",
    )  # fmt: skip
    await add_interest(db, client, await create_property(db, workspace.org, title="Loft"))
    client_id = gid("Client", client.id)
    # when
    body = await gql(CLIENT, {"id": client_id}, token=workspace.viewer.token)
    # then: interactions newest first
    assert body == {
        "data": {
            "client": {
                "id": client_id, "name": "Ana", "email": "ana@example.com",
                "phone": "+351 910 000 000", "leadScore": 80, "nurtureStatus": "HOT",
                "lastContactedAt": (T0 + HOUR).isoformat(),
                "organization": {"id": workspace.org_id},
                "interactions": {"totalCount": 2, "nodes": [
                    {"type": "MEETING", "notes": None, "outcome": "Offer soon",
                     "occurredAt": (T0 + HOUR).isoformat(), "client": {"id": client_id},
                     "user": {"id": workspace.owner.id}},
                    {"type": "CALL", "notes": "Hi", "outcome": None,
                     "occurredAt": T0.isoformat(), "client": {"id": client_id},
                     "user": {"id": workspace.editor.id}},
                ]},
                "interestedProperties": {"totalCount": 1, "nodes": [{"title": "Loft"}]},
            }
        }
    }  # fmt: skip


async def test_nested_interactions_filter_and_order(gql, db, workspace):
    # given
    client = await create_client(db, workspace.org)
    for i, kind in enumerate((InteractionType.CALL, InteractionType.EMAIL, InteractionType.CALL)):
        await create_interaction(
            db, client, workspace.owner.user, type=kind, occurred_at=T0 + i * HOUR, notes=str(i)
        )
    # when
    body = await gql(
        """query($id: ID!) { client(id: $id) {
             interactions(filter: {type: {eq: CALL}}, orderBy: [{field: OCCURRED_AT}]) {
               nodes { notes } } } }""",
        {"id": gid("Client", client.id)},
        token=workspace.viewer.token,
    )
    # then
    assert body["data"]["client"]["interactions"]["nodes"] == [{"notes": "0"}, {"notes": "2"}]


async def test_organization_clients(gql, workspace, people):
    # when
    body = await gql(
        """query($id: ID!) { node(id: $id) { ... on Organization {
             clients(filter: {nurtureStatus: {eq: HOT}}, orderBy: [{field: NAME}]) {
               totalCount nodes { name } } } } }""",
        {"id": workspace.org_id},
        token=workspace.viewer.token,
    )
    # then
    assert body["data"]["node"]["clients"] == {
        "totalCount": 2,
        "nodes": [{"name": "Ana"}, {"name": "Diogo"}],
    }


async def test_interaction_user_outside_the_organization_is_null(gql, db, factory, workspace):
    # given: the user who recorded it has left every organization the viewer shares
    outsider = await factory.user()
    client = await create_client(db, workspace.org)
    await create_interaction(db, client, outsider, occurred_at=T0)
    # when
    body = await gql(
        "query($id: ID!) { client(id: $id) { interactions { nodes { user { id } } } } }",
        {"id": gid("Client", client.id)},
        token=workspace.viewer.token,
    )
    # then
    assert body["data"]["client"]["interactions"]["nodes"] == [{"user": None}]
