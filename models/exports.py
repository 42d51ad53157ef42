"""Design-project exports: one row per export asked for through the API.

An `ExportJob` is the export's own record (which project, in which format, with which
parameters, the file it produced); the user-visible queue row is its `Job` (``job_id``):
status, progress, attempts and timestamps live there only, so the two never disagree. The
worker (graph/jobs/exports.py) sets ``result_file_id`` and ``completed_at`` in the
transaction that creates the file's `FileAsset` row, and ``error`` with the job's final
failure.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from models.base import JSON, Base, member_of
from models.design import _in_live_project


class ExportFormat(enum.Enum):
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    GRAPHML = "graphml"


class ExportJob(Base):
    __tablename__ = "project_exports"
    __scope__ = "project_id"
    # An archived project can still be exported: that changes nothing in it.
    __frozen_when_archived__ = False

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), unique=True
    )
    # The export outlives the account that asked for it.
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    export_type: Mapped[str] = mapped_column(String(32), server_default="project")
    format: Mapped[ExportFormat] = mapped_column(
        Enum(ExportFormat, name="export_format", values_callable=lambda e: [m.value for m in e])
    )
    parameters: Mapped[JSON]
    result_file_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("file_assets.id", ondelete="SET NULL"), index=True
    )
    error: Mapped[str | None]
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        Index("project_exports_project_id_created_at_idx", "project_id", "created_at", "id"),
    )

    @classmethod
    def visible_to(cls) -> ColumnElement[bool]:
        return member_of(cls.organization_id) & _in_live_project(cls.project_id)


__all__ = ["ExportFormat", "ExportJob"]
