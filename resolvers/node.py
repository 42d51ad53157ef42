"""`node` and `nodes`: refetch anything by global ID, through the same scoped loaders."""

from __future__ import annotations

import strawberry

from graph.kernel.fields import any_by_id, by_ids
from graph.kernel.relay import Node

MAX_NODES = 100


@strawberry.type
class NodeQuery:
    node: Node | None = any_by_id(
        description="Any object by global ID; null if it does not exist or you cannot see it."
    )
    nodes: list[Node | None] = by_ids(
        MAX_NODES,
        description=f"Objects by global ID, in order; null for each you cannot see. "
        f"At most {MAX_NODES} IDs.",
    )
