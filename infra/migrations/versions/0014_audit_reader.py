"""Audit reader: indexes and functions for the access log and per-unit daily counts.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from alembic import op  # noqa: F401

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
