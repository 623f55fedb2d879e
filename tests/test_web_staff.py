"""Staff pages: a ward officer creates a collaborator (setup code shown once), who sets a password and
logs in; refusals outside the commune; deactivate, reset code; hamlets created and renamed."""

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


def test_deactivate_reactivate_and_a_reset_code(browser, tree, owner):
    b = _officer(browser, tree)
    page = b.get("/staff").text
    user_id = int(
        re.search(rf'<tr data-user="(\d+)"><td>[^<]*</td><td>{tree["users"]["collab"]}<', page).group(1)
    )
    assert b.post(f"/staff/{user_id}/deactivate").status_code == 303
    assert "Đã khóa tài khoản." in b.get("/staff?msg=deactivated").text
    gone = browser()
    gone.get("/login")
    assert gone.post("/login", {"username": tree["users"]["collab"], "password": "x" * 12}).status_code == 401
    assert b.post(f"/staff/{user_id}/activate").status_code == 303
    reset = b.post(f"/staff/{user_id}/reset")
    assert reset.status_code == 200 and CODE.search(reset.text)
    assert b.post("/staff/999999999/deactivate").status_code == 404


def test_officer_adds_and_renames_a_hamlet(browser, tree):
    b = _officer(browser, tree)
    empty = b.post("/hamlets/new", {"name": "", "kind": ""})
    assert empty.status_code == 422 and 'id="name-error"' in empty.text
    assert (
        b.post("/hamlets/new", {"name": f"Tổ dân phố 9 {tree['tag']}", "kind": "Tổ dân phố"}).status_code
        == 303
    )
    page = b.get("/staff?msg=hamlet_added").text
    assert "Đã thêm thôn/tổ dân phố." in page and f"Tổ dân phố 9 {tree['tag']}" in page
    hid = tree["hamlet2"].id
    blank = b.post(f"/hamlets/{hid}", {f"name_{hid}": ""})
    assert blank.status_code == 422 and f'id="name_{hid}-error"' in blank.text
    assert b.post(f"/hamlets/{hid}", {f"name_{hid}": f"Tổ dân phố Hai {tree['tag']}"}).status_code == 303
    assert f"Tổ dân phố Hai {tree['tag']}" in b.get("/staff").text
    assert b.post(f"/hamlets/{tree['hamlet'].id + 100000000}", {"name": "x"}).status_code == 404
