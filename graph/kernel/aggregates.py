"""Aggregates and facets on a connection, declared once per connection type:

    class PropertyConnection(
        Connection[Property], filter=PropertyFilter, order=PropertyOrder, ...,
        aggregate=Aggregable(
            numbers={"price": PropertyModel.price, "size_sqft": PropertyModel.size_sqft},
            dates={"created_at": PropertyModel.created_at},
            groups={"status": PropertyModel.status, "bedrooms": PropertyModel.bedrooms},
        ),
    ): ...

gives the connection `aggregate: PropertyAggregate!` (count; sum/avg/min/max of the numbers,
min/max of the dates; `groups(by:, orderBy:, first:, offset:)` by group fields or by dates
truncated to a day/week/month/year in a time zone) and `facets(fields:)` (counts per value of
group fields), over the connection's own filter and search. The types are named after the
node (`PropertyAggregate`, `PropertySums`, `PropertyGroupField`...) and described here, once.
Every statement starts at `visible_select` (loaders.aggregates): tenancy first.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, cast

import strawberry
from sqlalchemy import ColumnElement

from graph.kernel.grouping import (
    MAX_GROUP_KEYS,
    camel,
    converter,
    group_keys,
    keys_key,
    python_type,
)
from graph.kernel.ids import user_error
from loaders.aggregates import AggregateLoader, Facets, Grouping, Measures
from loaders.base import Loaders, Relation
from loaders.paging import Column

# The key a root list's aggregates load under (it has no parent).
ROOT = uuid.UUID(int=0)
# A page of groups: at most this many, 20 unless asked.
MAX_GROUPS = 100
DEFAULT_GROUPS = 20
# Values per facet field: the commonest ones.
FACET_VALUES = 50


@strawberry.enum(description="A calendar unit a timestamp is truncated to when grouping.")
class DateTruncation(enum.Enum):
    DAY = strawberry.enum_value("day", description="The day (midnight) in the time zone.")
    WEEK = strawberry.enum_value("week", description="The ISO week, starting on Monday.")
    MONTH = strawberry.enum_value("month", description="The first day of the month.")
    YEAR = strawberry.enum_value("year", description="The first day of the year.")


@strawberry.enum(description="How a page of groups is ordered (ties by key, ascending).")
class GroupOrder(enum.Enum):
    KEY_ASC = strawberry.enum_value("key_asc", description="By the keys, in `by` order.")
    KEY_DESC = strawberry.enum_value("key_desc", description="By the keys, reversed.")
    COUNT_DESC = strawberry.enum_value("count_desc", description="The largest groups first.")
    COUNT_ASC = strawberry.enum_value("count_asc", description="The smallest groups first.")


@dataclass(frozen=True)
class Aggregable:
    """What a connection aggregates, by API name (snake_case): number columns (count, sum,
    avg, min, max), date columns (min, max, and groups by a truncated date), and columns
    to group and facet by (enums, integers, short texts, booleans)."""

    numbers: dict[str, Column] = field(default_factory=dict)
    dates: dict[str, Column] = field(default_factory=dict)
    groups: dict[str, Column] = field(default_factory=dict)

    @property
    def measures(self) -> Measures:
        return Measures(tuple(self.numbers.items()), tuple(self.dates.items()))


@dataclass(slots=True)
class AggregateScope:
    """The rows a connection's aggregates are over: a root list's or one parent's, with the
    connection's filter and search; ``key`` names the field and its arguments (statements
    are shared by every parent asking the same)."""

    loaders: Loaders
    cls: type[Any]
    relation: Relation | None
    parent: uuid.UUID | None
    where: ColumnElement[bool] | None
    key: Hashable
    # As the connection's list: its archived rows only with `includeArchived: true`.
    include_archived: bool = False

    async def rows(
        self, measures: Measures, shape: Grouping | Facets | None, shape_key: Hashable
    ) -> list[tuple[Any, ...]]:
        loaders = self.loaders

        def make() -> AggregateLoader:
            constant = self.where is None and shape is None
            parent = None if self.relation is None else str(self.relation.parent_column)
            return AggregateLoader(
                loaders.reader, self.cls, loaders.viewer, self.relation, self.where, measures,
                shape, ("aggregate", self.cls, parent, self.include_archived) if constant else None,
                self.include_archived,
            )  # fmt: skip

        loader = loaders.memo(("aggregate", self.key, shape_key), make)
        return await loader.load(self.parent or ROOT)


# ---------------------------------------------------------------------------------------------
# The types of one connection's aggregates


def _object(name: str, description: str, fields: list[tuple[str, Any, str]]) -> Any:
    """A Strawberry output type of plain fields (each defaulting to null)."""
    namespace: dict[str, Any] = {"__annotations__": {}}
    for field_name, annotation, field_description in fields:
        namespace["__annotations__"][field_name] = annotation
        namespace[field_name] = strawberry.field(default=None, description=field_description)
    return strawberry.type(type(name, (), namespace), description=description)


@dataclass(slots=True)
class AggregateTypes:
    """The generated types of one connection, and how rows become them."""

    spec: Aggregable
    sums: Any
    averages: Any
    extremes: Any
    group_field: Any
    group_by: Any
    group_key: Any
    group: Any
    aggregate: Any
    facet: Any | None
    facet_value: Any | None

    def stats(self, row: tuple[Any, ...]) -> dict[str, Any]:
        """count, sum, avg, min, max of a row (count first, as loaders.aggregates writes)."""
        measures = self.spec.measures
        if not row:
            row = (0,) + (None,) * (measures.width - 1)
        read = measures.read(row)
        numbers = list(self.spec.numbers)
        extremes = list(self.spec.numbers) + list(self.spec.dates)
        found: dict[str, Any] = {"count": int(row[0])}
        if self.sums is not None:
            found["sum"] = self.sums(**{n: read["sum"][n] for n in numbers})
            found["avg"] = self.averages(**{n: read["avg"][n] for n in numbers})
        if self.extremes is not None:
            found["min"] = self.extremes(**{n: read["min"].get(n) for n in extremes})
            found["max"] = self.extremes(**{n: read["max"].get(n) for n in extremes})
        return found


def aggregate_types(prefix: str, spec: Aggregable) -> AggregateTypes:
    """The types of `<prefix>Connection.aggregate` and `.facets`."""
    number_types = {n: python_type(c) for n, c in spec.numbers.items()}

    def average_type(python_type: Any) -> Any:
        return Decimal if python_type is Decimal else float

    sums = averages = extremes = None
    if number_types:
        sums, averages = _number_types(prefix, number_types, average_type)
    if number_types or spec.dates:
        extremes = _extremes_type(prefix, spec, number_types)
    group_names = list(spec.groups) + [n for n in spec.dates if n not in spec.groups]
    group_field = strawberry.enum(  # type: ignore[call-overload]
        enum.Enum(
            f"{prefix}GroupField",
            {
                n.upper(): strawberry.enum_value(
                    n,
                    description=f"By `{camel(n)}`"
                    + (
                        " truncated to a calendar unit (`truncate`, required)."
                        if n in spec.dates
                        else "."
                    ),
                )
                for n in group_names
            },
        ),
        description=f"The fields {prefix} rows can be grouped (and faceted) by.",
    )

    group_by = strawberry.input(
        type(
            f"{prefix}GroupBy",
            (),
            {
                "__annotations__": {
                    "field": group_field,
                    "truncate": DateTruncation | None,
                    "time_zone": str,
                },
                "field": strawberry.field(description="The field to group by."),
                "truncate": strawberry.field(
                    default=None,
                    description="For a date field (required there): the calendar unit.",
                ),
                "time_zone": strawberry.field(
                    default="UTC",
                    description="For a date field: the IANA time zone (e.g. `Europe/Paris`) "
                    "whose calendar the truncation follows (days across a daylight-saving "
                    "change last 23 or 25 hours). The key is written in that zone.",
                ),
            },
        ),
        description=f"One key of a grouping of {prefix} rows.",
    )

    key_fields = [
        (
            n,
            python_type(spec.groups[n]) | None,
            f"The group's `{camel(n)}`; null when not grouped by it.",
        )
        for n in spec.groups
    ] + [
        (
            n,
            datetime | None,
            f"The start of the group's `{camel(n)}` period; null when not grouped by it.",
        )
        for n in spec.dates
        if n not in spec.groups
    ]
    group_key = _object(
        f"{prefix}GroupKey", f"The values a group of {prefix} rows shares.", key_fields
    )
    stat_fields = [
        (name, annotation, description)
        for name, annotation, description in [
            ("count", int, "How many rows."),
            ("sum", sums, "Sums of the number fields."),
            ("avg", averages, "Averages of the number fields."),
            ("min", extremes, "Least values."),
            ("max", extremes, "Greatest values."),
        ]
        if annotation is not None
    ]
    group = _object(
        f"{prefix}Group",
        f"A group of {prefix} rows: its key and aggregates.",
        [("key", group_key, "The values the group's rows share."), *stat_fields],
    )
    types = AggregateTypes(
        spec, sums, averages, extremes, group_field, group_by, group_key, group, None, None, None
    )
    types.aggregate = _aggregate_type(prefix, types)
    if spec.groups:
        types.facet_value = _object(
            f"{prefix}FacetValue",
            f"One value of a facet of {prefix} rows and how many rows have it.",
            [
                ("key", group_key, "The value (in the faceted field)."),
                ("count", int, "How many rows."),
            ],
        )
        types.facet = _object(
            f"{prefix}Facet",
            f"The commonest values of one field over the {prefix} rows (at most {FACET_VALUES}, "
            "most rows first, ties by value).",
            [
                ("field", group_field, "The faceted field."),
                ("values", list[types.facet_value], "Its values and their counts."),  # type: ignore[name-defined]
            ],
        )
    return types


def _number_types(prefix: str, number_types: dict[str, Any], average_type: Any) -> tuple[Any, Any]:
    sums = _object(
        f"{prefix}Sums",
        f"Sums of the {prefix} number fields over the rows (null when there are none); "
        "integer sums are Floats (they may pass Int's 32 bits).",
        [(n, average_type(t) | None, f"The sum of `{camel(n)}`.") for n, t in number_types.items()],
    )
    averages = _object(
        f"{prefix}Averages",
        f"Averages of the {prefix} number fields (nulls left out; null when there are none).",
        [
            (n, average_type(t) | None, f"The mean of `{camel(n)}`.")
            for n, t in number_types.items()
        ],
    )
    return sums, averages


def _extremes_type(prefix: str, spec: Aggregable, number_types: dict[str, Any]) -> Any:
    return _object(
        f"{prefix}Extremes",
        f"The least or greatest value of each {prefix} number and date field (null when "
        "there are no rows).",
        [(n, t | None, f"Of `{camel(n)}`.") for n, t in number_types.items()]
        + [(n, datetime | None, f"Of `{camel(n)}`.") for n in spec.dates],
    )


def _aggregate_type(prefix: str, types: AggregateTypes) -> Any:
    spec = types.spec

    async def totals(self: Any) -> dict[str, Any]:
        rows = await self._scope.rows(spec.measures, None, "totals")
        return types.stats(rows[0] if rows else ())

    def stat(name: str, annotation: Any, description: str) -> Any:
        async def resolve(self: Any) -> Any:
            return (await totals(self))[name]

        resolve.__annotations__ = {"return": annotation}
        return strawberry.field(resolver=resolve, description=description)

    async def groups(
        self: Any,
        by: list[Any],
        order_by: Any = GroupOrder.KEY_ASC,
        first: int = DEFAULT_GROUPS,
        offset: int = 0,
    ) -> Any:
        keys, converters = group_keys(spec, by)
        if not 0 <= first <= MAX_GROUPS:
            raise user_error(f"`first` must be between 0 and {MAX_GROUPS}.", "PAGE_SIZE_EXCEEDED")
        if offset < 0:
            raise user_error("`offset` must not be negative.", "BAD_PAGE_ARGUMENTS")
        by_count = order_by in (GroupOrder.COUNT_ASC, GroupOrder.COUNT_DESC)
        descending = order_by in (GroupOrder.KEY_DESC, GroupOrder.COUNT_DESC)
        grouping = Grouping(tuple(keys), by_count, descending, offset, first)
        shape_key = ("groups", repr(keys_key(by)), order_by.value, first, offset)
        rows = await self._scope.rows(spec.measures, grouping, shape_key)
        found = []
        for row in rows:
            values = dict.fromkeys(f.python_name for f in _key_fields(types.group_key))
            for (name, convert), value in zip(converters, row, strict=False):
                values[name] = convert(value) if convert and value is not None else value
            stats = types.stats(row[len(keys) :])
            found.append(types.group(key=types.group_key(**values), **stats))
        return found

    groups.__annotations__ = {
        "by": Annotated[
            list[types.group_by],  # type: ignore[name-defined]
            strawberry.argument(description=f"The keys, 1 to {MAX_GROUP_KEYS}."),
        ],
        "order_by": Annotated[GroupOrder, strawberry.argument(description="The groups' order.")],
        "first": Annotated[
            int,
            strawberry.argument(
                description=f"How many groups: Default {DEFAULT_GROUPS}, maximum {MAX_GROUPS} "
                "(more is a `PAGE_SIZE_EXCEEDED` error)."
            ),
        ],
        "offset": Annotated[int, strawberry.argument(description="How many groups to skip.")],
        "return": list[types.group],  # type: ignore[name-defined]
    }
    namespace: dict[str, Any] = {
        "__annotations__": {"_scope": strawberry.Private[AggregateScope]},
        "count": stat("count", int, "How many rows match the connection's filter and search."),
        "groups": strawberry.field(
            resolver=groups,
            description="The rows in groups sharing the values of `by` (a date truncated in a "
            "time zone), each with its aggregates; a page of groups, ordered.",
        ),
    }
    if types.sums is not None:
        namespace["sum"] = stat("sum", types.sums, "Sums of the number fields.")
        namespace["avg"] = stat("avg", types.averages, "Averages of the number fields.")
    if types.extremes is not None:
        namespace["min"] = stat(
            "min", types.extremes, "Least values of the number and date fields."
        )
        namespace["max"] = stat(
            "max", types.extremes, "Greatest values of the number and date fields."
        )
    return strawberry.type(
        type(f"{prefix}Aggregate", (), namespace),
        description=f"Aggregates over the {prefix} rows of a connection (its filter and "
        "search, every page): one statement for the totals, one per `groups`.",
    )


def _key_fields(group_key: Any) -> list[Any]:
    return list(group_key.__strawberry_definition__.fields)


async def facets(types: AggregateTypes, scope: AggregateScope, fields: list[Any]) -> list[Any]:
    """Counts per value of each field, one statement (GROUPING SETS)."""
    spec = types.spec
    names = list(dict.fromkeys(f.value for f in fields))
    if not 1 <= len(names) <= len(spec.groups) or any(n not in spec.groups for n in names):
        raise user_error(
            "Facet by 1 or more of: "
            + ", ".join(n.upper() for n in spec.groups)
            + " (dates are grouped with `aggregate { groups }`).",
            "BAD_FACET",
        )
    columns = [spec.groups[n] for n in names]
    shape = Facets(tuple(cast(ColumnElement[Any], c) for c in columns), FACET_VALUES)
    rows = await scope.rows(spec.measures, shape, ("facets", tuple(names)))
    width = len(names)
    full = (1 << width) - 1
    by_set: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_set.setdefault(row[0], []).append(row)
    found = []
    member = {m.value: m for m in types.group_field}
    assert types.facet is not None
    assert types.facet_value is not None
    for i, name in enumerate(names):
        mask = full ^ (1 << (width - 1 - i))
        convert = converter(columns[i])
        values = []
        for row in by_set.get(mask, []):
            value = row[1 + i]
            if convert is not None and value is not None:
                value = convert(value)
            values.append(types.facet_value(key=types.group_key(**{name: value}), count=row[-1]))
        found.append(types.facet(field=member[name], values=values))
    return found
