"""A real SMTP server (aiosmtpd) started by the test, and the queue emptied after it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from graph.database import Database
from tests.servers import free_port

TOKEN_IN_LINK = re.compile(r"[?&]token=([A-Za-z0-9_\-]+)")


@dataclass
class Inbox:
    """What arrived at the test's SMTP server: parsed messages, oldest first."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, seconds: float = 30) -> list[EmailMessage]:
        """The first ``count`` messages, once they have arrived (polled every 50 ms)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} emails arrived")
            await asyncio.sleep(0.05)
        return self.messages[:count]


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a message."""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    return plain.get_content(), html.get_content()


def token_in(message: EmailMessage) -> str:
    """The token of the link in a message's text (the HTML link carries the same)."""
    plain, html = parts(message)
    found = TOKEN_IN_LINK.search(plain)
    assert found, plain
    assert f"token={found.group(1)}" in html
    return found.group(1)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
async def _empty_queue(db: Database) -> AsyncIterator[None]:
    """procrastinate's tables are not in our models, so the suite's cleaning skips them."""
    yield
    async with db.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs")
        )
        await conn.execute(text("DELETE FROM procrastinate_workers"))
