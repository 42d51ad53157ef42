"""WebSocket refusals a client can act on: a refused connection_init closes with 4403 and a
reason saying what is wrong; a document that does not parse, a variable that is not text and
a cursor ahead of the stream are errors of that one operation, and the socket lives on."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from tests.factories import Factory, gid
from tests.subscriptions.client import Socket, socket

CHANGES = "subscription($after: String) { changes(after: $after) { cursor entityId } }"
ITEM_CREATE = """
mutation($org: ID!) {
  itemCreate(input: {organization: $org, title: "t"}) { ... on ItemSuccess { item { id } } }
}"""


async def _init(ws: Socket, payload: dict[str, Any]) -> None:
    await ws.send({"type": "connection_init", "payload": payload})


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        pytest.param(
            "invalid",
            "UNAUTHENTICATED: the access token or API key is invalid or revoked; sign in again",
            id="invalid-token",
        ),
        pytest.param(
            "expired",
            "TOKEN_EXPIRED: the access token expired; get a new one with authRefresh, then "
            "reconnect",
            id="expired-token",
        ),
        pytest.param(
            "malformed",
            'UNAUTHENTICATED: send {"Authorization": "Bearer <access token or API key>"} in '
            "connection_init",
            id="no-bearer-prefix",
        ),
    ],
)
async def test_a_refused_connection_init_closes_with_a_reason_that_says_why(
    servers: list[str], factory: Factory, case: str, reason: str
) -> None:
    # given
    if case == "invalid":
        payload = {"Authorization": "Bearer trl_at_nope"}
    elif case == "expired":
        token = await factory.token(await factory.user(), expires_in=timedelta(seconds=-1))
        payload = {"Authorization": f"Bearer {token}"}
    else:
        payload = {"Authorization": (await factory.member()).token}  # without "Bearer "
    async with socket(servers[0], init=False) as ws:
        # when
        await _init(ws, payload)
        closed = await ws.closed()
    # then: 4403 (a client must not retry it as it is), and why
    assert closed == (4403, reason)
    assert len(reason.encode()) <= 123


async def test_connection_init_accepts_the_headers_shape(
    servers: list[str], factory: Factory, http: Any
) -> None:
    # given: {"headers": {"Authorization": ...}}, as Hasura's and several clients' docs send it
    org = await factory.organization()
    member = await factory.member(org, role="EDITOR")
    async with socket(servers[0], init=False) as ws:
        await _init(ws, {"headers": {"Authorization": f"Bearer {member.token}"}})
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.subscribe("1", CHANGES)
        await asyncio.sleep(0.3)
        # when
        created = await http(0, ITEM_CREATE, {"org": gid("Organization", org.id)}, member.token)
        # then: the subscription runs as that member
        event = await ws.next("1")
    assert event["changes"]["entityId"] == created["itemCreate"]["item"]["id"]


async def _error_then_still_open(ws: Socket, op_id: str) -> list[dict[str, Any]]:
    message = await ws.receive()
    assert message["type"] == "error", message
    assert message["id"] == op_id
    errors: list[dict[str, Any]] = message["payload"]
    # the socket lives on: another operation on it is answered
    await ws.send({"id": "ping", "type": "subscribe", "payload": {"query": "{ __typename }"}})
    assert await ws.next("ping") == {"__typename": "Query"}
    return errors


async def test_a_document_that_does_not_parse_gets_an_error_message(
    servers: list[str], factory: Factory
) -> None:
    member = await factory.member()
    async with socket(servers[1], token=member.token) as ws:
        # when
        await ws.subscribe("1", "subscription { changes { cursor ")
        # then
        errors = await _error_then_still_open(ws, "1")
    assert errors[0]["message"].startswith("Syntax Error")
    assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_a_lone_surrogate_in_a_variable_gets_an_error_naming_it(
    servers: list[str], factory: Factory
) -> None:
    member = await factory.member()
    async with socket(servers[1], token=member.token) as ws:
        # when: JSON may carry "\ud800"; it is not Unicode text
        query = json.dumps(CHANGES)
        raw = '{"id": "1", "type": "subscribe", "payload": {"query": Q, "variables": X}}'
        await ws.send(raw.replace("Q", query).replace("X", '{"after": "\\ud800"}'))
        # then
        errors = await _error_then_still_open(ws, "1")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["message"].startswith("Variable '$after' has invalid value")


@pytest.mark.parametrize(
    ("after", "code"),
    [("99999999", "CURSOR_AHEAD"), ("-1", "INVALID_CURSOR"), ("abc", "INVALID_CURSOR")],
)
async def test_a_cursor_ahead_of_the_stream_or_malformed_is_refused(
    servers: list[str], factory: Factory, after: str, code: str
) -> None:
    member = await factory.member()
    async with socket(servers[0], token=member.token) as ws:
        # when
        await ws.subscribe("1", CHANGES, {"after": after})
        message = await ws.receive()
        complete = await ws.receive()
    # then: an error that says so, instead of a subscription that never delivers
    assert message["type"] == "next", message
    [error] = message["payload"]["errors"]
    assert error["extensions"]["code"] == code
    if code == "CURSOR_AHEAD":
        assert "ahead of the change stream, whose newest change is" in error["message"]
    assert complete == {"id": "1", "type": "complete"}
