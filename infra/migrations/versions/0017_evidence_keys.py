"""Inspection evidence that cannot be differenced: every count of children or cases comes with the sum
of the counted records' ``stat_key`` (0016), so the portal publishes it as every other statistic of the
same records is published (``portal.stats.disclosure.publish``); counts of staff carry no key sum.

Anonymous ids are salted with the plan *and the checklist item*, so one child has a different id in
each check: two checks' samples cannot be joined into facts about one child.

The children counted are those the statistics layer counts for the unit at the period's end: whose
residence spell (``child_spells``, 0016) in a hamlet now under the unit covers that day, born on or
before it and less than 16 years before it. So a one-month inspection shows the same published figure
as ``/stats`` for that unit and month (a child who moved since is counted where they lived then).

The function keeps its name and arguments and gains a column (``keysum``): it is dropped and created
again, with its grants. Checks stored before this revision have no key sums; the portal withholds
their counts of children and cases from aggregate-only readers until the checks run again. The
downgrade restores the 0009 function and removes the stored key sums (the 0009 portal would show them).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SIGNATURE = "inspection_evidence(text, date, date, uuid)"

# keysum: the cell key of disclosure.py, the sum of the record keys modulo 2^31 (0 for no records).
EVIDENCE = r"""
-- Counts for the automated checks of one audited unit's subtree: the children living there on p_end,
-- deadlines, cases received and training within [p_start, p_end]; with each count of children or
-- cases, the sum of their record keys.
-- Children are named only by anonymous ids (digests salted with the plan and the item).
CREATE FUNCTION inspection_evidence(p_path text, p_start date, p_end date, p_salt uuid)
RETURNS TABLE (item text, key text, n bigint, keysum bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    p_stop text := app_subtree_end(p_path);
    born_after_16 date := (p_end - interval '16 years')::date;
    big constant bigint := 2147483648;
BEGIN
    IF NOT (app_in_subtree(p_path, nullif(current_setting('app.agg_scope', true), ''))
            OR app_in_subtree(p_path, nullif(current_setting('app.scope', true), ''))) THEN
        RAISE EXCEPTION 'unit outside the caller''s scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH c AS MATERIALIZED (
        -- the children who lived under p_path on p_end (their residence spell covers it), as the
        -- statistics layer counts a month's end
        SELECT ch.id, ch.stat_key, ch.household_code, ch.address, ch.birth_registered,
               EXISTS (SELECT 1 FROM guardians g WHERE g.child_id = ch.id) AS has_guardian
        FROM child_spells s
        JOIN units h ON h.id = s.hamlet_id
        JOIN children ch ON ch.id = s.child_id
        WHERE h.path >= p_path AND h.path < p_stop
          AND s.since <= p_end AND (s.until IS NULL OR s.until > p_end)
          AND ch.date_of_birth <= p_end AND ch.date_of_birth > born_after_16
    ), incomplete AS (
        SELECT c.id, c.stat_key FROM c
        WHERE NOT c.has_guardian OR c.household_code IS NULL OR c.address IS NULL OR NOT c.birth_registered
    ), special AS (
        SELECT pe.child_id, c.stat_key,
               bool_or(pe.kind = 'group') AS in_group,
               bool_or(pe.kind = 'support') AS supported
        FROM child_periods pe JOIN c ON c.id = pe.child_id
        WHERE pe.since <= p_end AND (pe.until IS NULL OR pe.until > p_end)
        GROUP BY pe.child_id, c.stat_key
    ), late AS (
        SELECT d.id, d.case_id, cs.stat_key
        FROM case_deadlines d JOIN cases cs ON cs.id = d.case_id
        WHERE cs.unit_path >= p_path AND cs.unit_path < p_stop
          AND (d.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN p_start AND p_end
          AND d.cancelled_at IS NULL AND (d.met_at IS NULL OR d.met_at > d.due_at)
    ), late_cases AS (
        SELECT DISTINCT late.case_id, late.stat_key FROM late
    ), received AS (
        SELECT cs.stat_key FROM cases cs
        WHERE cs.unit_path >= p_path AND cs.unit_path < p_stop
          AND (cs.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN p_start AND p_end
    ), collaborators AS (
        SELECT u.id FROM users u JOIN units n ON n.id = u.unit_id
        WHERE u.role = 'collaborator' AND u.is_active AND n.path >= p_path AND n.path < p_stop
    )
    SELECT 'completeness', 'children', count(*), (coalesce(sum(c.stat_key), 0) % big)::bigint FROM c
    UNION ALL SELECT 'completeness', 'incomplete', count(*), (coalesce(sum(i.stat_key), 0) % big)::bigint FROM incomplete i
    UNION ALL SELECT 'completeness', 'no_guardian', count(*) FILTER (WHERE NOT c.has_guardian),
        (coalesce(sum(c.stat_key) FILTER (WHERE NOT c.has_guardian), 0) % big)::bigint FROM c
    UNION ALL SELECT 'completeness', 'no_household', count(*) FILTER (WHERE c.household_code IS NULL),
        (coalesce(sum(c.stat_key) FILTER (WHERE c.household_code IS NULL), 0) % big)::bigint FROM c
    UNION ALL SELECT 'completeness', 'no_address', count(*) FILTER (WHERE c.address IS NULL),
        (coalesce(sum(c.stat_key) FILTER (WHERE c.address IS NULL), 0) % big)::bigint FROM c
    UNION ALL SELECT 'completeness', 'birth_unregistered', count(*) FILTER (WHERE NOT c.birth_registered),
        (coalesce(sum(c.stat_key) FILTER (WHERE NOT c.birth_registered), 0) % big)::bigint FROM c
    UNION ALL (SELECT 'completeness', 'sample:' || left(encode(sha256(
                   (p_salt::text || ':completeness:' || i.id::text)::bytea), 'hex'), 10), 1::bigint, NULL::bigint
               FROM incomplete i ORDER BY 2 LIMIT 20)
    UNION ALL SELECT 'support', 'special', count(*) FILTER (WHERE s.in_group),
        (coalesce(sum(s.stat_key) FILTER (WHERE s.in_group), 0) % big)::bigint FROM special s
    UNION ALL SELECT 'support', 'supported', count(*) FILTER (WHERE s.in_group AND s.supported),
        (coalesce(sum(s.stat_key) FILTER (WHERE s.in_group AND s.supported), 0) % big)::bigint FROM special s
    UNION ALL (SELECT 'support', 'sample:' || left(encode(sha256(
                   (p_salt::text || ':support:' || s.child_id::text)::bytea), 'hex'), 10), 1::bigint, NULL::bigint
               FROM special s WHERE s.in_group AND NOT s.supported ORDER BY 2 LIMIT 20)
    -- A step is counted once per late deadline: its key is its case's, as often as the case is late.
    UNION ALL SELECT 'cases', 'late_steps', count(*), (coalesce(sum(l.stat_key), 0) % big)::bigint FROM late l
    UNION ALL SELECT 'cases', 'cases_late', count(*), (coalesce(sum(lc.stat_key), 0) % big)::bigint FROM late_cases lc
    UNION ALL SELECT 'cases', 'received', count(*), (coalesce(sum(r.stat_key), 0) % big)::bigint FROM received r
    UNION ALL SELECT 'training', 'collaborators', count(*), NULL::bigint FROM collaborators
    UNION ALL SELECT 'training', 'trained', count(DISTINCT a.user_id), NULL::bigint
        FROM training_attendance a JOIN training_courses tc ON tc.id = a.course_id
        WHERE a.user_id IN (SELECT id FROM collaborators) AND tc.held_on BETWEEN p_start AND p_end;
END $$;
"""


def _evidence_0009() -> str:
    """The 0009 function, as it was (for the downgrade), read from that revision's file."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("m0009", Path(__file__).with_name("0009_inspections.py"))
    assert spec and spec.loader
    m0009 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0009)
    return str(m0009.EVIDENCE)


def _replace(function: str) -> None:
    role = get_settings().app_db_role_ident
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute(function)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {role}")


def upgrade() -> None:
    _replace(EVIDENCE)


def downgrade() -> None:
    _replace(_evidence_0009())
    op.execute("UPDATE inspection_checks SET evidence = evidence - 'keysums' WHERE evidence ? 'keysums'")
