"""Client mistakes as clear, coded GraphQL errors, on every transport and both read paths.

- Every request error gets an `extensions.code` clients can branch on (the codes Apollo's
  clients know): a document that does not parse `GRAPHQL_PARSE_FAILED`, one the schema
  refuses `GRAPHQL_VALIDATION_FAILED`, variables that do not fit their types
  `BAD_USER_INPUT`.
- Text that is not Unicode (a lone UTF-16 surrogate such as `"\\ud800"`, which JSON can
  carry but UTF-8, and so PostgreSQL, cannot) is refused where every input value is parsed:
  in each scalar's input coercion, so a variable of any scalar type, at any depth of any
  input object, is a `BAD_USER_INPUT` error naming the variable and its path before any
  resolver or compiled plan runs. (A literal in the document cannot carry one: the lexer
  refuses it as a syntax error.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLScalarType, GraphQLSchema
from graphql.error import GraphQLSyntaxError

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"


# graphql-core's messages for variables that do not fit their types (coercion, before
# execution), as opposed to validation's ("Variable '$x' is never used.").
_COERCION = re.compile(
    r"Variable '\$\w+' (has invalid|got invalid|of required type|of non-null type|expected value)"
)


def code_request_error(error: GraphQLError) -> str | None:
    """Give a request error (no path: nothing was executed) that has no code the code of the
    stage that refused it; its code either way (None for a field error)."""
    extensions = error.extensions or {}
    if "code" in extensions or error.path is not None:
        return extensions.get("code")
    if isinstance(error, GraphQLSyntaxError) or isinstance(
        error.original_error, GraphQLSyntaxError
    ):
        code = PARSE_FAILED
    elif _COERCION.match(error.message):
        code = BAD_USER_INPUT
    elif error.original_error is None:
        code = VALIDATION_FAILED
    else:
        return None
    error.extensions = {**extensions, "code": code}
    return code


def lone_surrogate_path(value: Any, path: str = "") -> str | None:
    """Where in ``value`` (a parsed JSON value) a string holds a lone surrogate: "" for the
    value itself, ".key" / "[i]" below it; None when all its text is Unicode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = lone_surrogate_path(key, f"{path}.{key!r}")
            if found is None:
                found = lone_surrogate_path(item, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _unicode_only(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse_value(value: Any) -> Any:
        where = lone_surrogate_path(value)
        if where is not None:
            raise GraphQLError(
                f"Text {('at ' + where.lstrip('.') + ' ') if where else ''}is not valid "
                "Unicode: it holds a lone UTF-16 surrogate (\\ud800-\\udfff).",
                extensions={"code": BAD_USER_INPUT},
            )
        return parse(value)

    parse_value.unicode_only = True  # type: ignore[attr-defined]
    return parse_value


def refuse_lone_surrogates(schema: GraphQLSchema) -> None:
    """Make every scalar of ``schema`` refuse text that is not Unicode (see the module)."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLScalarType):
            continue
        # graphql-core 3.3 coerces variables with `coerce_input_value` (`parse_value` is its
        # deprecated alias): both, so the rule holds whichever a caller uses.
        for attribute in ("coerce_input_value", "parse_value"):
            parse = getattr(named, attribute, None)
            if parse is not None and not getattr(parse, "unicode_only", False):
                setattr(named, attribute, _unicode_only(parse))
