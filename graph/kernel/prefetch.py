"""Reading lists and relations without N+1 and without a future per row.

A read flows one way. The planner reads the query's selection below a list of nodes into a
`NodePlan` — for each selected relation, its spec, its arguments validated into a page spec
and a filter condition, and the plan of its own nodes — before anything is loaded. `load` then
hands the plan down to the batch loaders (one statement per relation and level, for every
listed node at once), attaches what they return to the nodes, and goes on with the children.
The relation fields then resolve synchronously from what is attached, so graphql-core does
not create an asyncio task per row and field. A node reached without a list above it
(``node(id:)``) falls back to the loaders: still batched, just with a future each.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, GraphQLError, get_named_type
from sqlalchemy import ColumnElement, and_

from graph.kernel import search
from graph.kernel.aggregates import AggregateScope
from graph.kernel.paging import PAGE_ARGS, PageArgs, spec_for
from graph.kernel.relations import ToMany, ToOne, relations_of
from graph.kernel.selection import Selection
from loaders.base import Loaders, fetch_count, fetch_page, shape_of
from loaders.paging import Page, PageSpec

# Attached results live in each node's __dict__ under this name: {id(field node): value}.
PREFETCHED = "_prefetched"


@dataclass(slots=True)
class ManyPlan:
    """One selected connection relation: what to load for every parent, and where to put it."""

    name: str
    spec: ToMany
    args: PageArgs
    field_nodes: list[FieldNode]
    nodes: NodePlan
    page: PageSpec | None = None
    where: ColumnElement[bool] | None = None
    # Columns read per node for its edge (a search's score and snippet).
    extra: list[ColumnElement[Any]] = field(default_factory=list)
    # A mistake in the arguments: raised only if there are parents to load for.
    error: GraphQLError | None = None


@dataclass(slots=True)
class OnePlan:
    """One selected to-one relation."""

    spec: ToOne
    field_nodes: list[FieldNode]
    nodes: NodePlan


@dataclass(slots=True)
class NodePlan:
    """What to load below a list of nodes of one type."""

    relations: list[ManyPlan | OnePlan] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Planning


def plan_nodes(selection: Selection, cls: type[Any], field_nodes: list[FieldNode]) -> NodePlan:
    """The plan for nodes of ``cls`` selected by ``field_nodes``, all levels below."""
    relations = relations_of(cls)
    if not relations or not field_nodes:
        return NodePlan()
    type_name = cls.__name__
    object_type = selection.object_type(type_name)
    plan = NodePlan()
    for group in selection.fields(type_name, (n.selection_set for n in field_nodes)).values():
        gql_field = object_type.fields.get(group[0].name.value)
        if gql_field is None:
            continue
        name = gql_field.extensions["strawberry-definition"].python_name
        relation = relations.get(name)
        if isinstance(relation, ToOne):
            children = plan_nodes(selection, relation.target, group)
            plan.relations.append(OnePlan(relation, group, children))
        elif isinstance(relation, ToMany):
            connection_type = get_named_type(gql_field.type).name
            node_fields = selection.node_fields(connection_type, group)
            children = plan_nodes(selection, relation.target, node_fields)
            try:
                converted = selection.arguments(gql_field, group[0])
            except GraphQLError as exc:  # a client's mistake: raised if there are parents
                plan.relations.append(
                    ManyPlan(name, relation, PageArgs(), group, children, error=exc)
                )
                continue
            args = PageArgs(**{k: converted.get(k) for k in PAGE_ARGS})
            plan.relations.append(plan_many(name, relation, args, group, children))
    return plan


def plan_many(
    name: str, relation: ToMany, args: PageArgs, field_nodes: list[FieldNode], nodes: NodePlan
) -> ManyPlan:
    plan = ManyPlan(name, relation, args, field_nodes, nodes)
    try:
        plan.page = spec_for(relation.target, args, relation.default_order)
        model = shape_of(relation.target).model
        text = search.search_text(args.search)
        plan.where = search.where_of(model, args.filter, text)
        plan.extra = search.edge_columns(model, text)
    except GraphQLError as exc:  # a client's mistake: raised if there are parents to load for
        plan.error = exc
    return plan


def plan_connection(
    selection: Selection, info_nodes: list[FieldNode], return_type: Any, cls: type[Any]
) -> NodePlan:
    """The plan for the nodes of a connection field being resolved."""
    node_fields = selection.node_fields(get_named_type(return_type).name, info_nodes)
    return plan_nodes(selection, cls, node_fields)


# ---------------------------------------------------------------------------------------------
# Loading


async def load(loaders: Loaders, plan: NodePlan, nodes: Sequence[Any]) -> None:
    """Load what ``plan`` asks for below ``nodes``, attach it, and go on below."""
    if not nodes or not plan.relations:
        return
    work: list[Awaitable[None]] = []
    for relation in plan.relations:
        if isinstance(relation, OnePlan):
            work.append(_load_one(loaders, relation, nodes))
        else:
            work.append(_load_many(loaders, relation, nodes))
    await asyncio.gather(*work)


async def _load_one(loaders: Loaders, plan: OnePlan, nodes: Sequence[Any]) -> None:
    attribute = plan.spec.attribute
    keys = list({pk for n in nodes if (pk := getattr(n, attribute)) is not None})
    loaded = await loaders.by_key(plan.spec.target, plan.spec.key).load_many(keys)
    by_pk = dict(zip(keys, loaded, strict=True))
    for node in nodes:
        attach(node, plan.field_nodes, by_pk.get(getattr(node, attribute)))
    await load(loaders, plan.nodes, [v for v in loaded if v is not None])


async def _load_many(loaders: Loaders, plan: ManyPlan, nodes: Sequence[Any]) -> None:
    connections = await connections_of(loaders, plan, [n.pk for n in nodes])
    children: list[Any] = []
    for node, connection in zip(nodes, connections, strict=True):
        attach(node, plan.field_nodes, connection)
        children.extend(connection.nodes)
    await load(loaders, plan.nodes, children)


async def connections_of(loaders: Loaders, plan: ManyPlan, parents: list[uuid.UUID]) -> list[Any]:
    """One page per parent, every parent in one statement."""
    if plan.error is not None:
        raise plan.error
    assert plan.page is not None
    relation, args = plan.spec, plan.args
    key = (str(relation.relation.parent_column), *args.key(plan.name))
    plain = args.filter is None and args.search is None
    constant = plain and args.after is None and args.before is None
    archived = bool(args.include_archived)
    pages = loaders.pages(
        key, relation.target, relation.relation, plan.page, plan.where, constant=constant,
        include_archived=archived, extra=plan.extra,
    )  # fmt: skip
    results: list[Page[Any]] = await pages.load_many(parents)

    def counter(parent: uuid.UUID) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            counts = loaders.counts(
                key, relation.target, relation.relation, plan.where,
                constant=plain, include_archived=archived,
            )  # fmt: skip
            return int(await counts.load(parent))

        return count

    def scope(parent: uuid.UUID) -> AggregateScope | None:
        if relation.connection.__aggregates__ is None:
            return None
        return AggregateScope(
            loaders, relation.target, relation.relation, parent, plan.where, key, archived
        )

    return [
        relation.connection.from_page(page, counter(parent), scope(parent))
        for parent, page in zip(parents, results, strict=True)
    ]


def attach(node: Any, field_nodes: list[FieldNode], value: Any) -> None:
    """Attach a loaded value under the query's field nodes that select it (the executor
    passes one of them as ``info.field_nodes[0]`` when it resolves the field)."""
    store = node.__dict__.setdefault(PREFETCHED, {})
    for field_node in field_nodes:
        store[id(field_node)] = value  # by identity: AST nodes hash recursively, slowly


# ---------------------------------------------------------------------------------------------
# Entry points for the resolvers the factories build


async def root_connection(
    info: Any,
    connection: type[Any],
    cls: type[Any],
    args: PageArgs,
    *,
    default_order: Sequence[Any],
    where: ColumnElement[bool] | None = None,
) -> Any:
    """A root list: one statement for the page, one more for totalCount if it is selected,
    and one per selected relation and level below it."""
    ctx = info.context
    spec = spec_for(cls, args, default_order)
    model = shape_of(cls).model
    text = search.search_text(args.search)
    conditions = [c for c in (where, search.where_of(model, args.filter, text)) if c is not None]
    condition = and_(*conditions) if conditions else None
    reader, viewer = ctx.db.reader, ctx.viewer
    archived = bool(args.include_archived)
    extra = search.edge_columns(model, text)
    page = await fetch_page(reader, cls, viewer, spec, condition, extra, include_archived=archived)

    async def count() -> int:
        return await fetch_count(reader, cls, viewer, condition, include_archived=archived)

    raw = info._raw_info
    if page.nodes:
        plan = plan_connection(Selection.of(info), list(raw.field_nodes), raw.return_type, cls)
        await load(ctx.loaders, plan, page.nodes)
    scope = None
    if connection.__aggregates__ is not None:
        key = ("root", id(raw.field_nodes[0]), *args.key(cls.__name__))
        scope = AggregateScope(ctx.loaders, cls, None, None, condition, key, archived)
    return connection.from_page(page, count, scope)


async def relation_connection(info: Any, node: Any, name: str, args: PageArgs) -> Any:
    """A connection relation that was not prefetched (its parent came without a list): one
    plan per field and arguments in a request, whatever the number of parents."""
    spec = relations_of(type(node))[name]
    assert isinstance(spec, ToMany)
    raw = info._raw_info
    loaders = info.context.loaders

    def make() -> ManyPlan:
        field_nodes = list(raw.field_nodes)
        children = plan_connection(Selection.of(info), field_nodes, raw.return_type, spec.target)
        return plan_many(name, spec, args, field_nodes, children)

    plan = loaders.memo(("plan", id(raw.field_nodes[0]), *args.key(name)), make)
    connection = (await connections_of(loaders, plan, [node.pk]))[0]
    await load(loaders, plan.nodes, connection.nodes)
    return connection
