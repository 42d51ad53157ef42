"""graphql-transport-ws with refusals a client can read: a refused `connection_init` closes
with 4403 and a reason that says what is wrong (not "Forbidden"), and a `subscribe` whose
document does not parse gets an `error` message with the syntax error, as validation errors
do, instead of losing the whole socket.

The close reason is `<CODE>: <what to do>` (at most 123 bytes, WebSocket's limit); the codes
are the `extensions.code` values of HTTP's 401s, `UNAUTHENTICATED` and `TOKEN_EXPIRED`.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types.unset import UnsetType

# Close code for a refused connection_init (graphql-transport-ws: "Forbidden"). A client
# must not retry it with the same credentials: it will be refused again.
FORBIDDEN = 4403
MAX_REASON_BYTES = 123


def fit_reason(reason: str) -> str:
    """``reason`` cut to WebSocket's 123-byte limit for a close reason."""
    encoded = reason.encode()
    if len(encoded) <= MAX_REASON_BYTES:
        return reason
    return encoded[: MAX_REASON_BYTES - 3].decode(errors="ignore") + "..."


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Strawberry's, but a rejection's payload `reason` becomes the close reason."""
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        payload = message.get("payload", {})
        if not isinstance(payload, dict):
            await self.websocket.close(code=4400, reason="Invalid connection init payload")
            return
        if self.connection_init_received:
            await self.websocket.close(code=4429, reason="Too many initialisation requests")
            return
        self.connection_init_received = True
        self.context.connection_params = payload
        try:
            ack: Any = await self.view.on_ws_connect(self.context)
        except ConnectionRejectionError as exc:
            reason = exc.payload.get("reason")
            await self.websocket.close(
                code=FORBIDDEN,
                reason=fit_reason(reason) if isinstance(reason, str) else "Forbidden",
            )
            return
        if isinstance(ack, UnsetType):
            await self.send_message({"type": "connection_ack"})
        else:
            await self.send_message({"type": "connection_ack", "payload": ack})
        self.connection_acknowledged = True

    async def run_operation(self, operation: Any) -> None:
        """Strawberry's; then, when the socket's credential stopped authenticating while the
        operation ran (a subscription ended by it), close the socket as a refused
        connection_init is closed: 4403 and why, so the client refreshes before
        reconnecting. Its other subscriptions ran on the same credential."""
        await super().run_operation(operation)
        refusal = getattr(self.context, "credential_refusal", None)
        if refusal is not None and not self.closing_for_refusal:
            self.closing_for_refusal = True
            reason = refusal.close_reason() if hasattr(refusal, "close_reason") else "Forbidden"
            await self.websocket.close(code=FORBIDDEN, reason=fit_reason(reason))

    closing_for_refusal = False

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        # A document that does not parse is this operation's error, not the socket's.
        if isinstance(error, GraphQLSyntaxError):
            return None
        return BaseGraphQLTransportWSHandler._get_pre_execution_close_reason(error)
