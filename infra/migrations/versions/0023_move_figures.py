"""A child who moves between communes in the period figures: an exit of the place it left and an entry
of the place it joined, never both in a figure that holds the two places.

Reports (``report_move_figures``): per hamlet, the completed moves of the period (the day the move was
completed, in Vietnam's time: until then the child counts at its origin) out of it and into it, each
classed by the deepest unit the two hamlets shared on the period's last day: ``same_commune``,
``same_district``, ``same_province`` or ``other_province`` (and the same for children then in a
special-circumstance group). Consolidation sums these cells; a report of a unit counts as its total
only the cells of moves that cross its border (``portal.reports.figures.compose``), so a move inside
a district is neither an entry nor an exit of the district, whatever it is for its communes.

Statistics layer (0016): ``entries`` and ``exits`` of a hamlet-month count every residence spell begun
or ended in it, and rollups summed them, so a move between two hamlets of a commune counted once in
and once out of the commune. Each hamlet now also keeps where a spell it begins came from
(``entries_from``, keyed by the other hamlet's id) and where one it ends went (``exits_to``); the
rollups sum them like any cell. ``stat_read`` and ``stat_read_placed`` subtract from a unit's
``entries``/``exits`` the flows whose other hamlet lies inside the unit (under today's structure, or
under the month's for the placed reading), and return neither keyed dimension. The previous functions
stay, renamed ``*_cells``, as the wrappers' inputs; a trigger marks a spell's neighbour stale when a
spell is added or dropped (its ``exits_to`` changes).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from alembic import op

from infra.settings import get_settings

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

REPORTS = r"""
CREATE FUNCTION report_move_figures(p_path text, p_start date, p_end date)
RETURNS TABLE (hamlet_id bigint, indicator text, cell text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    p_stop text := app_subtree_end(p_path);
BEGIN
    IF NOT (app_in_subtree(p_path, nullif(current_setting('app.agg_scope', true), ''))
            OR app_in_subtree(p_path, nullif(current_setting('app.scope', true), ''))) THEN
        RAISE EXCEPTION 'unit outside the caller''s scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH m AS MATERIALIZED (
        SELECT mv.child_id, mv.from_hamlet_id, mv.to_hamlet_id,
               (mv.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day
        FROM child_moves mv
        WHERE mv.state = 'completed'
          AND mv.decided_at >= (p_start::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND mv.decided_at < ((p_end + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
    ), ends AS (
        SELECT m.*, fu.path AS from_now, tu.path AS to_now,
               string_to_array(btrim(fp.path, '/'), '/') AS a, string_to_array(btrim(tp.path, '/'), '/') AS b,
               EXISTS (SELECT 1 FROM child_periods p
                       WHERE p.child_id = m.child_id AND p.kind = 'group'
                         AND p.since <= m.day AND (p.until IS NULL OR p.until > m.day)) AS special
        FROM m
        JOIN children c ON c.id = m.child_id
        JOIN units fu ON fu.id = m.from_hamlet_id
        JOIN units tu ON tu.id = m.to_hamlet_id
        JOIN hamlet_paths_on(p_end) fp ON fp.hamlet_id = m.from_hamlet_id
        JOIN hamlet_paths_on(p_end) tp ON tp.hamlet_id = m.to_hamlet_id
        WHERE c.date_of_birth <= m.day AND c.date_of_birth > (m.day - interval '16 years')::date
    ), classed AS (
        -- the deepest unit both hamlets were under on the period's last day, by its level
        SELECT e.*, CASE (SELECT u.level FROM units u WHERE u.id = (
                              SELECT e.a[i]::bigint FROM generate_subscripts(e.a, 1) i
                              WHERE i <= cardinality(e.b) AND e.a[1:i] = e.b[1:i]
                              ORDER BY i DESC LIMIT 1))
                        WHEN 'commune' THEN 'same_commune' WHEN 'district' THEN 'same_district'
                        WHEN 'province' THEN 'same_province' ELSE 'other_province' END AS cell
        FROM ends e
    ), counted AS (
        SELECT cl.from_hamlet_id AS hamlet, 'moved_out' AS way, cl.cell, cl.special FROM classed cl
        WHERE cl.from_now >= p_path AND cl.from_now < p_stop
        UNION ALL
        SELECT cl.to_hamlet_id, 'moved_in', cl.cell, cl.special FROM classed cl
        WHERE cl.to_now >= p_path AND cl.to_now < p_stop
    )
    SELECT x.hamlet, 'children_' || x.way, x.cell, count(*) FROM counted x GROUP BY 1, 2, 3
    UNION ALL
    SELECT x.hamlet, 'special_' || x.way, x.cell, count(*) FROM counted x WHERE x.special GROUP BY 1, 2, 3;
END $$;
"""

LAYER = r"""
ALTER FUNCTION stat_compute(bigint[], date, date) RENAME TO stat_compute_cells;
ALTER FUNCTION stat_read(bigint, date, date) RENAME TO stat_read_cells;
ALTER FUNCTION stat_read_placed(text, date) RENAME TO stat_read_placed_cells;

-- The cells of 0016, and where the spells begun or ended in each month came from or went to: a spell
-- that begins the day another of the same child ends (a move, in the commune or beyond) is an entry
-- from that spell's hamlet and an exit to its own, for a child then under 16 (as entries and exits).
CREATE FUNCTION stat_compute(p_hamlets bigint[], p_first date, p_last date)
RETURNS TABLE (unit_id bigint, month date, dimension text, key text, n integer, keysum bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM stat_compute_cells(p_hamlets, p_first, p_last)
    UNION ALL
    SELECT f.hamlet_id, f.month, f.dimension, f.other::text, count(*)::integer, sum(f.stat_key)::bigint
    FROM (
        SELECT s.hamlet_id, date_trunc('month', s.since::timestamp)::date AS month,
               'entries_from'::text AS dimension, o.hamlet_id AS other, c.stat_key::bigint AS stat_key,
               c.date_of_birth AS born
        FROM child_spells s
        JOIN children c ON c.id = s.child_id AND s.since > c.date_of_birth
        CROSS JOIN LATERAL (SELECT o.hamlet_id FROM child_spells o
                            WHERE o.child_id = s.child_id AND o.until = s.since AND o.id <> s.id
                            ORDER BY o.id DESC LIMIT 1) o
        WHERE (p_hamlets IS NULL OR s.hamlet_id = ANY (p_hamlets))
          AND s.since >= p_first AND s.since < (p_last + interval '1 month')::date
        UNION ALL
        SELECT s.hamlet_id, date_trunc('month', s.until::timestamp)::date, 'exits_to', o.hamlet_id,
               c.stat_key::bigint, c.date_of_birth
        FROM child_spells s
        JOIN children c ON c.id = s.child_id
        CROSS JOIN LATERAL (SELECT o.hamlet_id FROM child_spells o
                            WHERE o.child_id = s.child_id AND o.since = s.until AND o.id <> s.id
                            ORDER BY o.id DESC LIMIT 1) o
        WHERE (p_hamlets IS NULL OR s.hamlet_id = ANY (p_hamlets))
          AND s.until >= p_first AND s.until < (p_last + interval '1 month')::date
    ) f
    WHERE f.month >= date_trunc('month', f.born::timestamp)::date AND f.month < stat_turns(f.born, 16)
    GROUP BY 1, 2, 3, 4
$$;

-- A unit's cells under today's structure, its entries and exits net of the flows between its own
-- hamlets (a move inside it is neither).
CREATE FUNCTION stat_read(p_unit_id bigint, p_first date, p_last date)
RETURNS TABLE (month date, dimension text, key text, n bigint, keysum bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH cells AS MATERIALIZED (
        SELECT * FROM stat_read_cells(p_unit_id, p_first, p_last)
    ), inside AS (
        SELECT c.month, CASE c.dimension WHEN 'entries_from' THEN 'entries' ELSE 'exits' END AS dimension,
               sum(c.n) AS n, sum(c.keysum) AS keysum
        FROM cells c
        JOIN units h ON h.id = CASE WHEN c.dimension IN ('entries_from', 'exits_to') THEN c.key::bigint END
        JOIN units u ON u.id = p_unit_id
        WHERE h.path >= u.path AND h.path < app_subtree_end(u.path)
        GROUP BY 1, 2
    )
    SELECT c.month, c.dimension, c.key, c.n - coalesce(i.n, 0), c.keysum - coalesce(i.keysum, 0)
    FROM cells c LEFT JOIN inside i ON i.month = c.month AND i.dimension = c.dimension AND c.key = ''
    WHERE c.dimension NOT IN ('entries_from', 'exits_to') AND c.n - coalesce(i.n, 0) <> 0
$$;

-- The same for one month under the structure of its last day: the other hamlet's place then.
CREATE FUNCTION stat_read_placed(p_path text, p_month date)
RETURNS TABLE (dimension text, key text, n bigint, keysum bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH cells AS MATERIALIZED (
        SELECT * FROM stat_read_placed_cells(p_path, p_month)
    ), inside AS (
        SELECT CASE c.dimension WHEN 'entries_from' THEN 'entries' ELSE 'exits' END AS dimension,
               sum(c.n) AS n, sum(c.keysum) AS keysum
        FROM cells c
        JOIN hamlet_paths_on((date_trunc('month', p_month) + interval '1 month' - interval '1 day')::date) h
          ON h.hamlet_id = CASE WHEN c.dimension IN ('entries_from', 'exits_to') THEN c.key::bigint END
        WHERE h.path >= p_path AND h.path < app_subtree_end(p_path)
        GROUP BY 1
    )
    SELECT c.dimension, c.key, c.n - coalesce(i.n, 0), c.keysum - coalesce(i.keysum, 0)
    FROM cells c LEFT JOIN inside i ON i.dimension = c.dimension AND c.key = ''
    WHERE c.dimension NOT IN ('entries_from', 'exits_to') AND c.n - coalesce(i.n, 0) <> 0
$$;

-- A spell added or dropped changes where its neighbour (the spell of the same child that ended the
-- day it began) went: that hamlet is stale from then on too.
CREATE FUNCTION stat_spells_neighbours() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stat_mark(array_agg(s.hamlet_id), array_agg(s.until))
        FROM new_rows n JOIN child_spells s ON s.child_id = n.child_id AND s.until = n.since AND s.id <> n.id;
    ELSE
        PERFORM stat_mark(array_agg(s.hamlet_id), array_agg(s.until))
        FROM old_rows o JOIN child_spells s ON s.child_id = o.child_id AND s.until = o.since;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER child_spells_stat_neighbours_insert AFTER INSERT ON child_spells
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_spells_neighbours();
CREATE TRIGGER child_spells_stat_neighbours_delete AFTER DELETE ON child_spells
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_spells_neighbours();

-- The hamlets that already hold such flows are recounted by the worker.
SELECT stat_mark(array_agg(s.hamlet_id), array_agg(s.since))
FROM child_spells s
WHERE EXISTS (SELECT 1 FROM child_spells o
              WHERE o.child_id = s.child_id AND o.id <> s.id AND (o.until = s.since OR o.since = s.until));
"""

RENAMED = (
    ("stat_compute", "bigint[], date, date"),
    ("stat_read", "bigint, date, date"),
    ("stat_read_placed", "text, date"),
)
GRANTED = (
    "stat_read(bigint, date, date)",
    "stat_read_placed(text, date)",
    "report_move_figures(text, date, date)",
)


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(REPORTS)
    op.execute(LAYER)
    for name, args in RENAMED:
        op.execute(f"REVOKE ALL ON FUNCTION {name}_cells({args}) FROM PUBLIC, {role}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}({args}) FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION stat_spells_neighbours() FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION report_move_figures(text, date, date) FROM PUBLIC")
    for signature in GRANTED:
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")


def downgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute("DROP TRIGGER IF EXISTS child_spells_stat_neighbours_insert ON child_spells")
    op.execute("DROP TRIGGER IF EXISTS child_spells_stat_neighbours_delete ON child_spells")
    op.execute("DROP FUNCTION IF EXISTS stat_spells_neighbours(), report_move_figures(text, date, date)")
    for name, args in RENAMED:
        op.execute(f"DROP FUNCTION IF EXISTS {name}({args})")
        op.execute(f"ALTER FUNCTION {name}_cells({args}) RENAME TO {name}")
    for signature in GRANTED[:2]:
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")
    # the flows' keyed cells are no longer read: drop them with the rollups' copies
    op.execute("DELETE FROM stat_cells WHERE dimension IN ('entries_from', 'exits_to')")
