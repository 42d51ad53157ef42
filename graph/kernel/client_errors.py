"""Client mistakes as clear, coded GraphQL errors, on every transport and both read paths.

- Every request error gets an `extensions.code` clients can branch on (the codes Apollo's
  clients know): a document that does not parse `GRAPHQL_PARSE_FAILED`, one the schema
  refuses `GRAPHQL_VALIDATION_FAILED`, variables that do not fit their types
  `BAD_USER_INPUT`.
- Input that could not be stored is refused where every input value is parsed, in each
  scalar's input coercion (variables) and literal coercion (the document): text that is
  not Unicode (a lone UTF-16 surrogate such as `"\\ud800"`, which JSON can carry but UTF-8,
  and so PostgreSQL, cannot) and text holding a NUL (which PostgreSQL's text types refuse).
  (A decimal that is not finite is the domains' to refuse, as a typed error naming the
  field: e.g. a property's `price`.) A variable of any scalar type, at any depth of any input
  object, is a `BAD_USER_INPUT` error naming the variable and its path, a literal one at
  the literal's location, before any resolver or compiled plan runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLScalarType, GraphQLSchema, Node
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
    return _bad_text_path(value, path, nul=False)


def _bad_text(text: str, nul: bool) -> str | None:
    """Why ``text`` cannot be stored: a lone surrogate (not Unicode) or a NUL (PostgreSQL's
    text types refuse it); None when it can."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode: it holds a lone UTF-16 surrogate (\\ud800-\\udfff)"
    if nul and "\x00" in text:
        return "holds a NUL character (\\u0000), which text cannot store"
    return None


def _bad_text_path(value: Any, path: str, *, nul: bool) -> str | None:
    if isinstance(value, str):
        return path if _bad_text(value, nul) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _bad_text_path(key, f"{path}.{key!r}", nul=nul)
            if found is None:
                found = _bad_text_path(item, f"{path}.{key}", nul=nul)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_text_path(item, f"{path}[{index}]", nul=nul)
            if found is not None:
                return found
    return None


def _first_bad_text(value: Any) -> str | None:
    """The refusal of the first string in ``value`` that cannot be stored, with its place."""
    where = _bad_text_path(value, "", nul=True)
    if where is None:
        return None
    found: Any = value
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", where):
        key, index = part
        found = found[int(index)] if index else found.get(key, found.get(key.strip("'")))
    reason = _bad_text(found, nul=True) if isinstance(found, str) else None
    place = f"at {where.lstrip('.')} " if where else ""
    return f"Text {place}{reason or 'cannot be stored'}."


def _refusal(message: str, node: Any = None) -> GraphQLError:
    nodes = node if isinstance(node, Node) else None
    return GraphQLError(message, nodes, extensions={"code": BAD_USER_INPUT})


def _storable_value(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse_value(value: Any) -> Any:
        message = _first_bad_text(value)
        if message is not None:
            raise _refusal(message)
        return parse(value)

    parse_value.storable = True  # type: ignore[attr-defined]
    return parse_value


def _storable_literal(parse: Callable[..., Any]) -> Callable[..., Any]:
    def parse_literal(*args: Any, **kwargs: Any) -> Any:
        parsed = parse(*args, **kwargs)
        node = args[0] if args else None  # the literal: its location goes with the error
        message = _first_bad_text(parsed)
        if message is not None:
            raise _refusal(f"The literal {message[0].lower()}{message[1:]}", node)
        return parsed

    parse_literal.storable = True  # type: ignore[attr-defined]
    return parse_literal


def refuse_unstorable_input(schema: GraphQLSchema) -> None:
    """Make every scalar of ``schema`` refuse text it could not store: text that is not
    Unicode or holds a NUL (see the module)."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLScalarType):
            continue
        # graphql-core 3.3 coerces with `coerce_input_value` / `coerce_input_literal`
        # (`parse_value` / `parse_literal` are their deprecated aliases): all of them, so the
        # rule holds whichever a caller uses.
        for attribute, wrap in (
            ("coerce_input_value", _storable_value),
            ("parse_value", _storable_value),
            ("coerce_input_literal", _storable_literal),
            ("parse_literal", _storable_literal),
        ):
            parse = getattr(named, attribute, None)
            if parse is not None and not getattr(parse, "storable", False):
                setattr(named, attribute, wrap(parse))
