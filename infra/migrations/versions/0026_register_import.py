"""Register import: a commune's or hamlet's register brought in from an XLSX or CSV file.

``register_imports`` holds one uploaded file (kept in object storage) and the state of its job: the
dry run (every row checked by the registry's own rules) and, when asked, the apply (all rows written in
one transaction, or none). ``register_import_rows`` keeps a key per imported row (a digest of the row's
values and hamlet) with the child it made: importing the same rows again adds nothing.
``register_import_mappings`` remembers, per commune, which file heading holds which field.

Row-level security: an import is seen in the records scope of its unit (as exports are); a row key
through its child (as guardians are); a commune's mapping by the commune's staff and by the staff of its
hamlets (a heading list, no personal data). Two ``SECURITY DEFINER`` functions answer, for a dry run,
which personal identification numbers an active record anywhere already holds (the unique index would
refuse them) and which row keys were imported before, even where the child has since moved away: they
return the values asked about, nothing else, and only to a caller with a records scope.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

SCHEMA = r"""
CREATE TABLE register_imports (
    id uuid CONSTRAINT pk_register_imports PRIMARY KEY,
    unit_id bigint NOT NULL CONSTRAINT fk_register_imports_unit_id_units REFERENCES units(id),
    unit_path text COLLATE "C" NOT NULL,
    commune_id bigint NOT NULL CONSTRAINT fk_register_imports_commune_id_units REFERENCES units(id),
    requested_by bigint NOT NULL CONSTRAINT fk_register_imports_requested_by_users REFERENCES users(id),
    filename text NOT NULL,
    file_format varchar(8) NOT NULL CONSTRAINT ck_register_imports_file_format CHECK (file_format IN ('xlsx', 'csv')),
    size_bytes bigint NOT NULL,
    sha256 varchar(64) NOT NULL,
    storage_key text NOT NULL,
    mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
    columns jsonb,
    status varchar(16) NOT NULL DEFAULT 'queued' CONSTRAINT ck_register_imports_status
        CHECK (status IN ('queued', 'checking', 'checked', 'applying', 'applied', 'failed')),
    stage varchar(16),
    apply_requested boolean NOT NULL DEFAULT false,
    duplicates varchar(8) CONSTRAINT ck_register_imports_duplicates CHECK (duplicates IN ('skip', 'import')),
    rows_total integer,
    rows_done integer NOT NULL DEFAULT 0,
    counts jsonb,
    problems jsonb,
    errors_key text,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    checked_at timestamptz,
    applied_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX ix_register_imports_unit_path ON register_imports (unit_path);
CREATE INDEX ix_register_imports_sha256 ON register_imports (sha256);
ALTER TABLE register_imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY register_imports_in_scope ON register_imports
    USING (unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end()))
    WITH CHECK (unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end()));

CREATE TABLE register_import_rows (
    row_key varchar(64) CONSTRAINT pk_register_import_rows PRIMARY KEY,
    import_id uuid NOT NULL CONSTRAINT fk_register_import_rows_import_id_register_imports
        REFERENCES register_imports(id),
    child_id uuid NOT NULL CONSTRAINT fk_register_import_rows_child_id_children
        REFERENCES children(id) ON DELETE CASCADE
);
CREATE INDEX ix_register_import_rows_import_id ON register_import_rows (import_id);
CREATE INDEX ix_register_import_rows_child_id ON register_import_rows (child_id);
ALTER TABLE register_import_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY register_import_rows_in_scope ON register_import_rows
    USING (EXISTS (SELECT 1 FROM children c WHERE c.id = child_id))
    WITH CHECK (EXISTS (SELECT 1 FROM children c WHERE c.id = child_id));

CREATE TABLE register_import_mappings (
    commune_id bigint CONSTRAINT pk_register_import_mappings PRIMARY KEY
        CONSTRAINT fk_register_import_mappings_commune_id_units REFERENCES units(id),
    unit_path text COLLATE "C" NOT NULL,
    mapping jsonb NOT NULL,
    updated_by bigint CONSTRAINT fk_register_import_mappings_updated_by_users REFERENCES users(id),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE register_import_mappings ENABLE ROW LEVEL SECURITY;
-- The commune's own staff (the commune in scope) and its hamlets' (the commune above the scope's root).
CREATE POLICY register_import_mappings_in_scope ON register_import_mappings
    USING ((unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end()))
        OR left((SELECT app_scope()), length(unit_path)) = unit_path)
    WITH CHECK ((unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end()))
        OR left((SELECT app_scope()), length(unit_path)) = unit_path);

-- Which of these personal identification numbers an active record holds (anywhere: the unique index
-- is national). Only the numbers asked about come back, and only to a caller with a records scope.
CREATE FUNCTION register_ids_held(p_ids text[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.national_id FROM children c
    WHERE nullif(current_setting('app.scope', true), '') IS NOT NULL
      AND c.national_id = ANY (p_ids) AND c.status = 'active'
$$;
-- Which of these row keys were imported before (the child may have moved out of the caller's area).
CREATE FUNCTION register_import_keys_seen(p_keys text[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.row_key::text FROM register_import_rows r
    WHERE nullif(current_setting('app.scope', true), '') IS NOT NULL AND r.row_key = ANY (p_keys)
$$;
"""

FUNCTIONS = ("register_ids_held(text[])", "register_import_keys_seen(text[])")


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON register_imports TO {role}")
    op.execute(f"GRANT SELECT, INSERT ON register_import_rows TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON register_import_mappings TO {role}")
    for signature in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")


def downgrade() -> None:
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.execute("DROP TABLE IF EXISTS register_import_mappings")
    op.execute("DROP TABLE IF EXISTS register_import_rows")
    op.execute("DROP TABLE IF EXISTS register_imports")
