"""Passwords on the pages: a new account is activated with its one-time code without logging in, and a
person changes their own password (the current one proves it; every session ends). The API answers the
same through POST /api/v1/me/password."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from portal.app import create_app
from tests.e2e.site import Browser
from tests.support import login
from tests.test_staff_support import STAFF_PASSWORD, create, setup_code_of

NEW = "Sông Hồng đỏ nặng phù sa 9"


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


def _browser(app) -> Browser:
    return Browser(TestClient(app=app, base_url="http://testserver.local"))


def test_a_new_account_is_activated_on_the_page_then_its_password_changed(app, client, owner, staff_org, uid):
    org = staff_org
    made = create(client, org["ward"].headers, f"act-{uid}", "collaborator", org.units["H1"].id)
    assert made.status_code == 201, made.text
    code = setup_code_of(made)
    b = _browser(app)
    page = b.get("/activate")
    assert page.status_code == 200 and "Mã dùng một lần" in page.text
    wrong = b.post("/activate", {"code": "AAAA-BBBB-CCCC-DDDD", "password": NEW, "password_again": NEW})
    assert wrong.status_code == 401 and 'id="code-error"' in wrong.text
    differ = b.post("/activate", {"code": code, "password": NEW, "password_again": NEW + "x"})
    assert differ.status_code == 422 and 'id="password_again-error"' in differ.text
    weak = b.post("/activate", {"code": code, "password": "ngắn", "password_again": "ngắn"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.text
    done = b.post("/activate", {"code": code, "password": NEW, "password_again": NEW})
    assert done.status_code == 303 and done.headers["location"] == "/login?msg=password_set"
    assert "Đã đặt mật khẩu" in b.get("/login?msg=password_set").text
    b.login(f"act-{uid}", NEW)
    # the person changes it: the current password proves it, then every session ends
    form = b.get("/settings/password")
    assert form.status_code == 200 and 'name="current_password"' in form.text
    bad = b.post(
        "/settings/password",
        {
            "current_password": "sai mật khẩu rồi",
            "new_password": STAFF_PASSWORD,
            "new_password_again": STAFF_PASSWORD,
        },
    )
    assert bad.status_code == 422 and 'id="current_password-error"' in bad.text
    denied = owner.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE action = 'change_password' AND outcome = 'denied' AND username = :u"
        ),
        {"u": f"act-{uid}"},
    ).scalar_one()
    assert denied == 1
    changed = b.post(
        "/settings/password",
        {"current_password": NEW, "new_password": STAFF_PASSWORD, "new_password_again": STAFF_PASSWORD},
    )
    assert changed.status_code == 303
    after = b.get("/settings/password")
    assert (
        'action="/login"' in after.text and 'name="current_password"' not in after.text
    )  # the session ended
    b.login(f"act-{uid}", STAFF_PASSWORD)


def test_the_api_changes_ones_own_password_and_ends_every_session(client, staff_org, uid):
    org = staff_org
    made = create(client, org["ward"].headers, f"api-pw-{uid}", "collaborator", org.units["H1"].id)
    code = setup_code_of(made)
    assert client.post("/api/v1/auth/set-password", json={"code": code, "password": NEW}).status_code == 200
    headers = login(client, f"api-pw-{uid}", NEW)
    same = client.post(
        "/api/v1/me/password", headers=headers, json={"current_password": NEW, "new_password": NEW}
    )
    assert same.status_code == 422 and [e["field"] for e in same.json()["errors"]] == ["new_password"]
    ok = client.post(
        "/api/v1/me/password", headers=headers, json={"current_password": NEW, "new_password": STAFF_PASSWORD}
    )
    assert ok.status_code == 200 and ok.json()["sessions_ended"] >= 1
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert login(client, f"api-pw-{uid}", STAFF_PASSWORD)
