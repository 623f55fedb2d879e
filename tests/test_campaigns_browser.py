"""In Chromium (Debian's, through Playwright) against the real app under uvicorn: a ward officer opens the
campaigns of 2025 from the menu, reads a hamlet's Action Month participation against the 90% target,
switches the year, and opens a June hamlet report whose injuries are entered by breakdown. axe-core finds
no serious or critical violation on any page visited. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.axe import serious_violations
from tests.reporting import build_tree, enter, hamlet_values, start, who
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
def campaign_tree(owner: Any, client: Any) -> dict[str, Any]:
    tree = build_tree(owner)
    officer = who(client, tree, "oa")
    report = enter(client, officer, start(client, officer, tree["ha"][0], "2025-06"), hamlet_values(3))
    tree["june"] = report["id"]
    return tree


def test_the_campaigns_of_a_year_on_the_pages(
    server: str,  # noqa: F811
    campaign_tree: dict[str, Any],
    chromium: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    t = campaign_tree
    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, f"rp-oa-{t['tag']}")
    page.get_by_role("link", name="Đợt cao điểm", exact=True).click()
    expect(page).to_have_url(re.compile(r"/campaigns$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(t["a"].name)
    page.get_by_label("Năm").select_option("2025")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page).to_have_url(re.compile(r"year=2025"))
    action = page.locator('section[data-campaign="action_month"]')
    expect(action.get_by_role("heading", level=2)).to_have_text("Tháng hành động vì trẻ em")
    row = action.locator(f'tr[data-unit="{t["ha"][0].id}"]')
    expect(row.locator('[data-cell="participants"]')).to_have_text("3")
    expect(row.locator('[data-cell="rate"]')).to_have_text("100%")
    expect(row.locator('[data-cell="target"]')).to_have_text("90%")
    expect(page.locator('section[data-campaign="mid_autumn"] .campaign-days')).to_contain_text("06/10/2025")
    _check_accessible(page)
    assert serious_violations(page) == []
    _shot(page, "officer-campaigns.png")

    page.goto(f"/reports/{t['june']}")
    injuries = page.locator('details[data-section="injuries"]')
    if injuries.get_attribute("open") is None:
        injuries.locator("summary").click()
    expect(injuries.locator(".box-group")).to_have_text(
        ["Theo nguyên nhân", "Theo giới tính", "Theo nhóm tuổi", "Theo nơi xảy ra"]
    )
    expect(page.locator('details[data-section="children_day"]')).to_have_count(1)
    expect(page.locator('details[data-section="mid_autumn"]')).to_have_count(0)
    assert serious_violations(page) == []
    _shot(page, "officer-report-breakdowns.png")
    context.close()
    assert problems == []
