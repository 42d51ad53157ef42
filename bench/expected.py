"""The answers Trellis should give, computed from the database without Trellis's code.

Deliberately naive: one obvious statement per row or per list, results assembled in Python in
the query's selection order. It shares nothing with Trellis's read path (no loaders, no
keyset SQL, no global-id helper), so a bug there cannot hide by being repeated here, and it
shares nothing with the raw baselines either (those are single json_build_object statements).

The API's rules, as the schema and DESIGN.md state them:
    visibility  organizations: the viewer is a member, not deleted; items, tags, projects,
                properties and clients: not deleted, in one of the viewer's organizations;
                design objects and relationships: in one of the viewer's organizations, their
                project not deleted; interactions: in one of the viewer's organizations, their
                client not deleted; users: not deleted, the viewer or someone who shares an
                organization with them (otherwise the field is null)
    ordering    organizations, items, relationships, properties and clients: created_at ASC,
                then id; tags: name ASC, then id; design objects: position_y, position_x, then
                id; interactions: occurred_at DESC, then id
    scalars     DateTime: ISO 8601 in UTC (``2024-01-01T00:00:00+00:00``); Decimal: a string
                with the column's two decimals; enums: the value's name in capitals
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC
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

    # -- design ---------------------------------------------------------------------------------

    def _live_project(self, project_id: uuid.UUID) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM projects WHERE id = %s AND deleted_at IS NULL", (project_id,)
        ).fetchone()
        return row is not None

    def project(self, project_id: uuid.UUID) -> tuple[uuid.UUID, str] | None:
        """(id, name) of a visible project."""
        row = self.conn.execute(
            "SELECT id, name FROM projects "
            "WHERE id = %s AND deleted_at IS NULL AND organization_id = ANY(%s)",
            (project_id, self.organization_ids),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def project_objects(
        self, project_id: uuid.UUID, first: int
    ) -> list[tuple[uuid.UUID, str, int, int]]:
        """(id, name, position_x, position_y) of the project's first objects, row by row."""
        if not self._live_project(project_id):
            return []
        rows = self.conn.execute(
            "SELECT id, name, position_x, position_y FROM design_objects "
            "WHERE project_id = %s AND organization_id = ANY(%s) "
            "ORDER BY position_y, position_x, id LIMIT %s",
            (project_id, self.organization_ids, first),
        ).fetchall()
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def design_object(self, object_id: uuid.UUID) -> JSONObject | None:
        """``{"id", "name"}`` of a visible design object, or None."""
        row = self.conn.execute(
            "SELECT id, name, project_id FROM design_objects "
            "WHERE id = %s AND organization_id = ANY(%s)",
            (object_id, self.organization_ids),
        ).fetchone()
        if row is None or not self._live_project(row[2]):
            return None
        return {"id": global_id("DesignObject", row[0]), "name": row[1]}

    def outgoing_relationships(
        self, object_id: uuid.UUID, first: int
    ) -> list[tuple[uuid.UUID, str, uuid.UUID]]:
        """(id, relationship_type, target_id) of the object's first visible relationships."""
        rows = self.conn.execute(
            "SELECT id, relationship_type, target_id, project_id FROM design_relationships "
            "WHERE source_id = %s AND organization_id = ANY(%s) ORDER BY created_at, id",
            (object_id, self.organization_ids),
        ).fetchall()
        visible = [(row[0], row[1], row[2]) for row in rows if self._live_project(row[3])]
        return visible[:first]

    # -- realty ---------------------------------------------------------------------------------

    def organization_clients(
        self, organization_id: uuid.UUID, first: int
    ) -> list[tuple[uuid.UUID, str, int]]:
        """(id, name, lead_score) of the organization's first clients."""
        if organization_id not in self.organization_ids:
            return []
        rows = self.conn.execute(
            "SELECT id, name, lead_score FROM clients "
            "WHERE organization_id = %s AND deleted_at IS NULL "
            "ORDER BY created_at, id LIMIT %s",
            (organization_id, first),
        ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def client_interactions(self, client_id: uuid.UUID, first: int) -> list[JSONObject]:
        """``{"id", "type", "occurredAt"}`` of the client's latest visible interactions."""
        client = self.conn.execute(
            "SELECT 1 FROM clients WHERE id = %s AND deleted_at IS NULL", (client_id,)
        ).fetchone()
        if client is None:
            return []
        rows = self.conn.execute(
            "SELECT id, type::text, occurred_at FROM interactions "
            "WHERE client_id = %s AND organization_id = ANY(%s) "
            "ORDER BY occurred_at DESC, id LIMIT %s",
            (client_id, self.organization_ids, first),
        ).fetchall()
        return [
            {
                "id": global_id("Interaction", row[0]),
                "type": row[1].upper(),
                "occurredAt": row[2].astimezone(UTC).isoformat(),
            }
            for row in rows
        ]

    def client_interested_properties(self, client_id: uuid.UUID, first: int) -> list[JSONObject]:
        """``{"id", "title", "price"}`` of the first visible properties the client is
        interested in."""
        rows = self.conn.execute(
            "SELECT p.id, p.title, p.price FROM client_interested_properties l "
            "JOIN properties p ON p.id = l.property_id "
            "WHERE l.client_id = %s AND p.deleted_at IS NULL AND p.organization_id = ANY(%s) "
            "ORDER BY p.created_at, p.id LIMIT %s",
            (client_id, self.organization_ids, first),
        ).fetchall()
        return [
            {"id": global_id("Property", row[0]), "title": row[1], "price": f"{row[2]:.2f}"}
            for row in rows
        ]


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


def project_matrix(
    r: Reader, project_id: uuid.UUID, *, objects: int, relationships: int
) -> JSONObject:
    """`project(id) { name objects(first) { nodes { id name positionX positionY
    outgoingRelationships(first) { nodes { id relationshipType target { id name } } } } } }`"""
    project = r.project(project_id)
    if project is None:
        return {"project": None}
    _pk, name = project
    nodes = [
        {
            "id": global_id("DesignObject", pk),
            "name": object_name,
            "positionX": x,
            "positionY": y,
            "outgoingRelationships": {
                "nodes": [
                    {
                        "id": global_id("Relationship", rel_pk),
                        "relationshipType": rel_type,
                        "target": r.design_object(target_id),
                    }
                    for rel_pk, rel_type, target_id in r.outgoing_relationships(pk, relationships)
                ]
            },
        }
        for pk, object_name, x, y in r.project_objects(project_id, objects)
    ]
    return {"project": {"name": name, "objects": {"nodes": nodes}}}


def organization_clients_with_interactions_and_properties(
    r: Reader, organization_id: uuid.UUID, *, clients: int, interactions: int, properties: int
) -> JSONObject:
    """`organization(id) { clients(first) { nodes { id name leadScore
    interactions(first) { nodes { id type occurredAt } }
    interestedProperties(first) { nodes { id title price } } } } }`"""
    if r.organization(organization_id) is None:
        return {"organization": None}
    nodes = [
        {
            "id": global_id("Client", pk),
            "name": name,
            "leadScore": lead_score,
            "interactions": {"nodes": r.client_interactions(pk, interactions)},
            "interestedProperties": {"nodes": r.client_interested_properties(pk, properties)},
        }
        for pk, name, lead_score in r.organization_clients(organization_id, clients)
    ]
    return {"organization": {"clients": {"nodes": nodes}}}
