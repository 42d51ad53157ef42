"""Reading a query's selection: the fields selected on a type (through fragments, @skip and
@include), a field's arguments as its resolver receives them, and the field nodes that select a
connection's nodes. Both execution paths read selections through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

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
from strawberry.types.arguments import convert_arguments

SKIP_INCLUDE = frozenset({GraphQLSkipDirective.name, GraphQLIncludeDirective.name})


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


def _matches(schema: GraphQLSchema, condition: str, type_name: str) -> bool:
    if condition == type_name:
        return True
    object_type = schema.get_type(type_name)
    return isinstance(object_type, GraphQLObjectType) and any(
        i.name == condition for i in object_type.interfaces
    )


def field_arguments(
    schema: Any, field: GraphQLField, node: FieldNode, variables: Any
) -> dict[str, Any]:
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


@dataclass(frozen=True, slots=True)
class Selection:
    """One operation's selection as the resolver path reads it: the schema, the document's
    fragments and the coerced variables."""

    schema: Any  # the Strawberry schema (argument conversion needs its scalar registry)
    fragments: dict[str, FragmentDefinitionNode]
    variables: Any

    @classmethod
    def of(cls, info: Any) -> Selection:
        raw = info._raw_info
        return cls(info.schema, raw.fragments, raw.variable_values)

    @property
    def graphql(self) -> GraphQLSchema:
        return cast(GraphQLSchema, self.schema._schema)

    def fields(
        self, type_name: str, selection_sets: Iterable[SelectionSetNode | None]
    ) -> dict[str, list[FieldNode]]:
        return collect_fields(
            self.graphql, self.fragments, type_name, selection_sets, self.variables
        )

    def arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        return field_arguments(self.schema, field, node, self.variables)

    def object_type(self, type_name: str) -> GraphQLObjectType:
        return cast(GraphQLObjectType, self.graphql.get_type(type_name))

    def node_fields(
        self, connection_type: str, connection_nodes: list[FieldNode]
    ) -> list[FieldNode]:
        """The field nodes that select the nodes of a connection: `nodes` and `edges { node }`."""
        fields = self.fields(connection_type, (n.selection_set for n in connection_nodes))
        node_fields: list[FieldNode] = []
        for group in fields.values():
            for field in group:
                if field.name.value == "nodes":
                    node_fields.append(field)
                elif field.name.value == "edges":
                    edges_field = self.object_type(connection_type).fields["edges"]
                    edge_type = get_named_type(edges_field.type).name
                    edges = self.fields(edge_type, [field.selection_set])
                    node_fields.extend(
                        f for g in edges.values() for f in g if f.name.value == "node"
                    )
        return node_fields
