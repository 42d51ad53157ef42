"""Typed filter inputs and ordering, written once; each entity lists its fields explicitly.

An entity filter is a Strawberry input whose fields are operator inputs (``StringFilter``,
``IntFilter``...), each declared once with the column it filters, plus ``and``/``or``/``not``
(added by `entity_filter`):

    @strawberry.input(description="Filter properties; all given conditions must hold.")
    @entity_filter
    class PropertyFilter(EntityFilter):
        id: IDFilter | None = on(models.realty.Property.id, ref="Property")
        title: StringFilter | None = on(models.realty.Property.title)

``filter_condition`` turns any of them into one SQL condition. An order field is an enum whose
members are the columns they order by (`by`):

    class PropertyOrderField(enum.Enum):
        CREATED_AT = by(models.realty.Property.created_at)
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement, and_, literal_column, not_, or_, true
from strawberry.utils.str_converters import to_camel_case

from graph.kernel.ids import InvalidId, decode_id, user_error
from loaders.paging import Column, OrderTerm

E = TypeVar("E")

LIKE_ESCAPE = "\\"
# Decimal filter values beyond 10^±1000 are refused (no column of ours holds such numbers).
DECIMAL_DIGITS = 1000


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The operators' descriptions, one per operator, shared by every operator input.
_OPERATORS = {
    "eq": "Equal to this value (exact: case-sensitive for text).",
    "ne": "Not equal to this value. Nodes where the field is null do not match (SQL "
    "comparison); add `isNull: true` in an `or` to include them.",
    "in": "Equal to one of these values (exact); an empty list matches nothing.",
    "lt": "Less than this value.",
    "lte": "Less than or equal to this value.",
    "gt": "Greater than this value.",
    "gte": "Greater than or equal to this value.",
    "is_null": "`true`: only nodes where the field is null; `false`: only nodes where it has "
    "a value.",
}
_TEXT_ORDER = " Text compares in the database's collation order."
_TIME_ORDER = " Earlier is less."


def _op(name: str, *, graphql_name: str | None = None, note: str = "") -> Any:
    return strawberry.field(default=None, name=graphql_name, description=_OPERATORS[name] + note)


@strawberry.input(
    description="Conditions on a text field; all given conditions must hold (AND). Of these "
    "operators, only `isNull: true` matches a null field."
)
class StringFilter:
    eq: str | None = _op("eq")
    ne: str | None = _op("ne")
    in_: list[str] | None = _op("in", graphql_name="in")
    lt: str | None = _op("lt", note=_TEXT_ORDER)
    lte: str | None = _op("lte", note=_TEXT_ORDER)
    gt: str | None = _op("gt", note=_TEXT_ORDER)
    gte: str | None = _op("gte", note=_TEXT_ORDER)
    contains: str | None = strawberry.field(
        default=None,
        description="Contains this text, case-insensitively (`%` and `_` are matched "
        "literally, not as wildcards).",
    )
    starts_with: str | None = strawberry.field(
        default=None,
        description="Starts with this text, case-insensitively (`%` and `_` are matched "
        "literally).",
    )
    is_null: bool | None = _op("is_null")


@strawberry.input(
    description="Conditions on an integer field; all given conditions must hold (AND)."
)
class IntFilter:
    eq: int | None = _op("eq")
    ne: int | None = _op("ne")
    in_: list[int] | None = _op("in", graphql_name="in")
    lt: int | None = _op("lt")
    lte: int | None = _op("lte")
    gt: int | None = _op("gt")
    gte: int | None = _op("gte")
    is_null: bool | None = _op("is_null")


@strawberry.input(
    description="Conditions on an exact decimal field (money), values given as decimal "
    "strings; all given conditions must hold (AND)."
)
class DecimalFilter:
    eq: Decimal | None = _op("eq")
    ne: Decimal | None = _op("ne")
    in_: list[Decimal] | None = _op("in", graphql_name="in")
    lt: Decimal | None = _op("lt")
    lte: Decimal | None = _op("lte")
    gt: Decimal | None = _op("gt")
    gte: Decimal | None = _op("gte")
    is_null: bool | None = _op("is_null")


@strawberry.input(
    description="Conditions on a timestamp (ISO 8601 with a time zone); all given conditions "
    "must hold (AND)."
)
class DateTimeFilter:
    eq: datetime | None = _op("eq")
    ne: datetime | None = _op("ne")
    in_: list[datetime] | None = _op("in", graphql_name="in")
    lt: datetime | None = _op("lt", note=_TIME_ORDER)
    lte: datetime | None = _op("lte", note=_TIME_ORDER)
    gt: datetime | None = _op("gt", note=_TIME_ORDER)
    gte: datetime | None = _op("gte", note=_TIME_ORDER)
    is_null: bool | None = _op("is_null")


@strawberry.input(description="Conditions on a boolean field; all given conditions must hold.")
class BooleanFilter:
    eq: bool | None = _op("eq")
    ne: bool | None = _op("ne")
    is_null: bool | None = _op("is_null")


V = TypeVar("V")


@strawberry.input(
    name="Filter",  # specialised as `<Enum>Filter`, e.g. `ProjectStatusFilter`
    description="Conditions on an enumerated field; all given conditions must hold (AND).",
)
class EnumFilter(Generic[V]):
    """`eq`/`ne`/`in` on an enum column: `ProjectStatusFilter = EnumFilter[ProjectStatus]`."""

    eq: V | None = _op("eq")
    ne: V | None = _op("ne")
    in_: list[V] | None = _op("in", graphql_name="in")


@strawberry.input(
    description="Conditions on a reference, by global ID (the referenced node's `id`); all "
    "given conditions must hold (AND). An ID of another type is an `INVALID_ID` error."
)
class IDFilter:
    eq: strawberry.ID | None = _op("eq")
    ne: strawberry.ID | None = _op("ne")
    in_: list[strawberry.ID] | None = _op("in", graphql_name="in")
    is_null: bool | None = _op("is_null")


@dataclass(frozen=True, slots=True)
class Ref:
    """A column holding the primary key of ``type_name``: filtered by global ID."""

    column: Column
    type_name: str


Target = Column | Ref

_COMPARISONS = {
    "eq": lambda c, v: c == v,
    "ne": lambda c, v: c != v,
    "lt": lambda c, v: c < v,
    "lte": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    "gte": lambda c, v: c >= v,
}


def _convert(target: Target, value: Any, path: str) -> Any:
    if isinstance(target, Ref):
        try:
            return decode_id(str(value), target.type_name)
        except InvalidId as exc:
            raise user_error(f"filter.{path}: {exc}", "INVALID_ID") from exc
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) > DECIMAL_DIGITS:
        # PostgreSQL's numeric cannot hold it: refuse it here rather than fail in the database.
        raise user_error(f"filter.{path}: {value} is out of range.", "INVALID_FILTER_VALUE")
    return value


def _operators(target: Target, ops: Any, path: str) -> list[ColumnElement[bool]]:
    column = target.column if isinstance(target, Ref) else target
    conditions: list[ColumnElement[bool]] = []
    for f in fields(ops):
        value = getattr(ops, f.name)
        if value is None:
            continue
        if f.name == "is_null":
            conditions.append(column.is_(None) if value else column.is_not(None))
        elif f.name == "in_":
            conditions.append(column.in_([_convert(target, v, path) for v in value]))
        elif f.name == "contains":
            pattern = f"%{_like_escape(value)}%"
            conditions.append(column.ilike(pattern, escape=LIKE_ESCAPE))
        elif f.name == "starts_with":
            pattern = f"{_like_escape(value)}%"
            conditions.append(column.ilike(pattern, escape=LIKE_ESCAPE))
        else:
            conditions.append(_COMPARISONS[f.name](column, _convert(target, value, path)))
    return conditions


class EntityFilter:
    """Base of entity filter inputs: maps each field to a column (or Ref)."""

    __columns__: ClassVar[dict[str, Target]]


COLUMN = "trellis.filter_column"


def on(column: Column, *, ref: str | None = None, description: str | None = None) -> Any:
    """A filter field on ``column``; ``ref``: the column holds IDs of that node type, and the
    filter takes global IDs."""
    target: Target = column if ref is None else Ref(column, ref)
    return strawberry.field(default=None, description=description, metadata={COLUMN: target})


FilterT = TypeVar("FilterT", bound=type[EntityFilter])


def entity_filter(cls: FilterT) -> FilterT:
    """Complete an entity filter input (under `@strawberry.input`): its `on(...)` fields, then
    `and`, `or` and `not` of itself."""
    name = cls.__name__
    entity = re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Filter")).lower()
    columns: dict[str, Target] = {}
    for field_name, value in vars(cls).items():
        metadata = getattr(value, "metadata", None)
        if metadata and COLUMN in metadata:
            columns[field_name] = metadata[COLUMN]
            _described(entity, field_name, metadata[COLUMN], value)
    cls.__columns__ = columns
    annotations = cls.__annotations__  # the class's own: every filter declares fields
    annotations["and_"] = f"list[{name}] | None"
    annotations["or_"] = f"list[{name}] | None"
    annotations["not_"] = f"{name} | None"
    cls.and_ = strawberry.field(  # type: ignore[attr-defined]
        name="and", default=None, description=_AND
    )
    cls.or_ = strawberry.field(name="or", default=None, description=_OR)  # type: ignore[attr-defined]
    cls.not_ = strawberry.field(name="not", default=None, description=_NOT)  # type: ignore[attr-defined]
    return cls


_AND = (
    "Each of these filters must hold too (AND of the list, itself ANDed with this filter's "
    "other conditions)."
)
_OR = (
    "At least one of these filters must hold (OR of the list, ANDed with this filter's other "
    "conditions); an empty list adds no condition."
)
_NOT = (
    "This filter must not hold: nodes it matches are left out (nodes for which it is unknown "
    "because a compared field is null are kept)."
)


def _described(entity: str, field_name: str, target: Target, value: Any) -> None:
    """A generated description for an `on(...)` field that has none of its own."""
    if value.description:
        return
    name = to_camel_case(field_name)
    if isinstance(target, Ref):
        value.description = (
            f"Conditions the {entity}'s `{name}` must meet, as the {target.type_name}'s global ID."
        )
    else:
        value.description = f"Conditions the {entity}'s `{name}` must meet."


def filter_condition(flt: Any | None, *, _path: str = "") -> ColumnElement[bool]:
    """One SQL condition for an entity filter (TRUE when there is none)."""
    if flt is None:
        return true()
    conditions: list[ColumnElement[bool]] = []
    for name, target in flt.__columns__.items():
        ops = getattr(flt, name, None)
        if ops is not None:
            conditions.extend(_operators(target, ops, f"{_path}{name}"))
    if getattr(flt, "and_", None):
        conditions.append(and_(*(filter_condition(f, _path=_path) for f in flt.and_)))
    if getattr(flt, "or_", None):
        conditions.append(or_(*(filter_condition(f, _path=_path) for f in flt.or_)))
    if getattr(flt, "not_", None) is not None:
        # NOT (x IS TRUE): rows where the inner condition is NULL match `not` too.
        conditions.append(not_(filter_condition(flt.not_, _path=_path).is_(true())))
    return and_(true(), *conditions)


@strawberry.enum(description="Sort direction. Nulls sort last either way.")
class OrderDirection(enum.Enum):
    ASC = strawberry.enum_value(
        "asc", description="Ascending: smallest, earliest or alphabetically first first."
    )
    DESC = strawberry.enum_value(
        "desc", description="Descending: largest, latest or alphabetically last first."
    )


@dataclass(frozen=True, eq=False, slots=True)
class OrderColumn:
    """The value of an order-field enum member: the column it orders by (compared by
    identity, as enum values must be)."""

    column: Column

    def __repr__(self) -> str:  # short and stable: it is part of page-loader keys
        return f"by({self.column})"


def by(column: Column, *, description: str | None = None) -> Any:
    """An order-field enum member ordering by ``column`` (its value, once Strawberry has
    read the enum, is an `OrderColumn`); the description says which field unless given."""
    if description is None:
        description = (
            f"By `{to_camel_case(column.key)}`; nulls last in either direction, the ID breaking "
            "ties."
        )
    return strawberry.enum_value(OrderColumn(column), description=description)


# Stands for a searched connection's relevance in an order enum; replaced by the score of the
# request's search (graph.kernel.search) when the order is read.
RELEVANCE: Any = literal_column("relevance")


def by_relevance() -> OrderColumn:
    """The `RELEVANCE` member of a searchable connection's order enum: best match first
    (ascending); only with a `search`."""
    return OrderColumn(RELEVANCE)


@strawberry.input(
    description="One ordering term. Terms apply in list order; the node's ID breaks "
    "whatever ties remain, so the order is total and pages are stable."
)
class OrderBy(Generic[E]):
    """Base of `<Entity>Order` inputs: a field (an enum member of `by(...)`) and a direction.

    @strawberry.input(description="One ordering term for properties.")
    class PropertyOrder(OrderBy[PropertyOrderField]):
        pass
    """

    field: E = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending unless given."
    )


def order_terms(
    order_by: Sequence[Any] | None,
    default: Sequence[OrderTerm],
    relevance: Column | None = None,
) -> list[OrderTerm]:
    """ORDER BY terms from an orderBy argument; the id tie-breaker is added by page_spec.
    ``relevance``: the searched connection's relevance (RELEVANCE orders by it; with a
    search and no orderBy, so does the page)."""
    if not order_by:
        return [OrderTerm(relevance)] if relevance is not None else list(default)
    terms = []
    for o in order_by:
        column = o.field.value.column
        if column is RELEVANCE:
            if relevance is None:
                raise user_error("Ordering by RELEVANCE needs a `search`.", "BAD_ORDER")
            column = relevance
        terms.append(OrderTerm(column, descending=o.direction is OrderDirection.DESC))
    return terms
