"""The collaborators' offline app: the changes a phone sent, kept so that a retried batch adds nothing twice.

A phone queues its changes while offline and sends them in batches when the connection returns. Each
change carries an id the phone made (a UUID); the first time the server sees it, the change is applied
(or refused, or found in conflict) and its outcome is written here under the account and that id. A
batch sent again — the answer was lost, the phone retried, two tabs raced — finds the outcome and
applies nothing a second time. A concurrent duplicate waits on the primary key until the first commits.

The row holds no personal data: what was changed (kind and record id), the outcome, the record's new
version and the error codes of a refusal. Each account reads only its own rows (row-level security).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

SCHEMA = r"""
CREATE TABLE field_changes (
    user_id bigint NOT NULL CONSTRAINT fk_field_changes_user_id_users REFERENCES users(id),
    change_id uuid NOT NULL,
    device_id uuid NOT NULL,
    kind varchar(24) NOT NULL
        CONSTRAINT ck_field_changes_kind CHECK (kind IN ('child_create', 'child_update', 'report_values')),
    entity_id varchar(40),
    outcome varchar(16) NOT NULL
        CONSTRAINT ck_field_changes_outcome CHECK (outcome IN ('applied', 'conflict', 'rejected', 'duplicate', 'transfer')),
    version integer,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb,
    received_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_field_changes PRIMARY KEY (user_id, change_id)
);
CREATE INDEX ix_field_changes_received_at ON field_changes (received_at);
ALTER TABLE field_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY field_changes_own ON field_changes
    USING (user_id = (SELECT app_user_id()))
    WITH CHECK (user_id = (SELECT app_user_id()));
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON field_changes TO {get_settings().app_db_role_ident}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS field_changes")
