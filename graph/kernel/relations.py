"""What a field built by a factory (graph.kernel.fields) reads, as data: the prefetch planner
and the compiler both ask here, so a relation or a root field is declared once, in its type.

A `KernelField` is a Strawberry field whose arguments follow from its type: a connection
field takes its connection's filter and order inputs (when it has them) and the Relay page
arguments; a by-ID field takes `id`. Its declaration (`Declared`) resolves, once the schema's
types exist, into a spec: `ToOne`, `ToMany` for relations; `ById`, `ByIds`, `ByViewer`,
`RootList` for root fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

import strawberry
from graphql import GraphQLField
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType

from loaders.base import Relation
from loaders.paging import OrderTerm
from models.base import archivable

# ---------------------------------------------------------------------------------------------
# Specs: what a field reads


@dataclass(frozen=True, slots=True)
class ToOne:
    """A node referenced by a foreign-key attribute of the parent node; with ``key``, the
    node whose ``key`` column (unique) holds the parent's ``attribute`` instead (a row
    one-to-one with the parent that references it: an organization's plan)."""

    target: type[Any]
    attribute: str
    key: Any = None


@dataclass(frozen=True, slots=True)
class ToMany:
    """A connection of child nodes hanging off the parent through ``relation``."""

    connection: type[Any]
    target: type[Any]
    relation: Relation
    default_order: tuple[OrderTerm, ...]


@dataclass(frozen=True, slots=True)
class ById:
    """`field(id: ID!)`: the node of ``cls`` with that global ID, null when not visible;
    ``cls`` None: of whichever node type the ID names (`node(id:)`)."""

    cls: type[Any] | None


@dataclass(frozen=True, slots=True)
class ByIds:
    """`nodes(ids: [ID!]!)`: the nodes of those global IDs, in order, null for each that is
    not visible; more than ``max_ids`` is an error."""

    max_ids: int


@dataclass(frozen=True, slots=True)
class ByViewer:
    """The signed-in viewer's own node of ``cls`` (`me`); null when anonymous."""

    cls: type[Any]


@dataclass(frozen=True, slots=True)
class RootList:
    """`field(filter, orderBy, first, after, last, before)`: the visible nodes of ``cls``."""

    connection: type[Any]
    cls: type[Any]
    default_order: tuple[OrderTerm, ...]


RootSpec = ById | ByIds | ByViewer | RootList
Spec = ToOne | ToMany | RootSpec


@dataclass(frozen=True, slots=True)
class Declared:
    """A factory's declaration, resolved into a `Spec` when the types exist."""

    kind: str  # one of the constants below
    attribute: str | None = None  # TO_ONE: the foreign-key attribute
    key: Any = None  # TO_ONE: the target's column matched, when not its primary key
    relation: Relation | None = None  # TO_MANY
    max_ids: int = 0  # BY_IDS
    # TO_MANY: the Relay page arguments the field takes (some lists page forward only)
    page_arguments: tuple[str, ...] = ("first", "after", "last", "before")


TO_ONE, TO_MANY, ROOT_LIST, BY_ID, ANY_BY_ID, BY_IDS, BY_VIEWER = (
    "to_one", "to_many", "root_list", "by_id", "any_by_id", "by_ids", "by_viewer",
)  # fmt: skip
PAGED = frozenset({TO_MANY, ROOT_LIST})


def named_class(field_type: Any) -> Any:
    """The class a field's type names, through null, list and lazy wrappers."""
    while True:
        if isinstance(field_type, StrawberryOptional | StrawberryList):
            field_type = field_type.of_type
        elif isinstance(field_type, LazyType):
            field_type = field_type.resolve_type()
        else:
            return field_type


class KernelField(StrawberryField):
    """A field built by a factory: its arguments follow from its declaration and type."""

    @property
    def declared(self) -> Declared:
        return self.metadata["kernel"]  # type: ignore[no-any-return]

    @property
    def arguments(self) -> list[StrawberryArgument]:
        if self._arguments is None:
            self._arguments = _arguments_of(self.declared, named_class(self.type))
        return self._arguments

    @arguments.setter
    def arguments(self, value: list[StrawberryArgument]) -> None:
        self._arguments = value

    @property
    def spec(self) -> Spec:
        found: Spec | None = self.__dict__.get("_spec")
        if found is None:
            found = self.__dict__["_spec"] = _resolve(self.declared, named_class(self.type))
        return found


def _argument(
    name: str, annotation: Any, description: str, *, default: Any = None
) -> StrawberryArgument:
    from strawberry.annotation import StrawberryAnnotation

    return StrawberryArgument(
        python_name=name,
        graphql_name=None,
        type_annotation=StrawberryAnnotation(annotation),
        default=default,
        description=description,
    )


# The page arguments' descriptions, the same on every connection field. The numbers are the
# settings' defaults (TRELLIS_DEFAULT_PAGE_SIZE, TRELLIS_MAX_PAGE_SIZE): the SDL is built once,
# for every deployment, so it names the settings beside them.
PAGE_ARGUMENT_DESCRIPTIONS = {
    "first": "Page forward: at most this many nodes from the start, or after `after`. "
    "Default 20 when neither `first` nor `last` is given, maximum 100 (the server's "
    "TRELLIS_DEFAULT_PAGE_SIZE and TRELLIS_MAX_PAGE_SIZE); a larger value is a "
    "`PAGE_SIZE_EXCEEDED` error, a negative one `BAD_PAGE_ARGUMENTS`. Not with `last`.",
    "after": "Page forward from this cursor (exclusive): an edge's `cursor` or "
    "`pageInfo.endCursor` read from this same connection with the same `orderBy` and "
    "`filter`. Opaque; a malformed or foreign cursor is an `INVALID_CURSOR` error. Goes with "
    "`first`, not with `last`.",
    "last": "Page backward: at most this many nodes from the end, or before `before`. "
    "Default 20, maximum 100 (TRELLIS_DEFAULT_PAGE_SIZE, TRELLIS_MAX_PAGE_SIZE); the nodes "
    "still come in the connection's order. Not with `first`.",
    "before": "Page backward from this cursor (exclusive): an edge's `cursor` or "
    "`pageInfo.startCursor` read from this same connection with the same `orderBy` and "
    "`filter`. Opaque; a malformed or foreign cursor is an `INVALID_CURSOR` error. Goes with "
    "`last` (alone, it pages back 20).",
}


def page_argument(name: str) -> Any:
    """A hand-written connection field's page argument, described as the factories' are:
    `first: Annotated[int | None, page_argument("first")] = None`."""
    return strawberry.argument(description=PAGE_ARGUMENT_DESCRIPTIONS[name])


def _default_order(named: Any) -> str:
    """The connection's default order in the API's words: its order enum's members where one
    orders by the same column, the column's name otherwise."""
    members: dict[Any, str] = {}
    for base in getattr(named.__order__, "__orig_bases__", ()):  # OrderBy[<Entity>OrderField]
        for enum_cls in get_args(base):
            for member in getattr(enum_cls, "__members__", {}).values():
                members[getattr(member.value, "column", None)] = member.name
    terms = [
        f"{members.get(t.column, t.column.key)} {'descending' if t.descending else 'ascending'}"
        for t in named.__default_order__
    ]
    return ", then ".join(terms) if terms else "by ID"


INCLUDE_ARCHIVED = (
    "Also list archived nodes (`archivedAt` set); lists leave them out by default. An "
    "archived node stays readable by ID either way."
)


SEARCH_DESCRIPTION = (
    "Full-text search in the nodes' text (title or name first), in each organization's "
    'search language: words match their other forms (stemming), `"a phrase"` matches '
    "words in that order, `or` matches either side, `-word` excludes; accents are folded "
    "where the server can. Without `orderBy`, the best matches come first (RELEVANCE). "
    "Blank means no search; at most 500 characters."
)


def _arguments_of(declared: Declared, named: Any) -> list[StrawberryArgument]:
    from strawberry.types.unset import UNSET

    if declared.kind == BY_ID:
        description = f"The {named.__name__}'s global ID (its `id` field)."
        return [_argument("id", strawberry.ID, description, default=UNSET)]
    if declared.kind == ANY_BY_ID:
        description = "A global ID of any node type (a node's `id` field)."
        return [_argument("id", strawberry.ID, description, default=UNSET)]
    if declared.kind == BY_IDS:
        description = (
            f"Global IDs of nodes of any type, at most {declared.max_ids}; the answer has one "
            "entry per ID, in the same order."
        )
        return [_argument("ids", list[strawberry.ID], description, default=UNSET)]
    if declared.kind not in PAGED:
        return []
    arguments = []
    if named.__filter__ is not None:
        description = (
            f"Only the nodes matching this filter (see `{named.__filter__.__name__}`); "
            "`totalCount` counts the matching nodes."
        )
        arguments.append(_argument("filter", named.__filter__ | None, description))
    if named.__searchable__:
        arguments.append(_argument("search", str | None, SEARCH_DESCRIPTION))
    if named.__order__ is not None:
        description = (
            "Sort terms, the first one first; the node's ID breaks the remaining ties, so the "
            f"order is total and pages are stable. Default: {_default_order(named)}."
        )
        arguments.append(_argument("order_by", list[named.__order__] | None, description))
    if archivable(getattr(named.__node__, "__model__", type(None))):
        arguments.append(_argument("include_archived", bool, INCLUDE_ARCHIVED, default=False))
    sizes, cursors = ("first", "last"), ("after", "before")
    for name in declared.page_arguments:
        assert name in sizes or name in cursors, name
        annotation = int | None if name in sizes else str | None
        arguments.append(_argument(name, annotation, PAGE_ARGUMENT_DESCRIPTIONS[name]))
    return arguments


def _resolve(declared: Declared, named: Any) -> Spec:
    kind = declared.kind
    if kind == TO_ONE:
        assert declared.attribute is not None
        return ToOne(named, declared.attribute, declared.key)
    if kind == TO_MANY:
        assert declared.relation is not None
        return ToMany(named, named.__node__, declared.relation, named.__default_order__)
    if kind == ROOT_LIST:
        return RootList(named, named.__node__, named.__default_order__)
    if kind == BY_ID:
        return ById(named)
    if kind == ANY_BY_ID:
        return ById(None)
    if kind == BY_IDS:
        return ByIds(declared.max_ids)
    return ByViewer(named)


# ---------------------------------------------------------------------------------------------
# Reading specs back

Relations = dict[str, ToOne | ToMany]
_relations: dict[type[Any], Relations] = {}


def relations_of(cls: type[Any]) -> Relations:
    """The relation fields of a type, by Python name (history included on nodes)."""
    relations = _relations.get(cls)
    if relations is None:
        definition = getattr(cls, "__strawberry_definition__", None)
        relations = {}
        for field in definition.fields if definition is not None else ():
            if isinstance(field, KernelField) and field.declared.kind in (TO_ONE, TO_MANY):
                spec = field.spec
                assert isinstance(spec, ToOne | ToMany)
                relations[field.python_name] = spec
        _relations[cls] = relations
    return relations


def fields_changed(cls: type[Any]) -> None:
    """Forget what was read of ``cls``'s fields (`compose` added some)."""
    _relations.pop(cls, None)


def root_spec(field: GraphQLField) -> RootSpec | None:
    """What a root field reads, when a factory built it."""
    definition = field.extensions.get("strawberry-definition")
    if isinstance(definition, KernelField) and definition.declared.kind not in (TO_ONE, TO_MANY):
        spec = definition.spec
        assert not isinstance(spec, ToOne | ToMany)
        return spec
    return None
