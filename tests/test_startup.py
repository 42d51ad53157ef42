"""Start-up checks: `serve` and `worker` on a database behind the migrations say what to run
(or migrate first with --migrate); /readyz reports 503 with the reason."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.engine import URL

from graph.admin.migrations import head_revision
from graph.database import Database, drop_database, ensure_database, server_url
from graph.server.app import create_app
from graph.settings import PROJECT_ROOT, get_settings
from tests.servers import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def empty_url() -> Iterator[URL]:
    """A database of its own with no migrations applied."""
    url = server_url(get_settings()).set(database=f"trellis_start_{uuid.uuid4().hex[:8]}")
    asyncio.run(ensure_database(url))
    yield url
    asyncio.run(drop_database(url))


def _trellis(url: URL, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)}
    env.pop("TRELLIS_MODE", None)
    return subprocess.run(
        [sys.executable, "-m", "graph.admin.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker"]], ids=lambda c: c[0])
def test_serve_and_worker_refuse_a_database_behind_the_migrations(empty_url, command):
    # when
    done = _trellis(empty_url, *command)
    # then
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"trellis: database at revision none (empty), code expects {head_revision()}: "
        "run `trellis migrate`"
    )


def test_serve_with_migrate_migrates_first_then_serves(empty_url, tmp_path):
    # given
    port = free_port()
    env = {**os.environ, "DATABASE_URL": empty_url.render_as_string(hide_password=False)}
    env.pop("TRELLIS_MODE", None)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graph.admin.cli", "serve", "--port", str(port), "--migrate"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # when
        ready = None
        for _ in range(150):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.2)
        # then
        assert ready is not None, log.read_text()
        assert ready.json() == {"status": "ok", "migration": head_revision()}
        assert "database migrated to head" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
async def unmigrated_client(empty_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    db = Database(empty_url, pool_size=2)
    app = create_app(database=db)
    app.state.db = db
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
    finally:
        await db.dispose()


async def test_readyz_is_503_with_the_reason_when_the_schema_is_behind(unmigrated_client):
    # when
    live = await unmigrated_client.get("/healthz")
    ready = await unmigrated_client.get("/readyz")
    # then: alive, but not ready, and saying why
    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "reason": f"database at revision none (empty), code expects {head_revision()}: "
        "run `trellis migrate`",
        "migration": None,
        "head": head_revision(),
    }
