"""design projects: projects, members, objects, relationships, CTAs, attributes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Projects are organization content: they use the built-in roles' existing content and
membership permissions (see resolvers/design.py), so no permission rows are added.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUMS = (
    "project_status",
    "project_role",
    "relationship_cardinality",
    "call_to_action_priority",
    "attribute_data_type",
)


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "active", "archived", name="project_status"),
            server_default="draft",
            nullable=False,
        ),
        sa.Column(
            "settings", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("projects_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("projects_owner_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("projects_pkey")),
    )
    op.create_index(
        "projects_organization_id_created_at_idx",
        "projects",
        ["organization_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(op.f("projects_owner_id_idx"), "projects", ["owner_id"], unique=False)
    op.create_table(
        "design_objects",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("position_x", sa.SmallInteger(), nullable=False),
        sa.Column("position_y", sa.SmallInteger(), nullable=False),
        sa.Column("object_type", sa.String(length=64), server_default="entity", nullable=False),
        sa.Column("complexity", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column(
            "meta_data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "complexity BETWEEN 1 AND 10", name=op.f("design_objects_complexity_range_check")
        ),
        sa.CheckConstraint(
            "position_x >= 0 AND position_x < 1000 AND position_y >= 0 AND position_y < 1000",
            name=op.f("design_objects_position_range_check"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("design_objects_created_by_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("design_objects_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("design_objects_project_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("design_objects_pkey")),
    )
    op.create_index(
        op.f("design_objects_created_by_idx"), "design_objects", ["created_by"], unique=False
    )
    op.create_index(
        "design_objects_project_id_cell_key",
        "design_objects",
        ["project_id", "position_y", "position_x"],
        unique=True,
    )
    op.create_table(
        "project_members",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "editor", "viewer", name="project_role"),
            server_default="editor",
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("project_members_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("project_members_project_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("project_members_user_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("project_members_pkey")),
        sa.UniqueConstraint(
            "project_id", "user_id", name=op.f("project_members_project_id_user_id_key")
        ),
    )
    op.create_index(
        op.f("project_members_user_id_idx"), "project_members", ["user_id"], unique=False
    )
    op.create_table(
        "calls_to_action",
        sa.Column("object_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "priority",
            sa.Enum("low", "medium", "high", "critical", name="call_to_action_priority"),
            server_default="medium",
            nullable=False,
        ),
        sa.Column("user_story", sa.Text(), nullable=True),
        sa.Column(
            "acceptance_criteria", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["design_objects.id"],
            name=op.f("calls_to_action_object_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("calls_to_action_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("calls_to_action_project_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("calls_to_action_pkey")),
    )
    op.create_index(
        "calls_to_action_object_id_created_at_idx",
        "calls_to_action",
        ["object_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "design_attributes",
        sa.Column("object_id", sa.UUID(), nullable=False),
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "data_type",
            sa.Enum(
                "string", "integer", "number", "boolean", "date", "enum", name="attribute_data_type"
            ),
            server_default="string",
            nullable=False,
        ),
        sa.Column("is_required", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "default_value",
            postgresql.JSONB(none_as_null=True, astext_type=sa.Text()),
            nullable=True,
        ),
        sa.Column(
            "validation_rules",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["design_objects.id"],
            name=op.f("design_attributes_object_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("design_attributes_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("design_attributes_project_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("design_attributes_pkey")),
        sa.UniqueConstraint("object_id", "name", name=op.f("design_attributes_object_id_name_key")),
    )
    op.create_table(
        "design_relationships",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.Column("target_id", sa.UUID(), nullable=False),
        sa.Column(
            "relationship_type", sa.String(length=64), server_default="association", nullable=False
        ),
        sa.Column(
            "cardinality",
            sa.Enum(
                "one_to_one",
                "one_to_many",
                "many_to_one",
                "many_to_many",
                name="relationship_cardinality",
            ),
            server_default="one_to_many",
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("design_relationships_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("design_relationships_project_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["design_objects.id"],
            name=op.f("design_relationships_source_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["design_objects.id"],
            name=op.f("design_relationships_target_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("design_relationships_pkey")),
    )
    op.create_index(
        "design_relationships_project_id_created_at_idx",
        "design_relationships",
        ["project_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "design_relationships_source_id_created_at_idx",
        "design_relationships",
        ["source_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "design_relationships_target_id_created_at_idx",
        "design_relationships",
        ["target_id", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "design_relationships_target_id_created_at_idx", table_name="design_relationships"
    )
    op.drop_index(
        "design_relationships_source_id_created_at_idx", table_name="design_relationships"
    )
    op.drop_index(
        "design_relationships_project_id_created_at_idx", table_name="design_relationships"
    )
    op.drop_table("design_relationships")
    op.drop_table("design_attributes")
    op.drop_index("calls_to_action_object_id_created_at_idx", table_name="calls_to_action")
    op.drop_table("calls_to_action")
    op.drop_index(op.f("project_members_user_id_idx"), table_name="project_members")
    op.drop_table("project_members")
    op.drop_index("design_objects_project_id_cell_key", table_name="design_objects")
    op.drop_index(op.f("design_objects_created_by_idx"), table_name="design_objects")
    op.drop_table("design_objects")
    op.drop_index(op.f("projects_owner_id_idx"), table_name="projects")
    op.drop_index("projects_organization_id_created_at_idx", table_name="projects")
    op.drop_table("projects")
    for name in reversed(ENUMS):
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=False)
