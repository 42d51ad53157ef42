"""The read path: tenant-scoped, batched SELECTs and keyset pagination, written once.

Every read of a node type goes through `visible_select` (or the loaders built on it), which
applies the model's ``visible_to(viewer)`` rule, so tenancy holds on every path by
construction: root lists, ``node``, nested fields and counts all start here.

Reads run on an autocommit engine, one pooled connection per batch, so concurrently running
resolvers never share a connection and no BEGIN/ROLLBACK round trips are spent on reads.
"""

from __future__ import annotations

import base64
import binascii
import enum
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

import orjson
from aiodataloader import DataLoader
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    any_,
    bindparam,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import KeyedColumnElement

from models.base import Base
from models.viewer import Viewer


class NodeClass(Protocol):
    """What a GraphQL node type offers the read path: the model it is read from."""

    __model__: ClassVar[type[Base]]


T = TypeVar("T")
N = TypeVar("N", bound=NodeClass)

# A column as models spell it (`models.Item.title`) or as tables do (`item_tags.c.item_id`).
Column = KeyedColumnElement[Any] | QueryableAttribute[Any]


def key_in(column: Column, keys: Sequence[Any]) -> ColumnElement[bool]:
    """``column = ANY(:keys)``: one array parameter, so the SQL text is the same for any
    number of keys (and the server can reuse its prepared plan)."""
    return column == any_(cast(Any, list(keys)))


class InvalidCursor(ValueError):
    """A pagination cursor that this server did not issue for this ordering."""


# ---------------------------------------------------------------------------------------------
# Shapes: which columns a node type reads, and how a row becomes an instance


@dataclass(frozen=True, slots=True)
class Shape(Generic[T]):
    model: type[Base]
    columns: tuple[KeyedColumnElement[Any], ...]
    names: tuple[str, ...]
    cls: type[T]

    def build(self, row: Sequence[Any]) -> T:
        return self.cls(**dict(zip(self.names, row, strict=False)))

    def from_object(self, obj: Any) -> T:
        """The node for an ORM object the write path just saved."""
        values = {n: getattr(obj, c.key) for n, c in zip(self.names, self.columns, strict=True)}
        return self.cls(**values)


_shapes: dict[type[Any], Shape[Any]] = {}


def shape_of(cls: type[T]) -> Shape[T]:
    """The columns a node type's fields read: its dataclass fields that are table columns.

    The primary key is the field ``pk`` (the GraphQL ``id`` is the global ID built from it).
    """
    shape = _shapes.get(cls)
    if shape is None:
        model: type[Base] = cls.__model__  # type: ignore[attr-defined]
        table = model.__table__
        names: list[str] = []
        columns: list[KeyedColumnElement[Any]] = []
        for f in fields(cast(Any, cls)):
            if not f.init:  # fields with resolvers
                continue
            column_name = "id" if f.name == "pk" else f.name
            if column_name in table.c:
                names.append(f.name)
                columns.append(table.c[column_name])
        shape = _shapes[cls] = Shape(model, tuple(columns), tuple(names), cls)
    return shape


def to_node(cls: type[T], obj: Any) -> T:
    return shape_of(cls).from_object(obj)


def visible_select(cls: type[Any], viewer: Viewer) -> Select[Any]:
    """The one way to start a read of a node type: its columns, scoped to what viewer may see."""
    shape = shape_of(cls)
    return select(*shape.columns).where(shape.model.visible_to(viewer))


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
        return python_type(raw)
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
    nodes: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def _page_from_rows(spec: PageSpec, shape: Shape[T], rows: Sequence[Sequence[Any]]) -> Page[T]:
    """Rows carry the node columns, then one column per order term; one extra row = more."""
    more = len(rows) > spec.size
    rows = rows[: spec.size]
    if spec.backward:
        rows = list(reversed(rows))
    width = len(shape.columns)
    signature = order_signature(spec.order)
    nodes = [shape.build(row) for row in rows]
    cursors = [encode_cursor(signature, row[width : width + len(spec.order)]) for row in rows]
    if spec.backward:
        return Page(nodes, cursors, has_next_page=spec.cursor is not None, has_previous_page=more)
    return Page(nodes, cursors, has_next_page=more, has_previous_page=spec.cursor is not None)


def _order_columns(spec: PageSpec) -> list[ColumnElement[Any]]:
    return [t.column.label(f"_o{i}") for i, t in enumerate(spec.order)]


async def fetch_page(
    engine: AsyncEngine,
    cls: type[T],
    viewer: Viewer,
    spec: PageSpec,
    where: ColumnElement[bool],
) -> Page[T]:
    """One page of a root list: a single statement, keyset-paginated."""
    shape = shape_of(cls)
    stmt = (
        visible_select(cls, viewer)
        .add_columns(*_order_columns(spec))
        .where(where, spec.keyset())
        .order_by(*(t.clause() for t in spec.terms))
        .limit(spec.size + 1)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return _page_from_rows(spec, shape, rows)


async def fetch_count(
    engine: AsyncEngine, cls: type[Any], viewer: Viewer, where: ColumnElement[bool]
) -> int:
    model = shape_of(cls).model
    stmt = select(func.count()).select_from(model).where(model.visible_to(viewer), where)
    async with engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


# ---------------------------------------------------------------------------------------------
# Relations


@dataclass(frozen=True, slots=True)
class Relation:
    """How child rows hang off a parent: the column holding the parent's id, and for
    many-to-many relations the link table joined to reach it."""

    parent_column: Column
    join: FromClause | None = None
    on: ColumnElement[bool] | None = None

    def apply(self, stmt: Any) -> Any:
        if self.join is not None:
            stmt = stmt.join(self.join, cast(ColumnElement[bool], self.on))
        return stmt


class ByIdLoader(DataLoader[uuid.UUID, T | None]):
    """Nodes of one type by primary key; missing or invisible ids load as None."""

    def __init__(self, engine: AsyncEngine, cls: type[T], viewer: Viewer) -> None:
        super().__init__()
        self.engine, self.cls, self.viewer = engine, cls, viewer

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[T | None]:
        shape = shape_of(self.cls)
        pk = shape.model.__table__.c.id
        stmt = visible_select(self.cls, self.viewer).where(key_in(pk, keys))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        pk_index = shape.names.index("pk")
        found = {row[pk_index]: shape.build(row) for row in rows}
        return [found.get(key) for key in keys]


class PageLoader(DataLoader[uuid.UUID, Page[T]]):
    """A page of children for each parent id, all parents in one statement.

    Each parent's page is a LATERAL subquery with its own ORDER BY ... LIMIT, so "the first
    20 items of each of 10 organizations" is one round trip that reads 10 x 21 index entries.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        cls: type[T],
        viewer: Viewer,
        relation: Relation,
        spec: PageSpec,
        where: ColumnElement[bool],
    ) -> None:
        super().__init__()
        self.engine, self.cls, self.viewer = engine, cls, viewer
        self.relation, self.spec, self.where = relation, spec, where

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[Page[T]]:
        shape, spec, parent = shape_of(self.cls), self.spec, self.relation.parent_column
        clauses = [t.clause() for t in spec.terms]
        parents = (
            func.unnest(bindparam("parent_ids", list(keys), type_=ARRAY(PG_UUID(as_uuid=True))))
            .table_valued("id")
            .render_derived(name="parents")
        )
        # Per parent: an index-ordered scan that stops after size + 1 rows (LATERAL ... LIMIT).
        page = (
            self.relation.apply(
                visible_select(self.cls, self.viewer).add_columns(
                    *_order_columns(spec),
                    func.row_number().over(order_by=clauses).label("row_number"),
                )
            )
            .where(parent == parents.c.id, self.where, spec.keyset())
            .order_by(*clauses)
            .limit(spec.size + 1)
            .lateral("page")
        )
        stmt = (
            select(page, parents.c.id)
            .select_from(parents)
            .join(page, true())
            .order_by(parents.c.id, page.c["row_number"])
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        parent_index = len(shape.columns) + len(spec.order) + 1
        grouped: dict[Any, list[Sequence[Any]]] = defaultdict(list)
        for row in rows:
            grouped[row[parent_index]].append(row)
        return [_page_from_rows(spec, shape, grouped.get(key, [])) for key in keys]


class CountLoader(DataLoader[uuid.UUID, int]):
    """How many visible children each parent has, all parents in one GROUP BY."""

    def __init__(
        self,
        engine: AsyncEngine,
        cls: type[Any],
        viewer: Viewer,
        relation: Relation,
        where: ColumnElement[bool],
    ) -> None:
        super().__init__()
        self.engine, self.cls, self.viewer = engine, cls, viewer
        self.relation, self.where = relation, where

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[int]:
        model = shape_of(self.cls).model
        parent = self.relation.parent_column
        stmt = (
            self.relation.apply(select(parent, func.count()).select_from(model))
            .where(model.visible_to(self.viewer), key_in(parent, keys), self.where)
            .group_by(parent)
        )
        async with self.engine.connect() as conn:
            counts = {row[0]: row[1] for row in (await conn.execute(stmt)).all()}
        return [int(counts.get(key, 0)) for key in keys]


class Loaders:
    """The per-request registry. Loaders are created on first use and live for one request
    (one subscription event), so nothing is cached across requests or viewers."""

    def __init__(self, engine: AsyncEngine, viewer: Viewer) -> None:
        self.engine, self.viewer = engine, viewer
        self._by_id: dict[type[Any], ByIdLoader[Any]] = {}
        self._keyed: dict[Hashable, DataLoader[Any, Any]] = {}

    def by_id(self, cls: type[T]) -> ByIdLoader[T]:
        loader = self._by_id.get(cls)
        if loader is None:
            loader = self._by_id[cls] = ByIdLoader(self.engine, cls, self.viewer)
        return loader

    def pages(
        self,
        key: Hashable,
        cls: type[T],
        relation: Relation,
        spec: Callable[[], PageSpec],
        where: Callable[[], ColumnElement[bool]],
    ) -> PageLoader[T]:
        """The page loader for one relation field with one set of arguments.

        ``key`` identifies the field and its arguments, so every parent asking for the same
        page shares one loader (and one statement); ``spec`` and ``where`` are built once.
        """
        loader = self._keyed.get(key)
        if loader is None:
            loader = self._keyed[key] = PageLoader(
                self.engine, cls, self.viewer, relation, spec(), where()
            )
        return cast(PageLoader[T], loader)

    def lists(
        self, key: Hashable, cls: type[T], relation: Relation, order: Sequence[OrderTerm]
    ) -> ListLoader[T]:
        loader = self._keyed.get(("list", key))
        if loader is None:
            loader = self._keyed[("list", key)] = ListLoader(
                self.engine, cls, self.viewer, relation, order
            )
        return cast(ListLoader[T], loader)

    def counts(
        self,
        key: Hashable,
        cls: type[Any],
        relation: Relation,
        where: Callable[[], ColumnElement[bool]],
    ) -> CountLoader:
        loader = self._keyed.get(("count", key))
        if loader is None:
            loader = self._keyed[("count", key)] = CountLoader(
                self.engine, cls, self.viewer, relation, where()
            )
        return cast(CountLoader, loader)


class ListLoader(DataLoader[uuid.UUID, list[T]]):
    """Every visible child of each parent, for small bounded lists (a role's permissions)."""

    def __init__(
        self,
        engine: AsyncEngine,
        cls: type[T],
        viewer: Viewer,
        relation: Relation,
        order: Sequence[OrderTerm],
    ) -> None:
        super().__init__()
        self.engine, self.cls, self.viewer = engine, cls, viewer
        self.relation, self.order = relation, order

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[list[T]]:
        shape, parent = shape_of(self.cls), self.relation.parent_column
        stmt = (
            self.relation.apply(visible_select(self.cls, self.viewer).add_columns(parent))
            .where(key_in(parent, keys))
            .order_by(*(t.clause() for t in self.order))
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        grouped: dict[Any, list[T]] = defaultdict(list)
        for row in rows:
            grouped[row[-1]].append(shape.build(row))
        return [grouped.get(key, []) for key in keys]
