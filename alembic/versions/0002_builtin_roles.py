"""built-in roles and their permissions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The catalog of permissions (resource x action) and the four built-in roles. A later migration
that adds a resource adds its permissions here-after, the same way.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESOURCES = {
    "organization": ("read", "update", "delete"),
    "membership": ("read", "create", "update", "delete"),
    "role": ("read", "create", "update", "delete"),
    "item": ("read", "create", "update", "delete"),
    "tag": ("read", "create", "update", "delete"),
}
CONTENT = ("item", "tag")

ROLES = {
    # name: (rank, description, predicate over (resource, action))
    "OWNER": (100, "Full control, including deleting the organization.", lambda r, a: True),
    "ADMIN": (
        80,
        "Manages members, roles and content; cannot delete the organization.",
        lambda r, a: (r, a) != ("organization", "delete"),
    ),
    "EDITOR": (
        50,
        "Reads everything and writes content (items, tags).",
        lambda r, a: a == "read" or r in CONTENT,
    ),
    "VIEWER": (10, "Reads everything, writes nothing.", lambda r, a: a == "read"),
}


def upgrade() -> None:
    conn = op.get_bind()
    permission_ids = {}
    for resource, actions in RESOURCES.items():
        for action in actions:
            permission_ids[(resource, action)] = conn.execute(
                sa.text(
                    "INSERT INTO permissions (resource, action, description) "
                    "VALUES (:resource, :action, :description) RETURNING id"
                ),
                {"resource": resource, "action": action, "description": f"{action} {resource}"},
            ).scalar_one()
    for name, (rank, description, grants) in ROLES.items():
        role_id = conn.execute(
            sa.text(
                "INSERT INTO roles (name, rank, description) "
                "VALUES (:name, :rank, :description) RETURNING id"
            ),
            {"name": name, "rank": rank, "description": description},
        ).scalar_one()
        for (resource, action), permission_id in permission_ids.items():
            if grants(resource, action):
                conn.execute(
                    sa.text(
                        "INSERT INTO role_permissions (role_id, permission_id) "
                        "VALUES (:role_id, :permission_id)"
                    ),
                    {"role_id": role_id, "permission_id": permission_id},
                )


def downgrade() -> None:
    op.execute("DELETE FROM roles WHERE organization_id IS NULL")
    op.execute("DELETE FROM permissions")
