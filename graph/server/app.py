"""The ASGI application: GraphQL (with Trellis's self-hosted GraphiQL) on /graphql, health
probes beside it."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from graph.admin.migrations import behind_message, current_revision, head_revision
from graph.auth import InvalidCredentials, authenticate, bearer_token
from graph.context import Context
from graph.database import Database, database_url
from graph.observe.record import record
from graph.schema import schema_for
from graph.server.files import files_router
from graph.server.graphiql import mount_graphiql
from graph.server.lane import CompiledLane, declined_viewer
from graph.server.observe import ObserveMiddleware, add_metrics_route, observing
from graph.server.responses import STATUS_CODES, error_response
from graph.server.router import TrellisRouter
from graph.server.security import (
    install_middlewares,
    unauthenticated_response,
)
from graph.server.shutdown import Drain, DrainMiddleware
from graph.server.throttle import LoginThrottle
from graph.settings import Settings, get_settings
from graph.storage import files_for, require_secret
from models.viewer import ANONYMOUS

log = logging.getLogger("trellis")


class Unauthenticated(Exception):
    pass


def _init_token(params: object) -> str | None:
    """The bearer token of a WebSocket's connection_init payload: ``{"Authorization":
    "Bearer <token>"}`` (any case), ``{"headers": {"Authorization": ...}}`` (the shape
    Hasura's and several clients' docs use), ``{"authToken": "<token>"}`` or ``{"token":
    "<token>"}``. A malformed Authorization raises `InvalidCredentials`."""
    if not isinstance(params, dict):
        return None
    headers = next((v for k, v in params.items() if k.lower() == "headers"), None)
    for source in (params, headers if isinstance(headers, dict) else {}):
        for key, value in source.items():
            if isinstance(value, str) and key.lower() in ("authorization", "authtoken", "token"):
                if key.lower() == "authorization":
                    return bearer_token(value)
                return value.strip() or None
    return None


class Router(TrellisRouter):
    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a WebSocket by its connection_init payload (HTTP's tokens and API
        keys); a malformed, invalid or expired credential closes the socket with 4403 and a
        reason that says which (graph/server/websocket.py)."""
        try:
            token = _init_token(context.connection_params) or context.token
            viewer = await authenticate(context.db.reader, token)
        except InvalidCredentials as exc:
            raise ConnectionRejectionError(
                {"message": exc.message, "code": exc.code, "reason": exc.close_reason()}
            ) from exc
        context.token = token
        context.refresh(viewer)
        unset: UnsetType = UNSET
        return unset


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    *,
    drain: Drain | None = None,
    handle_signals: bool = False,
) -> FastAPI:
    """The application. ``handle_signals`` (a real server process, graph/server/main.py):
    drain on SIGTERM/SIGINT before uvicorn shuts down (graph/server/shutdown.py)."""
    settings = settings or get_settings()
    drain = drain or Drain()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        require_secret(settings)  # production: no start without TRELLIS_FILE_SECRET
        db = database or Database(
            database_url(settings),
            pool_size=settings.pool_size,
            viewer_cache_seconds=settings.viewer_cache_seconds,
            subscriber_recheck_seconds=settings.ws_recheck_seconds,
        )
        app.state.db = db
        # Listen for changes from the start: subscriptions, and invalidating cached viewers.
        await db.changes.start()
        if handle_signals:
            drain.install(settings.shutdown_delay_seconds)
        # Objects made at start-up live for the process: keep the collector off them.
        gc.freeze()
        async with observing(db):
            yield
        if database is None:
            await db.dispose()

    app = FastAPI(title="Trellis", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.login_throttle = LoginThrottle(
        per_account=settings.login_attempts_per_account,
        per_address=settings.login_attempts_per_address,
        window_seconds=settings.login_window_seconds,
    )
    schema = schema_for(settings)
    files = files_for(settings)
    if schema.compiler is not None and schema.cost_model is not None:
        app.add_middleware(  # innermost: the outer middlewares see every request
            CompiledLane,
            compiler=schema.compiler,
            cost_model=schema.cost_model,
            max_cost=settings.max_cost,
        )
    install_middlewares(app, settings)
    app.add_middleware(ObserveMiddleware)  # outside the request id's: it sees every answer
    app.add_middleware(DrainMiddleware, drain=drain)  # outermost: every WebSocket

    async def get_context(connection: HTTPConnection) -> Context:
        db: Database = connection.app.state.db
        declined = declined_viewer(connection.scope)
        token = None
        try:
            token = bearer_token(connection.headers.get("authorization"))
            if declined is None:
                viewer = await authenticate(db.reader, token, db.viewers)
            else:
                viewer = declined
        except InvalidCredentials as exc:
            if isinstance(connection, WebSocket):  # it may still authenticate in its init
                token, viewer = None, ANONYMOUS
            else:
                raise Unauthenticated from exc
        observed = record()
        if observed is not None and viewer.user_id is not None:
            observed.viewer_id = str(viewer.user_id)
        client = connection.client
        return Context(
            db=db,
            files=files,
            viewer=viewer,
            client_ip=client.host if client else None,
            user_agent=connection.headers.get("user-agent"),
            token=token,
            plan_declined=declined is not None,
        )

    # A browser's GET /graphql gets Trellis's own GraphiQL page (graph/server/graphiql), not
    # Strawberry's CDN one; production mode has no IDE (such a GET is a 404).
    protocols = (GRAPHQL_TRANSPORT_WS_PROTOCOL,) + (
        (GRAPHQL_WS_PROTOCOL,) if settings.ws_legacy_protocol else ()
    )
    graphql = Router(
        schema,
        subscription_protocols=protocols,
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        context_getter=get_context,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=True,
        # GraphQL multipart requests (uploads): CSRF-guarded and size-limited by
        # graph/server/security.py before they reach the router.
        multipart_uploads_enabled=True,
        # Browsers' WebSocket handshakes from other origins are refused unless listed.
        allowed_origins=settings.cors_origins,
    )
    graphql.upload_max_files = settings.upload_max_files
    app.include_router(graphql, prefix="/graphql")
    app.include_router(files_router(files))
    mount_graphiql(app, settings)
    add_metrics_route(app, settings)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, exc: Unauthenticated) -> JSONResponse:
        cause = exc.__cause__
        accept = request.headers.get("accept", "")
        if isinstance(cause, InvalidCredentials):
            return unauthenticated_response(cause.message, cause.code, accept)
        return unauthenticated_response(accept=accept)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """The GraphQL endpoint answers in GraphQL's shape (e.g. a PUT: 405); elsewhere
        FastAPI's own answer."""
        if request.url.path != "/graphql":
            return await http_exception_handler(request, exc)
        allow = {"Allow": "GET, POST"} if exc.status_code == 405 else {}
        accept = request.headers.get("accept", "")
        message = "Only GET and POST." if exc.status_code == 405 else str(exc.detail)
        return error_response(
            exc.status_code,
            message,
            STATUS_CODES.get(exc.status_code, "BAD_REQUEST"),
            accept=accept,
            headers=allow,
        )

    @app.get("/healthz", response_class=JSONResponse)
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", response_class=JSONResponse)
    async def readyz(request: Request) -> JSONResponse:
        """Ready for traffic: the database answers and its schema is at the newest
        migration. 503 with the reason otherwise."""
        if drain.draining:
            return JSONResponse({"status": "unavailable", "reason": "shutting down"}, 503)
        db: Database = request.app.state.db
        try:
            async with db.read_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            current = await current_revision(db.read_engine)
        except Exception:
            log.exception("readiness check failed")
            unreachable = {"status": "unavailable", "reason": "the database is unreachable"}
            return JSONResponse(unreachable, 503)
        head = head_revision()
        if current != head:
            reason = behind_message(current, head)
            body: dict[str, str | None] = {
                "status": "unavailable",
                "reason": reason,
                "migration": current,
                "head": head,
            }
            return JSONResponse(body, 503)
        return JSONResponse({"status": "ok", "migration": current})

    return app
