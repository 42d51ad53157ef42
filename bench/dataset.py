"""The benchmark dataset: deterministic, seeded set-based, reused between runs.

Sizes: 50 organizations; 40 members each (2,000 users, VIEWER or EDITOR); 1,000 items per
organization (50,000), owned by that organization's members; 10 tags per organization (500);
3 tags per item (150,000 links). Every id is ``md5(<key>)::uuid`` and every timestamp is fixed,
so the expected answers are the same on every machine. ``created_at`` is a permutation of the
row number, so the default orders (items: created_at then id; organizations: created_at then
id; tags: name then id) differ from the insertion order and from the id order.

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

from graph import migrations
from graph.auth import ACCESS_PREFIX, REFRESH_PREFIX, hash_token, new_token
from graph.database import drop_database, ensure_database, server_url
from graph.settings import get_settings

DATABASE_NAME = "trellis_bench"

ORGANIZATIONS = 50
USERS_PER_ORG = 40
ITEMS_PER_ORG = 1_000
TAGS_PER_ORG = 10
TAGS_PER_ITEM = 3

USERS = ORGANIZATIONS * USERS_PER_ORG
ITEMS = ORGANIZATIONS * ITEMS_PER_ORG
TAGS = ORGANIZATIONS * TAGS_PER_ORG
ITEM_TAGS = ITEMS * TAGS_PER_ITEM

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


BENCH_USER_ID = uuid_for("bench-user")

# Names with quotes, apostrophes and non-ASCII letters, so JSON escaping is exercised.
_FIRST_NAMES = "ARRAY['Ada','Zoë','José','Łukasz','Grace','Linus','美咲','O''Brien']"
_LAST_NAMES = "ARRAY['Lovelace','Hopper','Núñez','Kowalski','Torvalds','Okafor','山田','Smith']"
_TAG_WORDS = (
    "ARRAY['urgent','draft','review','archive','blue','green','backlog','idea','later','zeta']"
)
_EPOCH = "timestamptz '2024-01-01 00:00:00+00'"

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
