"""Runtime settings, read once from the environment.

Every knob has a documented default; the README lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


# What an upload may be, by the type sniffed from its bytes (graph/storage/sniff.py).
DEFAULT_UPLOAD_MIME_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/json",
)


@dataclass(frozen=True, slots=True)
class Settings:
    # None means: start the embedded PostgreSQL under `data_dir`.
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL") or None)
    data_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("TRELLIS_DATA_DIR", PROJECT_ROOT / ".trellis"))
    )
    database_name: str = field(default_factory=lambda: os.environ.get("TRELLIS_DB_NAME", "trellis"))
    # Connections per server process (SQLAlchemy pool size; overflow doubles it under bursts).
    pool_size: int = field(default_factory=lambda: _int("TRELLIS_POOL_SIZE", 10))
    default_page_size: int = field(default_factory=lambda: _int("TRELLIS_DEFAULT_PAGE_SIZE", 20))
    max_page_size: int = field(default_factory=lambda: _int("TRELLIS_MAX_PAGE_SIZE", 100))
    access_token_ttl_seconds: int = field(
        default_factory=lambda: _int("TRELLIS_ACCESS_TOKEN_TTL", 60 * 60)
    )
    refresh_token_ttl_seconds: int = field(
        default_factory=lambda: _int("TRELLIS_REFRESH_TOKEN_TTL", 30 * 24 * 60 * 60)
    )
    # Query limits (graph/kernel/limits.py): each refused with a coded GraphQL error before any
    # resolver runs.
    max_depth: int = field(default_factory=lambda: _int("TRELLIS_MAX_DEPTH", 12))
    max_aliases: int = field(default_factory=lambda: _int("TRELLIS_MAX_ALIASES", 30))
    max_directives: int = field(default_factory=lambda: _int("TRELLIS_MAX_DIRECTIVES", 50))
    max_tokens: int = field(default_factory=lambda: _int("TRELLIS_MAX_TOKENS", 5000))
    max_operations: int = field(default_factory=lambda: _int("TRELLIS_MAX_OPERATIONS", 10))
    max_cost: int = field(default_factory=lambda: _int("TRELLIS_MAX_COST", 200_000))
    # Request bodies over this many bytes get HTTP 413 before parsing (graph/server/security.py).
    max_body_bytes: int = field(default_factory=lambda: _int("TRELLIS_MAX_BODY_BYTES", 1 << 20))
    # Origins allowed to call the API from a browser (CORS) and to open WebSockets,
    # comma-separated; empty means same-origin only.
    cors_origins: tuple[str, ...] = field(default_factory=lambda: _list("TRELLIS_CORS_ORIGINS"))
    # Login throttling (per process): failed attempts per account and per client address
    # within the window.
    login_attempts_per_account: int = field(
        default_factory=lambda: _int("TRELLIS_LOGIN_ATTEMPTS_PER_ACCOUNT", 5)
    )
    login_attempts_per_address: int = field(
        default_factory=lambda: _int("TRELLIS_LOGIN_ATTEMPTS_PER_ADDRESS", 20)
    )
    login_window_seconds: int = field(default_factory=lambda: _int("TRELLIS_LOGIN_WINDOW", 15 * 60))
    # Seconds an authenticated viewer is reused for its token (0: authenticate every request);
    # any change to accounts, memberships, roles, sessions or API keys clears them at once.
    viewer_cache_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_VIEWER_CACHE", "5"))
    )
    # Subscriptions (WebSocket on /graphql): graphql-transport-ws always; the legacy
    # graphql-ws protocol only when enabled. A connection that sends no connection_init
    # within the timeout is closed (4408).
    ws_legacy_protocol: bool = field(
        default_factory=lambda: os.environ.get("TRELLIS_WS_LEGACY", "") in ("1", "true", "yes")
    )
    ws_init_timeout_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_WS_INIT_TIMEOUT", "10"))
    )
    # Subscribers' credentials are re-checked this often: an expired token's subscriptions
    # end (revocations end them at once).
    ws_recheck_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_WS_RECHECK", "60"))
    )
    # A design-project presence lives this long after the client's last `presenceUpdate`.
    presence_ttl_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_PRESENCE_TTL", "30"))
    )
    # Background jobs (graph/jobs/): jobs one `trellis worker` process runs at a time.
    worker_concurrency: int = field(default_factory=lambda: _int("TRELLIS_WORKER_CONCURRENCY", 4))
    # A worker records a heartbeat this often; one silent for `worker_stalled_seconds` is
    # taken for dead and its running jobs are queued again, checked every
    # `worker_stalled_check_seconds` by every live worker.
    worker_heartbeat_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_WORKER_HEARTBEAT", "10"))
    )
    worker_stalled_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_WORKER_STALLED", "30"))
    )
    worker_stalled_check_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_WORKER_STALLED_CHECK", "15"))
    )
    # A worker without a notification looks for new jobs this often (LISTEN/NOTIFY wakes
    # it at once otherwise).
    worker_poll_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TRELLIS_WORKER_POLL", "5"))
    )
    # Queries whose every field maps onto the data model are compiled into one SQL statement
    # that builds the JSON answer (graph/compiled/); "0" runs every query through the
    # resolvers (the reference path, used to compare).
    compiled_queries: bool = field(
        default_factory=lambda: (
            os.environ.get("TRELLIS_COMPILED_QUERIES", "1") not in ("0", "false", "no")
        )
    )
    # A query is compiled the n-th time the same document and variables are asked (1: at
    # once); before that the resolvers answer, which is cheaper for a one-off query.
    compile_after: int = field(default_factory=lambda: _int("TRELLIS_COMPILE_AFTER", 2))
    # Uploads (GraphQL multipart requests, `fileUpload`): bytes per file, files per request, and
    # the MIME types accepted, as sniffed from the bytes. A multipart request's body may be up
    # to max_files x max_bytes plus `max_body_bytes` for its other parts; it is streamed to
    # temporary files, not held in memory.
    upload_max_bytes: int = field(
        default_factory=lambda: _int("TRELLIS_UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
    )
    upload_max_files: int = field(default_factory=lambda: _int("TRELLIS_UPLOAD_MAX_FILES", 5))
    upload_mime_types: tuple[str, ...] = field(
        default_factory=lambda: _list("TRELLIS_UPLOAD_MIME_TYPES") or DEFAULT_UPLOAD_MIME_TYPES
    )
    # Download URLs (`FileAsset.url`) expire after this many seconds (rounded up to a minute).
    file_url_ttl_seconds: int = field(default_factory=lambda: _int("TRELLIS_FILE_URL_TTL", 3600))
    # The HMAC secret signing download URLs. Required in production (the same on every
    # process); in development one is made and kept at <data dir>/file-signing.key.
    file_signing_secret: str | None = field(
        default_factory=lambda: os.environ.get("TRELLIS_FILE_SECRET") or None
    )
    # Soft-deleted rows (organizations, items, projects, properties, clients...) can be
    # restored by an OWNER or ADMIN for this many seconds after their deletion; after it, the
    # hourly housekeeping task deletes them for good (graph/jobs/housekeeping.py).
    deleted_retention_seconds: int = field(
        default_factory=lambda: _int("TRELLIS_DELETED_RETENTION", 30 * 24 * 60 * 60)
    )
    # "development" keeps GraphiQL and introspection on; "production" turns them off.
    mode: str = field(default_factory=lambda: os.environ.get("TRELLIS_MODE", "development"))

    @property
    def production(self) -> bool:
        return self.mode == "production"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
