"""Field factories: a relation or root field is one line in its type.

    organization: Organization | None = to_one("organization_id")
    media: MediaConnection = to_many(models.realty.PropertyMedia.property_id, description=...)
    properties: PropertyConnection = root_list(description=...)
    property: Property | None = by_id(description=...)

Each builds the resolver with the usual arguments (a connection's `filter` and `orderBy` when
it has them, `first`/`after`/`last`/`before`; `id` for a node by ID) and records what it reads
(graph.kernel.relations), which is what the prefetch planner and the compiler follow.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from strawberry.types import Info
from strawberry.types.fields.resolver import StrawberryResolver

from graph.kernel import prefetch
from graph.kernel.ids import (
    NODE_TYPES,
    InvalidId,
    decode_id,
    from_global_id,
    to_global_id,
    user_error,
)
from graph.kernel.paging import PageArgs
from graph.kernel.relations import (
    ANY_BY_ID,
    BY_ID,
    BY_IDS,
    BY_VIEWER,
    ROOT_LIST,
    TO_MANY,
    TO_ONE,
    ById,
    ByViewer,
    Declared,
    KernelField,
    RootList,
    ToOne,
    fields_changed,
    relations_of,
)
from loaders.base import Relation
from loaders.paging import Column

_MISSING = object()


def _field(
    declared: Declared, resolver: Any, description: str | None, name: str | None = None
) -> Any:
    return KernelField(
        python_name=None,
        graphql_name=name,
        type_annotation=None,
        description=description,
        base_resolver=StrawberryResolver(resolver),
        metadata={"kernel": declared},
    )


def _spec(info: Info) -> Any:
    """What the field being resolved reads (the field is a `KernelField`: a factory built it)."""
    return cast(KernelField, info._field).spec


def _prefetched(node: Any, info: Info) -> Any:
    store = node.__dict__.get(prefetch.PREFETCHED)
    if store is not None:
        return store.get(id(info._raw_info.field_nodes[0]), _MISSING)
    return _MISSING


# ---------------------------------------------------------------------------------------------
# Relations


def to_one(
    attribute: str | Column,
    *,
    key: Column | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Any:
    """The node a foreign key of this node references (``attribute``: the node's attribute
    holding it); null when missing or not visible. ``key``: the target's unique column that
    holds ``attribute`` instead of its primary key (the reverse of a one-to-one foreign key:
    `to_one("pk", key=OrganizationPlan.organization_id)`). ``name``: the GraphQL name, when
    it is not the field's own (camel-cased)."""
    name_of_attribute = attribute if isinstance(attribute, str) else attribute.key

    def resolve(self: Any, info: Info) -> Any:
        found = _prefetched(self, info)
        if found is not _MISSING:
            return found
        pk = getattr(self, name_of_attribute)
        if pk is None:
            return None
        spec = _spec(info)
        assert isinstance(spec, ToOne)
        return info.context.loaders.by_key(spec.target, spec.key).load(pk)

    declared = Declared(TO_ONE, attribute=name_of_attribute, key=key)
    return _field(declared, resolve, description, name)


def to_many(
    relation: Relation | Column,
    *,
    page_arguments: tuple[str, ...] = ("first", "after", "last", "before"),
    description: str | None = None,
) -> Any:
    """A connection of the nodes hanging off this one: by a column holding this node's id, or
    through a `Relation` (a link table), in the connection's default order unless the caller
    asks for another; ``page_arguments``: fewer when the list pages forward only."""
    if not isinstance(relation, Relation):
        relation = Relation(relation)

    def resolve(self: Any, info: Info, **kwargs: Any) -> Any:
        found = _prefetched(self, info)
        if found is not _MISSING:
            return found
        return prefetch.relation_connection(info, self, info.python_name, PageArgs(**kwargs))

    declared = Declared(TO_MANY, relation=relation, page_arguments=page_arguments)
    return _field(declared, resolve, description)


# ---------------------------------------------------------------------------------------------
# Root fields


def root_list(*, description: str | None = None) -> Any:
    """Every node of the connection's type the viewer may see, filtered, ordered and paged as
    asked."""

    async def resolve(info: Info, **kwargs: Any) -> Any:
        spec = _spec(info)
        assert isinstance(spec, RootList)
        args = PageArgs(**kwargs)
        return await prefetch.root_connection(
            info, spec.connection, spec.cls, args, default_order=spec.default_order
        )

    return _field(Declared(ROOT_LIST), resolve, description)


def by_id(*, description: str | None = None) -> Any:
    """The node of the field's type with this global ID; null when missing or not visible."""

    async def resolve(info: Info, id: str) -> Any:
        spec = _spec(info)
        assert isinstance(spec, ById)
        assert spec.cls is not None
        try:
            pk = decode_id(id, spec.cls.__name__)
        except InvalidId as exc:
            raise user_error(str(exc), "INVALID_ID") from exc
        return await info.context.loaders.by_id(spec.cls).load(pk)

    return _field(Declared(BY_ID), resolve, description)


async def _any_node(info: Info, global_id: str) -> Any:
    try:
        type_name, pk = from_global_id(global_id)
    except InvalidId as exc:
        raise user_error(str(exc), "INVALID_ID") from exc
    return await info.context.loaders.by_id(NODE_TYPES[type_name]).load(pk)


def any_by_id(*, description: str | None = None) -> Any:
    """`node(id:)`: any node by global ID; null when missing or not visible."""

    async def resolve(info: Info, id: str) -> Any:
        return await _any_node(info, id)

    return _field(Declared(ANY_BY_ID), resolve, description)


def by_ids(max_ids: int, *, description: str | None = None) -> Any:
    """`nodes(ids:)`: nodes by global ID, in order, null for each not visible."""

    async def resolve(info: Info, ids: list[str]) -> Any:
        if len(ids) > max_ids:
            raise user_error(f"At most {max_ids} IDs per call.", "TOO_MANY_IDS")
        return list(await asyncio.gather(*(_any_node(info, i) for i in ids)))

    return _field(Declared(BY_IDS, max_ids=max_ids), resolve, description)


def viewer_node(*, description: str | None = None) -> Any:
    """The signed-in viewer's own node (`me`); null when anonymous."""

    async def resolve(info: Info) -> Any:
        spec = _spec(info)
        assert isinstance(spec, ByViewer)
        user_id = info.context.viewer.user_id
        return None if user_id is None else await info.context.loaders.by_id(spec.cls).load(user_id)

    return _field(Declared(BY_VIEWER), resolve, description)


# ---------------------------------------------------------------------------------------------
# Composition: a type's fields from several domains


def compose(target: type[Any], *groups: type[Any]) -> None:
    """Add the fields of ``groups`` (Strawberry types of fields only) to ``target``, after its
    own and in this order: each domain declares its fields of a shared type (Organization,
    User) in its own package, and the schema's assembly lists them once."""
    definition = target.__strawberry_definition__
    present = {f.python_name for f in definition.fields}
    for group in groups:
        for field in group.__strawberry_definition__.fields:
            if field.python_name in present:
                raise TypeError(f"{target.__name__}.{field.python_name} is declared twice")
            definition.fields.append(field)
            present.add(field.python_name)
    fields_changed(target)


# ---------------------------------------------------------------------------------------------
# Fast paths: the fields resolved once per row, wired past Strawberry's resolver wrapper


def install_fast_paths(schema: Any) -> None:
    """Resolve `id` and prefetched relations straight from the node.

    Strawberry's wrapper (argument conversion, Info objects) costs ~40 us per call; these
    fields run once per row and field, and their answers need none of it. Anything not
    prefetched falls through to the Strawberry resolver.
    """
    graphql_schema = schema._schema
    for type_name, cls in NODE_TYPES.items():
        object_type = graphql_schema.get_type(type_name)
        object_type.fields["id"].resolve = _id_resolver(type_name)
        relations = relations_of(cls)
        for field in object_type.fields.values():
            definition = field.extensions.get("strawberry-definition")
            if definition is not None and definition.python_name in relations:
                field.resolve = _prefetched_resolver(field.resolve)


def _id_resolver(type_name: str) -> Any:
    def resolve(source: Any, info: Any) -> str:
        return to_global_id(type_name, source.pk)

    return resolve


def _prefetched_resolver(original: Any) -> Any:
    def resolve(source: Any, info: Any, **kwargs: Any) -> Any:
        store = source.__dict__.get(prefetch.PREFETCHED)
        if store is not None:
            found = store.get(id(info.field_nodes[0]), _MISSING)
            if found is not _MISSING:
                return found
        return original(source, info, **kwargs)

    return resolve


__all__ = [
    "any_by_id",
    "by_id",
    "by_ids",
    "compose",
    "install_fast_paths",
    "root_list",
    "to_many",
    "to_one",
    "viewer_node",
]
