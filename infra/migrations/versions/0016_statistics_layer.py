"""Statistics layer: counts per hamlet and month kept current, read by aggregate-only callers.

Aggregate readers no longer recount the registry per request. ``stat_cells`` holds, per hamlet and
month (the figures are as of the month's last day), the non-zero counts of children (total, sex, age
band, group/risk/support codes), entries and exits of residence spells, and cases received, each with
``keysum`` (the sum of the records' random ``stat_key``, for cell-key perturbation), plus one rollup
row per current ancestor. Triggers mark a hamlet stale in ``stat_dirty`` (from the earliest month a
change touches); ``stat_refresh_next`` recomputes one stale hamlet and applies the difference to its
own and its ancestors' rows, so rollups stay exact without recounting a province. A hamlet moved by a
reorganisation carries its rows from its old ancestors to its new ones (trigger on ``units``).

``child_spells`` records where a child lived when (a move closes one spell and opens another), so
past months keep the hamlet a child was in then. The app role reaches none of these tables directly:
only the SECURITY DEFINER functions below.

A layer lock (advisory key ``LAYER_LOCK``) is taken shared by refreshes and hamlet moves and
exclusively by rebuilds and the month rollover, which rewrite many hamlets at once. A rebuild fills a
new table and swaps it in at the end, so readers keep the old figures meanwhile.

Counting works on month ranges: a spell, an age band or a group/risk/support period covers a
contiguous range of months, turned into +1/-1 events and a running sum per hamlet, dimension and key
(work in records, not records x months); one hamlet's refresh touches only its own spells, children
and periods.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from alembic import op

from infra.settings import get_settings

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

LAYER_LOCK = 7316001  # pg_advisory_xact_lock key of the statistics layer

SCHEMA = r"""
ALTER TABLE children ADD COLUMN stat_key integer NOT NULL DEFAULT floor(random() * 2147483648)::integer;
ALTER TABLE cases ADD COLUMN stat_key integer NOT NULL DEFAULT floor(random() * 2147483648)::integer;

CREATE TABLE child_spells (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_child_spells PRIMARY KEY,
    child_id uuid NOT NULL CONSTRAINT fk_child_spells_child_id_children REFERENCES children(id) ON DELETE CASCADE,
    hamlet_id bigint NOT NULL CONSTRAINT fk_child_spells_hamlet_id_units REFERENCES units(id),
    since date NOT NULL,
    until date
);
CREATE INDEX ix_child_spells_child_id ON child_spells (child_id);
CREATE INDEX ix_child_spells_hamlet_id ON child_spells (hamlet_id);
CREATE UNIQUE INDEX uq_child_spells_open ON child_spells (child_id) WHERE until IS NULL;

CREATE TABLE stat_cells (
    unit_id bigint NOT NULL,
    month date NOT NULL,
    dimension text NOT NULL,
    key text NOT NULL,
    n integer NOT NULL,
    keysum bigint NOT NULL,
    CONSTRAINT pk_stat_cells PRIMARY KEY (unit_id, month, dimension, key)
);

CREATE TABLE stat_dirty (
    hamlet_id bigint CONSTRAINT pk_stat_dirty PRIMARY KEY,
    since_month date NOT NULL
);

-- The month the layer was last built for (one row): the rollover runs once per month.
CREATE TABLE stat_state (
    id boolean CONSTRAINT pk_stat_state PRIMARY KEY DEFAULT true CONSTRAINT ck_stat_state_one CHECK (id),
    open_month date NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE child_spells ENABLE ROW LEVEL SECURITY;
ALTER TABLE stat_cells ENABLE ROW LEVEL SECURITY;
ALTER TABLE stat_dirty ENABLE ROW LEVEL SECURITY;
ALTER TABLE stat_state ENABLE ROW LEVEL SECURITY;

-- Vietnam's date now (spells open and close on it).
CREATE FUNCTION stat_today() RETURNS date LANGUAGE sql STABLE
    AS $$ SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date $$;

-- Mark hamlets stale from a month on (keeps the earliest month).
CREATE FUNCTION stat_mark(p_hamlets bigint[], p_months date[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO stat_dirty AS d (hamlet_id, since_month)
    SELECT h, min(date_trunc('month', m)::date) FROM unnest(p_hamlets, p_months) x(h, m)
    WHERE h IS NOT NULL AND m IS NOT NULL GROUP BY h ORDER BY h
    ON CONFLICT (hamlet_id) DO UPDATE SET since_month = least(d.since_month, excluded.since_month)
$$;

-- Residence spells follow the registry: a child recorded in a hamlet lived there since birth; a move
-- or a status change closes the open spell today (a spell opened today is dropped instead) and a move
-- or a return to active opens one today; a birth-date correction moves spells that began at birth.
CREATE FUNCTION stat_children_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    today date := stat_today();
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO child_spells (child_id, hamlet_id, since, until)
        SELECT n.id, n.hamlet_id, n.date_of_birth,
               CASE WHEN n.status = 'active' THEN NULL
                    ELSE (n.updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date END
        FROM new_rows n
        WHERE n.status = 'active' OR (n.updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > n.date_of_birth;
        RETURN NULL;
    END IF;
    -- UPDATE: only hamlet, status, birth date, sex and key matter here (a reorganisation rewriting
    -- unit_path stops at this check).
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE (o.hamlet_id, o.status, o.date_of_birth, o.sex, o.stat_key)
                         IS DISTINCT FROM (n.hamlet_id, n.status, n.date_of_birth, n.sex, n.stat_key)) THEN
        RETURN NULL;
    END IF;
    UPDATE child_spells s SET since = n.date_of_birth
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE s.child_id = n.id AND o.date_of_birth <> n.date_of_birth AND s.since = o.date_of_birth;
    -- leaving (moved away, died or moved to another hamlet): close today, or drop a spell begun today
    DELETE FROM child_spells s USING new_rows n JOIN old_rows o ON o.id = n.id
    WHERE s.child_id = n.id AND s.until IS NULL AND s.since >= today
      AND o.status = 'active' AND (n.status <> 'active' OR n.hamlet_id <> o.hamlet_id);
    UPDATE child_spells s SET until = today
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE s.child_id = n.id AND s.until IS NULL
      AND o.status = 'active' AND (n.status <> 'active' OR n.hamlet_id <> o.hamlet_id);
    INSERT INTO child_spells (child_id, hamlet_id, since, until)
    SELECT n.id, n.hamlet_id, greatest(today, n.date_of_birth), NULL
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.status = 'active' AND (o.status <> 'active' OR n.hamlet_id <> o.hamlet_id);
    -- sex, key or birth date: every month of every hamlet the child lived in
    PERFORM stat_mark(array_agg(s.hamlet_id), array_agg(least(s.since, o.date_of_birth, n.date_of_birth)))
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN child_spells s ON s.child_id = n.id
    WHERE (o.sex, o.stat_key, o.date_of_birth) IS DISTINCT FROM (n.sex, n.stat_key, n.date_of_birth);
    RETURN NULL;
END $$;

CREATE TRIGGER children_stat_insert AFTER INSERT ON children REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_children_changed();
CREATE TRIGGER children_stat_update AFTER UPDATE ON children
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_children_changed();

-- Spells written, closed, moved or deleted (with their child): their hamlets are stale from then on.
CREATE FUNCTION stat_spells_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stat_mark(array_agg(n.hamlet_id), array_agg(n.since)) FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stat_mark(array_agg(o.hamlet_id), array_agg(o.since)) FROM old_rows o;
    ELSE
        PERFORM stat_mark(array_agg(h), array_agg(m)) FROM (
            SELECT o.hamlet_id, least(o.since, n.since) FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.since <> n.since OR o.hamlet_id <> n.hamlet_id
            UNION ALL
            SELECT n.hamlet_id, least(n.since, o.since) FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.since <> n.since OR o.hamlet_id <> n.hamlet_id
            UNION ALL
            SELECT n.hamlet_id, least(o.until, n.until) FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.since = n.since AND o.hamlet_id = n.hamlet_id AND o.until IS DISTINCT FROM n.until
        ) x(h, m);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER child_spells_stat_insert AFTER INSERT ON child_spells REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_spells_changed();
CREATE TRIGGER child_spells_stat_update AFTER UPDATE ON child_spells
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_spells_changed();
CREATE TRIGGER child_spells_stat_delete AFTER DELETE ON child_spells REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_spells_changed();

-- A group/risk/support period changed: the hamlets where the child lived during it, from its start.
CREATE FUNCTION stat_periods_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM stat_mark(array_agg(s.hamlet_id), array_agg(greatest(p.since, s.since)))
        FROM new_rows p JOIN child_spells s ON s.child_id = p.child_id
        WHERE (s.until IS NULL OR s.until > p.since) AND (p.until IS NULL OR p.until > s.since);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM stat_mark(array_agg(s.hamlet_id), array_agg(greatest(p.since, s.since)))
        FROM old_rows p JOIN child_spells s ON s.child_id = p.child_id
        WHERE (s.until IS NULL OR s.until > p.since) AND (p.until IS NULL OR p.until > s.since);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER child_periods_stat_insert AFTER INSERT ON child_periods REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_periods_changed();
CREATE TRIGGER child_periods_stat_update AFTER UPDATE ON child_periods
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_periods_changed();
CREATE TRIGGER child_periods_stat_delete AFTER DELETE ON child_periods REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_periods_changed();

-- Cases count in the month (Vietnam time) they were received, in their hamlet.
CREATE FUNCTION stat_cases_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stat_mark(array_agg(n.hamlet_id), array_agg((n.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date))
        FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stat_mark(array_agg(o.hamlet_id), array_agg((o.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date))
        FROM old_rows o;
    ELSE
        PERFORM stat_mark(array_agg(h), array_agg((r AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)) FROM (
            SELECT o.hamlet_id, o.received_at FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.hamlet_id, o.received_at, o.status, o.case_type, o.stat_key)
                  IS DISTINCT FROM (n.hamlet_id, n.received_at, n.status, n.case_type, n.stat_key)
            UNION ALL
            SELECT n.hamlet_id, n.received_at FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.hamlet_id, o.received_at, o.status, o.case_type, o.stat_key)
                  IS DISTINCT FROM (n.hamlet_id, n.received_at, n.status, n.case_type, n.stat_key)
        ) x(h, r);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_stat_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_cases_changed();
CREATE TRIGGER cases_stat_update AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_cases_changed();
CREATE TRIGGER cases_stat_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_cases_changed();

-- The first month whose last day e has e - p_years years >= p_born (the child is p_years old by e, by
-- the cut-offs of child_stats: born after e - N years means younger than N).
CREATE FUNCTION stat_turns(p_born date, p_years integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ((date_trunc('month', p_born + make_interval(years => p_years)) + interval '1 month'
                       - interval '1 day') - make_interval(years => p_years))::date >= p_born
                THEN date_trunc('month', p_born + make_interval(years => p_years))::date
                ELSE (date_trunc('month', p_born + make_interval(years => p_years)) + interval '1 month')::date END
$$;

-- The cells of some hamlets (NULL: all) for months p_first..p_last (first days), as of each month's
-- last day e: a child counts where a spell covers e, if born on or before e and less than 16 years
-- before e (the cut-offs of child_stats).
--
-- No row is expanded per month until the end: a spell, an age band and a group/risk/support period
-- each cover a contiguous range of months [lo, hi), so each becomes a +1 event at lo and a -1 event
-- at hi; the events are summed per (hamlet, dimension, key, month) and a running sum over the months
-- gives each month's figure (work in children, not children x months). Periods of one child with the
-- same code (or kind) are merged first, so a child counts once. Every join is by the spells' hamlet
-- or the child, so one hamlet costs its own children only.
CREATE FUNCTION stat_compute(p_hamlets bigint[], p_first date, p_last date)
RETURNS TABLE (unit_id bigint, month date, dimension text, key text, n integer, keysum bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET work_mem = '1GB'
SET jit = off
AS $$
DECLARE
    v_end date := (p_last + interval '1 month')::date;  -- the month after the last one
BEGIN
    RETURN QUERY
    WITH sc0 AS MATERIALIZED (
        -- spells touching the window (entries and exits included), with their child
        SELECT s.hamlet_id, s.child_id, s.since, s.until, c.sex::text AS sex, c.stat_key::bigint AS stat_key,
               c.date_of_birth AS born
        FROM child_spells s JOIN children c ON c.id = s.child_id
        WHERE (p_hamlets IS NULL OR s.hamlet_id = ANY (p_hamlets))
          AND (s.until IS NULL OR s.until >= p_first) AND s.since < v_end
    ), ages AS MATERIALIZED (
        -- per birth date (a few thousand): the month of birth and the first month of each age band
        SELECT b.born, date_trunc('month', b.born::timestamp)::date AS born_month,
               stat_turns(b.born, 6) AS f6, stat_turns(b.born, 10) AS f10, stat_turns(b.born, 14) AS f14,
               stat_turns(b.born, 16) AS f16
        FROM (SELECT DISTINCT sc0.born FROM sc0) b
    ), sc AS MATERIALIZED (
        SELECT sc0.hamlet_id, sc0.child_id, sc0.sex, sc0.stat_key, sc0.since, sc0.until,
               date_trunc('month', sc0.since::timestamp)::date AS since_month,
               date_trunc('month', sc0.until::timestamp)::date AS until_month,
               a.born_month, a.f6, a.f10, a.f14, a.f16
        FROM sc0 JOIN ages a ON a.born = sc0.born
        WHERE a.f16 > p_first
    ), spans AS MATERIALIZED (
        -- the months [lo, hi) whose last day e has since <= e < until, born <= e < born + 16 years
        SELECT x.* FROM (
            SELECT sc.hamlet_id, sc.child_id, sc.sex, sc.stat_key, sc.f6, sc.f10, sc.f14,
                   greatest(sc.since_month, sc.born_month, p_first) AS lo,
                   least(coalesce(sc.until_month, 'infinity'::date), sc.f16, v_end) AS hi
            FROM sc
        ) x WHERE x.lo < x.hi
    ), band_steps AS (
        -- total, sex and age band: +1/-1 per band range, summed per month
        SELECT e.hamlet_id,
               CASE WHEN grouping(e.sex) = 0 THEN 'sex' WHEN grouping(e.band) = 0 THEN 'age_band'
                    ELSE 'total' END AS dimension,
               coalesce(e.sex, e.band, '') AS key, e.month, sum(e.sign)::bigint AS dn, sum(e.dk)::bigint AS dk
        FROM (
            SELECT sp.hamlet_id, sp.sex, b.band, x.month, x.sign, x.sign * sp.stat_key AS dk
            FROM spans sp,
                 LATERAL (VALUES ('0-5', sp.lo, least(sp.hi, sp.f6)),
                                 ('6-9', greatest(sp.lo, sp.f6), least(sp.hi, sp.f10)),
                                 ('10-13', greatest(sp.lo, sp.f10), least(sp.hi, sp.f14)),
                                 ('14-15', greatest(sp.lo, sp.f14), sp.hi)) b(band, a, z),
                 LATERAL (VALUES (b.a, 1), (b.z, -1)) x(month, sign)
            WHERE b.a < b.z AND x.month < v_end
        ) e
        GROUP BY GROUPING SETS ((e.hamlet_id, e.month), (e.hamlet_id, e.month, e.sex),
                                (e.hamlet_id, e.month, e.band))
    ), pspans AS (
        -- a period within a spell: its months [lo, hi) (p.since <= e < p.until)
        SELECT x.* FROM (
            SELECT sp.hamlet_id, sp.child_id, sp.stat_key, p.kind::text AS kind, p.code::text AS code,
                   greatest(sp.lo, date_trunc('month', p.since::timestamp)::date) AS lo,
                   least(sp.hi, coalesce(date_trunc('month', p.until::timestamp)::date, 'infinity'::date)) AS hi
            FROM spans sp JOIN child_periods p ON p.child_id = sp.child_id
        ) x WHERE x.lo < x.hi
    ), per_code AS MATERIALIZED (
        -- overlapping or adjacent ranges of one child, hamlet and code merged (gaps and islands)
        SELECT i.hamlet_id, i.child_id, i.stat_key, i.kind, i.code, min(i.lo) AS lo, max(i.hi) AS hi
        FROM (
            SELECT g.*, count(*) FILTER (WHERE g.gap)
                        OVER (PARTITION BY g.hamlet_id, g.child_id, g.kind, g.code ORDER BY g.lo, g.hi) AS island
            FROM (
                SELECT r.*, r.lo > max(r.hi) OVER (PARTITION BY r.hamlet_id, r.child_id, r.kind, r.code
                                                   ORDER BY r.lo, r.hi
                                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS gap
                FROM pspans r
            ) g
        ) i
        GROUP BY i.hamlet_id, i.child_id, i.stat_key, i.kind, i.code, i.island
    ), per_kind AS (
        -- the same per kind (any code of it), for the kind's total
        SELECT i.hamlet_id, i.child_id, i.stat_key, i.kind, ''::text AS code, min(i.lo) AS lo, max(i.hi) AS hi
        FROM (
            SELECT g.*, count(*) FILTER (WHERE g.gap)
                        OVER (PARTITION BY g.hamlet_id, g.child_id, g.kind ORDER BY g.lo, g.hi) AS island
            FROM (
                SELECT r.*, r.lo > max(r.hi) OVER (PARTITION BY r.hamlet_id, r.child_id, r.kind
                                                   ORDER BY r.lo, r.hi
                                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS gap
                FROM per_code r
            ) g
        ) i
        GROUP BY i.hamlet_id, i.child_id, i.stat_key, i.kind, i.island
    ), period_steps AS (
        SELECT r.hamlet_id, r.kind AS dimension, r.code AS key, x.month,
               sum(x.sign)::bigint AS dn, sum(x.sign * r.stat_key)::bigint AS dk
        FROM (SELECT * FROM per_code UNION ALL SELECT * FROM per_kind) r,
             LATERAL (VALUES (r.lo, 1), (r.hi, -1)) x(month, sign)
        WHERE x.month < v_end
        GROUP BY 1, 2, 3, 4
    ), runs AS (
        -- each month with a step opens a run of equal figures until the next step
        SELECT st.hamlet_id, st.dimension, st.key, st.month,
               sum(st.dn) OVER w AS n, sum(st.dk) OVER w AS keysum, lead(st.month) OVER w AS next_month
        FROM (SELECT * FROM band_steps UNION ALL SELECT * FROM period_steps) st
        WINDOW w AS (PARTITION BY st.hamlet_id, st.dimension, st.key ORDER BY st.month)
    )
    SELECT r.hamlet_id, g::date, r.dimension, r.key, r.n::integer, r.keysum::bigint
    FROM runs r,
         generate_series(r.month, coalesce(r.next_month, v_end) - interval '1 month', interval '1 month') g
    WHERE r.n <> 0
    UNION ALL
    -- a spell begun (entries) or ended (exits) in the month, of a child then under 16
    SELECT f.hamlet_id, f.month, f.dimension, '', count(*)::integer, sum(f.stat_key)::bigint
    FROM (
        SELECT sc.hamlet_id, sc.since_month AS month, 'entries'::text AS dimension, sc.stat_key, sc.born_month,
               sc.f16
        FROM sc WHERE sc.since >= p_first
        UNION ALL
        SELECT sc.hamlet_id, sc.until_month, 'exits', sc.stat_key, sc.born_month, sc.f16
        FROM sc WHERE sc.until >= p_first AND sc.until < v_end
    ) f
    WHERE f.month >= f.born_month AND f.month < f.f16
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT k.hamlet_id, k.month,
           CASE WHEN grouping(k.status) = 0 THEN 'case_status' WHEN grouping(k.case_type) = 0 THEN 'case_type'
                ELSE 'case_total' END,
           coalesce(k.status, k.case_type, ''), count(*)::integer, sum(k.stat_key)::bigint
    FROM (
        SELECT ca.hamlet_id, date_trunc('month', ca.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS month,
               ca.status::text AS status, ca.case_type::text AS case_type, ca.stat_key
        FROM cases ca
        WHERE (p_hamlets IS NULL OR ca.hamlet_id = ANY (p_hamlets))
          AND ca.received_at >= (p_first::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND ca.received_at < (v_end::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
    ) k
    GROUP BY GROUPING SETS ((k.hamlet_id, k.month), (k.hamlet_id, k.month, k.status),
                            (k.hamlet_id, k.month, k.case_type));
END $$;

-- Rollup rows of every unit above a hamlet for months p_first..p_last, from the hamlet rows of
-- p_table (stat_cells, or the table a rebuild fills), level by level (deepest first; a unit's rows
-- are the sums of its direct sub-units' rows). The caller has removed the rollup rows it replaces.
CREATE FUNCTION stat_build_rollups(p_table text, p_first date, p_last date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '256MB' AS $$
DECLARE
    d integer;
BEGIN
    FOR d IN SELECT DISTINCT depth FROM units WHERE depth > 1 ORDER BY depth DESC LOOP
        EXECUTE format(
            'INSERT INTO %1$I (unit_id, month, dimension, key, n, keysum)
             SELECT u.parent_id, c.month, c.dimension, c.key, sum(c.n), sum(c.keysum)
             FROM %1$I c JOIN units u ON u.id = c.unit_id
             WHERE u.depth = $1 AND u.parent_id IS NOT NULL AND c.month BETWEEN $2 AND $3
             GROUP BY 1, 2, 3, 4', p_table)
        USING d, p_first, p_last;
    END LOOP;
END $$;

-- Recompute the whole layer for the window p_window_start..p_open (first days of months), into a
-- new table swapped in at the end: readers keep reading the old figures (no lock on them) until
-- the commit. The key is indexed after the load (one sorted build instead of 4 M random inserts).
-- Stale marks present at the start are dropped at the end unless re-marked meanwhile (a new row
-- version), without locking them for the rebuild's length, so writers are not held up.
CREATE FUNCTION stat_rebuild(p_window_start date, p_open date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '256MB' AS $$
DECLARE
    v_rows bigint;
    v_marked bigint[];
    v_versions text[];
    v_grantee text;
BEGIN
    PERFORM pg_advisory_xact_lock({lock});
    SELECT array_agg(d.hamlet_id), array_agg(d.xmin::text) INTO v_marked, v_versions FROM stat_dirty d;
    CREATE TABLE stat_cells_next (LIKE stat_cells INCLUDING DEFAULTS);
    ALTER TABLE stat_cells_next ENABLE ROW LEVEL SECURITY;
    REVOKE ALL ON stat_cells_next FROM PUBLIC;
    FOR v_grantee IN  -- default privileges may have granted it to other roles: as stat_cells, none
        SELECT DISTINCT a.grantee::regrole::text
        FROM pg_class t, aclexplode(t.relacl) a
        WHERE t.oid = 'stat_cells_next'::regclass AND a.grantee <> t.relowner AND a.grantee <> 0
    LOOP
        EXECUTE format('REVOKE ALL ON stat_cells_next FROM %s', v_grantee);
    END LOOP;
    INSERT INTO stat_cells_next SELECT * FROM stat_compute(NULL, p_window_start, p_open);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    PERFORM stat_build_rollups('stat_cells_next', p_window_start, p_open);
    ALTER TABLE stat_cells_next ADD CONSTRAINT pk_stat_cells_next PRIMARY KEY (unit_id, month, dimension, key);
    ANALYZE stat_cells_next;
    DROP TABLE stat_cells;
    ALTER TABLE stat_cells_next RENAME TO stat_cells;
    ALTER TABLE stat_cells RENAME CONSTRAINT pk_stat_cells_next TO pk_stat_cells;
    DELETE FROM stat_dirty d USING unnest(v_marked, v_versions) m(hamlet_id, version)
    WHERE d.hamlet_id = m.hamlet_id AND d.xmin::text = m.version;
    INSERT INTO stat_state (open_month) VALUES (p_open)
    ON CONFLICT (id) DO UPDATE SET open_month = excluded.open_month, built_at = now();
    RETURN v_rows;
END $$;

-- Every non-hamlet row again from the hamlet rows (after a change of the structure made outside
-- the units trigger, or to check it).
CREATE FUNCTION stat_rebuild_rollups() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({lock});
    DELETE FROM stat_cells c USING units u WHERE u.id = c.unit_id AND u.level <> 'hamlet';
    PERFORM stat_build_rollups('stat_cells', '-infinity'::date, 'infinity'::date);
END $$;

-- The month rollover: drop months older than the window and build the new open month for every
-- hamlet in one pass. Idempotent: false when the layer is already at p_open.
CREATE FUNCTION stat_open_month(p_window_start date, p_open date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF (SELECT open_month FROM stat_state) >= p_open THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock({lock});
    IF (SELECT open_month FROM stat_state) >= p_open THEN
        RETURN false;
    END IF;
    DELETE FROM stat_cells WHERE month < p_window_start OR month = p_open;
    INSERT INTO stat_cells SELECT * FROM stat_compute(NULL, p_open, p_open);
    PERFORM stat_build_rollups('stat_cells', p_open, p_open);
    INSERT INTO stat_state (open_month) VALUES (p_open)
    ON CONFLICT (id) DO UPDATE SET open_month = excluded.open_month, built_at = now();
    RETURN true;
END $$;

-- Refresh one stale hamlet (any, skipping those another worker holds): recompute its months from
-- the stale one, apply the difference to its rows and its ancestors' rows. Returns its id, or NULL
-- when nothing is stale. The dirty row stays locked until commit, so a change made meanwhile waits
-- and marks the hamlet again afterwards.
CREATE FUNCTION stat_refresh_next(p_window_start date, p_open date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    v_hamlet bigint;
    v_since date;
    v_from date;
    v_units bigint[];
    v_path text;
BEGIN
    PERFORM pg_advisory_xact_lock_shared({lock});
    SELECT d.hamlet_id, d.since_month INTO v_hamlet, v_since
    FROM stat_dirty d ORDER BY d.since_month LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF v_hamlet IS NULL THEN
        RETURN NULL;
    END IF;
    -- the hamlet and its current ancestors (a reorganisation moving it waits for this transaction)
    SELECT u.path INTO v_path FROM units u WHERE u.id = v_hamlet AND u.level = 'hamlet' FOR SHARE;
    v_units := string_to_array(btrim(v_path, '/'), '/')::bigint[];
    v_from := greatest(v_since, p_window_start);
    IF v_units IS NOT NULL AND v_from <= p_open THEN
        INSERT INTO stat_cells AS s (unit_id, month, dimension, key, n, keysum)
        SELECT a.unit_id, d.month, d.dimension, d.key, d.dn, d.dk
        FROM (
            SELECT coalesce(f.month, o.month) AS month, coalesce(f.dimension, o.dimension) AS dimension,
                   coalesce(f.key, o.key) AS key,
                   coalesce(f.n, 0) - coalesce(o.n, 0) AS dn, coalesce(f.keysum, 0) - coalesce(o.keysum, 0) AS dk
            FROM stat_compute(ARRAY[v_hamlet], v_from, p_open) f
            FULL JOIN (SELECT c.month, c.dimension, c.key, c.n, c.keysum FROM stat_cells c
                       WHERE c.unit_id = v_hamlet AND c.month BETWEEN v_from AND p_open) o
              ON o.month = f.month AND o.dimension = f.dimension AND o.key = f.key
            WHERE (f.n, f.keysum) IS DISTINCT FROM (o.n, o.keysum)
        ) d CROSS JOIN unnest(v_units) a(unit_id)
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (unit_id, month, dimension, key)
        DO UPDATE SET n = s.n + excluded.n, keysum = s.keysum + excluded.keysum;
        IF FOUND THEN
            DELETE FROM stat_cells c
            WHERE c.unit_id = ANY (v_units) AND c.month BETWEEN v_from AND p_open AND c.n = 0;
        END IF;
    END IF;
    DELETE FROM stat_dirty WHERE hamlet_id = v_hamlet;
    RETURN v_hamlet;
END $$;

-- A hamlet moved under other units (a reorganisation or its undo): its rows leave the rollups of the
-- ancestors it left and join those of its new ancestors.
CREATE FUNCTION stat_units_moved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE n.level = 'hamlet' AND o.path <> n.path) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock_shared({lock});
    WITH moved AS (
        SELECT n.id, o.path AS old_path, n.path AS new_path
        FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.level = 'hamlet' AND o.path <> n.path
    ), anc AS (
        SELECT m.id AS hamlet_id, x AS unit_id, -1 AS sign
        FROM moved m, unnest(string_to_array(btrim(m.old_path, '/'), '/')::bigint[]) x WHERE x <> m.id
        UNION ALL
        SELECT m.id, x, 1
        FROM moved m, unnest(string_to_array(btrim(m.new_path, '/'), '/')::bigint[]) x WHERE x <> m.id
    )
    INSERT INTO stat_cells AS s (unit_id, month, dimension, key, n, keysum)
    SELECT a.unit_id, c.month, c.dimension, c.key, sum(a.sign * c.n), sum(a.sign * c.keysum)
    FROM anc a JOIN stat_cells c ON c.unit_id = a.hamlet_id
    GROUP BY 1, 2, 3, 4
    HAVING sum(a.sign * c.n) <> 0 OR sum(a.sign * c.keysum) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, month, dimension, key)
    DO UPDATE SET n = s.n + excluded.n, keysum = s.keysum + excluded.keysum;
    DELETE FROM stat_cells c
    WHERE c.n = 0 AND c.unit_id IN (
        SELECT x FROM old_rows o JOIN new_rows n ON n.id = o.id,
             unnest(string_to_array(btrim(o.path, '/'), '/')::bigint[]) x
        WHERE n.level = 'hamlet' AND o.path <> n.path);
    RETURN NULL;
END $$;
CREATE TRIGGER units_stat_moved AFTER UPDATE ON units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_units_moved();

-- Readers (aggregate scope or record scope, as child_stats): rows of one unit under today's structure.
CREATE FUNCTION stat_read(p_unit_id bigint, p_first date, p_last date)
RETURNS TABLE (month date, dimension text, key text, n bigint, keysum bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_path text := (SELECT u.path FROM units u WHERE u.id = p_unit_id);
BEGIN
    IF v_path IS NULL
       OR NOT (app_in_subtree(v_path, nullif(current_setting('app.agg_scope', true), ''))
               OR app_in_subtree(v_path, nullif(current_setting('app.scope', true), ''))) THEN
        RAISE EXCEPTION 'unit outside the caller''s aggregate scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT c.month, c.dimension, c.key, c.n::bigint, c.keysum
    FROM stat_cells c WHERE c.unit_id = p_unit_id AND c.month BETWEEN p_first AND p_last;
END $$;

-- One month under the structure in force on its last day: the hamlets under p_path then. That is
-- the rollup of the unit now at p_path, minus the hamlets now under it that were elsewhere then,
-- plus those under it then that are elsewhere now. Only hamlets with a placement row (migration
-- 0005) can differ, so the subtree's placements are all that is looked at; with none, the answer is
-- the rollup rows (as stat_read). With no unit at p_path, the hamlets under it then are summed.
CREATE FUNCTION stat_read_placed(p_path text, p_month date)
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
        -- hamlets under p_path now (only those with a placement, unless there is no unit to roll up)
        SELECT u.id, u.path FROM units u
        WHERE u.level = 'hamlet' AND u.path >= p_path AND u.path < v_end
          AND (v_unit IS NULL OR EXISTS (SELECT 1 FROM hamlet_placements hp WHERE hp.hamlet_id = u.id))
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

-- Backfill: active children live in their hamlet since birth; others until their last update.
INSERT INTO child_spells (child_id, hamlet_id, since, until)
SELECT c.id, c.hamlet_id, c.date_of_birth,
       CASE WHEN c.status = 'active' THEN NULL ELSE (c.updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date END
FROM children c
WHERE c.status = 'active' OR (c.updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > c.date_of_birth;
""".replace("{lock}", str(LAYER_LOCK))

FUNCTIONS = (
    "stat_today()",
    "stat_mark(bigint[], date[])",
    "stat_children_changed()",
    "stat_spells_changed()",
    "stat_periods_changed()",
    "stat_cases_changed()",
    "stat_turns(date, integer)",
    "stat_compute(bigint[], date, date)",
    "stat_build_rollups(text, date, date)",
    "stat_rebuild(date, date)",
    "stat_rebuild_rollups()",
    "stat_open_month(date, date)",
    "stat_refresh_next(date, date)",
    "stat_units_moved()",
    "stat_read(bigint, date, date)",
    "stat_read_placed(text, date)",
)
GRANTED = (
    "stat_read(bigint, date, date)",
    "stat_read_placed(text, date)",
    "stat_refresh_next(date, date)",
    "stat_open_month(date, date)",
)


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(f"REVOKE ALL ON child_spells, stat_cells, stat_dirty, stat_state FROM PUBLIC, {role}")
    for function in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    for function in GRANTED:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {role}")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS units_stat_moved ON units")
    for table in ("cases", "child_periods", "child_spells", "children"):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_stat_{event} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS " + ", ".join(FUNCTIONS))
    op.execute("DROP TABLE IF EXISTS stat_state, stat_dirty, stat_cells_next, stat_cells, child_spells")
    op.execute("ALTER TABLE cases DROP COLUMN IF EXISTS stat_key")
    op.execute("ALTER TABLE children DROP COLUMN IF EXISTS stat_key")
