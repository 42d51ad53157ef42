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
from typing import Any

import strawberry
from graphql import GraphQLField
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType

from loaders.base import Relation
from loaders.paging import OrderTerm

# ---------------------------------------------------------------------------------------------
# Specs: what a field reads


@dataclass(frozen=True, slots=True)
class ToOne:
    """A node referenced by a foreign-key attribute of the parent node."""

    target: type[Any]
    attribute: str


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
    name: str, annotation: Any, *, default: Any = None, description: str | None = None
) -> StrawberryArgument:
    from strawberry.annotation import StrawberryAnnotation

    return StrawberryArgument(
        python_name=name,
        graphql_name=None,
        type_annotation=StrawberryAnnotation(annotation),
        default=default,
        description=description,
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

    if declared.kind in (BY_ID, ANY_BY_ID):
        return [_argument("id", strawberry.ID, default=UNSET)]
    if declared.kind == BY_IDS:
        return [_argument("ids", list[strawberry.ID], default=UNSET)]
    if declared.kind not in PAGED:
        return []
    arguments = []
    if named.__filter__ is not None:
        arguments.append(_argument("filter", named.__filter__ | None))
    if named.__searchable__:
        arguments.append(_argument("search", str | None, description=SEARCH_DESCRIPTION))
    if named.__order__ is not None:
        arguments.append(_argument("order_by", list[named.__order__] | None))
    sizes, cursors = ("first", "last"), ("after", "before")
    for name in declared.page_arguments:
        assert name in sizes or name in cursors, name
        arguments.append(_argument(name, int | None if name in sizes else str | None))
    return arguments


def _resolve(declared: Declared, named: Any) -> Spec:
    kind = declared.kind
    if kind == TO_ONE:
        assert declared.attribute is not None
        return ToOne(named, declared.attribute)
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
