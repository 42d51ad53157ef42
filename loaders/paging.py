"""Keyset paging, written once for both execution paths: ordering terms, opaque cursors that
carry the ordering values of a row, validated page requests (`PageSpec`), pages of nodes, and
the SQL of one page (`numbered`, `ordered_page`)."""

from __future__ import annotations

import base64
import binascii
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, true
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import KeyedColumnElement

T = TypeVar("T")

# A column as models spell it (`models.Item.title`) or as tables do (`item_tags.c.item_id`).
Column = KeyedColumnElement[Any] | QueryableAttribute[Any]


class InvalidCursor(ValueError):
    """A pagination cursor that this server did not issue for this ordering."""


# ---------------------------------------------------------------------------------------------
# Ordering and keyset cursors


@dataclass(frozen=True, slots=True)
class OrderTerm:
    """One ORDER BY term. NULLs sort last going forward, first going backward."""

    column: Column
    descending: bool = False
    nulls_first: bool = False

    def reversed(self) -> OrderTerm:
        return OrderTerm(self.column, not self.descending, not self.nulls_first)

    def clause(self) -> ColumnElement[Any]:
        ordered = self.column.desc() if self.descending else self.column.asc()
        return ordered.nulls_first() if self.nulls_first else ordered.nulls_last()

    def after(self, value: Any) -> ColumnElement[bool]:
        """Rows strictly after ``value`` in this term's order."""
        if value is None:
            return self.column.is_not(None) if self.nulls_first else false()
        beyond = self.column < value if self.descending else self.column > value
        return beyond if self.nulls_first else or_(beyond, self.column.is_(None))

    def equal(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value


def keyset_after(terms: Sequence[OrderTerm], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after the row whose ordering values are ``values`` (row-value comparison, NULL-safe)."""
    alternatives = []
    for i, term in enumerate(terms):
        ties = [terms[j].equal(values[j]) for j in range(i)]
        alternatives.append(and_(*ties, term.after(values[i])))
    return or_(*alternatives)


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):  # a PostgreSQL enum label, as binary results carry it
        return value.decode()
    return value


def _from_json(column: Column, raw: Any) -> Any:
    if raw is None:
        return None
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return raw
    if python_type is datetime:
        return datetime.fromisoformat(raw)
    if python_type is date:
        return date.fromisoformat(raw)
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        # Checked against the enum, bound as the label: the read path hands parameters to
        # psycopg as they are, and psycopg would send an Enum member's name.
        return python_type(raw).value
    if python_type in (uuid.UUID, Decimal, int, float, str, bool):
        value = python_type(raw)
        if python_type is str and not isinstance(raw, str):
            raise TypeError("cursor value of the wrong type")
        return value
    return raw


def order_signature(terms: Sequence[OrderTerm]) -> str:
    return ",".join(f"{t.column.key}{'-' if t.descending else '+'}" for t in terms)


def encode_cursor(signature: str, values: Sequence[Any]) -> str:
    payload = orjson.dumps([signature, [_to_json(v) for v in values]])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str, terms: Sequence[OrderTerm]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        signature, raw = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if signature != order_signature(terms) or len(raw) != len(terms):
            raise InvalidCursor("the cursor was issued for another ordering")
        return [_from_json(t.column, v) for t, v in zip(terms, raw, strict=True)]
    except InvalidCursor:
        raise
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidCursor("malformed cursor") from exc


# ---------------------------------------------------------------------------------------------
# Pages


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A validated page request: at most one direction, a size, an optional cursor."""

    order: tuple[OrderTerm, ...]
    size: int
    cursor: str | None = None
    backward: bool = False

    @property
    def terms(self) -> tuple[OrderTerm, ...]:
        return tuple(t.reversed() for t in self.order) if self.backward else self.order

    def keyset(self) -> ColumnElement[bool]:
        if self.cursor is None:
            return true()
        return keyset_after(self.terms, decode_cursor(self.cursor, self.order))


@dataclass(slots=True)
class Page(Generic[T]):
    """A page of nodes. Cursors are encoded only when asked for (`cursor(i)`): most
    queries select `nodes` and `pageInfo`, not every edge's cursor."""

    nodes: list[T]
    order_values: list[tuple[Any, ...]]
    signature: str
    has_next_page: bool
    has_previous_page: bool
    # Per node, the values of the extra columns the page was read with (a search's score
    # and snippet); empty when there were none.
    extras: list[tuple[Any, ...]] = field(default_factory=list)

    def cursor(self, index: int) -> str:
        return encode_cursor(self.signature, self.order_values[index])

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(0) if self.nodes else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(len(self.nodes) - 1) if self.nodes else None


# ---------------------------------------------------------------------------------------------
# The SQL of one page: every read of a page (a root list, a page per parent, the compiled
# statement) orders, numbers and cuts its rows here


def numbered(spec: PageSpec, *, partition_by: Any = None) -> ColumnElement[Any]:
    """Each row's place in the page order (per ``partition_by``, e.g. per parent)."""
    return func.row_number().over(
        partition_by=partition_by, order_by=[t.clause() for t in spec.terms]
    )


def ordered_page(
    stmt: Select[Any],
    spec: PageSpec,
    *,
    keyset: ColumnElement[bool] | None = None,
    limit: Any = None,
) -> Select[Any]:
    """``stmt``'s rows after the cursor (``keyset``: the condition instead of the spec's own,
    e.g. with values bound per request), in page order, one more than a page so the caller
    knows whether there is more (``limit``: that number, e.g. as a bound parameter)."""
    after = spec.keyset() if keyset is None else keyset
    return (
        stmt.where(after)
        .order_by(*(t.clause() for t in spec.terms))
        .limit(spec.size + 1 if limit is None else limit)
    )
