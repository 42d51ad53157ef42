"""HTTP hardening: request ids (and the cost header on every answer of the GraphQL
endpoint), body-size limit, CSRF refusal, CORS that explains a refused preflight, login
throttling. The GraphQL router's stricter HTTP behaviour is graph/server/router.py.

The middlewares are pure ASGI: they see every request before FastAPI or Strawberry do.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp as StarletteASGIApp

from graph.context import request_id
from graph.kernel.limits import COST_HEADER, cost_header
from graph.server.responses import (
    GRAPHQL_RESPONSE_CONTENT_TYPE,
    error_body,
    error_response,
    wants_graphql_response_json,
)
from graph.settings import Settings

log = logging.getLogger("trellis.http")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = "X-Request-ID"
# Headers a cross-site page cannot add without CORS's consent, so any of them proves the
# request passed a preflight: Trellis's own, the GraphQL-over-HTTP one, and Apollo Client's
# (`Apollo-Require-Preflight` with uploads, `X-Apollo-Operation-Name` on every request).
CSRF_HEADERS = (
    "x-trellis-csrf",
    "graphql-require-preflight",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
# What a browser app may send cross-origin (when its origin is listed): credentials, the
# CSRF headers, Apollo Client's client awareness, and W3C trace context.
CORS_ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "X-Trellis-CSRF",
    "GraphQL-Require-Preflight",
    "Apollo-Require-Preflight",
    "X-Apollo-Operation-Name",
    "Apollographql-Client-Name",
    "Apollographql-Client-Version",
    "Traceparent",
    "Tracestate",
    REQUEST_ID_HEADER,
)
# Content types a browser may POST cross-site without a CORS preflight.
SIMPLE_CONTENT_TYPES = {
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "",
}

_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# The current request's id, for logs and masked errors ("-" outside a request).


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_json(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(message, code)).encode()
    media = (
        GRAPHQL_RESPONSE_CONTENT_TYPE
        if wants_graphql_response_json(_header(scope, b"accept") or "")
        else "application/json"
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media.encode()),
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

    def __init__(self, app: ASGIApp, max_cost: int = 0, graphql_path: str = "/graphql") -> None:
        self.app = app
        # Every answer of the GraphQL endpoint carries the cost header; one refused before
        # the cost was computed (a malformed body, a credential, a limit) costs nothing.
        self.no_cost = (COST_HEADER.lower().encode(), cost_header(0, max_cost).encode())
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        graphql = scope.get("path") == self.graphql_path
        given = _header(scope, b"x-request-id")
        rid = given if given and _CLIENT_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.append((REQUEST_ID_HEADER.lower().encode(), rid.encode()))
                if graphql and not any(k.lower() == self.no_cost[0] for k, _ in headers):
                    headers.append(self.no_cost)
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
                await _send_json(scope, send, 400, "BAD_REQUEST", "Invalid Content-Length.")
                return
            if too_big:
                await self._refuse(scope, send, limit)
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
                await self._refuse(scope, send, self.max_bytes)
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
                await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        await _send_json(
            scope, send, 413, "REQUEST_TOO_LARGE", f"The request body is larger than {limit} bytes."
        )


class CSRFMiddleware:
    """Refuse POSTs a browser could send cross-site without a preflight.

    Form, multipart (uploads) and plain-text bodies (and bodies without a content type) need a
    custom header, `X-Trellis-CSRF`, `GraphQL-Require-Preflight`, `Apollo-Require-Preflight`
    or `X-Apollo-Operation-Name` (Apollo Client's), which a cross-site page cannot add
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
                    scope,
                    send,
                    403,
                    "CSRF_REFUSED",
                    f"A '{content_type or 'no content type'}' POST needs an X-Trellis-CSRF, "
                    "GraphQL-Require-Preflight, Apollo-Require-Preflight or "
                    "X-Apollo-Operation-Name header; send application/json instead.",
                )
                return
        await self.app(scope, receive, send)


def unauthenticated_response(
    message: str = "The access token or API key is invalid, expired or revoked.",
    code: str = "UNAUTHENTICATED",
    accept: str = "",
) -> JSONResponse:
    """HTTP 401 for an `Authorization` header that is malformed, or names a bearer token or
    API key that is invalid, expired (`TOKEN_EXPIRED`) or revoked."""
    return error_response(401, message, code, accept=accept, headers={"WWW-Authenticate": "Bearer"})


class ExplainedCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, whose refused preflight says why in a GraphQL-shaped body: in
    development, which setting admits the origin (logged once per origin too)."""

    def __init__(
        self,
        app: StarletteASGIApp,
        *,
        explain: bool,
        allow_origins: Sequence[str],
        allow_headers: Sequence[str],
        expose_headers: Sequence[str],
    ) -> None:
        super().__init__(
            app,
            allow_origins=allow_origins,
            allow_methods=["GET", "POST"],
            allow_headers=allow_headers,
            expose_headers=expose_headers,
            max_age=600,
        )
        self.explain = explain
        self.logged: set[str] = set()

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        origin = request_headers["origin"]
        asked = request_headers.get("access-control-request-headers", "")
        allowed = {h.lower() for h in CORS_ALLOWED_HEADERS}
        refused = [h.strip() for h in asked.split(",") if h.strip().lower() not in allowed]
        if not self.is_allowed_origin(origin=origin):
            code = "CORS_ORIGIN_REFUSED"
            message = f"The origin {origin} may not call this API from a browser."
            if self.explain:
                message += (
                    f" Add it to TRELLIS_CORS_ORIGINS (comma-separated), e.g. "
                    f"TRELLIS_CORS_ORIGINS={origin}, and restart the server."
                )
        elif refused:
            code = "CORS_HEADERS_REFUSED"
            message = f"These request headers are not allowed cross-origin: {', '.join(refused)}."
        else:
            code = "CORS_METHOD_REFUSED"
            message = "Only GET and POST are allowed cross-origin."
        if origin not in self.logged and len(self.logged) < 1000:
            self.logged.add(origin)
            log.warning("CORS preflight refused (%s): %s", code, message)
        dropped = {"content-length", "content-type"}
        headers = {k: v for k, v in response.headers.items() if k.lower() not in dropped}
        return error_response(400, message, code, headers=headers)


def install_middlewares(app: FastAPI, settings: Settings) -> None:
    """Outermost first: request id, CORS, CSRF, body limit."""
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        multipart_max_bytes=settings.max_body_bytes
        + settings.upload_max_files * settings.upload_max_bytes,
    )
    app.add_middleware(CSRFMiddleware)
    # Always on: with no origin listed it admits none, and explains a refused preflight.
    app.add_middleware(
        ExplainedCORSMiddleware,
        explain=not settings.production,
        allow_origins=list(settings.cors_origins),
        allow_headers=list(CORS_ALLOWED_HEADERS),
        expose_headers=[REQUEST_ID_HEADER, COST_HEADER],
    )
    app.add_middleware(RequestIdMiddleware, max_cost=settings.max_cost)
