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
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement, and_, literal_column, not_, or_, true

from graph.kernel.ids import InvalidId, decode_id, user_error
from loaders.paging import Column, OrderTerm

E = TypeVar("E")

LIKE_ESCAPE = "\\"
# Decimal filter values beyond 10^±1000 are refused (no column of ours holds such numbers).
DECIMAL_DIGITS = 1000


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@strawberry.input(description="Conditions on a text field; all given conditions must hold.")
class StringFilter:
    eq: str | None = None
    ne: str | None = None
    in_: list[str] | None = strawberry.field(name="in", default=None)
    lt: str | None = None
    lte: str | None = None
    gt: str | None = None
    gte: str | None = None
    contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring match."
    )
    starts_with: str | None = strawberry.field(
        default=None, description="Case-insensitive prefix match."
    )
    is_null: bool | None = None


@strawberry.input(description="Conditions on an integer field; all given conditions must hold.")
class IntFilter:
    eq: int | None = None
    ne: int | None = None
    in_: list[int] | None = strawberry.field(name="in", default=None)
    lt: int | None = None
    lte: int | None = None
    gt: int | None = None
    gte: int | None = None
    is_null: bool | None = None


@strawberry.input(
    description="Conditions on an exact decimal field (money); all given conditions must hold."
)
class DecimalFilter:
    eq: Decimal | None = None
    ne: Decimal | None = None
    in_: list[Decimal] | None = strawberry.field(name="in", default=None)
    lt: Decimal | None = None
    lte: Decimal | None = None
    gt: Decimal | None = None
    gte: Decimal | None = None
    is_null: bool | None = None


@strawberry.input(description="Conditions on a timestamp; all given conditions must hold.")
class DateTimeFilter:
    eq: datetime | None = None
    ne: datetime | None = None
    in_: list[datetime] | None = strawberry.field(name="in", default=None)
    lt: datetime | None = None
    lte: datetime | None = None
    gt: datetime | None = None
    gte: datetime | None = None
    is_null: bool | None = None


@strawberry.input(description="Conditions on a boolean field.")
class BooleanFilter:
    eq: bool | None = None
    ne: bool | None = None
    is_null: bool | None = None


V = TypeVar("V")


@strawberry.input(
    name="Filter",  # specialised as `<Enum>Filter`, e.g. `ProjectStatusFilter`
    description="Conditions on an enumerated field; all given conditions must hold.",
)
class EnumFilter(Generic[V]):
    """`eq`/`ne`/`in` on an enum column: `ProjectStatusFilter = EnumFilter[ProjectStatus]`."""

    eq: V | None = None
    ne: V | None = None
    in_: list[V] | None = strawberry.field(name="in", default=None)


@strawberry.input(description="Conditions on a reference, by global ID.")
class IDFilter:
    eq: strawberry.ID | None = None
    ne: strawberry.ID | None = None
    in_: list[strawberry.ID] | None = strawberry.field(name="in", default=None)
    is_null: bool | None = None


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
    columns: dict[str, Target] = {}
    for field_name, value in vars(cls).items():
        metadata = getattr(value, "metadata", None)
        if metadata and COLUMN in metadata:
            columns[field_name] = metadata[COLUMN]
    cls.__columns__ = columns
    annotations = cls.__annotations__  # the class's own: every filter declares fields
    annotations["and_"] = f"list[{name}] | None"
    annotations["or_"] = f"list[{name}] | None"
    annotations["not_"] = f"{name} | None"
    cls.and_ = strawberry.field(name="and", default=None)  # type: ignore[attr-defined]
    cls.or_ = strawberry.field(name="or", default=None)  # type: ignore[attr-defined]
    cls.not_ = strawberry.field(name="not", default=None)  # type: ignore[attr-defined]
    return cls


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


@strawberry.enum(description="Sort direction. NULLs sort last either way.")
class OrderDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, eq=False, slots=True)
class OrderColumn:
    """The value of an order-field enum member: the column it orders by (compared by
    identity, as enum values must be)."""

    column: Column

    def __repr__(self) -> str:  # short and stable: it is part of page-loader keys
        return f"by({self.column})"


def by(column: Column) -> OrderColumn:
    """An order-field enum member ordering by ``column``."""
    return OrderColumn(column)


# Stands for a searched connection's relevance in an order enum; replaced by the score of the
# request's search (graph.kernel.search) when the order is read.
RELEVANCE: Any = literal_column("relevance")


def by_relevance() -> OrderColumn:
    """The `RELEVANCE` member of a searchable connection's order enum: best match first
    (ascending); only with a `search`."""
    return OrderColumn(RELEVANCE)


@strawberry.input(description="One ordering term.")
class OrderBy(Generic[E]):
    """Base of `<Entity>Order` inputs: a field (an enum member of `by(...)`) and a direction.

    @strawberry.input(description="One ordering term for properties.")
    class PropertyOrder(OrderBy[PropertyOrderField]):
        pass
    """

    field: E
    direction: OrderDirection = OrderDirection.ASC


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
