"""Cross-tenant isolation: alice (OWNER of A) sees nothing of organization B on any path.

Each table below is one path; each row one entity. A new node type or relation is one row.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, update

import models
from graph.kernel.ids import from_global_id
from tests.tenancy_helpers import (
    ById,
    Filter,
    Nested,
    Refused,
    Root,
    World,
    assert_no_leak,
    build_world,
    connection,
    gid_of,
    snapshot,
    value_at,
)


@pytest.fixture
async def world(factory, db) -> World:
    return await build_world(factory, db)


def _ids(w: World, *objs: Any) -> set[str]:
    return {gid_of(o) for o in objs}


# ---------------------------------------------------------------------------------------------
# Root connections and their totalCount


def _filter_type(field: str) -> str:
    return f"{field[0].upper()}{field[1:-1]}Filter"  # items -> ItemFilter


def _root(field: str) -> str:
    return f"""
query($filter: {_filter_type(field)}) {{
  {field}(filter: $filter, first: 100) {{ totalCount nodes {{ id }} }}
}}"""


def _nested(parent: str, field: str) -> str:
    return f"""
query($id: ID!, $filter: {_filter_type(field)}) {{
  node(id: $id) {{
    ... on {parent} {{ {field}(filter: $filter, first: 100) {{ totalCount nodes {{ id }} }} }}
  }}
}}"""


ROOT_DOCS = {
    f: _root(f)
    for f in ("items", "tags", "organizations", "users", "roles", "jobs", "contents", "embeddings")
}
ROOT_DOCS["aiModels"] = _root("aiModels").replace("AiModelFilter", "AIModelFilter")
ROOTS = [
    Root("items", lambda w: _ids(w, w.a_item, w.carol_a_item)),
    Root("tags", lambda w: _ids(w, w.a_tag)),
    Root("organizations", lambda w: _ids(w, w.org_a)),
    Root("users", lambda w: _ids(w, w.alice, w.dave, w.carol)),
    # Built-in roles are everyone's; custom roles are their organization's.
    Root("roles", lambda w: w.builtin_gids() | _ids(w, w.a_role), lambda w: w.builtin_gids()),
    Root("jobs", lambda w: _ids(w, w.a_job)),
    Root("contents", lambda w: _ids(w, w.a_content)),
    Root("embeddings", lambda w: _ids(w, w.a_embedding)),
    # The global models are everyone's who is signed in.
    Root("aiModels", lambda w: _ids(w, w.a_model, w.global_model)),
]
ROOT_IDS = [r.field for r in ROOTS]


@pytest.mark.parametrize("root", ROOTS, ids=ROOT_IDS)
async def test_root_connection_lists_only_own_tenant(gql, world, root):
    # when
    body = await gql(ROOT_DOCS[root.field], token=world.alice.token)
    # then
    ids, _ = connection(body, (root.field,))
    assert ids == root.visible(world)
    assert_no_leak(body, world)


@pytest.mark.parametrize("root", ROOTS, ids=ROOT_IDS)
async def test_root_total_count_excludes_other_tenant(gql, world, root):
    # when
    body = await gql(ROOT_DOCS[root.field], token=world.alice.token)
    # then
    _, total = connection(body, (root.field,))
    assert total == len(root.visible(world))


@pytest.mark.parametrize("root", ROOTS, ids=ROOT_IDS)
async def test_anonymous_root_connection_is_empty(gql, world, root):
    # when
    body = await gql(ROOT_DOCS[root.field])
    # then
    assert connection(body, (root.field,)) == (root.anonymous(world), len(root.anonymous(world)))


# ---------------------------------------------------------------------------------------------
# By ID: node, nodes and the singular root fields


BY_ID = {
    "item": ById("Item", lambda w: w.b_item, lambda w: w.a_item),
    "co-member-item": ById("Item", lambda w: w.carol_b_item, lambda w: w.carol_a_item),
    "tag": ById("Tag", lambda w: w.b_tag, lambda w: w.a_tag),
    "organization": ById("Organization", lambda w: w.org_b, lambda w: w.org_a),
    "membership": ById("Membership", lambda w: w.bob_b, lambda w: w.alice_a),
    "co-member-membership": ById("Membership", lambda w: w.carol_b, lambda w: w.carol_a),
    "user": ById("User", lambda w: w.bob, lambda w: w.dave),
    "custom-role": ById("Role", lambda w: w.b_role, lambda w: w.a_role),
    "api-key": ById("ApiKey", lambda w: w.bob_key, lambda w: w.alice_key),
    "job": ById("Job", lambda w: w.b_job, lambda w: w.a_job),
    "content": ById("Content", lambda w: w.b_content, lambda w: w.a_content),
    "ai-model": ById("AIModel", lambda w: w.b_model, lambda w: w.a_model),
    "embedding": ById("Embedding", lambda w: w.b_embedding, lambda w: w.a_embedding),
}

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
# `node` and the singular root field of each type that has one.
BY_ID_FIELDS = {
    "node": None,
    "item": "Item",
    "tag": "Tag",
    "organization": "Organization",
    "user": "User",
    "job": "Job",
    "content": "Content",
    "aiModel": "AIModel",
    "embedding": "Embedding",
}
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


@pytest.mark.parametrize(("field", "case"), BY_ID_CASES.values(), ids=BY_ID_CASES.keys())
async def test_by_id_of_other_tenant_is_null(gql, world, field, case):
    # given
    mine, theirs = gid_of(case.mine(world)), gid_of(case.theirs(world))
    # when
    body = await gql(BY_ID_DOCS[field], {"mine": mine, "theirs": theirs}, token=world.alice.token)
    # then
    assert body == {"data": {"mine": {"__typename": case.type_name, "id": mine}, "theirs": None}}


@pytest.mark.parametrize("case", BY_ID.values(), ids=BY_ID.keys())
async def test_nodes_of_other_tenant_are_null(gql, world, case):
    # given
    mine, theirs = gid_of(case.mine(world)), gid_of(case.theirs(world))
    # when
    body = await gql(NODES, {"ids": [theirs, mine, theirs]}, token=world.alice.token)
    # then
    assert body == {"data": {"nodes": [None, {"__typename": case.type_name, "id": mine}, None]}}


async def test_anonymous_gets_null_for_every_node(gql, world):
    # given
    everything = [
        gid_of(getattr(world, f)) for f in World.__dataclass_fields__ if f != "builtin_roles"
    ]
    # when
    body = await gql(NODES, {"ids": everything})
    # then
    assert body == {"data": {"nodes": [None] * len(everything)}}


BY_SLUG = """
query($mine: String!, $theirs: String!) {
  mine: organizationBySlug(slug: $mine) { id }
  theirs: organizationBySlug(slug: $theirs) { id }
}
"""


@pytest.mark.parametrize("who", ["alice", "anonymous"])
async def test_organization_by_slug_of_other_tenant_is_null(gql, world, who):
    # given
    token = world.alice.token if who == "alice" else None
    # when
    body = await gql(BY_SLUG, {"mine": "alpha", "theirs": "beta"}, token=token)
    # then
    mine = {"id": gid_of(world.org_a)} if who == "alice" else None
    assert body == {"data": {"mine": mine, "theirs": None}}


# ---------------------------------------------------------------------------------------------
# Filters that name B's IDs, on root and nested connections


FILTERS = {
    "items-by-organization": Filter(
        ROOT_DOCS["items"], ("items",), "organization", lambda w: w.org_b, lambda w: w.org_a),
    "items-by-owner": Filter(
        ROOT_DOCS["items"], ("items",), "owner", lambda w: w.bob, lambda w: w.alice),
    "items-by-id": Filter(
        ROOT_DOCS["items"], ("items",), "id", lambda w: w.b_item, lambda w: w.a_item, op="in"),
    "tags-by-organization": Filter(
        ROOT_DOCS["tags"], ("tags",), "organization", lambda w: w.org_b, lambda w: w.org_a),
    "tags-by-id": Filter(
        ROOT_DOCS["tags"], ("tags",), "id", lambda w: w.b_tag, lambda w: w.a_tag),
    "organizations-by-id": Filter(
        ROOT_DOCS["organizations"], ("organizations",), "id", lambda w: w.org_b, lambda w: w.org_a),
    "users-by-id": Filter(
        ROOT_DOCS["users"], ("users",), "id", lambda w: w.bob, lambda w: w.dave),
    "roles-by-id": Filter(
        ROOT_DOCS["roles"], ("roles",), "id", lambda w: w.b_role, lambda w: w.a_role),
    "jobs-by-organization": Filter(
        ROOT_DOCS["jobs"], ("jobs",), "organization", lambda w: w.org_b, lambda w: w.org_a),
    "jobs-by-id": Filter(
        ROOT_DOCS["jobs"], ("jobs",), "id", lambda w: w.b_job, lambda w: w.a_job, op="in"),
    "jobs-by-requested-by": Filter(
        ROOT_DOCS["jobs"], ("jobs",), "requestedBy", lambda w: w.bob, lambda w: w.alice),
    "organization.jobs-by-id": Filter(
        _nested("Organization", "jobs"), ("node", "jobs"), "id",
        lambda w: w.b_job, lambda w: w.a_job, parent=lambda w: w.org_a),
    "contents-by-organization": Filter(
        ROOT_DOCS["contents"], ("contents",), "organization", lambda w: w.org_b, lambda w: w.org_a),
    "contents-by-item": Filter(
        ROOT_DOCS["contents"], ("contents",), "item", lambda w: w.b_item, lambda w: w.a_item),
    "embeddings-by-content": Filter(
        ROOT_DOCS["embeddings"], ("embeddings",), "content",
        lambda w: w.b_content, lambda w: w.a_content),
    "aiModels-by-organization": Filter(
        ROOT_DOCS["aiModels"], ("aiModels",), "organization", lambda w: w.org_b, lambda w: w.org_a),
    "user.items-by-organization": Filter(
        _nested("User", "items"), ("node", "items"), "organization",
        lambda w: w.org_b, lambda w: w.org_a, parent=lambda w: w.carol),
    "user.memberships-by-organization": Filter(
        _nested("User", "memberships"), ("node", "memberships"), "organization",
        lambda w: w.org_b, lambda w: w.org_a, parent=lambda w: w.carol),
}  # fmt: skip


@pytest.mark.parametrize("case", FILTERS.values(), ids=FILTERS.keys())
async def test_filter_naming_other_tenant_finds_nothing(gql, world, case):
    # given
    parent = {"id": gid_of(case.parent(world))} if case.parent else {}

    async def run(target: Any) -> tuple[set[str], int | None]:
        variables = {**parent, "filter": case.build(gid_of(target))}
        body = await gql(case.doc, variables, token=world.alice.token)
        assert_no_leak(body, world)
        return connection(body, case.path)

    # when
    theirs = await run(case.theirs(world))
    mine = await run(case.mine(world))
    # then
    assert theirs == (set(), 0)
    assert mine[0]
    assert mine[1] == len(mine[0])


# ---------------------------------------------------------------------------------------------
# Nested connections


ME_MEMBERSHIPS = "query { me { memberships(first: 100) { totalCount nodes { id } } } }"
ME_ITEMS = "query { me { items(first: 100) { totalCount nodes { id } } } }"


NESTED = {
    "me.memberships": Nested(ME_MEMBERSHIPS, ("me", "memberships"), lambda w: _ids(w, w.alice_a)),
    "me.items": Nested(ME_ITEMS, ("me", "items"), lambda w: _ids(w, w.a_item)),
    "co-member.memberships": Nested(
        _nested("User", "memberships"), ("node", "memberships"),
        lambda w: _ids(w, w.carol_a), lambda w: w.carol,
    ),
    "co-member.items": Nested(
        _nested("User", "items"), ("node", "items"),
        lambda w: _ids(w, w.carol_a_item), lambda w: w.carol,
    ),
    "organization.memberships": Nested(
        _nested("Organization", "memberships"), ("node", "memberships"),
        lambda w: _ids(w, w.alice_a, w.dave_a, w.carol_a), lambda w: w.org_a,
    ),
    "organization.items": Nested(
        _nested("Organization", "items"), ("node", "items"),
        lambda w: _ids(w, w.a_item, w.carol_a_item), lambda w: w.org_a,
    ),
    "organization.tags": Nested(
        _nested("Organization", "tags"), ("node", "tags"),
        lambda w: _ids(w, w.a_tag), lambda w: w.org_a,
    ),
    "organization.jobs": Nested(
        _nested("Organization", "jobs"), ("node", "jobs"),
        lambda w: _ids(w, w.a_job), lambda w: w.org_a,
    ),
    "item.contents": Nested(
        _nested("Item", "contents"), ("node", "contents"),
        lambda w: _ids(w, w.a_content), lambda w: w.a_item,
    ),
    "organization.contents": Nested(
        _nested("Organization", "contents"), ("node", "contents"),
        lambda w: _ids(w, w.a_content), lambda w: w.org_a,
    ),
    "organization.aiModels": Nested(
        _nested("Organization", "aiModels").replace("AiModelFilter", "AIModelFilter"),
        ("node", "aiModels"), lambda w: _ids(w, w.a_model), lambda w: w.org_a,
    ),
    "content.embeddings": Nested(
        _nested("Content", "embeddings"), ("node", "embeddings"),
        lambda w: _ids(w, w.a_embedding), lambda w: w.a_content,
    ),
    "global-model.embeddings": Nested(
        _nested("AIModel", "embeddings"), ("node", "embeddings"),
        lambda w: _ids(w, w.a_embedding), lambda w: w.global_model,
    ),
    # A's item is linked to B's tag (and B's item to A's tag) straight in the database.
    "item.tags-cross-linked": Nested(
        _nested("Item", "tags"), ("node", "tags"), lambda w: _ids(w, w.a_tag), lambda w: w.a_item,
    ),
    "tag.items-cross-linked": Nested(
        _nested("Tag", "items"), ("node", "items"), lambda w: _ids(w, w.a_item), lambda w: w.a_tag,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", NESTED.values(), ids=NESTED.keys())
async def test_nested_connection_shows_only_own_tenant(gql, world, case):
    # given
    variables = {"id": gid_of(case.parent(world))} if case.parent else {}
    # when
    body = await gql(case.doc, variables, token=world.alice.token)
    # then
    expected = case.visible(world)
    assert connection(body, case.path) == (expected, len(expected))
    assert_no_leak(body, world)


TO_ONE = {
    "items.owner": ("query { items(first: 100) { nodes { id owner { id email } } } }", ("items",)),
    "organization.items.owner": (
        "query($id: ID!) { node(id: $id) { ... on Organization {"
        " items(first: 100) { nodes { id owner { id email } } } } } }",
        ("node", "items"),
    ),
}


@pytest.mark.parametrize(("doc", "path"), TO_ONE.values(), ids=TO_ONE.keys())
async def test_owner_outside_the_tenant_resolves_to_null(gql, factory, world, doc, path):
    # given: an item of A owned by bob, who belongs to B only
    item = gid_of(await factory.item(world.bob.user, world.org_a, title="Alpha item by bob"))
    # when
    body = await gql(doc, {"id": gid_of(world.org_a)}, token=world.alice.token)
    # then
    value: Any = body["data"]
    for key in path:
        value = value[key]
    owners = {node["id"]: node["owner"] for node in value["nodes"]}
    assert owners[item] is None
    assert owners[gid_of(world.a_item)] == {"id": world.alice.id, "email": "alice@alpha.example"}
    assert_no_leak(body, world)


# ---------------------------------------------------------------------------------------------
# Semantic search: B's embeddings equal A's (the same vector), so ranking them first and
# filtering afterwards would show in the answers; tenancy applies before ranking.

SEMANTIC = {
    "semanticSearch": (
        "query($id: ID!) { semanticSearch(query: \"content\", first: 100) "
        "{ score content { id text } item { id title } } "
        "mine: content(id: $id) { id } }",
        lambda w: w.a_content, lambda data: {h["content"]["id"] for h in data["semanticSearch"]},
        lambda w: _ids(w, w.a_content),
    ),
    "semanticSearch-their-organization": (
        "query($id: ID!) { semanticSearch(query: \"content\", organization: $id) "
        "{ content { id } } }",
        lambda w: w.org_b, lambda data: {h["content"]["id"] for h in data["semanticSearch"]},
        lambda w: set(),
    ),
    "content.similar": (
        "query($id: ID!) { content(id: $id) { similar(first: 100) { content { id text } } } }",
        lambda w: w.a_content,
        lambda data: {h["content"]["id"] for h in data["content"]["similar"]},
        lambda w: set(),
    ),
    "item.similarItems": (
        "query($id: ID!) { item(id: $id) { similarItems(first: 100) { item { id title } } } }",
        lambda w: w.a_item,
        lambda data: {h["item"]["id"] for h in data["item"]["similarItems"]},
        lambda w: set(),
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("doc", "arg", "found", "expected"), SEMANTIC.values(), ids=SEMANTIC.keys()
)
async def test_semantic_search_ranks_only_own_tenant(gql, world, doc, arg, found, expected):
    # when
    body = await gql(doc, {"id": gid_of(arg(world))}, token=world.alice.token)
    # then
    assert "errors" not in body, body
    assert found(body["data"]) == expected(world)
    assert_no_leak(body, world)


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


MUTATIONS = {
    "itemUpdate": Refused("itemUpdate", "ItemUpdateInput", ["id"],
        lambda w: {"id": gid_of(w.b_item), "title": "pwned"}),
    "itemDelete": Refused("itemDelete", "ItemDeleteInput", ["id"],
        lambda w: {"id": gid_of(w.b_item)}),
    "itemTagsAdd-their-tag": Refused("itemTagsAdd", "ItemTagsInput", ["tags", "0"],
        lambda w: {"item": gid_of(w.a_item), "tags": [gid_of(w.b_tag)]}),
    "itemTagsAdd-their-item": Refused("itemTagsAdd", "ItemTagsInput", ["item"],
        lambda w: {"item": gid_of(w.b_item), "tags": [gid_of(w.a_tag)]}),
    "itemTagsRemove": Refused("itemTagsRemove", "ItemTagsInput", ["item"],
        lambda w: {"item": gid_of(w.b_item), "tags": [gid_of(w.b_tag)]}),
    "itemCreate-their-organization": Refused("itemCreate", "ItemCreateInput", ["organization"],
        lambda w: {"organization": gid_of(w.org_b), "title": "x"}),
    "itemCreate-their-tag": Refused("itemCreate", "ItemCreateInput", ["tags", "0"],
        lambda w: {"organization": gid_of(w.org_a), "title": "x", "tags": [gid_of(w.b_tag)]}),
    "tagCreate-their-organization": Refused("tagCreate", "TagCreateInput", ["organization"],
        lambda w: {"organization": gid_of(w.org_b), "name": "x"}),
    "tagUpdate": Refused("tagUpdate", "TagUpdateInput", ["id"],
        lambda w: {"id": gid_of(w.b_tag), "name": "pwned"}),
    "tagDelete": Refused("tagDelete", "TagDeleteInput", ["id"],
        lambda w: {"id": gid_of(w.b_tag)}),
    "organizationUpdate": Refused("organizationUpdate", "OrganizationUpdateInput", ["id"],
        lambda w: {"id": gid_of(w.org_b), "name": "pwned"}),
    "organizationDelete": Refused("organizationDelete", "OrganizationDeleteInput", ["id"],
        lambda w: {"id": gid_of(w.org_b)}),
    "membershipCreate-their-organization": Refused(
        "membershipCreate", "MembershipCreateInput", ["organization"],
        lambda w: {"organization": gid_of(w.org_b), "email": w.dave.user.email,
                   "role": w.builtin_gid("OWNER")}),
    "membershipCreate-their-role": Refused(
        "membershipCreate", "MembershipCreateInput", ["role"],
        lambda w: {"organization": gid_of(w.org_a), "email": w.bob.user.email,
                   "role": gid_of(w.b_role)}),
    "membershipRoleChange-their-membership": Refused(
        "membershipRoleChange", "MembershipRoleChangeInput", ["id"],
        lambda w: {"id": gid_of(w.carol_b), "role": w.builtin_gid("VIEWER")}),
    "membershipRoleChange-their-role": Refused(
        "membershipRoleChange", "MembershipRoleChangeInput", ["role"],
        lambda w: {"id": gid_of(w.dave_a), "role": gid_of(w.b_role)}),
    "membershipDelete": Refused("membershipDelete", "MembershipDeleteInput", ["id"],
        lambda w: {"id": gid_of(w.bob_b)}),
    "apiKeyRevoke": Refused("apiKeyRevoke", "ApiKeyRevokeInput", ["id"],
        lambda w: {"id": gid_of(w.bob_key)}),
    "jobCancel": Refused("jobCancel", "JobCancelInput", ["id"],
        lambda w: {"id": gid_of(w.b_job)}),
    "itemArchive": Refused("itemArchive", "ItemArchiveInput", ["id"],
        lambda w: {"id": gid_of(w.b_item)}),
    "itemRestore": Refused("itemRestore", "ItemRestoreInput", ["id"],
        lambda w: {"id": gid_of(w.b_item)}),
    "organizationArchive": Refused("organizationArchive", "OrganizationArchiveInput", ["id"],
        lambda w: {"id": gid_of(w.org_b)}),
    "organizationRestore": Refused("organizationRestore", "OrganizationRestoreInput", ["id"],
        lambda w: {"id": gid_of(w.org_b)}),
    "contentCreate": Refused("contentCreate", "ContentCreateInput", ["item"],
        lambda w: {"item": gid_of(w.b_item), "role": "USER", "text": "pwned"}),
    "contentUpdate": Refused("contentUpdate", "ContentUpdateInput", ["id"],
        lambda w: {"id": gid_of(w.b_content), "text": "pwned"}),
    "contentDelete": Refused("contentDelete", "ContentDeleteInput", ["id"],
        lambda w: {"id": gid_of(w.b_content)}),
    "contentReorder-their-item": Refused("contentReorder", "ContentReorderInput", ["item"],
        lambda w: {"item": gid_of(w.b_item), "contents": [gid_of(w.b_content)]}),
    "contentReorder-their-content": Refused("contentReorder", "ContentReorderInput",
        ["contents", "0"],
        lambda w: {"item": gid_of(w.a_item), "contents": [gid_of(w.b_content)]}),
    "aiModelCreate-their-organization": Refused("aiModelCreate", "AIModelCreateInput",
        ["organization"],
        lambda w: {"organization": gid_of(w.org_b), "name": "x", "provider": "x"}),
    "aiModelUpdate": Refused("aiModelUpdate", "AIModelUpdateInput", ["id"],
        lambda w: {"id": gid_of(w.b_model), "name": "pwned"}),
    "aiModelDelete": Refused("aiModelDelete", "AIModelDeleteInput", ["id"],
        lambda w: {"id": gid_of(w.b_model)}),
}  # fmt: skip
MUTATION_DOCS = {c.name: _mutation(c.name, c.input_type) for c in MUTATIONS.values()}


@pytest.mark.parametrize("case", MUTATIONS.values(), ids=MUTATIONS.keys())
async def test_mutation_on_other_tenant_is_not_found_and_changes_nothing(gql, db, world, case):
    # given
    data = case.input(world)
    foreign_id = value_at(data, case.path)
    before = await snapshot(db)
    # when
    body = await gql(MUTATION_DOCS[case.name], {"input": data}, token=world.alice.token)
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


# ---------------------------------------------------------------------------------------------
# Items whose organization is gone belong to their owner alone

ORPHAN_NODE = "query($item: ID!) { node(id: $item) { id } }"
ORPHAN_PATHS = {
    "items": (ROOT_DOCS["items"], lambda body: connection(body, ("items",))[0]),
    "user.items": (_nested("User", "items"), lambda body: connection(body, ("node", "items"))[0]),
    "node": (ORPHAN_NODE, lambda body: {n["id"] for n in [body["data"]["node"]] if n}),
}


@pytest.mark.parametrize(("who", "sees"), [("alice", True), ("dave", False), ("bob", False)])
@pytest.mark.parametrize("path", ORPHAN_PATHS.values(), ids=ORPHAN_PATHS.keys())
async def test_item_without_organization_is_visible_to_its_owner_only(
    gql, factory, world, path, who, sees
):
    # given: dave shares A with alice, bob shares nothing with her
    orphan = gid_of(await factory.item(world.alice.user, None, title="Orphan"))
    doc, found = path
    # when
    body = await gql(doc, {"id": world.alice.id, "item": orphan}, token=getattr(world, who).token)
    # then
    assert (orphan in found(body)) is sees


ORGANIZATION_DELETE = MUTATION_DOCS["organizationDelete"]


@pytest.mark.parametrize(("who", "sees"), [("owner", True), ("co-member", False)])
async def test_items_stay_with_their_owner_only_when_the_organization_is_deleted(
    gql, factory, who, sees
):
    # given: the co-member shares only the deleted organization with the owner
    org = await factory.organization()
    members = {
        "owner": await factory.member(org, "OWNER"),
        "co-member": await factory.member(org, "EDITOR"),
    }
    item = gid_of(await factory.item(members["owner"].user, org, title="Kept"))
    deleted = await gql(
        ORGANIZATION_DELETE, {"input": {"id": gid_of(org)}}, token=members["owner"].token
    )
    assert deleted["data"]["organizationDelete"]["__typename"] == "OrganizationDeleteSuccess"
    # when
    body = await gql(ORPHAN_NODE, {"item": item}, token=members[who].token)
    # then
    assert body == {"data": {"node": {"id": item} if sees else None}}


# ---------------------------------------------------------------------------------------------
# A mutation's payload reads through the same scoping as a query

ITEM_UPDATE_PAYLOAD = """
mutation($input: ItemUpdateInput!) {
  itemUpdate(input: $input) {
    __typename
    ... on ItemSuccess {
      item {
        id owner { id } organization { id }
        tags(first: 100) { totalCount nodes { id items(first: 100) { nodes { id } } } }
      }
    }
  }
}
"""


async def test_mutation_payload_shows_only_own_tenant(gql, world):
    # given: A's item is linked to B's tag, and A's tag to B's item, straight in the database
    item = gid_of(world.a_item)
    # when
    body = await gql(
        ITEM_UPDATE_PAYLOAD, {"input": {"id": item, "title": "Renamed"}}, token=world.alice.token
    )
    # then
    payload = body["data"]["itemUpdate"]
    assert payload["__typename"] == "ItemSuccess"
    assert payload["item"]["tags"] == {
        "totalCount": 1,
        "nodes": [{"id": gid_of(world.a_tag), "items": {"nodes": [{"id": item}]}}],
    }
    assert_no_leak(body, world)


# ---------------------------------------------------------------------------------------------
# Archived and deleted rows of B: `includeArchived` lists show none, restore finds none

ARCHIVED_LISTS = {
    "items": "query { items(first: 100, includeArchived: true) { totalCount nodes { id } } }",
    "organizations": (
        "query { organizations(first: 100, includeArchived: true) { totalCount nodes { id } } }"
    ),
    "organization.items": (
        "query($id: ID!) { node(id: $id) { ... on Organization {"
        " items(first: 100, includeArchived: true) { totalCount nodes { id } } } } }"
    ),
}


@pytest.mark.parametrize("field", ARCHIVED_LISTS, ids=ARCHIVED_LISTS.keys())
async def test_include_archived_shows_no_archived_row_of_other_tenant(db, gql, world, field):
    # given: every item and organization archived
    async with db.sessions() as session, session.begin():
        await session.execute(update(models.Item).values(archived_at=func.now()))
        await session.execute(update(models.Organization).values(archived_at=func.now()))
    # when
    body = await gql(ARCHIVED_LISTS[field], {"id": gid_of(world.org_a)}, token=world.alice.token)
    # then
    path = ("node", "items") if field == "organization.items" else (field,)
    expected = {
        "items": _ids(world, world.a_item, world.carol_a_item),
        "organizations": _ids(world, world.org_a),
    }[path[-1]]
    assert connection(body, path) == (expected, len(expected))
    assert_no_leak(body, world)


@pytest.mark.parametrize("kind", ["item", "organization"])
async def test_restore_of_other_tenants_deleted_row_is_not_found(db, gql, world, kind):
    # given: B's row soft-deleted a minute ago
    model, row = (
        (models.Item, world.b_item) if kind == "item" else (models.Organization, world.org_b)
    )
    async with db.sessions() as session, session.begin():
        await session.execute(update(model).where(model.id == row.id).values(deleted_at=func.now()))
    before = await snapshot(db)
    name = f"{kind}Restore"
    doc = _mutation(name, f"{kind[0].upper()}{kind[1:]}RestoreInput")
    # when
    body = await gql(doc, {"input": {"id": gid_of(row)}}, token=world.alice.token)
    # then
    assert body["data"][name]["__typename"] == "NotFoundError"
    assert await snapshot(db) == before
