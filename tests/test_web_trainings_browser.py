"""In Chromium (Debian's, through Playwright) against the real app under uvicorn: a district officer
records a training on the pages and ticks the commune's collaborator as having attended it; the ward
officer then finds the attendance on the training and in the commune's counts, and opens the
collaborator's account page and ends its sessions. The ward officer records no attendance of the
district's course: a ward officer records only the commune's own trainings (tests/test_commune_browser.py),
and the pages follow the API. Screenshots go to var/screenshots/.
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


def test_a_training_and_its_attendance_on_the_pages(
    server: str,  # noqa: F811
    tree: dict[str, Any],
    chromium: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    title = f"Phòng chống xâm hại trẻ em {tree['tag']}"
    collab = tree["users"]["collab"]
    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)

    _login(page, tree["names"]["district"])
    page.get_by_role("link", name="Tập huấn", exact=True).click()
    expect(page).to_have_url(re.compile(r"/trainings$"))
    page.get_by_text("Ghi khóa tập huấn", exact=True).first.click()  # opens the section
    page.get_by_label("Tên khóa tập huấn").fill(title)
    page.get_by_label("Ngày").fill(fmt_date(today() - timedelta(days=2)))
    page.get_by_label("Địa điểm").fill("Hội trường Huyện Đông")
    page.get_by_role("button", name="Ghi khóa tập huấn").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã ghi khóa tập huấn “{title}”")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.get_by_text("Ghi nhận người tham dự", exact=True).click()
    page.get_by_label(re.compile(re.escape(collab.username))).check()
    page.get_by_role("button", name="Ghi nhận tham dự").click()
    expect(page.get_by_role("status")).to_contain_text(collab.full_name)
    expect(page.locator(f'tr[data-attendee="{collab.id}"]')).to_contain_text(collab.username)
    _shot(page, "district-training-attendance.png")
    page.get_by_role("link", name="Tập huấn", exact=True).first.click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    _shot(page, "district-trainings-list.png")
    context.close()

    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems += _watch_csp(page)
    _login(page, tree["names"]["officer"])
    page.goto("/trainings")
    page.get_by_role("link", name=title).click()
    expect(page.locator(f'tr[data-attendee="{collab.id}"]')).to_be_visible()
    expect(page.get_by_text("Ghi nhận người tham dự", exact=True)).to_have_count(0)
    page.goto("/trainings")
    _shot(page, "officer-trainings-list.png")
    page.get_by_role("link", name="Tham dự tập huấn của cán bộ trong địa bàn").click()
    expect(page.get_by_role("heading", name="Cộng tác viên đã được tập huấn: 1 / 2")).to_be_visible()
    _shot(page, "officer-training-attendance.png")

    page.get_by_role("link", name="Cán bộ, cộng tác viên").first.click()
    page.get_by_role("link", name=collab.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(collab.full_name)
    _check_accessible(page)
    page.get_by_text("Chuyển đơn vị hoặc đổi vai trò", exact=True).first.click()
    expect(page.get_by_role("combobox", name="Đơn vị")).to_be_visible()
    _shot(page, "officer-staff-account.png")
    page.get_by_text("Kết thúc các phiên đăng nhập", exact=True).click()
    page.get_by_role("button", name="Kết thúc mọi phiên đăng nhập").click()
    expect(page.get_by_role("status")).to_contain_text("Đã kết thúc các phiên đăng nhập")
    context.close()
    assert problems == []
