"""Resolving connection fields, root and nested, through the one read path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, true

from graph.context import Info
from graph.filters import filter_condition, order_terms
from graph.relay import page_spec
from loaders.base import OrderTerm, PageSpec, Relation, fetch_count, fetch_page, shape_of

C = TypeVar("C")


def _spec(
    cls: type[Any],
    order_by: Sequence[Any] | None,
    default_order: Sequence[OrderTerm],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageSpec:
    tie_breaker = shape_of(cls).model.__table__.c.id
    return page_spec(order_terms(order_by, default_order), first, after, last, before, tie_breaker)


async def root_connection(
    info: Info,
    connection: type[C],
    cls: type[Any],
    *,
    filter: Any | None,
    order_by: Sequence[Any] | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_order: Sequence[OrderTerm],
    where: ColumnElement[bool] | None = None,
) -> C:
    """A root list: one statement for the page, one more for totalCount if it is selected."""
    ctx = info.context
    spec = _spec(cls, order_by, default_order, first, after, last, before)
    condition = and_(filter_condition(filter), where if where is not None else true())
    engine, viewer = ctx.db.read_engine, ctx.viewer
    page = await fetch_page(engine, cls, viewer, spec, condition)

    async def count() -> int:
        return await fetch_count(engine, cls, viewer, condition)

    return connection.from_page(page, count)  # type: ignore[attr-defined, no-any-return]


async def nested_connection(
    info: Info,
    connection: type[C],
    cls: type[Any],
    parent: Any,
    relation: Relation,
    *,
    filter: Any | None,
    order_by: Sequence[Any] | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_order: Sequence[OrderTerm],
) -> C:
    """A connection under a parent node; every parent with the same arguments shares one
    statement (and one more for totalCount if it is selected)."""
    loaders = info.context.loaders
    key = (
        str(relation.parent_column),
        info.field_name,
        repr((filter, order_by, first, after, last, before)),
    )
    pages = loaders.pages(
        key,
        cls,
        relation,
        spec=lambda: _spec(cls, order_by, default_order, first, after, last, before),
        where=lambda: filter_condition(filter),
    )
    page = await pages.load(parent)

    async def count() -> int:
        counts = loaders.counts(key, cls, relation, where=lambda: filter_condition(filter))
        return int(await counts.load(parent))

    return connection.from_page(page, count)  # type: ignore[attr-defined, no-any-return]
