"""A collaborator's cheap phone (390×844) in Chromium: a compact header whose menu button opens the
navigation (reachable without script too), touch targets of at least 44 px on the report page and the
children list, and the monthly report typed as a draft in sections, submitted once complete.
The desktop header spreads over the width and the main area uses up to 1200 px."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.test_web_browser import (  # noqa: F401 - fixtures
    _context,
    _login,
    _watch_csp,
    chromium,
    server,
    tree,
)

MIN_TARGET = 44
# Every control a finger may aim at: buttons, boxes, lists, links, section headers; a tick box or a
# radio button is aimed at through its label. Hidden ones (and the skip link, off screen until focused)
# are left out.
TARGETS = """(root) => [...document.querySelectorAll(root)].flatMap(r => [...r.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')])
  .map(e => (e.type === 'checkbox' || e.type === 'radio') && e.closest('label') ? e.closest('label') : e)
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && r.height > 0 && r.right > 0 && getComputedStyle(e).visibility !== 'hidden'; })
  .map(e => ({what: e.tagName + ' ' + (e.getAttribute('name') || e.getAttribute('href') || e.textContent.trim()).slice(0, 60),
              height: Math.round(e.getBoundingClientRect().height * 10) / 10}))"""


def _small_targets(page: Any, root: str = "header, main") -> list[dict[str, Any]]:
    found = page.evaluate(TARGETS, root)
    assert len(found) >= 3, found  # the check saw the page's controls
    return [t for t in found if t["height"] < MIN_TARGET]


def _open_every_section(page: Any) -> None:
    """Open the form's closed sections one by one (each click changes which are closed)."""
    closed = page.locator("form details.section:not([open]) > summary")
    for _ in range(closed.count()):
        closed.first.click()
    expect(closed).to_have_count(0)


def test_the_phone_header_is_one_bar_whose_button_opens_the_menu(
    server: str,  # noqa: F811
    tree: dict[str, Any],  # noqa: F811
    chromium: Any,  # noqa: F811
) -> None:
    context = _context(chromium, server, phone=True)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, tree["users"]["collab"])
    expect(page).to_have_url(re.compile(r"/children$"))
    header = page.locator("header.top")
    height = header.bounding_box()["height"]
    assert height <= 80, f"the phone header is {height}px high"
    button = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "site-menu")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_hidden()
    expect(page.locator(".brand-short")).to_have_text("Cổng bảo vệ trẻ em")

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Báo cáo tháng")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert _small_targets(page, "header") == []
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(button).to_be_focused()

    button.click()
    nav.get_by_role("link", name="Báo cáo tháng").click()
    expect(page).to_have_url(re.compile(r"/reports/month$"))
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_hidden()  # folded on the new page
    assert problems == []
    context.close()


def test_without_script_the_phone_navigation_stays_reachable(
    server: str,  # noqa: F811
    tree: dict[str, Any],  # noqa: F811
    chromium: Any,  # noqa: F811
) -> None:
    context = chromium.new_context(
        base_url=server,
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    _login(page, tree["users"]["collab"])
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()  # it would do nothing
    link = page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Báo cáo tháng")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/reports/month$"))
    context.close()


def test_the_desktop_header_and_main_area_use_the_width(
    server: str,  # noqa: F811
    tree: dict[str, Any],  # noqa: F811
    chromium: Any,  # noqa: F811
) -> None:
    context = _context(chromium, server, phone=False)
    page = context.new_page()
    _login(page, tree["users"]["officer"])
    expect(page).to_have_url(re.compile(r"/ward$"))
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_visible()
    expect(page.locator(".brand-full")).to_have_text("Cổng bảo vệ, chăm sóc trẻ em")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    main = page.locator("main").bounding_box()
    assert main["width"] >= 1150, main  # up to 75rem on a 1280 px screen
    nav = page.get_by_role("navigation", name="Điều hướng chính").bounding_box()
    # its links in rows, not one under another (three rows since the commune's year of work, issue 19)
    assert nav["width"] >= 1150 and nav["height"] <= 3 * 44, nav
    header = page.locator("header.top").bounding_box()["height"]
    assert header <= 220, f"the desktop header is {header}px high"  # three rows of links (issue 19)
    context.close()


def test_collaborator_on_a_phone_saves_a_draft_in_sections_and_submits(
    server: str,  # noqa: F811
    tree: dict[str, Any],  # noqa: F811
    chromium: Any,  # noqa: F811
) -> None:
    context = _context(chromium, server, phone=True)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, tree["users"]["collab"])
    assert _small_targets(page) == []  # the children list

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Báo cáo tháng").click()
    page.get_by_role("button", name="Bắt đầu báo cáo tháng này").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+\?msg=created$"))
    expect(page.locator("details.section[open]")).to_have_count(1)  # the first section to fill
    assert _small_targets(page) == []
    length = page.evaluate("document.documentElement.scrollHeight")
    # 4000 before the breadcrumb (one 44 px line on a phone), the data checks' section and a third
    # injuries indicator (disabilities, issue 21)
    assert length < 5200, f"the report page is {length}px long with its sections closed"

    falls = page.locator('[id="values.injuries.fall"]')  # "Ngã" is a cause of deaths and disabilities too
    falls.fill("một")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("alert")).to_contain_text("Chưa lưu")
    expect(falls).to_have_attribute("aria-invalid", "true")
    falls.fill("1")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu số liệu.")
    expect(page.locator('[data-section="injuries"] .section-count')).to_have_text("Đã điền 1, còn trống 19")

    page.get_by_role("button", name="Nộp báo cáo").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Chưa nộp: các ô sau còn trống.")
    expect(alert.locator("li", has_text="khuyết tật")).to_contain_text("Ngã")
    alert.get_by_role("link", name="Trẻ em bị khuyết tật do tai nạn, thương tích").click()
    expect(page.locator('[id="values.injury_disabilities.fall"]')).to_be_visible()  # its section opened
    assert _small_targets(page) == []

    _open_every_section(page)
    for cell in ("male", "0-5", "home"):  # the one fall, by sex, age band and place: each breakdown adds up
        page.locator(f'[id="values.injuries.{cell}"]').fill("1")
    boxes = page.locator("input[name^='values.']")
    for i in range(boxes.count()):
        if not boxes.nth(i).input_value():
            boxes.nth(i).fill("0")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu số liệu.")
    sections = page.locator("details.section[data-section]").count()  # this month's, campaigns included
    expect(page.locator(".section-count.complete")).to_have_count(sections)
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(page.get_by_role("status")).to_have_text(
        re.compile(r"^Đã nộp báo cáo tháng \d+/\d{4} của Tổ dân phố 1 ")
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the phone page scrolls sideways ({width}px)"
    assert problems == []
    context.close()
