"""Exports: documents produced by Celery tasks and kept in object storage.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

from infra.settings import get_settings

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(f"""
CREATE TABLE exports (
    id uuid CONSTRAINT pk_exports PRIMARY KEY,
    kind varchar(32) NOT NULL CONSTRAINT ck_exports_kind CHECK (kind IN ('child_register')),
    unit_id bigint NOT NULL CONSTRAINT fk_exports_unit_id_units REFERENCES units(id),
    unit_path text COLLATE "C" NOT NULL,
    requested_by bigint NOT NULL CONSTRAINT fk_exports_requested_by_users REFERENCES users(id),
    status varchar(16) NOT NULL DEFAULT 'queued'
        CONSTRAINT ck_exports_status CHECK (status IN ('queued','running','done','failed')),
    attempts integer NOT NULL DEFAULT 0,
    row_count integer,
    storage_key text,
    size_bytes bigint,
    sha256 varchar(64),
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX ix_exports_unit_path ON exports (unit_path);
ALTER TABLE exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY exports_in_scope ON exports
    USING (unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end()))
    WITH CHECK (unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end()));
GRANT SELECT, INSERT, UPDATE ON exports TO {role};
""")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS exports")
