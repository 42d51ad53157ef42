"""The read path: tenant-scoped, batched SELECTs, written once (keyset paging: loaders.paging).

Every read of a node type goes through `visible_select` (or the loaders built on it), which
applies the model's ``visible_to()`` rule, so tenancy holds on every path by construction:
root lists, ``node``, nested fields and counts all start here. The rule is written with the
viewer parameters (models.base), whose values each execution passes: a statement's SQL text
does not depend on who asks.

Statements are built with SQLAlchemy Core and compiled once per shape (`Reader.sql_for`);
they run on a psycopg pool of autocommit connections, one pooled connection per batch, so
concurrently running resolvers never share a connection, no BEGIN/ROLLBACK round trips are
spent on reads, and psycopg prepares the constant SQL texts server-side. Rows become node
instances directly: no ORM identity map, no SQLAlchemy Row objects.
"""

from __future__ import annotations

import enum
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar, cast

from aiodataloader import DataLoader
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    any_,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.sql.elements import KeyedColumnElement

from loaders.paging import (
    Column,
    OrderTerm,
    Page,
    PageSpec,
    numbered,
    order_signature,
    ordered_page,
)
from loaders.reader import Reader
from models.base import Base, archivable
from models.viewer import Viewer, uuid_array

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# Shapes: which columns a node type reads, and how a row becomes an instance


@dataclass(frozen=True, slots=True)
class Shape(Generic[T]):
    model: type[Base]
    columns: tuple[KeyedColumnElement[Any], ...]
    names: tuple[str, ...]
    cls: type[T]
    # (position, converter) for columns whose driver value is not the Python value (enums).
    converters: tuple[tuple[int, Callable[[Any], Any]], ...] = ()

    def build(self, row: Sequence[Any]) -> T:
        """A node from a row, without the dataclass __init__ (a hot path: every row)."""
        if self.converters:
            values = list(row[: len(self.names)])
            for i, convert in self.converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            row = values
        node = self.cls.__new__(self.cls)
        node.__dict__.update(zip(self.names, row, strict=False))
        return node

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
        converters = tuple(
            (i, _enum_loader(column.type.enum_class))
            for i, column in enumerate(columns)
            if isinstance(column.type, SAEnum) and column.type.enum_class is not None
        )
        shape = _shapes[cls] = Shape(model, tuple(columns), tuple(names), cls, converters)
    return shape


def _enum_loader(enum_class: type[enum.Enum]) -> Callable[[Any], Any]:
    """PostgreSQL enums arrive as bytes (binary results): map them to the model's enum."""

    def load(value: Any) -> Any:
        return enum_class(value.decode() if isinstance(value, bytes) else value)

    return load


def to_node(cls: type[T], obj: Any) -> T:
    return shape_of(cls).from_object(obj)


def visible_select(source: type[Any], *columns: Any, include_archived: bool = True) -> Select[Any]:
    """The one way to start a read: of a node type (its columns), or of a model (``columns``,
    else the ORM entity), scoped to what the viewer may see (execute it with the viewer's
    parameters). Both execution paths, the write path's lookups and the counts start here.

    ``include_archived``: False for lists, which leave out the archived rows of a model that
    can be archived (`models.base.ArchiveMixin`) unless asked; a node by ID is read with
    them."""
    if isinstance(source, type) and issubclass(source, Base):
        model: type[Base] = source
        selected: tuple[Any, ...] = columns or (model,)
    else:
        shape = shape_of(source)
        model, selected = shape.model, columns or shape.columns
    return select(*selected).where(listed(model, include_archived))


def visible_count(source: type[Any], *, include_archived: bool = True) -> Select[Any]:
    """How many rows of a node type (or model) the viewer may see: `visible_select`'s count."""
    model = source if issubclass(source, Base) else shape_of(source).model
    return select(func.count()).select_from(model).where(listed(model, include_archived))


def listed(model: type[Base], include_archived: bool) -> ColumnElement[bool]:
    """The model's visibility rule, without its archived rows unless ``include_archived``."""
    rule = model.visible_to()
    if include_archived or not archivable(model):
        return rule
    archived_at: ColumnElement[Any] = cast(Any, model).archived_at
    return rule & archived_at.is_(None)


def _page_from_rows(
    spec: PageSpec, shape: Shape[T], rows: Sequence[Sequence[Any]], extra: int = 0
) -> Page[T]:
    """Rows carry the node columns, then one column per order term not among them, then
    ``extra`` columns (kept per node); one extra row = more."""
    more = len(rows) > spec.size
    rows = rows[: spec.size]
    if spec.backward:
        rows = list(reversed(rows))
    order_columns, positions = _order_layout(spec, shape)
    signature = order_signature(spec.order)
    nodes = [shape.build(row) for row in rows]
    values = [tuple(row[i] for i in positions) for row in rows]
    extras: list[tuple[Any, ...]] = []
    if extra:
        start = len(shape.columns) + len(order_columns)
        extras = [tuple(row[start : start + extra]) for row in rows]
    after_cursor = spec.cursor is not None
    if spec.backward:
        return Page(nodes, values, signature, after_cursor, more, extras)
    return Page(nodes, values, signature, more, after_cursor, extras)


def _order_layout(spec: PageSpec, shape: Shape[Any]) -> tuple[list[ColumnElement[Any]], list[int]]:
    """Where each ORDER BY value sits in a row: a node column already selected (usually),
    or an extra column after them. Returns (extra columns, positions)."""
    extra: list[ColumnElement[Any]] = []
    positions: list[int] = []
    for term in spec.order:
        column = getattr(term.column, "expression", term.column)
        found = next((i for i, c in enumerate(shape.columns) if c is column), None)
        if found is None:
            found = len(shape.columns) + len(extra)
            extra.append(term.column.label(f"_o{len(extra)}"))
        positions.append(found)
    return extra, positions


def _order_columns(spec: PageSpec, shape: Shape[Any]) -> list[ColumnElement[Any]]:
    return _order_layout(spec, shape)[0]


async def fetch_page(
    reader: Reader,
    cls: type[T],
    viewer: Viewer,
    spec: PageSpec,
    where: ColumnElement[bool] | None,
    extra: Sequence[ColumnElement[Any]] = (),
    *,
    include_archived: bool = True,
) -> Page[T]:
    """One page of a root list: a single statement, keyset-paginated; ``extra``: columns
    kept per node (`Page.extras`)."""
    shape = shape_of(cls)

    def build() -> Select[Any]:
        stmt = visible_select(cls, include_archived=include_archived).add_columns(
            *_order_columns(spec, shape), *extra
        )
        if where is not None:
            stmt = stmt.where(where)
        return ordered_page(stmt, spec)

    key = None
    if where is None and spec.cursor is None:
        key = ("page", cls, order_signature(spec.order), spec.size, spec.backward, include_archived)
    rows = await reader.rows(key, build, viewer.params(raw=True))
    return _page_from_rows(spec, shape, rows, len(extra))


async def fetch_count(
    reader: Reader,
    cls: type[Any],
    viewer: Viewer,
    where: ColumnElement[bool] | None,
    *,
    include_archived: bool = True,
) -> int:
    def build() -> Select[Any]:
        stmt = visible_count(cls, include_archived=include_archived)
        return stmt.where(where) if where is not None else stmt

    key = ("count", cls, include_archived) if where is None else None
    rows = await reader.rows(key, build, viewer.params(raw=True))
    return int(rows[0][0])


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


def _keys_param(name: str) -> Any:
    return bindparam(name, type_=ARRAY(PG_UUID(as_uuid=True)), required=False)


class ByIdLoader(DataLoader[uuid.UUID, T | None]):
    """Nodes of one type by primary key (or by another unique column of theirs, ``column``,
    one of the node type's fields); missing or invisible ids load as None."""

    def __init__(
        self, reader: Reader, cls: type[T], viewer: Viewer, column: Column | None = None
    ) -> None:
        super().__init__()
        self.reader, self.cls, self.viewer = reader, cls, viewer
        self.column = column

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[T | None]:
        shape = shape_of(self.cls)
        table = shape.model.__table__
        column = table.c.id if self.column is None else table.c[self.column.key]

        def build() -> Select[Any]:
            return visible_select(self.cls).where(column == any_(_keys_param("keys")))

        params = {**self.viewer.params(raw=True), "keys": uuid_array(keys)}
        cache_key = ("by_id", self.cls) if self.column is None else ("by_key", self.cls, column)
        rows = await self.reader.rows(cache_key, build, params)
        key_index = next(i for i, c in enumerate(shape.columns) if c is column)
        found = {row[key_index]: shape.build(row) for row in rows}
        return [found.get(key) for key in keys]


class PageLoader(DataLoader[uuid.UUID, Page[T]]):
    """A page of children for each parent id, all parents in one statement.

    Each parent's page is a LATERAL subquery with its own ORDER BY ... LIMIT, so "the first
    20 items of each of 10 organizations" is one round trip that reads 10 x 21 index entries.
    """

    def __init__(
        self,
        reader: Reader,
        cls: type[T],
        viewer: Viewer,
        relation: Relation,
        spec: PageSpec,
        where: ColumnElement[bool] | None,
        cache_key: Hashable | None,
        include_archived: bool = True,
        extra: Sequence[ColumnElement[Any]] = (),
    ) -> None:
        super().__init__()
        self.reader, self.cls, self.viewer = reader, cls, viewer
        self.relation, self.spec, self.where, self.cache_key = relation, spec, where, cache_key
        self.include_archived = include_archived
        self.extra = tuple(extra)

    def _build(self) -> Select[Any]:
        if self.relation.join is not None:
            return self._build_partitioned()
        spec, parent = self.spec, self.relation.parent_column
        parents = (
            func.unnest(_keys_param("parent_ids")).table_valued("id").render_derived(name="parents")
        )
        # Per parent: an index-ordered scan that stops after size + 1 rows (LATERAL ... LIMIT).
        inner = visible_select(self.cls, include_archived=self.include_archived).add_columns(
            *_order_columns(spec, shape_of(self.cls)),
            *self.extra,
            numbered(spec).label("row_number"),
        )
        inner = inner.where(parent == parents.c.id)
        if self.where is not None:
            inner = inner.where(self.where)
        page = ordered_page(inner, spec).lateral("page")
        return (
            select(page, parents.c.id)
            .select_from(parents)
            .join(page, true())
            .order_by(parents.c.id, page.c["row_number"])
        )

    def _build_partitioned(self) -> Select[Any]:
        """Many-to-many links fan out little (an item's tags): reading every link of the
        parents once and numbering them per parent beats a LATERAL probe per parent."""
        spec, parent = self.spec, self.relation.parent_column
        inner = self.relation.apply(
            visible_select(self.cls, include_archived=self.include_archived).add_columns(
                *_order_columns(spec, shape_of(self.cls)),
                *self.extra,
                numbered(spec, partition_by=parent).label("row_number"),
                parent.label("parent_key"),
            )
        ).where(parent == any_(_keys_param("parent_ids")), spec.keyset())
        if self.where is not None:
            inner = inner.where(self.where)
        sub = inner.subquery("page")
        number = sub.c["row_number"]
        return select(sub).where(number <= spec.size + 1).order_by(sub.c["parent_key"], number)

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[Page[T]]:
        shape, spec = shape_of(self.cls), self.spec
        params = {**self.viewer.params(raw=True), "parent_ids": uuid_array(keys)}
        rows = await self.reader.rows(self.cache_key, self._build, params)
        extra = len(self.extra)
        parent_index = len(shape.columns) + len(_order_columns(spec, shape)) + extra + 1
        grouped: dict[Any, list[Sequence[Any]]] = defaultdict(list)
        for row in rows:
            grouped[row[parent_index]].append(row)
        return [_page_from_rows(spec, shape, grouped.get(key, []), extra) for key in keys]


class CountLoader(DataLoader[uuid.UUID, int]):
    """How many visible children each parent has, all parents in one GROUP BY."""

    def __init__(
        self,
        reader: Reader,
        cls: type[Any],
        viewer: Viewer,
        relation: Relation,
        where: ColumnElement[bool] | None,
        cache_key: Hashable | None,
        include_archived: bool = True,
    ) -> None:
        super().__init__()
        self.reader, self.cls, self.viewer = reader, cls, viewer
        self.relation, self.where, self.cache_key = relation, where, cache_key
        self.include_archived = include_archived

    def _build(self) -> Select[Any]:
        model = shape_of(self.cls).model
        parent = self.relation.parent_column
        stmt = self.relation.apply(
            visible_select(
                model, parent, func.count(), include_archived=self.include_archived
            ).select_from(model)
        )
        stmt = stmt.where(parent == any_(_keys_param("parent_ids")))
        if self.where is not None:
            stmt = stmt.where(self.where)
        return cast(Select[Any], stmt.group_by(parent))

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[int]:
        params = {**self.viewer.params(raw=True), "parent_ids": uuid_array(keys)}
        rows = await self.reader.rows(self.cache_key, self._build, params)
        counts = {row[0]: row[1] for row in rows}
        return [int(counts.get(key, 0)) for key in keys]


class ListLoader(DataLoader[uuid.UUID, list[T]]):
    """Every visible child of each parent, for small bounded lists (a role's permissions)."""

    def __init__(
        self,
        reader: Reader,
        cls: type[T],
        viewer: Viewer,
        relation: Relation,
        order: Sequence[OrderTerm],
        cache_key: Hashable,
    ) -> None:
        super().__init__()
        self.reader, self.cls, self.viewer = reader, cls, viewer
        self.relation, self.order, self.cache_key = relation, order, cache_key

    def _build(self) -> Select[Any]:
        parent = self.relation.parent_column
        stmt = self.relation.apply(visible_select(self.cls).add_columns(parent))
        return cast(
            Select[Any],
            stmt.where(parent == any_(_keys_param("parent_ids"))).order_by(
                *(t.clause() for t in self.order)
            ),
        )

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[list[T]]:
        shape = shape_of(self.cls)
        params = {**self.viewer.params(raw=True), "parent_ids": uuid_array(keys)}
        rows = await self.reader.rows(self.cache_key, self._build, params)
        grouped: dict[Any, list[T]] = defaultdict(list)
        for row in rows:
            grouped[row[-1]].append(shape.build(row))
        return [grouped.get(key, []) for key in keys]


class Loaders:
    """The per-request registry. Loaders are created on first use and live for one request
    (one subscription event), so nothing is cached across requests or viewers."""

    def __init__(self, reader: Reader, viewer: Viewer) -> None:
        self.reader, self.viewer = reader, viewer
        self._by_id: dict[type[Any], ByIdLoader[Any]] = {}
        self._keyed: dict[Hashable, DataLoader[Any, Any]] = {}
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """What ``build`` returns, built once per request (e.g. a read plan per field)."""
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = build()
        return cast(T, found)

    def by_id(self, cls: type[T]) -> ByIdLoader[T]:
        loader = self._by_id.get(cls)
        if loader is None:
            loader = self._by_id[cls] = ByIdLoader(self.reader, cls, self.viewer)
        return loader

    def by_key(self, cls: type[T], column: Column | None) -> ByIdLoader[T]:
        """Nodes by a unique column of theirs (their primary key when ``column`` is None)."""
        if column is None:
            return self.by_id(cls)
        key = ("by_key", cls, column.key)
        loader = self._keyed.get(key)
        if loader is None:
            loader = self._keyed[key] = ByIdLoader(self.reader, cls, self.viewer, column)
        return cast(ByIdLoader[T], loader)

    def pages(
        self,
        key: Hashable,
        cls: type[T],
        relation: Relation,
        spec: PageSpec,
        where: ColumnElement[bool] | None,
        *,
        constant: bool,
        include_archived: bool = True,
        extra: Sequence[ColumnElement[Any]] = (),
    ) -> PageLoader[T]:
        """The page loader for one relation field with one set of arguments.

        ``key`` identifies the field and its arguments, so every parent asking for the same
        page shares one loader (and one statement).
        ``constant``: the arguments carry no filter or cursor, so the statement's SQL can be
        compiled once for every request asking the same.
        """
        loader = self._keyed.get(key)
        if loader is None:
            loader = self._keyed[key] = PageLoader(
                self.reader, cls, self.viewer, relation, spec, where,
                ("pages", key) if constant else None, include_archived, extra,
            )  # fmt: skip
        return cast(PageLoader[T], loader)

    def lists(
        self, key: Hashable, cls: type[T], relation: Relation, order: Sequence[OrderTerm]
    ) -> ListLoader[T]:
        loader = self._keyed.get(("list", key))
        if loader is None:
            loader = self._keyed[("list", key)] = ListLoader(
                self.reader, cls, self.viewer, relation, order, ("list", key)
            )
        return cast(ListLoader[T], loader)

    def counts(
        self,
        key: Hashable,
        cls: type[Any],
        relation: Relation,
        where: ColumnElement[bool] | None,
        *,
        constant: bool,
        include_archived: bool = True,
    ) -> CountLoader:
        loader = self._keyed.get(("count", key))
        if loader is None:
            loader = self._keyed[("count", key)] = CountLoader(
                self.reader, cls, self.viewer, relation, where,
                ("counts", key) if constant else None, include_archived,
            )  # fmt: skip
        return cast(CountLoader, loader)
