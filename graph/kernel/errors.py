"""Expected failures: domain exceptions raised by ops, and the GraphQL types they become.

Ops raise these; `resolvers.writes.mutate` turns them into payload members in one place. A
mutation's payload is a union of its success type and only the error types it can produce.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import strawberry


@strawberry.enum(description="Why a mutation failed.")
class ErrorCode(enum.Enum):
    VALIDATION = strawberry.enum_value(
        "validation", description="The input was refused (`ValidationError`); see its `fields`."
    )
    NOT_FOUND = strawberry.enum_value(
        "not_found",
        description="Something the input names does not exist or is not visible to you "
        "(`NotFoundError`).",
    )
    PERMISSION_DENIED = strawberry.enum_value(
        "permission_denied",
        description="Your role does not allow this (`PermissionDeniedError`).",
    )
    CONFLICT = strawberry.enum_value(
        "conflict",
        description="The change clashes with the data as it is now: a stale `updatedAt`, a "
        "taken name or cell, a finished job (`ConflictError`).",
    )
    UNAUTHENTICATED = strawberry.enum_value(
        "unauthenticated",
        description="Credentials are missing, wrong, expired or revoked (`AuthenticationError`).",
    )


@strawberry.enum(description="Why one input field was refused.")
class FieldErrorCode(enum.Enum):
    REQUIRED = strawberry.enum_value(
        "required", description="The field is missing, null or blank but must have a value."
    )
    INVALID = strawberry.enum_value(
        "invalid", description="The value is not acceptable here; the message says why."
    )
    INVALID_ID = strawberry.enum_value(
        "invalid_id", description="Not a global ID, or the ID of another type of node."
    )
    INVALID_FORMAT = strawberry.enum_value(
        "invalid_format",
        description="The value does not have the expected form (an email, a slug, a color).",
    )
    TOO_SHORT = strawberry.enum_value(
        "too_short", description="Shorter than the minimum length the message states."
    )
    TOO_LONG = strawberry.enum_value(
        "too_long", description="Longer than the maximum length the message states."
    )
    OUT_OF_RANGE = strawberry.enum_value(
        "out_of_range", description="A number or date outside the allowed range."
    )
    ALREADY_EXISTS = strawberry.enum_value(
        "already_exists", description="Another row already has this unique value."
    )
    NOT_FOUND = strawberry.enum_value(
        "not_found", description="The node this field names does not exist or is not visible."
    )
    TOO_LARGE = strawberry.enum_value(
        "too_large", description="An uploaded file is over the size limit."
    )
    UNSUPPORTED_TYPE = strawberry.enum_value(
        "unsupported_type",
        description="An uploaded file's bytes are not of a type the server accepts.",
    )


@strawberry.interface(description="An expected failure, returned in a mutation payload.")
class Error:
    message: str = strawberry.field(
        description="What went wrong, in a sentence for a person (English)."
    )
    code: ErrorCode = strawberry.field(
        description="The kind of failure, for code to branch on (one per error type)."
    )
    path: list[str] = strawberry.field(
        description="The input field the error is about, from the input's root; empty when "
        "it concerns the whole input."
    )


@strawberry.type(description="One input field that was refused.")
class FieldError:
    path: list[str] = strawberry.field(
        description='The refused field, from the input\'s root, e.g. `["title"]` or '
        '`["tags", "2"]` (list positions as strings).'
    )
    code: FieldErrorCode = strawberry.field(description="Why it was refused.")
    message: str = strawberry.field(description="Why, in a sentence for a person.")


@strawberry.type(description="The input was refused; `fields` says which parts and why.")
class ValidationError(Error):
    fields: list[FieldError] = strawberry.field(
        description="Every refused field (at least one), each with its path and reason."
    )


@strawberry.type(description="An object the input names does not exist or is not visible.")
class NotFoundError(Error):
    id: strawberry.ID | None = strawberry.field(
        description="The global ID that was not found, when the input gave one."
    )


@strawberry.type(description="The caller may not do this.")
class PermissionDeniedError(Error):
    permission: str | None = strawberry.field(
        description="The permission that was missing, e.g. `item:update`."
    )


@strawberry.type(description="The change clashes with the current state of the data.")
class ConflictError(Error):
    pass


@strawberry.type(description="Credentials were missing, wrong, expired or revoked.")
class AuthenticationError(Error):
    pass


# ---------------------------------------------------------------------------------------------
# Domain exceptions


@dataclass(frozen=True, slots=True)
class FieldProblem:
    path: tuple[str, ...]
    code: FieldErrorCode
    message: str


class DomainError(Exception):
    """An expected failure; `to_graphql` gives the payload member it becomes."""

    def __init__(self, message: str, path: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = list(path)

    def to_graphql(self) -> Error:
        raise NotImplementedError


class ValidationFailed(DomainError):
    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        first = problems[0]
        super().__init__(first.message if len(problems) == 1 else "The input is invalid.")
        self.problems = list(problems)

    @classmethod
    def one(cls, path: Sequence[str], code: FieldErrorCode, message: str) -> ValidationFailed:
        return cls([FieldProblem(tuple(path), code, message)])

    def to_graphql(self) -> Error:
        return ValidationError(
            message=self.message,
            code=ErrorCode.VALIDATION,
            path=list(self.problems[0].path) if len(self.problems) == 1 else [],
            fields=[
                FieldError(path=list(p.path), code=p.code, message=p.message) for p in self.problems
            ],
        )


class NotFound(DomainError):
    def __init__(self, type_name: str, global_id: str | None, path: Sequence[str] = ()) -> None:
        super().__init__(f"{type_name} not found.", path)
        self.global_id = global_id

    def to_graphql(self) -> Error:
        return NotFoundError(
            message=self.message,
            code=ErrorCode.NOT_FOUND,
            path=self.path,
            id=strawberry.ID(self.global_id) if self.global_id else None,
        )


class PermissionDenied(DomainError):
    def __init__(self, permission: str | None, message: str | None = None) -> None:
        super().__init__(message or f"You do not have the `{permission}` permission here.")
        self.permission = permission

    def to_graphql(self) -> Error:
        return PermissionDeniedError(
            message=self.message,
            code=ErrorCode.PERMISSION_DENIED,
            path=self.path,
            permission=self.permission,
        )


class Conflict(DomainError):
    def to_graphql(self) -> Error:
        return ConflictError(message=self.message, code=ErrorCode.CONFLICT, path=self.path)


class AuthenticationFailed(DomainError):
    def to_graphql(self) -> Error:
        return AuthenticationError(
            message=self.message, code=ErrorCode.UNAUTHENTICATED, path=self.path
        )


# ---------------------------------------------------------------------------------------------
# Payloads and inputs of mutations: their descriptions, written once


def payload(name: str, *mutations: str) -> Any:
    """The `strawberry.union` of a mutation's payload, described:
    ``Annotated[ItemSuccess | ValidationError | ..., payload("ItemCreatePayload")]``;
    ``mutations``: the mutations returning it, when they are not the name without `Payload`."""
    if not mutations:
        mutation = name.removesuffix("Payload")
        mutations = (mutation[:1].lower() + mutation[1:],)
    returned_by = " and ".join(f"`{m}`" for m in mutations)
    return strawberry.union(
        name,
        description=f"The result of {returned_by}: the success type, or one of the typed "
        "errors listed (each implements `Error`: select `... on Error { message code path }`). "
        "Nothing changed unless the success type came back.",
    )


InputT = TypeVar("InputT")

# A mutation's one argument: `async def item_create(self, info, input: MutationInput[...])`.
MutationInput = Annotated[
    InputT,
    strawberry.argument(
        description="The mutation's one input object; its fields are described on its type."
    ),
]


def changed_node() -> Any:
    """The node field of a mutation's success type: `item: Item = changed_node()`."""
    return strawberry.field(
        description="The node after the change, read again once it was committed: its "
        "fields and relations are current (update your cache from it)."
    )


def deleted_id() -> Any:
    """The `deletedId` field of a delete's success type."""
    return strawberry.field(
        description="The global ID of the deleted node: drop it from your cache; `node(id:)` "
        "answers null for it from now on."
    )
