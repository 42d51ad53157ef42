"""The answers Trellis should give, computed from the database without Trellis's code.

Deliberately naive: one obvious statement per row or per list, results assembled in Python in
the query's selection order. It shares nothing with Trellis's read path (no loaders, no
keyset SQL, no global-id helper), so a bug there cannot hide by being repeated here, and it
shares nothing with the raw baselines either (those are single json_build_object statements).

The API's rules, as the schema and DESIGN.md state them:
    visibility  organizations: the viewer is a member, not deleted; items and tags: not deleted,
                in one of the viewer's organizations; users: not deleted, the viewer or someone
                who shares an organization with them (otherwise the field is null)
    ordering    organizations and items: created_at ASC, then id; tags: name ASC, then id
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import psycopg

JSONObject = dict[str, Any]


def global_id(type_name: str, pk: uuid.UUID) -> str:
    """A Relay global id: base64url("Type:uuid"), unpadded."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


class Reader:
    """Row-at-a-time reads of what one viewer may see."""

    def __init__(self, conn: psycopg.Connection[Any], viewer_id: uuid.UUID) -> None:
        self.conn = conn
        self.viewer_id = viewer_id
        rows = conn.execute(
            """
            SELECT m.organization_id FROM memberships m
            JOIN organizations o ON o.id = m.organization_id
            WHERE m.user_id = %s AND o.deleted_at IS NULL
            """,
            (viewer_id,),
        ).fetchall()
        self.organization_ids: list[uuid.UUID] = [row[0] for row in rows]

    def user(self, user_id: uuid.UUID) -> JSONObject | None:
        """``{"id", "fullName"}`` of a visible user, or None."""
        row = self.conn.execute(
            """
            SELECT id, full_name FROM users u
            WHERE id = %s AND deleted_at IS NULL
              AND (id = %s OR EXISTS (SELECT 1 FROM memberships m
                                      WHERE m.user_id = u.id
                                        AND m.organization_id = ANY(%s)))
            """,
            (user_id, self.viewer_id, self.organization_ids),
        ).fetchone()
        if row is None:
            return None
        return {"id": global_id("User", row[0]), "fullName": row[1]}

    def item(self, item_id: uuid.UUID) -> tuple[uuid.UUID, str, uuid.UUID] | None:
        """(id, title, owner_id) of a visible item."""
        row = self.conn.execute(
            """
            SELECT id, title, owner_id FROM items
            WHERE id = %s AND deleted_at IS NULL AND organization_id = ANY(%s)
            """,
            (item_id, self.organization_ids),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def organization(self, organization_id: uuid.UUID) -> tuple[uuid.UUID, str] | None:
        row = self.conn.execute(
            "SELECT id, name FROM organizations "
            "WHERE id = %s AND deleted_at IS NULL AND id = ANY(%s)",
            (organization_id, self.organization_ids),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def organizations(self, first: int) -> list[tuple[uuid.UUID, str]]:
        rows = self.conn.execute(
            "SELECT id, name FROM organizations WHERE deleted_at IS NULL AND id = ANY(%s) "
            "ORDER BY created_at, id LIMIT %s",
            (self.organization_ids, first),
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def organization_items(
        self, organization_id: uuid.UUID, first: int
    ) -> list[tuple[uuid.UUID, str, uuid.UUID]]:
        """(id, title, owner_id) of the organization's first items."""
        if organization_id not in self.organization_ids:
            return []
        rows = self.conn.execute(
            "SELECT id, title, owner_id FROM items "
            "WHERE organization_id = %s AND deleted_at IS NULL "
            "ORDER BY created_at, id LIMIT %s",
            (organization_id, first),
        ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def item_tags(self, item_id: uuid.UUID, first: int) -> list[JSONObject]:
        """``{"id", "name"}`` of the item's first visible tags."""
        rows = self.conn.execute(
            "SELECT t.id, t.name FROM item_tags it JOIN tags t ON t.id = it.tag_id "
            "WHERE it.item_id = %s AND t.deleted_at IS NULL AND t.organization_id = ANY(%s) "
            "ORDER BY t.name, t.id LIMIT %s",
            (item_id, self.organization_ids, first),
        ).fetchall()
        return [{"id": global_id("Tag", row[0]), "name": row[1]} for row in rows]


def item_with_owner(r: Reader, item_id: uuid.UUID) -> JSONObject:
    """`item(id) { id title owner { id fullName } }`"""
    item = r.item(item_id)
    if item is None:
        return {"item": None}
    pk, title, owner_id = item
    return {"item": {"id": global_id("Item", pk), "title": title, "owner": r.user(owner_id)}}


def organization_items_with_owner_and_tags(
    r: Reader, organization_id: uuid.UUID, *, items: int, tags: int
) -> JSONObject:
    """`organization(id) { items(first) { nodes { id title owner { id fullName }
    tags(first) { nodes { id name } } } } }`"""
    if r.organization(organization_id) is None:
        return {"organization": None}
    nodes = [
        {
            "id": global_id("Item", pk),
            "title": title,
            "owner": r.user(owner_id),
            "tags": {"nodes": r.item_tags(pk, tags)},
        }
        for pk, title, owner_id in r.organization_items(organization_id, items)
    ]
    return {"organization": {"items": {"nodes": nodes}}}


def organizations_items_tags(r: Reader, *, organizations: int, items: int, tags: int) -> JSONObject:
    """`organizations(first) { nodes { id name items(first) { nodes { id title
    tags(first) { nodes { id name } } } } } }`"""
    nodes = [
        {
            "id": global_id("Organization", org_pk),
            "name": name,
            "items": {
                "nodes": [
                    {
                        "id": global_id("Item", pk),
                        "title": title,
                        "tags": {"nodes": r.item_tags(pk, tags)},
                    }
                    for pk, title, _owner in r.organization_items(org_pk, items)
                ]
            },
        }
        for org_pk, name in r.organizations(organizations)
    ]
    return {"organizations": {"nodes": nodes}}
