"""The design domain: projects, their members and the object/relationship matrix.

Who may change a project (checked by every op below, through `require_edit` and
`require_manage`):

- content (the project itself, its objects, relationships, calls to action, attributes):
  the organization's content permission the catalog uses, `item:update` (`item:create` /
  `item:delete` to create / delete a project; EDITOR and up), and not being a project VIEWER
  member: a project role narrows the organization role, never widens it;
- members: the organization permission to manage people, `membership:update` (OWNER,
  ADMIN), or being a project OWNER member who may edit the project.

Projects are organization content like items, so they share the built-in roles' content
permissions rather than adding their own.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import strawberry
from graph.kernel.connections import PageArgs, root_connection
from sqlalchemy import or_

import models
from graph.compiled import ById, RootList, compiled_as
from graph.context import Info
from graph.kernel.errors import Conflict, FieldErrorCode, NotFound, PermissionDenied
from graph.kernel.ids import to_global_id
from graph.types.design import (
    PROJECT_ORDER,
    AttributeCreateInput,
    AttributeCreatePayload,
    AttributeDeleteInput,
    AttributeDeletePayload,
    AttributeDeleteSuccess,
    AttributeSuccess,
    AttributeUpdateInput,
    AttributeUpdatePayload,
    AttributeValidationRulesInput,
    CallToActionCreateInput,
    CallToActionCreatePayload,
    CallToActionDeleteInput,
    CallToActionDeletePayload,
    CallToActionDeleteSuccess,
    CallToActionSuccess,
    CallToActionUpdateInput,
    CallToActionUpdatePayload,
    DesignObjectCreateInput,
    DesignObjectCreatePayload,
    DesignObjectDeleteInput,
    DesignObjectDeletePayload,
    DesignObjectDeleteSuccess,
    DesignObjectMoveInput,
    DesignObjectMovePayload,
    DesignObjectSuccess,
    DesignObjectUpdateInput,
    DesignObjectUpdatePayload,
    ProjectConnection,
    ProjectCreateInput,
    ProjectCreatePayload,
    ProjectDeleteInput,
    ProjectDeletePayload,
    ProjectDeleteSuccess,
    ProjectFilter,
    ProjectMemberAddInput,
    ProjectMemberAddPayload,
    ProjectMemberRemoveInput,
    ProjectMemberRemovePayload,
    ProjectMemberRemoveSuccess,
    ProjectMemberRoleChangeInput,
    ProjectMemberRoleChangePayload,
    ProjectMemberSuccess,
    ProjectOrder,
    ProjectSuccess,
    ProjectUpdateInput,
    ProjectUpdatePayload,
    RelationshipCreateInput,
    RelationshipCreatePayload,
    RelationshipDeleteInput,
    RelationshipDeletePayload,
    RelationshipDeleteSuccess,
    RelationshipSuccess,
    RelationshipUpdateInput,
    RelationshipUpdatePayload,
)
from graph.types.design import Attribute as AttributeNode
from graph.types.design import CallToAction as CallToActionNode
from graph.types.design import DesignObject as DesignObjectNode
from graph.types.design import Project as ProjectNode
from graph.types.design import ProjectMember as ProjectMemberNode
from graph.types.design import Relationship as RelationshipNode
from loaders.base import to_node
from models.design import (
    MATRIX_SIZE,
    Attribute,
    AttributeDataType,
    CallToAction,
    DesignObject,
    Project,
    ProjectMember,
    ProjectRole,
    Relationship,
)
from resolvers.node import get_node
from resolvers.validation import Checks
from resolvers.writes import UNIQUE_CONFLICTS, UNIQUE_VIOLATIONS, Writer, mutate

CELL_TAKEN = "Another object occupies this cell of the project."
OTHER_PROJECT = "Must be an object of the relationship's project."

UNIQUE_CONFLICTS.update({"design_objects_project_id_cell_key": ((), CELL_TAKEN)})
UNIQUE_VIOLATIONS.update(
    {
        "project_members_project_id_user_id_key": (
            ("user",),
            "This user is a member of the project already.",
        ),
        "design_attributes_object_id_name_key": (
            ("name",),
            "This object has an attribute with this name already.",
        ),
    }
)

CREATE, UPDATE, DELETE, MANAGE = "item:create", "item:update", "item:delete", "membership:update"

DESCRIPTION_MAX = 5000
CRITERIA_MAX, CRITERION_MAX = 50, 1000
# Attribute rules: bounds that keep values and rules sane (and regexes cheap).
NUMBER_LIMIT = 1e15
LENGTH_LIMIT = 10_000
PATTERN_MAX = 200
CHOICES_MAX = 200
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# ---------------------------------------------------------------------------------------------
# Permissions


async def project_role(writer: Writer, project_id: uuid.UUID) -> ProjectRole | None:
    """The viewer's role in a project, if they are a member of it."""
    member = await writer.session.scalar(
        writer.visible(ProjectMember).where(
            ProjectMember.project_id == project_id,
            ProjectMember.user_id == writer.viewer.user_id,
        )
    )
    return member.role if member is not None else None


async def require_edit(
    writer: Writer, organization_id: uuid.UUID, project_id: uuid.UUID, permission: str = UPDATE
) -> None:
    """The organization permission, and not a project VIEWER member."""
    writer.require(permission, organization_id)
    if await project_role(writer, project_id) is ProjectRole.VIEWER:
        raise PermissionDenied(permission, "Project viewers cannot change this project.")


async def require_manage(writer: Writer, organization_id: uuid.UUID, project_id: uuid.UUID) -> None:
    """Organization OWNER/ADMIN (`membership:update`), or a project OWNER who may edit."""
    if writer.viewer.can(MANAGE, organization_id):
        return
    if (
        writer.viewer.can(UPDATE, organization_id)
        and await project_role(writer, project_id) is ProjectRole.OWNER
    ):
        return
    raise PermissionDenied(
        MANAGE, "Only project owners and organization admins manage project members."
    )


# ---------------------------------------------------------------------------------------------
# Checks


def _position(checks: Checks, x: int, y: int) -> tuple[int, int]:
    last = MATRIX_SIZE - 1
    return checks.in_range(["positionX"], x, 0, last), checks.in_range(["positionY"], y, 0, last)


def _criteria(checks: Checks, values: list[str]) -> list[str]:
    if len(values) > CRITERIA_MAX:
        checks.fail(
            ["acceptanceCriteria"], FieldErrorCode.TOO_LONG, f"At most {CRITERIA_MAX} criteria."
        )
        return []
    return [
        checks.text(["acceptanceCriteria", str(i)], v, max_length=CRITERION_MAX)
        for i, v in enumerate(values)
    ]


_NUMERIC = (AttributeDataType.INTEGER, AttributeDataType.NUMBER)
# Which rules apply to which data types.
_RULE_TYPES = {
    "min": _NUMERIC,
    "max": _NUMERIC,
    "min_length": (AttributeDataType.STRING,),
    "max_length": (AttributeDataType.STRING,),
    "pattern": (AttributeDataType.STRING,),
    "choices": (AttributeDataType.ENUM,),
}
_RULE_NAMES = {"min_length": "minLength", "max_length": "maxLength"}


def _nested_quantifier(pattern: str) -> bool:
    """Whether a repeated group repeats inside (``(a+)+``): such patterns can backtrack for
    exponential time, and a default value is matched against the pattern in the request."""
    groups: list[bool] = []  # per open group: does it contain a quantifier?
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            groups.append(False)
        elif char == ")" and groups:
            repeated = groups.pop()
            following = pattern[i + 1 : i + 2]
            if repeated and following and following in "*+{":
                return True
            if groups:
                groups[-1] = groups[-1] or repeated or (bool(following) and following in "*+{")
        elif char in "*+{" and groups:
            groups[-1] = True
        i += 1
    return False


def validation_rules(
    checks: Checks, data_type: AttributeDataType, rules: AttributeValidationRulesInput | None
) -> dict[str, Any]:
    """The rules as stored (only those given), each checked against the data type."""
    base = ["validationRules"]
    given = {
        name: value
        for name in _RULE_TYPES
        if rules is not None and (value := getattr(rules, name)) is not None
    }

    def fail(name: str, code: FieldErrorCode, message: str) -> None:
        checks.fail([*base, _RULE_NAMES.get(name, name)], code, message)

    for name in list(given):
        if data_type not in _RULE_TYPES[name]:
            kinds = " and ".join(t.name for t in _RULE_TYPES[name])
            fail(name, FieldErrorCode.INVALID, f"Applies to {kinds} attributes only.")
            del given[name]
    for name in ("min", "max"):
        if name in given:
            value = given[name]
            if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
                fail(name, FieldErrorCode.OUT_OF_RANGE, f"Must be within ±{NUMBER_LIMIT:g}.")
                del given[name]
            elif data_type is AttributeDataType.INTEGER:
                if value != int(value):
                    fail(name, FieldErrorCode.INVALID, "Must be a whole number.")
                    del given[name]
                else:
                    given[name] = int(value)
    if "min" in given and "max" in given and given["min"] > given["max"]:
        fail("max", FieldErrorCode.OUT_OF_RANGE, "Must not be less than min.")
    for name in ("min_length", "max_length"):
        if name in given and not 0 <= given[name] <= LENGTH_LIMIT:
            fail(name, FieldErrorCode.OUT_OF_RANGE, f"Must be between 0 and {LENGTH_LIMIT}.")
            del given[name]
    if given.get("min_length", 0) > given.get("max_length", LENGTH_LIMIT):
        fail("max_length", FieldErrorCode.OUT_OF_RANGE, "Must not be less than minLength.")
    if "pattern" in given:
        pattern = given["pattern"]
        if not 1 <= len(pattern) <= PATTERN_MAX:
            fail("pattern", FieldErrorCode.TOO_LONG, f"Use 1-{PATTERN_MAX} characters.")
            del given["pattern"]
        else:
            try:
                re.compile(pattern)
            except re.error:
                fail("pattern", FieldErrorCode.INVALID_FORMAT, "Not a valid regular expression.")
                del given["pattern"]
            else:
                if _nested_quantifier(pattern):
                    message = "Nested repetition such as (a+)+ is not allowed."
                    fail("pattern", FieldErrorCode.INVALID, message)
                    del given["pattern"]
    if data_type is AttributeDataType.ENUM:
        choices = given.get("choices")
        if not choices:
            fail("choices", FieldErrorCode.REQUIRED, "An enum needs at least one choice.")
        elif len(choices) > CHOICES_MAX:
            fail("choices", FieldErrorCode.TOO_LONG, f"At most {CHOICES_MAX} choices.")
        else:
            cleaned = [checks.text([*base, "choices", str(i)], c) for i, c in enumerate(choices)]
            if len(set(cleaned)) != len(cleaned):
                fail("choices", FieldErrorCode.INVALID, "Choices must be distinct.")
            given["choices"] = cleaned
    return given


def default_value(
    checks: Checks, data_type: AttributeDataType, rules: dict[str, Any], value: Any
) -> Any:
    """A default value fits its data type and rules (None: no default)."""
    if value is None:
        return None
    path = ["defaultValue"]

    def fail(code: FieldErrorCode, message: str) -> None:
        checks.fail(path, code, message)

    if data_type is AttributeDataType.STRING:
        if not isinstance(value, str):
            fail(FieldErrorCode.INVALID, "Must be a string.")
        elif len(value) < rules.get("min_length", 0):
            fail(FieldErrorCode.TOO_SHORT, f"Must be at least {rules['min_length']} characters.")
        elif len(value) > rules.get("max_length", LENGTH_LIMIT):
            limit = rules.get("max_length", LENGTH_LIMIT)
            fail(FieldErrorCode.TOO_LONG, f"Must be at most {limit} characters.")
        elif "pattern" in rules and not re.fullmatch(rules["pattern"], value):
            fail(FieldErrorCode.INVALID_FORMAT, "Must match the pattern.")
    elif data_type in _NUMERIC:
        integer = data_type is AttributeDataType.INTEGER
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            fail(FieldErrorCode.INVALID, "Must be an integer." if integer else "Must be a number.")
        elif abs(value) > NUMBER_LIMIT or not math.isfinite(value):  # ints first: no overflow
            fail(FieldErrorCode.OUT_OF_RANGE, f"Must be within ±{NUMBER_LIMIT:g}.")
        elif value < rules.get("min", -math.inf):
            fail(FieldErrorCode.OUT_OF_RANGE, f"Must be at least {rules['min']}.")
        elif value > rules.get("max", math.inf):
            fail(FieldErrorCode.OUT_OF_RANGE, f"Must be at most {rules['max']}.")
    elif data_type is AttributeDataType.BOOLEAN:
        if not isinstance(value, bool):
            fail(FieldErrorCode.INVALID, "Must be true or false.")
    elif data_type is AttributeDataType.DATE:
        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            fail(FieldErrorCode.INVALID_FORMAT, "Must be a date as YYYY-MM-DD.")
        else:
            try:
                date.fromisoformat(value)
            except ValueError:
                fail(FieldErrorCode.INVALID_FORMAT, "Must be a date as YYYY-MM-DD.")
    elif data_type is AttributeDataType.ENUM and value not in rules.get("choices", ()):
        fail(FieldErrorCode.INVALID, "Must be one of the choices.")
    return value


def _rules_input(stored: dict[str, Any]) -> AttributeValidationRulesInput:
    return AttributeValidationRulesInput(**{k: v for k, v in stored.items() if k in _RULE_TYPES})


# ---------------------------------------------------------------------------------------------
# Ops: projects and members


async def create_project(writer: Writer, data: ProjectCreateInput) -> Project:
    org = await writer.get(
        models.Organization,
        data.organization,
        type_name="Organization",
        path=("organization",),
        lock=False,
    )
    writer.require(CREATE, org.id)
    checks = Checks()
    name = checks.text(["name"], data.name)
    description = checks.optional_text(
        ["description"], data.description, max_length=DESCRIPTION_MAX
    )
    settings = checks.json_object(["settings"], data.settings if data.settings is not None else {})
    checks.done()
    project = await writer.create(
        Project(
            organization_id=org.id,
            owner_id=writer.viewer.user_id,
            name=name,
            description=description,
            status=data.status,
            settings=settings,
        )
    )
    if writer.viewer.user_id is not None:
        await writer.create(
            ProjectMember(
                project_id=project.id,
                organization_id=org.id,
                user_id=writer.viewer.user_id,
                role=ProjectRole.OWNER,
            )
        )
    return project


async def update_project(writer: Writer, data: ProjectUpdateInput) -> Project:
    project = await writer.get(Project, data.id, type_name="Project")
    await require_edit(writer, project.organization_id, project.id)
    checks, values = Checks(), dict[str, Any]()
    if data.name is not None:
        values["name"] = checks.text(["name"], data.name.value)
    if data.description is not None:
        values["description"] = checks.optional_text(
            ["description"], data.description.value, max_length=DESCRIPTION_MAX
        )
    if data.status is not None:
        values["status"] = checks.present(["status"], data.status.value)
    if data.settings is not None:
        values["settings"] = checks.json_object(["settings"], data.settings.value)
    checks.done()
    return await writer.update(project, values, seen_updated_at=data.updated_at)


async def delete_project(writer: Writer, *, id: str) -> None:
    project = await writer.get(Project, id, type_name="Project")
    await require_edit(writer, project.organization_id, project.id, DELETE)
    await writer.delete(project)


async def add_project_member(writer: Writer, data: ProjectMemberAddInput) -> ProjectMember:
    project = await writer.get(
        Project, data.project, type_name="Project", path=("project",), lock=False
    )
    await require_manage(writer, project.organization_id, project.id)
    checks = Checks()
    user_id = checks.id(["user"], data.user, "User")
    checks.done()
    # Only members of the project's organization can have a role in it.
    membership = await writer.session.scalar(
        writer.visible(models.Membership).where(
            models.Membership.user_id == user_id,
            models.Membership.organization_id == project.organization_id,
        )
    )
    if membership is None:
        raise NotFound("User", data.user, ("user",))
    return await writer.create(
        ProjectMember(
            project_id=project.id,
            organization_id=project.organization_id,
            user_id=user_id,
            role=data.role,
        )
    )


async def change_project_member_role(
    writer: Writer, data: ProjectMemberRoleChangeInput
) -> ProjectMember:
    member = await writer.get(ProjectMember, data.id, type_name="ProjectMember")
    await require_manage(writer, member.organization_id, member.project_id)
    return await writer.update(member, {"role": data.role}, seen_updated_at=data.updated_at)


async def remove_project_member(writer: Writer, *, id: str) -> None:
    member = await writer.get(ProjectMember, id, type_name="ProjectMember")
    await require_manage(writer, member.organization_id, member.project_id)
    await writer.delete(member)


# ---------------------------------------------------------------------------------------------
# Ops: objects


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
    name = checks.text(["name"], data.name)
    description = checks.optional_text(
        ["description"], data.description, max_length=DESCRIPTION_MAX
    )
    object_type = checks.text(["objectType"], data.object_type, max_length=64)
    complexity = checks.in_range(["complexity"], data.complexity, 1, 10)
    x, y = _position(checks, data.position_x, data.position_y)
    meta = checks.json_object(["metaData"], data.meta_data if data.meta_data is not None else {})
    checks.done()
    await _ensure_free(writer, project.id, x, y)
    return await writer.create(
        DesignObject(
            project_id=project.id,
            organization_id=project.organization_id,
            name=name,
            description=description,
            position_x=x,
            position_y=y,
            object_type=object_type,
            complexity=complexity,
            created_by=writer.viewer.user_id,
            meta_data=meta,
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
    checks, values = Checks(), dict[str, Any]()
    if data.name is not None:
        values["name"] = checks.text(["name"], data.name.value)
    if data.description is not None:
        values["description"] = checks.optional_text(
            ["description"], data.description.value, max_length=DESCRIPTION_MAX
        )
    if data.object_type is not None:
        values["object_type"] = checks.text(["objectType"], data.object_type.value, max_length=64)
    if data.complexity is not None:
        complexity = checks.present(["complexity"], data.complexity.value)
        if complexity is not None:
            values["complexity"] = checks.in_range(["complexity"], complexity, 1, 10)
    if data.meta_data is not None:
        values["meta_data"] = checks.json_object(["metaData"], data.meta_data.value)
    checks.done()
    return await writer.update(obj, values, seen_updated_at=data.updated_at)


async def move_object(writer: Writer, data: DesignObjectMoveInput) -> DesignObject:
    obj = await _editable_object(writer, data.id)
    checks = Checks()
    x, y = _position(checks, data.position_x, data.position_y)
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
    relationship_type = checks.text(["relationshipType"], data.relationship_type, max_length=64)
    description = checks.optional_text(
        ["description"], data.description, max_length=DESCRIPTION_MAX
    )
    source = await _end(writer, checks, data.source, "source", project.id)
    target = await _end(writer, checks, data.target, "target", project.id)
    checks.done()
    return await writer.create(
        Relationship(
            project_id=project.id,
            organization_id=project.organization_id,
            source_id=source,
            target_id=target,
            relationship_type=relationship_type,
            cardinality=data.cardinality,
            description=description,
        )
    )


async def update_relationship(writer: Writer, data: RelationshipUpdateInput) -> Relationship:
    rel = await writer.get(Relationship, data.id, type_name="Relationship")
    await require_edit(writer, rel.organization_id, rel.project_id)
    checks, values = Checks(), dict[str, Any]()
    for name, given in (("source", data.source), ("target", data.target)):
        if given is not None:
            global_id = checks.present([name], given.value)
            if global_id is not None:
                values[f"{name}_id"] = await _end(writer, checks, global_id, name, rel.project_id)
    if data.relationship_type is not None:
        values["relationship_type"] = checks.text(
            ["relationshipType"], data.relationship_type.value, max_length=64
        )
    if data.cardinality is not None:
        values["cardinality"] = checks.present(["cardinality"], data.cardinality.value)
    if data.description is not None:
        values["description"] = checks.optional_text(
            ["description"], data.description.value, max_length=DESCRIPTION_MAX
        )
    checks.done()
    return await writer.update(rel, values, seen_updated_at=data.updated_at)


async def delete_relationship(writer: Writer, *, id: str) -> None:
    rel = await writer.get(Relationship, id, type_name="Relationship")
    await require_edit(writer, rel.organization_id, rel.project_id)
    await writer.delete(rel)


# ---------------------------------------------------------------------------------------------
# Ops: calls to action


async def create_call_to_action(writer: Writer, data: CallToActionCreateInput) -> CallToAction:
    obj = await _editable_object(writer, data.design_object, ("designObject",), lock=False)
    checks = Checks()
    name = checks.text(["name"], data.name)
    user_story = checks.optional_text(["userStory"], data.user_story, max_length=DESCRIPTION_MAX)
    criteria = _criteria(checks, data.acceptance_criteria)
    checks.done()
    return await writer.create(
        CallToAction(
            object_id=obj.id,
            project_id=obj.project_id,
            organization_id=obj.organization_id,
            name=name,
            priority=data.priority,
            user_story=user_story,
            acceptance_criteria=criteria,
        )
    )


async def update_call_to_action(writer: Writer, data: CallToActionUpdateInput) -> CallToAction:
    cta = await writer.get(CallToAction, data.id, type_name="CallToAction")
    await require_edit(writer, cta.organization_id, cta.project_id)
    checks, values = Checks(), dict[str, Any]()
    if data.name is not None:
        values["name"] = checks.text(["name"], data.name.value)
    if data.priority is not None:
        values["priority"] = checks.present(["priority"], data.priority.value)
    if data.user_story is not None:
        values["user_story"] = checks.optional_text(
            ["userStory"], data.user_story.value, max_length=DESCRIPTION_MAX
        )
    if data.acceptance_criteria is not None:
        criteria = checks.present(["acceptanceCriteria"], data.acceptance_criteria.value)
        if criteria is not None:
            values["acceptance_criteria"] = _criteria(checks, criteria)
    checks.done()
    return await writer.update(cta, values, seen_updated_at=data.updated_at)


async def delete_call_to_action(writer: Writer, *, id: str) -> None:
    cta = await writer.get(CallToAction, id, type_name="CallToAction")
    await require_edit(writer, cta.organization_id, cta.project_id)
    await writer.delete(cta)


# ---------------------------------------------------------------------------------------------
# Ops: attributes


async def create_attribute(writer: Writer, data: AttributeCreateInput) -> Attribute:
    obj = await _editable_object(writer, data.design_object, ("designObject",), lock=False)
    checks = Checks()
    name = checks.text(["name"], data.name)
    rules = validation_rules(checks, data.data_type, data.validation_rules)
    default = default_value(checks, data.data_type, rules, data.default_value)
    checks.done()
    return await writer.create(
        Attribute(
            object_id=obj.id,
            project_id=obj.project_id,
            organization_id=obj.organization_id,
            name=name,
            data_type=data.data_type,
            is_required=data.is_required,
            default_value=default,
            validation_rules=rules,
        )
    )


async def update_attribute(writer: Writer, data: AttributeUpdateInput) -> Attribute:
    """The resulting type, rules and default are checked together, whichever changed."""
    attribute = await writer.get(Attribute, data.id, type_name="Attribute")
    await require_edit(writer, attribute.organization_id, attribute.project_id)
    checks, values = Checks(), dict[str, Any]()
    if data.name is not None:
        values["name"] = checks.text(["name"], data.name.value)
    if data.is_required is not None:
        values["is_required"] = checks.present(["isRequired"], data.is_required.value)
    data_type = attribute.data_type
    if data.data_type is not None:
        data_type = checks.present(["dataType"], data.data_type.value) or data_type
    rules_input = _rules_input(attribute.validation_rules)
    if data.validation_rules is not None:
        rules_input = data.validation_rules.value or AttributeValidationRulesInput()
    rules = validation_rules(checks, data_type, rules_input)
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


# ---------------------------------------------------------------------------------------------
# GraphQL


@strawberry.type
class DesignQuery:
    @strawberry.field(description="A design project you can see, by ID.")
    @compiled_as(ById(ProjectNode))
    async def project(self, info: Info, id: strawberry.ID) -> ProjectNode | None:
        return await get_node(info, ProjectNode, id)

    @strawberry.field(description="Design projects you can see, across your organizations.")
    @compiled_as(RootList(ProjectNode, PROJECT_ORDER))
    async def projects(
        self,
        info: Info,
        filter: ProjectFilter | None = None,
        order_by: list[ProjectOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ProjectConnection:
        return await root_connection(
            info,
            ProjectConnection,
            ProjectNode,
            PageArgs(filter, order_by, first, after, last, before),
            default_order=PROJECT_ORDER,
        )


def _gids(type_name: str, pks: list[uuid.UUID]) -> list[strawberry.ID]:
    return [strawberry.ID(to_global_id(type_name, pk)) for pk in pks]


def _project(project: Any) -> ProjectSuccess:
    return ProjectSuccess(project=to_node(ProjectNode, project))


def _member(member: Any) -> ProjectMemberSuccess:
    return ProjectMemberSuccess(project_member=to_node(ProjectMemberNode, member))


def _object(obj: Any) -> DesignObjectSuccess:
    return DesignObjectSuccess(design_object=to_node(DesignObjectNode, obj))


def _relationship(rel: Any) -> RelationshipSuccess:
    return RelationshipSuccess(relationship=to_node(RelationshipNode, rel))


def _call_to_action(cta: Any) -> CallToActionSuccess:
    return CallToActionSuccess(call_to_action=to_node(CallToActionNode, cta))


def _attribute(attribute: Any) -> AttributeSuccess:
    return AttributeSuccess(attribute=to_node(AttributeNode, attribute))


_CONTENT = "Needs `item:update` (EDITOR+) and not being a project VIEWER."
_MEMBERS = "Needs `membership:update` (organization OWNER/ADMIN) or being a project OWNER."


@strawberry.type
class DesignMutation:
    @strawberry.mutation(
        description="Create a project (`item:create`, EDITOR+); you become its OWNER member."
    )
    async def project_create(self, info: Info, input: ProjectCreateInput) -> ProjectCreatePayload:
        return await mutate(info, lambda w: create_project(w, input), _project)

    @strawberry.mutation(description=f"Change a project. {_CONTENT}")
    async def project_update(self, info: Info, input: ProjectUpdateInput) -> ProjectUpdatePayload:
        return await mutate(info, lambda w: update_project(w, input), _project)

    @strawberry.mutation(
        description="Delete a project (soft; everything in it disappears with it). Needs "
        "`item:delete` (EDITOR+) and not being a project VIEWER."
    )
    async def project_delete(self, info: Info, input: ProjectDeleteInput) -> ProjectDeletePayload:
        return await mutate(
            info,
            lambda w: delete_project(w, id=input.id),
            lambda _: ProjectDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(
        description=f"Give a member of the project's organization a project role. {_MEMBERS}"
    )
    async def project_member_add(
        self, info: Info, input: ProjectMemberAddInput
    ) -> ProjectMemberAddPayload:
        return await mutate(info, lambda w: add_project_member(w, input), _member)

    @strawberry.mutation(description=f"Change a project member's role. {_MEMBERS}")
    async def project_member_role_change(
        self, info: Info, input: ProjectMemberRoleChangeInput
    ) -> ProjectMemberRoleChangePayload:
        return await mutate(info, lambda w: change_project_member_role(w, input), _member)

    @strawberry.mutation(description=f"Take a project role away. {_MEMBERS}")
    async def project_member_remove(
        self, info: Info, input: ProjectMemberRemoveInput
    ) -> ProjectMemberRemovePayload:
        return await mutate(
            info,
            lambda w: remove_project_member(w, id=input.id),
            lambda _: ProjectMemberRemoveSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description=f"Place a new object in a free cell. {_CONTENT}")
    async def design_object_create(
        self, info: Info, input: DesignObjectCreateInput
    ) -> DesignObjectCreatePayload:
        return await mutate(info, lambda w: create_object(w, input), _object)

    @strawberry.mutation(description=f"Change an object. {_CONTENT}")
    async def design_object_update(
        self, info: Info, input: DesignObjectUpdateInput
    ) -> DesignObjectUpdatePayload:
        return await mutate(info, lambda w: update_object(w, input), _object)

    @strawberry.mutation(
        description=f"Move an object to another cell; an occupied cell is a conflict. {_CONTENT}"
    )
    async def design_object_move(
        self, info: Info, input: DesignObjectMoveInput
    ) -> DesignObjectMovePayload:
        return await mutate(info, lambda w: move_object(w, input), _object)

    @strawberry.mutation(
        description="Delete an object with its relationships (both directions), calls to "
        f"action and attributes, in one transaction. {_CONTENT}"
    )
    async def design_object_delete(
        self, info: Info, input: DesignObjectDeleteInput
    ) -> DesignObjectDeletePayload:
        return await mutate(
            info,
            lambda w: delete_object(w, id=input.id),
            lambda removed: DesignObjectDeleteSuccess(
                deleted_id=input.id,
                deleted_relationship_ids=_gids("Relationship", removed.relationships),
                deleted_call_to_action_ids=_gids("CallToAction", removed.calls_to_action),
                deleted_attribute_ids=_gids("Attribute", removed.attributes),
            ),
        )

    @strawberry.mutation(description=f"Relate two objects of one project. {_CONTENT}")
    async def relationship_create(
        self, info: Info, input: RelationshipCreateInput
    ) -> RelationshipCreatePayload:
        return await mutate(info, lambda w: create_relationship(w, input), _relationship)

    @strawberry.mutation(description=f"Change a relationship. {_CONTENT}")
    async def relationship_update(
        self, info: Info, input: RelationshipUpdateInput
    ) -> RelationshipUpdatePayload:
        return await mutate(info, lambda w: update_relationship(w, input), _relationship)

    @strawberry.mutation(description=f"Delete a relationship. {_CONTENT}")
    async def relationship_delete(
        self, info: Info, input: RelationshipDeleteInput
    ) -> RelationshipDeletePayload:
        return await mutate(
            info,
            lambda w: delete_relationship(w, id=input.id),
            lambda _: RelationshipDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description=f"Add a call to action to an object. {_CONTENT}")
    async def call_to_action_create(
        self, info: Info, input: CallToActionCreateInput
    ) -> CallToActionCreatePayload:
        return await mutate(info, lambda w: create_call_to_action(w, input), _call_to_action)

    @strawberry.mutation(description=f"Change a call to action. {_CONTENT}")
    async def call_to_action_update(
        self, info: Info, input: CallToActionUpdateInput
    ) -> CallToActionUpdatePayload:
        return await mutate(info, lambda w: update_call_to_action(w, input), _call_to_action)

    @strawberry.mutation(description=f"Delete a call to action. {_CONTENT}")
    async def call_to_action_delete(
        self, info: Info, input: CallToActionDeleteInput
    ) -> CallToActionDeletePayload:
        return await mutate(
            info,
            lambda w: delete_call_to_action(w, id=input.id),
            lambda _: CallToActionDeleteSuccess(deleted_id=input.id),
        )

    @strawberry.mutation(description=f"Add an attribute to an object. {_CONTENT}")
    async def attribute_create(
        self, info: Info, input: AttributeCreateInput
    ) -> AttributeCreatePayload:
        return await mutate(info, lambda w: create_attribute(w, input), _attribute)

    @strawberry.mutation(description=f"Change an attribute. {_CONTENT}")
    async def attribute_update(
        self, info: Info, input: AttributeUpdateInput
    ) -> AttributeUpdatePayload:
        return await mutate(info, lambda w: update_attribute(w, input), _attribute)

    @strawberry.mutation(description=f"Delete an attribute. {_CONTENT}")
    async def attribute_delete(
        self, info: Info, input: AttributeDeleteInput
    ) -> AttributeDeletePayload:
        return await mutate(
            info,
            lambda w: delete_attribute(w, id=input.id),
            lambda _: AttributeDeleteSuccess(deleted_id=input.id),
        )
