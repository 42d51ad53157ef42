"""Files over HTTP: upload and download throughput of one large file, and the server's memory.

    python -m bench.files                      # 20 MB, 3 rounds
    python -m bench.files --mb 24 --rounds 5

Each round uploads the file to a real `trellis serve` (bench/server.py) as a GraphQL
multipart request (`fileUpload`), then downloads it through the signed URL the upload
returned, streaming, and checks the bytes' SHA-256. Prints MB/s (10^6 bytes per second, wall
time of the whole request) for each direction and round, and the server's memory: its peak
resident set (VmHWM, since the process started) and the highest VmRSS sampled every 20 ms
during the transfers, against its resident set before the first upload. The server's files
go to a temporary data directory, removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.engine import URL

import models
from bench import server
from graph.admin import migrations
from graph.auth import ACCESS_PREFIX, REFRESH_PREFIX, hash_password, hash_token, new_token
from graph.database import Database, drop_database, ensure_database, server_url
from graph.kernel.ids import to_global_id
from graph.settings import PROJECT_ROOT, get_settings

DATABASE_NAME = "trellis_bench_files"
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
MB = 1000 * 1000
MIB = 1024 * 1024

UPLOAD = """
mutation($input: FileUploadInput!) {
  fileUpload(input: $input) {
    __typename
    ... on FileSuccess { file { id sizeBytes sha256 url } }
    ... on Error { message }
  }
}"""


def say(message: str) -> None:
    print(f"[bench.files] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Owner:
    token: str
    organization: str  # global ID


async def _prepare(url: URL) -> Owner:
    await drop_database(url)
    await ensure_database(url)
    await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, pool_size=2)
    try:
        async with db.sessions() as session, session.begin():
            owner_role = await session.scalar(
                select(models.Role.id).where(
                    models.Role.name == "OWNER", models.Role.organization_id.is_(None)
                )
            )
            org = models.Organization(name="Files bench", slug="files-bench")
            user = models.User(
                email="owner@bench.test", full_name="Owner", password_hash=hash_password("x")
            )
            session.add_all([org, user])
            await session.flush()
            session.add(
                models.Membership(user_id=user.id, organization_id=org.id, role_id=owner_role)
            )
            token = new_token(ACCESS_PREFIX)
            now = datetime.now(UTC)
            session.add(
                models.AuthSession(
                    user_id=user.id,
                    token_hash=hash_token(token),
                    refresh_token_hash=hash_token(new_token(REFRESH_PREFIX)),
                    expires_at=now + timedelta(days=1),
                    refresh_expires_at=now + timedelta(days=1),
                )
            )
            return Owner(token, to_global_id("Organization", org.id))
    finally:
        await db.dispose()


def _status(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _pids(srv: server.Server) -> list[int]:
    return [srv.process.pid, *server._descendants(srv.process.pid)]


def _memory(srv: server.Server, field: str) -> int:
    """``field`` (VmRSS, VmHWM) summed over the server and its worker processes."""
    return sum(_status(pid, field) for pid in _pids(srv))


def payload(size: int) -> bytes:
    """``size`` bytes that sniff as a PDF (the magic number, then random bytes)."""
    head = b"%PDF-1.7\n"
    return head + os.urandom(size - len(head))


def _round(
    client: httpx.Client, srv: server.Server, owner: Owner, body: bytes, n: int
) -> tuple[float, float]:
    variables = {"input": {"organization": owner.organization, "file": None}}
    operations = json.dumps({"query": UPLOAD, "variables": variables})
    data = {"operations": operations, "map": '{"0": ["variables.input.file"]}'}
    headers = {"Authorization": f"Bearer {owner.token}", "X-Trellis-CSRF": "1"}
    started = time.perf_counter()
    response = client.post(
        srv.graphql_url,
        data=data,
        files=[("0", (f"bench-{n}.pdf", body, "application/pdf"))],
        headers=headers,
    )
    up = time.perf_counter() - started
    response.raise_for_status()
    result = response.json()["data"]["fileUpload"]
    if result["__typename"] != "FileSuccess":
        raise RuntimeError(f"upload refused: {result}")
    file = result["file"]
    digest = hashlib.sha256()
    received = 0
    started = time.perf_counter()
    with client.stream("GET", srv.base_url + file["url"]) as download:
        download.raise_for_status()
        for chunk in download.iter_bytes():
            digest.update(chunk)
            received += len(chunk)
    down = time.perf_counter() - started
    expected = hashlib.sha256(body).hexdigest()
    if received != len(body) or digest.hexdigest() != expected or file["sha256"] != expected:
        raise RuntimeError("the downloaded bytes differ from the uploaded ones")
    return up, down


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.files", description=__doc__)
    parser.add_argument("--mb", type=float, default=20, help="file size in MB (10^6 bytes)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    size = int(args.mb * MB)

    url = server_url(get_settings()).set(database=DATABASE_NAME)
    say(f"preparing {url.database}")
    owner = asyncio.run(_prepare(url))
    body = payload(size)
    with tempfile.TemporaryDirectory(prefix="trellis-bench-files-") as data_dir:
        # The server gets DATABASE_URL from server.start, so this directory holds only its
        # files (and its signing key), never a database.
        os.environ["TRELLIS_DATA_DIR"] = data_dir
        srv = server.start(url, RESULTS_DIR / "files-server.log")
        peak = [0]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.02):
                peak[0] = max(peak[0], _memory(srv, "VmRSS"))

        try:
            rss_before = _memory(srv, "VmRSS")
            hwm_before = _memory(srv, "VmHWM")
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            rounds = []
            with httpx.Client(timeout=120) as client:
                for n in range(args.rounds):
                    up, down = _round(client, srv, owner, body, n)
                    rounds.append((up, down))
                    say(f"round {n + 1}: up {size / MB / up:.0f} MB/s, down {size / MB / down:.0f}")
            sampling.set()
            sampler.join()
            hwm_after = _memory(srv, "VmHWM")
            rss_after = _memory(srv, "VmRSS")
        finally:
            srv.stop()
    ups = [size / MB / up for up, _ in rounds]
    downs = [size / MB / down for _, down in rounds]
    lines = [
        f"file {size / MB:g} MB ({size / MIB:.1f} MiB), {args.rounds} rounds, one server "
        "process, client on the same machine",
        "upload MB/s:   "
        + ", ".join(f"{v:.0f}" for v in ups)
        + f"  (median {statistics.median(ups):.0f})",
        "download MB/s: "
        + ", ".join(f"{v:.0f}" for v in downs)
        + f"  (median {statistics.median(downs):.0f})",
        f"server RSS MiB: before {rss_before / MIB:.1f}, peak sampled {peak[0] / MIB:.1f}, "
        f"after {rss_after / MIB:.1f}; VmHWM before {hwm_before / MIB:.1f}, "
        f"after {hwm_after / MIB:.1f}",
    ]
    print("\n".join(lines))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    Path(RESULTS_DIR / "files.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
