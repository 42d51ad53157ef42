"""Relay types, written once: the Node interface, connections, edges and page information.

A connection type says how lists of its nodes are filtered, ordered and paged, once:

    @strawberry.type(description="A page of properties.")
    class PropertyConnection(
        Connection[Property], filter=PropertyFilter, order=PropertyOrder,
        default_order=OrderTerm(models.realty.Property.created_at),
    ):
        pass

Every field of that type (`to_many`, `root_list`) takes those inputs as its arguments.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, TypeVar, get_args

import strawberry

from graph.kernel.aggregates import (
    Aggregable,
    AggregateScope,
    AggregateTypes,
    aggregate_types,
    facets,
)
from graph.kernel.fields import to_many
from graph.kernel.ids import registered, to_global_id
from graph.kernel.search import searchable
from loaders.paging import OrderTerm, Page
from models.base import Base
from models.history import ChangeLog

if TYPE_CHECKING:
    from graph.types.history import ChangeConnection
else:  # found through the registry when the schema is built: the kernel imports no domain type
    ChangeConnection = registered("ChangeConnection")

NodeT = TypeVar("NodeT")


@strawberry.interface(description="An object with a globally unique, opaque ID (Relay).")
class Node:
    pk: strawberry.Private[uuid.UUID]
    __model__: ClassVar[type[Base]]

    id: strawberry.ID = strawberry.field(
        resolver=lambda self: strawberry.ID(to_global_id(type(self).__name__, self.pk)),
        description="The opaque global ID; pass it to `node(id:)` to refetch.",
    )

    # Every node has a history: its rows of the change log.
    history: ChangeConnection = to_many(
        ChangeLog.entity_id,
        description="This node's recorded changes, newest first: who changed which fields "
        "from what to what, and when.",
    )


@strawberry.type(description="Where a page sits in its connection (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More nodes follow this page: fetch them with `after: endCursor`. When "
        "paging backward (`last`), whether nodes follow the `before` cursor."
    )
    has_previous_page: bool = strawberry.field(
        description="Nodes precede this page: fetch them with `last` and `before: "
        "startCursor`. When paging forward (`first`), whether nodes precede the `after` "
        "cursor."
    )
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description="The first node's cursor; null on an empty page.")
    def start_cursor(self) -> str | None:
        return self._page.start_cursor

    @strawberry.field(description="The last node's cursor; null on an empty page.")
    def end_cursor(self) -> str | None:
        return self._page.end_cursor


@strawberry.type(description="A node and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="An opaque cursor for this node's position in this ordering: pass it as "
        "`after` or `before` to the same field with the same `filter` and `orderBy`."
    )
    node: NodeT = strawberry.field(description="The node.")


@strawberry.type(
    name="Edge",  # specialised as `<Node>Edge`, like `Edge`: a searchable connection's edges
    description="A node and its cursor; with a `search`, how well the node matches it.",
)
class SearchEdge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Pass it as `after` or `before` to page on.")
    node: NodeT = strawberry.field(description="The node.")
    score: float | None = strawberry.field(
        description="How well the node matches the connection's `search`, from 0 to 1 (title "
        "or name matches weigh most, close matches more); null without a search."
    )
    snippet: str | None = strawberry.field(
        description="The node's searched text around the matches (HTML-escaped, matches in "
        "`<mark>...</mark>`, fragments joined by ` … `); null without a search."
    )


def _search_edges(self: Any) -> list[Any]:
    page = self._page
    extras = page.extras or [(None, None)] * len(page.nodes)
    return [
        SearchEdge(cursor=page.cursor(i), node=n, score=extras[i][0], snippet=extras[i][1])
        for i, n in enumerate(page.nodes)
    ]


@strawberry.type(description="A page of nodes (Relay connection).")
class Connection(Generic[NodeT]):
    nodes: list[NodeT] = strawberry.field(description="The page's nodes, without cursors.")
    page_info: PageInfo = strawberry.field(
        description="Whether more pages follow or precede, and the cursors to ask for them."
    )
    _page: strawberry.Private[Page[Any]]
    _count: strawberry.Private[Callable[[], Awaitable[int]]]
    # The rows behind the connection, for its aggregates (None where it has none).
    _scope: strawberry.Private[AggregateScope | None] = None

    # Set by each concrete connection (class keywords, see the module's docstring).
    __node__: ClassVar[type[Any]]
    __filter__: ClassVar[type[Any] | None] = None
    __order__: ClassVar[type[Any] | None] = None
    __default_order__: ClassVar[tuple[OrderTerm, ...]] = ()
    __searchable__: ClassVar[bool] = False
    __aggregates__: ClassVar[AggregateTypes | None] = None

    def __init_subclass__(
        cls,
        *,
        filter: type[Any] | None = None,
        order: type[Any] | None = None,
        default_order: OrderTerm | tuple[OrderTerm, ...] = (),
        aggregate: Aggregable | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if getattr(base, "__origin__", None) is Connection:
                cls.__node__ = get_args(base)[0]
        cls.__filter__, cls.__order__ = filter, order
        cls.__default_order__ = (
            (default_order,) if isinstance(default_order, OrderTerm) else default_order
        )
        # Over a searchable model (models.search): `search:`, and edges with score and snippet.
        cls.__searchable__ = searchable(getattr(cls.__node__, "__model__", None))
        if cls.__searchable__ and "edges" not in vars(cls):

            def resolver(self: Any) -> Any:
                return _search_edges(self)

            resolver.__annotations__ = {"return": list[SearchEdge[cls.__node__]]}  # type: ignore[name-defined]
            cls.edges = strawberry.field(  # type: ignore[method-assign]
                resolver=resolver,
                description="The page's nodes with their cursors (and, with a `search`, their "
                "scores and snippets).",
            )
        cls.__aggregates__ = None
        if aggregate is not None:
            _add_aggregates(cls, aggregate_types(cls.__node__.__name__, aggregate))

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
    def from_page(
        cls,
        page: Page[Any],
        count: Callable[[], Awaitable[int]],
        scope: AggregateScope | None = None,
    ) -> Any:
        return cls(
            nodes=page.nodes,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                _page=page,
            ),
            _page=page,
            _count=count,
            _scope=scope,
        )


# The timestamps every node type carries, described once: `created_at: datetime = created()`.


def created() -> Any:
    return strawberry.field(description="When this was created (set by the database).")


def updated() -> Any:
    return strawberry.field(
        description="When this last changed (set by the database on every write). Send it "
        "back as an update's `updatedAt`, where the update takes one, to have a stale write "
        "refused with a `ConflictError`."
    )


def _add_aggregates(cls: Any, types: AggregateTypes) -> None:
    """`aggregate` and, with group fields, `facets` on a connection type."""
    cls.__aggregates__ = types

    def aggregate(self: Any) -> Any:
        return types.aggregate(_scope=self._scope)

    aggregate.__annotations__ = {"return": types.aggregate}
    cls.aggregate = strawberry.field(
        resolver=aggregate,
        description="Count, sums, averages, least and greatest values and groups of the "
        "nodes matching the connection's filter and search (every page, not just this one).",
    )
    if types.facet is None:
        return

    async def facets_of(self: Any, fields: list[Any]) -> list[Any]:
        return await facets(types, self._scope, fields)

    facets_of.__annotations__ = {
        "fields": Annotated[
            list[types.group_field],  # type: ignore[name-defined]
            strawberry.argument(description="The fields to count the values of."),
        ],
        "return": list[types.facet],  # type: ignore[name-defined]
    }
    cls.facets = strawberry.field(
        resolver=facets_of,
        description="For each field, how many of the nodes matching the connection's filter "
        "and search have each value (the commonest first), in one statement.",
    )
