"""ai: contents, AI models and embeddings (pgvector + HNSW where the server has it)

Revision ID: 0015_ai
Revises: 0014_search
Create Date: 2026-12-05

The embeddings' vector column is a pgvector ``vector`` with an HNSW index (cosine) when the
server offers the extension, and a plain ``real[]`` searched exactly (`embedding_cosine_distance`
below) when it does not: the branch is taken here, at upgrade time. Both hold the same numbers
and give the same answers (models/ai.py, loaders/semantic.py).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0015_ai"
down_revision: str | Sequence[str] | None = "0014_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT_ROLE = ("system", "user", "assistant", "tool", "note")
# The dimension the default embedder writes; the HNSW index covers vectors of it.
INDEXED_DIMENSION = 256
HNSW_INDEX = (
    "CREATE INDEX embeddings_vector_hnsw_idx ON embeddings USING hnsw "
    f"((vector::vector({INDEXED_DIMENSION})) vector_cosine_ops) "
    f"WITH (m = 32, ef_construction = 128) WHERE dimension = {INDEXED_DIMENSION}"
)
ZERO_UUID = "'00000000-0000-0000-0000-000000000000'::uuid"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
    ]  # fmt: skip


def _json(name: str) -> sa.Column:
    return sa.Column(
        name, postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
    )


def has_pgvector() -> bool:
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"))
    return found.first() is not None


def upgrade() -> None:
    op.create_table(
        "contents",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.Enum(*CONTENT_ROLE, name="content_role"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _json("meta_data"),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("contents_item_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("contents_organization_id_fkey"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("contents_pkey")),
    )  # fmt: skip
    op.create_index("contents_item_id_position_idx", "contents", ["item_id", "position", "id"])
    op.create_index("contents_organization_id_idx", "contents", ["organization_id"])

    op.create_table(
        "ai_models",
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=100), server_default="", nullable=False),
        _json("parameters"),
        _json("meta_data"),
        sa.Column("default_embedder", sa.Boolean(), server_default="false", nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("ai_models_organization_id_fkey"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("ai_models_pkey")),
    )  # fmt: skip
    op.create_index(
        "ai_models_default_embedder_key", "ai_models", ["default_embedder"], unique=True,
        postgresql_where=sa.text("default_embedder"),
    )  # fmt: skip
    op.execute(
        "CREATE UNIQUE INDEX ai_models_organization_id_name_version_key ON ai_models "
        f"(coalesce(organization_id, {ZERO_UUID}), lower(name), version)"
    )
    # The default embedder (graph/ai/embedders.py): wordllama's l2_supercat, 256 dimensions,
    # whose weights ship inside its wheel.
    op.get_bind().execute(
        sa.text(
            "INSERT INTO ai_models (name, provider, version, default_embedder, parameters, "
            "meta_data) VALUES ('wordllama-l2-supercat', 'wordllama', '0.4', true, "
            "CAST(:parameters AS jsonb), CAST(:meta AS jsonb))"
        ),
        {
            "parameters": json.dumps(
                {"kind": "embedding", "config": "l2_supercat", "dimension": INDEXED_DIMENSION}
            ),
            "meta": json.dumps(
                {"description": "Offline word-embedding model shipped in the wordllama wheel."}
            ),
        },
    )

    pgvector = has_pgvector()
    if pgvector:
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    vector_type = "vector" if pgvector else "real[]"
    op.create_table(
        "embeddings",
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("dimension", sa.Integer(), nullable=False),
        _json("meta_data"),
        *_timestamps(),
        sa.CheckConstraint("dimension > 0", name=op.f("embeddings_dimension_positive_check")),
        sa.ForeignKeyConstraint(
            ["model_id"], ["ai_models.id"], name=op.f("embeddings_model_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"], ["contents.id"], name=op.f("embeddings_content_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("embeddings_item_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("embeddings_organization_id_fkey"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("embeddings_pkey")),
        sa.UniqueConstraint(
            "content_id", "model_id", name=op.f("embeddings_content_id_model_id_key")
        ),
    )  # fmt: skip
    op.execute(f"ALTER TABLE embeddings ADD COLUMN vector {vector_type} NOT NULL")
    op.create_index("embeddings_item_id_idx", "embeddings", ["item_id"])
    op.create_index("embeddings_organization_id_idx", "embeddings", ["organization_id"])
    if pgvector:
        # Approximate nearest neighbours by cosine over the default embedder's vectors.
        # pgvector's defaults (m 16, ef_construction 64) left whole topic clusters unreachable
        # on bench/semantic.py's 100,000 contents (recall@10 0.968, some queries 0); m 32,
        # ef_construction 128 gives 0.998 (every query >= 0.9).
        op.execute(HNSW_INDEX)
        # A scan filtered by tenancy keeps going until it has filled its page (pgvector 0.8),
        # in exact distance order; searches read through autocommit connections, so this is
        # the database's setting rather than a per-transaction one.
        op.execute(
            "DO $$ BEGIN EXECUTE format("
            "'ALTER DATABASE %I SET hnsw.iterative_scan = strict_order', current_database()); "
            "END $$"
        )
    else:
        # Exact cosine distance over real[] (pgvector's `<=>`: 1 - cos), NULL for a zero vector.
        op.execute(
            "CREATE FUNCTION embedding_cosine_distance(a real[], b real[]) "
            "RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
            "SELECT 1 - sum(x::float8 * y) / nullif(sqrt(sum(x::float8 * x)) "
            "* sqrt(sum(y::float8 * y)), 0) FROM unnest(a, b) AS t(x, y) $$"
        )


def downgrade() -> None:
    op.execute(
        "DO $$ BEGIN EXECUTE format("
        "'ALTER DATABASE %I RESET hnsw.iterative_scan', current_database()); END $$"
    )
    op.drop_table("embeddings")
    op.execute("DROP FUNCTION IF EXISTS embedding_cosine_distance(real[], real[])")
    op.drop_table("ai_models")
    op.drop_table("contents")
    sa.Enum(name="content_role").drop(op.get_bind())
