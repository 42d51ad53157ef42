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
    # "development" keeps GraphiQL and introspection on; "production" turns them off.
    mode: str = field(default_factory=lambda: os.environ.get("TRELLIS_MODE", "development"))

    @property
    def production(self) -> bool:
        return self.mode == "production"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
