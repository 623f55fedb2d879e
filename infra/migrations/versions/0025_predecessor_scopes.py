"""Which units became which: the successions a reorganisation records, read by predecessor scopes.

``unit_successions`` holds, for each applied reorganisation, the pairs (predecessor, successor) of units
of the same level such that the predecessor is closed on the effective date and some hamlet under it the
day before is under the successor from that day (the 2025 reform: an old commune and each new commune
that received one of its hamlets; the old province and the new one). A split unit has several
successors, a merged one a single one; a unit moved without being closed has none (it keeps its own
history). ``reorg_record_successions`` derives them from the hamlet placements the reorganisation kept;
``tenancy.reorg.apply`` calls it, ``revert`` deletes the reorganisation's rows, and this migration
fills them in for reorganisations already applied.

The table is public administrative data (unit ids only): the application role reads it to resolve a
caller's predecessor scope (``tenancy.succession``); only the owner writes it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

SCHEMA = r"""
CREATE TABLE unit_successions (
    reorg_id bigint NOT NULL CONSTRAINT fk_unit_successions_reorg_id_reorganisations
        REFERENCES reorganisations(id) ON DELETE CASCADE,
    predecessor_id bigint NOT NULL CONSTRAINT fk_unit_successions_predecessor_id_units REFERENCES units(id),
    successor_id bigint NOT NULL CONSTRAINT fk_unit_successions_successor_id_units REFERENCES units(id),
    CONSTRAINT pk_unit_successions PRIMARY KEY (reorg_id, predecessor_id, successor_id)
);
CREATE INDEX ix_unit_successions_successor_id ON unit_successions (successor_id);

-- Each hamlet the reorganisation moved pairs the ancestors it had the day before (its placement) with
-- those it has after it (its next placement, else its path now), level by level.
CREATE FUNCTION reorg_record_successions(p_reorg bigint) RETURNS bigint
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    v_on date;
    v_added bigint;
BEGIN
    SELECT r.effective_date INTO v_on FROM reorganisations r WHERE r.id = p_reorg;
    INSERT INTO unit_successions (reorg_id, predecessor_id, successor_id)
    SELECT DISTINCT p_reorg, old_u.id, new_u.id
    FROM hamlet_placements hp
    JOIN units h ON h.id = hp.hamlet_id
    CROSS JOIN LATERAL (SELECT coalesce(
        (SELECT nx.path FROM hamlet_placements nx
          WHERE nx.hamlet_id = hp.hamlet_id AND nx.valid_to > hp.valid_to ORDER BY nx.valid_to LIMIT 1),
        h.path) AS path) after_move
    CROSS JOIN LATERAL unnest(string_to_array(btrim(hp.path, '/'), '/')::bigint[]) AS o(id)
    JOIN units old_u ON old_u.id = o.id
    CROSS JOIN LATERAL unnest(string_to_array(btrim(after_move.path, '/'), '/')::bigint[]) AS n(id)
    JOIN units new_u ON new_u.id = n.id AND new_u.level = old_u.level
    WHERE hp.reorg_id = p_reorg AND old_u.level <> 'hamlet' AND old_u.id <> new_u.id
      AND old_u.valid_to IS NOT NULL AND old_u.valid_to <= v_on
      AND (new_u.valid_from IS NULL OR new_u.valid_from <= v_on)
      AND (new_u.valid_to IS NULL OR new_u.valid_to > v_on)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_added = ROW_COUNT;
    RETURN v_added;
END $$;
"""


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute("REVOKE ALL ON FUNCTION reorg_record_successions(bigint) FROM PUBLIC")
    op.execute(f"GRANT SELECT ON unit_successions TO {role}")
    op.execute(
        "SELECT reorg_record_successions(id) FROM reorganisations WHERE status = 'applied' "
        "ORDER BY effective_date, id"
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS reorg_record_successions(bigint)")
    op.execute("DROP TABLE IF EXISTS unit_successions")
