"""What a file is, from its first bytes: magic numbers for the binary types Trellis accepts by
default, UTF-8 text for the textual ones. The declared type only chooses among the textual
types (text, CSV, JSON are all UTF-8 text); it never makes binary bytes pass as another type.
"""

from __future__ import annotations

import json

# How many leading bytes `sniff` needs.
HEAD_BYTES = 4096

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
TEXT_TYPES = ("text/plain", "text/csv", "application/json")


def _is_text(head: bytes, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the head is fine; elsewhere it is not.
        return (
            not complete and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
        )
    return True


def sniff(head: bytes, declared: str | None, *, complete: bool = False) -> str | None:
    """The MIME type of a file starting with ``head`` (``complete``: the whole file), or None
    when it is none of the known types."""
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if not _is_text(head, complete):
        return None
    wanted = (declared or "").split(";")[0].strip().lower()
    if wanted == "application/json":
        return "application/json" if _looks_like_json(head, complete) else "text/plain"
    return wanted if wanted in TEXT_TYPES else "text/plain"


def _looks_like_json(head: bytes, complete: bool) -> bool:
    text = head.decode("utf-8", errors="ignore").lstrip()
    if complete:
        try:
            json.loads(text)
        except ValueError:
            return False
        return True
    return text[:1] in ("{", "[", '"') or text[:1].isdigit()
