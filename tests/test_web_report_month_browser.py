"""In Chromium: a ward officer runs a commune's month from one screen. Three collaborators submitted their
hamlets' reports through the API; the officer ticks every submitted report, approves them at once,
consolidates (the progress page leads back to the month), types in the commune's own counts and submits
the commune's report — a handful of clicks where it took about 32. Screenshots in var/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from infra.db import admin_engine
from tests.e2e.axe import serious_violations
from tests.e2e.site import web_tree
from tests.reporting import COMMUNE_VALUES, enter, hamlet_values, in_period, start
from tests.support import login, make_unit, make_user
from tests.test_web_browser import (  # noqa: F401 - fixtures
    _check_accessible,
    _login,
    _shot,
    _watch_csp,
    chromium,
    server,
)
from tests.test_web_reports import PERIOD


@pytest.fixture()
def commune(database: object, client: Any) -> dict[str, Any]:
    """A commune of three hamlets ("Tổ dân phố 10" among them), each report submitted by its collaborator."""
    with Session(admin_engine(), expire_on_commit=False) as owner:
        tree = web_tree(owner)
        tree["hamlet10"] = make_unit(owner, tree["commune"], "hamlet", f"Tổ dân phố 10 {tree['tag']}")
        for key in ("hamlet2", "hamlet10"):
            tree["users"][f"collab_{key}"] = make_user(
                owner, f"web-{key}-{tree['tag']}", "collaborator", tree[key].id
            ).username
        owner.commit()
    for key, who, children in (
        ("hamlet", "collab", 3),
        ("hamlet2", "collab_hamlet2", 0),
        ("hamlet10", "collab_hamlet10", 0),
    ):
        headers = login(client, tree["users"][who])
        report = enter(client, headers, start(client, headers, tree[key], PERIOD), hamlet_values(children))
        response = client.post(
            f"/api/v1/reports/{report['id']}/submit", headers=headers, json={"version": report["version"]}
        )
        assert response.status_code == 200, response.text
    return tree


def test_a_ward_officer_runs_the_commune_s_month_with_bulk_approval(
    server: str,  # noqa: F811
    commune: dict[str, Any],
    chromium: Any,  # noqa: F811
    worker: object,
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(base_url=server, locale="vi-VN", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = _watch_csp(page)
    clicks = 0

    def click(locator: Any) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    _login(page, commune["users"]["officer"])
    expect(page).to_have_url(re.compile(r"/ward$"))
    click(page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Báo cáo tháng"))
    expect(page).to_have_url(re.compile(r"/reports/month$"))
    _check_accessible(page)
    steps = page.get_by_role("list", name="Các bước báo cáo tháng")
    expect(steps.locator("[aria-current=step]")).to_contain_text("Duyệt báo cáo các thôn, tổ")
    rows = page.locator("table.hamlet-reports tbody tr")
    expect(rows).to_have_count(3)
    names = [commune[k].name for k in ("hamlet", "hamlet2", "hamlet10")]
    assert [rows.nth(i).locator("th").inner_text() for i in range(3)] == names  # 2 before 10
    expect(page.locator('td[data-status="submitted"]')).to_have_count(3)
    _shot(page, "officer-month-to-approve.png")

    click(page.get_by_role("link", name="Đánh dấu mọi báo cáo đã nộp"))
    for name in names:
        expect(page.get_by_label(f"Chọn báo cáo của {name}")).to_be_checked()
    click(page.get_by_role("button", name="Duyệt các báo cáo đã đánh dấu"))
    expect(page.locator(".bulk-outcome")).to_have_text("Đã duyệt 3 báo cáo.")
    expect(page.locator('td[data-status="approved"]')).to_have_count(3)
    expect(steps.locator("[aria-current=step]")).to_contain_text("Tổng hợp")

    click(page.get_by_role("button", name="Tổng hợp báo cáo các thôn, tổ"))
    expect(page).to_have_url(re.compile(r"/consolidations/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Hoàn thành.", timeout=60_000)
    click(page.get_by_role("link", name="Về báo cáo tháng"))
    expect(steps.locator("[aria-current=step]")).to_contain_text("Nộp báo cáo của xã")
    typed = in_period(COMMUNE_VALUES, PERIOD, "commune")  # the month's campaigns too
    boxes = sum(len(cells) for cells in typed.values())
    expect(page.locator(".count[data-boxes]")).to_contain_text(f"đã điền 0 trên {boxes} ô")

    click(page.get_by_role("link", name="Mở báo cáo"))
    for code, cells in typed.items():
        section = page.locator(f'details[data-section="{code}"]')
        if section.get_attribute("open") is None:
            click(section.locator("summary"))
        for key, value in cells.items():
            page.locator(f'[id="values.{code}.{key}"]').fill(str(value))
    click(page.get_by_role("button", name="Lưu bản nháp"))
    expect(page.get_by_role("status")).to_have_text("Đã lưu số liệu.")
    # the data checks' warnings (1 abused child typed, no case in the register) explained for the district
    boxes = page.locator('textarea[id^="explain."]')
    expect(boxes.first).to_be_visible()
    for box in boxes.all():
        box.fill("Đã đối chiếu với công an phường")
    click(page.get_by_role("button", name="Lưu giải trình"))
    expect(page.get_by_role("status")).to_have_text("Đã lưu giải trình.")
    assert serious_violations(page) == []  # the report page with its data checks and their explanations
    _shot(page, "officer-report-checks.png")

    click(page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Báo cáo tháng"))
    click(page.get_by_role("button", name=f"Nộp báo cáo của {commune['commune'].name}"))
    month = f"tháng {int(PERIOD[5:])}/{PERIOD[:4]}"
    expect(page.get_by_role("status")).to_have_text(f"Đã nộp báo cáo {month} của {commune['commune'].name}.")
    expect(steps.locator("li.step.done")).to_have_count(4)
    expect(page.locator('#own-title ~ p strong[data-status="submitted"]')).to_be_visible()
    _shot(page, "officer-month-submitted.png")
    # 12 before the catalogue was completed (issue 21): the commune types two more indicators (births
    # registered, facilities), one click each to open their sections
    assert clicks <= 14, f"{clicks} clicks for the commune's month"

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Báo cáo định kỳ"
    ).click()
    filters = page.get_by_role("form", name="Lọc báo cáo")
    filters.get_by_label("Báo cáo", exact=True).select_option("monthly")
    filters.get_by_label("Kỳ", exact=True).select_option(PERIOD)
    filters.get_by_role("button", name="Xem").click()
    expect(page.locator("tbody tr")).to_have_count(4)  # the commune's and its three hamlets'
    _check_accessible(page)
    _shot(page, "officer-reports-list.png")
    page.get_by_role("link", name="Chỉ tiêu").click()
    page.get_by_label("Chỉ tiêu mới cho Trẻ em được đăng ký khai sinh, tính theo phần trăm").fill("98,5")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu chỉ tiêu năm")
    expect(page.locator('tr[data-target="birth_registered"] td.num')).to_have_text("98,5%")
    _shot(page, "officer-targets.png")
    assert problems == []
    context.close()
