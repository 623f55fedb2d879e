"""Validation rules kept as data (issue 21): what the rules found in a report, and the explanations.

``report_rule_findings`` holds, per report and rule, the failure found at the last check (a draft's
save or recount, the submission): severity, the counts compared (no personal data), the report's version
then, and for a warning the unit's explanation, who wrote it and when. The approver reads them on the
report and on the consolidated report above. Rows are visible and writable exactly when the report is
(row-level security through ``reports``, as ``report_events``).

Revision ID: 0039
Revises: 0042
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0039"
down_revision = "0042"
branch_labels = None
depends_on = None

SCHEMA = r"""
CREATE TABLE report_rule_findings (
    report_id bigint NOT NULL CONSTRAINT fk_report_rule_findings_report_id_reports REFERENCES reports(id),
    rule_code varchar(64) NOT NULL,
    severity varchar(8) NOT NULL
        CONSTRAINT ck_report_rule_findings_severity CHECK (severity IN ('blocking', 'warning')),
    detail jsonb NOT NULL DEFAULT '{}'::jsonb,
    report_version integer NOT NULL,
    checked_at timestamptz NOT NULL DEFAULT now(),
    comment text CONSTRAINT ck_report_rule_findings_comment CHECK (char_length(comment) <= 2000),
    commented_by bigint CONSTRAINT fk_report_rule_findings_commented_by_users REFERENCES users(id),
    commented_at timestamptz,
    CONSTRAINT pk_report_rule_findings PRIMARY KEY (report_id, rule_code)
);
ALTER TABLE report_rule_findings ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_rule_findings_in_scope ON report_rule_findings
    USING (EXISTS (SELECT 1 FROM reports r WHERE r.id = report_id));
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    role = get_settings().app_db_role_ident
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON report_rule_findings TO {role}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS report_rule_findings")
