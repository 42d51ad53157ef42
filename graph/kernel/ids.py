"""Global IDs and the node-type registry: `node(id:)` and every ID argument decode through here."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any, TypeVar

from graphql import GraphQLError
from strawberry.types.lazy_type import LazyType

# Type name -> GraphQL node class, for node(id) resolution. Filled by @node_type.
NODE_TYPES: dict[str, type[Any]] = {}

# Other types found by name where an import would point upward (the change stream builds
# `Change` records without importing the history types). Filled by @named_type.
NAMED_TYPES: dict[str, type[Any]] = {}

N = TypeVar("N", bound=type[Any])


class InvalidId(ValueError):
    """A string that is not a global ID of this API (or not of the expected type)."""


def node_type(cls: N) -> N:
    """Register a Strawberry node type so `node(id:)` can resolve its IDs."""
    NODE_TYPES[cls.__name__] = cls
    return cls


def named_type(cls: N) -> N:
    """Register a Strawberry type so lower layers can find it by name."""
    NAMED_TYPES[cls.__name__] = cls
    return cls


class Registered(LazyType[str, str]):
    """A type named by the registry, found when the schema is built: the kernel names a
    domain type (`Node.history`'s `ChangeConnection`) without importing it."""

    def resolve_type(self) -> type[Any]:
        return NAMED_TYPES[self.type_name]


def registered(type_name: str) -> Any:
    """An annotation for the registered type ``type_name`` (see `Registered`)."""
    return Registered(type_name, __name__)


def to_global_id(type_name: str, pk: uuid.UUID) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str, *, expected: str | None = None) -> tuple[str, uuid.UUID]:
    """Decode a global ID; raise InvalidId unless it names a known type (the expected one)."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        pk = uuid.UUID(raw_pk)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidId(f"{global_id!r} is not a valid ID") from exc
    if type_name not in NODE_TYPES:
        raise InvalidId(f"{global_id!r} is not a valid ID")
    if expected is not None and type_name != expected:
        article = "an" if expected[:1].upper() in "AEIOU" else "a"
        raise InvalidId(f"{global_id!r} is not the ID of {article} {expected}")
    return type_name, pk


def decode_id(global_id: str, expected: str) -> uuid.UUID:
    return from_global_id(global_id, expected=expected)[1]


def user_error(message: str, code: str) -> GraphQLError:
    """A client mistake in a query argument: a GraphQL error with a code, never masked."""
    return GraphQLError(message, extensions={"code": code})
