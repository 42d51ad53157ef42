"""Change history through the public API: each node's `history`, the audit log, what the
change log stores (and never stores), that refused work leaves no trace, positions in
commit order, and tenancy (statement counts: test_history_statement_counts.py)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

import models
from graph.auth import authenticate, hash_token
from graph.context import Context
from graph.kernel.ids import NODE_TYPES as REGISTERED_NODE_TYPES
from graph.kernel.ids import from_global_id
from resolvers.writes import writing
from tests.conftest import row_count
from tests.factories import gid
from tests.history.conftest import create_item, update_item
from tests.tenancy_helpers import assert_no_leak

CHANGE_FIELDS = """
  cursor entityType entityId action at
  fields { field old new }
  actor { id }
  actorApiKey { id }
"""

ITEM_HISTORY = f"""
query ItemHistory($id: ID!, $filter: ChangeFilter, $first: Int, $after: String) {{
  item(id: $id) {{
    history(filter: $filter, first: $first, after: $after) {{
      nodes {{ {CHANGE_FIELDS} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""

NODE_HISTORY = f"""
query NodeHistory($id: ID!) {{
  node(id: $id) {{ id history {{ nodes {{ {CHANGE_FIELDS} }} }} }}
}}
"""

AUDIT_LOG = f"""
query AuditLog($organization: ID!, $filter: ChangeFilter, $first: Int) {{
  auditLog(organization: $organization, filter: $filter, first: $first) {{
    nodes {{ {CHANGE_FIELDS} }}
  }}
}}
"""

ITEM_TAGS_ADD = """
mutation ItemTagsAdd($input: ItemTagsInput!) {
  itemTagsAdd(input: $input) { __typename }
}
"""

ITEM_TAGS_REMOVE = """
mutation ItemTagsRemove($input: ItemTagsInput!) {
  itemTagsRemove(input: $input) { __typename }
}
"""

TAG_CREATE = """
mutation TagCreate($input: TagCreateInput!) {
  tagCreate(input: $input) {
    __typename
    ... on ValidationError { fields { path code } }
  }
}
"""

ITEM_DELETE = """
mutation ItemDelete($input: ItemDeleteInput!) {
  itemDelete(input: $input) { __typename }
}
"""

REGISTER = """
mutation Register($input: UserRegisterInput!) {
  userRegister(input: $input) { __typename }
}
"""

LOGIN = """
mutation Login($input: AuthLoginInput!) {
  authLogin(input: $input) {
    __typename
    ... on AuthTokens { accessToken refreshToken }
  }
}
"""

REFRESH = """
mutation Refresh($input: AuthRefreshInput!) {
  authRefresh(input: $input) {
    __typename
    ... on AuthTokens { accessToken refreshToken }
  }
}
"""

API_KEY_CREATE = """
mutation ApiKeyCreate($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    __typename
    ... on ApiKeyCreateSuccess { secret }
  }
}
"""

MEMBERSHIP_CREATE = """
mutation MembershipCreate($input: MembershipCreateInput!) {
  membershipCreate(input: $input) {
    __typename
    ... on MembershipSuccess { membership { id } }
  }
}
"""

MEMBERSHIP_ROLE_CHANGE = """
mutation MembershipRoleChange($input: MembershipRoleChangeInput!) {
  membershipRoleChange(input: $input) { __typename }
}
"""

MEMBERSHIP_DELETE = """
mutation MembershipDelete($input: MembershipDeleteInput!) {
  membershipDelete(input: $input) { __typename }
}
"""

ORGANIZATION_UPDATE = """
mutation OrganizationUpdate($input: OrganizationUpdateInput!) {
  organizationUpdate(input: $input) { __typename }
}
"""

NODE_TYPES = """
query NodeTypes {
  __type(name: "Node") {
    possibleTypes {
      name
      fields { name args { name } type { kind ofType { name } } }
    }
  }
}
"""


def raw(global_id: str) -> str:
    """The primary key behind a global ID, as the change log stores references."""
    return str(from_global_id(global_id)[1])


def fields_of(change: dict[str, Any]) -> dict[str, list[Any]]:
    """A change's fields as {field: [old, new]} (the order of fields is not specified)."""
    return {f["field"]: [f["old"], f["new"]] for f in change["fields"]}


def summary(change: dict[str, Any]) -> tuple[str, str, str | None]:
    return change["entityType"], change["action"], (change["actor"] or {}).get("id")


def error_codes(body: dict[str, Any]) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def history(gql, token: str, item_id: str, **variables: Any) -> dict[str, Any]:
    body = await gql(ITEM_HISTORY, {"id": item_id, **variables}, token=token)
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["item"]["history"]
    return connection


async def audit_log(gql, token: str, organization: str, **variables: Any) -> dict[str, Any]:
    return await gql(AUDIT_LOG, {"organization": organization, **variables}, token=token)


async def change_log_count(db) -> int:
    return await row_count(db, "change_log")


# ---------------------------------------------------------------------------------------------
# (1) An item's life, newest first


async def test_item_history_records_create_update_tag_and_delete(gql, factory, workspace):
    # given
    editor, org_id = workspace.editor, workspace.org_id
    tag = await factory.tag(workspace.org, name="red")
    item = await create_item(gql, editor.token, org_id, "Lamp")
    item_id = item["id"]
    updated = await update_item(gql, editor.token, item_id, title="Big lamp")
    assert updated["__typename"] == "ItemSuccess"
    tagged = await gql(
        ITEM_TAGS_ADD,
        {"input": {"item": item_id, "tags": [gid("Tag", tag.id)]}},
        token=editor.token,
    )
    assert tagged == {"data": {"itemTagsAdd": {"__typename": "ItemSuccess"}}}
    # when
    before_delete = (await history(gql, editor.token, item_id))["nodes"]
    deleted = await gql(ITEM_DELETE, {"input": {"id": item_id}}, token=editor.token)
    after_delete = await audit_log(
        gql, workspace.owner.token, org_id, filter={"entityType": {"eq": "Item"}}
    )
    # then
    assert [summary(c) for c in before_delete] == [
        ("Item", "UPDATE", editor.id),
        ("Item", "UPDATE", editor.id),
        ("Item", "CREATE", editor.id),
    ]
    tag_change, title_change, create_change = before_delete
    assert fields_of(tag_change) == {"tags": [None, [str(tag.id)]]}
    assert fields_of(title_change) == {"title": ["Lamp", "Big lamp"]}
    at = create_change["at"]
    assert fields_of(create_change) == {
        "id": [None, raw(item_id)],
        "ownerId": [None, str(editor.user.id)],
        "organizationId": [None, str(workspace.org.id)],
        "title": [None, "Lamp"],
        "type": [None, "generic"],
        "description": [None, None],
        "metaData": [None, {}],
        "createdAt": [None, at],
        "updatedAt": [None, at],
        "deletedAt": [None, None],
        "archivedAt": [None, None],
    }
    assert {c["entityId"] for c in before_delete} == {item_id}
    assert deleted == {"data": {"itemDelete": {"__typename": "ItemDeleteSuccess"}}}
    assert await gql(NODE_HISTORY, {"id": item_id}, token=editor.token) == {"data": {"node": None}}
    changes = after_delete["data"]["auditLog"]["nodes"]
    assert [c["entityId"] for c in changes] == [item_id] * 4
    assert changes[1:] == before_delete
    delete_change = changes[0]
    assert summary(delete_change) == ("Item", "DELETE", editor.id)
    deleted_at = fields_of(delete_change)
    assert list(deleted_at) == ["deletedAt"]
    assert deleted_at["deletedAt"][0] is None
    # set by the application clock during the transaction, so no earlier than its start
    assert datetime.fromisoformat(deleted_at["deletedAt"][1]) >= datetime.fromisoformat(
        delete_change["at"]
    )
    cursors = [int(c["cursor"]) for c in changes]
    assert cursors == sorted(set(cursors), reverse=True)  # strictly decreasing
    stamps = [datetime.fromisoformat(c["at"]) for c in changes]
    assert stamps == sorted(stamps, reverse=True)


async def test_history_through_node_equals_history_through_item(gql, workspace):
    # given
    item_id = (await create_item(gql, workspace.editor.token, workspace.org_id, "Lamp"))["id"]
    await update_item(gql, workspace.owner.token, item_id, description="Bright")
    # when
    by_node = await gql(NODE_HISTORY, {"id": item_id}, token=workspace.viewer.token)
    by_item = await history(gql, workspace.viewer.token, item_id)
    # then
    assert by_node["data"]["node"]["history"]["nodes"] == by_item["nodes"]
    assert [summary(c) for c in by_item["nodes"]] == [
        ("Item", "UPDATE", workspace.owner.id),
        ("Item", "CREATE", workspace.editor.id),
    ]


# ---------------------------------------------------------------------------------------------
# (2) Filters and pages


@pytest.fixture
async def edited_item(gql, workspace) -> str:
    """An item created by the editor, then retitled by owner, editor, owner, editor."""
    editor, owner = workspace.editor, workspace.owner
    item_id = (await create_item(gql, editor.token, workspace.org_id, "v0"))["id"]
    for n, member in enumerate((owner, editor, owner, editor), start=1):
        payload = await update_item(gql, member.token, item_id, title=f"v{n}")
        assert payload["__typename"] == "ItemSuccess", payload
    return item_id


def titles(changes: list[dict[str, Any]]) -> list[list[Any]]:
    return [fields_of(c).get("title", [None, None]) for c in changes]


@pytest.mark.parametrize(
    ("make_filter", "expected"),
    [
        pytest.param(
            lambda w: {"action": {"eq": "UPDATE"}},
            [["v3", "v4"], ["v2", "v3"], ["v1", "v2"], ["v0", "v1"]],
            id="action-eq-update",
        ),
        pytest.param(lambda w: {"action": {"eq": "CREATE"}}, [[None, "v0"]], id="action-eq-create"),
        pytest.param(lambda w: {"action": {"eq": "DELETE"}}, [], id="action-eq-delete"),
        pytest.param(lambda w: {"action": {"ne": "UPDATE"}}, [[None, "v0"]], id="action-ne-update"),
        pytest.param(
            lambda w: {"actor": {"eq": w.owner.id}},
            [["v2", "v3"], ["v0", "v1"]],
            id="actor-owner",
        ),
        pytest.param(
            lambda w: {"actor": {"eq": w.editor.id}},
            [["v3", "v4"], ["v1", "v2"], [None, "v0"]],
            id="actor-editor",
        ),
        pytest.param(
            lambda w: {"actor": {"eq": w.editor.id}, "action": {"eq": "UPDATE"}},
            [["v3", "v4"], ["v1", "v2"]],
            id="actor-editor-and-update",
        ),
        pytest.param(lambda w: {"actor": {"eq": w.viewer.id}}, [], id="actor-without-changes"),
    ],
)
async def test_history_filter(gql, workspace, edited_item, make_filter, expected):
    # when
    page = await history(gql, workspace.viewer.token, edited_item, filter=make_filter(workspace))
    # then
    assert titles(page["nodes"]) == expected


async def test_history_filter_by_actor_names_the_actor(gql, workspace, edited_item):
    # when
    page = await history(
        gql, workspace.viewer.token, edited_item, filter={"actor": {"eq": workspace.owner.id}}
    )
    # then
    assert [c["actor"] for c in page["nodes"]] == [{"id": workspace.owner.id}] * 2


async def test_history_pages_forward_newest_first(gql, workspace, edited_item):
    # when
    token, pages, after = workspace.viewer.token, [], None
    while True:
        page = await history(gql, token, edited_item, first=2, after=after)
        pages.append((titles(page["nodes"]), page["pageInfo"]["hasNextPage"]))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert pages == [
        ([["v3", "v4"], ["v2", "v3"]], True),
        ([["v1", "v2"], ["v0", "v1"]], True),
        ([[None, "v0"]], False),
    ]


async def test_history_names_the_api_key_only_to_its_owner(gql, workspace):
    # given: the editor changes an item with an API key
    editor = workspace.editor
    key = await gql(
        API_KEY_CREATE, {"input": {"name": "ci", "scopes": ["READ", "WRITE"]}}, token=editor.token
    )
    secret = key["data"]["apiKeyCreate"]["secret"]
    item_id = (await create_item(gql, editor.token, workspace.org_id, "Lamp"))["id"]
    assert (await update_item(gql, secret, item_id, title="By key"))["__typename"] == "ItemSuccess"
    keys = await gql("query { apiKeys { nodes { id } } }", token=editor.token)
    key_id = keys["data"]["apiKeys"]["nodes"][0]["id"]
    # when
    as_editor = (await history(gql, editor.token, item_id, first=1))["nodes"][0]
    as_owner = (await history(gql, workspace.owner.token, item_id, first=1))["nodes"][0]
    # then
    assert (as_editor["actor"], as_editor["actorApiKey"]) == ({"id": editor.id}, {"id": key_id})
    assert (as_owner["actor"], as_owner["actorApiKey"]) == ({"id": editor.id}, None)


async def test_an_update_that_changes_nothing_records_nothing(gql, db, workspace):
    # given
    item_id = (await create_item(gql, workspace.editor.token, workspace.org_id, "Lamp"))["id"]
    # when
    payload = await update_item(gql, workspace.editor.token, item_id, title="Lamp")
    # then
    assert payload["__typename"] == "ItemSuccess"
    assert await change_log_count(db) == 1


@pytest.fixture
async def tagged_item(gql, factory, workspace) -> tuple[str, str, str]:
    """(item, attached tag, unattached tag) global IDs; the item has two changes so far."""
    attached = gid("Tag", (await factory.tag(workspace.org, name="red")).id)
    other = gid("Tag", (await factory.tag(workspace.org, name="blue")).id)
    item_id = (await create_item(gql, workspace.editor.token, workspace.org_id, "Lamp"))["id"]
    body = await gql(
        ITEM_TAGS_ADD,
        {"input": {"item": item_id, "tags": [attached]}},
        token=workspace.editor.token,
    )
    assert body == {"data": {"itemTagsAdd": {"__typename": "ItemSuccess"}}}
    return item_id, attached, other


async def test_attaching_an_attached_tag_records_nothing(gql, db, workspace, tagged_item):
    # given
    item_id, attached, _ = tagged_item
    # when
    body = await gql(
        ITEM_TAGS_ADD,
        {"input": {"item": item_id, "tags": [attached]}},
        token=workspace.editor.token,
    )
    # then
    assert body == {"data": {"itemTagsAdd": {"__typename": "ItemSuccess"}}}
    assert await change_log_count(db) == 2


async def test_removing_an_unattached_tag_records_nothing(gql, db, workspace, tagged_item):
    # given
    item_id, _, other = tagged_item
    # when
    body = await gql(
        ITEM_TAGS_REMOVE,
        {"input": {"item": item_id, "tags": [other]}},
        token=workspace.editor.token,
    )
    # then
    assert body == {"data": {"itemTagsRemove": {"__typename": "ItemSuccess"}}}
    assert await change_log_count(db) == 2


async def test_removing_a_tag_records_which_tag(gql, factory, workspace, tagged_item):
    # given
    item_id, attached, _ = tagged_item
    # when
    body = await gql(
        ITEM_TAGS_REMOVE,
        {"input": {"item": item_id, "tags": [attached]}},
        token=workspace.editor.token,
    )
    # then
    assert body == {"data": {"itemTagsRemove": {"__typename": "ItemSuccess"}}}
    change = (await history(gql, workspace.editor.token, item_id, first=1))["nodes"][0]
    assert summary(change) == ("Item", "UPDATE", workspace.editor.id)
    old, new = fields_of(change)["tags"]
    assert raw(attached) in json.dumps(old)
    assert new is None


# ---------------------------------------------------------------------------------------------
# (3) Secrets are never recorded


async def test_change_log_holds_no_secret(gql, db, sql):
    # given: an account registered, signed in, its tokens refreshed, and an API key made
    email, password = "ada@example.com", "s3cret-pass-phrase"
    registered = await gql(REGISTER, {"input": {"email": email, "password": password}})
    assert registered == {"data": {"userRegister": {"__typename": "UserRegisterSuccess"}}}
    login = (await gql(LOGIN, {"input": {"email": email, "password": password}}))["data"]
    tokens = login["authLogin"]
    refreshed = await gql(REFRESH, {"input": {"refreshToken": tokens["refreshToken"]}})
    new_tokens = refreshed["data"]["authRefresh"]
    assert new_tokens["__typename"] == "AuthTokens", refreshed
    key = await gql(API_KEY_CREATE, {"input": {"name": "ci"}}, token=new_tokens["accessToken"])
    secret = key["data"]["apiKeyCreate"]["secret"]
    password_hashes = [r[0] for r in await sql("SELECT password_hash FROM users")]
    session_hashes = [
        h for r in await sql("SELECT token_hash, refresh_token_hash FROM auth_sessions") for h in r
    ]
    key_hashes = [r[0] for r in await sql("SELECT key_hash FROM api_keys")]
    # when
    rows = await sql("SELECT entity_type, changes::text FROM change_log")
    # then: every write was recorded (register, login, refresh, key), none of its secrets
    assert sorted(r[0] for r in rows) == [
        "ApiKey", "AuthSession", "AuthSession", "User", "User"
    ]  # fmt: skip
    log_text = "\n".join(r[1] for r in rows)
    plaintext = [
        password,
        tokens["accessToken"],
        tokens["refreshToken"],
        new_tokens["accessToken"],
        new_tokens["refreshToken"],
        secret,
    ]
    rotated = [hash_token(t) for t in (tokens["accessToken"], tokens["refreshToken"])]
    hashes = [*password_hashes, *session_hashes, *key_hashes, *rotated]
    assert len(hashes) == 1 + 2 + 1 + 2
    assert all(hashes)
    assert [s for s in (*plaintext, *hashes) if s in log_text] == []
    assert "hash" not in log_text
    assert "argon2" not in log_text


# ---------------------------------------------------------------------------------------------
# (4) Refused work leaves no history


@pytest.mark.parametrize(
    ("who", "make_values", "refusal"),
    [
        pytest.param(
            "editor",
            lambda seen: {"title": "   "},
            {"__typename": "ValidationError", "code": "VALIDATION"},
            id="blank-title",
        ),
        pytest.param(
            "editor",
            lambda seen: {"title": "x" * 501},
            {"__typename": "ValidationError", "code": "VALIDATION"},
            id="title-too-long",
        ),
        pytest.param(
            "editor",
            lambda seen: {"title": "New", "updatedAt": seen["updatedAt"]},
            {"__typename": "ConflictError", "code": "CONFLICT"},
            id="stale-updated-at",
        ),
        pytest.param(
            "viewer",
            lambda seen: {"title": "New"},
            {"__typename": "PermissionDeniedError", "code": "PERMISSION_DENIED"},
            id="permission-denied",
        ),
    ],
)
async def test_refused_item_update_leaves_no_history(gql, db, workspace, who, make_values, refusal):
    # given: an item created, then changed after its first read
    seen = await create_item(gql, workspace.editor.token, workspace.org_id, "Old")
    fresh = await update_item(gql, workspace.editor.token, seen["id"], description="d")
    assert fresh["item"]["updatedAt"] != seen["updatedAt"]
    assert await change_log_count(db) == 2
    # when
    payload = await update_item(gql, getattr(workspace, who).token, seen["id"], **make_values(seen))
    # then
    assert payload == refusal
    assert await change_log_count(db) == 2
    assert titles((await history(gql, workspace.owner.token, seen["id"]))["nodes"]) == [
        [None, None],
        [None, "Old"],
    ]


async def test_a_mutation_refused_by_a_unique_constraint_leaves_no_history(gql, db, workspace):
    # given
    created = await gql(
        TAG_CREATE,
        {"input": {"organization": workspace.org_id, "name": "red"}},
        token=workspace.editor.token,
    )
    assert created == {"data": {"tagCreate": {"__typename": "TagSuccess"}}}
    # when
    body = await gql(
        TAG_CREATE,
        {"input": {"organization": workspace.org_id, "name": "RED"}},
        token=workspace.editor.token,
    )
    # then
    assert body == {
        "data": {
            "tagCreate": {
                "__typename": "ValidationError",
                "fields": [{"path": ["name"], "code": "ALREADY_EXISTS"}],
            }
        }
    }
    assert await row_count(db, "tags") == 1
    assert await change_log_count(db) == 1


class Rollback(Exception):
    """Raised inside a write to abandon it."""


async def write_item(db, member, organization, *, fail: bool) -> models.Item:
    """Create an item through the write path itself, as the member; with ``fail``, raise
    after the insert and the queued change, inside the transaction."""
    viewer = await authenticate(db.reader, member.token)
    info = SimpleNamespace(context=Context(db=db, viewer=viewer))
    async with writing(info) as writer:  # type: ignore[arg-type]
        item = await writer.create(
            models.Item(
                owner_id=member.user.id,
                organization_id=organization.id,
                title="Written",
                meta_data={},
            )
        )
        in_transaction = await writer.session.scalar(select(func.count()).select_from(models.Item))
        assert (in_transaction, len(writer.changes)) == (1, 1)
        if fail:
            raise Rollback
    return item


async def test_a_write_that_fails_after_writing_records_nothing(db, workspace):
    # when
    with pytest.raises(Rollback):
        await write_item(db, workspace.editor, workspace.org, fail=True)
    # then
    assert await row_count(db, "items") == 0
    assert await change_log_count(db) == 0


async def test_a_write_that_ends_normally_records_its_change(db, sql, workspace):
    # given: the same as above without the failure, so that test cannot pass vacuously
    # when
    item = await write_item(db, workspace.editor, workspace.org, fail=False)
    # then
    assert await row_count(db, "items") == 1
    rows = await sql("SELECT entity_type, entity_id, action::text, actor_user_id FROM change_log")
    assert rows == [("Item", item.id, "create", workspace.editor.user.id)]


# ---------------------------------------------------------------------------------------------
# (5) Positions under concurrency


async def test_concurrent_mutations_get_unique_consecutive_positions(gql, workspace, sql):
    # given
    tokens = [workspace.owner.token, workspace.editor.token]
    # when
    created = await asyncio.gather(
        *(create_item(gql, tokens[n % 2], workspace.org_id, f"Item {n}") for n in range(20))
    )
    # then
    rows = await sql("SELECT position, entity_id::text FROM change_log ORDER BY position")
    positions = [r[0] for r in rows]
    assert len(positions) == 20
    assert len(set(positions)) == 20
    assert positions == list(range(positions[0], positions[0] + 20))
    assert sorted(r[1] for r in rows) == sorted(raw(i["id"]) for i in created)


async def test_concurrent_updates_of_one_item_chain_in_position_order(gql, workspace):
    # given: the row lock serialises the updates, so in commit order each one's old title
    # is the previous one's new title; positions must follow that order
    item_id = (await create_item(gql, workspace.editor.token, workspace.org_id, "t0"))["id"]
    tokens = [workspace.owner.token, workspace.editor.token]
    # when
    payloads = await asyncio.gather(
        *(update_item(gql, tokens[n % 2], item_id, title=f"t{n}") for n in range(1, 11))
    )
    # then
    assert {p["__typename"] for p in payloads} == {"ItemSuccess"}
    changes = (await history(gql, workspace.owner.token, item_id, first=20))["nodes"]
    chain = [fields_of(c)["title"] for c in reversed(changes)]
    assert len(chain) == 11
    assert [old for old, _ in chain[1:]] == [new for _, new in chain[:-1]]
    assert sorted(new for _, new in chain) == sorted(f"t{n}" for n in range(11))


# ---------------------------------------------------------------------------------------------
# (6) The audit log


@pytest.fixture
async def audited(gql, factory, workspace) -> dict[str, Any]:
    """Changes of several kinds in the workspace's organization: an item is created, a member
    is added and promoted, the organization is renamed, the member is removed."""
    admin = await factory.member(workspace.org, "ADMIN")
    newcomer = await factory.user(email="newcomer@example.com")
    owner = workspace.owner.token
    item = await create_item(gql, workspace.editor.token, workspace.org_id, "Lamp")
    viewer_role = gid("Role", await factory.role_id("VIEWER"))
    editor_role = gid("Role", await factory.role_id("EDITOR"))
    joined = await gql(
        MEMBERSHIP_CREATE,
        {
            "input": {
                "organization": workspace.org_id,
                "email": "newcomer@example.com",
                "role": viewer_role,
            }
        },
        token=owner,
    )
    membership_id = joined["data"]["membershipCreate"]["membership"]["id"]
    promoted = await gql(
        MEMBERSHIP_ROLE_CHANGE, {"input": {"id": membership_id, "role": editor_role}}, token=owner
    )
    assert promoted == {"data": {"membershipRoleChange": {"__typename": "MembershipSuccess"}}}
    renamed = await gql(
        ORGANIZATION_UPDATE, {"input": {"id": workspace.org_id, "name": "Acme 2"}}, token=owner
    )
    assert renamed == {"data": {"organizationUpdate": {"__typename": "OrganizationSuccess"}}}
    removed = await gql(MEMBERSHIP_DELETE, {"input": {"id": membership_id}}, token=owner)
    assert removed == {"data": {"membershipDelete": {"__typename": "MembershipDeleteSuccess"}}}
    return {
        "admin": admin,
        "newcomer": newcomer,
        "item": item["id"],
        "membership": membership_id,
        "roles": (viewer_role, editor_role),
    }


@pytest.mark.parametrize("role", ["OWNER", "ADMIN"])
async def test_audit_log_shows_every_change_of_the_organization(
    gql, factory, workspace, audited, role
):
    # given
    reader = audited["admin"] if role == "ADMIN" else workspace.owner
    owner, editor = workspace.owner.id, workspace.editor.id
    viewer_role, editor_role = audited["roles"]
    # when
    body = await audit_log(gql, reader.token, workspace.org_id)
    # then
    assert "errors" not in body, body
    changes = body["data"]["auditLog"]["nodes"]
    assert [(summary(c), c["entityId"]) for c in changes] == [
        (("Membership", "DELETE", owner), audited["membership"]),
        (("Organization", "UPDATE", owner), workspace.org_id),
        (("Membership", "UPDATE", owner), audited["membership"]),
        (("Membership", "CREATE", owner), audited["membership"]),
        (("Item", "CREATE", editor), audited["item"]),
    ]
    removed, renamed, promoted, joined = (fields_of(c) for c in changes[:4])
    assert (removed["userId"], removed["roleId"]) == (
        [str(audited["newcomer"].id), None],
        [raw(editor_role), None],
    )
    assert renamed == {"name": ["Acme", "Acme 2"]}
    assert promoted == {"roleId": [raw(viewer_role), raw(editor_role)]}
    assert (joined["userId"], joined["organizationId"], joined["roleId"]) == (
        [None, str(audited["newcomer"].id)],
        [None, str(workspace.org.id)],
        [None, raw(viewer_role)],
    )


ORGANIZATION_CREATE = """
mutation OrganizationCreate($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) {
    __typename
    ... on OrganizationSuccess { organization { id } }
  }
}
"""


async def test_audit_log_of_a_new_organization_starts_with_its_creation(gql, factory):
    # given
    founder = await factory.member()
    body = await gql(
        ORGANIZATION_CREATE, {"input": {"name": "New", "slug": "new"}}, token=founder.token
    )
    org_id = body["data"]["organizationCreate"]["organization"]["id"]
    # when
    log = await audit_log(gql, founder.token, org_id)
    # then
    changes = log["data"]["auditLog"]["nodes"]
    assert sorted((summary(c), c["entityId"] == org_id) for c in changes) == [
        (("Membership", "CREATE", founder.id), False),
        (("Organization", "CREATE", founder.id), True),
        (("OrganizationPlan", "CREATE", founder.id), False),  # its plan, and the plan's history
        (("PlanChange", "CREATE", founder.id), False),
    ]
    # one transaction: one timestamp, adjacent positions
    assert len({c["at"] for c in changes}) == 1
    assert sorted(int(c["cursor"]) for c in changes)[1] - int(changes[-1]["cursor"]) == 1
    org_fields = next(fields_of(c) for c in changes if c["entityType"] == "Organization")
    assert (org_fields["name"], org_fields["slug"]) == ([None, "New"], [None, "new"])


@pytest.mark.parametrize(
    ("make_filter", "expected"),
    [
        pytest.param(
            {"entityType": {"eq": "Membership"}},
            [("Membership", "DELETE"), ("Membership", "UPDATE"), ("Membership", "CREATE")],
            id="entity-type-membership",
        ),
        pytest.param({"entityType": {"eq": "Item"}}, [("Item", "CREATE")], id="entity-type-item"),
        pytest.param(
            {"action": {"eq": "CREATE"}},
            [("Membership", "CREATE"), ("Item", "CREATE")],
            id="action-create",
        ),
        pytest.param(
            {"action": {"eq": "UPDATE"}, "entityType": {"ne": "Organization"}},
            [("Membership", "UPDATE")],
            id="action-update-not-organization",
        ),
        pytest.param({"action": {"eq": "DELETE"}}, [("Membership", "DELETE")], id="action-delete"),
        pytest.param(
            {"or": [{"entityType": {"eq": "Item"}}, {"action": {"in": ["DELETE"]}}]},
            [("Membership", "DELETE"), ("Item", "CREATE")],
            id="or-item-or-deleted",
        ),
        pytest.param(
            {"not": {"entityType": {"eq": "Membership"}}},
            [("Organization", "UPDATE"), ("Item", "CREATE")],
            id="not-membership",
        ),
    ],
)
async def test_audit_log_filter(gql, workspace, audited, make_filter, expected):
    # when
    body = await audit_log(gql, workspace.owner.token, workspace.org_id, filter=make_filter)
    # then
    changes = body["data"]["auditLog"]["nodes"]
    assert [(c["entityType"], c["action"]) for c in changes] == expected


@pytest.mark.parametrize("role", ["EDITOR", "VIEWER"])
async def test_audit_log_is_refused_below_admin(gql, workspace, audited, role):
    # given
    member = workspace.editor if role == "EDITOR" else workspace.viewer
    # when
    body = await audit_log(gql, member.token, workspace.org_id)
    # then
    assert body["data"] == {"auditLog": None}
    assert error_codes(body) == ["PERMISSION_DENIED"]


async def test_audit_log_of_another_organization_is_null(gql, factory, workspace, audited):
    # given
    outsider = await factory.member(await factory.organization(), "OWNER")
    # when
    body = await audit_log(gql, outsider.token, workspace.org_id)
    # then
    assert body == {"data": {"auditLog": None}}


async def test_audit_log_of_an_unknown_organization_is_null(gql, workspace):
    # when
    body = await audit_log(gql, workspace.owner.token, gid("Organization", uuid.uuid4()))
    # then
    assert body == {"data": {"auditLog": None}}


@pytest.mark.parametrize(
    "organization",
    [
        pytest.param("not-an-id", id="garbage"),
        pytest.param("SXRlbTo", id="truncated"),
        pytest.param("item", id="another-type"),
    ],
)
async def test_audit_log_with_an_invalid_id_is_an_error(gql, workspace, organization):
    # given
    if organization == "item":
        organization = gid("Item", workspace.org.id)
    # when
    body = await audit_log(gql, workspace.owner.token, organization)
    # then
    assert body["data"] == {"auditLog": None}
    assert error_codes(body) == ["INVALID_ID"]


# ---------------------------------------------------------------------------------------------
# (7) Tenancy: alice (OWNER of A) sees nothing of B's changes


@pytest.fixture
async def busy_world(gql, world):
    """The tenancy world, with changes on both sides made through the API."""
    w = world
    for token, item, title in (
        (w.alice.token, w.a_item, "Alpha item v2"),
        (w.dave.token, w.carol_a_item, "Alpha item by carol v2"),
        (w.bob.token, w.b_item, "Beta secret item v2"),
        (w.carol.token, w.carol_b_item, "Beta secret item by carol v2"),
    ):
        payload = await update_item(gql, token, gid("Item", item.id), title=title)
        assert payload["__typename"] == "ItemSuccess", payload
    await create_item(gql, w.bob.token, gid("Organization", w.org_b.id), "Beta secret new")
    return w


async def test_audit_log_of_another_tenant_is_null(gql, busy_world):
    # when
    body = await audit_log(gql, busy_world.alice.token, gid("Organization", busy_world.org_b.id))
    # then
    assert body == {"data": {"auditLog": None}}


@pytest.mark.parametrize("item", ["b_item", "carol_b_item"])
async def test_history_of_another_tenants_item_is_unreachable(gql, busy_world, item):
    # given
    item_id = gid("Item", getattr(busy_world, item).id)
    # when
    by_node = await gql(NODE_HISTORY, {"id": item_id}, token=busy_world.alice.token)
    by_item = await gql(ITEM_HISTORY, {"id": item_id}, token=busy_world.alice.token)
    # then
    assert by_node == {"data": {"node": None}}
    assert by_item == {"data": {"item": None}}


async def test_history_of_an_item_holds_only_its_own_changes(gql, busy_world):
    # given
    w = busy_world
    item_id = gid("Item", w.a_item.id)
    # when
    page = await history(gql, w.alice.token, item_id)
    # then
    assert [c["entityId"] for c in page["nodes"]] == [item_id]
    assert titles(page["nodes"]) == [["Alpha item", "Alpha item v2"]]


async def test_audit_log_of_own_organization_holds_nothing_of_another(gql, busy_world):
    # given
    w = busy_world
    # when
    body = await audit_log(gql, w.alice.token, gid("Organization", w.org_a.id))
    # then
    assert_no_leak(body, w)
    changes = body["data"]["auditLog"]["nodes"]
    assert [(summary(c), c["entityId"]) for c in changes] == [
        (("Item", "UPDATE", w.dave.id), gid("Item", w.carol_a_item.id)),
        (("Item", "UPDATE", w.alice.id), gid("Item", w.a_item.id)),
    ]


USER_HISTORY = f"""
query UserHistory($id: ID!) {{ node(id: $id) {{ history {{ nodes {{ {CHANGE_FIELDS} }} }} }} }}
"""


async def test_co_members_history_does_not_show_their_changes_elsewhere(gql, busy_world):
    # given: carol is in A and B; her B changes are about B's rows, not about her user
    w = busy_world
    # when
    body = await gql(USER_HISTORY, {"id": w.carol.id}, token=w.alice.token)
    # then
    assert body == {"data": {"node": {"history": {"nodes": []}}}}


TAG_UPDATE = """
mutation TagUpdate($input: TagUpdateInput!) {
  tagUpdate(input: $input) { __typename }
}
"""

HISTORY_PAGE = """
fragment C on Node {
  history(first: 10) {
    totalCount
    nodes {
      entityId entityType fields { field old new }
      actor { id email fullName } organization { id name } actorApiKey { id }
    }
  }
}
"""

# Every path to a node alice has, each with the node's history (one query per root, to stay
# under the query cost limit).
EVERY_HISTORY = [
    HISTORY_PAGE + "query Me { me { ...C } }",
    HISTORY_PAGE + "query Users { users(first: 10) { nodes { ...C } } }",
    HISTORY_PAGE
    + """
query Organizations {
  organizations(first: 5) {
    nodes {
      ...C
      memberships(first: 10) { nodes { ...C user { ...C } } }
      items(first: 10) { nodes { ...C tags(first: 5) { nodes { ...C } } } }
      tags(first: 10) { nodes { ...C } }
    }
  }
}
""",
    HISTORY_PAGE
    + "query Items { items(first: 10) { nodes { ...C tags(first: 5) { nodes { ...C } } } } }",
    HISTORY_PAGE + "query Tags { tags(first: 10) { nodes { ...C } } }",
    HISTORY_PAGE + "query Roles { roles(first: 20) { nodes { ...C } } }",
    HISTORY_PAGE + "query ApiKeys { apiKeys(first: 10) { nodes { ...C } } }",
]


async def test_no_path_shows_another_tenants_changes(gql, busy_world):
    # given: B also renames its tag and promotes carol there, and A's owner changes A
    w = busy_world
    b_changes = [
        (TAG_UPDATE, {"id": gid("Tag", w.b_tag.id), "name": "Beta secret tag 2"}),
        (
            MEMBERSHIP_ROLE_CHANGE,
            {"id": gid("Membership", w.carol_b.id), "role": w.builtin_gid("ADMIN")},
        ),
    ]
    for document, values in b_changes:
        body = await gql(document, {"input": values}, token=w.bob.token)
        assert "Success" in json.dumps(body), body
    renamed = await gql(
        TAG_UPDATE,
        {"input": {"id": gid("Tag", w.a_tag.id), "name": "alpha 2"}},
        token=w.alice.token,
    )
    assert renamed == {"data": {"tagUpdate": {"__typename": "TagSuccess"}}}
    b_pks = [str(o.id) for o in (w.org_b, w.b_item, w.carol_b_item, w.b_tag, w.carol_b, w.bob_b)]
    # when
    body = {"data": [await gql(document, token=w.alice.token) for document in EVERY_HISTORY]}
    # then
    assert [b for b in body["data"] if "errors" in b] == []
    assert_no_leak(body, w)
    text = json.dumps(body)
    assert [pk for pk in b_pks if pk in text] == []
    seen = {(c["entityType"], c["entityId"]) for c in _changes(body)}
    assert seen == {
        ("Item", gid("Item", w.a_item.id)),
        ("Item", gid("Item", w.carol_a_item.id)),
        ("Tag", gid("Tag", w.a_tag.id)),
    }


def _changes(value: Any) -> list[dict[str, Any]]:
    """Every change node anywhere in a response."""
    if isinstance(value, list):
        return [c for v in value for c in _changes(v)]
    if not isinstance(value, dict):
        return []
    if "entityType" in value:
        return [value]
    return [c for v in value.values() for c in _changes(v)]


ORGANIZATION_DELETE = """
mutation OrganizationDelete($input: OrganizationDeleteInput!) {
  organizationDelete(input: $input) { __typename }
}
"""


# ---------------------------------------------------------------------------------------------
# (8) Every Node has a history


async def test_every_node_type_has_history(gql):
    # when
    body = await gql(NODE_TYPES)
    # then
    types = body["data"]["__type"]["possibleTypes"]
    assert {t["name"] for t in types} == set(REGISTERED_NODE_TYPES)
    history_fields = {
        t["name"]: next((f for f in t["fields"] if f["name"] == "history"), None) for t in types
    }
    expected = {
        "name": "history",
        "args": [{"name": a} for a in ("filter", "first", "after", "last", "before")],
        "type": {"kind": "NON_NULL", "ofType": {"name": "ChangeConnection"}},
    }
    assert history_fields == dict.fromkeys(history_fields, expected)


async def test_history_is_not_leaked_to_anonymous_callers(gql, workspace):
    # given
    item_id = (await create_item(gql, workspace.editor.token, workspace.org_id, "Lamp"))["id"]
    # when
    body = await gql(NODE_HISTORY, {"id": item_id})
    # then
    assert body == {"data": {"node": None}}
