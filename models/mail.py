"""The email outbox: every message Trellis sends is first a row here, written in the
transaction of the change that sends it (an invitation, a password reset), so a rolled-back
change sends nothing and a committed one is never lost. A queue job (graph/jobs/tasks.py
``send_email``) delivers it over SMTP, with retries, and records the outcome.

The bodies carry single-use links (tokens whose hashes are elsewhere); once a message is
sent they are cleared, so the outbox keeps who was sent what and when, not the links.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import Base


class EmailStatus(enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    LOGGED = "logged"  # no SMTP server configured: written to the log instead
    FAILED = "failed"


class OutboundEmail(Base):
    __tablename__ = "email_outbox"
    __secret_columns__ = frozenset({"text_body", "html_body"})

    # What the message is, e.g. "invitation", "password_reset", "email_verification".
    kind: Mapped[str] = mapped_column(String(64))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str]
    html_body: Mapped[str]
    status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, name="email_status", values_callable=lambda e: [m.value for m in e]),
        server_default=EmailStatus.QUEUED.value,
    )
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str | None]
    sent_at: Mapped[datetime | None]
    # procrastinate_jobs.id of the job sending it (no foreign key: the queue's tables are
    # the library's).
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("email_outbox_status_created_at_idx", "status", "created_at"),)

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        """Not readable through the API."""
        return false()


__all__ = ["EmailStatus", "OutboundEmail"]
