"""The unit of work commits only 2xx/3xx answers; a refused flush is a field error; logs keep no values."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from litestar import Litestar, Response, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.app import create_app
from portal.boundary.deps import DbDep, close_unfinished, finish_unit_of_work, provide_anonymous_db
from tests.e2e.site import Browser, child_form, web_tree
from tests.support import child_payload, login

NATIONAL_ID = "001318000123"  # Hà Nội (001), a girl born in 2018 (3 and 18), number 000123


@pytest.fixture(scope="module")
def app(database: object) -> Litestar:
    return create_app()


@pytest.fixture()
def tree(owner):
    return web_tree(owner)


def _browser(app: Litestar, tree: dict[str, Any], who: str) -> Browser:
    b = Browser(TestClient(app=app, base_url="http://testserver.local"))
    b.login(tree["users"][who])
    return b


def _registered(owner, national_id: str) -> int:
    return owner.execute(
        text("SELECT count(*) FROM children WHERE national_id = :n"), {"n": national_id}
    ).scalar_one()


# --- the unit of work itself, on a probe table ------------------------------------------------------


@pytest.fixture(scope="module")
def probe_app(database: object) -> Iterator[Litestar]:
    """A minimal app with the portal's unit of work: each handler writes a row, then answers a status."""
    from sqlalchemy.orm import Session as OrmSession

    from infra.db import admin_engine

    # In a schema of its own, outside the application's (public) schema that tests/test_schema_agreement.py
    # and tests/test_rls_catalog.py compare; dropped after the module.
    with OrmSession(admin_engine()) as owner:
        owner.execute(text("CREATE SCHEMA IF NOT EXISTS test_probes"))
        owner.execute(text("CREATE TABLE IF NOT EXISTS test_probes.uow_probe (tag text PRIMARY KEY)"))
        owner.execute(text("GRANT USAGE ON SCHEMA test_probes TO portal_app"))
        owner.execute(text("GRANT SELECT, INSERT ON test_probes.uow_probe TO portal_app"))
        owner.commit()

    @post("/probe/{tag:str}/{status:int}", sync_to_thread=True)
    def probe(tag: FromPath[str], status: FromPath[int], db: DbDep) -> Response[dict[str, str]]:
        db.execute(text("INSERT INTO test_probes.uow_probe VALUES (:t)"), {"t": tag})
        return Response({"tag": tag}, status_code=status)

    @post("/probe-raises/{tag:str}", sync_to_thread=True)
    def probe_raises(tag: FromPath[str], db: DbDep) -> None:
        db.execute(text("INSERT INTO test_probes.uow_probe VALUES (:t)"), {"t": tag})
        raise RuntimeError("the handler failed after writing")

    yield Litestar(
        route_handlers=[probe, probe_raises],
        dependencies={"db": Provide(provide_anonymous_db)},
        before_send=[finish_unit_of_work],
        after_response=close_unfinished,
    )
    with OrmSession(admin_engine()) as owner:
        owner.execute(text("DROP SCHEMA test_probes CASCADE"))
        owner.commit()


@pytest.mark.parametrize(
    ("status", "kept"),
    [(200, True), (201, True), (303, True), (400, False), (409, False), (422, False), (503, False)],
)
def test_only_a_2xx_or_3xx_answer_commits(probe_app, owner, status, kept):
    tag = uuid.uuid4().hex
    with TestClient(app=probe_app) as client:
        response = client.post(f"/probe/{tag}/{status}", follow_redirects=False)
    assert response.status_code == status
    found = owner.execute(
        text("SELECT count(*) FROM test_probes.uow_probe WHERE tag = :t"), {"t": tag}
    ).scalar_one()
    assert found == (1 if kept else 0)


def test_a_handler_that_raises_after_writing_keeps_nothing(probe_app, owner):
    tag = uuid.uuid4().hex
    with TestClient(app=probe_app, raise_server_exceptions=False) as client:
        assert client.post(f"/probe-raises/{tag}").status_code == 500
    assert (
        owner.execute(
            text("SELECT count(*) FROM test_probes.uow_probe WHERE tag = :t"), {"t": tag}
        ).scalar_one()
        == 0
    )


# --- a duplicate national id: a field error on the API and on the pages ------------------------------


def test_duplicate_national_id_is_a_field_error_on_the_api(app, tree, owner):
    with TestClient(app=app) as client:
        client.headers["Accept-Language"] = "en"  # the service's own sentence (Vietnamese by default)
        headers = login(client, tree["users"]["collab"])
        national_id = f"0013180{uuid.uuid4().int % 100000:05d}"
        first = client.post(
            "/api/v1/children",
            json=child_payload(tree["hamlet"].id, national_id=national_id),
            headers=headers,
        )
        assert first.status_code == 201, first.text
        again = client.post(
            "/api/v1/children",
            json=child_payload(tree["hamlet"].id, full_name="Lê Văn Trùng", national_id=national_id),
            headers=headers,
        )
    assert again.status_code == 422, again.text
    assert again.json()["errors"] == [
        {"field": "national_id", "message": "is already registered to another child", "code": "duplicate"}
    ]
    assert _registered(owner, national_id) == 1
    named = "SELECT count(*) FROM children WHERE full_name = 'Lê Văn Trùng'"
    assert owner.execute(text(named)).scalar_one() == 0


def test_duplicate_national_id_on_the_pages_is_a_422_with_the_field_and_nothing_written(app, tree, owner):
    b = _browser(app, tree, "collab")
    taken = tree["children"][0]
    owner.execute(
        text("UPDATE children SET national_id = :n WHERE id = :i"), {"n": NATIONAL_ID, "i": taken.id}
    )
    owner.commit()
    b.get("/children/new")
    response = b.post(
        "/children/new",
        child_form(full_name="Đỗ Thị Lặp", national_id=NATIONAL_ID, hamlet_id=str(tree["hamlet"].id)),
    )
    assert response.status_code == 422, response.text[:500]
    assert 'id="national_id-error"' in response.text
    assert 'value="Đỗ Thị Lặp"' in response.text  # what was typed is kept
    assert (
        owner.execute(text("SELECT count(*) FROM children WHERE full_name = 'Đỗ Thị Lặp'")).scalar_one() == 0
    )
    # editing another child to the same national id: the same field error, the record unchanged
    other = tree["children"][1]
    page = b.get(f"/children/{other.id}")
    assert page.status_code == 200
    values = child_form(full_name=other.full_name, national_id=NATIONAL_ID, date_of_birth="04/03/2018")
    values.update(sex="female", status="active", hamlet_id=str(tree["hamlet"].id), version=str(other.version))
    response = b.post(f"/children/{other.id}", values)
    assert response.status_code == 422, response.text[:500]
    assert 'id="national_id-error"' in response.text, re.findall(r'id="([a-z_]+)-error"', response.text)
    kept = owner.execute(
        text("SELECT national_id, version FROM children WHERE id = :i"), {"i": other.id}
    ).one()
    assert kept.national_id is None and kept.version == other.version
    assert _registered(owner, NATIONAL_ID) == 1


# --- logs -----------------------------------------------------------------------------------------------


def test_a_failed_insert_leaves_no_personal_data_in_the_log(app, tree, owner, caplog):
    """A database refusal logged with its traceback (as the 500 handler logs it) shows the constraint,
    never the row's values: PostgreSQL's "Failing row contains (...)" and the parameters are withheld."""
    name, address = "Hoàng Thị Bímật", "Số 9 ngõ Kín, Yên Sở"
    caplog.set_level(logging.INFO)
    try:
        owner.execute(
            text(
                "INSERT INTO children (id, hamlet_id, unit_path, full_name, search_name, sort_name,"
                " date_of_birth, sex, ethnicity, school_status, status, address)"
                " VALUES (:id, :h, :p, :n, :n, :n, :dob, 'neither', 'Kinh', 'primary', 'active', :a)"
            ),
            {
                "id": uuid.uuid4(),
                "h": tree["hamlet"].id,
                "p": tree["hamlet"].path,
                "n": name,
                "a": address,
                "dob": date(2018, 1, 1),
            },
        )
    except IntegrityError as exc:
        assert name in str(exc.orig), "PostgreSQL itself names the failing row's values"
        logging.getLogger("portal").exception("unhandled error on POST /api/v1/children")
    else:
        pytest.fail("the CHECK on sex should refuse the row")
    finally:
        owner.rollback()
    logged = caplog.text
    assert "Traceback" in logged and "values withheld" in logged and "ck_children_sex" in logged
    assert name not in logged and address not in logged and "Bímật" not in logged
    assert "2018-01-01" not in logged


# --- a row lock held too long ------------------------------------------------------------------------


@pytest.fixture()
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    from infra.settings import get_settings

    monkeypatch.setenv("REQUEST_LOCK_TIMEOUT", "0.3")
    get_settings.cache_clear()
    yield 0.3
    monkeypatch.delenv("REQUEST_LOCK_TIMEOUT")
    get_settings.cache_clear()


def test_a_row_lock_held_too_long_is_a_503_with_retry_after_and_nothing_written(
    app, tree, owner, short_lock_wait
):
    """Requests run on their process's event loop: a lock wait must end (503), never stop the process."""
    import time

    from infra.db import admin_engine

    child = tree["children"][0]
    with TestClient(app=app) as client:
        headers = login(client, tree["users"]["collab"])
        version = client.get(f"/api/v1/children/{child.id}", headers=headers).json()["version"]
        with admin_engine().connect() as holder:
            # Without the limit the PATCH would wait for ever: the holder's session ends after 10 s
            # instead, and the PATCH is then answered 200 (the test fails rather than hangs).
            holder.execute(text("SET idle_in_transaction_session_timeout = '10s'"))
            holder.execute(text("SELECT 1 FROM children WHERE id = :id FOR UPDATE"), {"id": child.id})
            started = time.perf_counter()
            refused = client.patch(
                f"/api/v1/children/{child.id}",
                json={"notes": "chờ khóa", "version": version},
                headers=headers,
            )
            waited = time.perf_counter() - started
            holder.rollback()
        kept = client.patch(
            f"/api/v1/children/{child.id}", json={"notes": "sau khóa", "version": version}, headers=headers
        )
    assert refused.status_code == 503, refused.text
    assert refused.headers["Retry-After"] == "1"
    assert short_lock_wait <= waited < short_lock_wait + 2
    assert kept.status_code == 200, kept.text
    notes = owner.execute(text("SELECT notes FROM children WHERE id = :id"), {"id": child.id}).scalar_one()
    assert notes == "sau khóa"
