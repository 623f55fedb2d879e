"""Campaigns as data: ``report_campaigns``, the yearly days of children's events and awareness months.

Each row names its days by the solar or the lunar calendar (Mid-Autumn is the 15th of the 8th lunar
month), the indicator holding its participation cells (a report holds it only in the periods the
campaign falls in) and the target where a plan sets one. Reference data like the indicators: every
signed-in reader may read it (row-level security enabled, one policy reading every row); the catalogue
loader (scripts/seed.py, as the owner) writes it.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

SCHEMA = """
CREATE TABLE report_campaigns (
    code varchar(48) CONSTRAINT pk_report_campaigns PRIMARY KEY,
    name_vi text NOT NULL,
    name_en text NOT NULL,
    indicator varchar(48) NOT NULL
        CONSTRAINT fk_report_campaigns_indicator_report_indicators REFERENCES report_indicators(code)
        CONSTRAINT uq_report_campaigns_indicator UNIQUE,
    target_code varchar(48)
        CONSTRAINT fk_report_campaigns_target_code_report_targets REFERENCES report_targets(code),
    calendar varchar(8) NOT NULL CONSTRAINT ck_report_campaigns_calendar CHECK (calendar IN ('solar', 'lunar')),
    start_month smallint NOT NULL,
    start_day smallint NOT NULL,
    end_month smallint NOT NULL,
    end_day smallint NOT NULL,
    legal_basis text,
    sort integer NOT NULL DEFAULT 0,
    CONSTRAINT ck_report_campaigns_days CHECK (
        start_month BETWEEN 1 AND 12 AND end_month BETWEEN 1 AND 12 AND start_day BETWEEN 1 AND 31
        AND end_day BETWEEN 1 AND 31 AND (start_month, start_day) <= (end_month, end_day))
);
ALTER TABLE report_campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_campaigns_read ON report_campaigns FOR SELECT USING (true);
"""


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(f"GRANT SELECT ON report_campaigns TO {role}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS report_campaigns")
