"""Trellis's own GraphiQL: the page on GET /graphql (in a browser), its assets, its CSP.

Strawberry's built-in page pulls GraphiQL, React and their CSS from public CDNs at page load,
so offline or under a strict Content-Security-Policy it stays blank. Trellis bundles them
instead: `make install` (part of `make run` and `make test`) runs `npm ci` and `npm run build`
in this folder, and esbuild writes content-hashed files and a `manifest.json` to `dist/`
(git-ignored, like `node_modules/`). Versions are pinned in `package.json` and
`package-lock.json`. The page loads only those files, from `/graphiql/assets/`, and its CSP
allows nothing but Trellis's own origin. In production mode there is no IDE at all.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from string import Template
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.requests import Request
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.fastapi import GraphQLRouter
from strawberry.http.exceptions import WebSocketDisconnected

from graph.settings import Settings

HERE = Path(__file__).resolve().parent
# The built assets: dist/ (`make install`), or another build's directory (a checkout whose
# dist/ is shared with another one, e.g. a worktree trying a change to src/).
DIST = Path(os.environ.get("TRELLIS_GRAPHIQL_DIST") or HERE / "dist")
ASSETS_PATH = "/graphiql/assets"

_PAGE = Template((HERE / "index.html").read_text(encoding="utf-8"))
_UNAVAILABLE = (HERE / "unavailable.html").read_text(encoding="utf-8")

# What `dist/` may hold, by suffix; anything else (or any other path) is a 404.
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",  # esbuild's bundled-license notes
}
# Asset names carry a content hash (build.mjs), so a browser may keep them forever.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
_ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+")
# A Host header we are willing to repeat in the CSP: hostname, IPv4 or [IPv6], optional port.
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")

DEFAULT_HEADERS = '{\n  "Authorization": "Bearer "\n}'
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def default_query() -> str:
    """The document a new GraphiQL tab starts with: sign in, then read the demo data."""
    from graph.admin.seed import DEMO_USERS

    owner = DEMO_USERS[0]
    return f"""# Welcome to Trellis.
#
# 1. Run "Login" (the run button asks which
#    operation) to sign in as the demo owner
#    that `make run` loaded.
# 2. Paste its accessToken after "Bearer " in
#    the Headers pane below:
#    {{"Authorization": "Bearer trl_at_..."}}
#    Headers stay in this browser tab: never
#    saved, never put into the URL.
# 3. Run "DemoData": the demo organization,
#    its items and their tags.
#
# The Explorer (left) builds queries by
# clicking through the schema; Ctrl-Enter
# runs, Ctrl-Space completes.

query DemoData {{
  organizations {{
    nodes {{
      name
      viewerRole
      items(first: 5, orderBy: [{{field: TITLE}}]) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        nodes {{
          title
          owner {{ fullName }}
          tags {{ nodes {{ name color }} }}
        }}
      }}
    }}
  }}
}}

mutation Login {{
  authLogin(input: {{
    email: "{owner.email}"
    password: "{owner.password}"
  }}) {{
    __typename
    ... on AuthTokens {{ accessToken }}
    ... on Error {{ message }}
  }}
}}
"""


def content_security_policy(host: str | None) -> str:
    """Only Trellis's own origin: scripts, styles, fonts, images, fetches and websockets."""
    connect = ["'self'"]
    if host and _HOST.fullmatch(host):
        # 'self' covers ws(s) to the same host in current browsers; older ones need them named.
        connect += [f"ws://{host}", f"wss://{host}"]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # GraphiQL (CodeMirror, Radix UI, framer-motion) inserts <style> elements and style
            # attributes at run time, so styles need 'unsafe-inline'. Scripts never do.
            "style-src 'self' 'unsafe-inline'",
            f"connect-src {' '.join(connect)}",
            # GraphiQL's icons and fonts are data: URLs inside its stylesheet.
            "img-src 'self' data:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def manifest() -> dict[str, str] | None:
    """The built asset names ({"js": ..., "css": ...}); None when the build has not run."""
    try:
        data = json.loads((DIST / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), str) and _ASSET_NAME.fullmatch(data[key]) for key in ("js", "css")
    ):
        return None
    return {"js": data["js"], "css": data["css"]}


def graphiql_page(request: Request) -> HTMLResponse:
    """The GraphiQL page for the GraphQL endpoint at the requested path."""
    csp = content_security_policy(request.headers.get("host"))
    headers = {**PAGE_HEADERS, "Content-Security-Policy": csp}
    assets = manifest()
    if assets is None:
        return HTMLResponse(_UNAVAILABLE, status_code=503, headers=headers)
    config = {
        "endpoint": request.url.path,
        "defaultQuery": default_query(),
        "defaultHeaders": DEFAULT_HEADERS,
    }
    html = _PAGE.substitute(
        js_url=f"{ASSETS_PATH}/{assets['js']}",
        css_url=f"{ASSETS_PATH}/{assets['css']}",
        # Settings travel in a data attribute: the CSP allows no inline script.
        config=_attribute(json.dumps(config)),
    )
    return HTMLResponse(html, headers=headers)


def _attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def asset_response(name: str) -> Response:
    """A file from dist/ by bare name; anything else, traversal included, is a 404."""
    content_type = CONTENT_TYPES.get(Path(name).suffix)
    if content_type is None or not _ASSET_NAME.fullmatch(name):
        return PlainTextResponse("Not Found", status_code=404)
    path = DIST / name
    if path.resolve().parent != DIST.resolve() or not path.is_file():
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(
        path,
        media_type=content_type,
        headers={"Cache-Control": ASSET_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
    )


def encode_json(data: object) -> bytes:
    """JSON through orjson; what it refuses (integers beyond 64 bits inside a JSON scalar)
    through the standard library, rather than failing the response."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """GraphQL over WebSocket messages are text frames (browsers' graphql-ws client refuses
    binary ones); Strawberry sends bytes as binary frames, and `encode_json` gives bytes."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(encode_json(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphiQLRouter(GraphQLRouter[Any, Any]):
    """Strawberry's GraphQL router, rendering Trellis's self-hosted page as its IDE.

    Strawberry calls `render_graphql_ide` for a GET that accepts HTML and carries no query,
    and only while `graphql_ide` is set: pass `graphql_ide=None` to turn the IDE off.
    """

    websocket_adapter_class = TextFrameWebSocketAdapter

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql_page(request)

    def encode_json(self, data: object) -> bytes:
        """orjson instead of the standard library: 3-5x faster on large result trees."""
        return encode_json(data)


def mount_graphiql(app: FastAPI, settings: Settings) -> None:
    """Serve GraphiQL's assets under /graphiql/assets/ (not at all in production mode)."""
    if settings.production:
        return

    @app.get(f"{ASSETS_PATH}/{{name}}", include_in_schema=False)
    async def graphiql_asset(name: str) -> Response:
        return asset_response(name)
