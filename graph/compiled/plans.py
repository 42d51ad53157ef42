"""Compiled plans: cached per document, operation and variables, run as one statement, and
the schema extension that answers compilable queries with them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import DocumentNode, Visitor, visit
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from graph.compiled.compiler import ID_LIST, PAGE_VARIABLE_KINDS, Bindings, Compilation
from graph.compiled.sql import NULL_VIOLATION, Unsupported
from graph.kernel.ids import InvalidId, decode_id, from_global_id
from graph.kernel.relations import ById, ByIds, root_spec
from graph.kernel.search import MAX_SEARCH_LENGTH
from graph.kernel.selection import SKIP_INCLUDE
from graph.observe.metrics import PLAN_CACHE
from graph.observe.record import COMPILED, set_path
from loaders.paging import InvalidCursor, OrderTerm, decode_cursor
from loaders.reader import Reader

log = logging.getLogger("trellis.compiled")
PLAN_CACHE_HIT = PLAN_CACHE.labels("hit")
PLAN_CACHE_MISS = PLAN_CACHE.labels("miss")

# Distinct (document, operation, variables) plans kept per process, and their total size.
PLAN_CACHE_SIZE = 2048
PLAN_CACHE_BYTES = 32 << 20
# A longer `nodes(ids:)` list is left to the resolvers (which refuse more than 100) rather
# than keyed by its types.
MAX_BOUND_IDS = 100


@dataclass(frozen=True, slots=True)
class Plan:
    sql: str
    params: dict[str, Any]
    # (SQL parameter, variable, node type, index in the variable's list or None): a root
    # node's ID, decoded per execution.
    ids: tuple[tuple[str, str, str, int | None], ...]
    # The answer holds JSON scalars: parse it as psycopg parses JSON columns (the standard
    # library keeps integers beyond 64 bits exact; orjson would make them floats).
    exact_numbers: bool = False
    # (size parameter, size + 1 parameter, variable): a page size bound per execution.
    sizes: tuple[tuple[str, str, str], ...] = ()
    # (variable, ordering, parameter per ordering value or None for a null): a cursor.
    cursors: tuple[tuple[str, tuple[OrderTerm, ...], tuple[str | None, ...]], ...] = ()
    # (SQL parameter, variable): a search text bound per execution.
    searches: tuple[tuple[str, str], ...] = ()


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
        # Uses as a page size (`first`/`last`) or a cursor (`after`/`before`).
        self.page_uses: dict[str, dict[str, int]] = {}
        # A directive other than @skip/@include (whose `if` values are part of the plan's
        # key, like any variable that is not bound): not compiled.
        self.directives = False

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        kind = PAGE_VARIABLE_KINDS.get(node.name.value)
        if kind is not None and isinstance(node.value, VariableNode):
            uses = self.page_uses.setdefault(node.value.name.value, {})
            uses[kind] = uses.get(kind, 0) + 1

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        if node.name.value not in SKIP_INCLUDE:  # @skip/@include: evaluated when compiling
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
            spec = root_spec(field) if field is not None else None
            if isinstance(spec, ById):
                argument_name = "id"
                expected = None if spec.cls is None else spec.cls.__name__
            elif isinstance(spec, ByIds):
                argument_name, expected = "ids", ID_LIST
            else:
                continue
            for argument in selection.arguments or ():
                if argument.name.value == argument_name and isinstance(
                    argument.value, VariableNode
                ):
                    name = argument.value.name.value
                    self.id_uses[name] = self.id_uses.get(name, 0) + 1
                    self.types[name] = expected
                    self.types_seen.setdefault(name, set()).add(expected)


def _cursor_pattern(value: Any) -> tuple[str, tuple[bool, ...]]:
    """What a cursor's plan depends on: its ordering and which of its values are null (a null
    changes the keyset condition's shape). ValueError when it is no cursor of ours."""
    try:
        padded = value + "=" * (-len(value) % 4)
        signature, values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        return str(signature), tuple(v is None for v in values)
    except (TypeError, ValueError, binascii.Error) as exc:
        raise ValueError("not a cursor") from exc


def _size(key: tuple[bytes, str | None, bytes], plan: Plan | None) -> int:
    return 64 + len(key[2]) + (len(plan.sql) if plan is not None else 0)


def _digest(query: str) -> bytes:
    """A document's key in the caches: its hash, not its text (which may be large)."""
    return hashlib.blake2b(query.encode(), digest_size=16).digest()


class QueryCompiler:
    """Plans per (query text, operation, variables), bounded; None marks an unsupported one."""

    schema: strawberry.Schema  # set once the schema that uses this compiler is built

    def __init__(self, *, compile_after: int = 1, max_page_size: int = 100) -> None:
        """``compile_after``: how many times a (document, operation, variables) must be asked
        before it is compiled; until then the resolvers answer. Compiling costs more than
        one resolver-path answer of a small query (4-12 ms), so a one-off (a search string,
        a filter value) is cheaper left to the resolvers."""
        self.compile_after = compile_after
        self.max_page_size = max_page_size
        self._plans: OrderedDict[Any, Plan | None] = OrderedDict()
        self._plan_bytes = 0
        self._sightings: OrderedDict[Any, int] = OrderedDict()
        self._bound: dict[tuple[bytes, str | None], Bindings | None] = {}
        # Documents answered by a plan after Strawberry parsed and validated them, by (hash,
        # operation): the HTTP fast lane (`graph.server.lane`) answers them again unparsed.
        self._answered: dict[tuple[bytes, str | None], DocumentNode] = {}

    def answered(self, query: str, operation: str | None, document: DocumentNode) -> None:
        """Note that ``document`` (``query`` parsed, valid against the schema and within
        the document limits) was answered by a plan."""
        key = (_digest(query), operation)
        if key not in self._answered:
            if len(self._answered) >= PLAN_CACHE_SIZE:
                self._answered.clear()
            self._answered[key] = document

    def answered_document(self, query: str, operation: str | None) -> DocumentNode | None:
        """The document of ``query`` if a plan answered it before (so it is valid), else
        None."""
        return self._answered.get((_digest(query), operation))

    def _bound_variables(
        self, query: bytes, operation: str | None, document: DocumentNode
    ) -> Bindings | None:
        """The variables bound per execution rather than compiled in: those used only as the
        `id` of node-by-ID root fields (with the node type they must name; None: any, for
        `node(id:)`), and those used only as page sizes or only as cursors.
        None: the document uses a directive other than @skip/@include, which the compiler
        leaves to the resolvers."""
        key = (query, operation)
        if key in self._bound:
            return self._bound[key]
        query_type = self.schema._schema.query_type
        assert query_type is not None
        counter = _IdVariables(query_type)
        visit(document, counter)
        ids = {
            name: counter.types[name]
            for name, uses in counter.id_uses.items()
            if counter.uses.get(name) == uses and len(counter.types_seen[name]) == 1
        }
        pages = {
            name: kind
            for name, kinds in counter.page_uses.items()
            for kind, uses in kinds.items()
            if len(kinds) == 1 and counter.uses.get(name) == uses
        }
        found = None if counter.directives else Bindings(ids, pages)
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
        *,
        cached_only: bool = False,
    ) -> tuple[Plan, dict[str, Any]] | None:
        """The plan and the coerced variables, or None: run the resolver path.

        ``cached_only``: only a plan already made (the request is not counted as a sighting)."""
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
        structural: dict[str, Any] = {
            k: v for k, v in (raw_variables or {}).items() if k not in bound.names
        }
        for name, expected in bound.ids.items():
            if name not in coerced.coerced:
                continue  # a variable of another operation in the document
            value: Any = coerced.coerced.get(name)
            try:
                if expected == ID_LIST:  # `nodes(ids:)`: one plan per sequence of node types
                    if not isinstance(value, list) or len(value) > MAX_BOUND_IDS:
                        return None
                    structural[name] = [from_global_id(v)[0] for v in value]
                    continue
                type_name, _ = from_global_id(value, expected=expected)
            except (InvalidId, TypeError, AttributeError):
                return None  # the resolver path reports the bad ID (nothing is cached)
            if expected is None:
                structural[name] = type_name  # `node(id:)`: one plan per node type
        pages_given = False
        for name, kind in bound.pages.items():
            value = coerced.coerced.get(name)
            if value is None:
                structural[name] = None
                continue
            if kind == "search":
                # One plan for every search text (one more for none: blank is none).
                if not isinstance(value, str) or len(value) > MAX_SEARCH_LENGTH:
                    return None  # the resolver path reports it
                structural[name] = "search" if value.strip() else None
                continue
            pages_given = True
            if kind == "size":
                if not 0 <= value <= self.max_page_size:
                    return None  # the resolver path reports it
                structural[name] = "size"
            else:
                try:
                    structural[name] = _cursor_pattern(value)
                except ValueError:
                    return None  # the resolver path reports the bad cursor
        try:
            key = (digest, operation_name, orjson.dumps(structural, option=orjson.OPT_SORT_KEYS))
        except TypeError:
            return None
        plans = self._plans
        if key in plans:
            PLAN_CACHE_HIT.inc()
            plans.move_to_end(key)
            plan = plans[key]
        elif cached_only:
            return None  # the full path looks again (and counts the miss)
        elif not self._due(key):
            PLAN_CACHE_MISS.inc()
            return None
        else:
            PLAN_CACHE_MISS.inc()
            plan = self._compile(document, operation, coerced, bound)
            if plan is None and pages_given:
                # Refused for this cursor's values, perhaps (a malformed one): another page
                # of the same shape may compile.
                return None
            plans[key] = plan
            self._plan_bytes += _size(key, plan)
            # Least recently used out first: one-off plans (a search string, a filter)
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
        bound: Bindings,
    ) -> Plan | None:
        compilation = Compilation(self.schema, document, variables, bound)
        try:
            statement = compilation.operation(operation)
        except (Unsupported, GraphQLError) as exc:  # the resolver path answers (or refuses)
            log.debug("not compiled: %s", exc)
            return None
        except Exception:
            log.exception("compiling a query failed; answering through the resolvers")
            return None
        sql, params = Reader.compile(statement)
        return Plan(
            sql,
            params,
            tuple(compilation.ids),
            compilation.json_scalars,
            tuple(compilation.sizes),
            tuple(compilation.cursors),
            tuple(compilation.searches),
        )


async def run_plan(
    reader: Reader, plan: Plan, variables: dict[str, Any], viewer_params: dict[str, Any]
) -> dict[str, Any] | None:
    """The operation's `data`, or None when an ID variable needs the resolver path's error."""
    params = {**plan.params, **viewer_params}
    for param, variable, type_name, index in plan.ids:
        value: Any = variables.get(variable)
        try:
            params[param] = decode_id(value if index is None else value[index], type_name)
        except (InvalidId, TypeError, AttributeError, IndexError):
            return None
    for size, plus_one, variable in plan.sizes:
        params[size] = variables[variable]
        params[plus_one] = variables[variable] + 1
    for variable, order, names in plan.cursors:
        try:
            values = decode_cursor(variables[variable], order)
        except InvalidCursor:
            return None  # the resolver path reports it
        for name, value in zip(names, values, strict=True):
            if (name is None) != (value is None):
                return None  # another null pattern than the plan's: cannot happen (keyed)
            if name is not None:
                params[name] = value
    for param, variable in plan.searches:
        params[param] = variables[variable]
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
        if (
            ctx.result is None
            and ctx.graphql_document is not None
            and hasattr(context, "db")
            and not getattr(context, "plan_declined", False)
        ):
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
                    set_path(COMPILED)
                    ctx.result = GraphQLExecutionResult(data=data, errors=None)
                    self.compiler.answered(
                        ctx.query or "", ctx.operation_name, ctx.graphql_document
                    )
        yield
