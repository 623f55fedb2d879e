"""In Debian's Chromium: a ward officer shares a case with a collaborator of its hamlet on the case's page,
the collaborator finds it in their cases and opens it, the officer revokes the share, and the
collaborator no longer can (the 404 page, the list without it). Screenshots of the case page and the
cases lists go to var/screenshots/. Skips without /usr/bin/chromium (fails under CI), as
tests/test_web_browser.py does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from infra.db import admin_engine
from tests.cases_support import intake_body, open_case
from tests.e2e.site import web_tree
from tests.support import login
from tests.test_web_browser import (  # noqa: F401 - fixtures
    _context,
    _login,
    _shot,
    _watch_csp,
    chromium,
    server,
)


@pytest.fixture()
def tree(database: object) -> dict[str, Any]:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        return web_tree(owner)


def _small_targets(page: Any) -> list[str]:
    """Visible buttons, summaries, links and inputs of the main area lower than 24 px."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main a, main button, main summary, main input, main select')]
              .filter(e => e.offsetParent !== null && e.type !== 'hidden')
              .filter(e => e.getBoundingClientRect().height < 24)
              .map(e => e.outerHTML.slice(0, 80))"""
    )


def test_a_ward_officer_shares_a_case_with_a_collaborator_then_revokes_it(
    server: str,  # noqa: F811 - the imported fixture
    tree: dict[str, Any],
    chromium: Any,  # noqa: F811 - the imported fixture
    client: Any,
) -> None:
    from playwright.sync_api import expect

    officer_token = login(client, tree["users"]["officer"])
    case = open_case(client, officer_token, intake_body(str(tree["children"][0].id), case_type="neglect"))
    reference, location = case["reference"], f"/cases/{case['id']}"
    collab_name = f"Test {tree['users']['collab']}"

    officer_context = _context(chromium, server, phone=False)
    officer = officer_context.new_page()
    problems = _watch_csp(officer)
    _login(officer, tree["users"]["officer"])
    officer.goto("/cases?case_type=neglect")
    expect(officer.get_by_role("status")).to_have_text("1 vụ việc khớp bộ lọc")
    _shot(officer, "officer-cases-list.png")
    officer.get_by_role("link", name=reference).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"Vụ việc {reference}")
    expect(officer.locator("#step-assess")).to_have_attribute("open", "")  # the next step, open
    share = officer.locator("#step-grant")
    share.locator("summary").focus()  # by keyboard: the section opens with Enter
    officer.keyboard.press("Enter")
    expect(share).to_have_attribute("open", "")
    share.get_by_label("Cộng tác viên của thôn/tổ dân phố").select_option(label=collab_name)
    share.get_by_label("Lý do").fill("Cộng tác viên theo dõi gia đình hằng tuần")
    share.get_by_role("button", name="Chia sẻ vụ việc").click()
    expect(officer.get_by_role("status")).to_contain_text(
        f"Đã chia sẻ vụ việc {reference} với {collab_name} (Cộng tác viên)"
    )
    shared_with = officer.get_by_role("region", name="Những người được chia sẻ vụ việc")
    expect(shared_with.get_by_role("rowheader", name=collab_name)).to_be_visible()
    assert _small_targets(officer) == []
    _shot(officer, "officer-case-page.png")

    collab_context = _context(chromium, server, phone=True)
    collab = collab_context.new_page()
    collab_problems = _watch_csp(collab)
    _login(collab, tree["users"]["collab"])
    collab.goto("/cases")
    collab.get_by_role("link", name=reference).click()
    expect(collab.get_by_role("heading", level=1)).to_have_text(f"Vụ việc {reference}")
    expect(collab.get_by_text("Thao tác tiếp theo")).to_have_count(0)  # a grantee reads, nothing more
    expect(collab.get_by_role("button", name="Xem người báo tin")).to_have_count(0)
    _shot(collab, "collaborator-shared-case.png")

    officer.get_by_role("button", name=f"Thu hồi quyền xem của {collab_name}").click()
    expect(officer.get_by_role("status")).to_contain_text(
        f"Đã thu hồi quyền xem vụ việc {reference} của {collab_name}"
    )
    expect(shared_with.get_by_role("cell", name=re.compile(r"^Đã thu hồi \d\d.\d\d.\d{4}"))).to_be_visible()

    answer = collab.goto(location)
    assert answer is not None and answer.status == 404
    expect(collab.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang hoặc hồ sơ này.")
    collab.goto("/cases")
    expect(collab.get_by_role("link", name=reference)).to_have_count(0)
    _shot(collab, "collaborator-cases-list.png")

    officer.goto("/cases")
    officer.get_by_role("link", name=re.compile("^Thống kê vụ việc")).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(
        f"Thống kê vụ việc của {tree['commune'].name}"
    )
    expect(officer.locator('[data-cell="total"]')).to_have_text("1")
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Tải sổ theo dõi vụ việc (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    _shot(officer, "officer-case-stats.png")
    assert problems == [] and collab_problems == []
    officer_context.close()
    collab_context.close()
