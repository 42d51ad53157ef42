"""Every GraphQL example of the README runs, as pasted, against a real server with the demo data.

The README's ```graphql blocks are extracted in order and sent over real HTTP to a `trellis
serve` process on a database of its own, migrated and loaded with `trellis seed` (what `make
run` does). The conventions, which the README states where it first uses them:

- A block may hold several operations; each must then be named, and each is run in turn with
  its name as `operationName` (as GraphiQL runs the one you pick).
- A ```json block right after a ```graphql block holds its variables. A value written
  `"<Operation: path.to.value>"` is copied from the answer of the README's earlier operation of
  that name (`organizations.nodes.0.id`: the first organization's id). The value
  `"<the token from the email>"` is the token of the link in the newest email of the outbox
  (what the reader finds in their mailbox, or in the worker's log without SMTP). The value
  `"<the code from the authenticator app>"` is the TOTP code of now for the `secret` of the
  README's latest `twoFactorEnroll` answer (what the reader's app shows). Only the
  variables an operation declares are given to it.
- Authentication: the first block signs in as the demo owner (`authLogin`); the
  `accessToken` of any answer is sent as `Authorization: Bearer` from then on, as the README
  tells a reader to put it in GraphiQL's headers pane.
- Each answer must have no `errors`; each root field must be non-null, a root connection must
  have nodes, and a mutation's payload must not be an `Error`.
- A subscription runs over WebSocket (graphql-transport-ws, the token in `connection_init`):
  the test subscribes, runs the README's latest mutation again over HTTP, and the
  subscription must deliver its change.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pyotp
import pytest
from graphql import OperationDefinitionNode, OperationType, parse
from sqlalchemy.engine import URL

from graph.admin import migrations
from graph.database import drop_database, ensure_database
from graph.settings import PROJECT_ROOT
from tests.servers import running_server
from tests.subscriptions.client import socket

README = PROJECT_ROOT / "README.md"
BLOCK = re.compile(r"```graphql\n(?P<query>.*?)```(?:\s*```json\n(?P<variables>.*?)```)?", re.S)
REFERENCE = re.compile(r"^<(?P<operation>\w+): (?P<path>[\w.]+)>$")
EMAILED_TOKEN = "<the token from the email>"
AUTHENTICATOR_CODE = "<the code from the authenticator app>"
LINK_TOKEN = re.compile(r"[?&]token=(?P<token>[\w-]+)")


@dataclass(frozen=True)
class Example:
    line: int
    query: str
    variables: dict[str, Any]

    @property
    def operations(self) -> list[OperationDefinitionNode]:
        return [d for d in parse(self.query).definitions if isinstance(d, OperationDefinitionNode)]


def examples(text: str) -> list[Example]:
    """The README's ```graphql blocks, each with the ```json variables that follow it."""
    return [
        Example(
            line=text.count("\n", 0, m.start()) + 1,
            query=m["query"],
            variables=json.loads(m["variables"]) if m["variables"] else {},
        )
        for m in BLOCK.finditer(text)
    ]


EXAMPLES = examples(README.read_text())


@dataclass
class Session:
    """What the README's reader has at hand after the blocks so far: a token, the answers."""

    base: str
    database: str
    token: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    last_mutation: tuple[str, str | None, dict[str, Any]] | None = None

    def emailed_token(self) -> str:
        with psycopg.connect(self.database) as conn:
            row = conn.execute(
                "SELECT text_body FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT 1"
            ).fetchone()
        assert row is not None, "no email in the outbox"
        link = LINK_TOKEN.search(row[0])
        assert link is not None, f"no link with a token in {row[0]!r}"
        return link["token"]

    def authenticator_code(self) -> str:
        enrolled = [a["twoFactorEnroll"] for a in self.answers.values() if "twoFactorEnroll" in a]
        assert enrolled, "no twoFactorEnroll answer before"
        return pyotp.TOTP(enrolled[-1]["secret"]).now()

    def resolve(self, value: Any) -> Any:
        if value == EMAILED_TOKEN:
            return self.emailed_token()
        if value == AUTHENTICATOR_CODE:
            return self.authenticator_code()
        match = REFERENCE.match(value) if isinstance(value, str) else None
        if match is None:
            return value
        found: Any = self.answers.get(match["operation"])
        assert found is not None, f"{value}: no earlier answer of {match['operation']}"
        for key in match["path"].split("."):
            found = found[int(key)] if isinstance(found, list) else found[key]
        return found

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def post(self, query: str, name: str | None, variables: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            f"{self.base}/graphql",
            json={"query": query, "operationName": name, "variables": variables},
            headers=self.headers(),
            timeout=30,
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        assert response.status_code == 200, body
        data: dict[str, Any] = body["data"]
        token = _find(data, "accessToken")
        if token is not None:
            self.token = token
        return data


def _find(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        for v in value.values():
            found = _find(v, key)
            if found is not None:
                return found
    return None


def assert_answered(data: dict[str, Any], kind: OperationType) -> None:
    """Non-empty where data is expected: every root field is there, lists have nodes, and a
    mutation did not answer with an error."""
    for name, value in data.items():
        assert value is not None, f"{name} is null"
        if isinstance(value, dict) and "nodes" in value:
            assert value["nodes"], f"{name} has no nodes"
        if kind is OperationType.MUTATION and isinstance(value, dict):
            if "__typename" in value:  # payload unions: every error type is named ...Error
                assert not value["__typename"].endswith("Error"), f"{name}: {value}"
            else:
                assert "code" not in value, f"{name}: {value}"
                assert "message" not in value, f"{name}: {value}"


@pytest.fixture(scope="module")
def session(database_url: URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """A server on a database of its own with the demo data, as `make run` leaves it."""
    url = database_url.set(database=f"trellis_readme_{os.getpid()}")
    asyncio.run(drop_database(url))
    asyncio.run(ensure_database(url))
    migrations.upgrade(url)
    data_dir = tmp_path_factory.mktemp("readme")
    env = {"TRELLIS_DATA_DIR": str(data_dir)}
    environment = {
        **os.environ,
        **env,
        "DATABASE_URL": url.render_as_string(hide_password=False),
    }
    subprocess.run(
        [sys.executable, "-m", "graph.admin.cli", "seed"],
        env=environment,
        check=True,
        capture_output=True,
        cwd=PROJECT_ROOT,
    )
    try:
        with running_server(url, Path(data_dir), env=env) as base:
            yield Session(base, url.set(drivername="postgresql").render_as_string(False))
    finally:
        asyncio.run(drop_database(url))


def test_the_readme_has_examples_with_variables_and_a_subscription() -> None:
    operations = [op for example in EXAMPLES for op in example.operations]
    assert len(EXAMPLES) >= 6
    assert any(example.variables for example in EXAMPLES)
    assert any(op.operation is OperationType.SUBSCRIPTION for op in operations)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e.line}" for e in EXAMPLES])
async def test_readme_example_runs(example: Example, session: Session) -> None:
    # given the README's block, its operations and their variables
    operations = example.operations
    assert operations, "no operation in the block"
    if len(operations) > 1:
        assert all(op.name for op in operations), "several operations: name each one"
    for operation in operations:
        name = operation.name.value if operation.name else None
        declared = {d.variable.name.value for d in operation.variable_definitions or ()}
        missing = declared - set(example.variables)
        assert not missing, f"{name}: no value for {missing} in the block's ```json variables"
        variables = {k: session.resolve(v) for k, v in example.variables.items() if k in declared}

        if operation.operation is OperationType.SUBSCRIPTION:
            # when it subscribes, and the README's latest mutation runs again
            assert session.last_mutation is not None, "no mutation before the subscription"
            async with socket(session.base, token=session.token) as ws:
                payload = {"query": example.query, "operationName": name, "variables": variables}
                await ws.send({"id": "1", "type": "subscribe", "payload": payload})
                await asyncio.sleep(0.5)  # let the subscription register before the change
                await asyncio.to_thread(session.post, *session.last_mutation)
                # then the change arrives
                event = await ws.next("1")
            assert_answered(event, operation.operation)
            continue

        # when it runs over HTTP
        data = await asyncio.to_thread(session.post, example.query, name, variables)

        # then it answers with data
        assert_answered(data, operation.operation)
        if name is not None:
            session.answers[name] = data
        if operation.operation is OperationType.MUTATION:
            session.last_mutation = (example.query, name, variables)
