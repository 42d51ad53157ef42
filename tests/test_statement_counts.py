"""N+1 guards: the SQL statements one GraphQL request sends do not grow with the data.

Every test runs on both read paths (the ``read_path`` fixture). On the resolver path each
expected count is spelled out from the query's shape: one statement to authenticate, one per
root list, one per nested list or by-id relation level (all parents batched), and one per
selected ``totalCount``. On the compiled path a query whose every field maps onto the data
model costs one statement to authenticate and one for the whole query; a query the compiler
leaves to the resolvers (a field with a resolver of its own, such as ``Role.permissions``)
costs what it costs there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import insert

import models
from tests.factories import gid

AUTH = 1  # the bearer token, the user and their permissions, in one statement
STATEMENT = 1  # one batched statement for a root list, nested list or relation level
WHOLE_QUERY = 1  # a compiled query: one statement builds the whole answer
COMPILED = AUTH + WHOLE_QUERY


def per_path(*, compiled: int, resolvers: int) -> dict[str, int]:
    """An expected number of statements on each read path."""
    return {"compiled": compiled, "resolvers": resolvers}


def compiled(resolvers: int) -> dict[str, int]:
    """A query that compiles: AUTH + WHOLE_QUERY; ``resolvers`` on the resolver path."""
    return per_path(compiled=COMPILED, resolvers=resolvers)


def not_compiled(resolvers: int) -> dict[str, int]:
    """A query the compiler leaves to the resolvers: the same count on both paths."""
    return per_path(compiled=resolvers, resolvers=resolvers)


@pytest.fixture
def app(read_path_app):
    """Every test here runs on both read paths."""
    return read_path_app


@dataclass
class Catalog:
    token: str
    organizations: list[uuid.UUID]
    items: list[uuid.UUID]
    tags: list[uuid.UUID]


async def build_catalog(
    factory, db, *, organizations: int, items: int, tags: int, owners: int
) -> Catalog:
    """A viewer who is OWNER of ``organizations`` organizations, each with ``owners`` more
    members (EDITORs) owning its ``items`` items in turn, every item carrying all of its
    organization's ``tags`` tags. Bulk inserts: a handful of statements in all."""
    viewer = await factory.member()
    owner_role, editor_role = await factory.role_id("OWNER"), await factory.role_id("EDITOR")
    run = uuid.uuid4().hex[:8]

    async def ids(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list((await session.scalars(stmt, rows)).all())

    async with db.sessions() as session, session.begin():
        org_ids = await ids(session, models.Organization, [
            {"name": f"Org {run} {o}", "slug": f"org-{run}-{o}"} for o in range(organizations)
        ])  # fmt: skip
        user_ids = await ids(session, models.User, [
            {"email": f"owner-{run}-{o}-{u}@example.com", "full_name": f"Owner {o}.{u}"}
            for o in range(organizations) for u in range(owners)
        ])  # fmt: skip
        owners_of = {o: user_ids[i * owners : (i + 1) * owners] for i, o in enumerate(org_ids)}
        await session.execute(insert(models.Membership), [
            *({"user_id": viewer.user.id, "organization_id": o, "role_id": owner_role}
              for o in org_ids),
            *({"user_id": u, "organization_id": o, "role_id": editor_role}
              for o in org_ids for u in owners_of[o]),
        ])  # fmt: skip
        tag_ids = await ids(session, models.Tag, [
            {"organization_id": o, "name": f"tag {t}"} for o in org_ids for t in range(tags)
        ])  # fmt: skip
        tags_of = {o: tag_ids[i * tags : (i + 1) * tags] for i, o in enumerate(org_ids)}
        item_ids = await ids(session, models.Item, [
            {"organization_id": o, "owner_id": owners_of[o][i % owners], "title": f"Item {i}"}
            for o in org_ids for i in range(items)
        ])  # fmt: skip
        if tags:
            await session.execute(insert(models.item_tags), [
                {"item_id": item, "tag_id": tag}
                for n, item in enumerate(item_ids) for tag in tags_of[org_ids[n // items]]
            ])  # fmt: skip
    # Build the token last: authentication reads the memberships made above.
    return Catalog(await factory.token(viewer.user), org_ids, item_ids, tag_ids)


@pytest.fixture
def measure(gql, counter):
    """Run one request; return its body and the statements it sent, auth included."""

    async def run(doc: str, variables: dict[str, Any] | None, token: str) -> tuple[Any, int]:
        counter.reset()
        body = await gql(doc, variables, token=token)
        count = counter.count
        assert "errors" not in body, body
        return body["data"], count

    return run


# ---------------------------------------------------------------------------------------------
# (1) A root list with by-id relations and a nested list per node

ITEMS_WITH_RELATIONS = """
query($organization: ID!, $first: Int!) {
  items(filter: {organization: {eq: $organization}}, first: $first) {
    nodes {
      title
      owner { email }
      organization { name }
      tags(first: 10) { nodes { name } }
    }
  }
}
"""
# resolvers: items page + owners (by id) + organizations (by id) + every item's tags page
ITEMS_WITH_RELATIONS_COST = compiled(AUTH + 4 * STATEMENT)


async def test_item_list_with_owner_organization_and_tags_costs_the_same_for_5_and_50(
    factory, db, measure, read_path
):
    # given: five owners take turns, so a page holds several distinct owners
    catalog = await build_catalog(factory, db, organizations=1, items=50, tags=3, owners=5)
    variables = {"organization": gid("Organization", catalog.organizations[0])}
    # when
    small, small_count = await measure(
        ITEMS_WITH_RELATIONS, {**variables, "first": 5}, catalog.token
    )
    large, large_count = await measure(
        ITEMS_WITH_RELATIONS, {**variables, "first": 50}, catalog.token
    )
    # then
    for data, n in ((small, 5), (large, 50)):
        nodes = data["items"]["nodes"]
        assert len(nodes) == n
        assert all(node["owner"] and node["organization"] for node in nodes)
        assert all(len(node["tags"]["nodes"]) == 3 for node in nodes)
    assert len({node["owner"]["email"] for node in large["items"]["nodes"]}) == 5
    cost = ITEMS_WITH_RELATIONS_COST[read_path]
    assert (small_count, large_count) == (cost, cost)


SKIPPABLE_RELATIONS = """
query($organization: ID!, $with: Boolean!) {
  items(filter: {organization: {eq: $organization}}, first: 10) {
    nodes { title owner @include(if: $with) { email } ...Tags @skip(if: $with) }
  }
}
fragment Tags on Item { tags(first: 10) { nodes { name } } }
"""


@pytest.mark.parametrize(
    ("with_owner", "cost"),
    [
        # resolvers: items page + owners (by id); the skipped tags are not loaded
        pytest.param(True, compiled(AUTH + 2 * STATEMENT), id="owners"),
        # resolvers: items page + every item's tags page; the skipped owners are not loaded
        pytest.param(False, compiled(AUTH + 2 * STATEMENT), id="tags"),
    ],
)
async def test_what_skip_and_include_leave_out_costs_no_statement(
    factory, db, measure, read_path, with_owner, cost
):
    # given
    catalog = await build_catalog(factory, db, organizations=1, items=10, tags=3, owners=2)
    variables = {"organization": gid("Organization", catalog.organizations[0])}
    # when
    data, count = await measure(
        SKIPPABLE_RELATIONS, {**variables, "with": with_owner}, catalog.token
    )
    # then
    nodes = data["items"]["nodes"]
    assert len(nodes) == 10
    expected_keys = {"title", "owner"} if with_owner else {"title", "tags"}
    assert all(set(node) == expected_keys for node in nodes)
    assert count == cost[read_path]


# ---------------------------------------------------------------------------------------------
# (2) Lists nested two deep: organizations -> items -> tags


def _organizations_items_tags(*, org_total: str = "", items_total: str = "", tags_total: str = ""):
    return f"""
query {{
  organizations(first: 10) {{
    {org_total}
    nodes {{
      items(first: 20) {{
        {items_total}
        nodes {{ title tags(first: 5) {{ {tags_total} nodes {{ name }} }} }}
      }}
    }}
  }}
}}
"""


ORGANIZATIONS_ITEMS_TAGS = _organizations_items_tags()
# resolvers: organizations page + items pages of all organizations + tags pages of all items
ORGANIZATIONS_ITEMS_TAGS_COST = compiled(AUTH + 3 * STATEMENT)


@pytest.fixture
async def large(factory, db) -> Catalog:
    return await build_catalog(factory, db, organizations=10, items=20, tags=3, owners=2)


@pytest.fixture
async def small(factory, db) -> Catalog:
    return await build_catalog(factory, db, organizations=2, items=2, tags=3, owners=1)


def _shape(data: dict[str, Any]) -> list[list[int]]:
    """Tags per item per organization."""
    return [
        [len(item["tags"]["nodes"]) for item in org["items"]["nodes"]]
        for org in data["organizations"]["nodes"]
    ]


async def test_nested_lists_cost_the_same_for_10x20x3_as_for_2x2x3(
    large, small, measure, read_path
):
    # when
    large_data, large_count = await measure(ORGANIZATIONS_ITEMS_TAGS, None, large.token)
    small_data, small_count = await measure(ORGANIZATIONS_ITEMS_TAGS, None, small.token)
    # then
    assert _shape(large_data) == [[3] * 20] * 10
    assert _shape(small_data) == [[3] * 2] * 2
    assert large_count == small_count == ORGANIZATIONS_ITEMS_TAGS_COST[read_path]


# ---------------------------------------------------------------------------------------------
# (3) totalCount: one statement per connection field, however many parents (resolvers); none
# on the compiled path, where the counts are computed inside the one statement


T = "totalCount"
ORGS_10, ITEMS_20_EACH, TAGS_3_EACH = [10], [20] * 10, [3] * 200  # the totals each level shows
# (document, statements the totals add, every totalCount in the response)
TOTALS = {
    "organization.items": (
        _organizations_items_tags(items_total=T), per_path(compiled=0, resolvers=1),
        ITEMS_20_EACH,
    ),
    "item.tags": (
        _organizations_items_tags(tags_total=T), per_path(compiled=0, resolvers=1),
        TAGS_3_EACH,
    ),
    "both-nested": (
        _organizations_items_tags(items_total=T, tags_total=T), per_path(compiled=0, resolvers=2),
        ITEMS_20_EACH + TAGS_3_EACH,
    ),
    "root-and-both-nested": (
        _organizations_items_tags(org_total=T, items_total=T, tags_total=T),
        per_path(compiled=0, resolvers=3), ORGS_10 + ITEMS_20_EACH + TAGS_3_EACH,
    ),
}  # fmt: skip


def _totals(value: Any) -> list[int]:
    """Every totalCount in a response, depth first."""
    if isinstance(value, dict):
        own = [value["totalCount"]] if "totalCount" in value else []
        return own + [t for k, v in value.items() if k != "totalCount" for t in _totals(v)]
    if isinstance(value, list):
        return [t for v in value for t in _totals(v)]
    return []


@pytest.mark.parametrize(("doc", "added", "totals"), TOTALS.values(), ids=TOTALS.keys())
async def test_total_count_adds_at_most_one_statement_per_field_not_per_parent(
    large, measure, read_path, doc, added, totals
):
    # when
    _, without = await measure(ORGANIZATIONS_ITEMS_TAGS, None, large.token)
    data, with_totals = await measure(doc, None, large.token)
    # then
    assert sorted(_totals(data)) == sorted(totals)
    assert with_totals - without == added[read_path]
    assert with_totals == ORGANIZATIONS_ITEMS_TAGS_COST[read_path] + added[read_path]


# ---------------------------------------------------------------------------------------------
# (4) nodes(ids:): one statement per node type, however many IDs, on the resolver path; one
# statement for the whole query when compiled (a plan per sequence of node types).

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
NODES_WITH_OWNER = """
query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Item { owner { email } } } }
"""


def _item_ids(c: Catalog, n: int) -> list[str]:
    return [gid("Item", pk) for pk in c.items[:n]]


NODE_LOOKUPS = {
    "1-item": (NODES, lambda c: _item_ids(c, 1), compiled(AUTH + STATEMENT)),
    "50-items": (NODES, lambda c: _item_ids(c, 50), compiled(AUTH + STATEMENT)),
    "100-items": (NODES, lambda c: _item_ids(c, 100), compiled(AUTH + STATEMENT)),
    "50-items-and-30-tags": (
        NODES,
        lambda c: _item_ids(c, 50) + [gid("Tag", pk) for pk in c.tags],
        compiled(AUTH + 2 * STATEMENT),  # items, tags
    ),
    "50-items-with-owners": (
        NODES_WITH_OWNER, lambda c: _item_ids(c, 50), compiled(AUTH + 2 * STATEMENT)
    ),
}  # fmt: skip


@pytest.mark.parametrize(("doc", "ids", "cost"), NODE_LOOKUPS.values(), ids=NODE_LOOKUPS.keys())
async def test_nodes_by_id_cost_one_statement_per_type(large, measure, read_path, doc, ids, cost):
    # given
    wanted = ids(large)
    # when
    data, count = await measure(doc, {"ids": wanted}, large.token)
    # then
    assert [n["id"] for n in data["nodes"]] == wanted
    assert count == cost[read_path]


# ---------------------------------------------------------------------------------------------
# Every other nested list and relation, and the query shapes the prefetch planner must see
# through (fragments, edges, aliases, variables, a single node or `nodes` above the lists):
# the same count for 2 organizations x 2 items as for 10 x 20. The compiled path answers
# each in one statement, except below `me`, `node` and `nodes`: root fields the compiler
# leaves to their resolvers (see (4)), so those cost the same on both paths.

FRAGMENTS = """
query { organizations(first: 10) { nodes { ...OrganizationItems } } }
fragment OrganizationItems on Organization { items(first: 20) { nodes { ...ItemTags } } }
fragment ItemTags on Item { tags(first: 5) { nodes { name } } }
"""
EDGES = """
query { organizations(first: 10) { edges { node {
  items(first: 20) { edges { node { tags(first: 5) { edges { node { name } } } } } }
} } } }
"""
ALIASES = """
query { organizations(first: 10) { nodes {
  all: items(first: 20) { nodes { title } }
  two: items(first: 2) { nodes { title } }
} } }
"""
VARIABLES = """
query($n: Int!) { organizations(first: 10) { nodes {
  items(first: $n) { nodes { tags(first: $n) { nodes { name } } } }
} } }
"""
INTERFACE_FRAGMENTS = """
query { organizations(first: 10) { nodes {
  ... on Node { id }
  items(first: 20) { nodes { ... on Node { id } ... on Item { owner { email } } } }
} } }
"""
SINGLE_NODE = """
query($id: ID!) { node(id: $id) { ... on Organization {
  items(first: 20) { nodes { owner { email } tags(first: 5) { nodes { name } } } }
} } }
"""
NODES_NESTED = """
query($ids: [ID!]!) { nodes(ids: $ids) { ... on Organization {
  items(first: 20) { nodes { owner { email } tags(first: 5) { nodes { name } } } }
} } }
"""
OWNER_ITEMS = """
query { items(first: 100) { nodes { owner { items(first: 5) { nodes { title } } } } } }
"""


def _organizations(c: Catalog) -> dict[str, Any]:
    return {"ids": [gid("Organization", pk) for pk in c.organizations]}


SHAPES = {
    "organization.memberships.user-role": (
        "query { organizations(first: 10) { nodes { memberships(first: 10) {"
        " nodes { user { email } role { name } } } } } }",
        None, compiled(AUTH + 4 * STATEMENT),  # organizations, memberships, users, roles
    ),
    "organization.tags.items": (
        "query { organizations(first: 10) { nodes { tags(first: 5) {"
        " nodes { name items(first: 5) { nodes { title } } } } } } }",
        None, compiled(AUTH + 3 * STATEMENT),  # organizations, tags, items
    ),
    "user.items-memberships.organization": (
        "query { users(first: 50) { nodes { items(first: 5) { nodes { title } }"
        " memberships(first: 5) { nodes { organization { name } } } } } }",
        None, compiled(AUTH + 4 * STATEMENT),  # users, items, memberships, organizations
    ),
    "me.memberships.role.permissions": (  # `Role.permissions` (a plain list): not compiled
        "query { me { memberships(first: 20) { nodes { role { name permissions { code } } } } } }",
        None, not_compiled(AUTH + 4 * STATEMENT),  # me, memberships, roles, permissions
    ),
    "tag.organization": (
        "query { tags(first: 50) { nodes { name organization { name } } } }",
        None, compiled(AUTH + 2 * STATEMENT),  # tags, organizations
    ),
    "item.owner.items": (
        OWNER_ITEMS, None, compiled(AUTH + 3 * STATEMENT),  # items, owners, their items
    ),
    "fragments": (FRAGMENTS, None, ORGANIZATIONS_ITEMS_TAGS_COST),
    "edges": (EDGES, None, ORGANIZATIONS_ITEMS_TAGS_COST),
    "aliases": (
        ALIASES, None, compiled(AUTH + 3 * STATEMENT),  # organizations, one page per alias
    ),
    "variables": (VARIABLES, lambda c: {"n": 20}, ORGANIZATIONS_ITEMS_TAGS_COST),
    "interface-fragments": (INTERFACE_FRAGMENTS, None, compiled(AUTH + 3 * STATEMENT)),
    "node": (  # `node(id:)` compiles for the type its ID names
        SINGLE_NODE, lambda c: {"id": gid("Organization", c.organizations[0])},
        compiled(AUTH + 4 * STATEMENT),  # organization, items, owners, tags
    ),
    "me.memberships.role": (
        "query { me { memberships(first: 20) { nodes { role { name } } } } }",
        None, compiled(AUTH + 3 * STATEMENT),  # me, memberships, roles
    ),
    "nodes": (  # `nodes(ids:)` compiles for the sequence of types its IDs name
        NODES_NESTED, _organizations, compiled(AUTH + 4 * STATEMENT),
    ),
}  # fmt: skip


@pytest.mark.parametrize(("doc", "variables", "cost"), SHAPES.values(), ids=SHAPES.keys())
async def test_query_shape_costs_the_same_for_2_as_for_10_parents(
    large, small, measure, read_path, doc, variables, cost
):
    # when
    _, large_count = await measure(doc, variables and variables(large), large.token)
    _, small_count = await measure(doc, variables and variables(small), small.token)
    # then
    assert (large_count, small_count) == (cost[read_path], cost[read_path])
