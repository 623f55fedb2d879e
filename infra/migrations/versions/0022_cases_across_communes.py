"""Cases that cross boundaries: referrals and transfers, reopening, links, the chairman, intake from above.

- ``case_referrals``: one row per referral of a case to another commune or to a service (health, police,
  a social protection centre...), or per transfer of the whole case to another commune. A referral to a
  commune lets that commune's ward officers read the case while it is open and once they accept it; a
  refusal needs a reason. A transfer, once accepted into a hamlet of the receiving commune, moves the case
  there: the sender keeps only the row itself (the case's reference, the receiving commune and the dates).
  Decisions cross the two communes' scopes, so they go through ``case_referral_decide``, which runs as the
  owner and checks the caller itself; the application role inserts and reads, never updates, the rows.
- ``case_links``: related cases (siblings, the same perpetrator...), readable where both cases are.
- Two roles: ``commune_chairman`` (Chủ tịch UBND xã) decides plans (form 05) and closures; they see the
  cases of their commune brought to them for a decision (a submitted plan, a proposed closure) and those
  they decided there, not the commune's register. ``hotline_officer`` (the 111 hotline or the province's social affairs) records an
  intake for a hamlet of its province; the case goes at once to the commune, and the recorder's temporary
  grant (needed to write the case's own rows) is revoked in the same transaction.
- Separation of duties in the schema: whoever drafted or submitted a plan never approves it, and whoever
  proposed a closure never approves it (NOT VALID: rows decided before this revision stay as they were).
- ``cases.child_id`` may be empty: a hotline intake names the child as the caller described them, and the
  commune identifies the registry record later.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

SCHEMA = r"""
ALTER TABLE users DROP CONSTRAINT ck_users_role;
ALTER TABLE users ADD CONSTRAINT ck_users_role CHECK (role IS NULL OR role IN
    ('admin','provincial_inspector','district_officer','ward_officer','collaborator',
     'commune_chairman','hotline_officer'));

ALTER TABLE cases ALTER COLUMN child_id DROP NOT NULL;
ALTER TABLE cases ADD COLUMN child_age_estimated boolean NOT NULL DEFAULT false;
ALTER TABLE cases ADD COLUMN closure_proposed_at timestamptz;
ALTER TABLE cases ADD COLUMN closure_proposed_by bigint CONSTRAINT fk_cases_closure_proposed_by_users REFERENCES users(id);
ALTER TABLE cases ADD COLUMN reopened_at timestamptz;
ALTER TABLE cases ADD CONSTRAINT ck_cases_closure_not_self_approved
    CHECK (closed_by IS NULL OR closure_proposed_by IS NULL OR closed_by <> closure_proposed_by) NOT VALID;
ALTER TABLE case_plans ADD CONSTRAINT ck_case_plans_not_self_approved
    CHECK (approved_by IS NULL OR (approved_by <> created_by AND approved_by IS DISTINCT FROM submitted_by)) NOT VALID;

CREATE TABLE case_referrals (
    id uuid CONSTRAINT pk_case_referrals PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_referrals_case_id_cases REFERENCES cases(id),
    reference varchar(24) NOT NULL,
    kind varchar(16) NOT NULL CONSTRAINT ck_case_referrals_kind CHECK (kind IN ('referral', 'transfer')),
    from_unit_id bigint NOT NULL CONSTRAINT fk_case_referrals_from_unit_id_units REFERENCES units(id),
    from_path text COLLATE "C" NOT NULL,
    to_unit_id bigint CONSTRAINT fk_case_referrals_to_unit_id_units REFERENCES units(id),
    to_path text COLLATE "C",
    to_hamlet_id bigint CONSTRAINT fk_case_referrals_to_hamlet_id_units REFERENCES units(id),
    service varchar(32) CONSTRAINT ck_case_referrals_service CHECK (service IS NULL OR service IN
        ('health', 'police', 'social_protection_centre', 'education', 'legal_aid', 'other')),
    service_name text,
    reason text NOT NULL,
    state varchar(16) NOT NULL DEFAULT 'open'
        CONSTRAINT ck_case_referrals_state CHECK (state IN ('open', 'accepted', 'refused', 'cancelled')),
    opened_by bigint NOT NULL CONSTRAINT fk_case_referrals_opened_by_users REFERENCES users(id),
    opened_at timestamptz NOT NULL,
    decided_by bigint CONSTRAINT fk_case_referrals_decided_by_users REFERENCES users(id),
    decided_at timestamptz,
    response text,
    CONSTRAINT ck_case_referrals_one_receiver CHECK ((to_unit_id IS NULL) <> (service IS NULL)),
    CONSTRAINT ck_case_referrals_transfer_to_commune CHECK (kind = 'referral' OR to_unit_id IS NOT NULL),
    CONSTRAINT ck_case_referrals_refusal_reason CHECK (state <> 'refused' OR response IS NOT NULL)
);
CREATE INDEX ix_case_referrals_case_id ON case_referrals (case_id);
CREATE INDEX ix_case_referrals_to_path ON case_referrals (to_path) WHERE to_path IS NOT NULL;
CREATE INDEX ix_case_referrals_from_path ON case_referrals (from_path);
-- One open transfer per case, and one open referral per case and receiver.
CREATE UNIQUE INDEX uq_case_referrals_open_transfer ON case_referrals (case_id)
    WHERE state = 'open' AND kind = 'transfer';
CREATE UNIQUE INDEX uq_case_referrals_open_receiver ON case_referrals (case_id, coalesce(to_unit_id, 0), coalesce(service, ''))
    WHERE state = 'open';

-- The communes' paths come from the units, never from the writer.
CREATE FUNCTION case_referrals_set_paths() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.from_path := app_unit_path(NEW.from_unit_id, 'commune');
    NEW.to_path := app_unit_path(NEW.to_unit_id, 'commune');
    RETURN NEW;
END $$;
CREATE TRIGGER case_referrals_paths BEFORE INSERT ON case_referrals
    FOR EACH ROW EXECUTE FUNCTION case_referrals_set_paths();

CREATE TABLE case_links (
    case_id uuid NOT NULL CONSTRAINT fk_case_links_case_id_cases REFERENCES cases(id),
    linked_id uuid NOT NULL CONSTRAINT fk_case_links_linked_id_cases REFERENCES cases(id),
    kind varchar(24) NOT NULL CONSTRAINT ck_case_links_kind CHECK (kind IN
        ('sibling', 'same_perpetrator', 'same_family', 'same_incident', 'other')),
    note text,
    created_by bigint NOT NULL CONSTRAINT fk_case_links_created_by_users REFERENCES users(id),
    created_at timestamptz NOT NULL,
    CONSTRAINT pk_case_links PRIMARY KEY (case_id, linked_id),
    CONSTRAINT ck_case_links_ordered CHECK (case_id < linked_id)
);
CREATE INDEX ix_case_links_linked_id ON case_links (linked_id);

-- The commune whose decisions the caller takes as its chairman (an active commune_chairman held at a
-- commune inside the transaction's aggregate scope). NULL otherwise.
CREATE FUNCTION app_chair_root() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT un.path FROM users u JOIN units un ON un.id = u.unit_id
    WHERE u.id = app_user_id() AND u.role = 'commune_chairman' AND u.is_active AND un.level = 'commune'
      AND app_in_subtree(un.path, app_agg_scope())
$$;
-- The unit whose hamlets the caller records intakes for as the hotline (province or district).
CREATE FUNCTION app_intake_root() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT un.path FROM users u JOIN units un ON un.id = u.unit_id
    WHERE u.id = app_user_id() AND u.role = 'hotline_officer' AND u.is_active
      AND un.level IN ('province', 'district') AND app_in_subtree(un.path, app_agg_scope())
$$;

-- Cases the caller decided as a chairman (their decisions stay readable to them).
CREATE INDEX ix_case_events_decider ON case_events (actor_id)
    WHERE action IN ('approve_plan', 'return_plan', 'approve_closure', 'return_closure');
CREATE FUNCTION app_decided_cases() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT case_id), '{}') FROM case_events
    WHERE actor_id = app_user_id() AND action IN ('approve_plan', 'return_plan', 'approve_closure', 'return_closure')
$$;
-- Cases referred or being transferred to the caller's commune (open, or an accepted referral).
CREATE FUNCTION app_referred_cases() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT case_id), '{}') FROM case_referrals
    WHERE to_path IS NOT NULL AND app_in_subtree(to_path, app_case_root())
      AND (state = 'open' OR (state = 'accepted' AND kind = 'referral'))
$$;

DROP POLICY cases_read ON cases;
CREATE POLICY cases_read ON cases FOR SELECT USING (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
    OR id = ANY (CAST((SELECT app_granted_cases()) AS uuid[]))
    OR id = ANY (CAST((SELECT app_referred_cases()) AS uuid[]))
    OR ((status = 'plan_submitted' OR (closure_proposed_at IS NOT NULL AND status <> 'closed')
         OR id = ANY (CAST((SELECT app_decided_cases()) AS uuid[])))
        AND unit_path >= (SELECT app_chair_root()) AND unit_path < (SELECT app_subtree_end(app_chair_root())))
);
DROP POLICY cases_insert ON cases;
CREATE POLICY cases_insert ON cases FOR INSERT WITH CHECK (
    created_by = (SELECT app_user_id()) AND (
        (unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end()))
        OR (unit_path >= (SELECT app_intake_root()) AND unit_path < (SELECT app_subtree_end(app_intake_root())))
    )
);
-- The chairman changes a case only while it waits for their decision, and only inside their commune.
DROP POLICY cases_update ON cases;
CREATE POLICY cases_update ON cases FOR UPDATE USING (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
    OR ((status = 'plan_submitted' OR (closure_proposed_at IS NOT NULL AND status <> 'closed'))
        AND unit_path >= (SELECT app_chair_root()) AND unit_path < (SELECT app_subtree_end(app_chair_root())))
) WITH CHECK (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
    OR (unit_path >= (SELECT app_chair_root()) AND unit_path < (SELECT app_subtree_end(app_chair_root())))
);
-- The recorder of an intake revokes their own grant (the hotline keeps no access to what it recorded);
-- revoking is all they may do with it: a revoked grant is never made live again this way.
CREATE POLICY case_grants_revoke_own ON case_grants FOR UPDATE
    USING (user_id = (SELECT app_user_id()) AND granted_by = (SELECT app_user_id()) AND revoked_at IS NULL)
    WITH CHECK (user_id = (SELECT app_user_id()) AND granted_by = (SELECT app_user_id())
                AND revoked_at IS NOT NULL AND revoked_by = (SELECT app_user_id()));

ALTER TABLE case_referrals ENABLE ROW LEVEL SECURITY;
-- Readable with the case, and by both communes' ward officers (the sender keeps the row of a transfer).
CREATE POLICY case_referrals_read ON case_referrals FOR SELECT USING (
    EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id)
    OR (from_path >= (SELECT app_case_root()) AND from_path < (SELECT app_subtree_end(app_case_root())))
    OR (to_path >= (SELECT app_case_root()) AND to_path < (SELECT app_subtree_end(app_case_root())))
);
-- Opened by the ward officer of the case's commune, from that commune.
CREATE POLICY case_referrals_open ON case_referrals FOR INSERT WITH CHECK (
    opened_by = (SELECT app_user_id()) AND state = 'open'
    AND from_path >= (SELECT app_case_root()) AND from_path < (SELECT app_subtree_end(app_case_root()))
    AND EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id AND c.unit_path >= from_path
                AND c.unit_path < app_subtree_end(from_path))
);

ALTER TABLE case_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_links_both_visible ON case_links USING (
    EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id) AND EXISTS (SELECT 1 FROM cases c WHERE c.id = linked_id)
) WITH CHECK (
    created_by = (SELECT app_user_id())
    AND EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id) AND EXISTS (SELECT 1 FROM cases c WHERE c.id = linked_id)
);

-- One decision on an open referral or transfer. A commune receiver's ward officer accepts or refuses;
-- a service's answer is recorded by the sender's ward officer; the sender cancels. Accepting a transfer
-- moves the case into the named hamlet of the receiving commune: its worker and grants (given by the
-- sender) end, and the history says so. Raises P0002 (no such open referral), 42501 (not the caller's to
-- decide), 23514 (a refusal without a reason, or a hamlet that is not an open hamlet of the receiver).
CREATE FUNCTION case_referral_decide(p_referral uuid, p_decision text, p_hamlet bigint, p_response text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r case_referrals%ROWTYPE;
    root text := app_case_root();
    target units%ROWTYPE;
    new_state text;
    actor users%ROWTYPE;
BEGIN
    SELECT * INTO r FROM case_referrals WHERE id = p_referral AND state = 'open' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no open referral %', p_referral USING ERRCODE = 'P0002';
    END IF;
    IF p_decision NOT IN ('accept', 'refuse', 'cancel') THEN
        RAISE EXCEPTION 'unknown decision %', p_decision USING ERRCODE = '22023';
    END IF;
    IF NOT coalesce(CASE WHEN p_decision = 'cancel' OR r.service IS NOT NULL THEN app_in_subtree(r.from_path, root)
                         ELSE app_in_subtree(r.to_path, root) END, false) THEN
        RAISE EXCEPTION 'referral % is not yours to decide', p_referral USING ERRCODE = '42501';
    END IF;
    IF p_decision = 'refuse' AND nullif(btrim(coalesce(p_response, '')), '') IS NULL THEN
        RAISE EXCEPTION 'a refusal needs a reason' USING ERRCODE = '23514';
    END IF;
    SELECT * INTO actor FROM users WHERE id = app_user_id();
    new_state := CASE p_decision WHEN 'accept' THEN 'accepted' WHEN 'refuse' THEN 'refused' ELSE 'cancelled' END;
    IF p_decision = 'accept' AND r.kind = 'transfer' THEN
        SELECT * INTO target FROM units WHERE id = p_hamlet;
        IF NOT FOUND OR target.level <> 'hamlet' OR NOT coalesce(app_in_subtree(target.path, r.to_path), false)
           OR (target.valid_to IS NOT NULL AND target.valid_to <= stat_today()) THEN
            RAISE EXCEPTION 'unit % is not an open hamlet of the receiving commune', p_hamlet USING ERRCODE = '23514';
        END IF;
        UPDATE cases SET hamlet_id = target.id, unit_path = target.path, assigned_to = NULL, assigned_at = NULL,
               updated_at = now(), version = version + 1
        WHERE id = r.case_id AND status <> 'closed';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the case of referral % is closed', p_referral USING ERRCODE = '40001';
        END IF;
        UPDATE case_grants SET revoked_at = now(), revoked_by = actor.id
        WHERE case_id = r.case_id AND revoked_at IS NULL;
        r.to_hamlet_id := target.id;
    END IF;
    UPDATE case_referrals SET state = new_state, decided_by = actor.id, decided_at = now(),
           response = nullif(btrim(coalesce(p_response, '')), ''), to_hamlet_id = r.to_hamlet_id
    WHERE id = p_referral;
    INSERT INTO case_events (id, case_id, at, actor_id, actor_username, action, from_status, to_status, detail)
    SELECT gen_random_uuid(), c.id, now(), actor.id, actor.username, r.kind || '_' || new_state, c.status,
           c.status, jsonb_build_object('referral', r.id, 'to_unit_id', r.to_unit_id, 'service', r.service,
                                        'to_hamlet_id', r.to_hamlet_id)
    FROM cases c WHERE c.id = r.case_id;
    RETURN new_state;
END $$;
"""

FUNCTIONS = (
    "app_decided_cases()",
    "app_referred_cases()",
    "case_referral_decide(uuid, text, bigint, text)",
)


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(f"GRANT SELECT, INSERT ON case_referrals TO {role}")
    op.execute(f"GRANT SELECT, INSERT, DELETE ON case_links TO {role}")
    for signature in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS case_links, case_referrals")
    op.execute(
        "DROP FUNCTION IF EXISTS case_referral_decide(uuid, text, bigint, text), app_referred_cases(), "
        "app_decided_cases(), app_intake_root(), app_chair_root(), case_referrals_set_paths()"
    )
    op.execute("DROP INDEX IF EXISTS ix_case_events_decider")
    op.execute("DROP POLICY IF EXISTS case_grants_revoke_own ON case_grants")
    op.execute("""
DROP POLICY cases_read ON cases;
CREATE POLICY cases_read ON cases FOR SELECT USING (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
    OR id = ANY (CAST((SELECT app_granted_cases()) AS uuid[]))
);
DROP POLICY cases_insert ON cases;
CREATE POLICY cases_insert ON cases FOR INSERT WITH CHECK (
    created_by = (SELECT app_user_id())
    AND unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end())
);
DROP POLICY cases_update ON cases;
CREATE POLICY cases_update ON cases FOR UPDATE USING (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
) WITH CHECK (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
);
ALTER TABLE case_plans DROP CONSTRAINT ck_case_plans_not_self_approved;
ALTER TABLE cases DROP CONSTRAINT ck_cases_closure_not_self_approved;
ALTER TABLE cases DROP COLUMN reopened_at, DROP COLUMN closure_proposed_by, DROP COLUMN closure_proposed_at,
    DROP COLUMN child_age_estimated;
ALTER TABLE users DROP CONSTRAINT ck_users_role;
ALTER TABLE users ADD CONSTRAINT ck_users_role CHECK (role IS NULL OR role IN
    ('admin','provincial_inspector','district_officer','ward_officer','collaborator'));
""")
