"""ViewerCache: reuse within its bounds only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from graph.auth import ViewerCache
from models.viewer import Viewer

VIEWER = Viewer(user_id=uuid.uuid4())


def test_a_disabled_cache_keeps_nothing():
    cache = ViewerCache()
    cache.put("k", VIEWER, None)
    assert cache.get("k") is None


def test_an_entry_lives_until_its_ttl():
    cache = ViewerCache(ttl=60)
    cache.enabled = True
    cache.put("k", VIEWER, None)
    assert cache.get("k") is VIEWER
    cache.ttl = -1
    cache.put("k", VIEWER, None)
    assert cache.get("k") is None


def test_an_entry_ends_with_its_credential():
    cache = ViewerCache(ttl=60)
    cache.enabled = True
    cache.put("k", VIEWER, datetime.now(UTC) - timedelta(seconds=1))
    assert cache.get("k") is None


def test_clear_forgets_everything():
    cache = ViewerCache(ttl=60)
    cache.enabled = True
    cache.put("k", VIEWER, None)
    cache.clear()
    assert cache.get("k") is None
