"""The change stream of one server process: PostgreSQL LISTEN/NOTIFY in, subscribers out.

A commit with changes appends rows to the change log and notifies ``trellis_changes`` with
its last position (resolvers/writes.py). Each process holds one listening connection; on a
notification its `ChangeHub` reads the new change-log rows once (one statement per batch,
whatever the number of subscribers), decides for every subscriber which rows it may see, and
appends them to that subscriber's bounded queue.

Nothing here can lose a change or block on a client:

- positions become visible in increasing order (the write path takes them under an advisory
  lock held to commit), so "everything after position p" is a complete, ordered answer;
- a subscriber whose queue overflows (a slow or dead socket) is not waited for: its queue is
  dropped and it re-reads what it missed from the change log, like a client resuming;
- a lost listening connection is re-opened and the hub reads everything after its head.

Permissions are decided in SQL, by the same `visible_to()` rules every query uses: for a batch
of rows, one statement per entity type evaluates the rule for every subscriber's viewer at
once (the viewer parameters are rebound to the columns of an `unnest` of all viewers) and
returns the current node of each visible row with it. A deleted row is delivered to whoever
may read its change-log row (members of its organization).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncGenerator, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Integer, Text, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import replacement_traverse

from graph.auth import InvalidCredentials, ViewerCache, authenticate
from graph.kernel.ids import NAMED_TYPES, NODE_TYPES
from graph.live.listen import listen
from graph.observe.metrics import DELIVERY_LAG, QUEUE_OVERFLOWS, SUBSCRIPTIONS
from loaders.base import shape_of
from loaders.reader import Reader
from models.history import CHANNEL, ChangeAction, ChangeLog
from models.viewer import VIEWER_ENTITY_TYPES, Viewer

log = logging.getLogger("trellis.changes")

# Rows read per statement while catching up.
BATCH = 200
# Events a subscriber may have waiting before it is switched to reading the log itself
# (which costs no memory while it waits): a slow subscriber holds at most this many.
QUEUE_CAPACITY = 200
# Seconds to wait for the listening connection at start.
START_TIMEOUT = 30.0


@dataclass(slots=True)
class Delivery:
    """A change a subscriber may see, with the changed node as it is now (None if gone)."""

    change: Any  # graph.types.history.Change
    node: Any


def _change_type() -> Any:
    """The GraphQL `Change` type (graph.types.history), found by name: live streams stand
    below the types."""
    return NAMED_TYPES["Change"]


async def read_changes(
    reader: Reader, after: int, *, until: int | None = None, limit: int = BATCH
) -> list[Any]:
    """Change-log rows after a position (up to ``until``), in order, as `Change` objects."""
    change = _change_type()
    shape = shape_of(change)

    def build() -> Select[Any]:
        stmt = select(*shape.columns).where(ChangeLog.position > bindparam("after"))
        if until is not None:
            stmt = stmt.where(ChangeLog.position <= bindparam("until"))
        return stmt.order_by(ChangeLog.position).limit(bindparam("limit"))

    params: dict[str, Any] = {"after": after, "limit": limit}
    if until is not None:
        params["until"] = until
    rows = await reader.rows(("changes", until is not None), build, params)
    return [shape.build(r) for r in rows]


# ---------------------------------------------------------------------------------------------
# Visibility for many viewers in one statement

_VIEWER_PARAMS = {"viewer_id", "viewer_orgs", "viewer_superuser"}


def _for_viewers(cls: type[Any]) -> Select[Any]:
    """``SELECT v.k, <node columns> FROM unnest(viewers) v, <table> WHERE id = ANY(:ids)
    AND <visible_to, with the viewer parameters replaced by v's columns>``."""
    shape = shape_of(cls)
    # The viewers arrive as array literals (text), made once per set of subscribers.
    viewers = (
        func.unnest(
            cast(bindparam("ks", type_=Text), ARRAY(Integer)),
            cast(bindparam("vids", type_=Text), ARRAY(PG_UUID(as_uuid=True))),
            cast(bindparam("vorgs", type_=Text), ARRAY(Text)),
            cast(bindparam("vsupers", type_=Text), ARRAY(Boolean)),
        )
        .table_valued("k", "viewer_id", "viewer_orgs", "viewer_superuser")
        .render_derived(name="v", with_types=False)
    )
    columns = {
        "viewer_id": cast(viewers.c.viewer_id, PG_UUID(as_uuid=True)),
        "viewer_orgs": cast(viewers.c.viewer_orgs, ARRAY(PG_UUID(as_uuid=True))),
        "viewer_superuser": cast(viewers.c.viewer_superuser, Boolean),
    }

    def replace(element: Any) -> Any:  # a viewer parameter -> the viewer's column
        if isinstance(element, BindParameter) and element.key in _VIEWER_PARAMS:
            return columns[element.key]
        return None

    # (SQLAlchemy's stubs have no overload for ColumnElement[bool] with a plain callable.)
    rule = replacement_traverse(shape.model.visible_to(), {}, replace)  # type: ignore[call-overload]
    return (
        select(cast(viewers.c.k, Integer), *shape.columns)
        .select_from(viewers)
        .join(shape.model, rule)
        .where(shape.model.id == func.any(bindparam("ids", type_=ARRAY(PG_UUID(as_uuid=True)))))
    )


def _viewer_key(viewer: Viewer) -> Hashable:
    return (viewer.user_id, viewer.is_superuser, viewer.organizations_literal)


def _array(items: Sequence[str]) -> str:
    return "{" + ",".join(items) + "}"


def viewer_params(viewers: Sequence[Viewer]) -> dict[str, str]:
    """The viewers as the parameters of `_for_viewers`: PostgreSQL array literals."""
    return {
        "ks": _array([str(k) for k in range(len(viewers))]),
        "vids": _array([str(v.user_id) if v.user_id else "NULL" for v in viewers]),
        # Each element is itself an array literal: quote it (it holds only UUIDs and commas).
        "vorgs": _array([f'"{v.organizations_literal}"' for v in viewers]),
        "vsupers": _array(["t" if v.is_superuser else "f" for v in viewers]),
    }


async def visible_rows(
    reader: Reader, cls: type[Any], ids: Sequence[uuid.UUID], viewers: dict[str, str]
) -> dict[tuple[int, uuid.UUID], Any]:
    """{(viewer index, id): node} for each row of ``ids`` each viewer may read; ``viewers``
    from `viewer_params`."""
    if not ids or viewers["ks"] == "{}":
        return {}
    shape = shape_of(cls)
    params = {**viewers, "ids": list(ids)}
    rows = await reader.rows(("visible", cls), lambda: _for_viewers(cls), params)
    return {(r[0], r[1]): shape.build(r[1:]) for r in rows}


class Subscriber:
    """One subscription's place in the stream: which changes it wants, as whom, and the
    deliveries waiting for it."""

    _ids = itertools.count()

    def __init__(self, viewer: Viewer, token: str | None, accepts: Callable[[Any], bool]) -> None:
        self.id = next(self._ids)
        self.viewer, self.token, self.accepts = viewer, token, accepts
        self.queue: deque[Delivery] = deque()
        self.wakeup = asyncio.Event()
        # Set when the queue overflowed: the subscriber re-reads from the log.
        self.overflowed = False
        # The hub delivers positions after this one; earlier ones are read from the log.
        self.live_from = 0
        # Set when the viewer lost its access (revoked token): the stream ends; `refusal`
        # says why when its credential stopped authenticating (expired, revoked).
        self.ended = False
        self.refusal: InvalidCredentials | None = None

    def push(self, delivery: Delivery) -> None:
        if self.overflowed:
            return
        if len(self.queue) >= QUEUE_CAPACITY:
            self.overflowed = True
            QUEUE_OVERFLOWS.inc()
            self.queue.clear()
        else:
            self.queue.append(delivery)
        self.wakeup.set()


class ViewerSet:
    """The distinct viewers of a set of subscribers, each with its index in the parameters
    of `_for_viewers`; kept by the hub while its subscribers stay the same."""

    def __init__(self, subscribers: Sequence[Subscriber]) -> None:
        viewers: list[Viewer] = []
        self.slot: dict[Hashable, int] = {}
        for sub in subscribers:
            key = _viewer_key(sub.viewer)
            if key not in self.slot:
                self.slot[key] = len(viewers)
                viewers.append(sub.viewer)
        self.params = viewer_params(viewers)


async def deliveries(
    reader: Reader,
    changes: Sequence[Any],
    subscribers: Sequence[Subscriber],
    viewer_set: ViewerSet | None = None,
) -> list[list[Delivery]]:
    """For each subscriber, the changes (in order) it wants and may see: one statement per
    entity type in the batch (plus one for deletes), for all subscribers together."""
    viewer_set = viewer_set or ViewerSet(subscribers)
    slot = viewer_set.slot
    wanted: list[tuple[Any, Subscriber]] = [
        (change, sub) for change in changes for sub in subscribers if sub.accepts(change)
    ]
    by_type: dict[type[Any], set[uuid.UUID]] = {}
    for change, _ in wanted:
        cls = NODE_TYPES.get(change.entity_type)
        if change.action is ChangeAction.DELETE or cls is None:
            by_type.setdefault(_change_type(), set()).add(change.pk)
        else:
            by_type.setdefault(cls, set()).add(change.entity_id)
    found: dict[type[Any], dict[tuple[int, uuid.UUID], Any]] = {}
    results = await asyncio.gather(
        *(visible_rows(reader, cls, list(ids), viewer_set.params) for cls, ids in by_type.items())
    )
    found = dict(zip(by_type, results, strict=True))
    out: dict[int, list[Delivery]] = {sub.id: [] for sub in subscribers}
    change_type = _change_type()
    for change, sub in wanted:
        k = slot[_viewer_key(sub.viewer)]
        cls = NODE_TYPES.get(change.entity_type)
        if change.action is ChangeAction.DELETE or cls is None:
            if (k, change.pk) in found[change_type]:
                out[sub.id].append(Delivery(change, None))
            continue
        node = found[cls].get((k, change.entity_id))
        if node is not None:
            copy = object.__new__(cls)  # each subscriber gets its own (prefetch attaches to it)
            copy.__dict__.update(node.__dict__)
            out[sub.id].append(Delivery(change, copy))
    return [out[sub.id] for sub in subscribers]


def _affected(change: Any, sub: Subscriber) -> bool:
    """Whether a change may end ``sub``'s credential or change what its viewer may see or do:
    a change to one of the rows viewers are read from that may be one of this viewer's."""
    if change.entity_type not in VIEWER_ENTITY_TYPES:
        return False
    viewer = sub.viewer
    if change.entity_id in (viewer.user_id, viewer.session_id, viewer.api_key_id):
        return True
    if change.entity_type == "Membership":
        user = change.changes.get("user_id", [None, None])
        return str(viewer.user_id) in (str(user[0]), str(user[1]))
    if change.organization_id is None and change.entity_type in ("Role", "Permission"):
        return True  # a built-in role or a permission: any viewer may hold it
    return change.organization_id in viewer.permissions or change.entity_type == "Organization"


class ChangeHub:
    """One per process: the listening connection, the head position, the subscribers."""

    def __init__(
        self,
        conninfo: str,
        reader: Reader,
        viewers: ViewerCache | None = None,
        *,
        recheck_seconds: float = 60.0,
    ) -> None:
        self.conninfo, self.reader = conninfo, reader
        self.recheck_seconds = recheck_seconds
        self.viewers = viewers or ViewerCache()
        self.head = 0
        self.subscribers: dict[int, Subscriber] = {}
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._started: asyncio.Future[None] | None = None
        # The subscribers' viewers as statement parameters, rebuilt when they change.
        self._viewer_set: ViewerSet | None = None

    async def start(self) -> None:
        """Start listening (once; concurrent callers wait for the first). Listening comes
        before reading the head, so nothing committed in between is missed."""
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
            listening = asyncio.Event()

            def on_listening() -> None:
                self.viewers.enabled = True
                self._dirty.set()  # read whatever was committed while we were away
                listening.set()

            def on_lost() -> None:
                # Deaf to invalidations: cached viewers can no longer be trusted.
                self.viewers.enabled = False
                self.viewers.clear()

            self._tasks = [
                asyncio.create_task(
                    listen(
                        self.conninfo, CHANNEL, on_notify=lambda _: self._dirty.set(),
                        on_listening=on_listening, on_lost=on_lost,
                    ),
                    name="trellis-changes-listen",
                )
            ]  # fmt: skip
            try:
                await asyncio.wait_for(listening.wait(), START_TIMEOUT)
                rows = await self.reader.execute("SELECT max(position) FROM change_log", {})
                self.head = rows[0][0] or 0
            except BaseException as exc:
                await self.close()
                self._started.set_exception(exc)
                self._started = None
                raise
            self._tasks += [
                asyncio.create_task(self._fetch(), name="trellis-changes-fetch"),
                asyncio.create_task(self._recheck(), name="trellis-changes-recheck"),
            ]
            self._started.set_result(None)
        await asyncio.shield(self._started)

    async def close(self) -> None:
        self.viewers.enabled = False
        self.viewers.clear()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    async def _fetch(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                while True:
                    changes = await read_changes(self.reader, self.head)
                    if not changes:
                        break
                    await self._dispatch(changes)
            except Exception:
                log.exception("reading the change log failed; retrying")
                await asyncio.sleep(0.5)
                self._dirty.set()

    async def _dispatch(self, changes: list[Any]) -> None:
        # Taken together, synchronously: a subscriber registered from now on is live only
        # after this batch, and reads the batch itself from the log.
        subscribers = list(self.subscribers.values())
        self.head = changes[-1].position
        if subscribers:
            now = time.time()
            for change in changes:
                DELIVERY_LAG.observe(max(0.0, now - change.created_at.timestamp()))
        if any(c.entity_type in VIEWER_ENTITY_TYPES for c in changes):
            self.viewers.clear()
        await self._refresh_viewers(changes, subscribers)
        subscribers = [s for s in subscribers if not s.ended]
        cached = self._viewer_set
        if cached is None or any(_viewer_key(s.viewer) not in cached.slot for s in subscribers):
            self._viewer_set = cached = ViewerSet(subscribers)
        found_all = await deliveries(self.reader, changes, subscribers, cached)
        for sub, found in zip(subscribers, found_all, strict=True):
            for delivery in found:
                sub.push(delivery)

    async def _refresh_viewers(self, changes: list[Any], subscribers: list[Subscriber]) -> None:
        stale = [s for s in subscribers if any(_affected(c, s) for c in changes)]
        await self._reauthenticate(stale)

    async def _recheck(self) -> None:
        """Re-read every subscriber's viewer now and then: a credential that expires (no
        change is recorded for that) ends its subscriptions within ``recheck_seconds``."""
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                await self._reauthenticate(list(self.subscribers.values()))
            except Exception:
                log.exception("re-checking subscribers' credentials failed")

    async def _reauthenticate(self, stale: list[Subscriber]) -> None:
        viewers = await asyncio.gather(
            *(authenticate(self.reader, s.token) for s in stale), return_exceptions=True
        )
        for sub, viewer in zip(stale, viewers, strict=True):
            if isinstance(viewer, InvalidCredentials):
                sub.ended = True
                sub.refusal = viewer
                sub.wakeup.set()
            elif isinstance(viewer, Viewer):
                sub.viewer = viewer
        if stale:
            self._viewer_set = None

    async def newest_position(self) -> int:
        """The newest recorded position, read from the log (this process's head may lag a
        commit made elsewhere by the time its notification takes)."""
        rows = await self.reader.execute("SELECT max(position) FROM change_log", {})
        return int(rows[0][0] or 0)

    def register(self, sub: Subscriber) -> None:
        sub.live_from = self.head
        self.subscribers[sub.id] = sub
        self._viewer_set = None
        SUBSCRIPTIONS.inc()

    def unregister(self, sub: Subscriber) -> None:
        if self.subscribers.pop(sub.id, None) is not None:
            self._viewer_set = None
            SUBSCRIPTIONS.dec()

    async def stream(self, sub: Subscriber, after: int | None) -> AsyncGenerator[Delivery, None]:
        """Every change after ``after`` that ``sub`` wants and may see, then live ones: in
        order, without gaps or repeats."""
        await self.start()
        self.register(sub)
        try:
            position = sub.live_from if after is None else after
            while not sub.ended:
                # Catching up: read from the log what the hub will not deliver.
                while position < sub.live_from:
                    changes = await read_changes(self.reader, position, until=sub.live_from)
                    if not changes:
                        break
                    for delivery in (await deliveries(self.reader, changes, [sub]))[0]:
                        yield delivery
                    position = changes[-1].position
                position = max(position, sub.live_from)
                # Live.
                while not sub.ended:
                    if sub.overflowed:
                        sub.queue.clear()
                        sub.overflowed = False
                        sub.live_from = self.head
                        break
                    if sub.queue:
                        delivery = sub.queue.popleft()
                        if delivery.change.position > position:
                            position = delivery.change.position
                            yield delivery
                        continue
                    sub.wakeup.clear()
                    await sub.wakeup.wait()
        finally:
            self.unregister(sub)
