"""In Chromium (Debian's, through Playwright) against the real app under uvicorn: a ward officer records
the commune's plan with an activity past its deadline and reports its progress; the district officer
follows it on the progress view (overdue first) and opens the plan; the ward officer records the steering
committee with its head and a meeting. axe-core finds no serious or critical violation on any page
visited. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from infra.clock import today
from infra.db import admin_engine
from portal.web.i18n import fmt_date
from tests.e2e.axe import serious_violations
from tests.staff_web_support import staff_tree
from tests.test_web_browser import (  # noqa: F401 - fixtures
    _check_accessible,
    _context,
    _login,
    _need_chromium,
    _shot,
    _watch_csp,
    chromium,
    server,
)


@pytest.fixture()
def tree(database: object) -> dict[str, Any]:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        return staff_tree(owner)


def _clean(page: Any) -> None:
    assert serious_violations(page) == [], page.url


def test_a_plan_its_progress_and_a_committee_on_the_pages(
    server: str,  # noqa: F811
    tree: dict[str, Any],
    chromium: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    number = f"84/KH-UBND-{tree['tag']}"
    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, tree["names"]["officer"])
    page.get_by_role("link", name="Kế hoạch và Ban chỉ đạo").click()
    expect(page).to_have_url(re.compile(r"/plans$"))
    _clean(page)
    page.get_by_text(f"Ghi nhận kế hoạch của {tree['commune'].name}", exact=True).click()
    page.get_by_label("Số, ký hiệu").fill(number)
    page.get_by_label("Ngày ban hành").fill(fmt_date(today() - timedelta(days=30)))
    page.get_by_label("Tiêu đề").fill("Kế hoạch ngăn ngừa, trợ giúp trẻ em bị bạo lực, xâm hại")
    page.get_by_label("Cơ quan ban hành").fill("UBND xã An Phú")
    page.get_by_role("button", name="Ghi nhận kế hoạch").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã ghi nhận Kế hoạch số {number}")
    _check_accessible(page)
    _clean(page)

    page.get_by_text("Thêm hoạt động", exact=True).first.click()
    page.get_by_label("Hoạt động", exact=True).fill("Rà soát trẻ em có nguy cơ bị xâm hại")
    page.get_by_label("Đơn vị chủ trì").select_option(str(tree["commune"].id))
    page.get_by_label("Hạn thực hiện", exact=True).fill(fmt_date(today() - timedelta(days=3)))
    page.get_by_role("button", name="Thêm hoạt động").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thêm hoạt động")
    page.get_by_text("Ghi nhận tiến độ", exact=True).first.click()
    page.get_by_label("Tỷ lệ hoàn thành (0–100)").fill("40")
    page.get_by_label("Nội dung đã thực hiện").fill("Đã rà soát 2/3 tổ dân phố")
    page.get_by_role("button", name="Ghi nhận tiến độ").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận tiến độ")
    expect(page.get_by_text("Đã rà soát 2/3 tổ dân phố")).to_be_visible()
    _clean(page)
    _shot(page, "officer-plan.png")

    page.goto("/committees")
    _clean(page)
    page.get_by_text(f"Ghi nhận Ban chỉ đạo của {tree['commune'].name}", exact=True).click()
    page.get_by_label("Tên").fill("Ban Chỉ đạo công tác trẻ em xã An Phú")
    page.get_by_label("Số quyết định").fill("15/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill(fmt_date(today() - timedelta(days=90)))
    page.get_by_label("Cơ quan ban hành").fill("UBND xã An Phú")
    page.get_by_role("button", name="Ghi nhận Ban chỉ đạo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận Ban chỉ đạo")
    page.get_by_text("Thêm thành viên", exact=True).first.click()
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Hùng")
    page.get_by_label("Chức vụ").fill("Chủ tịch UBND xã")
    page.get_by_label("Vai trò trong Ban chỉ đạo").select_option("head")
    page.get_by_role("button", name="Thêm thành viên").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thêm thành viên")
    page.get_by_text("Ghi nhận cuộc họp", exact=True).first.click()
    page.get_by_label("Ngày", exact=True).fill(fmt_date(today() - timedelta(days=2)))
    page.get_by_label("Nội dung họp").fill("Sơ kết công tác trẻ em quý")
    page.get_by_role("checkbox", name=re.compile("Nguyễn Văn Hùng")).check()
    page.get_by_role("button", name="Ghi nhận cuộc họp").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận cuộc họp")
    _clean(page)
    _shot(page, "officer-committee.png")
    context.close()

    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems += _watch_csp(page)
    _login(page, tree["names"]["district"])
    page.get_by_role("link", name="Kế hoạch và Ban chỉ đạo").click()
    page.get_by_role("link", name="Tiến độ kế hoạch trên địa bàn").click()
    first = page.locator("tbody tr").first
    expect(first).to_have_class(re.compile("overdue"))
    expect(first).to_contain_text("Rà soát trẻ em có nguy cơ bị xâm hại")
    _clean(page)
    _shot(page, "district-plan-progress.png")
    first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.get_by_text("Ghi nhận tiến độ", exact=True)).to_have_count(0)  # the level above reads
    _clean(page)
    context.close()
    assert problems == []
