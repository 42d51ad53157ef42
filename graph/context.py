"""The per-request context every resolver receives."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from graph.database import Database
from graph.settings import get_settings
from graph.storage import Files, files_for
from loaders.base import Loaders
from models.viewer import Viewer

# The request's id (X-Request-ID), for logs and masked errors; set by graph.server.security.
request_id: ContextVar[str] = ContextVar("trellis_request_id", default="-")


@dataclass
class Context(BaseContext):
    db: Database
    viewer: Viewer
    loaders: Loaders = field(init=False)
    client_ip: str | None = None
    user_agent: str | None = None
    # The bearer token the viewer was authenticated with, to re-read the viewer's roles
    # after a mutation changed them.
    token: str | None = None
    # True: the compiled lane already ran this request's plan and found that the resolvers
    # must answer (graph/server/lane.py), so the plan is not run again.
    plan_declined: bool = False
    # File storage, download-URL signing and upload limits (the app's settings').
    files: Files = field(default_factory=lambda: files_for(get_settings()))
    # A WebSocket's credential that stopped authenticating (expired, revoked) while its
    # subscriptions ran: the socket is closed with its reason (graph/server/websocket.py).
    credential_refusal: Exception | None = None

    def __post_init__(self) -> None:
        super().__init__()
        self.loaders = Loaders(self.db.reader, self.viewer)

    def refresh(self, viewer: Viewer | None = None) -> None:
        """Start reading afresh (after a write): new loaders, optionally a new viewer."""
        if viewer is not None:
            self.viewer = viewer
        self.loaders = Loaders(self.db.reader, self.viewer)


Info = StrawberryInfo[Context, Any]
