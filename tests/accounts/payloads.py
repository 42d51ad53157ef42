"""The exact error payloads the accounts mutations return, built the way the API builds them."""

from __future__ import annotations

from typing import Any

# The body of an HTTP 401: a bearer token that matches no live session or API key.
UNAUTHENTICATED: dict[str, Any] = {
    "errors": [
        {
            "message": "The access token or API key is invalid, expired or revoked.",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ],
}


def validation_error(*fields: tuple[str, str, str]) -> dict[str, Any]:
    """A ValidationError of (top-level input field, FieldErrorCode, message) problems."""
    problems = [
        {"path": [path], "code": code, "message": message} for path, code, message in fields
    ]
    single = len(problems) == 1
    return {
        "__typename": "ValidationError",
        "message": problems[0]["message"] if single else "The input is invalid.",
        "code": "VALIDATION",
        "path": problems[0]["path"] if single else [],
        "fields": problems,
    }


def permission_denied(permission: str | None, message: str | None = None) -> dict[str, Any]:
    return {
        "__typename": "PermissionDeniedError",
        "message": message or f"You do not have the `{permission}` permission here.",
        "code": "PERMISSION_DENIED",
        "path": [],
        "permission": permission,
    }


def not_found(type_name: str, global_id: str, path: str = "id") -> dict[str, Any]:
    return {
        "__typename": "NotFoundError",
        "message": f"{type_name} not found.",
        "code": "NOT_FOUND",
        "path": [path],
        "id": global_id,
    }


def conflict(message: str, path: list[str] | None = None) -> dict[str, Any]:
    return {
        "__typename": "ConflictError",
        "message": message,
        "code": "CONFLICT",
        "path": path or [],
    }


def authentication_error(message: str) -> dict[str, Any]:
    return {
        "__typename": "AuthenticationError",
        "message": message,
        "code": "UNAUTHENTICATED",
        "path": [],
    }
