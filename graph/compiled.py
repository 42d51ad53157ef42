"""Compiled queries: a read-only operation answered by ONE SQL statement, PostGraphile-style.

A query whose every field maps onto the data model — root fields marked with `compiled_as`
(a node by ID, a root list), node columns, `id`, `__typename`, the `ToOne` / `ToMany`
relations the node types declare, and connections' `nodes`, `edges`, `pageInfo` and
`totalCount` — is compiled into one SELECT that builds the whole `data` object as JSON in
PostgreSQL: one derived table per list or node, correlated to its parent (LATERAL), each
scoped by its model's ``visible_to()`` rule with the viewer parameters, so tenancy holds as on
the resolver path. Python then does no per-row or per-field work at all: one round trip, one
`orjson.loads`.

Everything else — mutations, subscriptions, fields with their own resolvers, directives,
arguments the resolver path would refuse (bad IDs, page sizes, cursors) — is `Unsupported`
and runs through graphql-core as before, which also produces the errors. The compiled answer
must equal the resolver path's byte for byte; tests/test_compiled.py runs a corpus of queries
both ways.

Plans are cached per (document, operation, variables); variables that only carry the ID of a
root node field are bound per execution instead, so `item(id: $id)` compiles once.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import orjson
import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import DocumentNode, FragmentDefinitionNode, Visitor, visit
from graphql.utilities import get_operation_ast
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Integer,
    Numeric,
    Select,
    String,
    Text,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from strawberry.extensions import SchemaExtension

from graph.connections import (
    PAGE_ARGS,
    PageArgs,
    ToMany,
    ToOne,
    collect_fields,
    page_args,
    relations_of,
    spec_for,
)
from graph.filters import filter_condition
from graph.relay import NODE_TYPES, InvalidId, Node, decode_id, from_global_id
from loaders.base import OrderTerm, PageSpec, Reader, order_signature, shape_of
from models.base import VIEWER_ID

log = logging.getLogger("trellis.compiled")

F = TypeVar("F", bound=Callable[..., Any])

# Distinct (document, operation, variables) plans kept per process, and their total size.
PLAN_CACHE_SIZE = 2048
PLAN_CACHE_BYTES = 32 << 20
# json_build_object takes at most 100 arguments: 50 keys and their values.
MAX_KEYS = 50


class Unsupported(Exception):
    """The operation needs the resolver path (the reason says which part)."""


# ---------------------------------------------------------------------------------------------
# Root fields declare what they read


@dataclass(frozen=True, slots=True)
class ById:
    """`field(id: ID!)`: the node of ``cls`` with that global ID, null when not visible;
    ``cls`` None: of whichever node type the ID names (`node(id:)`)."""

    cls: type[Any] | None


@dataclass(frozen=True, slots=True)
class ByViewer:
    """The signed-in viewer's own node of ``cls`` (`me`); null when anonymous."""

    cls: type[Any]


@dataclass(frozen=True, slots=True)
class RootList:
    """`field(filter, orderBy, first, after, last, before)`: the visible nodes of ``cls``."""

    cls: type[Any]
    default_order: tuple[OrderTerm, ...]


RootSpec = ById | ByViewer | RootList


def compiled_as(spec: RootSpec) -> Callable[[F], F]:
    """Mark a root resolver as equivalent to ``spec``, so queries through it can compile.

    The resolver stays the reference implementation (and the fallback); the compiled-query
    tests check that both answer the same.
    """

    def mark(resolver: F) -> F:
        resolver.__compiled_as__ = spec  # type: ignore[attr-defined]
        return resolver

    return mark


def _root_spec(field: GraphQLField) -> RootSpec | None:
    definition = field.extensions.get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    return getattr(getattr(resolver, "wrapped_func", None), "__compiled_as__", None)


# ---------------------------------------------------------------------------------------------
# SQL building blocks


def _sql_string(value: str) -> ColumnElement[str]:
    """A constant string written into the SQL text (names from the schema, formats)."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def _base64url(data: ColumnElement[Any]) -> ColumnElement[str]:
    """base64url without padding, as Python's urlsafe_b64encode(...).rstrip('=') spells it
    (PostgreSQL's base64 breaks lines every 76 characters: dropped)."""
    encoded = func.encode(func.convert_to(data, _sql_string("UTF8")), _sql_string("base64"))
    return func.rtrim(
        func.translate(encoded, literal_column("'+/' || chr(10)"), _sql_string("-_")),
        _sql_string("="),
    )


def _global_id(type_name: str, pk: ColumnElement[Any]) -> ColumnElement[str]:
    return _base64url(_sql_string(f"{type_name}:").op("||")(cast(pk, Text)))


def _iso_datetime(value: ColumnElement[Any], *, aware: bool) -> ColumnElement[str]:
    """datetime.isoformat() in SQL: microseconds only when not zero; '+00:00' when aware
    (the read path's sessions are in UTC)."""
    utc = func.timezone(_sql_string("UTC"), value) if aware else value
    text = func.to_char(utc, _sql_string('YYYY-MM-DD"T"HH24:MI:SS'))
    micro = func.to_char(utc, _sql_string("US"))
    fraction = case(
        (micro == _sql_string("000000"), _sql_string("")), else_=_sql_string(".").op("||")(micro)
    )
    result = text.op("||")(fraction)
    return result.op("||")(_sql_string("+00:00")) if aware else result


def _iso_date(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.to_char(value, _sql_string("YYYY-MM-DD"))


def _json_object(pairs: list[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    if len(pairs) > MAX_KEYS:
        raise Unsupported("too many fields in one selection")
    args: list[ColumnElement[Any]] = []
    for key, value in pairs:
        args += [_sql_string(key), value]
    return func.json_build_object(*args)


def _python_type(column: Any) -> Any:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


# Written in place of a null that GraphQL does not allow (a non-null field over a nullable
# column, or JSON null in a non-null JSON field): an answer containing it is answered again
# by the resolvers, which report the error the way graphql-core does. Random per process, so
# no stored text can imitate it.
NULL_VIOLATION = f"trellis:null-violation:{uuid.uuid4()}"


def _not_null(
    gql_type: Any, column: Any, value: ColumnElement[Any], serialised: ColumnElement[Any]
) -> ColumnElement[Any]:
    """``serialised``, or the violation marker where GraphQL forbids the null it would be."""
    is_json = isinstance(column.type, JSONB)
    if not isinstance(gql_type, GraphQLNonNull) or not (column.nullable or is_json):
        return serialised
    missing: ColumnElement[bool] = value.is_(None)
    if is_json:
        missing = missing | (func.jsonb_typeof(value) == _sql_string("null"))
    return case(
        (missing, func.to_json(cast(_sql_string(NULL_VIOLATION), Text))),
        else_=func.to_json(serialised),
    )


def _scalar(gql_type: Any, column: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A column's value as the GraphQL scalar serialises it."""
    return _not_null(gql_type, column, value, _serialised(gql_type, column, value))


def _serialised(gql_type: Any, column: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
    if isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    if isinstance(gql_type, GraphQLList):
        raise Unsupported("list-valued column")
    column_type = column.type
    if isinstance(gql_type, GraphQLEnumType):
        return _enum(gql_type, column, value)
    name = gql_type.name
    if name == "String" and isinstance(column_type, String) and not isinstance(column_type, SAEnum):
        return value
    if name == "Int" and isinstance(column_type, Integer):
        return value
    if name == "Boolean" and isinstance(column_type, Boolean):
        return value
    if name == "ID" and isinstance(column_type, PG_UUID | String):
        return cast(value, Text)
    if name == "DateTime" and isinstance(column_type, DateTime):
        return _iso_datetime(value, aware=bool(column_type.timezone))
    if name == "Date" and isinstance(column_type, Date) and not isinstance(column_type, DateTime):
        return _iso_date(value)
    if name == "Decimal" and isinstance(column_type, Numeric) and column_type.asdecimal:
        if column_type.scale is None:
            raise Unsupported("unscaled numeric")  # str(Decimal) may use an exponent
        return cast(value, Text)
    if name == "JSON" and isinstance(column_type, JSONB):
        return value
    raise Unsupported(f"scalar {name} on {column_type!r}")


def _enum(gql_type: GraphQLEnumType, column: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
    column_type = column.type
    enum_class = getattr(column_type, "enum_class", None)
    if not isinstance(column_type, SAEnum) or enum_class is None:
        raise Unsupported("enum field on a non-enum column")
    # The database holds each member's value (the loaders map it back with enum_class(label));
    # GraphQL writes the name its own serialiser gives the member.
    names = {str(member.value): gql_type.serialize(member) for member in enum_class}
    label = cast(value, Text)
    if all(label_ == name for label_, name in names.items()):
        return label
    return case(
        *((label == _sql_string(db), _sql_string(name)) for db, name in names.items()),
        else_=None,
    )


def _cursor_value(column: Any, value: ColumnElement[Any]) -> ColumnElement[str]:
    """One ordering value as `loaders.base.encode_cursor` writes it, as JSON text."""
    python_type = _python_type(column)
    if python_type is datetime:
        return cast(func.to_json(_iso_datetime(value, aware=bool(column.type.timezone))), Text)
    text: ColumnElement[Any]
    if python_type is date:
        text = _iso_date(value)
    elif python_type in (uuid.UUID, Decimal, str) or isinstance(column.type, SAEnum):
        text = cast(value, Text)
    elif python_type in (int, bool):
        return cast(func.to_json(value), Text)
    else:
        raise Unsupported(f"cursor over {column.type!r}")
    return cast(func.to_json(text), Text)


def _concat(parts: list[ColumnElement[Any]]) -> ColumnElement[str]:
    result = parts[0]
    for part in parts[1:]:
        result = result.op("||")(part)
    return result


def _cursor(spec: PageSpec, row: FromClause) -> ColumnElement[str]:
    """The keyset cursor of a row: base64url of `["<signature>",[<values>]]` (orjson's
    compact JSON, which `decode_cursor` reads back)."""
    parts: list[ColumnElement[Any]] = [
        _sql_string("[" + orjson.dumps(order_signature(spec.order)).decode() + ",[")
    ]
    for i, term in enumerate(spec.order):
        if i:
            parts.append(_sql_string(","))
        column = getattr(term.column, "expression", term.column)
        value = row.c[f"_o{i}"]
        parts.append(func.coalesce(_cursor_value(column, value), _sql_string("null")))
    parts.append(_sql_string("]]"))
    return _base64url(_concat(parts))


def _labelled(cls: type[Any]) -> list[ColumnElement[Any]]:
    shape = shape_of(cls)
    return [c.label(n) for c, n in zip(shape.columns, shape.names, strict=True)]


def _empty_array() -> ColumnElement[Any]:
    return literal_column("'[]'::json")


# ---------------------------------------------------------------------------------------------
# The compiler


@dataclass(frozen=True, slots=True)
class Plan:
    sql: str
    params: dict[str, Any]
    # (SQL parameter, variable, node type): a root node's ID, decoded per execution.
    ids: tuple[tuple[str, str, str], ...]
    # The answer holds JSON scalars: parse it as psycopg parses JSON columns (the standard
    # library keeps integers beyond 64 bits exact; orjson would make them floats).
    exact_numbers: bool = False


class _Compilation:
    """Compiles one operation with one set of variable values."""

    def __init__(
        self,
        schema: strawberry.Schema,
        document: DocumentNode,
        variables: VariableValues,
        bound: dict[str, str | None],
    ) -> None:
        self.schema = schema
        self.graphql: GraphQLSchema = schema._schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables
        self.bound = bound
        self.names = itertools.count()
        self.ids: list[tuple[str, str, str]] = []
        self.json_scalars = False

    def alias(self) -> str:
        return f"n{next(self.names)}"

    def fields(
        self, type_name: str, selection_sets: Iterable[SelectionSetNode | None]
    ) -> dict[str, list[FieldNode]]:
        grouped = collect_fields(self.graphql, self.fragments, type_name, selection_sets)
        for group in grouped.values():
            if any(node.directives for node in group):
                raise Unsupported("directives")
        return grouped

    def arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        return page_args(self.schema, field, node, self.variables)

    def page(self, field: GraphQLField, node: FieldNode) -> PageArgs:
        """A list field's arguments; one that is not a page argument is not understood here."""
        arguments = self.arguments(field, node)
        if any(v is not None for k, v in arguments.items() if k not in PAGE_ARGS):
            raise Unsupported(f"argument of {field}")
        return PageArgs(**{k: arguments.get(k) for k in PAGE_ARGS})

    # -- the operation ------------------------------------------------------------------------

    def operation(self, operation: OperationDefinitionNode) -> Select[Any]:
        query_type = self.graphql.query_type
        assert query_type is not None
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, group in self.fields(query_type.name, [operation.selection_set]).items():
            name = group[0].name.value
            if name == "__typename":
                pairs.append((key, _sql_string(query_type.name)))
                continue
            field = query_type.fields.get(name)
            spec = _root_spec(field) if field is not None else None
            if field is None or spec is None:
                raise Unsupported(f"root field {name}")
            if isinstance(spec, ById):
                pairs.append((key, self.by_id(spec.cls, field, group)))
            elif isinstance(spec, ByViewer):
                pairs.append((key, self.by_viewer(spec.cls, group)))
            else:
                args = self.page(field, group[0])
                pairs.append(
                    (key, self.connection(spec.cls, field, group, args, spec.default_order))
                )
        return select(cast(_json_object(pairs), Text))

    def by_id(self, cls: type[Any] | None, field: GraphQLField, group: list[FieldNode]) -> Any:
        argument = next((a for a in group[0].arguments or () if a.name.value == "id"), None)
        variable = None
        value: Any
        if argument is not None and isinstance(argument.value, VariableNode):
            variable = argument.value.name.value
            value = self.variables.coerced.get(variable)
        else:
            value = self.arguments(field, group[0]).get("id")
        try:
            type_name, pk = from_global_id(value, expected=None if cls is None else cls.__name__)
        except (InvalidId, TypeError, AttributeError) as exc:
            raise Unsupported("invalid id") from exc  # the resolver path reports it
        cls = NODE_TYPES[type_name]
        param = f"id_{next(self.names)}"
        if variable is not None and variable in self.bound:
            # Bound per execution: the plan serves every ID of this type.
            key = bindparam(param, type_=PG_UUID(as_uuid=True), required=False)
            self.ids.append((param, variable, type_name))
        else:
            key = bindparam(param, pk, type_=PG_UUID(as_uuid=True))
        return self.node_where(cls, group, shape_of(cls).model.__table__.c.id == key)

    def by_viewer(self, cls: type[Any], group: list[FieldNode]) -> Any:
        return self.node_where(cls, group, shape_of(cls).model.__table__.c.id == VIEWER_ID)

    def node_where(
        self, cls: type[Any], group: list[FieldNode], condition: ColumnElement[bool]
    ) -> Any:
        """The one visible node of ``cls`` meeting ``condition``, or null."""
        model = shape_of(cls).model
        row = select(*_labelled(cls)).where(model.visible_to(), condition)
        node = row.subquery(self.alias())
        return select(self.node(cls, group, node)).select_from(node).scalar_subquery()

    # -- nodes --------------------------------------------------------------------------------

    def node(self, cls: type[Any], field_nodes: list[FieldNode], row: FromClause) -> Any:
        """The JSON object of one node of ``cls`` whose columns are ``row``'s."""
        type_name = cls.__name__
        object_type = self.graphql.get_type(type_name)
        if not isinstance(object_type, GraphQLObjectType):
            raise Unsupported(type_name)
        shape = shape_of(cls)
        relations = relations_of(cls)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        selected = self.fields(type_name, (n.selection_set for n in field_nodes))
        for key, group in selected.items():
            name = group[0].name.value
            if name == "__typename":
                pairs.append((key, _sql_string(type_name)))
                continue
            if name == "id" and issubclass(cls, Node):
                pairs.append((key, _global_id(type_name, row.c.pk)))
                continue
            field = object_type.fields[name]
            definition = field.extensions.get("strawberry-definition")
            python_name = getattr(definition, "python_name", None)
            relation = relations.get(python_name) if python_name else None
            if isinstance(relation, ToOne):
                pairs.append((key, self.to_one(relation, field, group, row)))
            elif isinstance(relation, ToMany):
                args = self.page(field, group[0])
                target = relation.target()
                pairs.append(
                    (
                        key,
                        self.connection(
                            target, field, group, args, relation.default_order, relation, row
                        ),
                    )
                )
            elif (
                definition is not None
                and definition.base_resolver is None
                and python_name in shape.names
            ):
                column = shape.columns[shape.names.index(python_name)]
                self.json_scalars |= isinstance(column.type, JSONB)
                pairs.append((key, _scalar(field.type, column, row.c[python_name])))
            else:
                raise Unsupported(f"{type_name}.{name}")
        return _json_object(pairs)

    def to_one(
        self, relation: ToOne, field: GraphQLField, group: list[FieldNode], parent: FromClause
    ) -> Any:
        if isinstance(field.type, GraphQLNonNull):
            raise Unsupported("non-null relation")  # a missing row is an error there
        target = relation.target()
        model = shape_of(target).model
        row = select(*_labelled(target)).where(
            model.visible_to(), model.__table__.c.id == parent.c[relation.attribute]
        )
        node = row.correlate(parent).lateral(self.alias())
        return select(self.node(target, group, node)).select_from(node).scalar_subquery()

    # -- connections --------------------------------------------------------------------------

    def connection(
        self,
        cls: type[Any],
        field: GraphQLField,
        group: list[FieldNode],
        args: PageArgs,
        default_order: tuple[OrderTerm, ...],
        relation: ToMany | None = None,
        parent: FromClause | None = None,
    ) -> Any:
        try:
            spec = spec_for(cls, args, default_order)
        except GraphQLError as exc:
            raise Unsupported("page arguments") from exc  # the resolver path reports it
        model = shape_of(cls).model
        clauses = [t.clause() for t in spec.terms]
        rows = select(
            *_labelled(cls),
            *(t.column.label(f"_o{i}") for i, t in enumerate(spec.order)),
            func.row_number().over(order_by=clauses).label("_rn"),
        ).where(model.visible_to())
        count = select(func.count()).select_from(model).where(model.visible_to())
        if relation is not None and parent is not None:
            link = relation.relation
            rows = link.apply(rows).where(link.parent_column == parent.c.pk)
            count = link.apply(count).where(link.parent_column == parent.c.pk)
        if args.filter is not None:
            condition = filter_condition(args.filter)
            rows, count = rows.where(condition), count.where(condition)
        rows = rows.where(spec.keyset()).order_by(*clauses).limit(spec.size + 1)
        page: FromClause
        if parent is not None:
            rows, count = rows.correlate(parent), count.correlate(parent)
            page = rows.lateral(self.alias())
        else:
            page = rows.subquery(self.alias())

        connection_type = get_named_type(field.type)
        assert isinstance(connection_type, GraphQLObjectType)
        in_page = page.c._rn <= spec.size
        output_order = page.c._rn.desc() if spec.backward else page.c._rn
        more = func.count() > spec.size
        cursor_given = true() if spec.cursor is not None else false()

        def agg(value: ColumnElement[Any]) -> ColumnElement[Any]:
            ordered = func.json_agg(aggregate_order_by(value, output_order)).filter(in_page)
            return func.coalesce(ordered, _empty_array())

        def first_cursor(order: Any) -> ColumnElement[Any]:
            return func.array_agg(aggregate_order_by(_cursor(spec, page), order)).filter(in_page)[1]

        pairs: list[tuple[str, ColumnElement[Any]]] = []
        selected = self.fields(connection_type.name, (n.selection_set for n in group))
        for key, fields in selected.items():
            name = fields[0].name.value
            if name == "__typename":
                pairs.append((key, _sql_string(connection_type.name)))
            elif name == "nodes":
                pairs.append((key, agg(self.node(cls, fields, page))))
            elif name == "edges":
                pairs.append((key, agg(self.edge(cls, connection_type, fields, spec, page))))
            elif name == "pageInfo":
                info_type = get_named_type(connection_type.fields[name].type)
                info: list[tuple[str, ColumnElement[Any]]] = []
                selection = self.fields(info_type.name, (f.selection_set for f in fields))
                for info_key, info_fields in selection.items():
                    info_name = info_fields[0].name.value
                    if info_name == "__typename":
                        info.append((info_key, _sql_string(info_type.name)))
                    elif info_name == "hasNextPage":
                        info.append((info_key, cursor_given if spec.backward else more))
                    elif info_name == "hasPreviousPage":
                        info.append((info_key, more if spec.backward else cursor_given))
                    elif info_name == "startCursor":
                        info.append((info_key, first_cursor(output_order)))
                    elif info_name == "endCursor":
                        last = page.c._rn if spec.backward else page.c._rn.desc()
                        info.append((info_key, first_cursor(last)))
                    else:
                        raise Unsupported(f"PageInfo.{info_name}")
                pairs.append((key, _json_object(info)))
            elif name == "totalCount":
                pairs.append((key, count.scalar_subquery()))
            else:
                raise Unsupported(f"{connection_type.name}.{name}")
        answer = select(_json_object(pairs))
        if any(f[0].name.value in ("nodes", "edges", "pageInfo") for f in selected.values()):
            # Aggregates over the page: one row even when the page is empty.
            answer = answer.select_from(page)
        return answer.scalar_subquery()

    def edge(
        self,
        cls: type[Any],
        connection_type: GraphQLObjectType,
        fields: list[FieldNode],
        spec: PageSpec,
        page: FromClause,
    ) -> ColumnElement[Any]:
        edge_type = get_named_type(connection_type.fields["edges"].type)
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, group in self.fields(edge_type.name, (f.selection_set for f in fields)).items():
            name = group[0].name.value
            if name == "__typename":
                pairs.append((key, _sql_string(edge_type.name)))
            elif name == "cursor":
                pairs.append((key, _cursor(spec, page)))
            elif name == "node":
                pairs.append((key, self.node(cls, group, page)))
            else:
                raise Unsupported(f"{edge_type.name}.{name}")
        return _json_object(pairs)


# ---------------------------------------------------------------------------------------------
# Plans, cached


class _IdVariables(Visitor):
    """Counts each variable's uses, and its uses as the `id` of a `ById` root field."""

    def __init__(self, query_type: GraphQLObjectType) -> None:
        super().__init__()
        self.query_type = query_type
        self.uses: dict[str, int] = {}
        self.id_uses: dict[str, int] = {}
        # The node type each such variable must name (None: any, `node(id:)`).
        self.types: dict[str, str | None] = {}
        self.types_seen: dict[str, set[str | None]] = {}
        # @skip/@include (on fields or fragments) or any other directive: not compiled.
        self.directives = False

    def enter_directive(self, *_: Any) -> None:
        self.directives = True

    def enter_variable(self, node: VariableNode, key: Any, parent: Any, *_: Any) -> None:
        name = node.name.value
        if not isinstance(parent, list) and getattr(parent, "kind", None) == "variable_definition":
            return
        self.uses[name] = self.uses.get(name, 0) + 1

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        for selection in node.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            field = self.query_type.fields.get(selection.name.value)
            spec = _root_spec(field) if field is not None else None
            if not isinstance(spec, ById):
                continue
            for argument in selection.arguments or ():
                if argument.name.value == "id" and isinstance(argument.value, VariableNode):
                    name = argument.value.name.value
                    self.id_uses[name] = self.id_uses.get(name, 0) + 1
                    expected = None if spec.cls is None else spec.cls.__name__
                    self.types[name] = expected
                    self.types_seen.setdefault(name, set()).add(expected)


def _size(key: tuple[bytes, str | None, bytes], plan: Plan | None) -> int:
    return 64 + len(key[2]) + (len(plan.sql) if plan is not None else 0)


def _digest(query: str) -> bytes:
    """A document's key in the caches: its hash, not its text (which may be large)."""
    return hashlib.blake2b(query.encode(), digest_size=16).digest()


class QueryCompiler:
    """Plans per (query text, operation, variables), bounded; None marks an unsupported one."""

    schema: strawberry.Schema  # set once the schema that uses this compiler is built

    def __init__(self, *, compile_after: int = 1) -> None:
        """``compile_after``: how many times a (document, operation, variables) must be asked
        before it is compiled; until then the resolvers answer. Compiling costs more than
        one resolver-path answer of a small query (4-12 ms), so a one-off (a page cursor, a
        search string) is cheaper left to the resolvers."""
        self.compile_after = compile_after
        self._plans: OrderedDict[Any, Plan | None] = OrderedDict()
        self._plan_bytes = 0
        self._sightings: OrderedDict[Any, int] = OrderedDict()
        self._bound: dict[tuple[bytes, str | None], dict[str, str | None] | None] = {}

    def _bound_variables(
        self, query: bytes, operation: str | None, document: DocumentNode
    ) -> dict[str, str | None] | None:
        """The variables used only as the `id` of node-by-ID root fields, with the node type
        they must name (None: any, for `node(id:)`). Bound per execution, not compiled in.
        None: the document uses directives, which the compiler leaves to the resolvers."""
        key = (query, operation)
        if key in self._bound:
            return self._bound[key]
        query_type = self.schema._schema.query_type
        assert query_type is not None
        counter = _IdVariables(query_type)
        visit(document, counter)
        found: dict[str, str | None] | None = {
            name: counter.types[name]
            for name, uses in counter.id_uses.items()
            if counter.uses.get(name) == uses and len(counter.types_seen[name]) == 1
        }
        if counter.directives:
            found = None
        if len(self._bound) >= PLAN_CACHE_SIZE:
            self._bound.clear()
        self._bound[key] = found
        return found

    def plan(
        self,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        raw_variables: dict[str, Any] | None,
    ) -> tuple[Plan, dict[str, Any]] | None:
        """The plan and the coerced variables, or None: run the resolver path."""
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation != OperationType.QUERY:
            return None
        coerced = get_variable_values(
            self.schema._schema, operation.variable_definitions or (), raw_variables or {}
        )
        if not isinstance(coerced, VariableValues):
            return None  # the resolver path reports the variables' errors
        digest = _digest(query)
        bound = self._bound_variables(digest, operation_name, document)
        if bound is None:
            return None
        structural = {k: v for k, v in (raw_variables or {}).items() if k not in bound}
        for name, expected in bound.items():
            if name not in coerced.coerced:
                continue  # a variable of another operation in the document
            try:
                value: Any = coerced.coerced.get(name)
                type_name, _ = from_global_id(value, expected=expected)
            except (InvalidId, TypeError, AttributeError):
                return None  # the resolver path reports the bad ID (nothing is cached)
            if expected is None:
                structural[name] = type_name  # `node(id:)`: one plan per node type
        try:
            key = (digest, operation_name, orjson.dumps(structural, option=orjson.OPT_SORT_KEYS))
        except TypeError:
            return None
        plans = self._plans
        if key in plans:
            plans.move_to_end(key)
            plan = plans[key]
        elif not self._due(key):
            return None
        else:
            plan = self._compile(document, operation, coerced, bound)
            plans[key] = plan
            self._plan_bytes += _size(key, plan)
            # Least recently used out first: one-off plans (a page cursor, a search string)
            # must not push out the documents a frontend sends all the time.
            while len(plans) > PLAN_CACHE_SIZE or self._plan_bytes > PLAN_CACHE_BYTES:
                old_key, old_plan = plans.popitem(last=False)
                self._plan_bytes -= _size(old_key, old_plan)
        return None if plan is None else (plan, coerced.coerced)

    def _due(self, key: Any) -> bool:
        """Count a sighting of a key without a plan; True once it is to be compiled."""
        if self.compile_after <= 1:
            return True
        sightings = self._sightings
        seen = sightings.pop(key, 0) + 1
        if seen >= self.compile_after:
            return True
        sightings[key] = seen
        if len(sightings) > PLAN_CACHE_SIZE:
            sightings.popitem(last=False)
        return False

    def _compile(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: VariableValues,
        bound: dict[str, str | None],
    ) -> Plan | None:
        compilation = _Compilation(self.schema, document, variables, bound)
        try:
            statement = compilation.operation(operation)
        except (Unsupported, GraphQLError) as exc:  # the resolver path answers (or refuses)
            log.debug("not compiled: %s", exc)
            return None
        except Exception:
            log.exception("compiling a query failed; answering through the resolvers")
            return None
        sql, params = Reader.compile(statement)
        return Plan(sql, params, tuple(compilation.ids), compilation.json_scalars)


async def run_plan(
    reader: Reader, plan: Plan, variables: dict[str, Any], viewer_params: dict[str, Any]
) -> dict[str, Any] | None:
    """The operation's `data`, or None when an ID variable needs the resolver path's error."""
    params = {**plan.params, **viewer_params}
    for param, variable, type_name in plan.ids:
        value: Any = variables.get(variable)
        try:
            params[param] = decode_id(value, type_name)
        except (InvalidId, TypeError, AttributeError):
            return None
    rows = await reader.execute(plan.sql, params)
    text: str = rows[0][0]
    if NULL_VIOLATION in text:
        return None  # a null where GraphQL allows none: the resolvers report the error
    data: dict[str, Any] = json.loads(text) if plan.exact_numbers else orjson.loads(text)
    return data


class CompiledQueries(SchemaExtension):
    """Answers compilable queries with one statement (see the module's docstring)."""

    def __init__(self, compiler: QueryCompiler) -> None:
        self.compiler = compiler

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context = ctx.context
        if ctx.result is None and ctx.graphql_document is not None and hasattr(context, "db"):
            found = self.compiler.plan(
                ctx.query or "", ctx.graphql_document, ctx.operation_name, ctx.variables
            )
            if found is not None:
                plan, variables = found
                try:
                    data = await run_plan(
                        context.db.reader, plan, variables, context.viewer.params(raw=True)
                    )
                except Exception:  # a compiler bug must not cost the client its answer
                    log.exception("compiled query failed; answering through the resolvers")
                    data = None
                if data is not None:
                    ctx.result = GraphQLExecutionResult(data=data, errors=None)
        yield
