"""`node` and `nodes`: refetch anything by global ID, through the same scoped loaders."""

from __future__ import annotations

import asyncio
from typing import TypeVar

import strawberry

from graph.compiled import ById, ByIds, compiled_as
from graph.context import Info
from graph.kernel.ids import NODE_TYPES, InvalidId, decode_id, from_global_id, user_error
from graph.kernel.relay import Node

N = TypeVar("N", bound=Node)

MAX_NODES = 100


async def _load(info: Info, global_id: str) -> Node | None:
    try:
        type_name, pk = from_global_id(global_id)
    except InvalidId as exc:
        raise user_error(str(exc), "INVALID_ID") from exc
    node: Node | None = await info.context.loaders.by_id(NODE_TYPES[type_name]).load(pk)
    return node


async def get_node(info: Info, cls: type[N], global_id: str) -> N | None:
    """One node of a known type by global ID: null when missing or not visible."""
    try:
        pk = decode_id(global_id, cls.__name__)
    except InvalidId as exc:
        raise user_error(str(exc), "INVALID_ID") from exc
    return await info.context.loaders.by_id(cls).load(pk)


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by global ID; null if it does not exist or you cannot see it."
    )
    @compiled_as(ById(None))
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load(info, id)

    @strawberry.field(
        description=f"Objects by global ID, in order; null for each you cannot see. "
        f"At most {MAX_NODES} IDs."
    )
    @compiled_as(ByIds(MAX_NODES))
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise user_error(f"At most {MAX_NODES} IDs per call.", "TOO_MANY_IDS")
        return list(await asyncio.gather(*(_load(info, i) for i in ids)))
