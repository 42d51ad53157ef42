"""Sending one outbox row: over SMTP (aiosmtplib) when a host is configured, else into the
log, so `make run` works without a mail server. A failed attempt raises, and the queue
retries it (graph/jobs/tasks.py); the last attempt marks the row failed. A sent message's
bodies are cleared: they hold single-use links."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from sqlalchemy import select

from graph.database import Database
from graph.settings import Settings
from models.mail import EmailStatus, OutboundEmail

log = logging.getLogger("trellis.mail")


def build_message(row: OutboundEmail, sender: str) -> EmailMessage:
    """The MIME message of an outbox row: plain text with an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    # The row's id in the Message-ID: a retried send is recognisably the same message.
    domain = sender.rpartition("@")[2].rstrip(">").strip() or "trellis.localhost"
    message["Message-ID"] = make_msgid(idstring=str(row.id), domain=domain)
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


async def deliver(message: EmailMessage, settings: Settings) -> None:
    security = settings.smtp_security
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        use_tls=security == "tls",
        start_tls=security == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


async def send_outboxed(
    db: Database, outbox_id: uuid.UUID, settings: Settings, *, final: bool
) -> None:
    """One attempt at sending an outbox row; raises on failure (``final``: the last attempt,
    the row is marked failed)."""
    failure: Exception | None = None
    # The row stays locked while it is sent: a second attempt (a retry queued while a slow
    # one still runs) waits, then finds it sent.
    async with db.sessions() as session, session.begin():
        row = await session.scalar(
            select(OutboundEmail).where(OutboundEmail.id == outbox_id).with_for_update()
        )
        if row is None or row.status is not EmailStatus.QUEUED:
            return  # gone, or sent by an earlier attempt
        row.attempts += 1
        message = build_message(row, settings.email_sender)
        try:
            if settings.smtp_host:
                await deliver(message, settings)
                row.status = EmailStatus.SENT
            else:
                log.info(
                    "no SMTP host configured; the message instead:\nTo: %s\nSubject: %s\n\n%s",
                    row.to_address,
                    row.subject,
                    row.text_body,
                )
                row.status = EmailStatus.LOGGED
        except Exception as exc:
            failure = exc
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if final:
                row.status = EmailStatus.FAILED
        else:
            row.sent_at = datetime.now(UTC)
            row.last_error = None
            row.text_body = row.html_body = ""
    if failure is not None:
        state = "for good" if final else "will retry"
        log.warning("email %s failed (%s): %s", outbox_id, state, failure)
        raise failure
