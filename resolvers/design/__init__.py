"""The design domain: projects, their members and the object/relationship matrix.

Who may change what: resolvers.design.access. The ops (plain async functions, callable
without Strawberry) live in `projects` and `matrix`; `queries` and `mutations` are the
GraphQL root fields."""

from __future__ import annotations

from resolvers.design.checks import default_value, validation_rules
from resolvers.design.matrix import CELL_TAKEN, OTHER_PROJECT, delete_object
from resolvers.design.mutations import DesignMutation
from resolvers.design.queries import DesignQuery

__all__ = [
    "CELL_TAKEN",
    "OTHER_PROJECT",
    "DesignMutation",
    "DesignQuery",
    "default_value",
    "delete_object",
    "validation_rules",
]
