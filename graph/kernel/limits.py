"""Query limits: refuse hostile documents before any resolver runs.

- Tokens (`TokenLimit`): counted by graphql-core's lexer before parsing.
- Operations, depth, aliases and directives (`limit_rules`): validation rules; fragment
  spreads are expanded, so a fragment's aliases count once per spread.
- Cost (`CostLimit`): a static estimate from the document and its real `first`/`last`
  arguments (variables resolved), checked just before execution and reported in every
  response's `extensions.cost`.

Every refusal is a GraphQL error with `extensions.code`; the settings (graph/settings.py)
give the limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.language import Lexer, Source, TokenKind
from graphql.validation import ASTValidationRule
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from graph.observe.record import record
from graph.settings import Settings

# ---------------------------------------------------------------------------------------------
# Tokens


@lru_cache(maxsize=1024)
def _too_many_tokens(query: str, limit: int) -> bool:
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > limit:
                return True
    except GraphQLError:
        return False  # a syntax error: the parser reports it
    return False


class TokenLimit(SchemaExtension):
    """Refuse documents of more than `limit` tokens, before they are parsed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query and _too_many_tokens(query, self.limit):
            raise GraphQLError(
                f"The document has more than {self.limit} tokens.",
                extensions={"code": "TOKEN_LIMIT_EXCEEDED", "limit": self.limit},
            )
        yield


# ---------------------------------------------------------------------------------------------
# Operations, depth, aliases, directives


@dataclass(slots=True)
class _Stats:
    depth: int = 0
    aliases: int = 0
    directives: int = 0


def _selection_stats(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    memo: dict[str, _Stats],
    visiting: frozenset[str],
) -> _Stats:
    """Depth (in fields), aliases and directives under a selection set, spreads expanded."""
    stats = _Stats()
    if selection_set is None:
        return stats
    for selection in selection_set.selections:
        stats.directives += len(selection.directives or ())
        if isinstance(selection, FieldNode):
            inner = _selection_stats(selection.selection_set, fragments, memo, visiting)
            # Introspection's `ofType` chain (GraphiQL nests it 8 deep) is linear: free.
            step = 0 if selection.name.value == "ofType" else 1
            stats.depth = max(stats.depth, step + inner.depth)
            stats.aliases += inner.aliases + (1 if selection.alias else 0)
            stats.directives += inner.directives
        elif isinstance(selection, InlineFragmentNode):
            inner = _selection_stats(selection.selection_set, fragments, memo, visiting)
            stats.depth = max(stats.depth, inner.depth)
            stats.aliases += inner.aliases
            stats.directives += inner.directives
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in visiting:
                continue  # unknown or cyclic: graphql-core's own rules report it
            if name not in memo:
                inner = _selection_stats(fragment.selection_set, fragments, memo, visiting | {name})
                inner.directives += len(fragment.directives or ())
                memo[name] = inner
            inner = memo[name]
            stats.depth = max(stats.depth, inner.depth)
            stats.aliases += inner.aliases
            stats.directives += inner.directives
    return stats


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """Validation rules enforcing the operation, depth, alias and directive limits."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > settings.max_operations:
                context.report_error(
                    _limit_error(
                        "OPERATION_LIMIT_EXCEEDED",
                        f"The document has {len(operations)} operations; "
                        f"at most {settings.max_operations} are allowed.",
                        settings.max_operations,
                    )
                )
                return
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            memo: dict[str, _Stats] = {}
            for operation in operations:
                stats = _selection_stats(operation.selection_set, fragments, memo, frozenset())
                stats.directives += len(operation.directives or ())
                label = f"Operation '{operation.name.value}'" if operation.name else "The operation"
                if stats.depth > settings.max_depth:
                    context.report_error(
                        _limit_error(
                            "DEPTH_LIMIT_EXCEEDED",
                            f"{label} is nested {stats.depth} fields deep; "
                            f"at most {settings.max_depth} are allowed.",
                            settings.max_depth,
                        )
                    )
                if stats.aliases > settings.max_aliases:
                    context.report_error(
                        _limit_error(
                            "ALIAS_LIMIT_EXCEEDED",
                            f"{label} has {stats.aliases} aliases (fragments expanded); "
                            f"at most {settings.max_aliases} are allowed.",
                            settings.max_aliases,
                        )
                    )
                if stats.directives > settings.max_directives:
                    context.report_error(
                        _limit_error(
                            "DIRECTIVE_LIMIT_EXCEEDED",
                            f"{label} has {stats.directives} directives (fragments expanded); "
                            f"at most {settings.max_directives} are allowed.",
                            settings.max_directives,
                        )
                    )

    return [DocumentLimits]


def _limit_error(code: str, message: str, limit: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "limit": limit})


# ---------------------------------------------------------------------------------------------
# Cost

COST_HEADER = "X-Trellis-Cost"


def cost_header(requested: int, limit: int) -> str:
    """The `X-Trellis-Cost` header's value."""
    return f"requested={requested}; limit={limit}"


# Lists that are not pages (no first/last), e.g. `nodes(ids:)` or `Role.permissions`: their
# length when an argument gives it, otherwise this factor.
DEFAULT_LIST_FACTOR = 20


@dataclass(frozen=True, slots=True)
class CostModel:
    default_page_size: int
    max_page_size: int

    def operation_cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        operation = _find_operation(document, operation_name)
        if operation is None:
            return 0
        root = schema.get_root_type(operation.operation)
        if root is None:
            return 0
        values = dict(variables or {})
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in values and definition.default_value is not None:
                values[name] = value_from_ast_untyped(definition.default_value)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        walker = _CostWalker(self, schema, fragments, values)
        return walker.selection(root, operation.selection_set, None, frozenset())

    def page_size(self, first: Any, last: Any) -> int:
        # Raw JSON variables: GraphQL's Int takes 100.0 as 100, and so must the cost.
        sizes = [
            int(v)
            for v in (first, last)
            if (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ]
        if not sizes:
            return self.default_page_size
        return max(0, min(max(sizes), self.max_page_size))


@dataclass(frozen=True, slots=True)
class _CostWalker:
    model: CostModel
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]

    def selection(
        self,
        parent: Any,
        selection_set: SelectionSetNode | None,
        page: int | None,
        visiting: frozenset[str],
    ) -> int:
        """The cost of a selection set on `parent`; `page` is the page size when `parent` is
        a connection (its list fields hold one page)."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, page, visiting)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value) or parent
                total += self.selection(target, selection.selection_set, page, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in visiting:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selection(target, fragment.selection_set, page, visiting | {name})
        return total

    def field(
        self, parent: Any, node: FieldNode, page: int | None, visiting: frozenset[str]
    ) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0  # unions have only __typename; unknown types are validation's business
        field = parent.fields.get(node.name.value)
        if field is None:
            return 0
        named = get_named_type(field.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0  # scalars and enums are free
        args = _arguments(node, self.variables)
        if "first" in field.args or "last" in field.args:
            size = self.model.page_size(args.get("first"), args.get("last"))
            if _is_list(field.type):
                # A page as a plain list (an aggregate's groups): each item costs.
                return size * (1 + self.selection(named, node.selection_set, None, visiting))
            # A connection: its list fields (nodes, edges) hold one page.
            return 1 + self.selection(named, node.selection_set, size, visiting)
        children = self.selection(named, node.selection_set, None, visiting)
        if _is_list(field.type):
            factor = page if page is not None else _list_factor(args)
            return factor * (1 + children)
        return 1 + children


def _list_factor(args: Mapping[str, Any]) -> int:
    lengths = [len(v) for v in args.values() if isinstance(v, list)]
    return max(lengths) if lengths else DEFAULT_LIST_FACTOR


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _arguments(node: FieldNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for argument in node.arguments or ():
        value = argument.value
        if isinstance(value, VariableNode):
            args[argument.name.value] = variables.get(value.name.value)
        elif isinstance(value, ListValueNode):
            args[argument.name.value] = list(value.values)
        else:
            try:
                args[argument.name.value] = value_from_ast_untyped(value, dict(variables))
            except Exception:  # a malformed value costs nothing here
                args[argument.name.value] = None
    return args


def _find_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    for operation in operations:
        if operation.name and operation.name.value == operation_name:
            return operation
    return None


class CostLimit(SchemaExtension):
    """Compute each operation's cost before execution; refuse it over the budget.

    Every HTTP response carries the cost in an `X-Trellis-Cost: requested=N; limit=L`
    header; the body's `extensions.cost = {"requested": N, "limit": L}` comes with every
    refusal, and with any response whose request asked for it (`"extensions": {"cost":
    true}` beside the query).
    """

    def __init__(self, model: CostModel, limit: int) -> None:
        self.model = model
        self.limit = limit
        self.requested: int | None = None

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None:
            self.requested = self.model.operation_cost(
                ctx.schema._schema, document, ctx.operation_name, ctx.variables
            )
            observed = record()
            if observed is not None:
                observed.cost = self.requested
            response = getattr(ctx.context, "response", None)
            if isinstance(response, Response):  # not over WebSockets
                response.headers[COST_HEADER] = cost_header(self.requested, self.limit)
            if self.requested > self.limit:
                ctx.result = GraphQLExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"The query costs {self.requested}, over the limit of "
                            f"{self.limit}. Ask for fewer items (first/last) or fewer "
                            "nested lists.",
                            extensions={
                                "code": "COST_LIMIT_EXCEEDED",
                                "cost": self.requested,
                                "limit": self.limit,
                            },
                        )
                    ],
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.requested is None:
            return {}
        asked = (self.execution_context.operation_extensions or {}).get("cost")
        if self.requested <= self.limit and not asked:
            return {}
        return {"cost": {"requested": self.requested, "limit": self.limit}}


# ---------------------------------------------------------------------------------------------
# Production: no "Did you mean ...?" hints

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class HideSuggestions(SchemaExtension):
    """Strip graphql-core's "Did you mean ...?" hints (they leak the schema)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or ():
            error.message = _SUGGESTION.sub("", error.message)
