"""One LISTEN connection held for ever: the change stream and presence each keep one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg

log = logging.getLogger("trellis.listen")


async def listen(
    conninfo: str,
    channel: str,
    *,
    on_notify: Callable[[str], None],
    on_listening: Callable[[], None] = lambda: None,
    on_lost: Callable[[], None] = lambda: None,
) -> None:
    """LISTEN on ``channel`` and hand each payload to ``on_notify``. A lost connection is
    re-opened with backoff (0.1 s doubling to 5 s); ``on_lost`` runs when it drops and
    ``on_listening`` each time it listens again (read what was missed meanwhile)."""
    delay = 0.1
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await conn.execute(f"LISTEN {channel}")
                delay = 0.1
                on_listening()
                async for notification in conn.notifies():
                    on_notify(notification.payload)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            log.warning("the %s listener lost its connection; reconnecting", channel)
        on_lost()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)
