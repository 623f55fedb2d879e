"""Vietnam's working days: the government's yearly day swaps and extra days off, and what counts from them.

The statutory public holidays (Tết by the lunar calendar, 30 April, 1 May, 2 September...) come from the
``holidays`` package (its VN calendar). What the government decides each year on top of them — an extra
day off, a Saturday worked in exchange — is kept here as dated rows, each with the decision that
declared it; an administrator adds or removes them (``portal/workdays``).

``case_deadlines.counted_from`` is the day a working-day deadline (the plan: 5 working days) counts
from, so that a change to the calendar recomputes the open ones. Rows written before this revision get
it from the case's receipt (a plan deadline opened with the intake) or from the deadline's creation (a
new plan after a review, a reopening).

The recomputation runs as a system session (no user): ``case_working_deadlines`` lists the open
working-day deadlines (ids and days only) and ``case_deadline_move`` moves one and writes the case's
history; both refuse a user's session.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

SCHEMA = r"""
CREATE TABLE calendar_days (
    day date CONSTRAINT pk_calendar_days PRIMARY KEY,
    kind varchar(8) NOT NULL CONSTRAINT ck_calendar_days_kind CHECK (kind IN ('off', 'working')),
    name text NOT NULL CONSTRAINT ck_calendar_days_name CHECK (length(btrim(name)) > 0),
    decision_ref text NOT NULL CONSTRAINT ck_calendar_days_decision_ref CHECK (length(btrim(decision_ref)) > 0),
    created_by bigint NOT NULL CONSTRAINT fk_calendar_days_created_by_users REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE case_deadlines ADD COLUMN counted_from date;
UPDATE case_deadlines d SET counted_from = (CASE
        WHEN abs(extract(epoch FROM d.created_at - c.created_at)) < 60 THEN c.received_at
        ELSE d.created_at END AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
FROM cases c WHERE c.id = d.case_id AND d.step = 'plan';

CREATE FUNCTION case_working_deadlines()
RETURNS TABLE (deadline_id uuid, case_id uuid, step text, counted_from date, due_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF app_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'only the system recomputes deadlines' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT d.id, d.case_id, d.step::text, d.counted_from, d.due_at FROM case_deadlines d
        WHERE d.counted_from IS NOT NULL AND d.met_at IS NULL AND d.cancelled_at IS NULL;
END $$;

CREATE FUNCTION case_deadline_move(p_deadline uuid, p_due timestamptz, p_reason text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    d case_deadlines%ROWTYPE;
BEGIN
    IF app_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'only the system recomputes deadlines' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO d FROM case_deadlines WHERE id = p_deadline AND met_at IS NULL AND cancelled_at IS NULL
        FOR UPDATE;
    IF NOT FOUND OR d.due_at = p_due THEN
        RETURN false;
    END IF;
    UPDATE case_deadlines SET due_at = p_due WHERE id = p_deadline;
    INSERT INTO case_events (id, case_id, at, actor_id, actor_username, action, from_status, to_status, detail)
    SELECT gen_random_uuid(), c.id, now(), NULL, NULL, 'deadline_moved', c.status, c.status,
           jsonb_build_object('step', d.step, 'from', d.due_at, 'to', p_due, 'reason', p_reason)
    FROM cases c WHERE c.id = d.case_id;
    RETURN true;
END $$;
"""

FUNCTIONS = ("case_working_deadlines()", "case_deadline_move(uuid, timestamptz, text)")


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_days TO {role}")
    for signature in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION IF EXISTS case_deadline_move(uuid, timestamptz, text), case_working_deadlines()"
    )
    op.execute("ALTER TABLE case_deadlines DROP COLUMN IF EXISTS counted_from")
    op.execute("DROP TABLE IF EXISTS calendar_days")
