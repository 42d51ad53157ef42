"""Full-text search columns, declared once: a searchable table lists its text columns with
their weights (`__search__`), and gets from `Searchable` the per-row text-search
configuration (`search_config`) and the generated, weighted `search_vector` (GIN-indexed).

Why a per-row configuration: `to_tsvector(regconfig, text)` is immutable, so a generated
column may use it with a column of the same row as its configuration; each organization
chooses its language (`Organization.search_language`), and a trigger (migration 0011) copies
the organization's configuration into every searchable row on insert and when the
organization changes language. The configurations are `trellis_<language>`: copies of
PostgreSQL's own with `unaccent` in front of the stemmer where the server has the extension
(accents folded), plain copies where it has not (the embedded PostgreSQL 18 ships none).
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from sqlalchemy import Computed, Enum, Index, text
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class SearchLanguage(enum.Enum):
    """The languages an organization's texts can be searched in (stemming, stop words)."""

    SIMPLE = "simple"
    ENGLISH = "english"
    FRENCH = "french"
    GERMAN = "german"
    SPANISH = "spanish"
    ITALIAN = "italian"
    PORTUGUESE = "portuguese"
    DUTCH = "dutch"


def search_language_enum() -> Enum:
    return Enum(
        SearchLanguage, name="search_language", values_callable=lambda e: [m.value for m in e]
    )


def config_name(language: SearchLanguage | str) -> str:
    """The text-search configuration of a language (created by migration 0011)."""
    value = language.value if isinstance(language, SearchLanguage) else language
    return f"trellis_{value}"


DEFAULT_CONFIG = config_name(SearchLanguage.SIMPLE)

# The weights of ts_rank_cd for D, C, B, A (PostgreSQL's defaults).
WEIGHTS = ("D", "C", "B", "A")


def search_vector_sql(columns: tuple[tuple[str, str], ...]) -> str:
    """The generated column's expression: each text column weighted (A best)."""
    return " || ".join(
        f"setweight(to_tsvector(search_config, COALESCE({name}, '')), '{weight}')"
        for name, weight in columns
    )


class Searchable:
    """A table whose rows are found by full-text search. Declare ``__search__``: its text
    columns and their weights, best first, e.g. ``(("title", "A"), ("description", "B"))``.
    The migration adding a searchable table calls `graph.admin.search_ddl` (same columns)."""

    __search__: ClassVar[tuple[tuple[str, str], ...]]
    # Never recorded in the change history: derived, not data.
    __secret_columns__: ClassVar[frozenset[str]] = frozenset({"search_config", "search_vector"})

    search_config: Mapped[str] = mapped_column(
        REGCONFIG, server_default=text(f"'{DEFAULT_CONFIG}'::regconfig")
    )

    @declared_attr
    def search_vector(cls) -> Mapped[Any]:
        return mapped_column(TSVECTOR, Computed(search_vector_sql(cls.__search__), persisted=True))

    @classmethod
    def search_index(cls, table: str) -> Index:
        """The GIN index over the vector (put it in ``__table_args__``)."""
        return Index(f"{table}_search_vector_idx", "search_vector", postgresql_using="gin")


__all__ = [
    "DEFAULT_CONFIG",
    "SearchLanguage",
    "Searchable",
    "add_search_sql",
    "config_name",
    "drop_search_sql",
    "search_language_enum",
    "search_vector_sql",
]


# ---------------------------------------------------------------------------------------------
# DDL, for migrations: making a table searchable (and undoing it)


def add_search_sql(table: str, columns: tuple[tuple[str, str], ...]) -> list[str]:
    """Statements making ``table`` (which has ``organization_id``) searchable: the
    configuration column (filled from the organizations), the generated vector, its GIN
    index, and the trigger keeping the configuration the organization's."""
    return [
        f"ALTER TABLE {table} ADD COLUMN search_config regconfig "
        f"DEFAULT '{DEFAULT_CONFIG}'::regconfig NOT NULL",
        f"UPDATE {table} t SET search_config = ('trellis_' || o.search_language)::regconfig "
        f"FROM organizations o WHERE o.id = t.organization_id",
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({search_vector_sql(columns)}) STORED NOT NULL",
        f"CREATE INDEX {table}_search_vector_idx ON {table} USING gin (search_vector)",
        f"CREATE TRIGGER {table}_search_config BEFORE INSERT OR UPDATE OF organization_id "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION trellis_search_config()",
    ]


def drop_search_sql(table: str) -> list[str]:
    return [
        f"DROP TRIGGER {table}_search_config ON {table}",
        f"DROP INDEX {table}_search_vector_idx",
        f"ALTER TABLE {table} DROP COLUMN search_vector",
        f"ALTER TABLE {table} DROP COLUMN search_config",
    ]
