"""`trellis possible-types`: Apollo Client's `possibleTypes`, generated from the schema.

Without it Apollo's cache cannot tell that a `ValidationError` is an `Error` (or a member of
`ItemCreatePayload`), and drops the fields selected with `... on Error`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

from graphql import GraphQLObjectType, GraphQLUnionType, build_schema

from graph.settings import PROJECT_ROOT

ERRORS = [
    "AuthenticationError",
    "ConflictError",
    "InvalidTokenError",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationError",
]


def from_committed_sdl() -> dict[str, list[str]]:
    """Each interface's implementations and each union's members, read from schema.graphql."""
    sdl = build_schema((PROJECT_ROOT / "schema.graphql").read_text())
    found: dict[str, set[str]] = defaultdict(set)
    for named in sdl.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for interface in named.interfaces:
                found[interface.name].add(named.name)
        elif isinstance(named, GraphQLUnionType):
            found[named.name].update(t.name for t in named.types)
    return {name: sorted(members) for name, members in sorted(found.items())}


def test_possible_types_lists_every_interface_and_union_of_the_schema():
    # when the command runs, as a frontend build would run it
    done = subprocess.run(
        [sys.executable, "-m", "graph.admin.cli", "possible-types"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    printed = json.loads(done.stdout)

    # then it prints Apollo's possibleTypes, in the fragment-matcher plugin's shape
    assert list(printed) == ["possibleTypes"]
    possible = printed["possibleTypes"]
    assert possible == from_committed_sdl()
    assert possible["Error"] == ERRORS
    assert possible["ItemCreatePayload"] == [
        "ConflictError",
        "ItemSuccess",
        "NotFoundError",
        "PermissionDeniedError",
        "ValidationError",
    ]
    assert {"Item", "Organization", "User"} <= set(possible["Node"])
