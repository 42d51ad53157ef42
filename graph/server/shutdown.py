"""Graceful shutdown of a server process.

On SIGTERM (or SIGINT) a process first *drains*: /readyz answers 503, new WebSockets are
refused, and every open WebSocket is closed with code 1001 ("going away"), so graphql-ws
clients reconnect (through the proxy, to another process) and resume with `after:`. After
`TRELLIS_SHUTDOWN_DELAY` seconds (0 by default: time for a load balancer to see the 503)
uvicorn's own shutdown runs: it stops accepting, lets in-flight requests finish for up to
`TRELLIS_SHUTDOWN_GRACE` seconds, then the lifespan closes the listeners and pools.

Uvicorn alone would close WebSockets with 1012 and only after the listening socket closed;
so the app chains its own handler in front of uvicorn's (`install`), from the lifespan,
when uvicorn has installed its handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, MutableMapping
from types import FrameType
from typing import Any

log = logging.getLogger("trellis.shutdown")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

GOING_AWAY = 1001
# How long closing the WebSockets may take before uvicorn's shutdown goes on regardless.
CLOSE_TIMEOUT = 5.0


class _Socket:
    """An accepted WebSocket: its server-side `send`, and whether it is closed."""

    __slots__ = ("closed", "send")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.closed = False

    async def going_away(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):  # the peer may be gone already
            await self.send(
                {"type": "websocket.close", "code": GOING_AWAY, "reason": "server shutting down"}
            )


class Drain:
    """A process's draining state and its open WebSockets."""

    def __init__(self) -> None:
        self.draining = False
        self._sockets: set[_Socket] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def open_sockets(self) -> int:
        return len(self._sockets)

    async def begin(self) -> None:
        """Refuse new WebSockets, answer /readyz with 503, close open WebSockets (1001)."""
        self.draining = True
        sockets = list(self._sockets)
        if sockets:
            log.info("shutting down: closing %d WebSocket(s) with 1001", len(sockets))
            closing = [asyncio.ensure_future(s.going_away()) for s in sockets]
            # A peer that never answers the close frame does not hold the shutdown up.
            await asyncio.wait(closing, timeout=CLOSE_TIMEOUT)

    def install(self, delay: float) -> None:
        """Put a handler in front of the process's SIGTERM and SIGINT handlers (uvicorn's):
        drain, wait ``delay`` seconds, then hand the signal on."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            if not callable(previous):
                continue

            def handler(
                signum: int,
                frame: FrameType | None,
                previous: Callable[[int, FrameType | None], Any] = previous,
            ) -> None:
                if self._task is not None:  # a second signal: no more waiting
                    previous(signum, frame)
                    return
                self._task = loop.create_task(self._drain_then(previous, signum, delay))

            signal.signal(sig, handler)

    async def _drain_then(
        self, previous: Callable[[int, FrameType | None], Any], signum: int, delay: float
    ) -> None:
        try:
            await self.begin()
            if delay > 0:
                await asyncio.sleep(delay)
        except Exception:
            log.exception("draining failed; shutting down anyway")
        finally:
            previous(signum, None)

    async def serve(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``app`` for one connection, tracking an accepted WebSocket (and refusing new
        ones while draining)."""
        if scope["type"] != "websocket":
            await app(scope, receive, send)
            return
        if self.draining:
            await send({"type": "websocket.close", "code": GOING_AWAY})
            return
        socket = _Socket(send)

        async def tracked_send(message: Message) -> None:
            if socket.closed:
                return  # closed by the drain: the app's last words go nowhere
            if message["type"] == "websocket.accept":
                self._sockets.add(socket)
            elif message["type"] == "websocket.close":
                socket.closed = True
            await send(message)

        try:
            await app(scope, receive, tracked_send)
        finally:
            self._sockets.discard(socket)


class DrainMiddleware:
    """Pure ASGI: every WebSocket passes through the process's `Drain`."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.drain.serve(self.app, scope, receive, send)
