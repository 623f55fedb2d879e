"""Reports count violence and abuse cases from the case register (issue 5) instead of typing them:
``report_registry_figures`` adds, per hamlet, the cases received in the period, still open at its end,
and closed in it. The catalogue's ``abuse_cases`` indicator becomes a registry one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION report_registry_figures(p_path text, p_start date, p_end date)
RETURNS TABLE (hamlet_id bigint, indicator text, cell text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB'
AS $$
DECLARE
    p_stop text := app_subtree_end(p_path);
    born_after_16 date := (p_end - interval '16 years')::date;
    born_after_14 date := (p_end - interval '14 years')::date;
    born_after_10 date := (p_end - interval '10 years')::date;
    born_after_6 date := (p_end - interval '6 years')::date;
BEGIN
    IF NOT (app_in_subtree(p_path, nullif(current_setting('app.agg_scope', true), ''))
            OR app_in_subtree(p_path, nullif(current_setting('app.scope', true), ''))) THEN
        RAISE EXCEPTION 'unit outside the caller''s scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH c AS MATERIALIZED (
        SELECT ch.id, ch.hamlet_id, ch.sex::text AS sex, ch.birth_registered,
               CASE WHEN ch.date_of_birth > born_after_6 THEN '0-5'
                    WHEN ch.date_of_birth > born_after_10 THEN '6-9'
                    WHEN ch.date_of_birth > born_after_14 THEN '10-13'
                    ELSE '14-15' END AS band
        FROM children ch
        WHERE ch.unit_path >= p_path AND ch.unit_path < p_stop AND ch.status = 'active'
          AND ch.date_of_birth <= p_end AND ch.date_of_birth > born_after_16
    ), pe AS MATERIALIZED (
        SELECT c.hamlet_id, p.child_id, p.kind::text AS kind, p.code::text AS code,
               (p.since <= p_end AND (p.until IS NULL OR p.until > p_end)) AS current,
               (p.since BETWEEN p_start AND p_end) AS entered,
               (p.until BETWEEN p_start AND p_end) AS left_
        FROM child_periods p JOIN c ON c.id = p.child_id
        WHERE p.since <= p_end AND (p.until IS NULL OR p.until >= p_start)
    ), per_child AS (
        SELECT pe.hamlet_id, pe.child_id,
               bool_or(pe.kind = 'group' AND pe.current) AS in_group,
               bool_or(pe.kind = 'support' AND pe.current) AS supported
        FROM pe GROUP BY pe.hamlet_id, pe.child_id
    )
    SELECT c.hamlet_id, 'children'::text,
           coalesce(c.sex, c.band, 'total')::text, count(*)
    FROM c GROUP BY GROUPING SETS ((c.hamlet_id), (c.hamlet_id, c.sex), (c.hamlet_id, c.band))
    UNION ALL
    SELECT c.hamlet_id, 'birth_registered', 'total', count(*) FILTER (WHERE c.birth_registered)
    FROM c GROUP BY c.hamlet_id
    UNION ALL
    SELECT pe.hamlet_id,
           CASE pe.kind WHEN 'group' THEN 'special' WHEN 'risk' THEN 'at_risk' ELSE 'support' END,
           coalesce(pe.code, 'total'), count(DISTINCT pe.child_id) FILTER (WHERE pe.current)
    FROM pe GROUP BY GROUPING SETS ((pe.hamlet_id, pe.kind, pe.code), (pe.hamlet_id, pe.kind))
    UNION ALL
    SELECT pe.hamlet_id, 'special_entered', coalesce(pe.code, 'total'),
           count(DISTINCT pe.child_id) FILTER (WHERE pe.entered)
    FROM pe WHERE pe.kind = 'group'
    GROUP BY GROUPING SETS ((pe.hamlet_id, pe.code), (pe.hamlet_id))
    UNION ALL
    SELECT pe.hamlet_id, 'special_left', coalesce(pe.code, 'total'),
           count(DISTINCT pe.child_id) FILTER (WHERE pe.left_)
    FROM pe WHERE pe.kind = 'group'
    GROUP BY GROUPING SETS ((pe.hamlet_id, pe.code), (pe.hamlet_id))
    UNION ALL
    SELECT per_child.hamlet_id, 'special_supported', 'total',
           count(*) FILTER (WHERE per_child.in_group AND per_child.supported)
    FROM per_child GROUP BY per_child.hamlet_id
    UNION ALL
    SELECT cs.hamlet_id, 'abuse_cases', x.cell, count(*)
    FROM cases cs
    CROSS JOIN LATERAL (VALUES
        ('received', (cs.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN p_start AND p_end),
        ('in_progress', (cs.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= p_end
                        AND (cs.closed_at IS NULL OR (cs.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > p_end)),
        ('closed', (cs.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN p_start AND p_end)
    ) AS x(cell, counts)
    WHERE cs.unit_path >= p_path AND cs.unit_path < p_stop AND x.counts
    GROUP BY cs.hamlet_id, x.cell;
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    spec = importlib.util.spec_from_file_location("m0006", Path(__file__).with_name("0006_reports.py"))
    assert spec and spec.loader
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    start = first.SCHEMA.index("CREATE FUNCTION report_registry_figures")
    end = first.SCHEMA.index("END $$;", start) + len("END $$;")
    op.execute(first.SCHEMA[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
