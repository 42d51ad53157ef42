"""GraphQL-shaped error responses for requests refused before (or instead of) execution.

Every answer of the GraphQL endpoint is a JSON body with `errors[].message` and
`extensions.code`, in the media type the client accepts, whatever refused it: the HTTP layer
(a malformed body, a method, an unknown operation), a credential, or a limit. A client that
calls `res.json()` on any answer can read it.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.responses import JSONResponse

from graph.kernel.limits import COST_HEADER

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
GRAPHQL_RESPONSE_CONTENT_TYPE = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"

# The codes of request errors, by HTTP status, when nothing more precise is known.
STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class RequestError(HTTPException):
    """An HTTP-level refusal with the `extensions.code` a client branches on (and, for a
    405, the methods allowed)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status, message)
        self.code = code or STATUS_CODES.get(status, "BAD_REQUEST")
        self.headers = headers or {}
        self.extensions = extensions or {}


def error_body(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    """A response body with one error and no `data` (nothing was executed)."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def wants_graphql_response_json(accept: str) -> bool:
    """Whether a client sending this `Accept` header prefers
    `application/graphql-response+json` to plain JSON."""
    best: tuple[float, str] | None = None
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if media not in {GRAPHQL_RESPONSE_JSON, "application/json"}:
            continue
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        # Equal weights favour graphql-response+json (the spec's recommendation).
        rank = (q, media)
        if (
            best is None
            or rank[0] > best[0]
            or (rank[0] == best[0] and media == GRAPHQL_RESPONSE_JSON)
        ):
            best = rank
    return best is not None and best[0] > 0 and best[1] == GRAPHQL_RESPONSE_JSON


def error_response(
    status: int,
    message: str,
    code: str,
    *,
    accept: str = "",
    headers: dict[str, str] | None = None,
    cost: str | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A GraphQL-shaped error answer, in the media type ``accept`` prefers."""
    all_headers = dict(headers or {})
    if cost is not None:
        all_headers[COST_HEADER] = cost
    response = JSONResponse(
        error_body(message, code, **extensions), status_code=status, headers=all_headers
    )
    if wants_graphql_response_json(accept):
        response.headers["content-type"] = GRAPHQL_RESPONSE_CONTENT_TYPE
    return response


def request_error_response(
    exc: HTTPException, accept: str, cost: str | None = None
) -> JSONResponse:
    """The JSON answer for an HTTP-level refusal raised while handling a GraphQL request."""
    if isinstance(exc, RequestError):
        return error_response(
            exc.status_code,
            exc.reason,
            exc.code,
            accept=accept,
            headers=exc.headers,
            cost=cost,
            **exc.extensions,
        )
    status = exc.status_code
    headers = {"Allow": "GET, POST"} if status == 405 else None
    return error_response(
        status,
        exc.reason,
        STATUS_CODES.get(status, "BAD_REQUEST"),
        accept=accept,
        headers=headers,
        cost=cost,
    )
