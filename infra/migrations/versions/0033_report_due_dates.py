"""Reports due on the working-day calendar, and the reminders that follow from them and from deadlines.

- ``report_due_days``: per report definition and level (hamlet, commune, district, province), how many
  working days after the period's end that level's report is due (``portal.reports.due`` counts them on
  the working-day calendar, so Tết moves the date). Every existing definition gets the portal's
  defaults for the levels that report it (from its lowest level up): hamlet 3, commune 5, district 8,
  province 10 working days; an administrator may change them. The catalogue loader adds the same
  defaults for a definition loaded later, and never overwrites a changed value.
- Four new events in the outbox and in the preferences: ``report_due`` (a reminder before a unit's
  report is due), ``report_overdue`` (the date passed with nothing submitted), ``recommendation_overdue``
  (an inspection recommendation past its deadline with no answer) and ``deadline_approaching`` (a case
  deadline about to pass).
- Three functions for the reminder watch, a system session (no user): they return ids, names of units,
  levels and dates, never a child, a case's content or a recommendation's text, and refuse a user's
  session. ``report_missing_units`` lists the units of a level that owe a definition's report for a
  period and have not submitted it (reports have row-level security by unit);
  ``inspection_overdue_recommendations`` the open recommendations whose deadline passed, with the
  issuing plan's owner and team; ``case_approaching_deadlines`` the open deadlines of open cases due
  within a window.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

EVENTS_0031 = (
    "'case_received', 'emergency', 'deadline_escalated', 'referral_waiting', 'report_returned', "
    "'report_approved', 'recommendation_assigned'"
)
EVENTS = f"{EVENTS_0031}, 'report_due', 'report_overdue', 'recommendation_overdue', 'deadline_approaching'"

SCHEMA = rf"""
CREATE TABLE report_due_days (
    definition_id bigint NOT NULL
        CONSTRAINT fk_report_due_days_definition_id_report_definitions REFERENCES report_definitions(id),
    level varchar(16) NOT NULL
        CONSTRAINT ck_report_due_days_level CHECK (level IN ('hamlet', 'commune', 'district', 'province')),
    working_days smallint NOT NULL
        CONSTRAINT ck_report_due_days_working_days CHECK (working_days BETWEEN 1 AND 40),
    updated_by bigint CONSTRAINT fk_report_due_days_updated_by_users REFERENCES users(id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_report_due_days PRIMARY KEY (definition_id, level)
);
INSERT INTO report_due_days (definition_id, level, working_days)
SELECT d.id, l.level, l.working_days
FROM report_definitions d
CROSS JOIN (VALUES ('hamlet', 3, 1), ('commune', 5, 2), ('district', 8, 3), ('province', 10, 4))
    AS l (level, working_days, rank)
WHERE l.rank >= CASE d.lowest_level WHEN 'hamlet' THEN 1 ELSE 2 END;

ALTER TABLE notifications DROP CONSTRAINT ck_notifications_kind;
ALTER TABLE notifications ADD CONSTRAINT ck_notifications_kind CHECK (kind IN
    ('account_setup', 'password_reset', {EVENTS}));
ALTER TABLE notification_preferences DROP CONSTRAINT ck_notification_preferences_event;
ALTER TABLE notification_preferences ADD CONSTRAINT ck_notification_preferences_event CHECK (event IN
    ({EVENTS}));

-- The units of p_level in force on the period's last day (p_on) and still in force on p_today with
-- no submitted or approved report of p_definition for p_period: their parent, and their draft if any.
CREATE FUNCTION report_missing_units(p_definition bigint, p_period text, p_level text, p_on date,
                                     p_today date)
RETURNS TABLE (unit_id bigint, unit_name text, parent_id bigint, parent_level text, report_id bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF app_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'the reminder watch runs in a system session, not as a user' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT u.id, u.name, p.id, p.level::text, r.id
    FROM units u
    LEFT JOIN units p ON p.id = u.parent_id
    LEFT JOIN reports r ON r.definition_id = p_definition AND r.unit_id = u.id AND r.period = p_period
    WHERE u.level = p_level
      AND (u.valid_from IS NULL OR u.valid_from <= p_on) AND (u.valid_to IS NULL OR u.valid_to > p_today)
      AND (r.id IS NULL OR r.status NOT IN ('submitted', 'approved'))
    ORDER BY u.id;
END $$;

-- Open recommendations (no answer yet, or re-opened) whose deadline is in [p_since, p_today): the
-- responsible unit, and the issuing plan's inspecting unit, owner and team.
CREATE FUNCTION inspection_overdue_recommendations(p_today date, p_since date)
RETURNS TABLE (recommendation_id bigint, deadline date, unit_id bigint, unit_name text, unit_level text,
               plan_id bigint, plan_owner bigint, team bigint[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF app_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'the reminder watch runs in a system session, not as a user' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT r.id, r.deadline, u.id, u.name, u.level::text, p.id, p.created_by,
           array(SELECT t.user_id FROM inspection_team t WHERE t.plan_id = p.id ORDER BY t.user_id)
    FROM inspection_recommendations r
    JOIN inspection_findings f ON f.id = r.finding_id
    JOIN inspection_targets tg ON tg.id = f.target_id
    JOIN inspection_plans p ON p.id = tg.plan_id
    JOIN units u ON u.id = r.responsible_unit_id
    WHERE r.status = 'open' AND r.deadline < p_today AND r.deadline >= p_since
    ORDER BY r.deadline, r.id;
END $$;

-- Open deadlines of open cases due in (p_now, p_until]: ids, paths and dates, never a case's content.
CREATE FUNCTION case_approaching_deadlines(p_now timestamptz, p_until timestamptz)
RETURNS TABLE (deadline_id uuid, case_id uuid, reference text, step text, due_at timestamptz,
               hamlet_id bigint, unit_path text, assigned_to bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF app_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'the reminder watch runs in a system session, not as a user' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT d.id, c.id, c.reference::text, d.step::text, d.due_at, c.hamlet_id, c.unit_path::text, c.assigned_to
    FROM case_deadlines d JOIN cases c ON c.id = d.case_id
    WHERE d.met_at IS NULL AND d.cancelled_at IS NULL AND d.due_at > p_now AND d.due_at <= p_until
      AND c.status <> 'closed'
    ORDER BY d.due_at, d.id;
END $$;
"""

FUNCTIONS = (
    "report_missing_units(bigint, text, text, date, date)",
    "inspection_overdue_recommendations(date, date)",
    "case_approaching_deadlines(timestamptz, timestamptz)",
)


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON report_due_days TO {role}")
    for signature in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {', '.join(FUNCTIONS)}")
    op.execute(
        "DELETE FROM notifications WHERE kind IN "
        "('report_due', 'report_overdue', 'recommendation_overdue', 'deadline_approaching')"
    )
    op.execute(
        "DELETE FROM notification_preferences WHERE event IN "
        "('report_due', 'report_overdue', 'recommendation_overdue', 'deadline_approaching')"
    )
    op.execute(f"""
ALTER TABLE notification_preferences DROP CONSTRAINT ck_notification_preferences_event;
ALTER TABLE notification_preferences ADD CONSTRAINT ck_notification_preferences_event CHECK (event IN
    ({EVENTS_0031}));
ALTER TABLE notifications DROP CONSTRAINT ck_notifications_kind;
ALTER TABLE notifications ADD CONSTRAINT ck_notifications_kind CHECK (kind IN
    ('account_setup', 'password_reset', {EVENTS_0031}));
""")
    op.execute("DROP TABLE IF EXISTS report_due_days")
