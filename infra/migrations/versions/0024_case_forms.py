"""Forms 03 and 06 of Decree 56/2017/NĐ-CP as case steps.

Form 03, the detailed assessment (đánh giá chi tiết): the child's physical and psychological state, the
family, the caregivers' capacity and the child's needs, as decided by a meeting (its date and who took
part). ``case_detailed_assessments`` keeps every recording (``number`` 1, 2, ...; the newest is the case's
current assessment), so a detailed assessment redone for a review does not erase the first one. Rows are
written once: the application role may insert and read them, not change them.

Form 06, monitoring and evaluation of the plan (theo dõi, đánh giá việc thực hiện kế hoạch), is the review
step (``case_reviews``) with what the form asks beyond it: the child's situation now
(``child_situation``, NULL on reviews recorded before this revision), the evaluation of each action of
the plan at the review (``case_review_actions``: done, not done or cancelled, with its result or why not),
and a third outcome, ``close``: the worker proposes closing the case (the ward officer closes it).

Both new tables hang off a case and follow its visibility (row-level security as in 0007).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from alembic import op

from infra.settings import get_settings

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TEXT_LIMIT = 4000

SCHEMA = rf"""
CREATE TABLE case_detailed_assessments (
    id uuid CONSTRAINT pk_case_detailed_assessments PRIMARY KEY,
    case_id uuid NOT NULL CONSTRAINT fk_case_detailed_assessments_case_id_cases REFERENCES cases(id),
    number integer NOT NULL CONSTRAINT ck_case_detailed_assessments_number CHECK (number > 0),
    physical_state text NOT NULL,
    psychological_state text NOT NULL,
    family_situation text NOT NULL,
    caregiver_capacity text NOT NULL,
    needs text NOT NULL,
    meeting_on date NOT NULL
        CONSTRAINT ck_case_detailed_assessments_meeting_on_plausible CHECK (meeting_on >= '2000-01-01'),
    participants text NOT NULL,
    recorded_by bigint NOT NULL CONSTRAINT fk_case_detailed_assessments_recorded_by_users REFERENCES users(id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_case_detailed_assessments_case_number UNIQUE (case_id, number),
    CONSTRAINT ck_case_detailed_assessments_lengths CHECK (
        length(physical_state) BETWEEN 1 AND {TEXT_LIMIT} AND length(psychological_state) BETWEEN 1 AND {TEXT_LIMIT}
        AND length(family_situation) BETWEEN 1 AND {TEXT_LIMIT}
        AND length(caregiver_capacity) BETWEEN 1 AND {TEXT_LIMIT}
        AND length(needs) BETWEEN 1 AND {TEXT_LIMIT} AND length(participants) BETWEEN 1 AND 2000)
);

ALTER TABLE case_reviews ADD COLUMN child_situation text;
ALTER TABLE case_reviews DROP CONSTRAINT ck_case_reviews_outcome;
ALTER TABLE case_reviews ADD CONSTRAINT ck_case_reviews_outcome
    CHECK (outcome IN ('continue', 'new_plan', 'close'));

CREATE TABLE case_review_actions (
    review_id uuid NOT NULL CONSTRAINT fk_case_review_actions_review_id_case_reviews REFERENCES case_reviews(id),
    action_id uuid NOT NULL
        CONSTRAINT fk_case_review_actions_action_id_case_plan_actions REFERENCES case_plan_actions(id),
    case_id uuid NOT NULL CONSTRAINT fk_case_review_actions_case_id_cases REFERENCES cases(id),
    status varchar(16) NOT NULL
        CONSTRAINT ck_case_review_actions_status CHECK (status IN ('done', 'not_done', 'cancelled')),
    result text CONSTRAINT ck_case_review_actions_result CHECK (length(result) <= 2000),
    CONSTRAINT pk_case_review_actions PRIMARY KEY (review_id, action_id)
);
CREATE INDEX ix_case_review_actions_case_id ON case_review_actions (case_id);
"""

TABLES = ("case_detailed_assessments", "case_review_actions")


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {table}_of_visible_case ON {table} "
            "USING (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id)) "
            "WITH CHECK (EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id))"
        )
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {role}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS case_review_actions")
    op.execute("DROP TABLE IF EXISTS case_detailed_assessments")
    op.execute("UPDATE case_reviews SET outcome = 'continue' WHERE outcome = 'close'")  # the nearest old one
    op.execute("ALTER TABLE case_reviews DROP CONSTRAINT IF EXISTS ck_case_reviews_outcome")
    op.execute(
        "ALTER TABLE case_reviews ADD CONSTRAINT ck_case_reviews_outcome "
        "CHECK (outcome IN ('continue', 'new_plan'))"
    )
    op.execute("ALTER TABLE case_reviews DROP COLUMN IF EXISTS child_situation")
