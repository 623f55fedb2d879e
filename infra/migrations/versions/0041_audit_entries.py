"""The administrator's audit reader: one entry per line, without what would name a child.

``audit_entries`` is SECURITY DEFINER (the application role still may only INSERT into ``audit_log``) and
answers only an active account whose own role is ``admin`` (a delegation never gives it) and whose
aggregate scope holds ``p_root``. It returns the time, the account's username and role, the action, the
resource, the acting unit and the unit acted on, the outcome and the HTTP status, never the record ids,
the details or the client address. ``p_root`` '/' reads every entry; another root the entries whose acting
unit or unit acted on lies in that subtree. Filters: days (Vietnam time, at most 367), action, outcome,
username; paged, newest first, with the total.

Revision ID: 0041
Revises: 0039
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0041"
down_revision = "0039"
branch_labels = None
depends_on = None

SCHEMA = """
CREATE FUNCTION audit_entries(p_root text, p_from date, p_to date, p_action text, p_outcome text,
                              p_actor text, p_limit integer, p_offset integer)
RETURNS TABLE (entry_id bigint, at timestamptz, username text, role text, action text, resource text,
               actor_unit_id bigint, unit_id bigint, outcome text, status_code integer, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_user bigint := nullif(current_setting('app.user_id', true), '')::bigint;
BEGIN
    IF NOT app_in_subtree(p_root, nullif(current_setting('app.agg_scope', true), ''))
       OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = v_user AND u.is_active AND u.role = 'admin') THEN
        RAISE EXCEPTION 'the audit log is read by administrators only' USING ERRCODE = '42501';
    END IF;
    IF p_from IS NULL OR p_to IS NULL OR p_to < p_from OR p_to - p_from > 366
       OR p_limit NOT BETWEEN 1 AND 100 OR p_offset < 0 THEN
        RAISE EXCEPTION 'the range must be from <= to, at most 367 days; a page of 1 to 100'
            USING ERRCODE = '22023';
    END IF;
    RETURN QUERY
    SELECT a.id, a.at, a.username, a.role::text, a.action::text, a.resource::text, a.actor_unit_id,
           a.unit_id, a.outcome::text, a.status_code, count(*) OVER ()
    FROM audit_log a
    WHERE a.at >= (p_from::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
      AND a.at < ((p_to + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
      AND (p_action IS NULL OR a.action = p_action)
      AND (p_outcome IS NULL OR a.outcome = p_outcome)
      AND (p_actor IS NULL OR a.username = p_actor)
      AND (p_root = '/' OR EXISTS (
            SELECT 1 FROM units un WHERE un.id IN (a.actor_unit_id, a.unit_id)
              AND un.path >= p_root AND un.path < app_subtree_end(p_root)))
    ORDER BY a.at DESC, a.id DESC
    LIMIT p_limit OFFSET p_offset;
END $$;
REVOKE ALL ON FUNCTION audit_entries(text, date, date, text, text, text, integer, integer) FROM PUBLIC;
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    role = get_settings().app_db_role_ident
    op.execute(
        f"GRANT EXECUTE ON FUNCTION audit_entries(text, date, date, text, text, text, integer, integer) TO {role}"
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS audit_entries(text, date, date, text, text, text, integer, integer)")
