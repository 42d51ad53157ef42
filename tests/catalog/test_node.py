"""`node` and `nodes`: refetch any object by global ID; unknown or unseen IDs are null and
malformed ones a coded client error, never an internal one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

import models
from tests.catalog.conftest import Workspace, b64, error_codes
from tests.factories import Factory, gid

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Item { title organization { id } }
    ... on Tag { name color }
    ... on Organization { slug viewerRole }
    ... on User { email }
    ... on Membership { user { id } organization { id } role { name } }
    ... on Role { name rank isBuiltin permissions { code } }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id }
}
"""


@dataclass
class Graph:
    ws: Workspace
    item: models.Item
    tag: models.Tag
    membership: models.Membership
    viewer_role: uuid.UUID
    foreign_item: models.Item
    deleted_item: models.Item

    def ids(self) -> dict[str, str]:
        return {
            "item": gid("Item", self.item.id),
            "tag": gid("Tag", self.tag.id),
            "organization": self.ws.org_id,
            "user": self.ws.editor.id,
            "membership": gid("Membership", self.membership.id),
            "role": gid("Role", self.viewer_role),
            "foreign": gid("Item", self.foreign_item.id),
            "deleted": gid("Item", self.deleted_item.id),
            "unknown": gid("Item", uuid.uuid4()),
            "wrong-type": gid("Item", self.tag.id),
        }


@pytest.fixture
async def graph(factory: Factory, workspace: Workspace) -> Graph:
    org, owner = workspace.org, workspace.owner.user
    newcomer = await factory.user(email="newcomer@example.com")
    other_org = await factory.organization()
    return Graph(
        ws=workspace,
        item=await factory.item(owner, org, title="Lamp"),
        tag=await factory.tag(org, name="Urgent", color="#ff0000"),
        membership=await factory.membership(newcomer, org, "EDITOR"),
        viewer_role=await factory.role_id("VIEWER"),
        foreign_item=await factory.item((await factory.member(other_org)).user, other_org),
        deleted_item=await factory.item(owner, org, deleted_at=datetime.now(UTC)),
    )


VIEWER_PERMISSIONS = [
    {"code": f"{r}:read"} for r in ("item", "membership", "organization", "role", "tag")
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "item",
            lambda g: {"__typename": "Item", "title": "Lamp", "organization": {"id": g.ws.org_id}},
            id="Item",
        ),
        pytest.param(
            "tag", lambda g: {"__typename": "Tag", "name": "Urgent", "color": "#ff0000"}, id="Tag"
        ),
        pytest.param(
            "organization",
            lambda g: {"__typename": "Organization", "slug": "acme", "viewerRole": "VIEWER"},
            id="Organization",
        ),
        pytest.param(
            "user",
            lambda g: {"__typename": "User", "email": g.ws.editor.user.email},
            id="User",
        ),
        pytest.param(
            "membership",
            lambda g: {
                "__typename": "Membership",
                "user": {"id": gid("User", g.membership.user_id)},
                "organization": {"id": g.ws.org_id},
                "role": {"name": "EDITOR"},
            },
            id="Membership",
        ),
        pytest.param(
            "role",
            lambda g: {
                "__typename": "Role",
                "name": "VIEWER",
                "rank": 10,
                "isBuiltin": True,
                "permissions": VIEWER_PERMISSIONS,
            },
            id="Role",
        ),
    ],
)
async def test_node_resolves_each_type(gql, graph, name, expected):
    # given
    node_id = graph.ids()[name]
    # when
    body = await gql(NODE, {"id": node_id}, token=graph.ws.viewer.token)
    # then
    assert body == {"data": {"node": {"id": node_id, **expected(graph)}}}


@pytest.mark.parametrize(
    ("name", "token"),
    [
        pytest.param("unknown", "viewer", id="unknown-id"),
        pytest.param("wrong-type", "viewer", id="tag-pk-under-item-type"),
        pytest.param("foreign", "viewer", id="other-organizations-item"),
        pytest.param("deleted", "owner", id="soft-deleted-item"),
        pytest.param("item", None, id="anonymous"),
    ],
)
async def test_node_is_null_when_missing_or_unseen(gql, graph, name, token):
    # when
    body = await gql(
        NODE, {"id": graph.ids()[name]}, token=getattr(graph.ws, token).token if token else None
    )
    # then
    assert body == {"data": {"node": None}}


MALFORMED_IDS = [
    pytest.param("garbage", id="garbage"),
    pytest.param(b64("Nope:123"), id="unknown-type-and-pk"),
    pytest.param(b64(f"Nope:{uuid.UUID(int=1)}"), id="unknown-type"),
    pytest.param(b64("Item:123"), id="pk-not-a-uuid"),
    pytest.param(b64("Item"), id="no-separator"),
    pytest.param("", id="empty"),
    pytest.param("a" * 1001, id="bad-base64-length"),
    pytest.param("!!!!", id="not-base64"),
    pytest.param("__4", id="not-utf8"),
    pytest.param("ü" * 8, id="non-ascii"),
]


def assert_invalid_id(body: dict[str, Any], path: list[str]) -> None:
    assert error_codes(body) == ["INVALID_ID"]
    error = body["errors"][0]
    assert error["path"] == path
    assert error["message"] != "Internal error."
    assert "is not a valid ID" in error["message"]


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
async def test_node_with_a_malformed_id_is_a_coded_client_error(gql, graph, bad_id):
    # when: gql asserts HTTP 200
    body = await gql(NODE, {"id": bad_id}, token=graph.ws.owner.token)
    # then
    assert body["data"] == {"node": None}
    assert_invalid_id(body, ["node"])


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
async def test_nodes_with_a_malformed_id_is_a_coded_client_error(gql, graph, bad_id):
    # when
    body = await gql(NODES, {"ids": [graph.ids()["item"], bad_id]}, token=graph.ws.owner.token)
    # then
    assert body["data"] is None
    assert_invalid_id(body, ["nodes"])


async def test_nodes_keeps_order_and_nulls_what_is_missing(gql, graph):
    # given
    ids = graph.ids()
    names = [
        "tag", "unknown", "item", "foreign", "organization", "deleted", "user", "membership",
        "role", "wrong-type", "item",
    ]  # fmt: skip
    # when
    body = await gql(NODES, {"ids": [ids[n] for n in names]}, token=graph.ws.owner.token)
    # then
    typenames = {
        "tag": "Tag", "item": "Item", "organization": "Organization", "user": "User",
        "membership": "Membership", "role": "Role",
    }  # fmt: skip
    assert body == {
        "data": {
            "nodes": [
                {"__typename": typenames[n], "id": ids[n]} if n in typenames else None
                for n in names
            ]
        }
    }


async def test_nodes_of_an_empty_list_is_empty(gql, graph):
    # when
    body = await gql(NODES, {"ids": []}, token=graph.ws.owner.token)
    # then
    assert body == {"data": {"nodes": []}}


async def test_nodes_takes_at_most_one_hundred_ids(gql, graph):
    # given
    ids = [gid("Item", uuid.uuid4()) for _ in range(100)]
    # when
    hundred = await gql(NODES, {"ids": ids}, token=graph.ws.owner.token)
    too_many = await gql(NODES, {"ids": [*ids, graph.ids()["item"]]}, token=graph.ws.owner.token)
    # then
    assert hundred == {"data": {"nodes": [None] * 100}}
    assert too_many["data"] is None
    assert error_codes(too_many) == ["TOO_MANY_IDS"]
    assert too_many["errors"][0]["path"] == ["nodes"]
