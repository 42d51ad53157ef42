"""Declarative base, column aliases and the mixins every table shares."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, cast

from sqlalchemy import Boolean, DateTime, MetaData, String, Text, bindparam, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

# Constraint names follow one convention, so integrity errors can be translated by name.
NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}

# Visibility rules are written with these parameters, never with a viewer's values, so a read
# statement's SQL text is the same for every viewer: compiled once, prepared by the server.
# `Viewer.params()` gives their values.
VIEWER_ID = bindparam("viewer_id", type_=PG_UUID(as_uuid=True), required=False)
VIEWER_ORGS = bindparam("viewer_orgs", type_=ARRAY(PG_UUID(as_uuid=True)), required=False)
VIEWER_SUPERUSER = bindparam("viewer_superuser", type_=Boolean, required=False)


def member_of(organization_id: Any) -> ColumnElement[bool]:
    """The viewer is a member of the organization (or a superuser)."""
    return cast(ColumnElement[bool], VIEWER_SUPERUSER | (organization_id == func.any(VIEWER_ORGS)))


def own(user_id: Any) -> ColumnElement[bool]:
    return user_id == VIEWER_ID  # type: ignore[no-any-return]


UUIDPk = Annotated[
    uuid.UUID,
    mapped_column(PG_UUID(as_uuid=True), primary_key=True, server_default=func.gen_random_uuid()),
]
Str200 = Annotated[str, mapped_column(String(200))]
JSON = Annotated[dict[str, Any], mapped_column(JSONB, server_default="{}")]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        str: Text,
        uuid.UUID: PG_UUID(as_uuid=True),
        dict[str, Any]: JSONB,
    }

    # Fetch server-generated values (id, timestamps) with RETURNING on INSERT and UPDATE, so
    # a saved object is complete without another round trip.
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[UUIDPk]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    # Columns the write path never records in the change history (secrets).
    __secret_columns__: frozenset[str] = frozenset()
    # The API's name for this table's rows (the change log records it); the class name
    # unless set.
    __type_name__: str | None = None

    # Whether an archived organization or project it belongs to freezes this row too
    # (resolvers.writes `refuse_archived`). Off for rows about an aggregate that change
    # nothing in it: jobs, exports, presences.
    __frozen_when_archived__: bool = True

    # The column holding the id of the aggregate a row belongs to (a design project), so
    # the change log can stream one aggregate's changes; None for unscoped tables.
    __scope__: str | None = None

    @classmethod
    def type_name(cls) -> str:
        return cls.__type_name__ or cls.__name__

    def aggregate_id(self) -> uuid.UUID | None:
        return getattr(self, self.__scope__) if self.__scope__ else None

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        """The rows of this table the viewer may read, in terms of the viewer parameters
        (`VIEWER_ID`, `VIEWER_ORGS`, `VIEWER_SUPERUSER`); every read path applies it."""
        raise NotImplementedError(f"{cls.__name__} declares no visibility rule")


class SoftDeleteMixin:
    """Aggregate roots are soft-deleted: a deleted row is hidden from every read."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class ArchiveMixin:
    """Aggregate roots that can be archived: an archived row drops out of lists unless a
    connection is asked for `includeArchived: true`, stays readable by ID, and cannot be
    changed (nor can anything inside it) until it is restored. Declaring the mixin is all
    an entity does: the connections of its node type take `includeArchived` and the write
    path refuses changes (graph.kernel.relations, loaders.base, resolvers.writes)."""

    archived_at: Mapped[datetime | None] = mapped_column(default=None)


def archivable(model: type[Any]) -> bool:
    return isinstance(model, type) and issubclass(model, ArchiveMixin)
