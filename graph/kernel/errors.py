"""Expected failures: domain exceptions raised by ops, and the GraphQL types they become.

Ops raise these; `resolvers.writes.mutate` turns them into payload members in one place. A
mutation's payload is a union of its success type and only the error types it can produce.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import strawberry


@strawberry.enum(description="Why a mutation failed.")
class ErrorCode(enum.Enum):
    VALIDATION = "validation"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"


@strawberry.enum(description="Why one input field was refused.")
class FieldErrorCode(enum.Enum):
    REQUIRED = "required"
    INVALID = "invalid"
    INVALID_ID = "invalid_id"
    INVALID_FORMAT = "invalid_format"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    OUT_OF_RANGE = "out_of_range"
    ALREADY_EXISTS = "already_exists"
    NOT_FOUND = "not_found"
    TOO_LARGE = strawberry.enum_value(
        "too_large", description="An uploaded file is over the size limit."
    )
    UNSUPPORTED_TYPE = strawberry.enum_value(
        "unsupported_type",
        description="An uploaded file's bytes are not of a type the server accepts.",
    )


@strawberry.interface(description="An expected failure, returned in a mutation payload.")
class Error:
    message: str
    code: ErrorCode
    path: list[str] = strawberry.field(
        description="The input field the error is about, from the input's root; empty when "
        "it concerns the whole input."
    )


@strawberry.type(description="One input field that was refused.")
class FieldError:
    path: list[str]
    code: FieldErrorCode
    message: str


@strawberry.type(description="The input was refused; `fields` says which parts and why.")
class ValidationError(Error):
    fields: list[FieldError]


@strawberry.type(description="An object the input names does not exist or is not visible.")
class NotFoundError(Error):
    id: strawberry.ID | None


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
