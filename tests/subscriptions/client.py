"""A small GraphQL-over-WebSocket client for the tests (graphql-transport-ws and the legacy
graphql-ws), on the `websockets` library: a real socket to a real server process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


class Socket:
    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws, self.protocol = ws, protocol

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def receive(self, wait: float = 10) -> dict[str, Any]:
        """The next message that is not a keep-alive."""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), wait)
            assert isinstance(raw, str), f"a binary frame: {raw!r}"  # browsers need text
            message: dict[str, Any] = json.loads(raw)
            if message.get("type") not in ("ping", "pong", "ka"):
                return message

    async def init(self, token: str | None) -> dict[str, Any]:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": op_id, "type": kind, "payload": payload})

    async def next(self, op_id: str, wait: float = 10) -> dict[str, Any]:
        """The next result for ``op_id``: its `data` (fails on errors or completion)."""
        data_type = "next" if self.protocol == TRANSPORT_WS else "data"
        message = await self.receive(wait)
        assert message.get("id") == op_id, message
        assert message["type"] == data_type, message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def nothing_for(self, seconds: float) -> None:
        """Assert no message arrives for a while."""
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")

    async def closed(self, wait: float = 10) -> tuple[int | None, str]:
        """Wait until the server closes the socket; its close code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), wait)
        except ConnectionClosed as exc:
            frame = exc.rcvd
            return (frame.code, frame.reason) if frame else (None, "")


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def socket(
    base: str, *, token: str | None = None, protocol: str = TRANSPORT_WS, init: bool = True
) -> AsyncIterator[Socket]:
    """A connected socket, acknowledged (``init``) with ``token`` in its init payload."""
    # (websockets types subprotocols as a NewType of str.)
    async with connect(ws_url(base), subprotocols=[protocol], open_timeout=10) as ws:  # type: ignore[list-item]
        sock = Socket(ws, protocol)
        if init:
            ack = await sock.init(token)
            assert ack["type"] == "connection_ack", ack
        yield sock
