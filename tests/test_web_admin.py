"""The admin console through the real app: the administrator's home, reorganisations (the dry run writes
nothing, apply and revert only after their confirmation, each audited), the accounts across the tree,
the reference data and the working-day calendar; other roles get the 403 page, bad input a 4xx page
naming the field, and nothing is written."""

from __future__ import annotations

import re
from datetime import date

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from infra.clock import today
from portal.app import create_app
from tests.admin_support import parent_of, reorg_state, reorg_tree
from tests.e2e.site import Browser, web_tree

ADMIN = ("demo-admin", "demo-password")


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def browser(app):
    def make(username: str, password: str | None = None) -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        if password:
            b.login(username, password)
        else:
            b.login(username)
        return b

    return make


@pytest.fixture()
def reorg(owner):
    made = reorg_tree(owner)
    yield made
    owner.expire_all()
    status = owner.execute(
        text("SELECT status FROM reorganisations WHERE id = :r"), {"r": made["rid"]}
    ).scalar()
    if status == "applied":  # leave the shared tree as it was, whatever the test did
        from tenancy import reorg as tree_reorg

        tree_reorg.revert(owner, made["rid"])
        owner.commit()


def _main(page_text: str) -> str:
    """The page's main landmark as text (tags dropped, spaces joined)."""
    main = page_text[page_text.index("<main") :]
    return " ".join(re.sub(r"<[^>]+>", " ", main).replace("&#39;", "'").split())


def test_the_admin_s_home_is_the_console_not_the_no_role_page(browser):
    admin = browser(*ADMIN)
    home = admin.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/admin"
    console = admin.get("/admin")
    assert console.status_code == 200
    words = _main(console.text)
    assert "chưa có vai trò" not in words.lower()
    for section in ("Sắp xếp đơn vị hành chính", "Tài khoản trên toàn hệ thống", "Lịch ngày làm việc"):
        assert section in words
    assert "Danh mục dùng chung" in words and "Mở nhật ký truy cập" in words  # the audit reader
    assert 'href="/admin/audit?outcome=denied"' in console.text
    assert 'href="/admin/reorganisations" aria-current' not in console.text  # the nav marks home only
    assert '<a href="/admin/reorganisations">' in console.text


def test_other_roles_get_the_403_page_for_the_console_and_reorganisations(browser, owner, reorg):
    officer = browser(reorg["officer"])
    rid = reorg["rid"]
    before = reorg_state(owner, rid)
    for path in (
        "/admin",
        "/admin/reorganisations",
        f"/admin/reorganisations/{rid}",
        f"/admin/reorganisations/{rid}/apply",
    ):
        refused = officer.get(path)
        assert refused.status_code == 403 and "Bạn không có quyền xem trang này." in refused.text, path
    posted = officer.post(f"/admin/reorganisations/{rid}/apply", {"confirm_access_gains": "yes"})
    assert posted.status_code == 403
    assert officer.post(f"/admin/reorganisations/{rid}/revert").status_code == 403
    assert reorg_state(owner, rid) == before and parent_of(owner, reorg["hamlets"][0]) == reorg["old"].id


def test_the_dry_run_shows_what_would_change_and_writes_nothing(browser, owner, reorg):
    admin = browser(*ADMIN)
    rid = reorg["rid"]
    listed = admin.get("/admin/reorganisations")
    assert listed.status_code == 200 and reorg["name"] in listed.text
    assert f'href="/admin/reorganisations/{rid}">Chạy thử</a>' in listed.text
    before = reorg_state(owner, rid)
    assert before == ("draft", 0, 0)

    dry = admin.get(f"/admin/reorganisations/{rid}")
    assert dry.status_code == 200
    words = _main(dry.text)
    assert "Chạy thử: chưa có gì thay đổi." in words
    assert "Thôn, tổ dân phố chuyển đi 2" in words and "Hồ sơ trẻ em chuyển theo thôn, tổ dân phố 3" in words
    assert "Đơn vị chấm dứt (nhập, chia hoặc bỏ cấp) 1" in words
    assert f"{reorg['gains']} Cán bộ cấp xã {reorg['new'].name} Hồ sơ trẻ em" in words  # who gains, and what
    assert 'aria-current="step"><span class="step-no">1</span>' in dry.text
    assert f'href="/admin/reorganisations/{rid}/apply"' in dry.text

    confirm = admin.get(f"/admin/reorganisations/{rid}/apply")
    assert confirm.status_code == 200 and 'name="confirm_access_gains"' in confirm.text
    assert "2 thôn, tổ dân phố và 3 hồ sơ trẻ em" in _main(confirm.text)
    assert reorg_state(owner, rid) == before and parent_of(owner, reorg["hamlets"][0]) == reorg["old"].id

    missing = admin.get("/admin/reorganisations/987654321")
    assert missing.status_code == 404 and "Không tìm thấy trang hoặc hồ sơ này." in missing.text


def test_apply_needs_the_access_confirmation_then_revert_its_own(browser, owner, reorg):
    admin = browser(*ADMIN)
    rid, first = reorg["rid"], reorg["hamlets"][0]
    admin.get(f"/admin/reorganisations/{rid}/apply")
    unconfirmed = admin.post(f"/admin/reorganisations/{rid}/apply", {})
    assert unconfirmed.status_code == 409
    assert 'id="confirm_access_gains-error"' in unconfirmed.text and "Chưa áp dụng" in unconfirmed.text
    assert parent_of(owner, first) == reorg["old"].id
    assert reorg_state(owner, rid)[:2] == ("draft", 0)

    applied = admin.post(f"/admin/reorganisations/{rid}/apply", {"confirm_access_gains": "yes"})
    assert (
        applied.status_code == 303
        and applied.headers["location"] == f"/admin/reorganisations/{rid}?msg=applied"
    )
    assert parent_of(owner, first) == reorg["new"].id
    shown = _main(admin.get(applied.headers["location"]).text)
    assert f"Đã áp dụng: {reorg['name']}. Đã chuyển 2 thôn, tổ dân phố và 3 hồ sơ trẻ em." in shown
    # An address that claims a revert does not make the page say so: only the stored state does.
    claimed = admin.get(f"/admin/reorganisations?reverted={rid}").text
    assert f"Đã hoàn tác: {reorg['name']}" not in _main(claimed) and 'class="flash"' not in claimed

    confirm = admin.get(f"/admin/reorganisations/{rid}/revert")
    assert confirm.status_code == 200 and "Hoàn tác đợt sắp xếp" in confirm.text
    assert parent_of(owner, first) == reorg["new"].id  # the confirmation page changes nothing
    reverted = admin.post(f"/admin/reorganisations/{rid}/revert")
    assert (
        reverted.status_code == 303
        and reverted.headers["location"] == f"/admin/reorganisations?reverted={rid}"
    )
    assert parent_of(owner, first) == reorg["old"].id
    listed = _main(admin.get(reverted.headers["location"]).text)
    assert f"Đã hoàn tác: {reorg['name']}." in listed

    again = admin.post(f"/admin/reorganisations/{rid}/revert")
    assert again.status_code == 409 and "không có gì để hoàn tác" in again.text
    outcomes = owner.execute(
        text(
            "SELECT action, outcome FROM audit_log WHERE resource = 'reorganisation' "
            "AND resource_ids = ARRAY[:r] ORDER BY id"
        ),
        {"r": str(rid)},
    ).all()
    assert [tuple(o) for o in outcomes] == [("apply", "refused"), ("apply", "allowed"), ("revert", "allowed")]


def test_a_reorganisation_with_problems_says_them_in_words_and_cannot_be_applied(browser, owner):
    from tests.admin_support import new_reorg
    from tests.support import make_unit

    made = reorg_tree(owner)
    closed = make_unit(
        owner, made["province"], "commune", f"Xã Đã Giải Thể {made['tag']}", valid_to=date(2020, 1, 1)
    )
    rid = new_reorg(owner, f"Sắp xếp lỗi {made['tag']}", [("merge", made["old"], closed)])
    admin = browser(*ADMIN)
    dry = _main(admin.get(f"/admin/reorganisations/{rid}").text)
    assert "Chưa thể áp dụng" in dry
    assert "sẽ chuyển về một đơn vị không còn hiệu lực vào ngày 01/07/2025" in dry
    assert "Tiếp tục để áp dụng" not in dry
    refused = admin.post(f"/admin/reorganisations/{rid}/apply", {"confirm_access_gains": "yes"})
    assert refused.status_code == 422 and "không còn hiệu lực" in refused.text
    assert (
        reorg_state(owner, rid)[:2] == ("draft", 0) and parent_of(owner, made["hamlets"][0]) == made["old"].id
    )


def test_accounts_across_the_tree_are_searched_and_bad_filters_are_named(browser, owner):
    tree = web_tree(owner)
    admin = browser(*ADMIN)
    found = admin.get("/admin/accounts", params={"q": tree["tag"]})
    assert found.status_code == 200
    for who in ("officer", "collab", "inspector"):
        assert tree["users"][who] in found.text
    assert re.search(r'action="/staff/\d+/deactivate"', found.text)  # the staff pages' own actions
    only = admin.get("/admin/accounts", params={"q": tree["tag"], "role": "ward_officer"}).text
    assert tree["users"]["officer"] in only and tree["users"]["collab"] not in only
    bad = admin.get("/admin/accounts", params={"role": "emperor", "page": "x"})
    assert bad.status_code == 422
    assert 'id="role-error"' in bad.text and "Chưa tìm: hãy sửa các ô được đánh dấu." in bad.text
    assert 'id="page-error"' in bad.text
    # A ward officer may list staff (as the API allows): only their own commune's accounts.
    mine = browser(tree["users"]["officer"]).get("/admin/accounts", params={"q": tree["tag"]})
    assert mine.status_code == 200 and tree["users"]["collab"] in mine.text
    assert tree["users"]["inspector"] not in mine.text and tree["users"]["other_officer"] not in mine.text
    assert browser(tree["users"]["collab"]).get("/admin/accounts").status_code == 403


def test_reference_data_is_read_with_its_legal_basis_in_both_languages(browser, owner):
    tree = web_tree(owner)
    reader = browser(tree["users"]["officer"])
    page = reader.get("/reference")
    assert page.status_code == 200 and "Luật Trẻ em 2016" in page.text
    assert "Nhóm và nhóm con trẻ em có hoàn cảnh đặc biệt" in page.text and "Kinh" in page.text
    reader.post("/lang", {"lang": "en", "next": "/reference"})
    english = reader.get("/reference").text
    assert '<html lang="en">' in english and "Special-circumstance groups and sub-groups" in english


def test_an_admin_records_and_removes_a_decided_day_others_only_read_the_calendar(browser, owner):
    tree = web_tree(owner)
    year = today().year + 2
    saturday = date(year, 1, 1)
    while saturday.weekday() != 5:
        saturday = saturday.replace(day=saturday.day + 1)
    typed = f"{saturday:%d/%m/%Y}"
    officer = browser(tree["users"]["officer"])
    read = officer.get("/calendar", params={"year": str(year)})
    assert (
        read.status_code == 200
        and "Tết Dương lịch" in read.text
        and 'action="/calendar/days"' not in read.text
    )
    refused = officer.post(
        "/calendar/days", {"day": typed, "kind": "working", "name": "x", "decision_ref": "y"}
    )
    assert refused.status_code == 403

    admin = browser(*ADMIN)
    admin.get("/calendar", params={"year": str(year)})
    bad = admin.post(
        "/calendar/days", {"day": f"{saturday:%Y-%m-%d}", "kind": "holiday", "name": "", "decision_ref": ""}
    )
    assert bad.status_code == 422
    for field in ("day", "kind", "name", "decision_ref"):
        assert f'id="{field}-error"' in bad.text, field
    assert f"Ngày: nhập theo dạng dd/mm/yyyy, ví dụ {typed}." in bad.text
    kept = owner.execute(
        text("SELECT count(*) FROM calendar_days WHERE day = :d"), {"d": saturday}
    ).scalar_one()
    assert kept == 0

    added = admin.post(
        "/calendar/days",
        {"day": typed, "kind": "working", "name": "Làm bù thử", "decision_ref": "Thông báo thử 1/TB"},
    )
    assert added.status_code == 303
    shown = _main(admin.get(added.headers["location"]).text)
    assert f"Đã ghi: ngày {typed} là ngày làm bù (Làm bù thử), theo Thông báo thử 1/TB." in shown
    assert "Thứ Bảy Ngày làm bù Làm bù thử Thông báo thử 1/TB" in shown
    assert f"{saturday:%d/%m/%Y}" in _main(officer.get("/calendar", params={"year": str(year)}).text)
    assert officer.post(f"/calendar/days/{saturday.isoformat()}/remove").status_code == 403

    removed = admin.post(f"/calendar/days/{saturday.isoformat()}/remove")
    assert removed.status_code == 303
    assert f"Đã bỏ: ngày {typed} trở lại theo lịch của luật." in _main(
        admin.get(removed.headers["location"]).text
    )
    gone = owner.execute(
        text("SELECT count(*) FROM calendar_days WHERE day = :d"), {"d": saturday}
    ).scalar_one()
    assert gone == 0
    assert admin.post(f"/calendar/days/{saturday.isoformat()}/remove").status_code == 404
    assert admin.get("/calendar", params={"year": "20x6"}).status_code == 422
