"""GraphiQL in a real headless Chromium against a real `trellis serve`: the page loads only
from 127.0.0.1, signs in, sends the Authorization header from its headers pane, and shows
the results. Chromium is driven over the DevTools protocol with `websockets`.

A screenshot of the page with the last result is kept at test-artifacts/graphiql.png.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import URL
from websockets.asyncio.client import ClientConnection, connect

from graph.server.graphiql import manifest
from graph.settings import PROJECT_ROOT
from tests.factories import PASSWORD, Factory, gid
from tests.servers import running_server

CHROMIUM = Path(os.environ.get("TRELLIS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOT = PROJECT_ROOT / "test-artifacts" / "graphiql.png"
LOCAL_SCHEMES = {"data", "blob", "about"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} missing: `apt-get install chromium` (.ci/run does)",
    ),
    pytest.mark.skipif(
        manifest() is None,
        reason="GraphiQL's assets are not built: run `make install` (needs npm)",
    ),
]


@pytest.fixture
def server(database_url: URL, tmp_path: Path) -> Iterator[str]:
    with running_server(database_url, tmp_path, workers=1) as base:
        yield base


class CDPError(Exception):
    pass


class DevTools:
    """A minimal Chrome DevTools protocol client: commands, and event listeners."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if "id" in message:
                future = self._pending.pop(message["id"], None)
                if future is None or future.done():
                    continue
                if "error" in message:
                    future.set_exception(CDPError(message["error"]))
                else:
                    future.set_result(message.get("result", {}))
            else:
                for listener in self.listeners:
                    listener(message)

    async def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        id_ = next(self._ids)
        message: dict[str, Any] = {"id": id_, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[id_] = future
        await self.ws.send(json.dumps(message))
        return await asyncio.wait_for(future, 30)

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self.ws.close()


class Page:
    """One tab, attached with a flat session."""

    def __init__(self, devtools: DevTools, session: str) -> None:
        self.devtools = devtools
        self.session = session

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.devtools.send(method, params, self.session)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(
        self, expression: str, what: str, within: float = 30, show: str = "document.title"
    ) -> Any:
        """Poll `expression` until truthy; on timeout, fail showing the value of `show`."""
        deadline = time.monotonic() + within
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {await self.evaluate(show)}")
            await asyncio.sleep(0.1)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[str]:
    """A headless Chromium with a fresh profile; yields its DevTools websocket URL."""
    profile = tmp_path / "chromium-profile"
    log = tmp_path / "chromium.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--no-default-browser-check",
                "--mute-audio",
                f"--user-data-dir={profile}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                # Belt and braces: no name but 127.0.0.1 resolves, so nothing could leave even
                # if the page tried (the test fails on the attempt, recorded below).
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--window-size=1440,900",
                "about:blank",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        yield f"ws://127.0.0.1:{port}{path}"
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[DevTools]:
    async with connect(chromium, max_size=None) as ws:
        devtools = DevTools(ws)
        try:
            yield devtools
        finally:
            with contextlib.suppress(Exception):
                await devtools.send("Browser.close")
            await devtools.close()


# CodeMirror 5 keeps its editor object on the wrapper element.
QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
HEADERS_EDITOR = (
    "[...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')]"
    ".find(e => !e.classList.contains('hidden')).querySelector('.CodeMirror').CodeMirror"
)
RESULT = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"

LOGIN = """mutation SignIn {
  authLogin(input: {email: "browser@example.com", password: %s}) {
    __typename
    ... on AuthTokens { accessToken }
    ... on Error { message }
  }
}"""
MINE = """query Mine {
  me { email }
  organizations {
    nodes { slug items { totalCount nodes { title } } }
  }
}"""


LIVE = """subscription Live {
  changes(filter: {entityTypes: ["Item"]}) { action node { ... on Item { title } } }
}"""
CREATE = """mutation($org: ID!) {
  itemCreate(input: {organization: $org, title: "Created live"}) { __typename }
}"""


async def _start(page: Page, query: str, operation: str) -> None:
    """Type `query` into the editor and press run."""
    await page.evaluate(f"{QUERY_EDITOR}.setValue({json.dumps(query)})")
    # GraphiQL parses the editor's document 100 ms after a change (debounced) and runs the
    # operation it found then; until it has, the button may still be the menu of the
    # default document's operations, or run the previous one.
    await page.wait_for(
        f"{QUERY_EDITOR}.operationName === {json.dumps(operation)}"
        " && !document.querySelector('.graphiql-execute-button').hasAttribute('aria-haspopup')",
        f"GraphiQL to parse {operation}",
    )
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")


async def _run(page: Page, query: str, operation: str, marker: str) -> dict[str, Any]:
    """Type `query` into the editor, press run, and return the JSON in the result pane."""
    await _start(page, query, operation)
    text = await page.wait_for(
        f"(() => {{ const v = {RESULT}; return v.includes({json.dumps(marker)}) && v; }})()",
        f"a result with {marker!r}",
        show=f"[{QUERY_EDITOR}.getValue(), {RESULT}]",
    )
    result: dict[str, Any] = json.loads(text)
    return result


async def test_graphiql_in_headless_chromium(
    server: str, browser: DevTools, factory: Factory
) -> None:
    # given
    org = await factory.organization(slug="browser-org")
    member = await factory.member(org, role="VIEWER", email="browser@example.com")
    editor = await factory.member(org, role="EDITOR")
    await factory.item(member.user, org, title="Seen from the browser")
    target = await browser.send("Target.createTarget", {"url": "about:blank"})
    attached = await browser.send(
        "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
    )
    page = Page(browser, attached["sessionId"])
    requests: list[str] = []
    problems: list[str] = []
    ws_frames_sent: list[str] = []

    def record(event: dict[str, Any]) -> None:
        if event.get("sessionId") != page.session:
            return
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"][:200])  # data: URLs are long
        elif method == "Network.webSocketCreated":
            requests.append(params["url"])
        elif method == "Network.webSocketFrameSent":
            ws_frames_sent.append(params["response"]["payloadData"])

        elif method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params['exceptionDetails']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            problems.append(f"{params['entry']['source']}: {params['entry']['text']}")

    browser.listeners.append(record)
    for domain in ("Network", "Page", "Runtime", "Log"):
        await page.send(f"{domain}.enable")
    await page.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    await page.send(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        },
    )

    # when: the page opens with Trellis's defaults
    await page.send("Page.navigate", {"url": f"{server}/graphql"})
    await page.wait_for(
        "!!document.querySelector('.graphiql-query-editor .CodeMirror')"
        " && !!document.querySelector('.graphiql-execute-button')",
        "the GraphiQL editor",
    )
    default_query = await page.evaluate(f"{QUERY_EDITOR}.getValue()")
    default_headers = await page.evaluate(f"{HEADERS_EDITOR}.getValue()")
    # ... it opens with the explorer plugin, as the README says
    await page.wait_for(
        "!!document.querySelector('.graphiql-explorer-root')",
        "the explorer plugin, open without a click",
    )
    await asyncio.sleep(0.3)  # laid out beside the editor
    # ... and the welcome document fits its editor at 1440 px: no line is cut
    overflow = await page.evaluate(
        f"(() => {{ const i = {QUERY_EDITOR}.getScrollInfo(); return i.width - i.clientWidth; }})()"
    )
    # ... a query that needs no token
    anonymous = await _run(page, "query Anonymous { __typename }", "Anonymous", "Query")
    # ... signing in from the page, then a query with the token in the headers pane
    login = await _run(page, LOGIN % json.dumps(PASSWORD), "SignIn", "accessToken")
    token = login["data"]["authLogin"]["accessToken"]
    await page.evaluate(
        f"{HEADERS_EDITOR}.setValue({json.dumps(json.dumps({'Authorization': f'Bearer {token}'}))})"
    )
    mine = await _run(page, MINE, "Mine", "Seen from the browser")
    # ... a new tab starts with this tab's headers (the token), in memory only
    await page.evaluate("document.querySelector('.graphiql-tab-add').click()")
    await page.wait_for("document.querySelectorAll('.graphiql-tab').length === 2", "a second tab")
    new_tab_headers = await page.wait_for(
        f"(() => {{ const v = {HEADERS_EDITOR}.getValue(); return v.includes('trl_') && v; }})()",
        "the headers in the new tab",
        show=f"{HEADERS_EDITOR}.getValue()",
    )
    # ... a subscription from the page (over the WebSocket, token in connection_init), and
    # an item an editor creates elsewhere arrives in the result pane
    await _start(page, LIVE, "Live")
    deadline = time.monotonic() + 15
    while not any('"subscribe"' in frame for frame in ws_frames_sent):
        assert time.monotonic() < deadline, f"no subscribe frame: {ws_frames_sent}"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # the subscription is registered on the server
    async with httpx.AsyncClient(base_url=server) as http:
        created = await http.post(
            "/graphql",
            json={"query": CREATE, "variables": {"org": gid("Organization", org.id)}},
            headers={"Authorization": f"Bearer {editor.token}"},
        )
    assert created.json()["data"]["itemCreate"]["__typename"] == "ItemSuccess", created.text
    live = json.loads(
        await page.wait_for(
            f"(() => {{ const v = {RESULT}; return v.includes('Created live') && v; }})()",
            "the change event in the result pane",
            show=f"[{QUERY_EDITOR}.getValue(), {RESULT}]",
        )
    )
    # ... a subscription refused for its token fails at once, once, with the reason shown
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")  # stop
    bad = json.dumps({"Authorization": "Bearer trl_at_nope"})
    await page.evaluate(f"{HEADERS_EDITOR}.setValue({json.dumps(bad)})")
    sockets_before = sum(url.startswith("ws://") for url in requests)
    await _start(page, LIVE.replace("Live", "Refused"), "Refused")
    refused = json.loads(
        await page.wait_for(
            f"(() => {{ const v = {RESULT}; return v.includes('closeCode') && v; }})()",
            "the refusal in the result pane",
            within=10,
            show=f"[{QUERY_EDITOR}.getValue(), {RESULT}]",
        )
    )
    await asyncio.sleep(1.5)  # no retry follows
    sockets_opened = sum(url.startswith("ws://") for url in requests) - sockets_before
    await asyncio.sleep(0.3)  # let the result pane paint
    shot = await page.send("Page.captureScreenshot", {"format": "png"})
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))
    href = await page.evaluate("location.href")
    stored = await page.evaluate("JSON.stringify(Object.entries(localStorage))")
    violations = await page.evaluate("window.__csp")

    # then
    assert "query DemoData" in default_query
    assert "organizations" in default_query
    assert json.loads(default_headers) == {"Authorization": "Bearer "}
    assert overflow <= 0, f"the welcome document is {overflow} px wider than its editor"
    assert json.loads(new_tab_headers) == {"Authorization": f"Bearer {token}"}
    assert anonymous == {"data": {"__typename": "Query"}}
    assert login["data"]["authLogin"]["__typename"] == "AuthTokens"
    assert mine == {
        "data": {
            "me": {"email": "browser@example.com"},
            "organizations": {
                "nodes": [
                    {
                        "slug": "browser-org",
                        "items": {"totalCount": 1, "nodes": [{"title": "Seen from the browser"}]},
                    }
                ]
            },
        }
    }
    # the token never reaches the URL or storage
    assert token not in href
    assert token not in stored
    # everything came from Trellis itself
    assert any(url.startswith(f"{server}/graphiql/assets/") for url in requests)
    outside = [
        url
        for url in requests
        if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert violations == []
    assert problems == []
    assert live == {"data": {"changes": {"action": "CREATE", "node": {"title": "Created live"}}}}
    assert refused == {
        "errors": [
            {
                "message": "UNAUTHENTICATED: the access token or API key is invalid or revoked; "
                "sign in again",
                "extensions": {"code": "UNAUTHENTICATED", "closeCode": 4403},
            }
        ]
    }
    assert sockets_opened == 1
