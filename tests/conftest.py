"""Test fixtures on a real PostgreSQL: a fresh database per run, migrated with Alembic and seeded.

Set TEST_PG_ADMIN_URL (an owner/superuser URL) and TEST_PG_APP_ROLE to point elsewhere; by default
the local server at 127.0.0.1:5432 (trust auth) is used, and where nothing listens there (a fresh
machine) the embedded PostgreSQL and Redis of ``make run`` are started under var/test-services
(TEST_USE_EMBEDDED=1 forces that). An S3-compatible moto_server is started unless S3_ENDPOINT is set.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.services import port_open  # noqa: E402

# The page tests' shared fixtures: app, tree, login (a module may define its own of the same name).
pytest_plugins = ["tests.e2e.pages"]


def _fallback_to_embedded() -> dict[str, str]:
    """On a machine without a PostgreSQL or Redis server, use the embedded ones (as ``make run`` does)."""
    from infra.embedded import start

    return start(Path(__file__).resolve().parent.parent / "var" / "test-services")


_FORCE = os.environ.get("TEST_USE_EMBEDDED") == "1"
_EMBEDDED: dict[str, str] = {}
if "TEST_PG_ADMIN_URL" not in os.environ and (_FORCE or not port_open(5432)):
    _EMBEDDED = _fallback_to_embedded()
if "CELERY_BROKER_URL" not in os.environ and (_FORCE or not port_open(6379)):
    _EMBEDDED = _EMBEDDED or _fallback_to_embedded()
    os.environ["CELERY_BROKER_URL"] = _EMBEDDED["CELERY_BROKER_URL"]
_ADMIN = make_url(
    os.environ.get("TEST_PG_ADMIN_URL")
    or _EMBEDDED.get("DATABASE_ADMIN_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_DB = f"portal_test_{os.getpid()}"
_APP_ROLE = os.environ.get("TEST_PG_APP_ROLE", "portal_app")
os.environ["DATABASE_ADMIN_URL"] = _ADMIN.set(database=_DB).render_as_string(hide_password=False)
os.environ["DATABASE_URL"] = _ADMIN.set(database=_DB, username=_APP_ROLE, password=None).render_as_string(
    hide_password=False
)
os.environ.setdefault("LOGIN_COOLDOWN_SECONDS", "300")
# Cheap argon2 parameters for the hundreds of accounts the suite creates (portal/auth/passwords.py);
# the app, the worker and uvicorn (children of this process) all read it. Production never sets it.
os.environ.setdefault("PASSWORD_HASH_PROFILE", "test")
# Every test client has the one address "testclient": across the suite its wrong passwords must not
# reach the per-address limit (tests/test_login_throttle.py lowers it and uses its own addresses).
os.environ.setdefault("LOGIN_ADDRESS_MAX_FAILURES", "100000")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_RESULT_BACKEND", os.environ["CELERY_BROKER_URL"])
if _EMBEDDED:
    os.environ.setdefault(
        "STORAGE_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test-services" / "documents")
    )
os.environ["CELERY_QUEUE"] = f"portal-test-{os.getpid()}"  # this run's worker takes only this run's tasks
# A pytest-xdist worker is a process of its own that inherits the environment this file wrote in the
# controller: the bucket named after the controller's pid is re-derived from the worker's (the moto
# server the controller started is shared; each process keeps to its own bucket, database and queue).
if "S3_BUCKET" not in os.environ or os.environ.get("PORTAL_TEST_DERIVED_BUCKET") == os.environ["S3_BUCKET"]:
    os.environ["S3_BUCKET"] = os.environ["PORTAL_TEST_DERIVED_BUCKET"] = f"portal-test-{os.getpid()}"

from tests.services import start_moto, start_worker, stop  # noqa: E402

_MOTO = None if os.environ.get("S3_ENDPOINT") else start_moto()

from tests.mail import MailSink  # noqa: E402

_MAIL = MailSink.start()  # a real SMTP server on loopback; the worker (started later) mails to it
os.environ["SMTP_HOST"], os.environ["SMTP_PORT"] = "127.0.0.1", str(_MAIL.port)

from tests.gateway import FakeGateway  # noqa: E402

_GATEWAY = FakeGateway.start()  # the SMS and Zalo endpoints the worker (started later) posts to
os.environ["SMS_GATEWAY_URL"] = f"http://127.0.0.1:{_GATEWAY.port}/sms"
os.environ["ZALO_OA_URL"] = f"http://127.0.0.1:{_GATEWAY.port}/zalo"

from litestar.testing import TestClient  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from infra.bootstrap import drop_database, ensure_database, migrate  # noqa: E402
from infra.db import admin_engine  # noqa: E402
from infra.settings import get_settings  # noqa: E402
from portal.app import create_app  # noqa: E402
from portal.demo.seed import seed_demo  # noqa: E402
from portal.registry.reference import load_reference  # noqa: E402
from portal.reports.catalog import load_catalog  # noqa: E402
from portal.stats.layer import rebuild as rebuild_stats  # noqa: E402
from tenancy.load import load_official_units  # noqa: E402
from tenancy.reform import load_reform_2025  # noqa: E402

DEMO_CHILDREN = 3000


@pytest.fixture(scope="session", autouse=True)
def database() -> object:
    url = get_settings().database_admin_url
    drop_database(url)
    ensure_database(url)
    migrate(url)
    with Session(admin_engine()) as session:
        load_official_units(session)
        load_reference(session)
        load_catalog(session)
        load_reform_2025(session)
        seed_demo(session, seed=7, children=DEMO_CHILDREN)
        session.commit()
        rebuild_stats(session)
        session.commit()
    yield url
    admin_engine().dispose()
    from infra.db import app_engine

    app_engine().dispose()
    if not os.environ.get("KEEP_TEST_DB"):
        drop_database(url)


@pytest.fixture(scope="session")
def client(database: object) -> TestClient:  # type: ignore[type-arg]
    with TestClient(app=create_app()) as c:
        # The API answers in Vietnamese by default; the tests read its English sentences.
        c.headers["Accept-Language"] = "en"
        yield c


@pytest.fixture(scope="session")
def worker(database: object, tmp_path_factory: pytest.TempPathFactory) -> object:
    """A real Celery worker process on this run's queue."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    proc = start_worker(log)
    yield proc
    stop(proc)
    if proc.returncode not in (0, -15):
        print(log.read_text(errors="replace")[-4000:])


@pytest.fixture(scope="session")
def mailbox() -> MailSink:
    """The messages the portal mailed during this run (one-time codes sent out of band)."""
    return _MAIL


def pytest_unconfigure(config: pytest.Config) -> None:
    _MAIL.stop()
    if _MOTO is not None:
        stop(_MOTO)
    if _EMBEDDED:
        from infra.embedded import stop as stop_embedded

        stop_embedded(Path(__file__).resolve().parent.parent / "var" / "test-services")


@pytest.fixture(scope="session")
def staff_org(client: TestClient, database: object) -> object:  # type: ignore[type-arg]
    """The staff tree of tests/test_staff_support.py, enrolled through the API once for the four staff
    modules: they use its accounts as managers and targets and make what they change themselves."""
    from tests.test_staff_support import build_org

    with Session(admin_engine()) as session:
        return build_org(client, session)


@pytest.fixture()
def owner() -> Session:
    """An owner session (bypasses RLS) to arrange and inspect data. Commits are the test's choice."""
    with Session(admin_engine()) as session:
        yield session


@pytest.fixture()
def uid() -> str:
    return uuid.uuid4().hex[:8]
