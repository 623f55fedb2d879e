"""The token check as a function, so its plan is made once per connection instead of once per request.

Every request's first message carries BEGIN, the scope and the token check (``infra.db``,
``portal.auth.service.authenticate``). Sent as text, the check's three-table join was planned on every
request (0.22 ms of PostgreSQL CPU, seven times its execution). PL/pgSQL keeps the plan of the query
inside ``token_caller`` for the connection's life.

It returns the account behind a live token (not revoked, not expired at ``p_now``, account active)
and the account's unit, or no row. It runs with the caller's rights (SECURITY INVOKER).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SIGNATURE = "token_caller(text, timestamptz)"

FUNCTION = """
CREATE FUNCTION token_caller(p_digest text, p_now timestamptz)
RETURNS TABLE (
    user_id bigint, username varchar, full_name text, role varchar, is_active boolean,
    unit_id bigint, parent_id bigint, level varchar, code varchar, name text, kind text, path text,
    depth smallint, valid_from date, valid_to date
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT u.id, u.username, u.full_name, u.role, u.is_active,
           n.id, n.parent_id, n.level, n.code, n.name, n.kind, n.path, n.depth, n.valid_from, n.valid_to
    FROM auth_tokens t
    JOIN users u ON u.id = t.user_id
    LEFT JOIN units n ON n.id = u.unit_id
    WHERE t.token_hash = p_digest AND t.revoked_at IS NULL AND t.expires_at > p_now AND u.is_active;
END $$;
"""


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {role}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
