"""What one request did, gathered while it runs and read when it ends: the request log line,
the metrics and the spans are all made from it (graph/server/observe.py)."""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass

# Paths a GraphQL request may take: answered by the compiled lane before the GraphQL
# machinery (graph/server/lane.py), by a compiled plan inside it (graph/compiled/plans.py),
# by the resolvers, or by none (refused before execution: syntax, validation, limits).
LANE = "lane"
COMPILED = "compiled"
RESOLVERS = "resolvers"
NONE = "none"


@dataclass(slots=True)
class RequestRecord:
    operation: str | None = None  # the name of the operation, once the document validated
    operation_type: str | None = None  # query, mutation, subscription
    path: str = NONE
    cost: int | None = None
    viewer_id: str | None = None
    errors: bool = False  # the response carries GraphQL errors
    statements: int = 0
    sql_seconds: float = 0.0


current: ContextVar[RequestRecord | None] = ContextVar("trellis_request_record", default=None)


def record() -> RequestRecord | None:
    """The running request's record (None outside a request)."""
    return current.get()


def set_path(path: str) -> None:
    found = current.get()
    if found is not None:
        found.path = path


# Operation names become metric labels: their number must stay bounded whatever clients
# send. Names of validated documents only (anything else is `unknown`), and the first
# `MAX_OPERATION_NAMES` distinct ones per process; later ones count as `other`.
MAX_OPERATION_NAMES = 300
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_known: set[str] = set()


def operation_label(name: str | None, *, validated: bool) -> str:
    if not validated:
        return "unknown"
    if not name:
        return "anonymous"
    if name in _known:
        return name
    if len(_known) >= MAX_OPERATION_NAMES or not _NAME.fullmatch(name):
        return "other"
    _known.add(name)
    return name
