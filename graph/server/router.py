"""The GraphQL router with GraphQL-over-HTTP's stricter answers (see `TrellisRouter`)."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graph.kernel.client_errors import lone_surrogate_path
from graph.server.graphiql import GraphiQLRouter
from graph.server.responses import (
    GRAPHQL_RESPONSE_CONTENT_TYPE,
    RequestError,
    request_error_response,
    wants_graphql_response_json,
)
from graph.server.websocket import TransportWSHandler


async def _close_form(request: Any) -> None:
    """Close a multipart request's spooled files (their temporary files go with them)."""
    if isinstance(request, Request):
        await request.close()


class TooManyFiles(RequestError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"A request may carry at most {limit} files.", "TOO_MANY_FILES")


# Without a `query`, a request naming a persisted query (Apollo's PersistedQueryLink, urql's
# persisted exchange) gets the answer those clients read as "send the whole document": the
# message and the code they look for.
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"


def persisted_query_not_supported(status: int = 200) -> RequestError:
    return RequestError(
        status,
        "PersistedQueryNotSupported",
        PERSISTED_QUERY_NOT_SUPPORTED,
        extensions={"detail": "This server does not store queries: send the `query` itself."},
    )


class TrellisRouter(GraphiQLRouter):
    """The GraphQL router with GraphQL-over-HTTP's stricter answers, every one of them a
    GraphQL-shaped JSON body with an `extensions.code` (graph/server/responses.py):

    - a body that is not UTF-8 JSON, not a JSON object (a string, number, null; an array,
      since batching is off), or a non-string `operationName` is a 400, never a 500;
    - a mutation over GET is a 405 with `Allow: POST`; a subscription over HTTP a 400 that
      says to use WebSocket; an unknown operation name a 400;
    - `Accept: application/graphql-response+json` gets that media type, and a request that
      fails before execution (syntax, validation, limits) gets a 400; under either media
      type such a response has no `data`.
    """

    # Files one multipart request may carry (settings.upload_max_files; set by the app).
    upload_max_files = 5
    graphql_transport_ws_handler_class = TransportWSHandler

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        """A GraphQL multipart request, refused (413, `TOO_MANY_FILES`) when it carries more
        files than allowed, before any of them is stored."""
        form = await request.get_form_data()
        count = sum(1 for _, value in form.files.multi_items() if isinstance(value, UploadFile))
        if count > self.upload_max_files:
            raise TooManyFiles(self.upload_max_files)
        return await super().parse_multipart(request)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = super().parse_json(data)
        except RecursionError as exc:  # the standard library's parser nests on the stack
            raise RequestError(400, "The JSON body is nested too deeply.") from exc
        except UnicodeDecodeError as exc:
            raise RequestError(400, "The request body is not valid UTF-8.") from exc
        if not isinstance(parsed, dict | list):
            raise RequestError(400, "Expected a JSON object.")
        return parsed

    async def parse_http_body(self, request: Any) -> Any:
        try:
            parsed = await super().parse_http_body(request)
        except UnicodeDecodeError as exc:
            raise RequestError(400, "The request body is not valid UTF-8.") from exc
        except HTTPException as exc:
            if exc.reason == "Unable to parse request body as JSON":
                raise RequestError(
                    400,
                    "The request is not valid JSON: send a JSON object with `query` (in a "
                    "GET, `variables` and `extensions` must be JSON too).",
                ) from exc
            if exc.reason == "Unsupported content type":
                raise RequestError(
                    415,
                    "Send GraphQL requests as application/json (multipart/form-data for "
                    "uploads), or as a GET with the query in the URL.",
                ) from exc
            raise
        name = getattr(parsed, "operation_name", None)
        if name is not None and not isinstance(name, str):
            raise RequestError(400, "The GraphQL operation's `operationName` must be a string.")
        extensions = getattr(parsed, "extensions", None)
        for key, value in (("operationName", name), ("extensions", extensions)):
            where = lone_surrogate_path(value)
            if where is not None:
                raise RequestError(
                    400,
                    f"`{key}{where}` is not valid Unicode: it holds a lone UTF-16 surrogate.",
                )
        if (
            not getattr(parsed, "query", None)
            and isinstance(extensions, dict)
            and "persistedQuery" in extensions
        ):
            raise persisted_query_not_supported()
        return parsed

    async def execute_single(  # type: ignore[override]
        self, *, request_adapter: Any, context: Any, root_value: Any, request_data: Any, **_: Any
    ) -> ExecutionResult:
        method = request_adapter.method
        # Subscriptions are served over WebSocket only (no SSE or multipart streams).
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise RequestError(
                400, exc.as_http_error_reason(), "OPERATION_RESOLUTION_FAILURE"
            ) from exc
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise RequestError(
                    400,
                    "Subscriptions are served over WebSocket: open this URL with ws:// (or "
                    "wss://) and the graphql-transport-ws subprotocol.",
                    "WEBSOCKET_REQUIRED",
                ) from exc
            raise RequestError(
                405,
                "Mutations are only accepted over POST.",
                "METHOD_NOT_ALLOWED",
                headers={"Allow": "POST"},
            ) from exc
        except MissingQueryError as exc:
            raise RequestError(
                400,
                "No GraphQL query found in the request: send `query` in a JSON body (POST) "
                "or in the URL (GET).",
            ) from exc

    async def run(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        try:
            response = await super().run(request, **kwargs)
        except HTTPException as exc:
            if not isinstance(request, Request):
                raise
            accept = request.headers.get("accept", "")
            if (
                isinstance(exc, RequestError)
                and exc.code == PERSISTED_QUERY_NOT_SUPPORTED
                and wants_graphql_response_json(accept)
            ):  # a request error: 4xx under graphql-response+json
                exc = persisted_query_not_supported(400)
            return request_error_response(exc, accept)
        finally:
            await _close_form(request)
        if isinstance(request, Request) and isinstance(response, Response):
            accept = request.headers.get("accept", "")
            if request.scope.get("state", {}).get("graphql_request_error") and (
                wants_graphql_response_json(accept)
            ):
                response.status_code = 400
            if wants_graphql_response_json(accept) and response.media_type in {
                None,
                "application/json",
            }:
                response.headers["content-type"] = GRAPHQL_RESPONSE_CONTENT_TYPE
        return response

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if (
            isinstance(request, Request)
            and result.data is None
            and result.errors
            and all(error.path is None for error in result.errors)
        ):
            # Nothing was executed: a request error, which has no `data` entry.
            processed.pop("data", None)
            request.scope.setdefault("state", {})["graphql_request_error"] = True
        return processed
