"""Aggregates over a connection's rows, written once: count, sum/avg/min/max of declared
columns, optionally grouped (by columns, or by a timestamp truncated in a time zone), and
facets (counts per value of several columns, as GROUPING SETS), for one root list or for
every parent of a nested list in one statement.

The rows aggregated are `visible_select`'s: tenancy and soft delete apply before any
aggregate or group is formed, exactly as for the rows a page shows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Numeric,
    Select,
    any_,
    func,
    select,
)

from loaders.base import Relation, _keys_param, shape_of, visible_select
from loaders.paging import Column
from loaders.reader import Reader
from models.viewer import Viewer, uuid_array

# Statistics of a number column, and of a date column.
NUMBER_STATS = ("sum", "avg", "min", "max")
DATE_STATS = ("min", "max")


@dataclass(frozen=True, slots=True)
class Measures:
    """What an aggregate computes: the number and date columns, by API name."""

    numbers: tuple[tuple[str, Column], ...]
    dates: tuple[tuple[str, Column], ...]

    def columns(self) -> list[ColumnElement[Any]]:
        """count, then per number column sum, avg, min, max; per date column min, max."""
        out: list[ColumnElement[Any]] = [func.count().label("_count")]
        for name, column in self.numbers:
            integral = isinstance(column.type, Integer)
            total: ColumnElement[Any] = func.sum(column)
            average: ColumnElement[Any] = func.avg(column)
            if integral:  # beyond Int's 32 bits soon: a Float in the API
                total, average = total.cast(Float), average.cast(Float)
            elif isinstance(column.type, Numeric) and column.type.asdecimal:
                average = func.round(average, (column.type.scale or 0) + 2)
            out += [
                total.label(f"sum_{name}"),
                average.label(f"avg_{name}"),
                func.min(column).label(f"min_{name}"),
                func.max(column).label(f"max_{name}"),
            ]
        for name, column in self.dates:
            out += [func.min(column).label(f"min_{name}"), func.max(column).label(f"max_{name}")]
        return out

    def read(self, row: Sequence[Any]) -> dict[str, dict[str, Any]]:
        """A row's statistics, from its first column (count) on: {stat: {name: value}}."""
        stats: dict[str, dict[str, Any]] = {s: {} for s in NUMBER_STATS}
        i = 1
        for name, _ in self.numbers:
            for stat in NUMBER_STATS:
                stats[stat][name] = row[i]
                i += 1
        for name, _ in self.dates:
            for stat in DATE_STATS:
                stats[stat][name] = row[i]
                i += 1
        return stats

    @property
    def width(self) -> int:
        return 1 + 4 * len(self.numbers) + 2 * len(self.dates)


@dataclass(frozen=True, slots=True)
class Grouping:
    """Groups: by these key expressions, ordered (by key or by count), a window of them."""

    keys: tuple[ColumnElement[Any], ...]
    by_count: bool
    descending: bool
    offset: int
    limit: int  # how many groups (the page of groups: `first`)


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts per value of each key (GROUPING SETS), the ``limit`` commonest per key."""

    keys: tuple[ColumnElement[Any], ...]
    limit: int


class AggregateLoader(DataLoader[uuid.UUID, list[tuple[Any, ...]]]):
    """The aggregate rows of each parent (any key for a root list), every parent in one
    statement. Rows: totals ``(count, stats...)``; groups ``(keys..., count, stats...)`` in
    group order; facets ``(set, keys..., count)``, commonest first per set."""

    def __init__(
        self,
        reader: Reader,
        cls: type[Any],
        viewer: Viewer,
        relation: Relation | None,
        where: ColumnElement[bool] | None,
        measures: Measures,
        shape: Grouping | Facets | None,
        cache_key: Hashable | None,
        include_archived: bool = False,
    ) -> None:
        super().__init__()
        self.include_archived = include_archived
        self.reader, self.cls, self.viewer, self.relation = reader, cls, viewer, relation
        self.where, self.measures, self.shape, self.cache_key = where, measures, shape, cache_key

    def _build(self) -> Select[Any]:
        model = shape_of(self.cls).model
        parent = [] if self.relation is None else [self.relation.parent_column.label("_parent")]
        shape = self.shape
        keys = [] if shape is None else [k.label(f"_k{i}") for i, k in enumerate(shape.keys)]
        if isinstance(shape, Facets):
            selected: list[ColumnElement[Any]] = [
                func.grouping(*shape.keys).label("_set"),
                *keys,
                func.count().label("_count"),
            ]
        else:
            selected = [*keys, *self.measures.columns()]
        stmt = visible_select(
            model, *parent, *selected, include_archived=self.include_archived
        ).select_from(model)
        if self.relation is not None:
            stmt = self.relation.apply(stmt).where(
                self.relation.parent_column == any_(_keys_param("parent_ids"))
            )
        if self.where is not None:
            stmt = stmt.where(self.where)
        partition = [self.relation.parent_column] if self.relation is not None else []
        if shape is None:
            return stmt.group_by(*partition) if partition else stmt
        if isinstance(shape, Facets):
            stmt = stmt.group_by(*partition, func.grouping_sets(*shape.keys))
            number = func.row_number().over(
                partition_by=[*partition, func.grouping(*shape.keys)],
                order_by=[func.count().desc(), *(k.asc().nulls_last() for k in shape.keys)],
            )
            sub = stmt.add_columns(number.label("_rn")).subquery("facets")
            out = [c for c in sub.c if c.key != "_rn"]
            order = ([sub.c["_parent"]] if partition else []) + [sub.c["_set"], sub.c["_rn"]]
            return select(*out).where(sub.c["_rn"] <= shape.limit).order_by(*order)
        stmt = stmt.group_by(*partition, *shape.keys)
        keys_descending = shape.descending and not shape.by_count  # count ties: keys ascending
        by_keys = [k.desc() if keys_descending else k.asc() for k in shape.keys]
        by_keys = [k.nulls_last() for k in by_keys]
        count = func.count().desc() if shape.descending else func.count().asc()
        number = func.row_number().over(
            partition_by=partition or None,
            order_by=[count, *by_keys] if shape.by_count else by_keys,
        )
        sub = stmt.add_columns(number.label("_rn")).subquery("groups")
        out = [c for c in sub.c if c.key != "_rn"]
        rn = sub.c["_rn"]
        order = ([sub.c["_parent"]] if partition else []) + [rn]
        return (
            select(*out).where(rn > shape.offset, rn <= shape.offset + shape.limit).order_by(*order)
        )

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[list[tuple[Any, ...]]]:
        params = self.viewer.params(raw=True)
        if self.relation is not None:
            params = {**params, "parent_ids": uuid_array(keys)}
        rows = await self.reader.rows(self.cache_key, self._build, params)
        if self.relation is None:
            return [[tuple(r) for r in rows] for _ in keys]
        grouped: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
        for row in rows:
            grouped[row[0]].append(tuple(row[1:]))
        return [grouped.get(key, []) for key in keys]
