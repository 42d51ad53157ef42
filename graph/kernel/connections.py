"""Resolving lists and relations through the one read path, without N+1 and without a
future per row.

Node types declare their relations once, as data (``__relations__``): a `ToOne` (a foreign
key to another node) or a `ToMany` (a paginated connection through a `Relation`). Relation
fields resolve through `to_one` / `to_many`.

When a list of nodes is loaded, `prefetch` reads the query's selection below it, loads every
selected relation for all the listed nodes at once (one statement per relation and level,
through the same per-request loaders), and attaches the results to the nodes. The relation
fields then resolve synchronously from what is attached, so graphql-core does not create an
asyncio task per row and field. A node reached without a list above it (``node(id:)``) falls
back to the loaders: still batched, just with a future each.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar, cast

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    get_argument_values,
    get_named_type,
    value_from_ast,
)
from graphql.execution.values import VariableValues
from sqlalchemy import ColumnElement, and_
from strawberry.types.arguments import convert_arguments

from graph.context import Info
from graph.kernel.filters import filter_condition, order_terms
from graph.kernel.relay import Node, page_spec
from loaders.base import (
    OrderTerm,
    Page,
    PageSpec,
    Relation,
    fetch_count,
    fetch_page,
    shape_of,
)
from models.history import ChangeLog

C = TypeVar("C")

# Attached results live in each node's __dict__ under this name: {key: value}.
PREFETCHED = "_prefetched"


@dataclass(frozen=True, slots=True)
class PageArgs:
    """The arguments of a connection field, as its resolver receives them."""

    filter: Any = None
    order_by: Sequence[Any] | None = None
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def key(self, field: str) -> tuple[str, str]:
        """Identifies one relation field with one set of arguments (dataclass reprs are
        deterministic, so equal arguments give equal keys)."""
        return (field, repr(self))


PAGE_ARGS = tuple(f.name for f in fields(PageArgs))


@dataclass(frozen=True, slots=True)
class ToOne:
    """A node referenced by a foreign-key attribute of the parent node."""

    target: Callable[[], type[Any]]
    attribute: str


@dataclass(frozen=True, slots=True)
class ToMany:
    """A connection of child nodes hanging off the parent through ``relation``."""

    connection: Callable[[], type[Any]]
    target: Callable[[], type[Any]]
    relation: Relation
    default_order: tuple[OrderTerm, ...]


Relations = dict[str, ToOne | ToMany]


def _history() -> Any:
    from graph.types import history

    return history


# Every node has a history: its rows of the change log, newest first.
HISTORY = ToMany(
    lambda: _history().ChangeConnection,
    lambda: _history().Change,
    Relation(ChangeLog.entity_id),
    (OrderTerm(ChangeLog.position, descending=True),),
)
_all_relations: dict[type[Any], Relations] = {}


def relations_of(cls: type[Any]) -> Relations:
    relations = _all_relations.get(cls)
    if relations is None:
        relations = dict(getattr(cls, "__relations__", {}))
        if issubclass(cls, Node):
            relations["history"] = HISTORY
        _all_relations[cls] = relations
    return relations


def spec_for(cls: type[Any], args: PageArgs, default_order: Sequence[OrderTerm]) -> PageSpec:
    tie_breaker = shape_of(cls).model.__table__.c.id
    terms = order_terms(args.order_by, default_order)
    return page_spec(terms, args.first, args.after, args.last, args.before, tie_breaker)


def _attach(node: Any, field_nodes: list[FieldNode], value: Any) -> None:
    """Attach a prefetched value under the query's field nodes that select it (the executor
    passes one of them as ``info.field_nodes[0]`` when it resolves the field)."""
    store = node.__dict__.setdefault(PREFETCHED, {})
    for field_node in field_nodes:
        store[id(field_node)] = value  # by identity: AST nodes hash recursively, slowly


# ---------------------------------------------------------------------------------------------
# Resolving relation fields


def to_one(info: Info, node: Any, name: str) -> Any:
    """Resolve a ToOne relation that was not prefetched: a (batched) loader future."""
    relation = cast(ToOne, relations_of(type(node))[name])
    pk = getattr(node, relation.attribute)
    if pk is None:
        return None
    return info.context.loaders.by_id(relation.target()).load(pk)


def to_many(info: Info, node: Any, name: str, args: PageArgs) -> Any:
    """Resolve a ToMany relation that was not prefetched: load the page now."""
    return _load_connection(info, node, name, args)


async def _load_connection(info: Info, node: Any, name: str, args: PageArgs) -> Any:
    relation = cast(ToMany, relations_of(type(node))[name])
    connections = await _connections(info, relation, [node.pk], args, name)
    connection = connections[0]
    await prefetch(info, relation.target(), connection.nodes, _node_fields(info, info_nodes(info)))
    return connection


async def _connections(
    info: Info, relation: ToMany, parents: list[uuid.UUID], args: PageArgs, name: str
) -> list[Any]:
    """One page per parent, every parent in one statement."""
    loaders = info.context.loaders
    target, connection = relation.target(), relation.connection()
    key = (str(relation.relation.parent_column), *args.key(name))

    def where() -> ColumnElement[bool] | None:
        return None if args.filter is None else filter_condition(args.filter)

    constant = args.filter is None and args.after is None and args.before is None
    pages = loaders.pages(
        key,
        target,
        relation.relation,
        spec=lambda: spec_for(target, args, relation.default_order),
        where=where,
        constant=constant,
    )
    results: list[Page[Any]] = await pages.load_many(parents)

    def counter(parent: uuid.UUID) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            counts = loaders.counts(
                key, target, relation.relation, where=where, constant=args.filter is None
            )
            return int(await counts.load(parent))

        return count

    return [
        connection.from_page(page, counter(parent))
        for parent, page in zip(parents, results, strict=True)
    ]


# ---------------------------------------------------------------------------------------------
# Root lists


async def root_connection(
    info: Info,
    connection: type[C],
    cls: type[Any],
    args: PageArgs,
    *,
    default_order: Sequence[OrderTerm],
    where: ColumnElement[bool] | None = None,
) -> C:
    """A root list: one statement for the page, one more for totalCount if it is selected,
    and one per selected relation and level below it."""
    ctx = info.context
    spec = spec_for(cls, args, default_order)
    conditions = [c for c in (where,) if c is not None]
    if args.filter is not None:
        conditions.append(filter_condition(args.filter))
    condition = and_(*conditions) if conditions else None
    reader, viewer = ctx.db.reader, ctx.viewer
    page = await fetch_page(reader, cls, viewer, spec, condition)

    async def count() -> int:
        return await fetch_count(reader, cls, viewer, condition)

    await prefetch(info, cls, page.nodes, _node_fields(info, info_nodes(info)))
    return connection.from_page(page, count)  # type: ignore[attr-defined, no-any-return]


# ---------------------------------------------------------------------------------------------
# The planner: walk the selection below a list and load what it asks for, level by level


def info_nodes(info: Info) -> list[FieldNode]:
    return list(info._raw_info.field_nodes)


def collect_fields(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    type_name: str,
    selection_sets: Iterable[SelectionSetNode | None],
    variables: Any = None,
) -> dict[str, list[FieldNode]]:
    """Fields selected on an object type, grouped by response key, through fragments.

    With ``variables`` (coerced values, a dict or `VariableValues`), what @skip/@include
    leave out is left out, as graphql-core's execution does; without, all is kept (at worst
    a skipped relation is loaded for nothing).
    """
    # No copy: this runs for every list a request resolves.
    values: dict[str, Any] | None = (
        variables.coerced if isinstance(variables, VariableValues) else variables
    )
    grouped: dict[str, list[FieldNode]] = {}

    def add(selection_set: SelectionSetNode) -> None:  # depth first, in document order
        for selection in selection_set.selections:
            if values is not None and not included(selection, values):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or _matches(schema, condition.name.value, type_name):
                    add(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment and _matches(schema, fragment.type_condition.name.value, type_name):
                    add(fragment.selection_set)

    for selection_set in selection_sets:
        if selection_set is not None:
            add(selection_set)
    return grouped


SKIP_INCLUDE = frozenset({GraphQLSkipDirective.name, GraphQLIncludeDirective.name})


def included(node: SelectionNode, variables: dict[str, Any]) -> bool:
    """Whether @skip/@include let a selection through (the document is valid: each has its
    `if`, a Boolean!)."""
    for directive in node.directives or ():
        name = directive.name.value
        if name not in SKIP_INCLUDE:
            continue
        argument = next(a for a in directive.arguments or () if a.name.value == "if")
        value = value_from_ast(argument.value, GraphQLNonNull(GraphQLBoolean), variables)
        if name == GraphQLSkipDirective.name and value is True:
            return False
        if name == GraphQLIncludeDirective.name and value is False:
            return False
    return True


def _collect(
    info: Info, type_name: str, selection_sets: Iterable[SelectionSetNode | None]
) -> dict[str, list[FieldNode]]:
    raw = info._raw_info
    return collect_fields(raw.schema, raw.fragments, type_name, selection_sets, raw.variable_values)


def _matches(schema: GraphQLSchema, condition: str, type_name: str) -> bool:
    if condition == type_name:
        return True
    object_type = schema.get_type(type_name)
    return isinstance(object_type, GraphQLObjectType) and any(
        i.name == condition for i in object_type.interfaces
    )


def _node_fields(info: Info, connection_nodes: list[FieldNode]) -> list[FieldNode]:
    """The field nodes that select the nodes of a connection: `nodes` and `edges { node }`."""
    connection_type = get_named_type(info._raw_info.return_type)
    return _connection_node_fields(info, connection_type.name, connection_nodes)


def _connection_node_fields(
    info: Info, connection_type: str, connection_nodes: list[FieldNode]
) -> list[FieldNode]:
    fields = _collect(info, connection_type, (n.selection_set for n in connection_nodes))
    node_fields: list[FieldNode] = []
    for group in fields.values():
        for field in group:
            if field.name.value == "nodes":
                node_fields.append(field)
            elif field.name.value == "edges":
                edge_type = _field_type_name(info, connection_type, "edges")
                edges = _collect(info, edge_type, [field.selection_set])
                node_fields.extend(f for g in edges.values() for f in g if f.name.value == "node")
    return node_fields


def _field_type_name(info: Info, type_name: str, field_name: str) -> str:
    object_type = cast(GraphQLObjectType, info._raw_info.schema.get_type(type_name))
    return str(get_named_type(object_type.fields[field_name].type).name)


def page_args(schema: Any, field: GraphQLField, node: FieldNode, variables: Any) -> dict[str, Any]:
    """A field's arguments as its Strawberry resolver receives them (inputs as objects)."""
    if not isinstance(variables, VariableValues):  # Strawberry's executor passes the plain dict
        variables = VariableValues(sources={}, coerced=variables)
    raw = get_argument_values(field, node, variables)
    strawberry_field = field.extensions["strawberry-definition"]
    converted: dict[str, Any] = convert_arguments(
        raw,
        strawberry_field.arguments,
        scalar_registry=schema.schema_converter.scalar_registry,
        config=schema.config,
    )
    return converted


def _arguments(info: Info, field: GraphQLField, node: FieldNode) -> PageArgs:
    converted = page_args(info.schema, field, node, info._raw_info.variable_values)
    return PageArgs(**{k: converted.get(k) for k in PAGE_ARGS})


async def prefetch(
    info: Info, cls: type[Any], nodes: Sequence[Any], field_nodes: list[FieldNode]
) -> None:
    """Load the relations selected on ``nodes`` for all of them at once, recursively."""
    relations = relations_of(cls)
    if not nodes or not relations or not field_nodes:
        return
    type_name = cls.__name__
    object_type = cast(GraphQLObjectType, info._raw_info.schema.get_type(type_name))
    selected = _collect(info, type_name, (n.selection_set for n in field_nodes))
    work: list[Awaitable[None]] = []
    for group in selected.values():
        gql_name = group[0].name.value
        field = object_type.fields.get(gql_name)
        if field is None:
            continue
        name = field.extensions["strawberry-definition"].python_name
        relation = relations.get(name)
        if isinstance(relation, ToOne):
            work.append(_prefetch_one(info, relation, name, nodes, group))
        elif isinstance(relation, ToMany):
            args = _arguments(info, field, group[0])
            work.append(_prefetch_many(info, relation, name, args, nodes, group, field))
    if work:
        await asyncio.gather(*work)


async def _prefetch_one(
    info: Info, relation: ToOne, name: str, nodes: Sequence[Any], group: list[FieldNode]
) -> None:
    keys = list({pk for n in nodes if (pk := getattr(n, relation.attribute)) is not None})
    target = relation.target()
    loaded = await info.context.loaders.by_id(target).load_many(keys)
    by_pk = dict(zip(keys, loaded, strict=True))
    for node in nodes:
        _attach(node, group, by_pk.get(getattr(node, relation.attribute)))
    children = [v for v in loaded if v is not None]
    await prefetch(info, target, children, group)


async def _prefetch_many(
    info: Info,
    relation: ToMany,
    name: str,
    args: PageArgs,
    nodes: Sequence[Any],
    group: list[FieldNode],
    field: GraphQLField,
) -> None:
    connections = await _connections(info, relation, [n.pk for n in nodes], args, name)
    children: list[Any] = []
    for node, connection in zip(nodes, connections, strict=True):
        _attach(node, group, connection)
        children.extend(connection.nodes)
    connection_type = get_named_type(field.type).name
    await prefetch(
        info, relation.target(), children, _connection_node_fields(info, connection_type, group)
    )


# ---------------------------------------------------------------------------------------------
# Fast paths: the fields resolved once per row, wired past Strawberry's resolver wrapper

_MISSING = object()


def install_fast_paths(schema: Any) -> None:
    """Resolve `id` and prefetched relations straight from the node.

    Strawberry's wrapper (argument conversion, Info objects) costs ~40 us per call; these
    fields run once per row and field, and their answers need none of it. Anything not
    prefetched falls through to the Strawberry resolver.
    """
    from graph.kernel.relay import NODE_TYPES, to_global_id

    graphql_schema = schema._schema
    for type_name, cls in NODE_TYPES.items():
        object_type = graphql_schema.get_type(type_name)
        object_type.fields["id"].resolve = _id_resolver(type_name, to_global_id)
        relations = relations_of(cls)
        for field in object_type.fields.values():
            definition = field.extensions.get("strawberry-definition")
            if definition is not None and definition.python_name in relations:
                field.resolve = _prefetched_resolver(field.resolve)


def _id_resolver(type_name: str, encode: Callable[[str, uuid.UUID], str]) -> Any:
    def resolve(source: Any, info: Any) -> str:
        return encode(type_name, source.pk)

    return resolve


def _prefetched_resolver(original: Any) -> Any:
    def resolve(source: Any, info: Any, **kwargs: Any) -> Any:
        store = source.__dict__.get(PREFETCHED)
        if store is not None:
            found = store.get(id(info.field_nodes[0]), _MISSING)
            if found is not _MISSING:
                return found
        return original(source, info, **kwargs)

    return resolve
