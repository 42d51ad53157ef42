"""Real `trellis serve` processes for the tests whose behaviour crosses a process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from graph.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    database_url: URL, log_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start `trellis serve` on a free port against ``database_url``; yield its base URL once
    /readyz answers, stop it afterwards. Its output goes to ``log_dir``/server.log."""
    with server_process(database_url, log_dir, workers=workers, env=env) as (base, _):
        yield base


@contextmanager
def server_process(
    database_url: URL, log_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`running_server`, yielding the process too (to signal it); stopped afterwards unless
    the test stopped it."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url.render_as_string(hide_password=False)}
    environment.pop("TRELLIS_MODE", None)
    environment.update(env or {})
    log = log_dir / "server.log"
    command = [sys.executable, "-m", "graph.admin.cli", "serve", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not become ready:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def running_worker(
    database_url: URL, log_path: Path, *, env: dict[str, str] | None = None, concurrency: int = 1
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `trellis worker` against ``database_url`` (output to ``log_path``); yield the
    process, stop it afterwards unless the test killed it."""
    environment = {**os.environ, "DATABASE_URL": database_url.render_as_string(hide_password=False)}
    environment.update(env or {})
    command = [sys.executable, "-m", "graph.admin.cli", "worker", "--concurrency", str(concurrency)]
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            command, env=environment, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)
