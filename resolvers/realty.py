"""The realty domain: queries and mutations."""

from __future__ import annotations

import strawberry


@strawberry.type
class RealtyQuery:
    pass


@strawberry.type
class RealtyMutation:
    pass
