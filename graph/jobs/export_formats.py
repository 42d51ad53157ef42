"""Writing a design project as a stream of bytes: JSON, a zip of CSVs, a Markdown report or
GraphML.

`ProjectPages` reads the project's rows in keyset pages (never a whole table): objects in
reading order (row by row), relationships by creation, calls to action and attributes by id,
each with the names of the objects it refers to (joined in SQL, not looked up in memory).
Each writer is an async generator of chunks for `Storage.write`; it holds one page and one
output buffer at a time, so memory stays flat however large the project is.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from graph.kernel.ids import to_global_id
from models.design import Attribute, CallToAction, DesignObject, Project, Relationship
from models.exports import ExportFormat

# Output is handed to storage in chunks of about this size.
CHUNK_BYTES = 64 * 1024
FORMAT_VERSION = 1

EXTENSIONS = {
    ExportFormat.JSON: ("json", "application/json"),
    ExportFormat.CSV: ("zip", "application/zip"),
    ExportFormat.MARKDOWN: ("md", "text/markdown"),
    ExportFormat.GRAPHML: ("graphml", "application/graphml+xml"),
}
ENTITIES = ("objects", "relationships", "callsToAction", "attributes")
CSV_NAMES = {
    "objects": "objects.csv",
    "relationships": "relationships.csv",
    "callsToAction": "calls_to_action.csv",
    "attributes": "attributes.csv",
}
# Text the reader can drop (includeDescriptions: false).
DESCRIPTIVE = frozenset({"description", "userStory", "acceptanceCriteria"})

Row = dict[str, Any]
OnPage = Callable[[str, int], Awaitable[None]]


def _plain(value: Any) -> Any:
    """JSON for what `json` cannot encode itself (dates in JSON columns, UUIDs, Decimals)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@dataclass
class ProjectPages:
    """A project's rows, page by page, on one session (one snapshot: give it a REPEATABLE
    READ transaction for a consistent export). ``on_page(entity, rows)`` runs after each
    page is read (progress reports, pacing)."""

    session: AsyncSession
    project_id: uuid.UUID
    organization_id: uuid.UUID
    batch_size: int = 500
    include_descriptions: bool = True
    on_page: OnPage | None = None

    async def project(self) -> Row:
        project = await self.session.scalar(
            select(Project).where(
                Project.id == self.project_id,
                Project.organization_id == self.organization_id,
                Project.deleted_at.is_(None),
            )
        )
        if project is None:
            raise LookupError("The project is gone.")
        return {
            "id": to_global_id("Project", project.id),
            "name": project.name,
            "description": project.description,
            "status": project.status.value,
            "settings": project.settings,
            "createdAt": project.created_at.isoformat(),
            "updatedAt": project.updated_at.isoformat(),
        }

    async def counts(self) -> dict[str, int]:
        out = {}
        for entity, model in zip(
            ENTITIES, (DesignObject, Relationship, CallToAction, Attribute), strict=True
        ):
            out[entity] = int(
                await self.session.scalar(
                    select(func.count()).select_from(model).where(self._mine(model))
                )
                or 0
            )
        return out

    def _mine(self, model: Any) -> Any:
        return (model.project_id == self.project_id) & (
            model.organization_id == self.organization_id
        )

    async def _pages(
        self,
        entity: str,
        stmt: Any,
        keys: Sequence[Any],
        shape: Callable[[Any], Row],
    ) -> AsyncIterator[list[Row]]:
        after: tuple[Any, ...] | None = None
        while True:
            page = stmt.order_by(*keys).limit(self.batch_size)
            if after is not None:
                page = page.where(tuple_(*keys) > tuple_(*after))
            rows = (await self.session.execute(page)).all()
            if not rows:
                return
            last = rows[-1]._mapping
            after = tuple(last[f"k{i}"] for i in range(len(keys)))
            shaped = [self._trim(shape(r._mapping)) for r in rows]
            yield shaped
            if self.on_page is not None:
                await self.on_page(entity, len(rows))
            if len(rows) < self.batch_size:
                return

    def columns(self, names: list[str]) -> list[str]:
        """``names`` without the descriptive ones, unless descriptions are included."""
        return [n for n in names if self.include_descriptions or n not in DESCRIPTIVE]

    def _trim(self, row: Row) -> Row:
        if self.include_descriptions:
            return row
        return {k: v for k, v in row.items() if k not in DESCRIPTIVE}

    def objects(self) -> AsyncIterator[list[Row]]:
        o = DesignObject
        keys = (o.position_y, o.position_x)
        stmt = select(
            o.id, o.name, o.description, o.position_x, o.position_y, o.object_type,
            o.complexity, o.meta_data, o.created_at, o.updated_at,
            o.position_y.label("k0"), o.position_x.label("k1"),
        ).where(self._mine(o))  # fmt: skip

        def shape(m: Any) -> Row:
            return {
                "id": to_global_id("DesignObject", m["id"]),
                "name": m["name"],
                "description": m["description"],
                "positionX": m["position_x"],
                "positionY": m["position_y"],
                "objectType": m["object_type"],
                "complexity": m["complexity"],
                "metaData": m["meta_data"],
                "createdAt": m["created_at"].isoformat(),
                "updatedAt": m["updated_at"].isoformat(),
            }

        return self._pages("objects", stmt, keys, shape)

    def relationships(self) -> AsyncIterator[list[Row]]:
        r, src, dst = Relationship, aliased(DesignObject), aliased(DesignObject)
        keys = (r.created_at, r.id)
        stmt = (
            select(
                r.id, r.source_id, r.target_id, r.relationship_type, r.cardinality,
                r.description, r.created_at, src.name.label("source_name"),
                dst.name.label("target_name"), r.created_at.label("k0"), r.id.label("k1"),
            )
            .join(src, src.id == r.source_id)
            .join(dst, dst.id == r.target_id)
            .where(self._mine(r))
        )  # fmt: skip

        def shape(m: Any) -> Row:
            return {
                "id": to_global_id("Relationship", m["id"]),
                "sourceId": to_global_id("DesignObject", m["source_id"]),
                "sourceName": m["source_name"],
                "targetId": to_global_id("DesignObject", m["target_id"]),
                "targetName": m["target_name"],
                "relationshipType": m["relationship_type"],
                "cardinality": m["cardinality"].value,
                "description": m["description"],
                "createdAt": m["created_at"].isoformat(),
            }

        return self._pages("relationships", stmt, keys, shape)

    def calls_to_action(self) -> AsyncIterator[list[Row]]:
        c, o = CallToAction, DesignObject
        keys = (c.id,)
        stmt = (
            select(
                c.id, c.object_id, o.name.label("object_name"), c.name, c.priority,
                c.user_story, c.acceptance_criteria, c.id.label("k0"),
            )
            .join(o, o.id == c.object_id)
            .where(self._mine(c))
        )  # fmt: skip

        def shape(m: Any) -> Row:
            return {
                "id": to_global_id("CallToAction", m["id"]),
                "objectId": to_global_id("DesignObject", m["object_id"]),
                "objectName": m["object_name"],
                "name": m["name"],
                "priority": m["priority"].value,
                "userStory": m["user_story"],
                "acceptanceCriteria": list(m["acceptance_criteria"]),
            }

        return self._pages("callsToAction", stmt, keys, shape)

    def attributes(self) -> AsyncIterator[list[Row]]:
        a, o = Attribute, DesignObject
        keys = (a.id,)
        stmt = (
            select(
                a.id, a.object_id, o.name.label("object_name"), a.name, a.data_type,
                a.is_required, a.default_value, a.validation_rules, a.id.label("k0"),
            )
            .join(o, o.id == a.object_id)
            .where(self._mine(a))
        )  # fmt: skip

        def shape(m: Any) -> Row:
            return {
                "id": to_global_id("Attribute", m["id"]),
                "objectId": to_global_id("DesignObject", m["object_id"]),
                "objectName": m["object_name"],
                "name": m["name"],
                "dataType": m["data_type"].value,
                "isRequired": m["is_required"],
                "defaultValue": m["default_value"],
                "validationRules": m["validation_rules"],
            }

        return self._pages("attributes", stmt, keys, shape)

    def entity(self, name: str) -> AsyncIterator[list[Row]]:
        return {
            "objects": self.objects,
            "relationships": self.relationships,
            "callsToAction": self.calls_to_action,
            "attributes": self.attributes,
        }[name]()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)


class _Buffer:
    """Text in, UTF-8 chunks out once about CHUNK_BYTES accumulated."""

    def __init__(self) -> None:
        self.parts = bytearray()

    def add(self, text: str) -> bytes | None:
        self.parts += text.encode()
        return self.take() if len(self.parts) >= CHUNK_BYTES else None

    def take(self) -> bytes:
        out = bytes(self.parts)
        self.parts.clear()
        return out


async def write_json(pages: ProjectPages) -> AsyncIterator[bytes]:
    buf = _Buffer()
    project = await pages.project()
    head = {"format": "trellis.project-export", "version": FORMAT_VERSION, "project": project}
    buf.add(_dumps(head)[:-1])  # the object stays open for the entity arrays
    for entity in ENTITIES:
        buf.add(f',"{entity}":[')
        first = True
        async for page in pages.entity(entity):
            for row in page:
                chunk = buf.add(("" if first else ",\n") + _dumps(row))
                first = False
                if chunk:
                    yield chunk
        buf.add("]")
    buf.add("}\n")
    yield buf.take()


class _Sink(io.RawIOBase):
    """A write-only stream the zip writes into; its bytes are taken out as they come."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.data += b
        return len(b)

    def take(self) -> bytes:
        out = bytes(self.data)
        self.data.clear()
        return out


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return _dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


async def write_csv_zip(pages: ProjectPages) -> AsyncIterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        project = await pages.project()
        with archive.open("project.csv", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            out = csv.writer(text)
            out.writerow(list(project))
            out.writerow([_cell(v) for v in project.values()])
            text.flush()
            text.detach()
        for entity in ENTITIES:
            with archive.open(CSV_NAMES[entity], "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                out = csv.writer(text)
                header: list[str] | None = None
                async for page in pages.entity(entity):
                    for row in page:
                        if header is None:
                            header = list(row)
                            out.writerow(header)
                        out.writerow([_cell(row[k]) for k in header])
                    text.flush()
                    if sink.data:
                        yield sink.take()
                if header is None:  # no rows: the header alone
                    out.writerow(pages.columns(_EMPTY_HEADERS[entity]))
                text.flush()
                text.detach()
            yield sink.take()
    yield sink.take()


_EMPTY_HEADERS = {
    "objects": ["id", "name", "description", "positionX", "positionY", "objectType",
                "complexity", "metaData", "createdAt", "updatedAt"],
    "relationships": ["id", "sourceId", "sourceName", "targetId", "targetName",
                      "relationshipType", "cardinality", "description", "createdAt"],
    "callsToAction": ["id", "objectId", "objectName", "name", "priority", "userStory",
                      "acceptanceCriteria"],
    "attributes": ["id", "objectId", "objectName", "name", "dataType", "isRequired",
                   "defaultValue", "validationRules"],
}  # fmt: skip


def _md(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = _dumps(value)
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return re.sub(r"\s*\n\s*", "<br>", text.strip())


_MD_TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "objects": ("Objects", [("positionY", "Row"), ("positionX", "Column"), ("name", "Name"),
                            ("objectType", "Type"), ("complexity", "Complexity"),
                            ("description", "Description")]),
    "relationships": ("Relationships", [("sourceName", "Source"),
                                        ("relationshipType", "Type"),
                                        ("cardinality", "Cardinality"),
                                        ("targetName", "Target"),
                                        ("description", "Description")]),
    "callsToAction": ("Calls to action", [("objectName", "Object"), ("name", "Name"),
                                          ("priority", "Priority"), ("userStory", "User story"),
                                          ("acceptanceCriteria", "Acceptance criteria")]),
    "attributes": ("Attributes", [("objectName", "Object"), ("name", "Name"),
                                  ("dataType", "Type"), ("isRequired", "Required"),
                                  ("defaultValue", "Default")]),
}  # fmt: skip


async def write_markdown(pages: ProjectPages) -> AsyncIterator[bytes]:
    buf = _Buffer()
    project = await pages.project()
    counts = await pages.counts()
    buf.add(f"# {_md(project['name'])}\n\n")
    if pages.include_descriptions and project["description"]:
        buf.add(f"{project['description'].strip()}\n\n")
    buf.add(f"- Status: {project['status']}\n- Project ID: `{project['id']}`\n\n## Summary\n\n")
    buf.add("| Entity | Count |\n| --- | ---: |\n")
    for entity in ENTITIES:
        buf.add(f"| {_MD_TABLES[entity][0]} | {counts[entity]} |\n")
    for entity in ENTITIES:
        title, columns = _MD_TABLES[entity]
        kept = pages.columns([key for key, _ in columns])
        columns = [c for c in columns if c[0] in kept]
        buf.add(f"\n## {title}\n\n")
        if not counts[entity]:
            buf.add("None.\n")
            continue
        buf.add("| " + " | ".join(h for _, h in columns) + " |\n")
        buf.add("|" + " --- |" * len(columns) + "\n")
        async for page in pages.entity(entity):
            for row in page:
                chunk = buf.add("| " + " | ".join(_md(row.get(k)) for k, _ in columns) + " |\n")
                if chunk:
                    yield chunk
    yield buf.take()


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YFILES_NS = "http://www.yworks.com/xml/graphml"
# (key id, domain, attribute name, GraphML type)
_NODE_KEYS = [("name", "string"), ("description", "string"), ("objectType", "string"),
              ("complexity", "int"), ("positionX", "int"), ("positionY", "int")]  # fmt: skip
_EDGE_KEYS = [("relationshipType", "string"), ("cardinality", "string"),
              ("description", "string")]  # fmt: skip
# yEd draws a node at its matrix cell, this many points apart.
CELL_POINTS = 120


def _x(value: Any) -> str:
    return escape(_XML_BAD.sub("", str(value)))


def _data(key: str, value: Any) -> str:
    return "" if value is None else f'<data key="{key}">{_x(value)}</data>'


async def write_graphml(pages: ProjectPages) -> AsyncIterator[bytes]:
    buf = _Buffer()
    project = await pages.project()
    buf.add(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:y="{YFILES_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for name, kind in _NODE_KEYS:
        buf.add(f'<key id="n_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>\n')
    for name, kind in _EDGE_KEYS:
        buf.add(f'<key id="e_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n')
    buf.add('<key id="yfiles_node" for="node" yfiles.type="nodegraphics"/>\n')
    buf.add(f'<graph id={quoteattr(project["id"])} edgedefault="directed">\n')
    buf.add(f"<desc>{_x(project['name'])}</desc>\n")
    async for page in pages.objects():
        for row in page:
            data = "".join(_data(f"n_{k}", row.get(k)) for k, _ in _NODE_KEYS)
            shape = (
                f'<data key="yfiles_node"><y:ShapeNode><y:Geometry height="40.0" width="100.0" '
                f'x="{row["positionX"] * CELL_POINTS}.0" y="{row["positionY"] * CELL_POINTS}.0"/>'
                f"<y:NodeLabel>{_x(row['name'])}</y:NodeLabel></y:ShapeNode></data>"
            )
            chunk = buf.add(f"<node id={quoteattr(row['id'])}>{data}{shape}</node>\n")
            if chunk:
                yield chunk
    async for page in pages.relationships():
        for row in page:
            data = "".join(_data(f"e_{k}", row.get(k)) for k, _ in _EDGE_KEYS)
            chunk = buf.add(
                f"<edge id={quoteattr(row['id'])} source={quoteattr(row['sourceId'])} "
                f"target={quoteattr(row['targetId'])}>{data}</edge>\n"
            )
            if chunk:
                yield chunk
    buf.add("</graph>\n</graphml>\n")
    yield buf.take()


WRITERS: dict[ExportFormat, Callable[[ProjectPages], AsyncIterator[bytes]]] = {
    ExportFormat.JSON: write_json,
    ExportFormat.CSV: write_csv_zip,
    ExportFormat.MARKDOWN: write_markdown,
    ExportFormat.GRAPHML: write_graphml,
}
