"""A revoked credential ends its subscriptions at once, on every process: the change hub
re-checks the subscribers a change to a session or API key concerns, without waiting for
its periodic re-check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import URL

from tests.factories import Factory
from tests.servers import running_server
from tests.subscriptions.client import socket
from tests.subscriptions.conftest import SERVER_ENV

CHANGES = "subscription { changes { cursor } }"
LOGOUT = "mutation { authLogout(input: {}) { __typename } }"
API_KEY_CREATE = """
mutation {
  apiKeyCreate(input: {name: "ci", scopes: [READ, WRITE]}) {
    ... on ApiKeyCreateSuccess { secret apiKey { id } }
  }
}"""
API_KEY_REVOKE = "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { __typename } }"


@pytest.fixture(scope="module")
def patient_server(database_url: URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that re-checks its subscribers' credentials only every ten minutes, so a
    subscription that ends within seconds ended on the change itself."""
    env = {**SERVER_ENV, "TRELLIS_WS_RECHECK": "600"}
    with running_server(database_url, tmp_path_factory.mktemp("patient"), env=env) as base:
        yield base


@pytest.mark.parametrize("credential", ["session-signed-out", "api-key-revoked"])
async def test_a_revoked_credential_ends_its_subscription_on_the_other_process_at_once(
    patient_server: str, http: Any, factory: Factory, credential: str
) -> None:
    # given: ada subscribed on the patient server, with her session or an API key
    member = await factory.member(await factory.organization())
    token = member.token
    if credential == "api-key-revoked":
        created = (await http(0, API_KEY_CREATE, {}, member.token))["apiKeyCreate"]
        token = created["secret"]
    async with socket(patient_server, token=token) as ws:
        await ws.subscribe("1", CHANGES)
        await ws.nothing_for(0.3)  # subscribed
        # when: the credential is revoked on another process
        if credential == "api-key-revoked":
            await http(0, API_KEY_REVOKE, {"id": created["apiKey"]["id"]}, member.token)
        else:
            await http(0, LOGOUT, {}, token)
        # then: her subscription completes, well before the next periodic re-check, and the
        # socket closes saying why
        message = await ws.receive(wait=5)
        closed = await ws.closed()
    assert message == {"id": "1", "type": "complete"}
    assert closed == (
        4403,
        "UNAUTHENTICATED: the access token or API key is invalid or revoked; sign in again",
    )
