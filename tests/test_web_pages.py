"""The web portal over HTTP (no browser): pages per role, forms, errors by field, CSRF, cookies, headers."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from portal.app import create_app
from tests.e2e.site import Browser, child_form, web_tree
from tests.support import PASSWORD


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def tree(owner):
    return web_tree(owner)


@pytest.fixture()
def browser(app):
    """A new browser (its own cookie jar) each call; the app's lifespan is not entered (no shared shutdown)."""

    def make(base_url: str = "http://testserver.local") -> Browser:
        return Browser(TestClient(app=app, base_url=base_url))

    return make


def _login(browser, tree, who: str) -> Browser:
    b = browser()
    b.login(tree["users"][who])
    return b


def test_login_page_is_vietnamese_with_strict_headers(browser):
    b = browser()
    response = b.get("/login")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "Đăng nhập" in response.text and "Tên đăng nhập" in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), "no inline script"
    assert " style=" not in response.text and "<style" not in response.text, "no inline style (CSP)"
    assert 'for="username"' in response.text and 'for="password"' in response.text
    assert b.client.get("/static/portal.js").status_code == 200


def test_login_failure_and_lockout_apply_to_the_pages(browser, tree, monkeypatch):
    b = browser()
    b.get("/login")
    name = tree["users"]["collab"]
    for _ in range(5):
        response = b.post("/login", {"username": name, "password": "wrong"})
        assert response.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
    response = b.post("/login", {"username": name, "password": PASSWORD})
    assert response.status_code == 429
    assert "Thử lại sau" in response.text and int(response.headers["Retry-After"]) > 0
    assert "portal_session" not in response.headers.get("set-cookie", "")


def test_session_cookie_is_httponly_samesite_and_secure_on_https(browser, tree, monkeypatch):
    b = browser()
    b.get("/login")
    response = b.post("/login", {"username": tree["users"]["officer"], "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert (
        "portal_session=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=lax" in cookie.replace("Lax", "lax")
    )
    assert "Secure" not in cookie  # plain http (tests): WEB_COOKIE_SECURE=auto
    over_https = browser("https://testserver.local")
    over_https.get("/login")
    response = over_https.post("/login", {"username": tree["users"]["officer"], "password": PASSWORD})
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]
    monkeypatch.setenv("WEB_COOKIE_SECURE", "1")  # behind a proxy that terminates TLS
    assert "Secure" in browser().get("/login").headers["set-cookie"]


def test_posts_without_the_form_token_or_from_another_site_are_refused(browser, tree, owner):
    b = browser()
    b.get("/login")
    token = b.token
    assert b.client.get("/favicon.ico").status_code == 404  # another page meanwhile keeps the secret
    assert b.post("/login", {"username": "nobody", "password": "x", "_csrf": token}).status_code == 401
    assert b.post("/login", {"username": "x", "password": "y"}, csrf=False).status_code == 403
    b = _login(browser, tree, "collab")
    b.get("/children/new")
    form = child_form(full_name="Không Được Lưu", hamlet_id=str(tree["hamlet"].id))
    assert b.post("/children/new", form, csrf=False).status_code == 403
    assert b.post("/children/new", {**form, "_csrf": "0" * 64}).status_code == 403
    response = b.post("/children/new", form, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    count = owner.execute(text("SELECT count(*) FROM children WHERE full_name = 'Không Được Lưu'")).scalar()
    assert count == 0


def test_collaborator_adds_a_child_with_errors_shown_by_field(browser, tree, owner):
    b = _login(browser, tree, "collab")
    home = b.get("/", follow_redirects=True)
    assert home.status_code == 200 and tree["hamlet"].name in home.text
    assert "Trần Văn An" in home.text  # their hamlet's children
    assert "Ngoài" not in home.text  # not another commune's
    b.get("/children/new")
    response = b.post(
        "/children/new",
        child_form(
            full_name="", date_of_birth="31/02/2018", gd_0_phone="12", hamlet_id=str(tree["hamlet"].id)
        ),
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="full_name-error"' in page and "Bắt buộc nhập." in page
    assert 'id="date_of_birth-error"' in page and "dd/mm/yyyy" in page
    assert 'aria-describedby="full_name-error"' in page and 'aria-invalid="true"' in page
    # the format is fine now: the registry's own rules answer, still by field
    response = b.post(
        "/children/new",
        child_form(date_of_birth="01/01/2001", gd_0_phone="12", hamlet_id=str(tree["hamlet"].id)),
    )
    assert response.status_code == 422
    assert "Từ đủ 16 tuổi trở lên" in response.text and 'id="date_of_birth-error"' in response.text
    assert 'id="gd_0_phone-error"' in response.text and "Không phải số điện thoại" in response.text
    assert 'value="Nguyễn Thị Hoa"' in response.text  # what was typed is kept
    response = b.post(
        "/children/new",
        child_form(group="d", group_since="01/06/2020", hamlet_id=str(tree["hamlet"].id)),
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/children/[0-9a-f-]{36}\?msg=added", location)
    assert "Nguy" not in location
    page = b.get(location).text
    assert "Đã thêm trẻ em." in page and "04/03/2018" in page and "Trẻ em khuyết tật" in page
    row = owner.execute(text("SELECT hamlet_id FROM children WHERE id = :i"), {"i": location[10:46]}).one()
    assert row.hamlet_id == tree["hamlet"].id
    # accent-insensitive search, posted (the name never goes into a URL)
    found = b.post("/children", {"q": "nguyen thi hoa", "unit": str(tree["hamlet"].id)})
    assert found.status_code == 200 and "Nguyễn Thị Hoa" in found.text
    fragment = b.post(
        "/children", {"q": "nguyen", "unit": str(tree["hamlet"].id)}, headers={"X-Portal-Fragment": "1"}
    )
    assert "<html" not in fragment.text and "Nguyễn Thị Hoa" in fragment.text


def test_english_is_available_and_errors_follow_the_language(browser, tree):
    b = _login(browser, tree, "collab")
    b.get("/children/new")
    response = b.post("/lang", {"lang": "en", "next": "/children/new"})
    assert response.status_code == 303 and response.headers["location"] == "/children/new"
    page = b.get("/children/new").text
    assert '<html lang="en">' in page and "Add a child" in page
    response = b.post("/children/new", child_form(full_name="", hamlet_id=str(tree["hamlet"].id)))
    assert "Required." in response.text
    assert b.post("/lang", {"lang": "en", "next": "https://evil.example/"}).headers["location"] == "/"


def test_edit_keeps_history_and_a_stale_version_is_refused(browser, tree, owner):
    child = tree["children"][0]
    b = _login(browser, tree, "collab")
    page = b.get(f"/children/{child.id}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = child_form(full_name=child.full_name, date_of_birth="01/01/2016", sex="male", address="Ngõ 5")
    form.update(gd_0_full_name="", gd_0_relationship="", gd_0_phone="", status="active", version=version)
    response = b.post(f"/children/{child.id}", form)
    assert response.status_code == 303, response.text
    assert "Đã lưu." in b.get(response.headers["location"]).text
    owner.execute(  # a change the system made (no person): the page names the system, never "None"
        text(
            "INSERT INTO child_history (child_id, actor_id, actor_username, action, hamlet_id, before, after) "
            "VALUES (:c, NULL, NULL, 'update', :h, NULL, '{\"notes\": null}')"
        ),
        {"c": child.id, "h": child.hamlet_id},
    )
    owner.commit()
    history = b.get(f"/children/{child.id}/history").text
    assert "Cập nhật" in history and "Địa chỉ" in history and "Hệ thống" in history and "None" not in history
    response = b.post(f"/children/{child.id}", {**form, "address": "Ngõ 7", "version": version})
    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác sửa" in response.text and 'value="Ngõ 5"' in response.text


def test_ward_officer_sees_the_commune_its_hamlets_staff_and_children(browser, tree):
    b = _login(browser, tree, "officer")
    response = b.get("/", follow_redirects=True)
    assert response.status_code == 200
    page = response.text
    assert tree["commune"].name in page and tree["hamlet"].name in page and tree["hamlet2"].name in page
    assert f"Test {tree['users']['collab']}" in page  # staff
    assert "Cộng tác viên" in page
    children = b.get("/children").text
    assert "Trần Văn An" in children and "Ngoài" not in children
    found = b.post("/children", {"q": "ngoai", "unit": str(tree["commune"].id)}).text
    assert "Ngoài" not in found and "0 trẻ em" in found
    assert b.get(f"/children/{tree['outsider'].id}").status_code == 404
    assert b.get(f"/children/{uuid.uuid4()}").status_code == 404


def test_inspector_dashboard_has_aggregates_and_no_personal_data(browser, tree):
    from sqlalchemy.orm import Session

    from infra.clock import today
    from infra.db import admin_engine
    from portal.stats import layer
    from portal.stats.disclosure import MAX_NOISE, last_complete_month

    with Session(admin_engine()) as session:
        layer.refresh_dirty(session)
    b = _login(browser, tree, "inspector")
    response = b.get("/", follow_redirects=True)
    assert response.status_code == 200
    page = response.text
    assert tree["province"].name in page
    total = re.search(r'data-cell="total">(\d+)<', page)
    assert total and max(5, 7 - MAX_NOISE) <= int(total[1]) <= 7 + MAX_NOISE, "6 + 1 children, perturbed"
    assert "<svg" in page and "<5" in page.replace("&lt;", "<")
    last = last_complete_month()
    assert f'<option value="{last:%Y-%m}" selected>' in page and "điều chỉnh nhẹ" in page
    running = b.get(f"/dashboard?period={today():%Y-%m}")
    assert running.status_code == 422 and "Kỳ báo cáo này chưa kết thúc" in running.text
    assert f'<option value="{today():%Y-%m}"' not in page
    for child in [*tree["children"], tree["outsider"]]:
        assert child.full_name not in page
        assert str(child.id) not in page
    assert b.get("/children").status_code == 403
    assert b.get(f"/children/{tree['children'][0].id}").status_code == 403
    assert b.get("/ward").status_code == 403


def test_pages_need_a_session_and_logout_revokes_it(browser, tree):
    anonymous = browser()
    response = anonymous.get("/children", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    b = _login(browser, tree, "collab")
    token = b.client.cookies.get("portal_session")
    assert b.get("/children").status_code == 200
    response = b.post("/logout")
    assert response.status_code == 303
    replay = browser()
    replay.client.cookies.set("portal_session", token)
    assert replay.get("/children", follow_redirects=False).status_code == 303
    api = replay.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def test_the_json_api_keeps_working_without_form_tokens(browser, tree):
    b = browser()
    response = b.client.post(
        "/api/v1/auth/login", json={"username": tree["users"]["collab"], "password": PASSWORD}
    )
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    body = {
        "full_name": "Đỗ Văn Khoa",
        "date_of_birth": "2019-05-06",
        "sex": "male",
        "ethnicity": "Kinh",
        "hamlet_id": tree["hamlet"].id,
    }
    assert b.client.post("/api/v1/children", json=body, headers=headers).status_code == 201
    assert "content-security-policy" not in b.client.get("/api/v1/me", headers=headers).headers


def test_long_lists_paginate(browser, tree, owner):
    from tests.e2e.site import add_named_children

    add_named_children(owner, tree["hamlet2"], [f"Bùi Văn Số {i:02d}" for i in range(25)])
    b = _login(browser, tree, "officer")
    first = b.get(f"/children?unit={tree['hamlet2'].id}").text
    assert "Trang 1/2" in first and "page=2" in first
    second = b.get(f"/children?unit={tree['hamlet2'].id}&page=2").text
    assert "Trang 2/2" in second and second.count('class="name"') == 5
    searched = b.post("/children", {"q": "bui van so", "unit": str(tree["hamlet2"].id), "page_no": "2"}).text
    assert "Trang 2/2" in searched and 'name="page_no" value="1"' in searched


def test_export_shows_a_progress_bar_that_polls(browser, tree):
    b = _login(browser, tree, "officer")
    b.get("/ward")
    response = b.post("/exports", {"unit": str(tree["commune"].id)})
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/exports/[0-9a-f-]{36}", location)
    page = b.get(location).text
    assert "<progress" in page and f'data-poll="{location}"' in page
    fragment = b.get(location, headers={"X-Portal-Fragment": "1"}).text
    assert fragment.lstrip().startswith('<div class="progress"') and "<html" not in fragment


def test_consolidation_progress_bar_runs_to_the_end(browser, tree, worker):
    b = _login(browser, tree, "officer")
    api = b.client.post(
        "/api/v1/auth/login", json={"username": tree["users"]["officer"], "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {api['access_token']}"}
    body = {"definition": "monthly", "unit_id": tree["commune"].id, "period": "2026-10"}
    report = b.client.post("/api/v1/reports", json=body, headers=headers)
    assert report.status_code == 201, report.text
    report_id = report.json()["id"]
    ward = b.get("/ward").text
    assert f'action="/reports/{report_id}/consolidate"' in ward and "Đang soạn" in ward
    response = b.post(f"/reports/{report_id}/consolidate", {"with_missing": "1"})
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/consolidations/\d+", location)
    assert "<progress" in b.get(location).text
    deadline = time.monotonic() + 60
    fragment = ""
    while time.monotonic() < deadline:
        fragment = b.get(location, headers={"X-Portal-Fragment": "1"}).text
        if "data-poll" not in fragment:
            break
        time.sleep(0.2)
    assert 'value="100"' in fragment and "Hoàn thành." in fragment and "2/2 đơn vị" in fragment


def test_dashboard_of_a_unit_without_sub_units_or_reports(browser, owner, uid):
    from tests.support import make_unit, make_user

    province = make_unit(owner, None, "province", f"Tỉnh trống {uid}")
    make_user(owner, f"web-empty-{uid}", "provincial_inspector", province.id)
    b = browser()
    b.login(f"web-empty-{uid}")
    page = b.get("/dashboard")
    assert page.status_code == 200, page.text
    assert 'data-cell="total">0<' in page.text and "Chưa có báo cáo tổng hợp" in page.text
    b.post("/lang", {"lang": "en", "next": "/dashboard"})
    page = b.get("/dashboard").text
    assert "Aggregate dashboard of" in page and "Children in all" in page


def test_pages_are_audited_and_scoped_like_the_api(browser, tree, owner):
    from tests.e2e.site import add_named_children
    from tests.support import audit_rows

    neighbour = add_named_children(owner, tree["hamlet2"], ["Lý Thị Lan"])[0]
    collab = _login(browser, tree, "collab")
    assert collab.get(f"/children/{neighbour.id}").status_code == 404  # the next hamlet is not theirs
    assert "Lý Thị Lan" not in collab.post("/children", {"q": "ly thi lan"}).text
    officer = _login(browser, tree, "officer")
    assert "Lý Thị Lan" in officer.get(f"/children/{neighbour.id}").text
    denied = audit_rows(owner, tree["users"]["collab"], "denied")
    assert any(r["resource"] == "child" and r["resource_ids"] == [str(neighbour.id)] for r in denied)
    allowed = audit_rows(owner, tree["users"]["officer"], "allowed")
    assert any(r["action"] == "read" and r["resource_ids"] == [str(neighbour.id)] for r in allowed)
    assert any(r["action"] == "login" and r["detail"] == {"via": "web"} for r in allowed)


def test_an_account_without_a_unit_gets_the_refusal_page_for_the_register_not_a_500(browser, owner, uid):
    from sqlalchemy import text

    from tests.support import make_user

    make_user(owner, f"web-admin-{uid}", "admin", None)
    b = browser()
    b.login(f"web-admin-{uid}")
    for path in ("/children", "/children?unit=1"):
        page = b.get(path)
        assert page.status_code == 403 and "<html" in page.text, (path, page.status_code)
    denied = owner.execute(
        text("SELECT count(*) FROM audit_log WHERE username = :u AND outcome = 'denied'"),
        {"u": f"web-admin-{uid}"},
    ).scalar_one()
    assert denied == 2


def test_a_page_nobody_serves_is_the_portals_404_page_and_the_api_stays_json(browser):
    b = browser()
    page = b.get("/trainings-that-do-not-exist")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in page.text and "<title>" in page.text
    api = b.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")


def test_the_edit_form_adds_ends_and_removes_a_special_circumstance_group(browser, tree, owner):
    from portal.registry.reference import SPECIAL_GROUPS

    code = SPECIAL_GROUPS[0][0]
    child = tree["children"][1]
    b = _login(browser, tree, "collab")

    def form_with(**rows: str) -> dict[str, str]:
        page = b.get(f"/children/{child.id}").text
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        base = child_form(full_name=child.full_name, date_of_birth=child.date_of_birth.strftime("%d/%m/%Y"))
        base.update(gd_0_full_name="", gd_0_relationship="", gd_0_phone="", status="active", version=version)
        base["sex"] = child.sex
        return {**base, **rows}

    def groups() -> list[tuple]:
        owner.expire_all()
        return [
            tuple(r)
            for r in owner.execute(
                text("SELECT code, since, until FROM child_periods WHERE child_id = :c AND kind = 'group'"),
                {"c": child.id},
            )
        ]

    bad = b.post(f"/children/{child.id}", form_with(gp_0_code=code, gp_0_since="31/02/2020"))
    assert bad.status_code == 422 and 'id="gp_0_since-error"' in bad.text and groups() == []
    added = b.post(f"/children/{child.id}", form_with(gp_0_code=code, gp_0_since="01/06/2024"))
    assert added.status_code == 303, added.text
    assert [(c, s.isoformat(), u) for c, s, u in groups()] == [(code, "2024-06-01", None)]
    assert f'value="{code}" selected' in b.get(f"/children/{child.id}").text
    ended = b.post(
        f"/children/{child.id}", form_with(gp_0_code=code, gp_0_since="01/06/2024", gp_0_until="30/11/2024")
    )
    assert ended.status_code == 303
    assert [(c, u.isoformat()) for c, _s, u in groups()] == [(code, "2024-11-30")]
    removed = b.post(f"/children/{child.id}", form_with(gp_0_code="", gp_0_since="01/06/2024"))
    assert removed.status_code == 303 and groups() == []
    # risks and supports are kept the same way
    from portal.registry.reference import RISKS

    risk = b.post(f"/children/{child.id}", form_with(rk_0_code=RISKS[0][0], rk_0_since="01/01/2025"))
    assert risk.status_code == 303, risk.text
    kinds = owner.execute(
        text("SELECT kind, code FROM child_periods WHERE child_id = :c"), {"c": child.id}
    ).all()
    assert [tuple(k) for k in kinds] == [("risk", RISKS[0][0])]
