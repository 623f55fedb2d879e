"""Faster child_stats: one pass with birth-date cut-offs, a covering index, fresh plans per call.

Measured on 1,000,000 children (bench/bench_registry.py): the first version took 3.7 s (p50) for a
province, because PL/pgSQL cached a generic plan (25 estimated rows instead of 1M: a million index
lookups into child_periods), age() was evaluated per row, and a 1M-row CTE spilled to disk.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION child_stats(p_path text, p_as_of date)
RETURNS TABLE (dimension text, key text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET work_mem = '64MB'
AS $$
DECLARE
    p_end text := app_subtree_end(p_path);
    -- age(as_of, dob) < N years  <=>  dob > as_of - N years
    born_after_16 date := (p_as_of - interval '16 years')::date;
    born_after_14 date := (p_as_of - interval '14 years')::date;
    born_after_10 date := (p_as_of - interval '10 years')::date;
    born_after_6 date := (p_as_of - interval '6 years')::date;
BEGIN
    IF NOT (app_in_subtree(p_path, nullif(current_setting('app.agg_scope', true), ''))
            OR app_in_subtree(p_path, nullif(current_setting('app.scope', true), ''))) THEN
        RAISE EXCEPTION 'unit outside the caller''s aggregate scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT CASE WHEN grouping(x.sex) = 0 THEN 'sex' WHEN grouping(x.band) = 0 THEN 'age_band'
                ELSE 'total' END::text,
           coalesce(x.sex, x.band, '')::text,
           count(*)
    FROM (
        SELECT ch.sex::text AS sex,
               CASE WHEN ch.date_of_birth > born_after_6 THEN '0-5'
                    WHEN ch.date_of_birth > born_after_10 THEN '6-9'
                    WHEN ch.date_of_birth > born_after_14 THEN '10-13'
                    ELSE '14-15' END AS band
        FROM children ch
        WHERE ch.unit_path >= p_path AND ch.unit_path < p_end AND ch.status = 'active'
          AND ch.date_of_birth <= p_as_of AND ch.date_of_birth > born_after_16
    ) x
    GROUP BY GROUPING SETS ((), (x.sex), (x.band))
    UNION ALL
    SELECT pe.kind::text, coalesce(pe.code, '')::text, count(DISTINCT pe.child_id)
    FROM child_periods pe
    JOIN children ch ON ch.id = pe.child_id
    WHERE pe.since <= p_as_of AND (pe.until IS NULL OR pe.until > p_as_of)
      AND ch.unit_path >= p_path AND ch.unit_path < p_end AND ch.status = 'active'
      AND ch.date_of_birth <= p_as_of AND ch.date_of_birth > born_after_16
    GROUP BY GROUPING SETS ((pe.kind, pe.code), (pe.kind));
END $$;
"""


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_children_scope_stats ON children (unit_path) "
        "INCLUDE (status, date_of_birth, sex, id)"
    )
    op.execute(FUNCTION)


def downgrade() -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("m0001", Path(__file__).with_name("0001_foundation.py"))
    assert spec and spec.loader
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    start = first.SCHEMA.index("CREATE FUNCTION child_stats")
    end = first.SCHEMA.index("END $$;", start) + len("END $$;")
    op.execute("DROP INDEX IF EXISTS ix_children_scope_stats")
    op.execute(first.SCHEMA[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
