"""Reading an abolished unit's month no longer visits every hamlet under it.

``stat_read_placed`` (0016) reads a month under the structure in force on its last day: the unit's
own rolled-up cells, corrected by the hamlets that were placed elsewhere then. To find those it
tested every hamlet now under the unit for a placement (4,519 index probes for Hà Nội: 2-3 ms a
month, and a province's dashboard reads each month of its periods). The hamlets with a placement
are now found from ``hamlet_placements`` itself. Same rows, same answer; the function keeps its
signature and grants (CREATE OR REPLACE).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION stat_read_placed(p_path text, p_month date)
RETURNS TABLE (dimension text, key text, n bigint, keysum bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    v_month date := date_trunc('month', p_month)::date;
    v_on date := (date_trunc('month', p_month) + interval '1 month' - interval '1 day')::date;
    v_end text := app_subtree_end(p_path);
    v_unit bigint;
BEGIN
    IF NOT (app_in_subtree(p_path, nullif(current_setting('app.agg_scope', true), ''))
            OR app_in_subtree(p_path, nullif(current_setting('app.scope', true), ''))) THEN
        RAISE EXCEPTION 'unit outside the caller''s aggregate scope' USING ERRCODE = '42501';
    END IF;
    SELECT u.id INTO v_unit FROM units u WHERE u.path = p_path;
    RETURN QUERY
    WITH candidates AS (
        -- hamlets under p_path now: all if there is no unit to roll up, else only those with a placement
        SELECT u.id, u.path FROM units u
        WHERE v_unit IS NULL AND u.level = 'hamlet' AND u.path >= p_path AND u.path < v_end
        UNION
        SELECT u.id, u.path FROM hamlet_placements hp JOIN units u ON u.id = hp.hamlet_id
        WHERE v_unit IS NOT NULL AND u.level = 'hamlet' AND u.path >= p_path AND u.path < v_end
        UNION
        -- and hamlets placed under it at some time
        SELECT u.id, u.path FROM hamlet_placements hp JOIN units u ON u.id = hp.hamlet_id
        WHERE hp.path >= p_path AND hp.path < v_end
    ), placed AS (
        SELECT ca.id, ca.path >= p_path AND ca.path < v_end AS now_in, x.path >= p_path AND x.path < v_end AS then_in
        FROM candidates ca,
             LATERAL (SELECT coalesce(
                 (SELECT hp.path FROM hamlet_placements hp
                  WHERE hp.hamlet_id = ca.id AND (hp.valid_from IS NULL OR hp.valid_from <= v_on)
                    AND v_on < hp.valid_to
                  ORDER BY hp.valid_to LIMIT 1),
                 ca.path) COLLATE "C" AS path) x
    ), parts AS (
        SELECT v_unit AS unit_id, 1 AS sign WHERE v_unit IS NOT NULL
        UNION ALL
        SELECT pl.id, CASE WHEN pl.then_in THEN 1 ELSE -1 END FROM placed pl
        WHERE CASE WHEN v_unit IS NULL THEN pl.then_in ELSE pl.then_in <> pl.now_in END
    )
    SELECT c.dimension, c.key, sum(pa.sign * c.n)::bigint, sum(pa.sign * c.keysum)::bigint
    FROM parts pa JOIN stat_cells c ON c.unit_id = pa.unit_id AND c.month = v_month
    GROUP BY 1, 2
    HAVING sum(pa.sign * c.n) <> 0;
END $$;
"""


def _function_0016() -> str:
    spec = importlib.util.spec_from_file_location(
        "m0016", Path(__file__).with_name("0016_statistics_layer.py")
    )
    assert spec and spec.loader
    m0016 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0016)
    schema = str(m0016.SCHEMA)
    start = schema.index("CREATE FUNCTION stat_read_placed")
    end = schema.index("END $$;", start) + len("END $$;")
    return schema[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute(_function_0016())
