"""Full-text search on a connection, written once: a connection over a searchable model
(`models.search.Searchable`) takes `search:`, its order enum may offer `RELEVANCE`
(`by_relevance()`), and its edges carry the match's `score` and `snippet`.

The search text is read with `websearch_to_tsquery` (quoted phrases, `or`, `-word`) in each
row's own configuration (its organization's language). So that the GIN index serves it, the
statement first keeps the rows matching the query in any of the configurations (one constant
`tsquery`, an index condition), then checks the row's own (exact).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.sql.elements import BindParameter

from graph.kernel.filters import filter_condition
from graph.kernel.ids import user_error
from models.search import Searchable, SearchLanguage, config_name

# Longer search texts are refused (a search box, not a document).
MAX_SEARCH_LENGTH = 500
# ts_headline's options: HTML-escaped text, matches in <mark>, up to two fragments.
HEADLINE_OPTIONS = (
    "StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8, MaxFragments=2, "
    'FragmentDelimiter=" … "'
)
# ts_rank_cd normalisation 32: rank / (rank + 1), a score between 0 and 1.
RANK_NORMALIZATION = 32


def searchable(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, Searchable)


def search_text(value: str | None) -> str | None:
    """The search text to use: None for none or blank; refused when too long."""
    if value is None or not value.strip():
        return None
    if len(value) > MAX_SEARCH_LENGTH:
        raise user_error(
            f"`search` is {len(value)} characters long; at most {MAX_SEARCH_LENGTH} are allowed.",
            "SEARCH_TOO_LONG",
        )
    return value


# The search text: a string (bound as a parameter of its own wherever it is used), or a bound
# parameter the caller fills per execution (a compiled plan's).
Text_ = str | BindParameter[str]


def _text(value: Text_) -> Any:
    if isinstance(value, BindParameter):
        return value
    return bindparam(None, value, type_=Text, unique=True)


def _query(language: SearchLanguage, value: Text_) -> ColumnElement[Any]:
    config: ColumnElement[Any] = literal_column(f"'{config_name(language)}'::regconfig")
    return func.websearch_to_tsquery(config, _text(value))


def row_query(model: Any, value: Text_) -> ColumnElement[Any]:
    """The search as a tsquery in the row's own configuration: each language's query is
    parsed once per statement (a scalar subquery, an InitPlan), not once per row."""
    return case(
        *(
            (
                model.search_config == literal_column(f"'{config_name(language)}'::regconfig"),
                select(_query(language, value)).scalar_subquery(),
            )
            for language in SearchLanguage
        ),
        else_=func.websearch_to_tsquery(model.search_config, _text(value)),
    )


def condition(model: Any, value: Text_) -> ColumnElement[bool]:
    """Rows matching the search: an index-served prefilter, then the exact match."""
    configs = [_query(language, value) for language in SearchLanguage]
    any_language: ColumnElement[Any] = configs[0]
    for query in configs[1:]:
        any_language = any_language.op("||")(query)
    vector = model.search_vector
    # Parsed once per statement (an InitPlan the index scan reads), also in a generic plan
    # where the text is a parameter: not once per row rechecked.
    once = select(any_language).scalar_subquery()
    return and_(vector.op("@@")(once), vector.op("@@")(row_query(model, value)))


def score(model: Any, value: Text_) -> ColumnElement[float]:
    """How well a row matches, between 0 and 1 (cover density, title weighted over body)."""
    rank = func.ts_rank_cd(model.search_vector, row_query(model, value), RANK_NORMALIZATION)
    return cast(rank, Float)


def relevance(model: Any, value: Text_) -> ColumnElement[Any]:
    """The RELEVANCE order: best match first ascending (the score, negated)."""
    return (-score(model, value)).label("relevance")


def snippet(model: Any, value: Text_) -> ColumnElement[str]:
    """The row's searched text, HTML-escaped, with the matches in <mark>...</mark>."""
    parts = [getattr(model, name) for name, _ in model.__search__]
    text = func.concat_ws(literal_column("' — '"), *parts)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = func.replace(text, literal_column(f"'{char}'"), literal_column(f"'{entity}'"))
    return func.ts_headline(
        model.search_config,
        text,
        row_query(model, value),
        literal_column("'" + HEADLINE_OPTIONS.replace("'", "''") + "'"),
    )


def edge_columns(model: Any, value: Text_ | None) -> list[ColumnElement[Any]]:
    """The columns a searched page adds to each row for its edge: score, snippet."""
    if value is None:
        return []
    return [score(model, value).label("_score"), snippet(model, value).label("_snippet")]


def where_of(model: Any, flt: Any, value: Text_ | None) -> ColumnElement[bool] | None:
    """A connection's filter and search as one condition (None: neither)."""
    conditions = []
    if flt is not None:
        conditions.append(filter_condition(flt))
    if value is not None:
        conditions.append(condition(model, value))
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else and_(*conditions)


__all__ = [
    "condition",
    "edge_columns",
    "relevance",
    "score",
    "search_text",
    "searchable",
    "snippet",
    "where_of",
]
