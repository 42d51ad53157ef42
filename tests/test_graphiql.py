"""Trellis's self-hosted GraphiQL over HTTP (no browser): the page, its CSP, its assets."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

import graph.server.graphiql
from graph.database import Database
from graph.server.app import create_app
from graph.server.graphiql import asset_response, content_security_policy, manifest
from graph.settings import get_settings

HTML = {"Accept": "text/html"}

pytestmark = pytest.mark.skipif(
    manifest() is None,
    reason="GraphiQL's assets are not built: run `make install` (needs npm)",
)


class _Page(HTMLParser):
    """The attributes that load something, the inline scripts, and the config attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.config: dict[str, Any] | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name) is not None:
                self.urls.append(str(values[name]))
        if tag == "script":
            self._in_script = True
            assert values.get("src"), "inline <script> on the GraphiQL page"
        if values.get("data-config"):
            self.config = json.loads(str(values["data-config"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (directive.split() for directive in csp.split(";") if directive.strip())
    return {words[0]: words[1:] for words in parts}


async def test_graphiql_page_is_same_origin_only(client: httpx.AsyncClient) -> None:
    # when
    response = await client.get("/graphql", headers=HTML)
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = _directives(response.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["font-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    page = _parse(response.text)
    assert page.inline_scripts == []
    assert page.urls, "the page loads nothing"
    for url in page.urls:
        assert url.startswith("data:") or (url.startswith("/") and not url.startswith("//")), url
    assert {url for url in page.urls if url.startswith("/graphiql/assets/")} == {
        f"/graphiql/assets/{manifest()['js']}",  # type: ignore[index]
        f"/graphiql/assets/{manifest()['css']}",  # type: ignore[index]
    }
    assert "unpkg" not in response.text
    assert "cdn" not in response.text.lower()


async def test_graphiql_page_knows_trellis(client: httpx.AsyncClient) -> None:
    # when
    response = await client.get("/graphql", headers=HTML)
    # then
    config = _parse(response.text).config
    assert config is not None
    assert config["endpoint"] == "/graphql"
    assert "query DemoData" in config["defaultQuery"]
    assert "organizations" in config["defaultQuery"]
    assert "mutation Login" in config["defaultQuery"]
    assert json.loads(config["defaultHeaders"]) == {"Authorization": "Bearer "}


@pytest.mark.parametrize("key", ["js", "css"])
async def test_graphiql_assets_are_served_with_long_cache(
    client: httpx.AsyncClient, key: str
) -> None:
    # given
    name = manifest()[key]  # type: ignore[index]
    # when
    response = await client.get(f"/graphiql/assets/{name}")
    # then
    assert response.status_code == 200
    expected = {"js": "text/javascript", "css": "text/css"}[key]
    assert response.headers["content-type"].split(";")[0] == expected
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert len(response.content) > 10_000
    assert b"unpkg.com" not in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/graphiql/assets/..%2F__init__.py",
        "/graphiql/assets/%2e%2e%2f%2e%2e%2fsettings.py",
        "/graphiql/assets/..%2f..%2f..%2fpyproject.toml",
        "/graphiql/assets/%2Fetc%2Fpasswd",
        "/graphiql/assets/manifest.json",
        "/graphiql/assets/package.json",
        "/graphiql/assets/nothing-here.js",
    ],
)
async def test_graphiql_assets_refuse_anything_else(client: httpx.AsyncClient, path: str) -> None:
    # when
    response = await client.get(path)
    # then
    assert response.status_code == 404
    assert "import" not in response.text


@pytest.mark.parametrize(
    "name",
    ["..", "../__init__.py", "../index.html", "/etc/passwd", ".hidden.js", "a/../b.js", "x.js\0"],
)
def test_graphiql_asset_names_stay_inside_dist(name: str) -> None:
    assert asset_response(name).status_code == 404


def test_csp_ignores_a_forged_host() -> None:
    # when
    csp = content_security_policy("evil.example; script-src *")
    # then
    assert "evil" not in csp
    assert _directives(csp)["connect-src"] == ["'self'"]


async def test_graphiql_explains_missing_build(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given
    monkeypatch.setattr(graph.server.graphiql, "DIST", tmp_path)
    # when
    response = await client.get("/graphql", headers=HTML)
    # then
    assert response.status_code == 503
    assert "make run" in response.text
    assert "<script" not in response.text


async def test_production_mode_has_no_ide(db: Database) -> None:
    # given
    app = create_app(get_settings().replace(mode="production"), database=db)
    app.state.db = db
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        # when
        page = await http.get("/graphql", headers=HTML)
        asset = await http.get(f"/graphiql/assets/{manifest()['js']}")  # type: ignore[index]
        query = await http.post("/graphql", json={"query": "{ __typename }"})
    # then
    assert page.status_code == 404
    assert not page.headers["content-type"].startswith("text/html")
    assert not re.search(r"graphiql", page.text, re.IGNORECASE)
    assert asset.status_code == 404
    assert query.json() == {"data": {"__typename": "Query"}}
