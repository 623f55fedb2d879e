"""Notifications that reach people off the portal: events, preferences, quiet hours, Zalo.

The outbox of 0012 carried account codes only. It now also carries events (a case received in a
commune, an emergency step, a deadline escalated, a referral or transfer waiting, a report returned or
approved, a recommendation assigned): their subject and
body are written when the event happens — a case reference and a link, never a child's name — and
``event_key`` makes delivery idempotent: one row per event, recipient and channel, however often or
concurrently the event is raised (a unique index, inserted with ON CONFLICT DO NOTHING). A routine
message written in the recipient's quiet hours waits (``next_attempt_at``) until they end; an urgent one
never waits.

- ``notification_settings``: per user, the quiet hours (Vietnam time) and the Zalo user id of the
  Official Account's follower.
- ``notification_preferences``: per user and event, the channels wanted (none: the event's default).
- ``notification_failures()``: the failed deliveries of the accounts in the caller's area, for the
  managers who must fix an address; masked addresses only.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03
"""

from alembic import op

from infra.settings import get_settings

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

SCHEMA = r"""
ALTER TABLE notifications DROP CONSTRAINT ck_notifications_kind;
ALTER TABLE notifications ADD CONSTRAINT ck_notifications_kind CHECK (kind IN
    ('account_setup', 'password_reset', 'case_received', 'emergency', 'deadline_escalated', 'referral_waiting',
     'report_returned', 'report_approved', 'recommendation_assigned'));
ALTER TABLE notifications DROP CONSTRAINT ck_notifications_channel;
ALTER TABLE notifications ADD CONSTRAINT ck_notifications_channel CHECK (channel IN ('email', 'sms', 'zalo'));
ALTER TABLE notifications ADD COLUMN event_key varchar(120);
ALTER TABLE notifications ADD COLUMN subject varchar(200);
ALTER TABLE notifications ADD COLUMN body text;
ALTER TABLE notifications ADD COLUMN urgent boolean NOT NULL DEFAULT false;
ALTER TABLE notifications ADD CONSTRAINT ck_notifications_event_content
    CHECK (event_key IS NULL OR (subject IS NOT NULL AND body IS NOT NULL));
CREATE UNIQUE INDEX uq_notifications_event ON notifications (event_key, user_id, channel)
    WHERE event_key IS NOT NULL;

CREATE TABLE notification_settings (
    user_id bigint CONSTRAINT pk_notification_settings PRIMARY KEY
        CONSTRAINT fk_notification_settings_user_id_users REFERENCES users(id),
    quiet_from time,
    quiet_to time,
    zalo_user_id varchar(64) CONSTRAINT ck_notification_settings_zalo CHECK (zalo_user_id ~ '^[0-9A-Za-z_-]{1,64}$'),
    CONSTRAINT ck_notification_settings_quiet CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);
CREATE TABLE notification_preferences (
    user_id bigint NOT NULL CONSTRAINT fk_notification_preferences_user_id_users REFERENCES users(id),
    event varchar(24) NOT NULL CONSTRAINT ck_notification_preferences_event CHECK (event IN
        ('case_received', 'emergency', 'deadline_escalated', 'referral_waiting', 'report_returned',
         'report_approved', 'recommendation_assigned')),
    channels varchar(8)[] NOT NULL CONSTRAINT ck_notification_preferences_channels
        CHECK (channels <@ ARRAY['email', 'sms', 'zalo']::varchar(8)[]),
    CONSTRAINT pk_notification_preferences PRIMARY KEY (user_id, event)
);
-- Each account keeps its own; the system (no user) reads every one to deliver.
ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY notification_settings_own ON notification_settings
    USING ((SELECT app_user_id()) IS NULL OR user_id = (SELECT app_user_id()))
    WITH CHECK (user_id = (SELECT app_user_id()));
ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
CREATE POLICY notification_preferences_own ON notification_preferences
    USING ((SELECT app_user_id()) IS NULL OR user_id = (SELECT app_user_id()))
    WITH CHECK (user_id = (SELECT app_user_id()));

-- Routing an event reads the recipients' settings in the request of whoever raised it.
CREATE FUNCTION notification_routes(p_users bigint[])
RETURNS TABLE (user_id bigint, email text, phone text, zalo_user_id text, quiet_from time, quiet_to time,
               event text, channels text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.phone, s.zalo_user_id, s.quiet_from, s.quiet_to, p.event, p.channels::text[]
    FROM users u
    LEFT JOIN notification_settings s ON s.user_id = u.id
    LEFT JOIN notification_preferences p ON p.user_id = u.id
    WHERE u.id = ANY (p_users) AND u.is_active
$$;

CREATE FUNCTION notification_failures()
RETURNS TABLE (id bigint, kind text, channel text, username text, unit_id bigint, address text,
               attempts integer, last_error text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT n.id, n.kind, n.channel, u.username, u.unit_id,
           CASE WHEN n.address LIKE '%@%' THEN left(n.address, 1) || '***@' || split_part(n.address, '@', 2)
                ELSE repeat('*', greatest(length(n.address) - 3, 0)) || right(n.address, 3) END,
           n.attempts, n.last_error, n.created_at
    FROM notifications n JOIN users u ON u.id = n.user_id JOIN units un ON un.id = u.unit_id
    WHERE n.status = 'failed'
      AND app_in_subtree(un.path, coalesce(app_scope(), app_agg_scope()))
    ORDER BY n.id DESC LIMIT 500
$$;
"""

FUNCTIONS = ("notification_routes(bigint[])", "notification_failures()")


def upgrade() -> None:
    role = get_settings().app_db_role_ident
    op.execute(SCHEMA)
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON notification_settings, notification_preferences TO {role}"
    )
    for signature in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS notification_failures(), notification_routes(bigint[])")
    op.execute("DROP TABLE IF EXISTS notification_preferences, notification_settings")
    op.execute("DELETE FROM notifications WHERE event_key IS NOT NULL OR channel = 'zalo'")
    op.execute("""
DROP INDEX IF EXISTS uq_notifications_event;
ALTER TABLE notifications DROP CONSTRAINT ck_notifications_event_content;
ALTER TABLE notifications DROP COLUMN urgent, DROP COLUMN body, DROP COLUMN subject, DROP COLUMN event_key;
ALTER TABLE notifications DROP CONSTRAINT ck_notifications_channel;
ALTER TABLE notifications ADD CONSTRAINT ck_notifications_channel CHECK (channel IN ('email','sms'));
ALTER TABLE notifications DROP CONSTRAINT ck_notifications_kind;
ALTER TABLE notifications ADD CONSTRAINT ck_notifications_kind CHECK (kind IN ('account_setup','password_reset'));
""")
