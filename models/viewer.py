"""The principal a request acts as, and what it may do.

Built once per request by authentication (one statement), then read by every loader (to scope
rows) and by the write path (to check permissions), so neither asks the database again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from models.accounts import APIKey, AuthSession, Membership, Organization, Permission, Role, User

# API key scopes narrow what a key may do, on top of its user's roles.
SCOPE_READ = "read"
SCOPE_WRITE = "write"
SCOPE_ADMIN = "admin"
ALL_SCOPES = frozenset({SCOPE_READ, SCOPE_WRITE, SCOPE_ADMIN})

# Permissions that need the "admin" scope when the caller is an API key; all other
# non-read permissions need "write".
ADMIN_RESOURCES = frozenset({"organization", "membership", "role"})


def uuid_array(values: Iterable[uuid.UUID]) -> str:
    """A PostgreSQL array literal of UUIDs, for a parameter the SQL casts to uuid[]."""
    return "{" + ",".join(map(str, values)) + "}"


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: uuid.UUID | None = None
    is_superuser: bool = False
    # organization id -> the permission codes ("item:create", ...) of the viewer's role there
    permissions: dict[uuid.UUID, frozenset[str]] = field(default_factory=dict)
    # organization id -> role name (OWNER, ADMIN, ...)
    roles: dict[uuid.UUID, str] = field(default_factory=dict)
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[str] = ALL_SCOPES
    # `permissions`' organizations as a uuid[] literal, made once (see `params`).
    organizations_literal: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "organizations_literal", uuid_array(self.permissions))

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def organization_ids(self) -> list[uuid.UUID]:
        return list(self.permissions)

    def can(self, permission: str, organization_id: uuid.UUID | None) -> bool:
        """Whether the viewer holds ``permission`` ("resource:action") in an organization."""
        if not self.authenticated or not self._scope_allows(permission):
            return False
        if self.is_superuser:
            return True
        if organization_id is None:
            return False
        return permission in self.permissions.get(organization_id, frozenset())

    def _scope_allows(self, permission: str) -> bool:
        resource, _, action = permission.partition(":")
        if action == "read":
            return SCOPE_READ in self.scopes or SCOPE_WRITE in self.scopes
        if resource in ADMIN_RESOURCES:
            return SCOPE_ADMIN in self.scopes
        return SCOPE_WRITE in self.scopes

    def params(self, *, raw: bool = False) -> dict[str, Any]:
        """The values of the viewer parameters every visibility rule is written with.

        ``raw``: for statements sent to the driver directly (the read path), the
        organizations go as a PostgreSQL array literal that the SQL casts to uuid[]: one
        string is far cheaper than the driver adapting a list for every statement.
        """
        orgs = self.organizations_literal if raw else list(self.permissions)
        return {
            "viewer_id": self.user_id,
            "viewer_orgs": orgs,
            "viewer_superuser": self.is_superuser,
        }

    def may_write(self) -> bool:
        return self.authenticated and bool(self.scopes & {SCOPE_WRITE, SCOPE_ADMIN})


ANONYMOUS = Viewer()


# The rows a viewer is read from: `authenticate` (graph/auth.py) reads the credential (a
# session or an API key), its user, the user's memberships in live organizations, their roles
# and the roles' permissions. A committed change to any of them may end a credential or change
# what a viewer may see or do, so it clears cached viewers and re-reads the viewers it may
# concern: the caller's after its own mutation (resolvers/writes.py `mutate`), subscribers' on
# every process (graph/live/changes.py). A role_permissions link row is recorded as a change of
# the Role or Permission it was linked under (`Writer.link`).
VIEWER_MODELS = (User, Organization, Membership, Role, Permission, AuthSession, APIKey)
# The same, as the write path and the change log name a changed row: its entity type.
VIEWER_ENTITY_TYPES = frozenset(model.type_name() for model in VIEWER_MODELS)
