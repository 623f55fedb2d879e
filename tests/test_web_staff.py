"""Staff list pages: a ward officer creates a collaborator (setup code shown once), who sets a password
and logs in; refusals outside the commune; the list's filters. An account's own page and its actions:
tests/test_web_staff_account.py; hamlets: tests/test_web_hamlets.py."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from portal.app import create_app
from tests.e2e.site import Browser, web_tree
from tests.support import audit_rows, hamlets_of

CODE = re.compile(r'<output id="setup-code">([^<]+)</output>')
NEW_PASSWORD = "Cay-tre-xanh-2026"


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def tree(owner):
    return web_tree(owner)


@pytest.fixture()
def browser(app):
    def make() -> Browser:
        return Browser(TestClient(app=app, base_url="http://testserver.local"))

    return make


def _officer(browser, tree) -> Browser:
    b = browser()
    b.login(tree["users"]["officer"])
    assert b.get("/staff").status_code == 200
    return b


def _new(tree, **overrides: str) -> dict[str, str]:
    form = {
        "full_name": "Đỗ Thị Mai",
        "username": f"ctv-mai-{tree['tag']}",
        "role": "collaborator",
        "unit_id": str(tree["hamlet2"].id),
    }
    form.update(overrides)
    return form


def test_officer_creates_a_collaborator_who_sets_a_password_and_logs_in(browser, tree):
    b = _officer(browser, tree)
    page = b.get("/staff").text
    assert 'action="/staff/new"' in page and tree["users"]["collab"] in page
    assert f'<option value="{tree["hamlet2"].id}"' in page
    response = b.post("/staff/new", _new(tree))
    assert response.status_code == 200 and "location" not in response.headers
    code = CODE.search(response.text).group(1)
    assert "Đã tạo tài khoản" in response.text and "Đỗ Thị Mai" in response.text
    assert code not in str(response.url)
    again = b.get("/staff").text
    assert code not in again and f"ctv-mai-{tree['tag']}" in again  # listed, the code not shown again
    set_pw = b.client.post("/api/v1/auth/set-password", json={"code": code, "password": NEW_PASSWORD})
    assert set_pw.status_code == 200, set_pw.text
    newcomer = browser()
    newcomer.login(f"ctv-mai-{tree['tag']}", NEW_PASSWORD)
    home = newcomer.get("/reports/month")
    assert home.status_code == 200 and tree["hamlet2"].name in home.text
    assert newcomer.get("/staff").status_code == 403  # a collaborator manages nobody


def test_create_errors_by_field_and_a_refusal_outside_the_commune(browser, tree, owner):
    b = _officer(browser, tree)
    bad = b.post("/staff/new", _new(tree, username="Bad Name", full_name=""))
    assert bad.status_code == 422
    assert 'id="username-error"' in bad.text and 'id="full_name-error"' in bad.text
    level = b.post("/staff/new", _new(tree, unit_id=str(tree["commune"].id)))
    assert level.status_code == 422 and 'id="unit_id-error"' in level.text
    elsewhere = hamlets_of(owner, tree["other"])[0]
    refused = b.post("/staff/new", _new(tree, unit_id=str(elsewhere.id)))
    assert refused.status_code == 403 and "Bạn không có quyền" in refused.text
    assert not CODE.search(refused.text)
    denied = audit_rows(owner, tree["users"]["officer"], "denied")
    assert any(r["resource"] == "staff" for r in denied)
    assert b.post("/staff/new", _new(tree)).status_code == 200
    taken = b.post("/staff/new", _new(tree))
    assert taken.status_code == 409 and "Tên đăng nhập đã có người dùng." in taken.text


def test_the_list_filters_by_name_role_and_status(browser, tree):
    b = _officer(browser, tree)
    collab = tree["users"]["collab"]
    found = b.get(f"/staff?q={collab}&role=collaborator&active=yes")
    assert found.status_code == 200 and collab in found.text
    assert 'href="/staff/' in found.text and 'role="region"' in found.text
    assert b.get("/staff?active=no").text.count('<tr data-user="') == 0
    bad = b.get("/staff?role=king")
    assert bad.status_code == 422 and 'id="filter-role-error"' in bad.text
    assert b.get("/staff?active=maybe").status_code == 422
