"""Plausible dates kept by the database too: a case received (or a child protected) from 2000, a child
born from 1900. The input boundary and the services already refuse such values (portal/plausible.py);
these constraints keep a script or a future route from storing a date Python cannot read back (a
year-1 timestamp shifted by the time zone is year 0), which once made a commune's case list fail.

``NOT VALID``: enforced for every new or changed row at once, without scanning existing ones; run
``ALTER TABLE ... VALIDATE CONSTRAINT`` after fixing any old row.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE cases ADD CONSTRAINT ck_cases_received_at_plausible "
        "CHECK (received_at >= '2000-01-01 00:00+07') NOT VALID"
    )
    op.execute(
        "ALTER TABLE cases ADD CONSTRAINT ck_cases_protected_at_plausible "
        "CHECK (protected_at IS NULL OR protected_at >= '2000-01-01 00:00+07') NOT VALID"
    )
    op.execute(
        "ALTER TABLE children ADD CONSTRAINT ck_children_date_of_birth_plausible "
        "CHECK (date_of_birth >= '1900-01-01') NOT VALID"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE children DROP CONSTRAINT IF EXISTS ck_children_date_of_birth_plausible")
    op.execute("ALTER TABLE cases DROP CONSTRAINT IF EXISTS ck_cases_protected_at_plausible")
    op.execute("ALTER TABLE cases DROP CONSTRAINT IF EXISTS ck_cases_received_at_plausible")
