"""The dashboard in Chromium: a provincial inspector drills from the province to a commune and back up by
the breadcrumbs, switches the period, the indicator and the kind of period, and downloads the figures as
XLSX (read back with openpyxl). Screenshots of the province, district and commune views go to
var/screenshots/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from tests.dashboard_support import PERIOD, dashboard_world, username
from tests.test_web_browser import (  # noqa: F401 - fixtures
    _check_accessible,
    _context,
    _login,
    _shot,
    _watch_csp,
    chromium,
    server,
)


@pytest.fixture(scope="module")
def world(client: Any, worker: object) -> dict[str, Any]:
    return dashboard_world(client)


def _heading(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def _tile(page: Any, name: str) -> Any:
    return page.locator(".tile-grid").get_by_role("link", name=re.compile(re.escape(name)))


def _crumbs(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("nav.breadcrumbs li").all_inner_texts()]


def _no_small_targets(page: Any) -> None:
    """Every link, button and box of the dashboard's main area is at least 24 px high."""
    small = page.evaluate(
        """() => [...document.querySelectorAll('main a[href], main button, main select, main summary')]
              .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height < 24; })
              .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == [], small


def test_inspector_drills_down_and_up_switches_and_downloads(
    server: str,  # noqa: F811 - the imported fixture
    chromium: Any,  # noqa: F811
    world: dict[str, Any],
) -> None:
    t = world["t"]
    province, d1, a = t["p"], t["d1"], t["a"]
    context = _context(chromium, server, phone=False)
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, username(world, "insp"))
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(_heading(page)).to_contain_text(province.name)
    _check_accessible(page)

    # June 2025 from the list of periods: the province's districts as tiles, D2 (no report) ranked first.
    page.get_by_label("Kỳ", exact=True).select_option(PERIOD)
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(rf"period={PERIOD}"))
    expect(page.get_by_label("Kỳ", exact=True)).to_have_value(PERIOD)
    first = page.locator("table.ranking tbody tr").first
    expect(first).to_contain_text(t["d2"].name)
    expect(first).to_contain_text("Chưa có báo cáo")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    _no_small_targets(page)
    _shot(page, "dashboard-province.png")

    # Down: the district, then commune A; the period and the indicator travel with the links.
    _tile(page, d1.name).click()
    expect(_heading(page)).to_contain_text(d1.name)
    assert _crumbs(page) == [province.name, d1.name]
    expect(_tile(page, t["n"].name)).to_contain_text("Không tồn tại trong kỳ")  # N, from July
    _shot(page, "dashboard-district.png")
    _tile(page, a.name).click()
    expect(_heading(page)).to_contain_text(a.name)
    assert _crumbs(page) == [province.name, d1.name, a.name]
    assert f"period={PERIOD}" in page.url

    # Another indicator: the abused children of June, one in A, which the inspector sees as "<5".
    page.get_by_label("Chỉ số").select_option("abused_children.total")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"indicator=abused_children\.total"))
    expect(page.locator(".dash-now dd").first).to_have_text("<5")
    expect(page.locator(".tile-grid .tile")).to_have_count(3)  # A's three hamlets
    _shot(page, "dashboard-commune.png")

    # Back up by the breadcrumbs, keeping the period and the indicator.
    page.locator("nav.breadcrumbs").get_by_role("link", name=d1.name).click()
    expect(_heading(page)).to_contain_text(d1.name)
    assert "indicator=abused_children.total" in page.url and f"period={PERIOD}" in page.url
    page.locator("nav.breadcrumbs").get_by_role("link", name=province.name).click()
    expect(_heading(page)).to_contain_text(province.name)

    # Another kind of period: quarters are offered, the last ended one shown.
    page.get_by_role("navigation", name="Loại kỳ").get_by_role("link", name="Quý", exact=True).click()
    expect(page).to_have_url(re.compile(r"definition=quarterly"))
    assert re.fullmatch(r"\d{4}-Q[1-4]", page.get_by_label("Kỳ", exact=True).input_value())
    page.get_by_role("navigation", name="Loại kỳ").get_by_role("link", name="Tháng", exact=True).click()
    page.get_by_label("Kỳ", exact=True).select_option(PERIOD)
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(rf"period={PERIOD}"))

    # The figures of the view as XLSX: numbers as numbers, the hidden count as "<5", no child's name.
    _tile(page, d1.name).click()
    page.get_by_label("Chỉ số").select_option("abused_children.total")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"indicator=abused_children\.total"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải số liệu (Excel)").click()
    assert download.value.suggested_filename.endswith(f"-{PERIOD}.xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["Tổng quan", "Xu hướng", "Đơn vị cấp dưới", "Trẻ em"]
    summary = {r[0]: r[1] for r in book["Tổng quan"].iter_rows(values_only=True) if r[0]}
    assert summary["Đơn vị"] == d1.name and summary["Kỳ"] == "Tháng 6/2025"
    assert str(summary["Số liệu"]).startswith("Được bảo vệ")
    subs = {r[1]: r for r in book["Đơn vị cấp dưới"].iter_rows(min_row=2, values_only=True)}
    assert subs[a.name][3] == "<5" and subs[t["b"].name][3] is None
    assert subs[t["b"].name][6] == "Chưa có báo cáo" and subs[t["b"].name][0] == 1
    children = {r[0]: r[1] for r in book["Trẻ em"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert isinstance(children["Tổng số trẻ em"], int) and children["Tổng số trẻ em"] >= 5
    rates = [r[3] for r in book["Tổng quan"].iter_rows(min_row=12) if r[3].value is not None]
    assert rates and all(isinstance(c.value, int | float) and c.number_format == "0.0" for c in rates)
    with Session(admin_engine()) as owner:
        names = owner.execute(
            text("SELECT full_name FROM children WHERE unit_path LIKE :p"), {"p": d1.path + "%"}
        ).scalars()
        cells = " ".join(str(c) for s in book for row in s.iter_rows(values_only=True) for c in row if c)
        assert not [n for n in names if n in cells]

    # A ranking of more than ten: the first ten, the rest behind "show all".
    page.locator("nav.breadcrumbs").get_by_role("link", name=province.name).click()
    _tile(page, t["d2"].name).click()
    expect(page.locator("table.ranking").first.locator("tbody tr")).to_have_count(10)
    more = page.get_by_text("Xem tất cả 13 đơn vị cấp dưới")
    more.click()
    expect(page.locator("details table.ranking tbody tr")).to_have_count(3)
    _shot(page, "dashboard-district-ranking.png")
    assert problems == []
    context.close()
