"""The SDL is the API's documentation: everything a client can see in it has a description.

Walks the exported schema (the same one `schema.graphql` holds) and lists every type, field,
argument, input field, enum value and directive without one, so a single run says all that is
missing. Only what GraphQL itself defines (the introspection types, the five built-in scalars
and the built-in directives) is exempt; scalars the schema adds (DateTime, JSON, Upload...)
are checked like everything else.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_directives,
    specified_scalar_types,
)

from graph.kernel.enums import model_enum
from graph.schema import schema

BUILT_IN_DIRECTIVES = {d.name for d in specified_directives}


def undescribed(sdl_schema: GraphQLSchema) -> Iterator[str]:
    """Everything in the schema without a (non-blank) description, as `Type.field(arg)`."""

    def blank(description: str | None) -> bool:
        return not (description and description.strip())

    for name, named in sorted(sdl_schema.type_map.items()):
        if name.startswith("__") or name in specified_scalar_types:
            continue
        if blank(named.description):
            yield f"type {name}"
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if blank(field.description):
                    yield f"field {name}.{field_name}"
                for arg_name, arg in field.args.items():
                    if blank(arg.description):
                        yield f"argument {name}.{field_name}({arg_name})"
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if blank(input_field.description):
                    yield f"input field {name}.{field_name}"
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if blank(value.description):
                    yield f"enum value {name}.{value_name}"
    for directive in sdl_schema.directives:
        if directive.name in BUILT_IN_DIRECTIVES:
            continue
        if blank(directive.description):
            yield f"directive @{directive.name}"
        for arg_name, arg in directive.args.items():
            if blank(arg.description):
                yield f"argument @{directive.name}({arg_name})"


def test_everything_in_the_schema_is_described():
    # given the schema the server exports
    # when it is walked
    missing = list(undescribed(schema._schema))

    # then nothing lacks a description
    assert missing == [], f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_walk_finds_what_lacks_a_description():
    # given a schema with one of each kind of thing, none described
    from graphql import build_schema

    bare = build_schema(
        """
        directive @cached(ttl: Int) on FIELD_DEFINITION
        scalar Money
        enum Color { RED }
        input Paint { color: Color }
        type Query { paint(with: Paint): Money @cached(ttl: 1) }
        """
    )

    # when it is walked
    missing = set(undescribed(bare))

    # then each is listed, and nothing GraphQL itself defines
    assert missing == {
        "type Money",
        "type Color",
        "enum value Color.RED",
        "type Paint",
        "input field Paint.color",
        "type Query",
        "field Query.paint",
        "argument Query.paint(with)",
        "directive @cached",
        "argument @cached(ttl)",
    }


def test_page_size_arguments_state_the_default_and_the_maximum():
    # given every `first`/`last` argument of the schema
    page_args = [
        (f"{t.name}.{f_name}({a_name})", arg.description or "", arg.default_value)
        for t in schema._schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__")
        for f_name, f in t.fields.items()
        for a_name, arg in f.args.items()
        if a_name in ("first", "last")
    ]

    # then each states the default and the maximum
    assert page_args
    for where, description, default in page_args:
        # the connections' default page size, or the argument's own default
        assert f"Default {default if isinstance(default, int) else 20}" in description, where
        assert re.search(r"maximum \d+", description), where


def test_a_model_enum_must_describe_every_value():
    # given a model's enum, one of whose values is left undescribed
    class Shade(enum.Enum):
        LIGHT = "light"
        DARK = "dark"

    # when it is mirrored, then the value left out is named
    with pytest.raises(TypeError, match=r"missing \['DARK'\]"):
        model_enum(Shade, "A shade.", LIGHT="Pale.")
