"""The compiler: one GraphQL operation (with its variables) into one SELECT building its JSON
answer. Root fields and relations say what they read through the field factories that built
them (graph.kernel.relations); node types through their columns; anything else is
`Unsupported`."""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import VariableValues
from graphql.language import DocumentNode, FragmentDefinitionNode
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    Text,
    bindparam,
    cast,
    false,
    func,
    null,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from graph.compiled.sql import (
    Unsupported,
    cursor,
    empty_array,
    global_id,
    json_object,
    labelled,
    scalar,
    sql_string,
)
from graph.kernel import search
from graph.kernel.ids import NODE_TYPES, InvalidId, from_global_id
from graph.kernel.paging import PAGE_ARGS, PageArgs, spec_for
from graph.kernel.relations import (
    ById,
    ByIds,
    ByViewer,
    ToMany,
    ToOne,
    relations_of,
    root_spec,
)
from graph.kernel.relay import Node
from graph.kernel.selection import SKIP_INCLUDE, collect_fields, field_arguments
from loaders.base import shape_of, visible_count, visible_select
from loaders.paging import OrderTerm, PageSpec, decode_cursor, keyset_after, numbered, ordered_page
from models.base import VIEWER_ID

# What `Bindings.ids` holds for a variable bound as the `ids` of `nodes(ids:)`.
ID_LIST = "[ID]"


# Page arguments whose variables are bound per request: one plan serves every page (and,
# for `search`, every search text).
PAGE_VARIABLE_KINDS = {
    "first": "size",
    "last": "size",
    "after": "cursor",
    "before": "cursor",
    "search": "search",
}


@dataclass(frozen=True, slots=True)
class Bindings:
    """The variables a plan takes per execution instead of compiling them in."""

    # variable -> the node type its global ID must name (None: any), for node-by-ID roots;
    # ID_LIST: a list of IDs of any types, for `nodes(ids:)`
    ids: dict[str, str | None]
    # variable -> "size" (`first`/`last`) or "cursor" (`after`/`before`)
    pages: dict[str, str]

    @property
    def names(self) -> set[str]:
        return set(self.ids) | set(self.pages)


class Compilation:
    """Compiles one operation with one set of variable values."""

    def __init__(
        self,
        schema: strawberry.Schema,
        document: DocumentNode,
        variables: VariableValues,
        bound: Bindings,
    ) -> None:
        self.schema = schema
        self.graphql: GraphQLSchema = schema._schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables
        self.bound = bound
        self.names = itertools.count()
        # (SQL parameter, variable, node type, index in the variable's list or None)
        self.ids: list[tuple[str, str, str, int | None]] = []
        self.json_scalars = False
        self.sizes: list[tuple[str, str, str]] = []
        self.cursors: list[tuple[str, tuple[OrderTerm, ...], tuple[str | None, ...]]] = []
        # (SQL parameter, variable): a search text bound per execution
        self.searches: list[tuple[str, str]] = []

    def alias(self) -> str:
        return f"n{next(self.names)}"

    def fields(
        self, type_name: str, selection_sets: Iterable[SelectionSetNode | None]
    ) -> dict[str, list[FieldNode]]:
        grouped = collect_fields(
            self.graphql, self.fragments, type_name, selection_sets, self.variables
        )
        for group in grouped.values():
            if any(d.name.value not in SKIP_INCLUDE for n in group for d in n.directives or ()):
                raise Unsupported("directives")
        return grouped

    def arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        return field_arguments(self.schema, field, node, self.variables)

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
                pairs.append((key, sql_string(query_type.name)))
                continue
            field = query_type.fields.get(name)
            spec = root_spec(field) if field is not None else None
            if field is None or spec is None:
                raise Unsupported(f"root field {name}")
            if isinstance(spec, ById):
                pairs.append((key, self.by_id(spec.cls, field, group)))
            elif isinstance(spec, ByIds):
                pairs.append((key, self.by_ids(spec, field, group)))
            elif isinstance(spec, ByViewer):
                pairs.append((key, self.by_viewer(spec.cls, group)))
            else:
                args = self.page(field, group[0])
                pairs.append(
                    (key, self.connection(spec.cls, field, group, args, spec.default_order))
                )
        return select(cast(json_object(pairs), Text))

    def by_id(self, cls: type[Any] | None, field: GraphQLField, group: list[FieldNode]) -> Any:
        variable, value = self.id_argument(field, group, "id")
        type_name, pk = _decode_id(value, None if cls is None else cls.__name__)
        return self.node_by_id(group, type_name, pk, variable, None)

    def by_ids(self, spec: ByIds, field: GraphQLField, group: list[FieldNode]) -> Any:
        variable, values = self.id_argument(field, group, "ids")
        if not isinstance(values, list) or len(values) > spec.max_ids:
            raise Unsupported("ids")  # the resolver path reports it
        nodes = [
            self.node_by_id(group, *_decode_id(value, None), variable, index)
            for index, value in enumerate(values)
        ]
        return func.json_build_array(*nodes)

    def id_argument(
        self, field: GraphQLField, group: list[FieldNode], name: str
    ) -> tuple[str | None, Any]:
        """The value of a root field's ID argument, and the variable it comes from when that
        variable is bound per execution (else None: the value is compiled in)."""
        argument = next((a for a in group[0].arguments or () if a.name.value == name), None)
        if argument is not None and isinstance(argument.value, VariableNode):
            variable = argument.value.name.value
            bound = variable if variable in self.bound.ids else None
            return bound, self.variables.coerced.get(variable)
        return None, self.arguments(field, group[0]).get(name)

    def node_by_id(
        self,
        group: list[FieldNode],
        type_name: str,
        pk: uuid.UUID,
        variable: str | None,
        index: int | None,
    ) -> Any:
        """The visible node of that type and primary key, or null; with ``variable``, the key
        is bound per execution from the variable (its ``index``-th item, for a list), so the
        plan serves every ID of this type."""
        cls = NODE_TYPES[type_name]
        param = f"id_{next(self.names)}"
        if variable is not None:
            key = bindparam(param, type_=PG_UUID(as_uuid=True), required=False)
            self.ids.append((param, variable, type_name, index))
        else:
            key = bindparam(param, pk, type_=PG_UUID(as_uuid=True))
        return self.node_where(cls, group, shape_of(cls).model.__table__.c.id == key)

    def by_viewer(self, cls: type[Any], group: list[FieldNode]) -> Any:
        return self.node_where(cls, group, shape_of(cls).model.__table__.c.id == VIEWER_ID)

    def node_where(
        self, cls: type[Any], group: list[FieldNode], condition: ColumnElement[bool]
    ) -> Any:
        """The one visible node of ``cls`` meeting ``condition``, or null."""
        row = visible_select(cls, *labelled(cls)).where(condition)
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
                pairs.append((key, sql_string(type_name)))
                continue
            if name == "id" and issubclass(cls, Node):
                pairs.append((key, global_id(type_name, row.c.pk)))
                continue
            field = object_type.fields[name]
            definition = field.extensions.get("strawberry-definition")
            python_name = getattr(definition, "python_name", None)
            relation = relations.get(python_name) if python_name else None
            if isinstance(relation, ToOne):
                pairs.append((key, self.to_one(relation, field, group, row)))
            elif isinstance(relation, ToMany):
                args = self.page(field, group[0])
                target = relation.target
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
                pairs.append((key, scalar(field.type, column, row.c[python_name])))
            else:
                raise Unsupported(f"{type_name}.{name}")
        return json_object(pairs)

    def to_one(
        self, relation: ToOne, field: GraphQLField, group: list[FieldNode], parent: FromClause
    ) -> Any:
        if isinstance(field.type, GraphQLNonNull):
            raise Unsupported("non-null relation")  # a missing row is an error there
        target = relation.target
        model = shape_of(target).model
        row = visible_select(target, *labelled(target)).where(
            (model.__table__.c.id if relation.key is None else relation.key)
            == parent.c[relation.attribute]
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
            text = search.search_text(args.search)
        except GraphQLError as exc:
            raise Unsupported("page arguments") from exc  # the resolver path reports it
        archived = bool(args.include_archived)
        page_variables = self.page_variables(group[0])
        model = shape_of(cls).model
        value = None if text is None else self.search_value(model, spec, text, page_variables)
        if isinstance(value, tuple):
            spec, value = value
        extras = search.edge_columns(model, value)
        rows = visible_select(
            cls,
            *labelled(cls),
            *(t.column.label(f"_o{i}") for i, t in enumerate(spec.order)),
            *extras,
            numbered(spec).label("_rn"),
            include_archived=archived,
        )
        count = visible_count(cls, include_archived=archived)
        if relation is not None and parent is not None:
            link = relation.relation
            rows = link.apply(rows).where(link.parent_column == parent.c.pk)
            count = link.apply(count).where(link.parent_column == parent.c.pk)
        condition = search.where_of(model, args.filter, value)
        if condition is not None:
            rows, count = rows.where(condition), count.where(condition)
        size, plus_one = self.page_size(spec, page_variables)
        rows = ordered_page(rows, spec, keyset=self.keyset(spec, page_variables), limit=plus_one)
        page: FromClause
        if parent is not None:
            rows, count = rows.correlate(parent), count.correlate(parent)
            page = rows.lateral(self.alias())
        else:
            page = rows.subquery(self.alias())

        connection_type = get_named_type(field.type)
        assert isinstance(connection_type, GraphQLObjectType)
        in_page = page.c._rn <= size
        output_order = page.c._rn.desc() if spec.backward else page.c._rn
        more = func.count() > size
        cursor_given = true() if spec.cursor is not None else false()

        def agg(value: ColumnElement[Any]) -> ColumnElement[Any]:
            ordered = func.json_agg(aggregate_order_by(value, output_order)).filter(in_page)
            return func.coalesce(ordered, empty_array())

        def first_cursor(order: Any) -> ColumnElement[Any]:
            return func.array_agg(aggregate_order_by(cursor(spec, page), order)).filter(in_page)[1]

        pairs: list[tuple[str, ColumnElement[Any]]] = []
        selected = self.fields(connection_type.name, (n.selection_set for n in group))
        for key, fields in selected.items():
            name = fields[0].name.value
            if name == "__typename":
                pairs.append((key, sql_string(connection_type.name)))
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
                        info.append((info_key, sql_string(info_type.name)))
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
                pairs.append((key, json_object(info)))
            elif name == "totalCount":
                pairs.append((key, count.scalar_subquery()))
            elif name in ("aggregate", "facets"):
                # Left to the resolvers (bench/README.md, "Search and aggregates"): their
                # statements are database-bound (an aggregate over 150,000 rows: ~200 ms in
                # PostgreSQL), so one statement instead of one per aggregate saves little.
                raise Unsupported(f"{connection_type.name}.{name}")
            else:
                raise Unsupported(f"{connection_type.name}.{name}")
        answer = select(json_object(pairs))
        if any(f[0].name.value in ("nodes", "edges", "pageInfo") for f in selected.values()):
            # Aggregates over the page: one row even when the page is empty.
            answer = answer.select_from(page)
        return answer.scalar_subquery()

    def search_value(
        self, model: Any, spec: PageSpec, text: str, variables: dict[str, str]
    ) -> str | tuple[PageSpec, Any]:
        """The search text, or, when a variable gives it, a parameter bound per execution
        with the page spec whose relevance order reads that parameter."""
        variable = variables.get("search")
        if variable is None:
            return text
        name = f"search_{next(self.names)}"
        self.searches.append((name, variable))
        value = bindparam(name, text, type_=Text)
        relevance: Any = search.relevance(model, value)
        terms = tuple(
            OrderTerm(relevance, t.descending, t.nulls_first) if t.column.key == "relevance" else t
            for t in spec.order
        )
        return dataclasses.replace(spec, order=terms), value

    def page_variables(self, node: FieldNode) -> dict[str, str]:
        """The field's page arguments given by variables bound per execution: {kind: name}."""
        found: dict[str, str] = {}
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, VariableNode) and argument.name.value in PAGE_VARIABLE_KINDS:
                kind = self.bound.pages.get(value.name.value)
                if kind is not None:
                    found[kind] = value.name.value
        return found

    def page_size(self, spec: PageSpec, variables: dict[str, str]) -> tuple[Any, Any]:
        """The page size and size + 1 (the LIMIT), as parameters bound per execution when a
        variable gives them."""
        variable = variables.get("size")
        if variable is None:
            return spec.size, spec.size + 1
        n = next(self.names)
        size, plus_one = f"size_{n}", f"limit_{n}"
        self.sizes.append((size, plus_one, variable))
        return bindparam(size, spec.size, type_=Integer), bindparam(
            plus_one, spec.size + 1, type_=Integer
        )

    def keyset(self, spec: PageSpec, variables: dict[str, str]) -> ColumnElement[bool]:
        """Rows after the cursor; its values as parameters bound per execution when a variable
        gives the cursor (which of them are null is part of the plan's key)."""
        variable = variables.get("cursor")
        if variable is None or spec.cursor is None:
            return spec.keyset()
        n = next(self.names)
        values = decode_cursor(spec.cursor, spec.order)
        names = tuple(None if v is None else f"cursor_{n}_{i}" for i, v in enumerate(values))
        self.cursors.append((variable, spec.order, names))
        bound = [
            None if name is None else bindparam(name, value, type_=_column_type(term))
            for name, value, term in zip(names, values, spec.order, strict=True)
        ]
        return keyset_after(spec.terms, bound)

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
                pairs.append((key, sql_string(edge_type.name)))
            elif name == "cursor":
                pairs.append((key, cursor(spec, page)))
            elif name == "node":
                pairs.append((key, self.node(cls, group, page)))
            elif name in ("score", "snippet"):
                column = f"_{name}"
                pairs.append((key, page.c[column] if column in page.c else null()))
            else:
                raise Unsupported(f"{edge_type.name}.{name}")
        return json_object(pairs)


def _decode_id(value: Any, expected: str | None) -> tuple[str, uuid.UUID]:
    """A global ID's node type and primary key; one the resolver path would refuse is
    `Unsupported` (the resolvers report it)."""
    try:
        return from_global_id(value, expected=expected)
    except (InvalidId, TypeError, AttributeError) as exc:
        raise Unsupported("invalid id") from exc


def _column_type(term: OrderTerm) -> Any:
    return getattr(term.column, "expression", term.column).type
