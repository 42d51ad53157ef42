"""GraphQL-over-HTTP conformance: graphql-http's audit suite (`serverAudits`, the npm package
pinned in tests/http_audit/package.json) against a real `trellis serve`.

Every MUST audit has to pass and every SHOULD audit too: a `warn` is a failure here, as is an
`error`. Notices (MAY) are fine. Audits Trellis fails on purpose are in `ALLOWED`, each with
its reason.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from tests.servers import running_server

AUDIT_DIR = Path(__file__).parent / "http_audit"
NODE = shutil.which("node")
NPM = shutil.which("npm")

# Audit id -> why Trellis deliberately does not do what it asks.
ALLOWED: dict[str, str] = {}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        NODE is None or NPM is None,
        reason="node and npm are needed to run graphql-http's audits: install Node.js 20",
    ),
]


@pytest.fixture(scope="module")
def audit_script() -> Path:
    """tests/http_audit/audit.mjs, with its node_modules installed from the lock file."""
    if not (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        assert NPM is not None
        done = subprocess.run(
            [NPM, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=AUDIT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return AUDIT_DIR / "audit.mjs"


@pytest.fixture
def server(database_url: URL, tmp_path: Path) -> Iterator[str]:
    with running_server(database_url, tmp_path, workers=1) as base:
        yield base


def run_audits(script: Path, url: str) -> list[dict[str, Any]]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(script), url],
        cwd=AUDIT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"audit.mjs failed:\n{done.stdout}\n{done.stderr}"
    results: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])["results"]
    return results


def test_graphql_over_http_audits(audit_script: Path, server: str) -> None:
    results = run_audits(audit_script, f"{server}/graphql")
    counts = Counter(result["status"] for result in results)
    print(f"graphql-http audits: {dict(sorted(counts.items()))}")
    for result in results:
        if result["status"] != "ok":
            print(f"  [{result['status']}] {result['id']} {result['name']}: {result['reason']}")
    assert len(results) > 50, f"suspiciously few audits ran: {len(results)}"
    failures = [
        result
        for result in results
        if result["status"] in {"warn", "error"} and result["id"] not in ALLOWED
    ]
    described = "\n".join(
        f"- [{r['status']}] {r['id']} {r['name']}: {r['reason']}\n    response: {r['response']}"
        for r in failures
    )
    assert not failures, f"{len(failures)} of {len(results)} audits failed:\n{described}"
    unexpected = set(ALLOWED) - {r["id"] for r in results if r["status"] != "ok"}
    assert not unexpected, f"allow-listed audits now pass (or no longer exist): {unexpected}"
