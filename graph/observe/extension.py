"""The schema extension that tells the request's record (and the traces) which operation
runs, how, and whether it answered with errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from graph.observe import tracing
from graph.observe.record import COMPILED, RESOLVERS, record


class ObserveOperations(SchemaExtension):
    """Placed after the limits (which may answer first) and before the compiled plans."""

    def on_operation(self) -> Iterator[None]:
        tracer = tracing.tracer()
        with ExitStack() as stack:
            span = None
            if tracer is not None:
                span = stack.enter_context(tracer.start_as_current_span("graphql.operation"))
            yield
            result = self.execution_context.result
            found = record()
            if found is not None:
                found.errors = bool(result is not None and result.errors)
            if span is not None:
                name = _operation_name(self)
                kind = _operation_type(self)
                span.update_name(f"{kind or 'graphql'} {name or 'anonymous'}")
                span.set_attribute("graphql.operation.name", name or "")
                span.set_attribute("graphql.operation.type", kind or "")
                if found is not None:
                    span.set_attribute("trellis.path", found.path)
                if result is not None and result.errors:
                    span.set_attribute("graphql.errors", len(result.errors))

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        found = record()
        if found is not None:
            found.operation = _operation_name(self)
            found.operation_type = _operation_type(self)
            if ctx.result is None:  # not refused by a limit: executed (compiled: below)
                found.path = RESOLVERS
        tracer = tracing.tracer()
        with ExitStack() as stack:
            span = None
            if tracer is not None and ctx.result is None:
                span = stack.enter_context(tracer.start_as_current_span("graphql.resolvers"))
            yield
            if span is not None and found is not None and found.path == COMPILED:
                span.update_name("graphql.compiled_plan")


def _operation_name(extension: SchemaExtension) -> str | None:
    ctx = extension.execution_context
    if ctx.operation_name:
        return ctx.operation_name
    document = ctx.graphql_document
    if document is None:
        return None
    operation = get_operation_ast(document, None)
    return operation.name.value if operation is not None and operation.name else None


def _operation_type(extension: SchemaExtension) -> str | None:
    document = extension.execution_context.graphql_document
    if document is None:
        return None
    operation = get_operation_ast(document, extension.execution_context.operation_name)
    return operation.operation.value if operation is not None else None
