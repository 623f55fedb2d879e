"""Audit reader: indexes and functions for the access log and per-unit daily counts.

The application role still may only INSERT into ``audit_log``: it reads it through two SECURITY
DEFINER functions that take the caller's scope from the transaction settings (set from the
authenticated session by infra.db) and return fixed columns only:

- ``audit_child_access(child)``: entries about one child, for an active ward officer whose commune
  covers the child (``app.user_id``) and whose record scope (``app.scope``) covers it too;
- ``audit_daily_counts(root, from, to)``: counts per acting unit and Vietnam day for a subtree inside
  the caller's aggregate scope (``app.agg_scope``); no names, no resource ids, no details.

``actor_unit_id`` keeps the acting account's unit at the time of the action (a trigger copies it
from ``users``), so the counts do not move when an account moves later.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from alembic import op

from infra.settings import get_settings

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCHEMA = r"""
ALTER TABLE audit_log ADD COLUMN actor_unit_id bigint;
UPDATE audit_log a SET actor_unit_id = u.unit_id FROM users u WHERE u.id = a.user_id;
CREATE INDEX ix_audit_log_actor_unit_id_at ON audit_log (actor_unit_id, at) WHERE actor_unit_id IS NOT NULL;
CREATE INDEX ix_audit_log_child_ids ON audit_log USING gin (resource_ids) WHERE resource = 'child';

-- The acting account's unit, from the database (never from the writer).
CREATE FUNCTION audit_log_actor_unit() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    NEW.actor_unit_id := (SELECT u.unit_id FROM users u WHERE u.id = NEW.user_id);
    RETURN NEW;
END $$;
CREATE TRIGGER audit_log_actor_unit BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_actor_unit();

-- Who read or changed one child's record: for the ward officer of the child's commune only.
CREATE FUNCTION audit_child_access(p_child uuid)
RETURNS TABLE (entry_id bigint, at timestamptz, username text, full_name text, role text,
               action text, outcome text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_path text;
    v_user bigint := nullif(current_setting('app.user_id', true), '')::bigint;
BEGIN
    SELECT c.unit_path INTO v_path FROM children c WHERE c.id = p_child;
    IF v_path IS NULL
       OR NOT app_in_subtree(v_path, nullif(current_setting('app.scope', true), ''))
       OR NOT EXISTS (
           SELECT 1 FROM users u JOIN units un ON un.id = u.unit_id
           WHERE u.id = v_user AND u.is_active AND u.role = 'ward_officer' AND un.level = 'commune'
             AND app_in_subtree(v_path, un.path)) THEN
        RAISE EXCEPTION 'child outside the caller''s commune' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT a.id, a.at, a.username, u.full_name, a.role::text, a.action::text, a.outcome::text
    FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
    WHERE a.resource = 'child' AND a.resource_ids @> ARRAY[p_child::text];
END $$;

-- Counts per acting unit and day (Vietnam time) in a subtree of the caller's aggregate scope.
CREATE FUNCTION audit_daily_counts(p_root text, p_from date, p_to date)
RETURNS TABLE (day date, unit_id bigint, reads bigint, changes bigint, refusals bigint,
               aggregate_reads bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    IF NOT app_in_subtree(p_root, nullif(current_setting('app.agg_scope', true), '')) THEN
        RAISE EXCEPTION 'unit outside the caller''s aggregate scope' USING ERRCODE = '42501';
    END IF;
    IF p_from IS NULL OR p_to IS NULL OR p_to < p_from OR p_to - p_from > 366 THEN
        RAISE EXCEPTION 'the range must be from <= to, at most 367 days' USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    WITH e AS (
        SELECT (a.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, a.actor_unit_id AS unit_id,
               a.outcome = 'allowed' AS allowed,
               coalesce(a.detail->>'aggregate' = 'true', false) AS aggregate,
               a.action IN ('read', 'list', 'history', 'read_informant', 'download', 'access_log')
                   AS is_read,
               a.resource = 'session' AS is_session
        FROM units un JOIN audit_log a ON a.actor_unit_id = un.id
        WHERE un.path >= p_root AND un.path < app_subtree_end(p_root)
          AND a.at >= (p_from::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND a.at < ((p_to + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
    )
    SELECT e.day, e.unit_id,
           count(*) FILTER (WHERE e.allowed AND NOT e.aggregate AND e.is_read),
           count(*) FILTER (WHERE e.allowed AND NOT e.aggregate AND NOT e.is_read AND NOT e.is_session),
           count(*) FILTER (WHERE NOT e.allowed),
           count(*) FILTER (WHERE e.allowed AND e.aggregate)
    FROM e GROUP BY e.day, e.unit_id ORDER BY e.day, e.unit_id;
END $$;
"""

GRANTS = """
REVOKE ALL ON FUNCTION audit_child_access(uuid), audit_daily_counts(text, date, date),
    audit_log_actor_unit() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_child_access(uuid), audit_daily_counts(text, date, date),
    audit_log_actor_unit() TO {role};
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(GRANTS.format(role=get_settings().app_db_role_ident))


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS audit_daily_counts(text, date, date), audit_child_access(uuid)")
    op.execute("DROP TRIGGER IF EXISTS audit_log_actor_unit ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_actor_unit()")
    op.execute("DROP INDEX IF EXISTS ix_audit_log_child_ids")
    op.execute("DROP INDEX IF EXISTS ix_audit_log_actor_unit_id_at")
    op.execute("ALTER TABLE audit_log DROP COLUMN IF EXISTS actor_unit_id")
