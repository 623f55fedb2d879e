"""Login throttle per account and client address, and per address across accounts.

- ``login_throttle`` is keyed by (username, client address) and remembers its last failure;
  the counters it held per username alone are dropped (they are short-lived state, and they are
  what let anyone lock an account out).
- ``login_address_throttle``: failures per client address on any usernames.
- Both are pruned by the application (rows with no failure for ``LOGIN_FORGET_SECONDS``), hence
  the index on ``last_failure_at`` and the DELETE privilege. No row-level security: the throttle
  is read before anyone is authenticated, and holds no record of a unit.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from alembic import op

from infra.settings import get_settings

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPGRADE = """
TRUNCATE login_throttle;
ALTER TABLE login_throttle
    DROP CONSTRAINT pk_login_throttle,
    ADD COLUMN client varchar(64) NOT NULL,
    ADD COLUMN last_failure_at timestamptz NOT NULL,
    ADD CONSTRAINT pk_login_throttle PRIMARY KEY (username, client);
CREATE INDEX ix_login_throttle_last_failure_at ON login_throttle (last_failure_at);

CREATE TABLE login_address_throttle (
    client varchar(64) CONSTRAINT pk_login_address_throttle PRIMARY KEY,
    failures integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_failure_at timestamptz NOT NULL
);
CREATE INDEX ix_login_address_throttle_last_failure_at ON login_address_throttle (last_failure_at);

GRANT DELETE ON login_throttle TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON login_address_throttle TO {role};
"""

DOWNGRADE = """
DROP TABLE login_address_throttle;
TRUNCATE login_throttle;
ALTER TABLE login_throttle
    DROP CONSTRAINT pk_login_throttle,
    DROP COLUMN client,
    DROP COLUMN last_failure_at,
    ADD CONSTRAINT pk_login_throttle PRIMARY KEY (username);
REVOKE DELETE ON login_throttle FROM {role};
"""


def upgrade() -> None:
    op.execute(UPGRADE.format(role=get_settings().app_db_role_ident))


def downgrade() -> None:
    op.execute(DOWNGRADE.format(role=get_settings().app_db_role_ident))
