"""The design domain: queries and mutations."""

from __future__ import annotations

import strawberry


@strawberry.type
class DesignQuery:
    pass


@strawberry.type
class DesignMutation:
    pass
