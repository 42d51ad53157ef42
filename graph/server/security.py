"""HTTP hardening: request ids, body-size limit, CSRF refusal, CORS, and the GraphQL router's
stricter HTTP behaviour (400 for malformed bodies, 405 for mutations over GET,
`application/graphql-response+json`).

The middlewares are pure ASGI: they see every request before FastAPI or Strawberry do.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cross_web import HTTPException
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from graph.context import request_id
from graph.kernel.limits import COST_HEADER
from graph.server.graphiql import GraphiQLRouter
from graph.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = "X-Request-ID"
# Apollo Client sends `Apollo-Require-Preflight` with uploads (apollo-upload-client).
CSRF_HEADERS = ("x-trellis-csrf", "graphql-require-preflight", "apollo-require-preflight")
# Content types a browser may POST cross-site without a CORS preflight.
SIMPLE_CONTENT_TYPES = {
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "",
}
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
GRAPHQL_RESPONSE_CONTENT_TYPE = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"

_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# The current request's id, for logs and masked errors ("-" outside a request).


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_json(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the whole ``body`` (already read) first, then what ``receive``
    gives (a disconnect)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class RequestIdMiddleware:
    """Give each request an id: the client's `X-Request-ID` when it is sane, else a new one.

    It is echoed in the response's `X-Request-ID`, kept in `request_id` for logs, and put
    in masked errors' `extensions.requestId`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        rid = given if given and _CLIENT_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.append((REQUEST_ID_HEADER.lower().encode(), rid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


class _TooLarge(Exception):
    """A streamed (multipart) body passed its limit while the application read it."""


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with HTTP 413, before anything parses them.

    A `Content-Length` over the limit is refused at once; otherwise the body is counted as
    it streams in (chunked uploads included) and refused as soon as it passes the limit.

    Multipart bodies (uploads) have their own, larger limit, `multipart_max_bytes`, and are
    streamed to the application rather than read first: the multipart parser spools files to
    temporary files, so a large upload is never held in memory. Passing the limit midway
    ends the request with the same 413 (the parser's temporary files are dropped).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, multipart_max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.multipart_max_bytes = multipart_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        multipart = content_type == "multipart/form-data"
        limit = self.multipart_max_bytes if multipart else self.max_bytes
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await _send_json(send, 400, "BAD_REQUEST", "Invalid Content-Length.")
                return
            if too_big:
                await self._refuse(send, limit)
                return
        if multipart:
            await self._stream(scope, receive, send, limit)
            return
        # Read the whole body (bounded), then replay it to the application.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send, self.max_bytes)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replaying(b"".join(chunks), receive), send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        await _send_json(
            send, 413, "REQUEST_TOO_LARGE", f"The request body is larger than {limit} bytes."
        )


class CSRFMiddleware:
    """Refuse POSTs a browser could send cross-site without a preflight.

    Form, multipart (uploads) and plain-text bodies (and bodies without a content type) need a
    custom header, `X-Trellis-CSRF`, `GraphQL-Require-Preflight` or `Apollo-Require-Preflight`
    (Apollo Client's, for uploads), which a cross-site page cannot add
    without CORS's consent. JSON bodies always trigger a preflight, so they pass.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in {"GET", "HEAD", "OPTIONS"}:
            content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
            if content_type in SIMPLE_CONTENT_TYPES and not any(
                _header(scope, name.encode()) for name in CSRF_HEADERS
            ):
                await _send_json(
                    send,
                    403,
                    "CSRF_REFUSED",
                    f"A '{content_type or 'no content type'}' POST needs an X-Trellis-CSRF, "
                    "GraphQL-Require-Preflight or Apollo-Require-Preflight header; send "
                    "application/json instead.",
                )
                return
        await self.app(scope, receive, send)


def unauthenticated_response() -> JSONResponse:
    """HTTP 401 for a bearer token or API key that is invalid, expired or revoked."""
    return JSONResponse(
        {
            "data": None,
            "errors": [
                {
                    "message": "The access token or API key is invalid, expired or revoked.",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ],
        },
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def install_middlewares(app: FastAPI, settings: Settings) -> None:
    """Outermost first: request id, CORS, CSRF, body limit."""
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        multipart_max_bytes=settings.max_body_bytes
        + settings.upload_max_files * settings.upload_max_bytes,
    )
    app.add_middleware(CSRFMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept",
                "X-Trellis-CSRF",
                "GraphQL-Require-Preflight",
                "Apollo-Require-Preflight",
                REQUEST_ID_HEADER,
            ],
            expose_headers=[REQUEST_ID_HEADER, COST_HEADER],
            max_age=600,
        )
    app.add_middleware(RequestIdMiddleware)


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


async def _close_form(request: Any) -> None:
    """Close a multipart request's spooled files (their temporary files go with them)."""
    if isinstance(request, Request):
        await request.close()


class TooManyFiles(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"A request may carry at most {limit} files.")


class TrellisRouter(GraphiQLRouter):
    """The GraphQL router with GraphQL-over-HTTP's stricter answers:

    - a body that is not a JSON object (a string, number, null; an array, since batching
      is off) or a non-string `operationName` is a 400, never a 500;
    - a mutation over GET is a 405 with `Allow: POST`;
    - `Accept: application/graphql-response+json` gets that media type, and a request that
      fails before execution (syntax, validation, limits) gets a 400 without `data`.
    """

    # Files one multipart request may carry (settings.upload_max_files; set by the app).
    upload_max_files = 5

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        """A GraphQL multipart request, refused (413, `TOO_MANY_FILES`) when it carries more
        files than allowed, before any of them is stored."""
        form = await request.get_form_data()
        count = sum(1 for _, value in form.files.multi_items() if isinstance(value, UploadFile))
        if count > self.upload_max_files:
            raise TooManyFiles(self.upload_max_files)
        return await super().parse_multipart(request)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = super().parse_json(data)
        except RecursionError as exc:  # the standard library's parser nests on the stack
            raise HTTPException(400, "The JSON body is nested too deeply.") from exc
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "Expected a JSON object.")
        return parsed

    async def parse_http_body(self, request: Any) -> Any:
        parsed = await super().parse_http_body(request)
        name = getattr(parsed, "operation_name", None)
        if name is not None and not isinstance(name, str):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string.")
        return parsed

    async def execute_single(self, **kwargs: Any) -> ExecutionResult:  # type: ignore[override]
        try:
            return await super().execute_single(**kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError) and (
                kwargs["request_adapter"].method == "GET"
            ):
                raise HTTPException(405, "Mutations are only accepted over POST.") from exc
            raise

    async def run(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        try:
            response = await super().run(request, **kwargs)
        except TooManyFiles as exc:
            return JSONResponse(
                {"errors": [{"message": exc.reason, "extensions": {"code": "TOO_MANY_FILES"}}]},
                status_code=413,
            )
        except HTTPException as exc:
            if exc.status_code == 405:
                return PlainTextResponse(exc.reason, status_code=405, headers={"Allow": "POST"})
            raise
        finally:
            await _close_form(request)
        if isinstance(request, Request) and isinstance(response, Response):
            if request.scope.get("state", {}).get("graphql_request_error"):
                response.status_code = 400
            accept = request.headers.get("accept", "")
            if wants_graphql_response_json(accept) and response.media_type in {
                None,
                "application/json",
            }:
                response.headers["content-type"] = GRAPHQL_RESPONSE_CONTENT_TYPE
        return response

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if (
            isinstance(request, Request)
            and wants_graphql_response_json(request.headers.get("accept", ""))
            and result.data is None
            and result.errors
            and all(error.path is None for error in result.errors)
        ):
            # Nothing was executed: a request error, which has no `data` entry.
            processed.pop("data", None)
            request.scope.setdefault("state", {})["graphql_request_error"] = True
        return processed
