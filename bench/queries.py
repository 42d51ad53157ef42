"""The benchmarked queries: a GraphQL document, its variables, how to compute its expected
answer, and the raw-SQL baseline a hand-written psycopg program would run for it.

To add a query, append a `BenchQuery` to `QUERIES`: a short name (used by ``--queries``), a
title, the document and variables, an ``expected`` function (built from `bench.expected`'s
row-at-a-time `Reader`), and ``raw_sql``: ONE statement that authenticates the token, applies
the same visibility rules and returns the whole response as JSON text, the way PostGraphile
compiles a query. The harness refuses to benchmark a query whose Trellis answer differs from
``expected``, and refuses a baseline whose answer differs too, so both sides fetch the same data.

Raw SQL parameters are psycopg ``%(name)s`` placeholders; ``%(token_hash)s`` is always supplied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.dataset import item_id, organization_id, project_id
from bench.expected import (
    JSONObject,
    Reader,
    global_id,
    item_with_owner,
    organization_clients_with_interactions_and_properties,
    organization_items_with_owner_and_tags,
    organizations_items_tags,
    project_matrix,
)


@dataclass(frozen=True)
class BenchQuery:
    name: str
    title: str
    document: str
    expected: Callable[[Reader], JSONObject]
    raw_sql: str
    variables: dict[str, Any] = field(default_factory=dict)
    raw_params: dict[str, Any] = field(default_factory=dict)

    def request_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.document}
        if self.variables:
            body["variables"] = self.variables
        return body


# ---------------------------------------------------------------------------------------------
# Raw SQL building blocks (plain text, so every baseline statement reads as one SQL query)


def _gid(type_name: str, column: str) -> str:
    """The global id in SQL: base64url('Type:' || uuid), unpadded (newlines dropped too)."""
    raw = f"encode(convert_to('{type_name}:' || {column}::text, 'UTF8'), 'base64')"
    return f"rtrim(translate({raw}, '+/' || chr(10), '-_'), '=')"


# Authentication and tenancy in the same statement: the session behind the token, its user,
# and that user's live organizations as an array (`= ANY(...)` filters, as Trellis's are).
_VIEWER = """
WITH viewer AS (
    SELECT s.user_id AS id,
           ARRAY(SELECT m.organization_id
                 FROM memberships m
                 JOIN organizations o ON o.id = m.organization_id AND o.deleted_at IS NULL
                 WHERE m.user_id = s.user_id) AS orgs
    FROM auth_sessions s
    JOIN users u ON u.id = s.user_id AND u.is_active AND u.deleted_at IS NULL
    WHERE s.token_hash = %(token_hash)s AND s.revoked_at IS NULL AND s.expires_at > now()
)"""

# "in one of the viewer's organizations"
_IN_VIEWER_ORGS = "= ANY((SELECT orgs FROM viewer)::uuid[])"


def _live(table: str, column: str) -> str:
    """The parent row ``column`` points to (a project, a client) is not soft-deleted."""
    return f"EXISTS (SELECT 1 FROM {table} lp WHERE lp.id = {column} AND lp.deleted_at IS NULL)"


# A DateTime as Trellis serialises it (ISO 8601, UTC, whole seconds in this dataset).
def _datetime(column: str) -> str:
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')"""


def _owner(user_column: str) -> str:
    """`{ id fullName }` of a user the viewer may see, else null."""
    return f"""(
        SELECT json_build_object('id', {_gid("User", "u.id")}, 'fullName', u.full_name)
        FROM users u
        WHERE u.id = {user_column} AND u.deleted_at IS NULL
          AND (u.id = (SELECT id FROM viewer)
               OR EXISTS (SELECT 1 FROM memberships mm
                          WHERE mm.user_id = u.id AND mm.organization_id {_IN_VIEWER_ORGS}))
    )"""


def _tags(item_column: str, first: int) -> str:
    """`tags(first) { nodes { id name } }` of an item. The tags are looked up by primary key
    from the item's links (OFFSET 0 keeps the planner from flattening the lateral subquery into
    a hash join that scans every tag once per item)."""
    return f"""json_build_object('nodes', coalesce((
        SELECT json_agg(json_build_object('id', {_gid("Tag", "t.id")}, 'name', t.name)
                        ORDER BY t.name, t.id)
        FROM (SELECT t.id, t.name
              FROM item_tags it
              CROSS JOIN LATERAL (
                  SELECT t.id, t.name FROM tags t
                  WHERE t.id = it.tag_id AND t.deleted_at IS NULL
                    AND t.organization_id {_IN_VIEWER_ORGS}
                  OFFSET 0
              ) AS t
              WHERE it.item_id = {item_column}
              ORDER BY t.name, t.id
              LIMIT {first}) AS t
    ), '[]'::json))"""


def _items(organization_column: str, first: int, node: str) -> str:
    """`items(first) { nodes { <node> } }` of an organization; ``node`` builds one item
    (alias ``i``: id, title, owner_id)."""
    return f"""json_build_object('nodes', coalesce((
        SELECT json_agg({node} ORDER BY i.created_at, i.id)
        FROM (SELECT i.id, i.title, i.owner_id, i.created_at
              FROM items i
              WHERE i.organization_id = {organization_column} AND i.deleted_at IS NULL
              ORDER BY i.created_at, i.id
              LIMIT {first}) AS i
    ), '[]'::json))"""


# ---------------------------------------------------------------------------------------------
# The queries

Q1_ITEM = item_id(1261)  # a title with quotes, a backslash, markup and non-ASCII
Q2_ORGANIZATION = organization_id(7)

Q1 = BenchQuery(
    name="Q1",
    title="item by id with owner",
    document="query($id: ID!) { item(id: $id) { id title owner { id fullName } } }",
    variables={"id": global_id("Item", Q1_ITEM)},
    expected=lambda r: item_with_owner(r, Q1_ITEM),
    raw_sql=f"""{_VIEWER}
SELECT json_build_object('data', json_build_object('item', (
    SELECT json_build_object(
        'id', {_gid("Item", "i.id")},
        'title', i.title,
        'owner', {_owner("i.owner_id")})
    FROM items i
    WHERE i.id = %(item)s AND i.deleted_at IS NULL
      AND i.organization_id {_IN_VIEWER_ORGS}
)))::text""",
    raw_params={"item": Q1_ITEM},
)

# One item of Q2: `{ id title owner { id fullName } tags(first: 10) { nodes { id name } } }`
_Q2_ITEM = f"""json_build_object(
    'id', {_gid("Item", "i.id")},
    'title', i.title,
    'owner', {_owner("i.owner_id")},
    'tags', {_tags("i.id", 10)})"""

Q2 = BenchQuery(
    name="Q2",
    title="50 items with owner and tags",
    document=(
        "query($org: ID!) { organization(id: $org) { items(first: 50) { nodes { id title "
        "owner { id fullName } tags(first: 10) { nodes { id name } } } } } }"
    ),
    variables={"org": global_id("Organization", Q2_ORGANIZATION)},
    expected=lambda r: organization_items_with_owner_and_tags(
        r, Q2_ORGANIZATION, items=50, tags=10
    ),
    raw_sql=f"""{_VIEWER}
SELECT json_build_object('data', json_build_object('organization', (
    SELECT json_build_object('items', {_items("o.id", 50, _Q2_ITEM)})
    FROM organizations o
    WHERE o.id = %(organization)s AND o.deleted_at IS NULL
      AND o.id {_IN_VIEWER_ORGS}
)))::text""",
    raw_params={"organization": Q2_ORGANIZATION},
)

# One item of Q3: `{ id title tags(first: 10) { nodes { id name } } }`
_Q3_ITEM = f"""json_build_object(
    'id', {_gid("Item", "i.id")},
    'title', i.title,
    'tags', {_tags("i.id", 10)})"""

Q3 = BenchQuery(
    name="Q3",
    title="10 orgs x 20 items x tags",
    document=(
        "{ organizations(first: 10) { nodes { id name items(first: 20) { nodes { id title "
        "tags(first: 10) { nodes { id name } } } } } } }"
    ),
    expected=lambda r: organizations_items_tags(r, organizations=10, items=20, tags=10),
    raw_sql=f"""{_VIEWER}
SELECT json_build_object('data', json_build_object('organizations', json_build_object('nodes',
    coalesce((
        SELECT json_agg(json_build_object(
            'id', {_gid("Organization", "o.id")},
            'name', o.name,
            'items', {_items("o.id", 20, _Q3_ITEM)}
        ) ORDER BY o.created_at, o.id)
        FROM (SELECT o.id, o.name, o.created_at
              FROM organizations o
              WHERE o.deleted_at IS NULL AND o.id {_IN_VIEWER_ORGS}
              ORDER BY o.created_at, o.id
              LIMIT 10) AS o
    ), '[]'::json))))::text""",
)

# One design object of Q4: `{ id name positionX positionY
# outgoingRelationships(first: 10) { nodes { id relationshipType target { id name } } } }`
_Q4_OBJECT = f"""json_build_object(
    'id', {_gid("DesignObject", "d.id")},
    'name', d.name,
    'positionX', d.position_x,
    'positionY', d.position_y,
    'outgoingRelationships', json_build_object('nodes', coalesce((
        SELECT json_agg(json_build_object(
            'id', {_gid("Relationship", "r.id")},
            'relationshipType', r.relationship_type,
            'target', (
                SELECT json_build_object('id', {_gid("DesignObject", "t.id")}, 'name', t.name)
                FROM design_objects t
                WHERE t.id = r.target_id AND t.organization_id {_IN_VIEWER_ORGS}
                  AND {_live("projects", "t.project_id")})
        ) ORDER BY r.created_at, r.id)
        FROM (SELECT r.id, r.relationship_type, r.target_id, r.created_at
              FROM design_relationships r
              WHERE r.source_id = d.id AND r.organization_id {_IN_VIEWER_ORGS}
                AND {_live("projects", "r.project_id")}
              ORDER BY r.created_at, r.id
              LIMIT 10) AS r
    ), '[]'::json)))"""

Q4_PROJECT = project_id(12)

Q4 = BenchQuery(
    name="Q4",
    title="design matrix, 60 objects",
    document=(
        "query($id: ID!) { project(id: $id) { name objects(first: 100) { nodes { id name "
        "positionX positionY outgoingRelationships(first: 10) { nodes { id relationshipType "
        "target { id name } } } } } } }"
    ),
    variables={"id": global_id("Project", Q4_PROJECT)},
    expected=lambda r: project_matrix(r, Q4_PROJECT, objects=100, relationships=10),
    raw_sql=f"""{_VIEWER}
SELECT json_build_object('data', json_build_object('project', (
    SELECT json_build_object('name', p.name, 'objects', json_build_object('nodes', coalesce((
        SELECT json_agg({_Q4_OBJECT} ORDER BY d.position_y, d.position_x, d.id)
        FROM (SELECT d.id, d.name, d.position_x, d.position_y
              FROM design_objects d
              WHERE d.project_id = p.id AND d.organization_id {_IN_VIEWER_ORGS}
              ORDER BY d.position_y, d.position_x, d.id
              LIMIT 100) AS d
    ), '[]'::json)))
    FROM projects p
    WHERE p.id = %(project)s AND p.deleted_at IS NULL
      AND p.organization_id {_IN_VIEWER_ORGS}
)))::text""",
    raw_params={"project": Q4_PROJECT},
)

# One client of Q5: `{ id name leadScore interactions(first: 5) { nodes { id type occurredAt } }
# interestedProperties(first: 5) { nodes { id title price } } }` (the client is alive: its
# interactions need no further check)
_Q5_CLIENT = f"""json_build_object(
    'id', {_gid("Client", "c.id")},
    'name', c.name,
    'leadScore', c.lead_score,
    'interactions', json_build_object('nodes', coalesce((
        SELECT json_agg(json_build_object(
            'id', {_gid("Interaction", "i.id")},
            'type', upper(i.type::text),
            'occurredAt', {_datetime("i.occurred_at")}
        ) ORDER BY i.occurred_at DESC, i.id)
        FROM (SELECT i.id, i.type, i.occurred_at
              FROM interactions i
              WHERE i.client_id = c.id AND i.organization_id {_IN_VIEWER_ORGS}
              ORDER BY i.occurred_at DESC, i.id
              LIMIT 5) AS i
    ), '[]'::json)),
    'interestedProperties', json_build_object('nodes', coalesce((
        SELECT json_agg(json_build_object(
            'id', {_gid("Property", "p.id")},
            'title', p.title,
            'price', p.price::text
        ) ORDER BY p.created_at, p.id)
        FROM (SELECT p.id, p.title, p.price, p.created_at
              FROM client_interested_properties l
              JOIN properties p ON p.id = l.property_id
              WHERE l.client_id = c.id AND p.deleted_at IS NULL
                AND p.organization_id {_IN_VIEWER_ORGS}
              ORDER BY p.created_at, p.id
              LIMIT 5) AS p
    ), '[]'::json)))"""

Q5_ORGANIZATION = organization_id(7)

Q5 = BenchQuery(
    name="Q5",
    title="50 clients, interactions, props",
    document=(
        "query($org: ID!) { organization(id: $org) { clients(first: 50) { nodes { id name "
        "leadScore interactions(first: 5) { nodes { id type occurredAt } } "
        "interestedProperties(first: 5) { nodes { id title price } } } } } }"
    ),
    variables={"org": global_id("Organization", Q5_ORGANIZATION)},
    expected=lambda r: organization_clients_with_interactions_and_properties(
        r, Q5_ORGANIZATION, clients=50, interactions=5, properties=5
    ),
    raw_sql=f"""{_VIEWER}
SELECT json_build_object('data', json_build_object('organization', (
    SELECT json_build_object('clients', json_build_object('nodes', coalesce((
        SELECT json_agg({_Q5_CLIENT} ORDER BY c.created_at, c.id)
        FROM (SELECT c.id, c.name, c.lead_score, c.created_at
              FROM clients c
              WHERE c.organization_id = o.id AND c.deleted_at IS NULL
              ORDER BY c.created_at, c.id
              LIMIT 50) AS c
    ), '[]'::json)))
    FROM organizations o
    WHERE o.id = %(organization)s AND o.deleted_at IS NULL
      AND o.id {_IN_VIEWER_ORGS}
)))::text""",
    raw_params={"organization": Q5_ORGANIZATION},
)

QUERIES: tuple[BenchQuery, ...] = (Q1, Q2, Q3, Q4, Q5)


def select(names: list[str] | None) -> list[BenchQuery]:
    """The queries named (case-insensitively), in `QUERIES` order; all of them for None."""
    if not names:
        return list(QUERIES)
    wanted = {n.strip().upper() for n in names if n.strip()}
    known = {q.name.upper() for q in QUERIES}
    unknown = sorted(wanted - known)
    if unknown:
        raise ValueError(f"unknown queries {unknown}; known: {[q.name for q in QUERIES]}")
    return [q for q in QUERIES if q.name.upper() in wanted]


def by_name(name: str) -> BenchQuery:
    return select([name])[0]


__all__ = ["QUERIES", "BenchQuery", "by_name", "select"]
