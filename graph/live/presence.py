"""Presence in design projects, across server processes.

A client announces where it is in a project (`presenceUpdate`: its cursor cell, the node it
edits) and repeats it as a heartbeat; the row lives in `design_presence` until it expires,
the client leaves, or the client's presence subscription ends. Every change is sent on the
``trellis_presence`` channel with the whole row as payload (presence is small and gone once
deleted); each process listens once and hands the events of a project to its subscribers.
Expired rows (a vanished client, a crashed process) are swept by a periodic queue task
(`sweep_presence` in graph/jobs/tasks.py, every two seconds, taken by one worker of the
cluster) that announces their departure; concurrent sweeps cannot announce a row twice
(DELETE ... RETURNING). One sweep serves the whole cluster, whatever the number of server
processes, and its queue rows are deleted once done (the worker deletes successful jobs),
so the queue does not grow with it. Without a running `trellis worker` nothing sweeps:
leaving clients are still announced (`presenceLeave`, a closed subscription), vanished ones
are not — `make run` and the deployment notes run a worker beside the servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.live.listen import listen

log = logging.getLogger("trellis.presence")

CHANNEL = "trellis_presence"
# Events a subscriber may have waiting; beyond that the oldest are dropped (presence is a
# live picture, not a log: the next heartbeat repairs it).
QUEUE_CAPACITY = 256

COLUMNS = (
    "id, project_id, organization_id, user_id, client_id, cursor_x, cursor_y, "
    "editing_type, editing_id, expires_at, created_at, updated_at"
)
_UUIDS = ("id", "project_id", "organization_id", "user_id", "editing_id")
_TIMES = ("expires_at", "created_at", "updated_at")

JOIN, UPDATE, LEAVE = "join", "update", "leave"


def row_payload(kind: str, row: dict[str, Any]) -> str:
    """The NOTIFY payload for a presence row (all of it; a few hundred bytes)."""
    return json.dumps({"kind": kind, "row": row}, default=str)


def _parse_row(raw: dict[str, Any]) -> dict[str, Any]:
    row = dict(raw)
    for key in _UUIDS:
        if row.get(key) is not None:
            row[key] = uuid.UUID(row[key])
    for key in _TIMES:
        if row.get(key) is not None:
            row[key] = datetime.fromisoformat(row[key])
    return row


async def notify(execute: Any, kind: str, rows: list[dict[str, Any]]) -> None:
    """Announce presence changes (inside the writing transaction: sent at its commit)."""
    for row in rows:
        await execute("SELECT pg_notify(%(channel)s, %(payload)s)", {
            "channel": CHANNEL, "payload": row_payload(kind, row),
        })  # fmt: skip


# Delete the expired rows and announce each departure, in one statement (psycopg
# placeholders; the channel is a parameter).
SWEEP_EXPIRED = (
    "WITH gone AS (DELETE FROM design_presence WHERE expires_at < now() "
    f"RETURNING {COLUMNS}) "
    "SELECT count(pg_notify(%(channel)s, json_build_object("
    "'kind', 'leave', 'row', row_to_json(gone))::text)) FROM gone"
)


@dataclass(slots=True)
class PresenceEvent:
    kind: str
    row: dict[str, Any]


class Watcher:
    """One presence subscription: a project's events waiting to be delivered."""

    def __init__(self, project_id: uuid.UUID) -> None:
        self.project_id = project_id
        self.queue: deque[PresenceEvent] = deque(maxlen=QUEUE_CAPACITY)
        self.wakeup = asyncio.Event()


class PresenceHub:
    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.watchers: dict[uuid.UUID, set[Watcher]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._started: asyncio.Future[None] | None = None

    async def start(self) -> None:
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
            ready = asyncio.Event()
            self._tasks = [
                asyncio.create_task(
                    listen(
                        self.conninfo, CHANNEL, on_notify=self._dispatch, on_listening=ready.set
                    ),
                    name="trellis-presence-listen",
                ),
            ]
            await ready.wait()
            self._started.set_result(None)
        await asyncio.shield(self._started)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _dispatch(self, payload: str) -> None:
        try:
            message = json.loads(payload)
            event = PresenceEvent(message["kind"], _parse_row(message["row"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed presence notification")
            return
        for watcher in self.watchers.get(event.row["project_id"], ()):
            watcher.queue.append(event)
            watcher.wakeup.set()

    async def watch(self, project_id: uuid.UUID) -> AsyncGenerator[PresenceEvent, None]:
        await self.start()
        watcher = Watcher(project_id)
        self.watchers.setdefault(project_id, set()).add(watcher)
        try:
            while True:
                while watcher.queue:
                    yield watcher.queue.popleft()
                watcher.wakeup.clear()
                await watcher.wakeup.wait()
        finally:
            watchers = self.watchers.get(project_id)
            if watchers is not None:
                watchers.discard(watcher)
                if not watchers:
                    del self.watchers[project_id]
