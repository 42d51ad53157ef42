"""Runtime settings: one validated model (pydantic-settings), read once from the environment.

Every setting names its environment variable, its default, what it accepts and what it
means; an invalid value stops the process at start with one line naming the variable and
what it accepts (`load_settings` / `InvalidSettings`), and `trellis config` prints the
effective values with secrets masked. ARCHITECTURE.md says how to add one.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class MetricsAccess(StrEnum):
    """Who may read `/metrics`."""

    OFF = "off"
    LOCAL = "local"
    TOKEN = "token"


class LogFormat(StrEnum):
    """How log lines are written: JSON when stdout is not a terminal (``auto``), or always."""

    AUTO = "auto"
    JSON = "json"
    TEXT = "text"


# The spellings TRELLIS_MODE accepts (any case); anything else is refused, never taken for
# development.
MODE_SPELLINGS = {
    "development": Mode.DEVELOPMENT,
    "dev": Mode.DEVELOPMENT,
    "production": Mode.PRODUCTION,
    "prod": Mode.PRODUCTION,
}


def _mode(value: object) -> object:
    if isinstance(value, str):
        spelled = MODE_SPELLINGS.get(value.strip().lower())
        if spelled is None:
            raise ValueError("not a mode")
        return spelled
    return value


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


# A comma-separated list in the environment (not JSON).
CommaList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_list)]

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


def setting(
    env: str,
    default: Any = None,
    meaning: str = "",
    *,
    secret: bool = False,
    accepts: str | None = None,
    shown_default: str | None = None,
    **bounds: Any,
) -> Any:
    """A setting read from the environment variable ``env``: its default, what it means
    (the README's table and `trellis config --markdown`), whether it is a secret (masked
    by `trellis config`), and bounds (``ge``, ``le``, ``gt``) for numbers."""
    extra: dict[str, Any] = {"secret": secret}
    if accepts is not None:
        extra["accepts"] = accepts
    if shown_default is not None:
        extra["shown_default"] = shown_default
    return Field(
        default, validation_alias=env, description=meaning, json_schema_extra=extra, **bounds
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        frozen=True,
        populate_by_name=True,
        env_ignore_empty=True,  # VAR= means the default, as unset
        extra="ignore",
        allow_inf_nan=False,
        validate_default=True,
    )

    # --- database ---------------------------------------------------------------------------
    database_url: str | None = setting(
        "DATABASE_URL",
        None,
        "a `postgresql://` URL of a real server; Trellis uses the database it names",
        secret=True,
        accepts="a postgresql:// URL",
        shown_default="unset: embedded PostgreSQL",
    )
    data_dir: Path = setting(
        "TRELLIS_DATA_DIR",
        PROJECT_ROOT / ".trellis",
        "where the embedded server keeps its data (and, by default, uploaded files)",
        accepts="a directory",
        shown_default="`.trellis`",
    )
    database_name: str = setting(
        "TRELLIS_DB_NAME", "trellis", "the database name on the embedded server", min_length=1
    )
    # Connections per server process (SQLAlchemy pool size; overflow doubles it under bursts).
    pool_size: int = setting(
        "TRELLIS_POOL_SIZE",
        10,
        "read connections per process (writes get half as many; see Running in production)",
        ge=1,
        le=1000,
    )
    # --- API --------------------------------------------------------------------------------
    mode: Mode = setting(
        "TRELLIS_MODE",
        Mode.DEVELOPMENT,
        '`production` turns GraphiQL, introspection and "Did you mean" hints off and '
        "requires `DATABASE_URL` and `TRELLIS_FILE_SECRET`",
        accepts="`development` (`dev`) or `production` (`prod`), any case",
    )
    default_page_size: int = setting(
        "TRELLIS_DEFAULT_PAGE_SIZE",
        20,
        "page size when a connection gets neither `first` nor `last`",
        ge=1,
        le=10_000,
    )
    max_page_size: int = setting(
        "TRELLIS_MAX_PAGE_SIZE",
        100,
        "the largest `first`/`last` accepted; more is an error",
        ge=1,
        le=10_000,
    )
    access_token_ttl_seconds: int = setting(
        "TRELLIS_ACCESS_TOKEN_TTL", 60 * 60, "access-token lifetime, seconds", ge=1
    )
    refresh_token_ttl_seconds: int = setting(
        "TRELLIS_REFRESH_TOKEN_TTL",
        30 * 24 * 60 * 60,
        "refresh-token lifetime, seconds (30 days)",
        ge=1,
    )
    # Origins allowed to call the API from a browser (CORS) and to open WebSockets.
    cors_origins: CommaList = setting(
        "TRELLIS_CORS_ORIGINS",
        (),
        "origins allowed to call the API from a browser (CORS) and to open WebSockets; "
        "empty: same origin only",
        accepts="comma-separated origins",
        shown_default="empty",
    )
    # Seconds an authenticated viewer is reused for its token (0: authenticate every request);
    # any change to accounts, memberships, roles, sessions or API keys clears them at once.
    viewer_cache_seconds: float = setting(
        "TRELLIS_VIEWER_CACHE",
        5.0,
        "seconds an authenticated token's viewer is reused (0: authenticate every "
        "request); any account, membership, role, session or API-key change clears it on "
        "every process at once",
        ge=0,
        le=3600,
    )
    # Queries whose every field maps onto the data model are compiled into one SQL statement
    # (graph/compiled/); off runs every query through the resolvers (the reference path).
    compiled_queries: bool = setting(
        "TRELLIS_COMPILED_QUERIES",
        True,
        'compile queries that map onto the data model into one SQL statement (see "How a '
        'query is answered"); off answers every query through the resolvers',
    )
    compile_after: int = setting(
        "TRELLIS_COMPILE_AFTER",
        2,
        "a document (its variables, IDs, page sizes and cursors aside) is compiled the n-th "
        "time it is asked; before that the resolvers answer (compiling costs 4-12 ms)",
        ge=1,
        le=1_000_000,
    )
    # Behind a reverse proxy: only these peers' X-Forwarded-For / X-Forwarded-Proto are
    # believed (uvicorn's proxy headers), so the login throttle and the logs see the client.
    trusted_proxies: CommaList = setting(
        "TRELLIS_TRUSTED_PROXIES",
        (),
        "addresses of the reverse proxies whose `X-Forwarded-For`/`X-Forwarded-Proto` give "
        "the client's address and scheme (uvicorn's proxy headers, from them only); empty: "
        "those headers are ignored and the peer is the client",
        accepts="comma-separated IP addresses or networks (`10.0.0.0/8`), or `*` (any peer)",
        shown_default="empty",
    )
    # Graceful shutdown (graph/server/shutdown.py): on SIGTERM, WebSockets are closed with
    # 1001 and /readyz turns 503 at once; after the delay the process stops accepting and
    # in-flight requests (a worker's running jobs) get the grace period to finish.
    shutdown_grace_seconds: float = setting(
        "TRELLIS_SHUTDOWN_GRACE",
        20.0,
        "on SIGTERM, seconds in-flight requests (a worker's running jobs) may take to finish "
        "before they are cancelled (a cancelled job is queued again)",
        ge=0,
        le=3600,
    )
    shutdown_delay_seconds: float = setting(
        "TRELLIS_SHUTDOWN_DELAY",
        0.0,
        "on SIGTERM, seconds a server keeps accepting (with `/readyz` at 503 and WebSockets "
        "closed) before it stops: time for a load balancer to take it out",
        ge=0,
        le=300,
    )
    # --- observability (graph/observe/) --------------------------------------------------
    metrics: MetricsAccess = setting(
        "TRELLIS_METRICS",
        MetricsAccess.LOCAL,
        "who may read the Prometheus metrics at `/metrics`: `off` (404), `local` (loopback "
        "clients only, 403 for others) or `token` (`Authorization: Bearer` with "
        "`TRELLIS_METRICS_TOKEN`)",
        accepts="`off`, `local` or `token`",
    )
    metrics_token: str | None = setting(
        "TRELLIS_METRICS_TOKEN",
        None,
        "the bearer token `/metrics` asks for when `TRELLIS_METRICS=token`",
        secret=True,
        accepts="any string of 16 characters or more",
        shown_default="unset",
        min_length=16,
    )
    otlp_endpoint: str | None = setting(
        "TRELLIS_OTLP_ENDPOINT",
        None,
        "OpenTelemetry traces are sent to this OTLP/HTTP endpoint (e.g. "
        "`http://collector:4318/v1/traces`); unset: no tracing",
        accepts="an http:// or https:// URL",
        shown_default="unset: tracing off",
    )
    log_format: LogFormat = setting(
        "TRELLIS_LOG_FORMAT",
        LogFormat.AUTO,
        "`json`: one JSON object per log line; `text`: readable lines; `auto`: JSON unless "
        "stdout is a terminal",
        accepts="`auto`, `json` or `text`, any case",
    )
    # --- limits (graph/kernel/limits.py, graph/server/security.py) -------------------------
    max_depth: int = setting(
        "TRELLIS_MAX_DEPTH", 12, "deepest operation accepted (see Limits)", ge=1, le=1000
    )
    max_aliases: int = setting(
        "TRELLIS_MAX_ALIASES", 30, "most aliases in an operation (see Limits)", ge=0
    )
    max_directives: int = setting(
        "TRELLIS_MAX_DIRECTIVES", 50, "most directives in an operation (see Limits)", ge=0
    )
    max_tokens: int = setting(
        "TRELLIS_MAX_TOKENS", 5000, "most lexical tokens in a document (see Limits)", ge=1
    )
    max_operations: int = setting(
        "TRELLIS_MAX_OPERATIONS", 10, "most operations in a document (see Limits)", ge=1
    )
    max_cost: int = setting(
        "TRELLIS_MAX_COST", 200_000, "the highest static cost accepted (see Limits)", ge=1
    )
    max_body_bytes: int = setting(
        "TRELLIS_MAX_BODY_BYTES",
        1 << 20,
        "largest request body, bytes, before parsing (see Limits)",
        ge=1024,
    )
    # Login throttling: failed attempts per account and per client address within the window.
    login_attempts_per_account: int = setting(
        "TRELLIS_LOGIN_ATTEMPTS_PER_ACCOUNT",
        5,
        "failed `authLogin`s for one email within the window before refusing (see Limits)",
        ge=1,
    )
    login_attempts_per_address: int = setting(
        "TRELLIS_LOGIN_ATTEMPTS_PER_ADDRESS",
        20,
        "failed `authLogin`s from one client address within the window (see Limits)",
        ge=1,
    )
    login_window_seconds: int = setting(
        "TRELLIS_LOGIN_WINDOW",
        15 * 60,
        "the sliding window of both login limits, seconds",
        ge=1,
        le=7 * 24 * 3600,
    )
    # --- subscriptions ----------------------------------------------------------------------
    ws_legacy_protocol: bool = setting(
        "TRELLIS_WS_LEGACY",
        False,
        "also accept the legacy `graphql-ws` subprotocol (graphql-transport-ws is always on)",
    )
    ws_init_timeout_seconds: float = setting(
        "TRELLIS_WS_INIT_TIMEOUT",
        10.0,
        "seconds a WebSocket may wait before `connection_init` (then closed with 4408)",
        gt=0,
        le=3600,
    )
    ws_recheck_seconds: float = setting(
        "TRELLIS_WS_RECHECK",
        60.0,
        "seconds between re-checks of subscribers' credentials (an expired token's "
        "subscriptions end; a revoked one's end at once)",
        gt=0,
    )
    presence_ttl_seconds: float = setting(
        "TRELLIS_PRESENCE_TTL",
        30.0,
        "seconds a design-project presence lives after its last `presenceUpdate`",
        gt=0,
    )
    # --- background jobs (graph/jobs/) ------------------------------------------------------
    worker_concurrency: int = setting(
        "TRELLIS_WORKER_CONCURRENCY", 4, "jobs one `trellis worker` runs at a time", ge=1, le=1000
    )
    worker_heartbeat_seconds: float = setting(
        "TRELLIS_WORKER_HEARTBEAT", 10.0, "seconds between a worker's heartbeats", gt=0
    )
    worker_stalled_seconds: float = setting(
        "TRELLIS_WORKER_STALLED",
        30.0,
        "a worker silent this many seconds is taken for dead: its running jobs are queued "
        "again and resumed by another worker",
        gt=0,
    )
    worker_stalled_check_seconds: float = setting(
        "TRELLIS_WORKER_STALLED_CHECK",
        15.0,
        "seconds between each worker's looks for dead workers' jobs",
        gt=0,
    )
    worker_poll_seconds: float = setting(
        "TRELLIS_WORKER_POLL",
        5.0,
        "seconds between a worker's looks for new jobs when no notification arrived "
        "(LISTEN/NOTIFY wakes it at once otherwise)",
        gt=0,
    )
    # --- files ------------------------------------------------------------------------------
    upload_max_bytes: int = setting(
        "TRELLIS_UPLOAD_MAX_BYTES", 25 * 1024 * 1024, "largest uploaded file (see Limits)", ge=1
    )
    upload_max_files: int = setting(
        "TRELLIS_UPLOAD_MAX_FILES", 5, "most files in one request (see Limits)", ge=1, le=1000
    )
    upload_mime_types: CommaList = setting(
        "TRELLIS_UPLOAD_MIME_TYPES",
        DEFAULT_UPLOAD_MIME_TYPES,
        "the MIME types an upload may have, sniffed from its bytes (see Limits)",
        accepts="comma-separated MIME types",
        shown_default="images, PDF, text, CSV, JSON (see Limits)",
    )
    file_url_ttl_seconds: int = setting(
        "TRELLIS_FILE_URL_TTL",
        3600,
        "seconds a `FileAsset.url` stays valid (rounded up to the minute)",
        ge=1,
    )
    file_signing_secret: str | None = setting(
        "TRELLIS_FILE_SECRET",
        None,
        "the HMAC secret signing download URLs, the same on every process; **required** in "
        "production (in development one is made and kept at `<data dir>/file-signing.key`)",
        secret=True,
        accepts="any string",
        shown_default="development: generated",
    )

    deleted_retention_seconds: int = setting(
        "TRELLIS_DELETED_RETENTION",
        30 * 24 * 60 * 60,
        "seconds a soft-deleted organization, project, property, client or item can be restored "
        "(OWNER or ADMIN); a periodic job purges it after that",
        ge=0,
    )
    # Two-factor sign-in (resolvers/accounts/two_factor.py): TOTP secrets encrypted at rest.
    two_factor_keys: CommaList = setting(
        "TRELLIS_TWO_FACTOR_KEYS",
        (),
        "keys encrypting two-factor (TOTP) secrets in the database (Fernet), the same on "
        "every process: the first encrypts, each decrypts (list a new key first to rotate); "
        "empty: the secrets are stored unencrypted",
        secret=True,
        accepts="comma-separated strings of at least 32 characters",
        shown_default="empty",
    )
    # --- email (graph/mail/): the outbox, sent by a queue job over SMTP --------------------
    smtp_host: str | None = setting(
        "TRELLIS_SMTP_HOST",
        None,
        "the SMTP server emails leave through; unset: the worker writes each message to its "
        "log instead (development)",
        accepts="a host name or address",
        shown_default="unset: logged",
    )
    smtp_port: int = setting("TRELLIS_SMTP_PORT", 587, "the SMTP server's port", ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = setting(
        "TRELLIS_SMTP_SECURITY",
        "starttls",
        "`starttls` (upgrade a plain connection, port 587), `tls` (implicit TLS, port 465) or "
        "`none` (a local relay or a test server)",
        accepts="`starttls`, `tls` or `none`, any case",
    )
    smtp_username: str | None = setting(
        "TRELLIS_SMTP_USERNAME", None, "the SMTP user name, if the server asks for one"
    )
    smtp_password: str | None = setting(
        "TRELLIS_SMTP_PASSWORD", None, "the SMTP password", secret=True
    )
    smtp_timeout_seconds: float = setting(
        "TRELLIS_SMTP_TIMEOUT", 30.0, "seconds before an SMTP exchange is given up", gt=0
    )
    email_sender: str = setting(
        "TRELLIS_EMAIL_SENDER",
        "Trellis <no-reply@trellis.localhost>",
        "the `From` of every email",
        min_length=3,
    )
    email_attempts: int = setting(
        "TRELLIS_EMAIL_ATTEMPTS",
        5,
        "attempts at sending one email before it is failed",
        ge=1,
        le=100,
    )
    email_retry_seconds: int = setting(
        "TRELLIS_EMAIL_RETRY",
        10,
        "seconds before the first retry, that many more before each next one",
        ge=0,
    )
    public_url: str = setting(
        "TRELLIS_PUBLIC_URL",
        "http://127.0.0.1:8000",
        "where the links in emails point: the frontend's base URL",
        accepts="an http(s) URL",
    )
    invitation_ttl_seconds: int = setting(
        "TRELLIS_INVITATION_TTL", 7 * 24 * 60 * 60, "seconds an invitation link stays valid", ge=60
    )
    password_reset_ttl_seconds: int = setting(
        "TRELLIS_PASSWORD_RESET_TTL", 60 * 60, "seconds a password-reset link stays valid", ge=60
    )
    email_verification_ttl_seconds: int = setting(
        "TRELLIS_EMAIL_VERIFICATION_TTL",
        3 * 24 * 60 * 60,
        "seconds an email-verification link stays valid",
        ge=60,
    )

    @field_validator("smtp_security", mode="before")
    @classmethod
    def _lower_security(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value.rstrip("/")

    @field_validator("two_factor_keys")
    @classmethod
    def _check_two_factor_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(key) < 32 for key in value):
            raise ValueError("a key shorter than 32 characters")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(
            ("postgres://", "postgresql://", "postgresql+psycopg://")
        ):
            raise ValueError("not a PostgreSQL URL")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if entry != "*":
                ipaddress.ip_network(entry, strict=False)  # ValueError: not an address
        return value

    @field_validator("otlp_endpoint")
    @classmethod
    def _check_otlp(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("metrics", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("mode", mode="before")
    @classmethod
    def _check_mode(cls, value: object) -> object:
        return _mode(value)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.default_page_size > self.max_page_size:
            raise ValueError(
                "TRELLIS_DEFAULT_PAGE_SIZE must not exceed TRELLIS_MAX_PAGE_SIZE "
                f"({self.default_page_size} > {self.max_page_size})"
            )
        if self.metrics == MetricsAccess.TOKEN and not self.metrics_token:
            raise ValueError("TRELLIS_METRICS=token requires TRELLIS_METRICS_TOKEN")
        if self.production:
            missing = [
                "DATABASE_URL (the embedded PostgreSQL is for development)"
                if not self.database_url
                else "",
                "TRELLIS_FILE_SECRET (signs file download URLs)"
                if not self.file_signing_secret
                else "",
            ]
            if any(missing):
                raise ValueError(
                    "production mode requires " + " and ".join(m for m in missing if m)
                )
        return self

    @property
    def production(self) -> bool:
        return self.mode == Mode.PRODUCTION

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed, by attribute name (not validated: tests)."""
        return self.model_copy(update=changes)


class InvalidSettings(Exception):
    """The environment's settings are invalid; ``lines`` say which and what each accepts."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def env_name(name: str) -> str:
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else name.upper()


def accepts(info: FieldInfo) -> str:
    """What a setting accepts, in words (error messages, `trellis config --markdown`)."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "accepts" in extra:
        return str(extra["accepts"])
    kind = info.annotation
    if kind is bool:
        return "true/false, 1/0, yes/no, on/off (any case)"
    if kind in (int, float):
        noun = "an integer" if kind is int else "a number"
        low: str | None = None
        high: str | None = None
        for bound in info.metadata:
            if isinstance(bound, Ge):
                low = f">= {bound.ge}"
            elif isinstance(bound, Gt):
                low = f"> {bound.gt}"
            elif isinstance(bound, Le):
                high = f"<= {bound.le}"
            elif isinstance(bound, Lt):
                high = f"< {bound.lt}"
        limits = " and ".join(b for b in (low, high) if b)
        return f"{noun} {limits}" if limits else noun
    return "a string"


def _problem(error: Any) -> str:
    loc = error.get("loc") or ()
    if not loc:  # a check across settings (model_validator)
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ")
    key = str(loc[0])
    name = next(
        (
            n
            for n, info in Settings.model_fields.items()
            if n == key or str(info.validation_alias).lower() == key.lower()
        ),
        None,
    )
    if name is None:
        return f"{key}: {error.get('msg')}"
    value = error.get("input")
    secret = is_secret(name)
    shown = "(hidden)" if secret else repr(value)
    return f"{env_name(name)}={shown} is invalid: it accepts {accepts(Settings.model_fields[name])}"


def is_secret(name: str) -> bool:
    extra = Settings.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("secret"))


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment (and ``overrides``, by attribute name); raises
    `InvalidSettings` with one line per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise InvalidSettings([_problem(e) for e in exc.errors()]) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
