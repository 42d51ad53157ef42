"""Compiled plans: cached per document, operation and variables, run as one statement, and
the schema extension that answers compilable queries with them."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import DocumentNode, Visitor, visit
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from graph.compiled.compiler import ById, Compilation, root_spec
from graph.compiled.sql import NULL_VIOLATION, Unsupported
from graph.relay import InvalidId, decode_id, from_global_id
from loaders.base import Reader

log = logging.getLogger("trellis.compiled")

# Distinct (document, operation, variables) plans kept per process, and their total size.
PLAN_CACHE_SIZE = 2048
PLAN_CACHE_BYTES = 32 << 20


@dataclass(frozen=True, slots=True)
class Plan:
    sql: str
    params: dict[str, Any]
    # (SQL parameter, variable, node type): a root node's ID, decoded per execution.
    ids: tuple[tuple[str, str, str], ...]
    # The answer holds JSON scalars: parse it as psycopg parses JSON columns (the standard
    # library keeps integers beyond 64 bits exact; orjson would make them floats).
    exact_numbers: bool = False


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
            spec = root_spec(field) if field is not None else None
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
