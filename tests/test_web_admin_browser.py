"""In Chromium (Debian's, through Playwright) against the real app under uvicorn: an administrator runs a
reorganisation's dry run on the pages and stops at its confirmation (nothing changes); a district officer
plans an inspection on the pages, first with mistakes shown in words, then for real; a missing page is the
portal's own 404 page. Screenshots under var/screenshots/ (admin-*.png, district-*.png, error-404.png).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from tests.admin_support import parent_of, reorg_state, reorg_tree
from tests.support import make_unit, make_user
from tests.test_web_browser import (  # noqa: F401 - the server and browser fixtures
    _check_accessible,
    _context,
    _login,
    _shot,
    _watch_csp,
    chromium,
    server,
)


def test_an_admin_runs_a_reorganisation_s_dry_run_on_the_pages(server: str, chromium: Any) -> None:  # noqa: F811
    with Session(admin_engine(), expire_on_commit=False) as owner:
        made = reorg_tree(owner)
        before = reorg_state(owner, made["rid"])
    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill("demo-admin")
    page.get_by_label("Mật khẩu").fill("demo-password")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quản trị")
    _shot(page, "admin-home.png")
    _check_accessible(page)

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Sắp xếp đơn vị hành chính"
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/reorganisations$"))
    row = page.get_by_role("row").filter(has_text=made["name"])
    _shot(page, "admin-reorganisations.png")
    row.get_by_role("link", name="Chạy thử").click()
    expect(page).to_have_url(re.compile(rf"/admin/reorganisations/{made['rid']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(made["name"])
    expect(page.locator('.steps [aria-current="step"]')).to_contain_text("Chạy thử")
    counts = page.get_by_role("region", name="Những gì thay đổi")
    expect(counts.get_by_role("row", name=re.compile("^Thôn, tổ dân phố chuyển đi"))).to_contain_text("2")
    expect(counts.get_by_role("row", name=re.compile("^Hồ sơ trẻ em chuyển theo"))).to_contain_text("3")
    gains = page.get_by_role(
        "region", name="Tài khoản sẽ xem được hồ sơ hoặc số liệu mà hiện nay chưa xem được"
    )
    expect(gains).to_contain_text(made["gains"])
    # The table scrolls inside its region, which the keyboard reaches.
    assert counts.get_attribute("tabindex") == "0"
    _shot(page, "admin-reorganisation-dry-run.png")
    _check_accessible(page)

    page.get_by_role("link", name="Tiếp tục để áp dụng…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Áp dụng")
    expect(page.get_by_label(re.compile("Tôi đã xem xét"))).not_to_be_checked()
    _shot(page, "admin-reorganisation-confirm.png")
    _check_accessible(page)
    page.get_by_role("link", name="Quay lại kết quả chạy thử").click()
    expect(page).to_have_url(re.compile(rf"/admin/reorganisations/{made['rid']}$"))
    with Session(admin_engine()) as owner:
        assert reorg_state(owner, made["rid"]) == before  # the dry run and the confirmation wrote nothing
        assert parent_of(owner, made["hamlets"][0]) == made["old"].id

    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang hoặc hồ sơ này.")
    assert page.evaluate("document.documentElement.lang") == "vi" and page.title()
    expect(page.get_by_role("main").get_by_role("link", name="Trang chủ")).to_be_visible()
    _shot(page, "error-404.png")
    assert problems == []
    context.close()


def test_a_district_officer_plans_an_inspection_on_the_pages(server: str, chromium: Any) -> None:  # noqa: F811
    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        province = make_unit(owner, None, "province", f"Tỉnh trình duyệt {tag}")
        district = make_unit(owner, province, "district", f"Huyện trình duyệt {tag}")
        communes = [make_unit(owner, district, "commune", f"Xã {n} {tag}") for n in (1, 2, 10)]
        officer = make_user(owner, f"browser-district-{tag}", "district_officer", district.id)
        colleague = make_user(owner, f"browser-colleague-{tag}", "district_officer", district.id)
    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, officer.username)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Thanh tra, kiểm tra"
    ).click()
    page.get_by_role("link", name="Lập kế hoạch kiểm tra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lập kế hoạch kiểm tra")
    _check_accessible(page)

    title = f"Kiểm tra công tác trẻ em {tag}"
    page.get_by_label("Tiêu đề").fill(title)
    page.get_by_text("Thời gian làm việc và căn cứ").click()  # an optional section, closed at first
    page.get_by_label("Ngày đầu làm việc tại đơn vị").fill("31/02/2027")
    page.get_by_role("button", name="Lập kế hoạch kiểm tra").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Hãy đánh dấu ít nhất một đơn vị được kiểm tra.")
    expect(alert).to_contain_text("Ngày đầu làm việc tại đơn vị: không có ngày này.")
    expect(page.get_by_label("Tiêu đề")).to_have_value(title)  # what was typed is kept
    _shot(page, "district-inspection-plan-errors.png")
    with Session(admin_engine()) as owner:
        made = owner.execute(text("SELECT count(*) FROM inspection_plans WHERE title = :t"), {"t": title})
        assert made.scalar_one() == 0

    page.get_by_label(communes[0].name, exact=True).check()
    page.get_by_label(communes[2].name, exact=True).check()
    page.get_by_label(re.compile(colleague.full_name)).check()
    page.get_by_label("Ngày đầu làm việc tại đơn vị").fill("15/01/2027")
    page.get_by_label("Ngày cuối làm việc tại đơn vị").press_sequentially("16012027")  # a number pad
    expect(page.get_by_label("Ngày cuối làm việc tại đơn vị")).to_have_value("16/01/2027")
    page.get_by_label("Căn cứ pháp lý").fill("Kế hoạch số 12/KH-UBND")
    _shot(page, "district-inspection-plan-form.png")
    page.get_by_role("button", name="Lập kế hoạch kiểm tra").click()
    expect(page).to_have_url(re.compile(r"/inspections/\d+\?msg=planned$"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Đã lập kế hoạch kiểm tra: {title}, 2 đơn vị được kiểm tra"
    )
    expect(page.get_by_role("main")).to_contain_text(colleague.full_name)
    expect(page.get_by_role("heading", name=re.compile(communes[0].name))).to_be_visible()
    _shot(page, "district-inspection-planned.png")
    _check_accessible(page)
    assert problems == []
    context.close()
