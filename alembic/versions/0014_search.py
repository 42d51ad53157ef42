"""search: per-organization search language, text-search configurations, a weighted
generated tsvector with a GIN index on every searchable table

Revision ID: 0014_search
Revises: 0013_plans
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from models.search import add_search_sql, drop_search_sql

revision: str = "0014_search"
down_revision: str | Sequence[str] | None = "0013_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGUAGES = ("simple", "english", "french", "german", "spanish", "italian", "portuguese", "dutch")

# The searchable tables and their weighted columns (as each model's `__search__` says).
SEARCHABLE = {
    "items": (("title", "A"), ("description", "B")),
    "properties": (("title", "A"), ("address", "B"), ("city", "B"), ("area", "B")),
    "clients": (("name", "A"), ("email", "B")),
    "projects": (("name", "A"), ("description", "B")),
    "design_objects": (("name", "A"), ("description", "B")),
}

CONFIGURATIONS = """
DO $$
DECLARE
    language text;
    folded boolean := EXISTS (SELECT FROM pg_available_extensions WHERE name = 'unaccent');
BEGIN
    IF folded THEN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    END IF;
    FOREACH language IN ARRAY ARRAY[LANGUAGES] LOOP
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION trellis_%s (COPY = pg_catalog.%s)',
                       language, language);
        IF folded THEN  -- accents folded before stemming
            EXECUTE format(
                'ALTER TEXT SEARCH CONFIGURATION trellis_%s ALTER MAPPING FOR hword, '
                'hword_part, word WITH unaccent, %s',
                language, CASE WHEN language = 'simple' THEN 'simple' ELSE language || '_stem' END);
        END IF;
    END LOOP;
END $$
""".replace("LANGUAGES", ", ".join(f"'{language}'" for language in LANGUAGES))

ROW_CONFIG = """
CREATE FUNCTION trellis_search_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A searchable row is searched in its organization's language (simple without one).
    NEW.search_config := coalesce(
        (SELECT ('trellis_' || search_language::text)::regconfig
           FROM organizations WHERE id = NEW.organization_id),
        'trellis_simple'::regconfig);
    RETURN NEW;
END $$
"""

LANGUAGE_CHANGED = """
CREATE FUNCTION trellis_search_language_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    searchable regclass;
BEGIN
    -- Every table with a search configuration column follows its organization's language.
    FOR searchable IN
        SELECT c.oid::regclass FROM pg_class c
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'search_config'
         WHERE c.relkind = 'r' AND NOT a.attisdropped
           AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = TG_RELID)
    LOOP
        EXECUTE format('UPDATE %s SET search_config = $1 WHERE organization_id = $2', searchable)
            USING ('trellis_' || NEW.search_language::text)::regconfig, NEW.id;
    END LOOP;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    language = sa.Enum(*LANGUAGES, name="search_language")
    language.create(op.get_bind())
    op.add_column(
        "organizations",
        sa.Column("search_language", language, server_default="simple", nullable=False),
    )
    op.execute(CONFIGURATIONS)
    op.execute(ROW_CONFIG)
    op.execute(LANGUAGE_CHANGED)
    op.execute(
        "CREATE TRIGGER organizations_search_language AFTER UPDATE OF search_language "
        "ON organizations FOR EACH ROW WHEN (OLD.search_language IS DISTINCT FROM "
        "NEW.search_language) EXECUTE FUNCTION trellis_search_language_changed()"
    )
    for table, columns in SEARCHABLE.items():
        for statement in add_search_sql(table, columns):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(SEARCHABLE):
        for statement in drop_search_sql(table):
            op.execute(statement)
    op.execute("DROP TRIGGER organizations_search_language ON organizations")
    op.execute("DROP FUNCTION trellis_search_language_changed()")
    op.execute("DROP FUNCTION trellis_search_config()")
    for language in LANGUAGES:
        op.execute(f"DROP TEXT SEARCH CONFIGURATION trellis_{language}")
    op.execute("DROP EXTENSION IF EXISTS unaccent")
    op.drop_column("organizations", "search_language")
    sa.Enum(name="search_language").drop(op.get_bind())
