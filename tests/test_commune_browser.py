"""In Chromium (Debian's, through Playwright) against the real app under uvicorn: a ward officer records
the commune's own training with its attendance on the pages, and the month's report of the hamlet then
shows its collaborator as trained (counted from the records, not typed); the same officer records the
month's collaborator briefing with its attendance. axe-core finds no serious or critical violation on
any page visited. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
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


def test_a_commune_training_counts_in_the_months_report(
    server: str,  # noqa: F811
    tree: dict[str, Any],
    chromium: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    title = f"Kỹ năng phát hiện trẻ em bị xâm hại {tree['tag']}"
    collab, collab2 = tree["users"]["collab"], tree["users"]["collab2"]
    hamlet, hamlet2 = tree["hamlets"][0], tree["hamlets"][1]
    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)
    visited: dict[str, list[Any]] = {}

    def accessible(name: str) -> None:
        visited[name] = serious_violations(page)

    _login(page, tree["names"]["officer"])
    page.get_by_role("link", name="Tập huấn", exact=True).click()
    expect(page).to_have_url(re.compile(r"/trainings$"))
    accessible("trainings")
    page.get_by_text("Ghi khóa tập huấn", exact=True).first.click()  # opens the section
    page.get_by_label("Tên khóa tập huấn").fill(title)
    expect(page.get_by_label("Đơn vị tổ chức")).to_have_value(str(tree["commune"].id))
    page.get_by_label("Ngày").fill(fmt_date(today()))
    page.get_by_label("Địa điểm").fill("Hội trường UBND xã")
    page.get_by_role("button", name="Ghi khóa tập huấn").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã ghi khóa tập huấn “{title}”")
    page.get_by_text("Ghi nhận người tham dự", exact=True).click()
    page.get_by_label(re.compile(re.escape(collab.username))).check()
    page.get_by_role("button", name="Ghi nhận tham dự").click()
    expect(page.get_by_role("status")).to_contain_text(collab.full_name)
    expect(page.locator(f'tr[data-attendee="{collab.id}"]')).to_contain_text(collab.username)
    accessible("training")
    _shot(page, "officer-commune-training.png")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Báo cáo tháng").click()
    expect(page).to_have_url(re.compile(r"/reports/month$"))
    page.get_by_role("button", name="Tạo dự thảo cho tất cả thôn").click()
    accessible("report_month")
    page.get_by_role("link", name=hamlet.name, exact=True).click()
    table = page.locator('table[data-indicator="collaborators"]')
    expect(table.locator('td[data-cell="in_place"]')).to_have_text("1")
    expect(table.locator('td[data-cell="trained"]')).to_have_text("1")
    accessible("hamlet_report")
    _shot(page, "officer-hamlet-report-collaborators.png")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Báo cáo tháng").click()
    page.get_by_role("link", name=hamlet2.name, exact=True).click()
    table = page.locator('table[data-indicator="collaborators"]')
    expect(table.locator('td[data-cell="in_place"]')).to_have_text("1")
    expect(table.locator('td[data-cell="trained"]')).to_have_text("0")

    page.get_by_role("link", name="Giao ban cộng tác viên", exact=True).click()
    expect(page).to_have_url(re.compile(r"/briefings$"))
    page.get_by_text(f"Ghi nhận buổi giao ban của {tree['commune'].name}", exact=True).click()
    page.get_by_label("Ngày").fill(fmt_date(today()))
    page.get_by_label("Người chủ trì").fill("Phó Chủ tịch UBND xã")
    page.get_by_label("Các vấn đề được nêu").fill("Hai trẻ có nguy cơ bỏ học ở thôn 1")
    accessible("briefings")
    page.get_by_role("button", name="Ghi nhận buổi giao ban").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận buổi giao ban")
    page.get_by_role("link", name="Điểm danh", exact=True).click()
    page.locator(f'fieldset[data-collaborator="{collab.id}"]').get_by_label("Có mặt", exact=True).check()
    absent = page.locator(f'fieldset[data-collaborator="{collab2.id}"]')
    absent.get_by_label("Vắng mặt", exact=True).check()
    accessible("briefing_attendance")
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(absent.get_by_text("Ghi rõ lý do vắng mặt.")).to_be_visible()  # the reason is required
    absent = page.locator(f'fieldset[data-collaborator="{collab2.id}"]')
    absent.get_by_label("Lý do vắng mặt").fill("Ốm")
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu điểm danh: 1 có mặt, 1 vắng mặt.")
    expect(page.locator(f'tr[data-attendee="{collab2.id}"]')).to_contain_text("Ốm")
    accessible("briefing")
    _check_accessible(page)
    _shot(page, "officer-briefing.png")
    context.close()
    assert visited == {k: [] for k in visited}
    assert problems == []
