"""Browsers' view of the API: Apollo Client's headers count as the CSRF header and pass the
CORS allow-list, and a refused preflight says which setting admits the origin."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from graph.server.app import create_app
from graph.settings import get_settings

APOLLO_HEADERS = (
    "apollo-require-preflight",
    "apollographql-client-name",
    "apollographql-client-version",
    "x-apollo-operation-name",
    "traceparent",
)
DEV_SERVER = "http://localhost:5173"


def _client(db: Any, **overrides: Any) -> httpx.AsyncClient:
    app = create_app(get_settings().replace(**overrides), database=db)
    app.state.db = db
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize("header", ["Apollo-Require-Preflight", "X-Apollo-Operation-Name"])
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"query": "{ __typename }"}'),
        ("application/x-www-form-urlencoded", "query=%7B__typename%7D"),
        (None, '{"query": "{ __typename }"}'),
    ],
)
async def test_apollo_headers_count_as_the_csrf_header(client, header, content_type, body):
    # given: a simple (no-preflight) POST carrying one of Apollo Client's headers
    headers = {header: "1"}
    if content_type:
        headers["Content-Type"] = content_type
    # when
    response = await client.post("/graphql", content=body, headers=headers)
    # then: past the CSRF check (the router then asks for JSON)
    assert response.status_code == 415, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("header", ["Apollo-Require-Preflight", "X-Apollo-Operation-Name"])
async def test_apollo_headers_let_an_upload_through(client, factory, header):
    # given: a multipart upload (apollo-upload-client) by a signed-in member
    org = await factory.organization()
    member = await factory.member(org, role="EDITOR")
    operations = (
        '{"query": "mutation($input: FileUploadInput!) { fileUpload(input: $input) '
        '{ __typename } }", "variables": {"input": {"organization": "ORG", "file": null}}}'
    )
    from tests.factories import gid

    # when
    response = await client.post(
        "/graphql",
        data={
            "operations": operations.replace("ORG", gid("Organization", org.id)),
            "map": '{"0": ["variables.input.file"]}',
        },
        files={"0": ("a.txt", b"hello", "text/plain")},
        headers={header: "1", "Authorization": f"Bearer {member.token}"},
    )
    # then
    assert response.json() == {"data": {"fileUpload": {"__typename": "FileSuccess"}}}


async def test_the_cors_allow_list_admits_apollo_and_tracing_headers(db):
    async with _client(db, cors_origins=(DEV_SERVER,)) as http:
        # when: the preflight of Apollo Client with clientAwareness, traced
        response = await http.options(
            "/graphql",
            headers={
                "Origin": DEV_SERVER,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": ",".join(
                    ("content-type", "authorization", *APOLLO_HEADERS)
                ),
            },
        )
    # then
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == DEV_SERVER
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert set(APOLLO_HEADERS) <= allowed


@pytest.mark.parametrize("mode", ["development", "production"])
async def test_a_refused_preflight_says_which_setting_admits_the_origin(db, caplog, mode):
    overrides: dict[str, Any] = {"mode": mode}
    if mode == "production":
        overrides["file_signing_secret"] = "x" * 32
    preflight = {
        "Origin": DEV_SERVER,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with _client(db, **overrides) as http:
        # when: a browser dev server's preflight, twice
        with caplog.at_level(logging.WARNING, logger="trellis.http"):
            first = await http.options("/graphql", headers=preflight)
            await http.options("/graphql", headers=preflight)
    # then: GraphQL-shaped, no CORS consent, and (in development) what to set
    assert first.status_code == 400
    assert "access-control-allow-origin" not in first.headers
    [error] = first.json()["errors"]
    assert error["extensions"]["code"] == "CORS_ORIGIN_REFUSED"
    hint = f"TRELLIS_CORS_ORIGINS={DEV_SERVER}"
    assert (hint in error["message"]) == (mode == "development")
    logged = [r for r in caplog.records if "CORS preflight refused" in r.getMessage()]
    assert len(logged) == 1  # once per origin


async def test_a_refused_header_is_named(db):
    async with _client(db, cors_origins=(DEV_SERVER,)) as http:
        response = await http.options(
            "/graphql",
            headers={
                "Origin": DEV_SERVER,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-secret-thing",
            },
        )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "CORS_HEADERS_REFUSED"
    assert "x-secret-thing" in error["message"]
