"""The realty domain (see ../shared/DESIGN.md)."""

from __future__ import annotations

__all__: list[str] = []
