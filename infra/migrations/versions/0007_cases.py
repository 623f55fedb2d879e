"""Case management for children facing violence, abuse or neglect (Decree 56/2017/NĐ-CP, Chapter III).

Cases are the most sensitive rows of the portal, and their visibility is narrower than the registry's:
a case is seen by its assigned worker, by the ward officers of the commune that covers its hamlet,
and by users holding an active grant on it — nobody else, whatever their unit (row-level security
below; the services filter the same way in SQL). The caller's user id reaches PostgreSQL in the
transaction setting ``app.user_id`` (infra/db.py). The informant's identity lives in its own table
that only the commune's ward officers can read.

Deadlines (12 hours for the assessment and for emergency protection, 5 working days for the plan,
the review date of an approved plan) are rows; the watcher finds overdue ones through
``case_overdue_deadlines`` (SECURITY DEFINER: ids and dates out, never case content) and writes one
escalation per deadline and level and one alert per recipient, both under unique keys, so a repeated
or concurrent run adds nothing. Aggregates come from ``case_stats`` (counts only).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op

from infra.settings import get_settings

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = r"""
CREATE SEQUENCE case_number_seq;

CREATE TABLE cases (
    id uuid CONSTRAINT pk_cases PRIMARY KEY,
    reference varchar(24) NOT NULL CONSTRAINT uq_cases_reference UNIQUE,
    hamlet_id bigint NOT NULL CONSTRAINT fk_cases_hamlet_id_units REFERENCES units(id),
    unit_path text COLLATE "C" NOT NULL,
    child_id uuid NOT NULL CONSTRAINT fk_cases_child_id_children REFERENCES children(id),
    child_name text NOT NULL,
    child_date_of_birth date NOT NULL,
    child_sex varchar(8) NOT NULL,
    case_type varchar(32) NOT NULL CONSTRAINT ck_cases_case_type CHECK (case_type IN
        ('physical_violence','psychological_violence','sexual_abuse','neglect','abandonment',
         'exploitation','trafficking','other')),
    channel varchar(32) NOT NULL CONSTRAINT ck_cases_channel CHECK (channel IN
        ('hotline_111','collaborator','school','police','neighbour','child','family','health_facility','other')),
    received_at timestamptz NOT NULL,
    place text,
    description text NOT NULL CONSTRAINT ck_cases_description CHECK (length(btrim(description)) > 0),
    family_situation text,
    caregiver text,
    actions_taken text,
    status varchar(16) NOT NULL DEFAULT 'received' CONSTRAINT ck_cases_status CHECK (status IN
        ('received','assessed','plan_submitted','in_progress','closed')),
    risk_level varchar(8) CONSTRAINT ck_cases_risk_level CHECK (risk_level IN ('low','medium','high','urgent')),
    assessment text,
    assessed_at timestamptz,
    assessed_by bigint CONSTRAINT fk_cases_assessed_by_users REFERENCES users(id),
    protection_measure varchar(32),
    protection_note text,
    protected_at timestamptz,
    assigned_to bigint CONSTRAINT fk_cases_assigned_to_users REFERENCES users(id),
    assigned_at timestamptz,
    closure_reason varchar(32),
    closure_note text,
    closed_at timestamptz,
    closed_by bigint CONSTRAINT fk_cases_closed_by_users REFERENCES users(id),
    created_by bigint NOT NULL CONSTRAINT fk_cases_created_by_users REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT ck_cases_closed CHECK ((status = 'closed') = (closure_reason IS NOT NULL AND closed_at IS NOT NULL)),
    CONSTRAINT ck_cases_assessed CHECK (status = 'received' OR status = 'closed' OR risk_level IS NOT NULL)
);
CREATE INDEX ix_cases_unit_path ON cases (unit_path, status);
CREATE INDEX ix_cases_hamlet_id ON cases (hamlet_id);
CREATE INDEX ix_cases_assigned_to ON cases (assigned_to);
CREATE INDEX ix_cases_child_id ON cases (child_id);

-- Who reported (form 01, optional): only the commune's ward officers may read it.
CREATE TABLE case_informants (
    case_id uuid CONSTRAINT pk_case_informants PRIMARY KEY
        CONSTRAINT fk_case_informants_case_id_cases REFERENCES cases(id),
    anonymous boolean NOT NULL DEFAULT false,
    full_name text,
    phone varchar(20),
    relationship text,
    address text
);

CREATE TABLE case_grants (
    id uuid CONSTRAINT pk_case_grants PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_grants_case_id_cases REFERENCES cases(id),
    user_id bigint NOT NULL CONSTRAINT fk_case_grants_user_id_users REFERENCES users(id),
    reason text NOT NULL,
    granted_by bigint NOT NULL CONSTRAINT fk_case_grants_granted_by_users REFERENCES users(id),
    granted_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_by bigint CONSTRAINT fk_case_grants_revoked_by_users REFERENCES users(id)
);
CREATE UNIQUE INDEX uq_case_grants_active ON case_grants (case_id, user_id) WHERE revoked_at IS NULL;
CREATE INDEX ix_case_grants_user_id ON case_grants (user_id) WHERE revoked_at IS NULL;

CREATE TABLE case_events (
    id uuid CONSTRAINT pk_case_events PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_events_case_id_cases REFERENCES cases(id),
    at timestamptz NOT NULL DEFAULT now(),
    actor_id bigint CONSTRAINT fk_case_events_actor_id_users REFERENCES users(id),
    actor_username text,
    action varchar(24) NOT NULL,
    from_status varchar(16),
    to_status varchar(16),
    detail jsonb
);
CREATE INDEX ix_case_events_case_id ON case_events (case_id, at);

CREATE TABLE case_notes (
    id uuid CONSTRAINT pk_case_notes PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_notes_case_id_cases REFERENCES cases(id),
    author_id bigint NOT NULL CONSTRAINT fk_case_notes_author_id_users REFERENCES users(id),
    author_username text NOT NULL,
    body text NOT NULL CONSTRAINT ck_case_notes_body CHECK (length(btrim(body)) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_case_notes_case_id ON case_notes (case_id, created_at);

CREATE TABLE case_plans (
    id uuid CONSTRAINT pk_case_plans PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_plans_case_id_cases REFERENCES cases(id),
    number integer NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'draft' CONSTRAINT ck_case_plans_status CHECK (status IN
        ('draft','submitted','approved','returned','superseded')),
    goals text NOT NULL,
    review_on date NOT NULL,
    created_by bigint NOT NULL CONSTRAINT fk_case_plans_created_by_users REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    submitted_by bigint CONSTRAINT fk_case_plans_submitted_by_users REFERENCES users(id),
    approved_at timestamptz,
    approved_by bigint CONSTRAINT fk_case_plans_approved_by_users REFERENCES users(id),
    decision_ref text,
    return_comment text,
    CONSTRAINT uq_case_plans_case_number UNIQUE (case_id, number)
);

CREATE TABLE case_plan_actions (
    id uuid CONSTRAINT pk_case_plan_actions PRIMARY KEY,
    plan_id uuid NOT NULL CONSTRAINT fk_case_plan_actions_plan_id_case_plans REFERENCES case_plans(id),
    case_id uuid NOT NULL CONSTRAINT fk_case_plan_actions_case_id_cases REFERENCES cases(id),
    position integer NOT NULL,
    description text NOT NULL,
    owner text NOT NULL,
    due_on date NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'planned' CONSTRAINT ck_case_plan_actions_status CHECK (status IN
        ('planned','done','cancelled')),
    result text,
    completed_at timestamptz
);
CREATE INDEX ix_case_plan_actions_plan_id ON case_plan_actions (plan_id, position);

CREATE TABLE case_reviews (
    id uuid CONSTRAINT pk_case_reviews PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_reviews_case_id_cases REFERENCES cases(id),
    plan_id uuid NOT NULL CONSTRAINT fk_case_reviews_plan_id_case_plans REFERENCES case_plans(id),
    outcome varchar(16) NOT NULL CONSTRAINT ck_case_reviews_outcome CHECK (outcome IN ('continue','new_plan')),
    summary text NOT NULL,
    next_review_on date,
    reviewer_id bigint NOT NULL CONSTRAINT fk_case_reviews_reviewer_id_users REFERENCES users(id),
    reviewed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_case_reviews_case_id ON case_reviews (case_id);

CREATE TABLE case_attachments (
    id uuid CONSTRAINT pk_case_attachments PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_attachments_case_id_cases REFERENCES cases(id),
    filename text NOT NULL,
    content_type varchar(64) NOT NULL,
    size_bytes bigint NOT NULL CONSTRAINT ck_case_attachments_size CHECK (size_bytes > 0),
    sha256 varchar(64) NOT NULL,
    storage_key text NOT NULL CONSTRAINT uq_case_attachments_storage_key UNIQUE,
    uploaded_by bigint NOT NULL CONSTRAINT fk_case_attachments_uploaded_by_users REFERENCES users(id),
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_case_attachments_case_id ON case_attachments (case_id);

CREATE TABLE case_deadlines (
    id uuid CONSTRAINT pk_case_deadlines PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_deadlines_case_id_cases REFERENCES cases(id),
    step varchar(24) NOT NULL CONSTRAINT ck_case_deadlines_step CHECK (step IN
        ('assessment','emergency_protection','plan','review')),
    due_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    met_at timestamptz,
    cancelled_at timestamptz
);
CREATE INDEX ix_case_deadlines_case_id ON case_deadlines (case_id);
CREATE INDEX ix_case_deadlines_open ON case_deadlines (due_at) WHERE met_at IS NULL AND cancelled_at IS NULL;
CREATE UNIQUE INDEX uq_case_deadlines_open_step ON case_deadlines (case_id, step)
    WHERE met_at IS NULL AND cancelled_at IS NULL;

-- One row per deadline and escalation level, written once (the unique key) by the watcher.
CREATE TABLE case_escalations (
    deadline_id uuid NOT NULL CONSTRAINT fk_case_escalations_deadline_id_case_deadlines
        REFERENCES case_deadlines(id),
    level smallint NOT NULL CONSTRAINT ck_case_escalations_level CHECK (level BETWEEN 1 AND 3),
    case_id uuid NOT NULL CONSTRAINT fk_case_escalations_case_id_cases REFERENCES cases(id),
    at timestamptz NOT NULL,
    recipients integer NOT NULL,
    CONSTRAINT pk_case_escalations PRIMARY KEY (deadline_id, level)
);
CREATE INDEX ix_case_escalations_case_id ON case_escalations (case_id);

-- Alerts for their recipients (no personal data: reference, commune, step, dates).
CREATE TABLE case_alerts (
    id uuid CONSTRAINT pk_case_alerts PRIMARY KEY,
    recipient_id bigint NOT NULL CONSTRAINT fk_case_alerts_recipient_id_users REFERENCES users(id),
    deadline_id uuid NOT NULL CONSTRAINT fk_case_alerts_deadline_id_case_deadlines REFERENCES case_deadlines(id),
    case_id uuid NOT NULL CONSTRAINT fk_case_alerts_case_id_cases REFERENCES cases(id),
    reference varchar(24) NOT NULL,
    unit_id bigint NOT NULL CONSTRAINT fk_case_alerts_unit_id_units REFERENCES units(id),
    step varchar(24) NOT NULL,
    level smallint NOT NULL,
    due_at timestamptz NOT NULL,
    message text NOT NULL,
    created_at timestamptz NOT NULL,
    read_at timestamptz,
    CONSTRAINT uq_case_alerts_deadline_level_recipient UNIQUE (deadline_id, level, recipient_id)
);
CREATE INDEX ix_case_alerts_recipient_id ON case_alerts (recipient_id, created_at);

-- The caller's user id, set per transaction (infra/db.py); NULL in system sessions (the watcher).
CREATE FUNCTION app_user_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$;

-- The commune whose cases the caller sees as its ward officer: the user must be an active ward officer
-- held at a commune, and that commune must lie in the transaction's record scope. NULL otherwise.
CREATE FUNCTION app_case_root() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT un.path FROM users u JOIN units un ON un.id = u.unit_id
    WHERE u.id = app_user_id() AND u.role = 'ward_officer' AND u.is_active AND un.level = 'commune'
      AND app_in_subtree(un.path, app_scope())
$$;

-- Cases the caller holds an active grant on (SECURITY DEFINER: reads case_grants without its policy,
-- which itself refers to cases).
CREATE FUNCTION app_granted_cases() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(case_id), '{}') FROM case_grants
    WHERE user_id = app_user_id() AND revoked_at IS NULL
$$;

-- Who recorded a case (the intake grant of its recorder is checked against it before they can see it).
CREATE FUNCTION app_case_recorder(p_case uuid) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT created_by FROM cases WHERE id = p_case
$$;

-- A case's path follows its hamlet through reorganisations (the trigger runs as the owner so that it
-- reaches every case, whoever moves the hamlet).
CREATE FUNCTION cases_follow_hamlets() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE cases c SET unit_path = n.path
    FROM new_units n WHERE n.id = c.hamlet_id AND n.level = 'hamlet' AND c.unit_path IS DISTINCT FROM n.path;
    RETURN NULL;
END $$;
CREATE TRIGGER units_cases_follow AFTER UPDATE ON units
    REFERENCING NEW TABLE AS new_units FOR EACH STATEMENT EXECUTE FUNCTION cases_follow_hamlets();

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY cases_read ON cases FOR SELECT USING (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
    OR id = ANY (CAST((SELECT app_granted_cases()) AS uuid[]))
);
CREATE POLICY cases_insert ON cases FOR INSERT WITH CHECK (
    created_by = (SELECT app_user_id())
    AND unit_path >= (SELECT app_scope()) AND unit_path < (SELECT app_scope_end())
);
-- Grantees read; only the assigned worker and the commune's ward officers change a case.
CREATE POLICY cases_update ON cases FOR UPDATE USING (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
) WITH CHECK (
    assigned_to = (SELECT app_user_id())
    OR (unit_path >= (SELECT app_case_root()) AND unit_path < (SELECT app_subtree_end(app_case_root())))
);

ALTER TABLE case_informants ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_informants_read ON case_informants FOR SELECT USING (EXISTS (
    SELECT 1 FROM cases c WHERE c.id = case_id
      AND c.unit_path >= (SELECT app_case_root()) AND c.unit_path < (SELECT app_subtree_end(app_case_root()))
));
CREATE POLICY case_informants_insert ON case_informants FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id));

ALTER TABLE case_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_grants_read ON case_grants FOR SELECT
    USING (user_id = (SELECT app_user_id()) OR EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id));
-- A ward officer grants on the commune's cases; the recorder of an intake may grant only themselves.
CREATE POLICY case_grants_insert ON case_grants FOR INSERT WITH CHECK (
    granted_by = (SELECT app_user_id()) AND (
        EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id
                  AND c.unit_path >= (SELECT app_case_root())
                  AND c.unit_path < (SELECT app_subtree_end(app_case_root())))
        OR (user_id = granted_by AND app_case_recorder(case_id) = (SELECT app_user_id()))
    )
);
CREATE POLICY case_grants_revoke ON case_grants FOR UPDATE USING (EXISTS (
    SELECT 1 FROM cases c WHERE c.id = case_id
      AND c.unit_path >= (SELECT app_case_root()) AND c.unit_path < (SELECT app_subtree_end(app_case_root()))
));

ALTER TABLE case_escalations ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_escalations_read ON case_escalations FOR SELECT
    USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id));
CREATE POLICY case_escalations_insert ON case_escalations FOR INSERT WITH CHECK ((SELECT app_user_id()) IS NULL);

ALTER TABLE case_alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_alerts_own ON case_alerts FOR SELECT USING (recipient_id = (SELECT app_user_id()));
CREATE POLICY case_alerts_mark ON case_alerts FOR UPDATE
    USING (recipient_id = (SELECT app_user_id())) WITH CHECK (recipient_id = (SELECT app_user_id()));
CREATE POLICY case_alerts_insert ON case_alerts FOR INSERT WITH CHECK ((SELECT app_user_id()) IS NULL);

-- Overdue open deadlines of open cases, with the highest level already escalated. Only for system
-- sessions (no user): ids, paths and dates leave it, never the content of a case.
CREATE FUNCTION case_overdue_deadlines(p_now timestamptz)
RETURNS TABLE (deadline_id uuid, case_id uuid, reference text, step text, due_at timestamptz,
               hamlet_id bigint, unit_path text, assigned_to bigint, escalated integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF app_user_id() IS NOT NULL THEN
        RAISE EXCEPTION 'the deadline watch runs in a system session, not as a user' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT d.id, c.id, c.reference::text, d.step::text, d.due_at, c.hamlet_id, c.unit_path::text, c.assigned_to,
           coalesce((SELECT max(e.level) FROM case_escalations e WHERE e.deadline_id = d.id), 0)::integer
    FROM case_deadlines d JOIN cases c ON c.id = d.case_id
    WHERE d.met_at IS NULL AND d.cancelled_at IS NULL AND d.due_at <= p_now AND c.status <> 'closed'
    ORDER BY d.due_at, d.id;
END $$;

-- Case counts by status and type under p_path (cases received in [p_from, p_to] when given): counts only.
CREATE FUNCTION case_stats(p_path text, p_from date, p_to date)
RETURNS TABLE (dimension text, key text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (app_in_subtree(p_path, nullif(current_setting('app.agg_scope', true), ''))
            OR app_in_subtree(p_path, nullif(current_setting('app.scope', true), ''))) THEN
        RAISE EXCEPTION 'unit outside the caller''s aggregate scope' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    SELECT CASE WHEN grouping(c.status) = 0 THEN 'status' WHEN grouping(c.case_type) = 0 THEN 'type'
                ELSE 'total' END::text,
           coalesce(c.status, c.case_type, '')::text,
           count(*)
    FROM cases c
    WHERE c.unit_path >= p_path AND c.unit_path < app_subtree_end(p_path)
      AND (p_from IS NULL OR (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= p_from)
      AND (p_to IS NULL OR (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= p_to)
    GROUP BY GROUPING SETS ((), (c.status), (c.case_type));
END $$;
"""

CHILD_TABLES = (
    "case_events",
    "case_notes",
    "case_plans",
    "case_plan_actions",
    "case_reviews",
    "case_attachments",
    "case_deadlines",
)


def _child_policies() -> str:
    """Rows that belong to a case are visible and writable exactly when the case is visible."""
    return "\n".join(
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;\n"
        f"CREATE POLICY {t}_of_visible_case ON {t} USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id)) "
        f"WITH CHECK (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id));"
        for t in CHILD_TABLES
    )


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(_child_policies())
    op.execute(f"""
GRANT SELECT, INSERT, UPDATE ON cases, case_grants, case_deadlines, case_plans, case_plan_actions,
    case_alerts TO {role};
GRANT SELECT, INSERT ON case_informants, case_events, case_notes, case_reviews, case_attachments,
    case_escalations TO {role};
GRANT DELETE ON case_plan_actions TO {role};  -- a draft plan's actions are replaced as a whole
GRANT USAGE ON SEQUENCE case_number_seq TO {role};
REVOKE ALL ON FUNCTION case_overdue_deadlines(timestamptz), case_stats(text, date, date),
    app_granted_cases(), app_case_recorder(uuid), cases_follow_hamlets() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION case_overdue_deadlines(timestamptz), case_stats(text, date, date),
    app_granted_cases(), app_case_recorder(uuid) TO {role};
""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS units_cases_follow ON units")
    op.execute(
        "DROP TABLE IF EXISTS case_alerts, case_escalations, case_deadlines, case_attachments, case_reviews, "
        "case_plan_actions, case_plans, case_notes, case_events, case_grants, case_informants, cases"
    )
    op.execute(
        "DROP FUNCTION IF EXISTS case_stats(text, date, date), case_overdue_deadlines(timestamptz), "
        "cases_follow_hamlets(), app_case_recorder(uuid), app_granted_cases(), app_case_root(), app_user_id()"
    )
    op.execute("DROP SEQUENCE IF EXISTS case_number_seq")
