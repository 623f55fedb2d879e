"""Quarterly, six-month and annual reports start from the approved monthly reports.

- ``report_indicators.over_periods``: how an indicator's monthly figures make a longer period's: ``sum``
  (a flow: injuries, children taking part) or ``last`` (a stock: the month at the period's end). Data of
  the catalogue (``portal/reports/data/catalog.json``); existing rows are flows until it is loaded.
- ``reports.from_months``: for a report of a longer period, the figures its typed cells took from the
  unit's approved monthly reports (``values``), the months they came from (``months``) and the months
  with no approved report (``missing``); NULL for a monthly report.
- ``reports.reasons``: why a typed cell differs from the months' figure ({indicator: {cell: text}}),
  which the approver reads.

Both columns live on ``reports``, whose row-level security and grants already cover them.

Revision ID: 0042
Revises: 0040
Create Date: 2026-12-03
"""

from alembic import op

revision = "0042"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE report_indicators ADD COLUMN over_periods varchar(8) NOT NULL DEFAULT 'sum'
            CONSTRAINT ck_report_indicators_over_periods CHECK (over_periods IN ('sum', 'last'));
        ALTER TABLE reports ADD COLUMN from_months jsonb;
        ALTER TABLE reports ADD COLUMN reasons jsonb NOT NULL DEFAULT '{}'::jsonb;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        ALTER TABLE reports DROP COLUMN reasons;
        ALTER TABLE reports DROP COLUMN from_months;
        ALTER TABLE report_indicators DROP COLUMN over_periods;
        """
    )
