"""Relay machinery, written once: global IDs, the Node interface, connections and paging."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, TypeVar

import strawberry
from graphql import GraphQLError

from graph.settings import get_settings
from loaders.base import InvalidCursor, OrderTerm, Page, PageSpec
from models.base import Base

if TYPE_CHECKING:
    from graph.types.history import ChangeConnection, ChangeFilter

NodeT = TypeVar("NodeT")

# Type name -> GraphQL node class, for node(id) resolution. Filled by @node_type.
NODE_TYPES: dict[str, type[Node]] = {}


class InvalidId(ValueError):
    """A string that is not a global ID of this API (or not of the expected type)."""


def to_global_id(type_name: str, pk: uuid.UUID) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str, *, expected: str | None = None) -> tuple[str, uuid.UUID]:
    """Decode a global ID; raise InvalidId unless it names a known type (the expected one)."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        pk = uuid.UUID(raw_pk)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidId(f"{global_id!r} is not a valid ID") from exc
    if type_name not in NODE_TYPES:
        raise InvalidId(f"{global_id!r} is not a valid ID")
    if expected is not None and type_name != expected:
        raise InvalidId(f"{global_id!r} is not the ID of a {expected}")
    return type_name, pk


def decode_id(global_id: str, expected: str) -> uuid.UUID:
    return from_global_id(global_id, expected=expected)[1]


@strawberry.interface(description="An object with a globally unique, opaque ID (Relay).")
class Node:
    pk: strawberry.Private[uuid.UUID]
    __model__: ClassVar[type[Base]]

    @strawberry.field(description="The opaque global ID; pass it to `node(id:)` to refetch.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(type(self).__name__, self.pk))

    @strawberry.field(
        description="This node's recorded changes, newest first: who changed which fields "
        "from what to what, and when."
    )
    def history(
        self,
        info: strawberry.Info,
        filter: Annotated[ChangeFilter, strawberry.lazy("graph.types.history")] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[ChangeConnection, strawberry.lazy("graph.types.history")]:
        from graph.kernel.connections import PageArgs, to_many

        return to_many(info, self, "history", PageArgs(filter, None, first, after, last, before))  # type: ignore[no-any-return]


N = TypeVar("N", bound=type[Node])


def node_type(cls: N) -> N:
    """Register a Strawberry node type so `node(id:)` can resolve its IDs."""
    NODE_TYPES[cls.__name__] = cls
    return cls


def user_error(message: str, code: str) -> GraphQLError:
    """A client mistake in a query argument: a GraphQL error with a code, never masked."""
    return GraphQLError(message, extensions={"code": code})


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description="The first node's cursor; null on an empty page.")
    def start_cursor(self) -> str | None:
        return self._page.start_cursor

    @strawberry.field(description="The last node's cursor; null on an empty page.")
    def end_cursor(self) -> str | None:
        return self._page.end_cursor


@strawberry.type(description="A node and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="A page of nodes (Relay connection).")
class Connection(Generic[NodeT]):
    nodes: list[NodeT] = strawberry.field(description="The page's nodes, without cursors.")
    page_info: PageInfo
    _page: strawberry.Private[Page[Any]]
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The page's nodes with their cursors.")
    def edges(self) -> list[Edge[NodeT]]:
        page = self._page
        return [Edge(cursor=page.cursor(i), node=n) for i, n in enumerate(page.nodes)]

    @strawberry.field(
        description="How many nodes match the filter, across all pages. Costs a query; "
        "ask for it only when you show it."
    )
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def from_page(cls, page: Page[Any], count: Callable[[], Awaitable[int]]) -> Any:
        return cls(
            nodes=page.nodes,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                _page=page,
            ),
            _page=page,
            _count=count,
        )


def page_spec(
    order: list[OrderTerm],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    tie_breaker: Any,
) -> PageSpec:
    """Validate Relay page arguments into a PageSpec; mistakes become coded GraphQL errors."""
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
