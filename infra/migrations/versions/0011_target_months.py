"""A target may apply to some months only (the Action Month for Children is June): ``months``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE report_targets ADD COLUMN months smallint[] "
        "CONSTRAINT ck_report_targets_months CHECK (months <@ ARRAY[1,2,3,4,5,6,7,8,9,10,11,12]::smallint[])"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE report_targets DROP COLUMN IF EXISTS months")
