"""The descriptions of the scalars the schema uses beyond GraphQL's own.

Strawberry defines DateTime, Decimal, JSON and Upload with one-line descriptions that say
nothing of the wire format a client must send and will receive; these replace them."""

from __future__ import annotations

from graphql import GraphQLScalarType, GraphQLSchema

SCALARS = {
    "DateTime": "An instant as an ISO 8601 string with a UTC offset, e.g. "
    "`2026-11-01T09:00:00+00:00`. Trellis always answers in UTC (`+00:00`); send an offset "
    "too (any zone is converted).",
    "Decimal": 'An exact decimal number (money), as a string such as `"425000.00"` so that '
    "no precision is lost in JavaScript; a JSON number is accepted on input too.",
    "JSON": "Any JSON value, stored and returned as given (fields named `metaData` or "
    "`settings` hold a JSON object).",
    "Upload": "A file sent with the GraphQL multipart request spec: a `multipart/form-data` "
    "POST whose `map` puts the file at this variable (it needs the CSRF header; see "
    "`fileUpload`). It cannot be given inline in a JSON body.",
}


def describe_scalars(schema: GraphQLSchema) -> None:
    """Give the schema's scalars above their descriptions (those it does not use are skipped)."""
    for name, description in SCALARS.items():
        scalar = schema.type_map.get(name)
        if isinstance(scalar, GraphQLScalarType):
            scalar.description = description
