"""The benchmark dataset: deterministic, seeded set-based, reused between runs.

Sizes: 50 organizations; 40 members each (2,000 users, VIEWER or EDITOR); 1,000 items per
organization (50,000), owned by that organization's members; 10 tags per organization (500);
3 tags per item (150,000 links). Design: one project per organization (50), 60 objects each
(3,000, in distinct cells), 2 relationships from every object to others of its project (6,000).
Realty: 40 properties per organization (2,000; every 23rd soft-deleted), 120 clients per
organization (6,000; every 31st soft-deleted), 3 interactions per client (18,000, by members of
its organization), 2 interested properties per client (12,000 links).

Every id is ``md5(<key>)::uuid`` and every timestamp is fixed, so the expected answers are the
same on every machine. ``created_at`` is a permutation of the row number, so the default orders
(items, organizations, relationships, properties and clients: created_at then id; tags: name
then id; design objects: position_y, position_x then id; interactions: occurred_at DESC then
id) differ from the insertion order and from the id order; some timestamps tie, so the id
tie-breaker counts.

The bench user ``bench@trellis.dev`` is a VIEWER of all 50 organizations; each run gives it a
fresh access token (an ``auth_sessions`` row holding the token's hash).

A ``bench_meta`` row records the version of the seed (a hash of the seeding SQL) and the
migration head; when it matches and the row counts are right, seeding is skipped.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import URL

from graph.admin import migrations
from graph.auth import ACCESS_PREFIX, REFRESH_PREFIX, hash_token, new_token
from graph.database import drop_database, ensure_database, server_url
from graph.settings import get_settings

DATABASE_NAME = "trellis_bench"

ORGANIZATIONS = 50
USERS_PER_ORG = 40
ITEMS_PER_ORG = 1_000
TAGS_PER_ORG = 10
TAGS_PER_ITEM = 3
OBJECTS_PER_PROJECT = 60
RELATIONSHIPS_PER_OBJECT = 2
PROPERTIES_PER_ORG = 40
CLIENTS_PER_ORG = 120
INTERACTIONS_PER_CLIENT = 3
INTERESTS_PER_CLIENT = 2
DELETED_PROPERTY_EVERY = 23  # properties 23, 46, ... are soft-deleted
DELETED_CLIENT_EVERY = 31  # clients 31, 62, ... are soft-deleted

USERS = ORGANIZATIONS * USERS_PER_ORG
ITEMS = ORGANIZATIONS * ITEMS_PER_ORG
TAGS = ORGANIZATIONS * TAGS_PER_ORG
ITEM_TAGS = ITEMS * TAGS_PER_ITEM
PROJECTS = ORGANIZATIONS
DESIGN_OBJECTS = PROJECTS * OBJECTS_PER_PROJECT
RELATIONSHIPS = DESIGN_OBJECTS * RELATIONSHIPS_PER_OBJECT
PROPERTIES = ORGANIZATIONS * PROPERTIES_PER_ORG
CLIENTS = ORGANIZATIONS * CLIENTS_PER_ORG
INTERACTIONS = CLIENTS * INTERACTIONS_PER_CLIENT
INTERESTS = CLIENTS * INTERESTS_PER_CLIENT

BENCH_EMAIL = "bench@trellis.dev"
TOKEN_TTL_DAYS = 30

# Row counts a complete dataset has (the bench user adds one user and 50 memberships).
EXPECTED_COUNTS = {
    "organizations": ORGANIZATIONS,
    "users": USERS + 1,
    "memberships": USERS + ORGANIZATIONS,
    "items": ITEMS,
    "tags": TAGS,
    "item_tags": ITEM_TAGS,
    "projects": PROJECTS,
    "design_objects": DESIGN_OBJECTS,
    "design_relationships": RELATIONSHIPS,
    "properties": PROPERTIES,
    "clients": CLIENTS,
    "interactions": INTERACTIONS,
    "client_interested_properties": INTERESTS,
}


def uuid_for(key: str) -> uuid.UUID:
    """The id the seed gives the row named ``key``: PostgreSQL's ``md5(key)::uuid``."""
    return uuid.UUID(hashlib.md5(key.encode()).hexdigest())


def organization_id(o: int) -> uuid.UUID:
    """Organization ``o`` (1-based)."""
    return uuid_for(f"org-{o}")


def item_id(i: int) -> uuid.UUID:
    """Item ``i`` (1-based; items 1000*(o-1)+1 .. 1000*o belong to organization o)."""
    return uuid_for(f"item-{i}")


def project_id(o: int) -> uuid.UUID:
    """The design project of organization ``o``."""
    return uuid_for(f"project-{o}")


BENCH_USER_ID = uuid_for("bench-user")

# Names with quotes, apostrophes and non-ASCII letters, so JSON escaping is exercised.
_FIRST_NAMES = "ARRAY['Ada','Zoë','José','Łukasz','Grace','Linus','美咲','O''Brien']"
_LAST_NAMES = "ARRAY['Lovelace','Hopper','Núñez','Kowalski','Torvalds','Okafor','山田','Smith']"
_TAG_WORDS = (
    "ARRAY['urgent','draft','review','archive','blue','green','backlog','idea','later','zeta']"
)
_EPOCH = "timestamptz '2024-01-01 00:00:00+00'"
_RELATIONSHIP_TYPES = "ARRAY['association','depends_on','contains','references','triggers']"
_OBJECT_WORDS = "ARRAY['Customer','Order','Invoice','Shipment','Product','Payment','Région']"
_INTERACTION_TYPES = "ARRAY['email','call','meeting','note']"

# One INSERT ... SELECT generate_series per table, in dependency order.
SEED_STATEMENTS: tuple[str, ...] = (
    f"""
    INSERT INTO organizations (id, name, slug, plan_type, created_at, updated_at)
    SELECT md5('org-' || o)::uuid, 'Organization ' || lpad(o::text, 2, '0'),
           'bench-org-' || lpad(o::text, 2, '0'), 'pro', t.ts, t.ts
    FROM generate_series(1, {ORGANIZATIONS}) AS o,
         LATERAL (SELECT {_EPOCH} + ((o * 17) % {ORGANIZATIONS}) * interval '1 day' AS ts) AS t
    """,
    f"""
    INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at)
    SELECT md5('user-' || u)::uuid, 'user' || u || '@bench.trellis.dev',
           ({_FIRST_NAMES})[u % 8 + 1] || ' ' || ({_LAST_NAMES})[(u / 8) % 8 + 1] || ' ' || u,
           NULL, t.ts, t.ts
    FROM generate_series(1, {USERS}) AS u,
         LATERAL (SELECT {_EPOCH} + ((u * 7) % {USERS}) * interval '1 minute' AS ts) AS t
    """,
    f"""
    INSERT INTO memberships (id, user_id, organization_id, role_id, joined_at, created_at,
                             updated_at)
    SELECT md5('membership-' || u)::uuid, md5('user-' || u)::uuid,
           md5('org-' || ((u - 1) / {USERS_PER_ORG} + 1))::uuid,
           (SELECT id FROM roles
            WHERE organization_id IS NULL
              AND name = CASE WHEN u % 2 = 0 THEN 'EDITOR' ELSE 'VIEWER' END),
           t.ts, t.ts, t.ts
    FROM generate_series(1, {USERS}) AS u,
         LATERAL (SELECT {_EPOCH} + u * interval '1 hour' AS ts) AS t
    """,
    f"""
    INSERT INTO items (id, owner_id, organization_id, type, title, created_at, updated_at)
    SELECT md5('item-' || i)::uuid,
           md5('user-' || (((i - 1) / {ITEMS_PER_ORG}) * {USERS_PER_ORG}
                           + (i * 13) % {USERS_PER_ORG} + 1))::uuid,
           md5('org-' || ((i - 1) / {ITEMS_PER_ORG} + 1))::uuid,
           'generic',
           CASE WHEN i % 97 = 0 THEN 'Item ' || i || ' "quoted" \\ <b>ñ</b> & ☃'
                ELSE 'Item ' || i END,
           t.ts, t.ts
    FROM generate_series(1, {ITEMS}) AS i,
         LATERAL (SELECT {_EPOCH} + ((i::bigint * 7919) % {ITEMS}) * interval '1 second'
                         AS ts) AS t
    """,
    f"""
    INSERT INTO tags (id, organization_id, name, color, created_at, updated_at)
    SELECT md5('tag-' || o || '-' || k)::uuid, md5('org-' || o)::uuid,
           ({_TAG_WORDS})[(k * 7 + o) % {TAGS_PER_ORG} + 1],
           '#' || substr(md5('color-' || o || '-' || k), 1, 6), t.ts, t.ts
    FROM generate_series(1, {ORGANIZATIONS}) AS o, generate_series(0, {TAGS_PER_ORG - 1}) AS k,
         LATERAL (SELECT {_EPOCH} + (o * {TAGS_PER_ORG} + k) * interval '1 minute' AS ts) AS t
    """,
    f"""
    INSERT INTO item_tags (item_id, tag_id, created_at)
    SELECT md5('item-' || i)::uuid,
           md5('tag-' || ((i - 1) / {ITEMS_PER_ORG} + 1) || '-' || ((i + 3 * k) % {TAGS_PER_ORG}))
               ::uuid,
           {_EPOCH}
    FROM generate_series(1, {ITEMS}) AS i, generate_series(0, {TAGS_PER_ITEM - 1}) AS k
    """,
    f"""
    INSERT INTO projects (id, organization_id, owner_id, name, description, status, created_at,
                          updated_at)
    SELECT md5('project-' || o)::uuid, md5('org-' || o)::uuid,
           md5('user-' || ((o - 1) * {USERS_PER_ORG} + 1))::uuid,
           'Matrix ' || lpad(o::text, 2, '0'), NULL, 'active', {_EPOCH}, {_EPOCH}
    FROM generate_series(1, {ORGANIZATIONS}) AS o
    """,
    # Object k of project o sits in cell j = (k * 37) mod 60 (a permutation): x = j mod 10 * 3,
    # y = j / 10 * 2 (distinct cells), so reading order is neither k order nor id order.
    f"""
    INSERT INTO design_objects (id, project_id, organization_id, name, position_x, position_y,
                                created_by, created_at, updated_at)
    SELECT md5('object-' || o || '-' || k)::uuid, md5('project-' || o)::uuid,
           md5('org-' || o)::uuid,
           CASE WHEN k % 13 = 0 THEN 'Entité « ' || k || ' » "quoted" \\ ☃'
                ELSE ({_OBJECT_WORDS})[k % 7 + 1] || ' ' || k END,
           ((k * 37) % {OBJECTS_PER_PROJECT}) % 10 * 3,
           ((k * 37) % {OBJECTS_PER_PROJECT}) / 10 * 2,
           md5('user-' || ((o - 1) * {USERS_PER_ORG} + k % {USERS_PER_ORG} + 1))::uuid,
           {_EPOCH}, {_EPOCH}
    FROM generate_series(1, {ORGANIZATIONS}) AS o,
         generate_series(0, {OBJECTS_PER_PROJECT - 1}) AS k
    """,
    # Relationship r of object k targets object (k + 1 + 17 r) mod 60 of the same project; an
    # object's relationships tie on created_at when k is a multiple of 5.
    f"""
    INSERT INTO design_relationships (id, project_id, organization_id, source_id, target_id,
                                      relationship_type, cardinality, created_at, updated_at)
    SELECT md5('relationship-' || o || '-' || k || '-' || r)::uuid, md5('project-' || o)::uuid,
           md5('org-' || o)::uuid, md5('object-' || o || '-' || k)::uuid,
           md5('object-' || o || '-' || ((k + 1 + 17 * r) % {OBJECTS_PER_PROJECT}))::uuid,
           ({_RELATIONSHIP_TYPES})[(k + r) % 5 + 1],
           (ARRAY['one_to_one','one_to_many','many_to_one','many_to_many'])[(k + 2 * r) % 4 + 1]
               ::relationship_cardinality,
           t.ts, t.ts
    FROM generate_series(1, {ORGANIZATIONS}) AS o,
         generate_series(0, {OBJECTS_PER_PROJECT - 1}) AS k,
         generate_series(0, {RELATIONSHIPS_PER_OBJECT - 1}) AS r,
         LATERAL (SELECT {_EPOCH} + ((k * 37 + CASE WHEN k % 5 = 0 THEN 0 ELSE r * 11 END)
                                     % 97) * interval '1 minute' AS ts) AS t
    """,
    f"""
    INSERT INTO properties (id, organization_id, title, address, city, property_type, bedrooms,
                            bathrooms, price, created_at, updated_at, deleted_at)
    SELECT md5('property-' || p)::uuid, md5('org-' || ((p - 1) / {PROPERTIES_PER_ORG} + 1))::uuid,
           CASE WHEN p % 11 = 0 THEN 'Maison « ' || p || ' » l''été "vue mer" \\ ☀'
                ELSE 'Property ' || p END,
           p || ' Bench Street', 'Springfield', 'house', p % 5, p % 3,
           CASE WHEN p % 4 = 0 THEN ((p * 7919) % 900 + 100) * 1000
                ELSE ((p::bigint * 104729) % 90000000 + 5000000) / 100.0 END,
           t.ts, t.ts,
           CASE WHEN p % {DELETED_PROPERTY_EVERY} = 0 THEN {_EPOCH} + interval '1 year' END
    FROM generate_series(1, {PROPERTIES}) AS p,
         LATERAL (SELECT {_EPOCH} + ((p * 31) % {PROPERTIES}) * interval '1 hour' AS ts) AS t
    """,
    # Within an organization, clients' created_at tie in threes (rank c * 77 mod 120, / 3).
    f"""
    INSERT INTO clients (id, organization_id, name, email, lead_score, nurture_status,
                         created_at, updated_at, deleted_at)
    SELECT md5('client-' || c)::uuid, md5('org-' || ((c - 1) / {CLIENTS_PER_ORG} + 1))::uuid,
           ({_FIRST_NAMES})[(c / 3) % 8 + 1] || ' ' || ({_LAST_NAMES})[c % 8 + 1] || ' ' || c,
           'client' || c || '@bench.trellis.dev', (c * 37) % 101,
           (ARRAY['new','hot','warm','cold'])[c % 4 + 1]::nurture_status,
           t.ts, t.ts,
           CASE WHEN c % {DELETED_CLIENT_EVERY} = 0 THEN {_EPOCH} + interval '1 year' END
    FROM generate_series(1, {CLIENTS}) AS c,
         LATERAL (SELECT {_EPOCH} + ((c - 1) / {CLIENTS_PER_ORG}) * interval '1 day'
                         + ((c * 77) % {CLIENTS_PER_ORG} / 3) * interval '1 minute' AS ts) AS t
    """,
    # A client's interactions 1 and 2 occur at the same time when c is a multiple of 10.
    f"""
    INSERT INTO interactions (id, organization_id, client_id, user_id, type, notes, occurred_at,
                              created_at, updated_at)
    SELECT md5('interaction-' || c || '-' || k)::uuid,
           md5('org-' || ((c - 1) / {CLIENTS_PER_ORG} + 1))::uuid, md5('client-' || c)::uuid,
           md5('user-' || (((c - 1) / {CLIENTS_PER_ORG}) * {USERS_PER_ORG}
                           + (c + 7 * k) % {USERS_PER_ORG} + 1))::uuid,
           ({_INTERACTION_TYPES})[(c + k) % 4 + 1]::interaction_type,
           'Interaction ' || k || ' with client ' || c,
           t.ts, t.ts, t.ts
    FROM generate_series(1, {CLIENTS}) AS c,
         generate_series(0, {INTERACTIONS_PER_CLIENT - 1}) AS k,
         LATERAL (SELECT {_EPOCH}
                         + ((c::bigint * 3 + CASE WHEN c % 10 = 0 AND k = 2 THEN 1 ELSE k END)
                            * 104729 % {INTERACTIONS}) * interval '17 minutes 3 seconds'
                         AS ts) AS t
    """,
    f"""
    INSERT INTO client_interested_properties (client_id, property_id, organization_id,
                                              created_at)
    SELECT md5('client-' || c)::uuid,
           md5('property-' || (((c - 1) / {CLIENTS_PER_ORG}) * {PROPERTIES_PER_ORG}
                               + (c * 7 + k * 13) % {PROPERTIES_PER_ORG} + 1))::uuid,
           md5('org-' || ((c - 1) / {CLIENTS_PER_ORG} + 1))::uuid, {_EPOCH}
    FROM generate_series(1, {CLIENTS}) AS c, generate_series(0, {INTERESTS_PER_CLIENT - 1}) AS k
    """,
    f"""
    INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at)
    VALUES ('{BENCH_USER_ID}', '{BENCH_EMAIL}', 'Bench Viewer', NULL,
            {_EPOCH} - interval '1 day', {_EPOCH} - interval '1 day')
    """,
    f"""
    INSERT INTO memberships (id, user_id, organization_id, role_id, joined_at, created_at,
                             updated_at)
    SELECT md5('bench-membership-' || o)::uuid, '{BENCH_USER_ID}', md5('org-' || o)::uuid,
           (SELECT id FROM roles WHERE organization_id IS NULL AND name = 'VIEWER'),
           {_EPOCH}, {_EPOCH}, {_EPOCH}
    FROM generate_series(1, {ORGANIZATIONS}) AS o
    """,
)

DATASET_VERSION = hashlib.sha256("\n".join(SEED_STATEMENTS).encode()).hexdigest()[:16]


def bench_url() -> URL:
    """`trellis_bench` on the server Trellis uses (embedded, or DATABASE_URL's server)."""
    return server_url(get_settings()).set(database=DATABASE_NAME)


def psycopg_dsn(url: URL) -> str:
    """A libpq URI for ``url`` (SQLAlchemy's ``postgresql+psycopg://`` without the driver)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _marker() -> str:
    return f"{DATASET_VERSION}@{migrations.head_revision()}"


def _is_current(dsn: str) -> bool:
    """Whether the database holds this exact dataset, complete."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('bench_meta')").fetchone() in (None, (None,)):
            return False
        row = conn.execute("SELECT value FROM bench_meta WHERE key = 'dataset'").fetchone()
        if row is None or row[0] != _marker():
            return False
        for table, expected in EXPECTED_COUNTS.items():
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            if count is None or count[0] != expected:
                return False
    return True


def _seed(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        for statement in SEED_STATEMENTS:
            conn.execute(statement)
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        conn.execute("INSERT INTO bench_meta VALUES ('dataset', %s)", (_marker(),))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def prepare(url: URL, *, reseed: bool, say: Callable[[str], None]) -> bool:
    """Make ``url``'s database hold the dataset, migrated to head; True if it was (re)seeded.

    A database whose marker does not match (another seed version, another migration head, an
    interrupted seed) is dropped and rebuilt from scratch.
    """
    dsn = psycopg_dsn(url)
    if not reseed:
        asyncio.run(ensure_database(url))
        migrations.upgrade(url)
        if _is_current(dsn):
            return False
    say(f"seeding {url.database} (dataset {DATASET_VERSION}) ...")
    asyncio.run(drop_database(url))
    asyncio.run(ensure_database(url))
    migrations.upgrade(url)
    _seed(dsn)
    if not _is_current(dsn):
        raise RuntimeError("the seeded dataset does not have the expected row counts")
    return True


def mint_token(url: URL) -> str:
    """A fresh access token for the bench user. Its sessions older than a day are removed;
    newer ones are left alone, in case another bench run is using one."""
    token = new_token(ACCESS_PREFIX)
    with psycopg.connect(psycopg_dsn(url)) as conn:
        conn.execute(
            "DELETE FROM auth_sessions "
            "WHERE user_id = %s AND created_at < now() - interval '1 day'",
            (BENCH_USER_ID,),
        )
        conn.execute(
            """
            INSERT INTO auth_sessions (user_id, token_hash, refresh_token_hash, user_agent,
                                       expires_at, refresh_expires_at)
            VALUES (%s, %s, %s, 'trellis-bench',
                    now() + make_interval(days => %s), now() + make_interval(days => %s))
            """,
            (
                BENCH_USER_ID,
                hash_token(token),
                hash_token(new_token(REFRESH_PREFIX)),
                TOKEN_TTL_DAYS,
                TOKEN_TTL_DAYS,
            ),
        )
    return token
