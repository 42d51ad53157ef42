"""Ops on a project's matrix: objects in their cells, the relationships between them, and
their calls to action and attributes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_

from graph.kernel.errors import Conflict, FieldErrorCode
from graph.types.design import (
    AttributeCreateInput,
    AttributeUpdateInput,
    AttributeValidationRulesInput,
    CallToActionCreateInput,
    CallToActionUpdateInput,
    DesignObjectCreateInput,
    DesignObjectMoveInput,
    DesignObjectUpdateInput,
    RelationshipCreateInput,
    RelationshipUpdateInput,
)
from models.design import Attribute, CallToAction, DesignObject, Project, Relationship
from resolvers.design.access import require_edit
from resolvers.design.checks import (
    DESCRIPTION_MAX,
    acceptance_criteria,
    cell,
    default_value,
    rules_input,
    validation_rules,
)
from resolvers.validation import (
    Checks,
    FieldChecks,
    in_range,
    json_object,
    optional_text,
    required,
    text,
)
from resolvers.writes import UNIQUE_CONFLICTS, UNIQUE_VIOLATIONS, Writer

CELL_TAKEN = "Another object occupies this cell of the project."
OTHER_PROJECT = "Must be an object of the relationship's project."

UNIQUE_CONFLICTS.update({"design_objects_project_id_cell_key": ((), CELL_TAKEN)})
UNIQUE_VIOLATIONS.update(
    {
        "design_attributes_object_id_name_key": (
            ("name",),
            "This object has an attribute with this name already.",
        ),
    }
)

# ---------------------------------------------------------------------------------------------
# Objects

# The cell is set on create and changed by `move_object` only (an update has no position).
OBJECT_FIELDS = FieldChecks(
    name=text(),
    description=optional_text(max_length=DESCRIPTION_MAX),
    object_type=text(max_length=64),
    complexity=required(in_range(1, 10)),
    position_x=cell,
    position_y=cell,
    meta_data=json_object(),
)


async def _ensure_free(
    writer: Writer, project_id: uuid.UUID, x: int, y: int, moving: uuid.UUID | None = None
) -> None:
    """Refuse a cell another object holds (the unique index is the backstop for races)."""
    stmt = writer.visible(DesignObject).where(
        DesignObject.project_id == project_id,
        DesignObject.position_x == x,
        DesignObject.position_y == y,
    )
    if moving is not None:
        stmt = stmt.where(DesignObject.id != moving)
    if await writer.session.scalar(stmt) is not None:
        raise Conflict(CELL_TAKEN)


async def create_object(writer: Writer, data: DesignObjectCreateInput) -> DesignObject:
    project = await writer.get(
        Project, data.project, type_name="Project", path=("project",), lock=False
    )
    await require_edit(writer, project.organization_id, project.id)
    checks = Checks()
    # Omitted (or null) metadata on create is an empty object.
    meta: Any = {} if data.meta_data is None else data.meta_data
    values = OBJECT_FIELDS.create(checks, data, meta_data=meta)
    checks.done()
    await _ensure_free(writer, project.id, values["position_x"], values["position_y"])
    return await writer.create(
        DesignObject(
            project_id=project.id,
            organization_id=project.organization_id,
            created_by=writer.viewer.user_id,
            **values,
        )
    )


async def _editable_object(
    writer: Writer, global_id: str, path: tuple[str, ...] = ("id",), *, lock: bool = True
) -> DesignObject:
    obj = await writer.get(DesignObject, global_id, type_name="DesignObject", path=path, lock=lock)
    await require_edit(writer, obj.organization_id, obj.project_id)
    return obj


async def update_object(writer: Writer, data: DesignObjectUpdateInput) -> DesignObject:
    obj = await _editable_object(writer, data.id)
    checks = Checks()
    values = OBJECT_FIELDS.update(checks, data)
    checks.done()
    return await writer.update(obj, values, seen_updated_at=data.updated_at)


async def move_object(writer: Writer, data: DesignObjectMoveInput) -> DesignObject:
    obj = await _editable_object(writer, data.id)
    checks = Checks()
    x, y = (
        cell(checks, ["positionX"], data.position_x),
        cell(checks, ["positionY"], data.position_y),
    )
    checks.done()
    await _ensure_free(writer, obj.project_id, x, y, moving=obj.id)
    return await writer.update(
        obj, {"position_x": x, "position_y": y}, seen_updated_at=data.updated_at
    )


@dataclass
class Removed:
    """What deleting an object removed."""

    relationships: list[uuid.UUID] = field(default_factory=list)
    calls_to_action: list[uuid.UUID] = field(default_factory=list)
    attributes: list[uuid.UUID] = field(default_factory=list)


async def delete_object(writer: Writer, *, id: str) -> Removed:
    """The object and, in the same transaction, every row hanging off it: each removal goes
    through the writer, so each is recorded as a change."""
    obj = await _editable_object(writer, id)
    removed = Removed()
    children: list[tuple[Any, list[uuid.UUID]]] = [
        (
            writer.visible(Relationship).where(
                or_(Relationship.source_id == obj.id, Relationship.target_id == obj.id)
            ),
            removed.relationships,
        ),
        (
            writer.visible(CallToAction).where(CallToAction.object_id == obj.id),
            removed.calls_to_action,
        ),
        (writer.visible(Attribute).where(Attribute.object_id == obj.id), removed.attributes),
    ]
    for stmt, ids in children:
        for child in (await writer.session.scalars(stmt.with_for_update())).all():
            ids.append(child.id)
            await writer.delete(child)
    await writer.delete(obj)
    return removed


# ---------------------------------------------------------------------------------------------
# Ops: relationships


# Relationships


RELATIONSHIP_FIELDS = FieldChecks(
    relationship_type=text(max_length=64),
    cardinality=required(),
    description=optional_text(max_length=DESCRIPTION_MAX),
)


async def _end(
    writer: Writer, checks: Checks, global_id: str, name: str, project_id: uuid.UUID
) -> uuid.UUID:
    """One end of a relationship: a visible object of the relationship's project."""
    obj = await writer.get(
        DesignObject, global_id, type_name="DesignObject", path=(name,), lock=False
    )
    if obj.project_id != project_id:
        checks.fail([name], FieldErrorCode.INVALID, OTHER_PROJECT)
    return obj.id


async def create_relationship(writer: Writer, data: RelationshipCreateInput) -> Relationship:
    project = await writer.get(
        Project, data.project, type_name="Project", path=("project",), lock=False
    )
    await require_edit(writer, project.organization_id, project.id)
    checks = Checks()
    values = RELATIONSHIP_FIELDS.create(checks, data)
    source = await _end(writer, checks, data.source, "source", project.id)
    target = await _end(writer, checks, data.target, "target", project.id)
    checks.done()
    return await writer.create(
        Relationship(
            project_id=project.id,
            organization_id=project.organization_id,
            source_id=source,
            target_id=target,
            **values,
        )
    )


async def update_relationship(writer: Writer, data: RelationshipUpdateInput) -> Relationship:
    rel = await writer.get(Relationship, data.id, type_name="Relationship")
    await require_edit(writer, rel.organization_id, rel.project_id)
    checks, values = Checks(), dict[str, Any]()
    # The ends first: each is looked up (a missing one is not found, before any other check).
    for name, given in (("source", data.source), ("target", data.target)):
        if given is not None:
            global_id = checks.present([name], given.value)
            if global_id is not None:
                values[f"{name}_id"] = await _end(writer, checks, global_id, name, rel.project_id)
    values.update(RELATIONSHIP_FIELDS.update(checks, data))
    checks.done()
    return await writer.update(rel, values, seen_updated_at=data.updated_at)


async def delete_relationship(writer: Writer, *, id: str) -> None:
    rel = await writer.get(Relationship, id, type_name="Relationship")
    await require_edit(writer, rel.organization_id, rel.project_id)
    await writer.delete(rel)


# ---------------------------------------------------------------------------------------------
# Calls to action

CALL_TO_ACTION_FIELDS = FieldChecks(
    name=text(),
    priority=required(),
    user_story=optional_text(max_length=DESCRIPTION_MAX),
    acceptance_criteria=required(acceptance_criteria),
)


async def create_call_to_action(writer: Writer, data: CallToActionCreateInput) -> CallToAction:
    obj = await _editable_object(writer, data.design_object, ("designObject",), lock=False)
    checks = Checks()
    values = CALL_TO_ACTION_FIELDS.create(checks, data)
    checks.done()
    return await writer.create(
        CallToAction(
            object_id=obj.id,
            project_id=obj.project_id,
            organization_id=obj.organization_id,
            **values,
        )
    )


async def update_call_to_action(writer: Writer, data: CallToActionUpdateInput) -> CallToAction:
    cta = await writer.get(CallToAction, data.id, type_name="CallToAction")
    await require_edit(writer, cta.organization_id, cta.project_id)
    checks = Checks()
    values = CALL_TO_ACTION_FIELDS.update(checks, data)
    checks.done()
    return await writer.update(cta, values, seen_updated_at=data.updated_at)


async def delete_call_to_action(writer: Writer, *, id: str) -> None:
    cta = await writer.get(CallToAction, id, type_name="CallToAction")
    await require_edit(writer, cta.organization_id, cta.project_id)
    await writer.delete(cta)


# ---------------------------------------------------------------------------------------------
# Attributes

# The validation rules and the default value are checked after these, against the resulting
# data type (and rules), whichever of them changed.
ATTRIBUTE_FIELDS = FieldChecks(
    name=text(),
    is_required=required(),
    data_type=required(),
)


async def create_attribute(writer: Writer, data: AttributeCreateInput) -> Attribute:
    obj = await _editable_object(writer, data.design_object, ("designObject",), lock=False)
    checks = Checks()
    values = ATTRIBUTE_FIELDS.create(checks, data)
    rules = validation_rules(checks, data.data_type, data.validation_rules)
    default = default_value(checks, data.data_type, rules, data.default_value)
    checks.done()
    return await writer.create(
        Attribute(
            object_id=obj.id,
            project_id=obj.project_id,
            organization_id=obj.organization_id,
            default_value=default,
            validation_rules=rules,
            **values,
        )
    )


async def update_attribute(writer: Writer, data: AttributeUpdateInput) -> Attribute:
    """The resulting type, rules and default are checked together, whichever changed."""
    attribute = await writer.get(Attribute, data.id, type_name="Attribute")
    await require_edit(writer, attribute.organization_id, attribute.project_id)
    checks = Checks()
    values = ATTRIBUTE_FIELDS.update(checks, data)
    data_type = values.get("data_type") or attribute.data_type
    given_rules = rules_input(attribute.validation_rules)
    if data.validation_rules is not None:
        given_rules = data.validation_rules.value or AttributeValidationRulesInput()
    rules = validation_rules(checks, data_type, given_rules)
    default = attribute.default_value
    if data.default_value is not None:
        default = data.default_value.value
    values.update(
        data_type=data_type,
        validation_rules=rules,
        default_value=default_value(checks, data_type, rules, default),
    )
    checks.done()
    return await writer.update(attribute, values, seen_updated_at=data.updated_at)


async def delete_attribute(writer: Writer, *, id: str) -> None:
    attribute = await writer.get(Attribute, id, type_name="Attribute")
    await require_edit(writer, attribute.organization_id, attribute.project_id)
    await writer.delete(attribute)
