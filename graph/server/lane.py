"""The fast lane: a POST of a document a plan has answered before, answered again without
FastAPI's routing, Strawberry's HTTP view or its execution machinery.

Once a document has gone the whole way once — parsed, validated against the schema and the
document limits, answered by a plan (`CompiledQueries`) — everything about it that does not
depend on the request is known. The lane then does only what does: read the JSON body,
authenticate the bearer token, compute the operation's cost for these variables, bind the
variables into the cached plan, run its one statement as the viewer, and write the answer.
That is most of a small query's CPU time saved (the machinery costs ~0.5 ms a request, the
statement ~0.1 ms).

The answer is the one the full path gives, byte for byte and header for header
(tests/test_compiled.py asks every case again through the lane). Anything the lane does not
handle exactly so is handed on untouched, body included: another method, path or content
type, an `Accept` that is not JSON, an unknown body key, a document not answered before, a
cost over the limit, a plan that is not made yet or declines these variables, an error of
any kind. The outer middlewares (request id, CORS, CSRF, body limit) run for both.
"""

from __future__ import annotations

import logging

import orjson
from graphql.language import DocumentNode, OperationDefinitionNode

from graph.auth import InvalidCredentials, authenticate, bearer_token
from graph.compiled.plans import QueryCompiler, run_plan
from graph.database import Database
from graph.kernel.limits import COST_HEADER, CostModel, cost_header
from graph.observe import tracing
from graph.observe.record import LANE, record
from graph.server.graphiql import encode_json
from graph.server.responses import (
    GRAPHQL_RESPONSE_CONTENT_TYPE,
    GRAPHQL_RESPONSE_JSON,
    wants_graphql_response_json,
)
from graph.server.security import (
    ASGIApp,
    Receive,
    Scope,
    Send,
    replaying,
    unauthenticated_response,
)
from models.viewer import Viewer

log = logging.getLogger("trellis.compiled")

# Media types an `Accept` header may name for the lane to answer (any other, such as
# multipart/mixed or text/event-stream, may change how the full path responds).
_JSON_MEDIA = frozenset({"application/json", GRAPHQL_RESPONSE_JSON, "*/*", "application/*"})
_BODY_KEYS = frozenset({"query", "variables", "operationName", "extensions"})
_JSON_CONTENT_TYPE = (b"content-type", b"application/json")
_COST_HEADER = COST_HEADER.lower().encode()

# The scope's state key under which the lane leaves the viewer of a request it handed on
# after running its plan (`declined_viewer`).
DECLINED_FOR = "trellis_compiled_declined_for"


def declined_viewer(scope: Scope) -> Viewer | None:
    """The viewer of a request whose plan the lane ran and found the resolvers must answer:
    the full path neither authenticates it again nor runs the plan again."""
    viewer: Viewer | None = scope.get("state", {}).get(DECLINED_FOR)
    return viewer


class _Request:
    """What the lane reads of a request's headers."""

    __slots__ = ("accept", "authorization", "json")

    def __init__(self, scope: Scope) -> None:
        # A repeated header counts by its first value, as Starlette reads it.
        found: dict[bytes, bytes] = {}
        for key, value in scope["headers"]:
            found.setdefault(bytes(key).lower(), bytes(value))
        # Exactly: Strawberry refuses `APPLICATION/JSON` (its check is case-sensitive).
        media = found.get(b"content-type", b"").split(b";", 1)[0].strip()
        self.json = media == b"application/json"
        self.accept = found.get(b"accept", b"").decode("latin-1")
        authorization = found.get(b"authorization")
        self.authorization = None if authorization is None else authorization.decode("latin-1")

    def accepts_json(self) -> bool:
        return all(
            part.split(";", 1)[0].strip().lower() in _JSON_MEDIA
            for part in self.accept.split(",")
            if part.strip()
        )


class CompiledLane:
    """ASGI middleware, innermost: answers POSTs of already-answered documents at ``path``
    itself and hands everything else to the application (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        compiler: QueryCompiler,
        cost_model: CostModel,
        max_cost: int,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.compiler = compiler
        self.cost_model = cost_model
        self.max_cost = max_cost
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
            or scope.get("query_string")
        ):
            await self.app(scope, receive, send)
            return
        request = _Request(scope)
        if not request.json or not request.accepts_json():
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return
        try:
            response = await self._answer(scope, request, body)
        except Exception:  # a bug here must not cost the client its answer
            log.exception("the compiled lane failed; answering through the full path")
            response = None
        if response is None:
            await self.app(scope, replaying(body, receive), send)
            return
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, request: _Request, body: bytes) -> ASGIApp | None:
        """The response to send, or None: the full path answers."""
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or not payload.keys() <= _BODY_KEYS:
            return None
        query = payload.get("query")
        variables = payload.get("variables")
        operation = payload.get("operationName")
        extensions = payload.get("extensions")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(operation, str | None)
            or not isinstance(extensions, dict | None)
            # `extensions.cost` asks for the cost in the body
            or (extensions and ("cost" in extensions or not _shallow(extensions)))
        ):
            return None
        document = self.compiler.answered_document(query, operation)
        if document is None:
            return None
        schema = self.compiler.schema._schema
        cost = self.cost_model.operation_cost(schema, document, operation, variables)
        if cost > self.max_cost:
            return None
        found = self.compiler.plan(query, document, operation, variables, cached_only=True)
        if found is None:
            return None
        plan, coerced = found
        db: Database = scope["app"].state.db
        try:
            viewer = await authenticate(db.reader, bearer_token(request.authorization), db.viewers)
        except InvalidCredentials as exc:
            return unauthenticated_response(exc.message, exc.code, request.accept)
        observed = record()
        if observed is not None:
            observed.cost = cost
            if viewer.user_id is not None:
                observed.viewer_id = str(viewer.user_id)
        tracer = tracing.tracer()
        if tracer is None:
            data = await run_plan(db.reader, plan, coerced, viewer.params(raw=True))
        else:
            name = operation or _single_name(document) or "anonymous"
            with (
                tracer.start_as_current_span(
                    f"query {name}",
                    attributes={"graphql.operation.name": name, "trellis.path": LANE},
                ),
                tracer.start_as_current_span("graphql.compiled_plan"),
            ):
                data = await run_plan(db.reader, plan, coerced, viewer.params(raw=True))
        if data is not None and observed is not None:
            observed.path = LANE
            observed.operation_type = "query"
            observed.operation = operation or _single_name(document)
        if data is None:
            # The resolvers are to answer (a null where GraphQL allows none): tell the full
            # path who the viewer is, and not to run the plan again.
            scope.setdefault("state", {})[DECLINED_FOR] = viewer
            return None
        content = encode_json({"data": data})
        content_type = (
            (b"content-type", GRAPHQL_RESPONSE_CONTENT_TYPE.encode())
            if wants_graphql_response_json(request.accept)
            else _JSON_CONTENT_TYPE
        )
        headers = [
            (b"content-length", str(len(content)).encode()),
            content_type,
            (_COST_HEADER, cost_header(cost, self.max_cost).encode()),
        ]
        return _Answer(headers, content)


class _Answer:
    """A 200 with a JSON body and the given headers."""

    __slots__ = ("content", "headers")

    def __init__(self, headers: list[tuple[bytes, bytes]], content: bytes) -> None:
        self.headers = headers
        self.content = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.content})


def _single_name(document: DocumentNode) -> str | None:
    """The name of a document's one operation (the lane answers no other kind)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name else None
    return None


def _shallow(value: object) -> bool:
    """Whether a JSON value nests little enough for every parser the full path may use
    (orjson serialises up to 254 levels; the standard library's parser fails near 1,000)."""
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError:
        return False
    return True


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body (None: the client went away)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
