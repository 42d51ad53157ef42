"""Relay page arguments: validated into a `PageSpec` (ordering, size, cursor, direction)
before any SQL runs; mistakes become coded GraphQL errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from graph.kernel import search
from graph.kernel.filters import order_terms
from graph.kernel.ids import user_error
from graph.settings import get_settings
from loaders.base import shape_of
from loaders.paging import InvalidCursor, OrderTerm, PageSpec


@dataclass(frozen=True, slots=True)
class PageArgs:
    """The arguments of a connection field, as its resolver receives them."""

    filter: Any = None
    order_by: Sequence[Any] | None = None
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    # Lists of a model that can be archived: include its archived rows (loaders.base.listed).
    include_archived: bool | None = None
    search: str | None = None

    def key(self, field: str) -> tuple[str, str]:
        """Identifies one relation field with one set of arguments (dataclass reprs are
        deterministic, so equal arguments give equal keys)."""
        return (field, repr(self))


PAGE_ARGS = tuple(f.name for f in fields(PageArgs))


def page_spec(
    order: list[OrderTerm],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    tie_breaker: Any,
) -> PageSpec:
    """Validate Relay page arguments into a PageSpec."""
    settings = get_settings()
    if first is not None and last is not None:
        raise user_error("Pass either `first` or `last`, not both.", "BAD_PAGE_ARGUMENTS")
    if after is not None and before is not None:
        raise user_error("Pass either `after` or `before`, not both.", "BAD_PAGE_ARGUMENTS")
    if last is None and before is not None and first is None:
        last = settings.default_page_size
    backward = last is not None
    size = last if backward else first
    if size is None:
        size = settings.default_page_size
    if size < 0:
        raise user_error("Page size must not be negative.", "BAD_PAGE_ARGUMENTS")
    if size > settings.max_page_size:
        raise user_error(
            f"Page size {size} exceeds the maximum of {settings.max_page_size}.",
            "PAGE_SIZE_EXCEEDED",
        )
    if backward and after is not None:
        raise user_error("`last` pages backward: use `before`, not `after`.", "BAD_PAGE_ARGUMENTS")
    if not backward and before is not None:
        raise user_error("`first` pages forward: use `after`, not `before`.", "BAD_PAGE_ARGUMENTS")
    terms = (*order, OrderTerm(tie_breaker))
    spec = PageSpec(order=terms, size=size, cursor=after or before, backward=backward)
    try:
        spec.keyset()  # decode the cursor now, so a bad one fails before any SQL runs
    except InvalidCursor as exc:
        raise user_error(f"Invalid cursor: {exc}.", "INVALID_CURSOR") from exc
    return spec


def spec_for(cls: type[Any], args: PageArgs, default_order: Sequence[OrderTerm]) -> PageSpec:
    """The page of ``cls`` nodes the arguments ask for, ties broken by the primary key."""
    model = shape_of(cls).model
    tie_breaker = model.__table__.c.id
    text = search.search_text(args.search)
    rank: Any = None if text is None else search.relevance(model, text)
    terms = order_terms(args.order_by, default_order, rank)
    return page_spec(terms, args.first, args.after, args.last, args.before, tie_breaker)
