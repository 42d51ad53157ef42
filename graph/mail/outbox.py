"""Writing a message to the outbox, in the caller's transaction.

The row and the queue job that sends it (``trellis:send_email``) are written on the caller's
session: a rolled-back change sends nothing, and the workers hear of the job only at commit.
The row is not a change of any entity the API shows, so it is not in the change log.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from graph.jobs import queue
from graph.mail.templates import Message
from models.mail import OutboundEmail

SEND_EMAIL = f"{queue.NAMESPACE}:send_email"


async def queue_email(session: AsyncSession, *, to: str, message: Message) -> OutboundEmail:
    """Put ``message`` to ``to`` in the outbox and queue its sending."""
    row = OutboundEmail(
        kind=message.kind,
        to_address=to,
        subject=message.subject[:300],
        text_body=message.text,
        html_body=message.html,
    )
    session.add(row)
    await session.flush()
    row.queue_job_id = await queue.defer(session, SEND_EMAIL, {"outbox_id": str(row.id)})
    await session.flush()
    return row
