"""The outbox and its sending job: a message is queued with its mutation's transaction (a
refused mutation queues none), logged when no SMTP host is configured, retried when the
server fails, and marked failed after its last attempt."""

from __future__ import annotations

import logging

import pytest

from graph.database import Database
from graph.mail.smtp import send_outboxed
from graph.settings import get_settings
from models.mail import EmailStatus
from tests.factories import gid
from tests.jobs.conftest import run_queue
from tests.mail.conftest import Inbox, parts
from tests.mail.outbox import outbox
from tests.servers import free_port

RESET_REQUEST = """
mutation($email: String!) { passwordResetRequest(input: {email: $email}) { __typename } }
"""


async def test_without_smtp_the_worker_logs_the_message(gql, db, factory, caplog):
    # given: no SMTP host (the test environment's default)
    assert get_settings().smtp_host is None
    await factory.user(email="ada@example.com")
    await gql(RESET_REQUEST, {"email": "ada@example.com"})
    # when
    with caplog.at_level(logging.INFO, logger="trellis.mail"):
        await run_queue(db)
    # then: the message is in the log, and the row says so, its bodies (the link) cleared
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "trellis.mail")
    assert "To: ada@example.com" in logged
    assert "reset-password?token=trl_pwr_" in logged
    [row] = await outbox(db)
    assert (row.status, row.attempts, row.text_body, row.html_body) == (
        EmailStatus.LOGGED, 1, "", "",
    )  # fmt: skip
    assert row.sent_at is not None


async def test_a_failing_server_is_retried_then_the_message_fails(gql, db: Database, factory):
    # given: an SMTP host nobody listens on
    await factory.user(email="ada@example.com")
    await gql(RESET_REQUEST, {"email": "ada@example.com"})
    [row] = await outbox(db)
    settings = get_settings().replace(
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="none",
        smtp_timeout_seconds=2,
    )  # fmt: skip
    # when: an attempt that is not the last, then the last one
    with pytest.raises(OSError, match="connect"):
        await send_outboxed(db, row.id, settings, final=False)
    [retrying] = await outbox(db)
    with pytest.raises(OSError, match="connect"):
        await send_outboxed(db, row.id, settings, final=True)
    [failed] = await outbox(db)
    # then
    assert (retrying.status, retrying.attempts) == (EmailStatus.QUEUED, 1)
    assert retrying.last_error
    assert (failed.status, failed.attempts) == (EmailStatus.FAILED, 2)
    assert failed.text_body  # kept: never sent


async def test_a_sent_message_is_not_sent_twice(gql, db, factory, smtp: tuple[Inbox, int]):
    # given
    inbox, port = smtp
    await factory.user(email="ada@example.com")
    await gql(RESET_REQUEST, {"email": "ada@example.com"})
    [row] = await outbox(db)
    settings = get_settings().replace(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    # when: sent, then a (retried) job for the same row runs again
    await send_outboxed(db, row.id, settings, final=False)
    await send_outboxed(db, row.id, settings, final=False)
    # then
    [message] = await inbox.wait_for(1)
    assert len(inbox.messages) == 1
    plain, html = parts(message)
    assert "token=trl_pwr_" in plain
    assert html.startswith("<!doctype html>")
    [sent] = await outbox(db)
    assert (sent.status, sent.attempts, sent.text_body) == (EmailStatus.SENT, 1, "")


async def test_a_refused_mutation_queues_no_email(gql, db, factory):
    org = await factory.organization()
    editor = await factory.member(org, "EDITOR")
    role = await factory.role_id("VIEWER")
    data = {"organization": gid("Organization", org.id), "email": "z@example.com",
            "role": gid("Role", role)}  # fmt: skip
    body = await gql(
        "mutation($i: InvitationCreateInput!) { invitationCreate(input: $i) { __typename } }",
        {"i": data},
        token=editor.token,
    )
    assert body["data"]["invitationCreate"]["__typename"] == "PermissionDeniedError"
    assert await outbox(db) == []
