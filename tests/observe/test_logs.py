"""Log lines of a real server: one JSON object per line when stdout is not a terminal, the
request line with what the request did, readable text on a terminal, and no secret in any
line (passwords, tokens, API keys, the settings marked secret)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from graph.observe import logs
from graph.settings import LogFormat, get_settings
from tests.servers import running_server

pytestmark = pytest.mark.slow

PASSWORD = "Secret-Pass-4f1d9c"
WRONG = "Wrong-Pass-77ab02"
FILE_SECRET = "file-secret-9c0e7d1a2b"
METRICS_TOKEN = "metrics-token-5e8f3a1c9d"

REGISTER = """
mutation Register($password: String!) {
  userRegister(input: {email: "logs@example.com", password: $password, fullName: "Lo Gs"}) {
    __typename ... on UserRegisterSuccess { user { id } }
  }
}
"""
LOGIN = """
mutation SignIn($password: String!) {
  authLogin(input: {email: "logs@example.com", password: $password}) {
    __typename ... on AuthTokens { accessToken refreshToken }
  }
}
"""
REFRESH = """
mutation Renew($refresh: String!) {
  authRefresh(input: {refreshToken: $refresh}) {
    __typename ... on AuthTokens { accessToken refreshToken }
  }
}
"""
API_KEY = """
mutation NewKey {
  apiKeyCreate(input: {name: "ci"}) { __typename ... on ApiKeyCreateSuccess { secret } }
}
"""
ME = "query Me { me { id email } }"

REQUEST_FIELDS = {
    "request_id",
    "operation",
    "operation_type",
    "viewer_id",
    "cost",
    "duration_ms",
    "path",
    "status",
    "outcome",
    "sql_statements",
}


def _post(base: str, query: str, token: str | None = None, **variables: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )


def test_request_lines_are_json_and_no_secret_is_logged(database_url: URL, tmp_path: Path) -> None:
    env = {
        "TRELLIS_FILE_SECRET": FILE_SECRET,
        "TRELLIS_METRICS": "token",
        "TRELLIS_METRICS_TOKEN": METRICS_TOKEN,
        "TRELLIS_DATA_DIR": str(tmp_path),
    }
    with running_server(database_url, tmp_path, env=env) as base:
        # when: a client registers, signs in (and fails once), renews its tokens, makes an
        # API key, reads with each credential, and sends secrets where they do not belong
        user = _post(base, REGISTER, password=PASSWORD).json()["data"]["userRegister"]["user"]
        assert _post(base, LOGIN, password=WRONG).json()["data"]["authLogin"]["__typename"] == (
            "AuthenticationError"
        )
        tokens = _post(base, LOGIN, password=PASSWORD).json()["data"]["authLogin"]
        renewed = _post(base, REFRESH, refresh=tokens["refreshToken"]).json()["data"]["authRefresh"]
        access = renewed["accessToken"]
        key = _post(base, API_KEY, access).json()["data"]["apiKeyCreate"]["secret"]
        assert _post(base, ME, key).json()["data"]["me"]["id"] == user["id"]
        assert _post(base, ME, access).json()["data"]["me"]["id"] == user["id"]
        assert _post(base, ME, tokens["accessToken"]).status_code == 401  # rotated away
        over_get = httpx.get(
            f"{base}/graphql",
            params={"query": LOGIN, "variables": json.dumps({"password": PASSWORD})},
            timeout=30,
        )
        assert over_get.status_code == 405
        assert _post(base, "{ me { id }", access).status_code in (200, 400)  # a syntax error
        scrape = httpx.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
        )
        assert scrape.status_code == 200
    text = (tmp_path / "server.log").read_text()

    # then: every line is one JSON object ...
    lines = [json.loads(line) for line in text.splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    requests = [line for line in lines if line["logger"] == "trellis.request"]
    graphql = [line for line in requests if line["route"] == "/graphql"]
    assert len(graphql) == 10
    for line in graphql:
        assert line.keys() >= REQUEST_FIELDS
        assert len(line["request_id"]) >= 16
    # ... whose request lines say what each request did
    by_operation = {line["operation"]: line for line in graphql if line["operation"]}
    me = by_operation["Me"]
    assert me["viewer_id"] == _uuid(user["id"])
    assert me["operation_type"] == "query"
    assert me["cost"] == 1
    assert me["path"] in ("resolvers", "compiled", "lane")
    assert me["outcome"] == "ok"
    assert me["sql_statements"] >= 1
    assert by_operation["SignIn"]["operation_type"] == "mutation"
    assert by_operation["SignIn"]["viewer_id"] is None
    assert {line["status"] for line in graphql} >= {200, 401, 405}
    # and not one secret appears anywhere in the log
    secrets = [
        PASSWORD,
        WRONG,
        FILE_SECRET,
        METRICS_TOKEN,
        tokens["accessToken"],
        tokens["refreshToken"],
        renewed["accessToken"],
        renewed["refreshToken"],
        key,
    ]
    if database_url.password:
        secrets.append(str(database_url.password))
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == []


def _uuid(global_id: str) -> str:
    """The row id inside a global ID (the viewer id logged is the row's)."""
    import base64

    return base64.b64decode(global_id + "==").decode().split(":", 1)[1]


def test_text_on_a_terminal_json_elsewhere() -> None:
    # given: a real terminal (a pseudo-terminal) and a file
    leader, follower = os.openpty()
    settings = get_settings().replace(log_format=LogFormat.AUTO)
    try:
        with os.fdopen(follower, "w") as terminal:
            # then: `auto` writes text to the terminal and JSON to anything else
            assert logs.wants_json(settings, terminal) is False
    finally:
        os.close(leader)
    with open(os.devnull, "w") as elsewhere:
        assert logs.wants_json(settings, elsewhere) is True
    assert logs.wants_json(settings.replace(log_format=LogFormat.JSON), None) is True
    assert logs.wants_json(settings.replace(log_format=LogFormat.TEXT), None) is False


def test_redaction_is_the_safety_net() -> None:
    # given: a message that carries secrets (no Trellis line does; this is the net)
    redact = logs.Redactor(["settings-secret-value"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", None, None)
    record.msg = (
        'Authorization: Bearer abc.def-123 {"password": "hunter22", "refreshToken": "r1"} '
        "url=postgresql://u:settings-secret-value@db/x"
    )
    # when
    line = redact(record.getMessage())
    # then
    for secret in ("abc.def-123", "hunter22", "r1", "settings-secret-value"):
        assert secret not in line
    assert "[redacted]" in line
