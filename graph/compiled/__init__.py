"""Compiled queries: a read-only operation answered by ONE SQL statement, PostGraphile-style.

A query whose every field maps onto the data model — root fields built by the kernel's
factories (a node by ID, a root list, `me`), node columns, `id`, `__typename`, the
`to_one` / `to_many` relations the node types declare, and connections' `nodes`, `edges`
(with a search's `score` and `snippet`), `pageInfo`, `totalCount` and `search` — is
compiled into one SELECT that builds the whole `data` object as JSON in PostgreSQL: one
derived table per list or node, correlated to its parent (LATERAL), each scoped by its
model's ``visible_to()`` rule with the viewer parameters, so tenancy holds as on the resolver
path. Python then does no per-row or per-field work at all: one round trip, one
`orjson.loads`.

Everything else — mutations, subscriptions, fields with their own resolvers, directives but
@skip/@include (evaluated when compiling: their conditions are part of the plan's key),
arguments the resolver path would refuse (bad IDs, page sizes, cursors) — is `Unsupported`
and runs through graphql-core as before, which also produces the errors. The compiled answer
must equal the resolver path's byte for byte; tests/test_compiled.py runs a corpus of queries
both ways.

Plans are cached per (document, operation, variables). Variables that only carry the ID of a
root node field, a page size, a cursor or a search text are bound per execution instead, so
`item(id: $id)` compiles once and every page of a list (every search text) shares a plan. A
document is compiled on its `compile_after`-th sighting: a one-off is cheaper through the
resolvers.

`sql` writes GraphQL values in SQL, `compiler` turns an operation into a statement, `plans`
caches and runs them (the schema extension).
"""

from graph.compiled.plans import CompiledQueries, Plan, QueryCompiler, run_plan
from graph.compiled.sql import NULL_VIOLATION, Unsupported

__all__ = [
    "NULL_VIOLATION",
    "CompiledQueries",
    "Plan",
    "QueryCompiler",
    "Unsupported",
    "run_plan",
]
