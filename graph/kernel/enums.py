"""GraphQL enums mirrored from the models' enums, every value described.

The models import nothing from `graph`, so a model's enum cannot carry GraphQL descriptions;
its GraphQL side says them here, all of them (a value left out is an error at import):

    model_enum(ProjectStatus, "Where a project is in its life.", DRAFT="...", ACTIVE="...")
"""

from __future__ import annotations

import enum
from typing import TypeVar

import strawberry

EnumT = TypeVar("EnumT", bound=type[enum.Enum])


def model_enum(cls: EnumT, description: str, **values: str) -> EnumT:
    """Make ``cls`` a GraphQL enum described by ``description``, each value by ``values``."""
    strawberry.enum(cls, description=description)
    members = cls.__strawberry_definition__.values  # type: ignore[attr-defined]
    named = {member.name for member in members}
    if named != set(values):
        raise TypeError(
            f"{cls.__name__}: describe exactly its values; missing {sorted(named - set(values))}, "
            f"unknown {sorted(set(values) - named)}"
        )
    for member in members:
        member.description = values[member.name]
    return cls
