"""The ASGI application: GraphQL (with Trellis's self-hosted GraphiQL) on /graphql, health
probes beside it."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.requests import HTTPConnection

from graph.auth import InvalidCredentials, authenticate, bearer_token
from graph.context import Context
from graph.database import Database, database_url
from graph.graphiql import mount_graphiql
from graph.migrations import current_revision, head_revision
from graph.schema import schema_for
from graph.security import LoginThrottle, TrellisRouter, install_middlewares
from graph.settings import Settings, get_settings

log = logging.getLogger("trellis")


class Unauthenticated(Exception):
    pass


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or Database(database_url(settings), pool_size=settings.pool_size)
        app.state.db = db
        # Objects made at start-up live for the process: keep the collector off them.
        gc.freeze()
        yield
        if database is None:
            await db.dispose()

    app = FastAPI(title="Trellis", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.login_throttle = LoginThrottle(
        per_account=settings.login_attempts_per_account,
        per_address=settings.login_attempts_per_address,
        window_seconds=settings.login_window_seconds,
    )
    install_middlewares(app, settings)

    async def get_context(connection: HTTPConnection) -> Context:
        db: Database = connection.app.state.db
        token = bearer_token(connection.headers.get("authorization"))
        try:
            viewer = await authenticate(db.reader, token)
        except InvalidCredentials as exc:
            raise Unauthenticated from exc
        client = connection.client
        return Context(
            db=db,
            viewer=viewer,
            client_ip=client.host if client else None,
            user_agent=connection.headers.get("user-agent"),
            token=token,
        )

    # A browser's GET /graphql gets Trellis's own GraphiQL page (graph/graphiql), not
    # Strawberry's CDN one; production mode has no IDE (such a GET is a 404).
    graphql = TrellisRouter(
        schema_for(settings),
        context_getter=get_context,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=True,
        # Browsers' WebSocket handshakes from other origins are refused unless listed.
        allowed_origins=settings.cors_origins,
    )
    app.include_router(graphql, prefix="/graphql")
    mount_graphiql(app, settings)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, exc: Unauthenticated) -> JSONResponse:
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

    @app.get("/healthz", response_class=JSONResponse)
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", response_class=JSONResponse)
    async def readyz(request: Request) -> JSONResponse:
        """The database answers and its schema is at the newest migration."""
        db: Database = request.app.state.db
        try:
            async with db.read_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            current = await current_revision(db.read_engine)
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        head = head_revision()
        if current != head:
            body = {"status": "unavailable", "migration": current, "head": head}
            return JSONResponse(body, 503)
        return JSONResponse({"status": "ok", "migration": current})

    return app
