"""SQL building blocks of compiled queries: GraphQL values written by PostgreSQL exactly as
Strawberry would serialise them (global IDs, DateTime, Date, Decimal, JSON, enums, keyset
cursors), and JSON objects of response keys."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Integer,
    Numeric,
    String,
    Text,
    case,
    cast,
    func,
    literal_column,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from loaders.base import shape_of
from loaders.paging import PageSpec, order_signature

# json_build_object takes at most 100 arguments: 50 keys and their values.
MAX_KEYS = 50


class Unsupported(Exception):
    """The operation needs the resolver path (the reason says which part)."""


def sql_string(value: str) -> ColumnElement[str]:
    """A constant string written into the SQL text (names from the schema, formats)."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def _base64url(data: ColumnElement[Any]) -> ColumnElement[str]:
    """base64url without padding, as Python's urlsafe_b64encode(...).rstrip('=') spells it
    (PostgreSQL's base64 breaks lines every 76 characters: dropped)."""
    encoded = func.encode(func.convert_to(data, sql_string("UTF8")), sql_string("base64"))
    return func.rtrim(
        func.translate(encoded, literal_column("'+/' || chr(10)"), sql_string("-_")),
        sql_string("="),
    )


def global_id(type_name: str, pk: ColumnElement[Any]) -> ColumnElement[str]:
    return _base64url(sql_string(f"{type_name}:").op("||")(cast(pk, Text)))


def _iso_datetime(value: ColumnElement[Any], *, aware: bool) -> ColumnElement[str]:
    """datetime.isoformat() in SQL: microseconds only when not zero; '+00:00' when aware
    (the read path's sessions are in UTC)."""
    utc = func.timezone(sql_string("UTC"), value) if aware else value
    text = func.to_char(utc, sql_string('YYYY-MM-DD"T"HH24:MI:SS'))
    micro = func.to_char(utc, sql_string("US"))
    fraction = case(
        (micro == sql_string("000000"), sql_string("")), else_=sql_string(".").op("||")(micro)
    )
    result = text.op("||")(fraction)
    return result.op("||")(sql_string("+00:00")) if aware else result


def _iso_date(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.to_char(value, sql_string("YYYY-MM-DD"))


def json_object(pairs: list[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    if len(pairs) > MAX_KEYS:
        raise Unsupported("too many fields in one selection")
    args: list[ColumnElement[Any]] = []
    for key, value in pairs:
        args += [sql_string(key), value]
    return func.json_build_object(*args)


def _python_type(column: Any) -> Any:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


# Written in place of a null that GraphQL does not allow (a non-null field over a nullable
# column, or JSON null in a non-null JSON field): an answer containing it is answered again
# by the resolvers, which report the error the way graphql-core does. Random per process, so
# no stored text can imitate it.
NULL_VIOLATION = f"trellis:null-violation:{uuid.uuid4()}"


def _not_null(
    gql_type: Any, column: Any, value: ColumnElement[Any], serialised: ColumnElement[Any]
) -> ColumnElement[Any]:
    """``serialised``, or the violation marker where GraphQL forbids the null it would be."""
    is_json = isinstance(column.type, JSONB)
    if not isinstance(gql_type, GraphQLNonNull) or not (column.nullable or is_json):
        return serialised
    missing: ColumnElement[bool] = value.is_(None)
    if is_json:
        missing = missing | (func.jsonb_typeof(value) == sql_string("null"))
    return case(
        (missing, func.to_json(cast(sql_string(NULL_VIOLATION), Text))),
        else_=func.to_json(serialised),
    )


def scalar(gql_type: Any, column: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A column's value as the GraphQL scalar serialises it."""
    return _not_null(gql_type, column, value, _serialised(gql_type, column, value))


def _serialised(gql_type: Any, column: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
    if isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    if isinstance(gql_type, GraphQLList):
        raise Unsupported("list-valued column")
    column_type = column.type
    if isinstance(gql_type, GraphQLEnumType):
        return _enum(gql_type, column, value)
    name = gql_type.name
    if name == "String" and isinstance(column_type, String) and not isinstance(column_type, SAEnum):
        return value
    if name == "Int" and isinstance(column_type, Integer):
        return value
    if name == "Boolean" and isinstance(column_type, Boolean):
        return value
    if name == "ID" and isinstance(column_type, PG_UUID | String):
        return cast(value, Text)
    if name == "DateTime" and isinstance(column_type, DateTime):
        return _iso_datetime(value, aware=bool(column_type.timezone))
    if name == "Date" and isinstance(column_type, Date) and not isinstance(column_type, DateTime):
        return _iso_date(value)
    if name == "Decimal" and isinstance(column_type, Numeric) and column_type.asdecimal:
        if column_type.scale is None:
            raise Unsupported("unscaled numeric")  # str(Decimal) may use an exponent
        return cast(value, Text)
    if name == "JSON" and isinstance(column_type, JSONB):
        return value
    raise Unsupported(f"scalar {name} on {column_type!r}")


def _enum(gql_type: GraphQLEnumType, column: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
    column_type = column.type
    enum_class = getattr(column_type, "enum_class", None)
    if not isinstance(column_type, SAEnum) or enum_class is None:
        raise Unsupported("enum field on a non-enum column")
    # The database holds each member's value (the loaders map it back with enum_class(label));
    # GraphQL writes the name its own serialiser gives the member.
    names = {str(member.value): gql_type.serialize(member) for member in enum_class}
    label = cast(value, Text)
    if all(label_ == name for label_, name in names.items()):
        return label
    return case(
        *((label == sql_string(db), sql_string(name)) for db, name in names.items()),
        else_=None,
    )


def _cursor_value(column: Any, value: ColumnElement[Any]) -> ColumnElement[str]:
    """One ordering value as `loaders.paging.encode_cursor` writes it, as JSON text."""
    python_type = _python_type(column)
    if python_type is datetime:
        return cast(func.to_json(_iso_datetime(value, aware=bool(column.type.timezone))), Text)
    text: ColumnElement[Any]
    if python_type is date:
        text = _iso_date(value)
    elif python_type in (uuid.UUID, Decimal, str) or isinstance(column.type, SAEnum):
        text = cast(value, Text)
    elif python_type in (int, bool):
        return cast(func.to_json(value), Text)
    else:
        raise Unsupported(f"cursor over {column.type!r}")
    return cast(func.to_json(text), Text)


def _concat(parts: list[ColumnElement[Any]]) -> ColumnElement[str]:
    result = parts[0]
    for part in parts[1:]:
        result = result.op("||")(part)
    return result


def cursor(spec: PageSpec, row: FromClause) -> ColumnElement[str]:
    """The keyset cursor of a row: base64url of `["<signature>",[<values>]]` (orjson's
    compact JSON, which `decode_cursor` reads back)."""
    parts: list[ColumnElement[Any]] = [
        sql_string("[" + orjson.dumps(order_signature(spec.order)).decode() + ",[")
    ]
    for i, term in enumerate(spec.order):
        if i:
            parts.append(sql_string(","))
        column = getattr(term.column, "expression", term.column)
        value = row.c[f"_o{i}"]
        parts.append(func.coalesce(_cursor_value(column, value), sql_string("null")))
    parts.append(sql_string("]]"))
    return _base64url(_concat(parts))


def labelled(cls: type[Any]) -> list[ColumnElement[Any]]:
    shape = shape_of(cls)
    return [c.label(n) for c, n in zip(shape.columns, shape.names, strict=True)]


def empty_array() -> ColumnElement[Any]:
    return literal_column("'[]'::json")
