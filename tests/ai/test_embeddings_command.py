"""`trellis embeddings-refresh` queues the embedding of every content the default embedder has
not embedded (all, or one organization's), as a real process against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy.engine import URL

from tests.ai.conftest import embed_jobs
from tests.catalog.conftest import Workspace
from tests.factories import Factory
from tests.tenancy_helpers import _content


def _refresh(database_url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url.render_as_string(hide_password=False)}
    command = [sys.executable, "-m", "graph.admin.cli", "embeddings-refresh", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


async def test_refresh_queues_missing_embeddings(
    db, database_url: URL, factory: Factory, workspace: Workspace
):
    # given: two contents written outside the API (no job queued), one in another organization
    item = await factory.item(workspace.owner.user, workspace.org)
    other = await factory.organization(slug="elsewhere")
    elsewhere = await factory.item(workspace.owner.user, other)
    mine = await _content(db, item, "one")
    await _content(db, elsewhere, "two")
    # when
    one = _refresh(database_url, "--organization", workspace.org.slug)
    unknown = _refresh(database_url, "--organization", "nope")
    # then
    assert one.returncode == 0, one.stderr
    assert "queued 1 contents" in one.stdout
    assert await embed_jobs(db) == [str(mine.id)]
    assert unknown.returncode == 1
    assert "no organization 'nope'" in unknown.stderr
    # and all organizations at once: both are missing still (the jobs have not run)
    everything = _refresh(database_url)
    assert "queued 2 contents" in everything.stdout
