"""The design domain (see ../shared/DESIGN.md): projects modelled as an object/relationship
matrix (ORCA). Every row carries its project's ``organization_id``, so tenancy is a column.

A project is the aggregate root and is soft-deleted; the rows under it are hard-deleted one
by one through the write path, and hide with their project: their visibility rule asks that
the project is alive (one primary-key probe), on top of the tenancy column.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import JSON, ArchiveMixin, Base, SoftDeleteMixin, Str200, member_of
from models.search import Searchable

# The matrix is at most this many cells wide and high (0-based positions).
MATRIX_SIZE = 1000


def _pg_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    return Enum(enum_class, name=name, values_callable=lambda e: [m.value for m in e])


class ProjectStatus(enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class ProjectRole(enum.Enum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


class Cardinality(enum.Enum):
    ONE_TO_ONE = "one_to_one"
    ONE_TO_MANY = "one_to_many"
    MANY_TO_ONE = "many_to_one"
    MANY_TO_MANY = "many_to_many"


class CallToActionPriority(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class AttributeDataType(enum.Enum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"


def _organization_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))


def _project_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))


def _object_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("design_objects.id", ondelete="CASCADE"))


class Project(Searchable, ArchiveMixin, SoftDeleteMixin, Base):
    __tablename__ = "projects"
    __search__ = (("name", "A"), ("description", "B"))
    __scope__ = "id"

    organization_id: Mapped[uuid.UUID] = _organization_fk()
    # A project outlives its owner's account.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[Str200]
    description: Mapped[str | None]
    status: Mapped[ProjectStatus] = mapped_column(
        _pg_enum(ProjectStatus, "project_status"), server_default=ProjectStatus.DRAFT.value
    )
    settings: Mapped[JSON]

    __table_args__ = (
        Searchable.search_index("projects"),
        # An organization's projects, newest first or by name (keyset pagination).
        Index("projects_organization_id_created_at_idx", "organization_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return cls.deleted_at.is_(None) & member_of(cls.organization_id)


def _in_live_project(project_id: Any) -> ColumnElement[bool]:
    """The row's project is not deleted (its children hide with it)."""
    return select(Project.id).where(Project.id == project_id, Project.deleted_at.is_(None)).exists()


class ProjectMember(Base):
    """A user's role in one project, on top of (never above) their organization role."""

    __tablename__ = "project_members"
    __scope__ = "project_id"

    project_id: Mapped[uuid.UUID] = _project_fk()
    organization_id: Mapped[uuid.UUID] = _organization_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ProjectRole] = mapped_column(
        _pg_enum(ProjectRole, "project_role"), server_default=ProjectRole.EDITOR.value
    )

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _in_live_project(cls.project_id)


class DesignObject(Searchable, Base):
    """An object of the matrix, in one cell (position_x, position_y) of its project."""

    __tablename__ = "design_objects"
    __search__ = (("name", "A"), ("description", "B"))
    __scope__ = "project_id"

    project_id: Mapped[uuid.UUID] = _project_fk()
    organization_id: Mapped[uuid.UUID] = _organization_fk()
    name: Mapped[Str200]
    description: Mapped[str | None]
    position_x: Mapped[int] = mapped_column(SmallInteger)
    position_y: Mapped[int] = mapped_column(SmallInteger)
    object_type: Mapped[str] = mapped_column(String(64), server_default="entity")
    complexity: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    meta_data: Mapped[JSON]

    __table_args__ = (
        Searchable.search_index("design_objects"),
        CheckConstraint(
            f"position_x >= 0 AND position_x < {MATRIX_SIZE} "
            f"AND position_y >= 0 AND position_y < {MATRIX_SIZE}",
            name="position_range",
        ),
        CheckConstraint("complexity BETWEEN 1 AND 10", name="complexity_range"),
        # One object per cell: the backstop of the op's check (mapped to a ConflictError).
        # Also the access path of a project's objects in reading order (row by row).
        Index(
            "design_objects_project_id_cell_key",
            "project_id",
            "position_y",
            "position_x",
            unique=True,
        ),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _in_live_project(cls.project_id)


class Relationship(Base):
    """A directed link between two objects of the same project."""

    __tablename__ = "design_relationships"
    __scope__ = "project_id"

    project_id: Mapped[uuid.UUID] = _project_fk()
    organization_id: Mapped[uuid.UUID] = _organization_fk()
    source_id: Mapped[uuid.UUID] = _object_fk()
    target_id: Mapped[uuid.UUID] = _object_fk()
    relationship_type: Mapped[str] = mapped_column(String(64), server_default="association")
    cardinality: Mapped[Cardinality] = mapped_column(
        _pg_enum(Cardinality, "relationship_cardinality"),
        server_default=Cardinality.ONE_TO_MANY.value,
    )
    description: Mapped[str | None]

    __table_args__ = (
        Index("design_relationships_project_id_created_at_idx", "project_id", "created_at", "id"),
        Index("design_relationships_source_id_created_at_idx", "source_id", "created_at", "id"),
        Index("design_relationships_target_id_created_at_idx", "target_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _in_live_project(cls.project_id)


class CallToAction(Base):
    """Something a user can do with an object (a user story and its acceptance criteria)."""

    __tablename__ = "calls_to_action"
    __scope__ = "project_id"

    object_id: Mapped[uuid.UUID] = _object_fk()
    project_id: Mapped[uuid.UUID] = _project_fk()
    organization_id: Mapped[uuid.UUID] = _organization_fk()
    name: Mapped[Str200]
    priority: Mapped[CallToActionPriority] = mapped_column(
        _pg_enum(CallToActionPriority, "call_to_action_priority"),
        server_default=CallToActionPriority.MEDIUM.value,
    )
    user_story: Mapped[str | None]
    acceptance_criteria: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")

    __table_args__ = (
        Index("calls_to_action_object_id_created_at_idx", "object_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _in_live_project(cls.project_id)


class Attribute(Base):
    """A typed attribute of an object, with an optional default that fits its rules."""

    __tablename__ = "design_attributes"
    __scope__ = "project_id"

    object_id: Mapped[uuid.UUID] = _object_fk()
    project_id: Mapped[uuid.UUID] = _project_fk()
    organization_id: Mapped[uuid.UUID] = _organization_fk()
    name: Mapped[Str200]
    data_type: Mapped[AttributeDataType] = mapped_column(
        _pg_enum(AttributeDataType, "attribute_data_type"),
        server_default=AttributeDataType.STRING.value,
    )
    is_required: Mapped[bool] = mapped_column(server_default=false())
    # A JSON value of the data type (SQL NULL: no default).
    default_value: Mapped[Any | None] = mapped_column(JSONB(none_as_null=True))
    # {min, max, min_length, max_length, pattern, choices}: which apply depends on data_type.
    validation_rules: Mapped[JSON]

    # Also the access path of an object's attributes by name.
    __table_args__ = (UniqueConstraint("object_id", "name"),)

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _in_live_project(cls.project_id)


__all__ = [
    "MATRIX_SIZE",
    "Attribute",
    "AttributeDataType",
    "CallToAction",
    "CallToActionPriority",
    "Cardinality",
    "DesignObject",
    "Project",
    "ProjectMember",
    "ProjectRole",
    "ProjectStatus",
    "Relationship",
]


class Presence(Base):
    """Who is in a project now: one row per user and client (a browser tab), with its cursor
    cell and the node it is editing. Ephemeral: kept alive by the client's heartbeat
    (`presenceUpdate`), gone when it expires or the client's presence subscription ends;
    not recorded in the change history."""

    __tablename__ = "design_presence"
    __frozen_when_archived__ = False

    project_id: Mapped[uuid.UUID] = _project_fk()
    organization_id: Mapped[uuid.UUID] = _organization_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    cursor_x: Mapped[int | None] = mapped_column(SmallInteger)
    cursor_y: Mapped[int | None] = mapped_column(SmallInteger)
    # The node being edited: its type name and id.
    editing_type: Mapped[str | None] = mapped_column(String(64))
    editing_id: Mapped[uuid.UUID | None]
    expires_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "client_id"),
        Index("design_presence_expires_at_idx", "expires_at"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return (
            member_of(cls.organization_id)
            & _in_live_project(cls.project_id)
            & (cls.expires_at > func.now())
        )
