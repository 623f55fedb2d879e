"""The offline app in a real browser: Debian's Chromium (Playwright) on a phone-sized screen.

A collaborator logs in and opens the app: the service worker installs and the hamlet is kept on the
phone. The network is cut (``context.set_offline``): the app still starts; the collaborator adds a child
with a group and a guardian, changes another child, and saves an incomplete monthly report draft.
Meanwhile a second device changes that other child. The network returns: everything syncs exactly once,
the conflict is shown with both versions and resolved. After logout nothing is left on the phone. A new
collaborator redeems their one-time code on the page and logs in.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.reports.periods import containing
from tests.e2e.site import web_tree
from tests.support import PASSWORD
from tests.test_web_browser import (  # noqa: F401 - fixtures
    _context,
    _login,
    _need_chromium,
    _shot,
    _watch_csp,
    chromium,
    server,
)

NEW = "Lò Thị Hoa"
MONTH = containing("month", date.today()).key


@pytest.fixture()
def tree(database: object) -> dict[str, Any]:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        return web_tree(owner)


def _api(base: str, username: str) -> httpx.Client:
    """A second device: the API with the same person's (or another's) bearer token."""
    token = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}).json()
    return httpx.Client(
        base_url=base, timeout=15, headers={"Authorization": f"Bearer {token['access_token']}"}
    )


def _until(page: Any, condition: str, seconds: float = 15) -> None:
    """Poll ``condition`` in the page (wait_for_function evaluates strings, which the CSP forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(f"Boolean({condition})"):
        assert time.monotonic() < deadline, f"never true: {condition}"
        time.sleep(0.1)


def _one(sql: str, **params: Any) -> Any:
    with Session(admin_engine()) as owner:
        return owner.execute(text(sql), params).one()


def test_the_collaborator_works_offline_and_everything_syncs_once(server, tree, chromium):  # noqa: F811
    from playwright.sync_api import expect

    tag = tree["tag"]
    name = f"{NEW} {tag}"
    context = _context(chromium, server, phone=True)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, tree["users"]["collab"])
    expect(page).to_have_url(re.compile(r"/children$"))
    page.goto("/field/")
    expect(page.locator("#field-online")).to_have_attribute("data-online", "yes")
    expect(page.get_by_text("Trần Văn An")).to_be_visible()
    # installed: the manifest is linked and valid, the service worker controls the app
    _until(
        page, "navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'"
    )
    page.reload()
    expect(page.get_by_text("Trần Văn An")).to_be_visible()
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/field/"

    context.set_offline(True)
    page.reload()
    expect(page.locator("#field-online")).to_have_attribute("data-online", "no")
    expect(page.get_by_text("Trần Văn An")).to_be_visible()

    # a new child, with a guardian and a special-circumstance group
    page.get_by_role("button", name="Thêm trẻ em").click()
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Ngày sinh").fill("2019-06-05")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("dd/mm/yyyy")
    page.get_by_label("Ngày sinh").fill("05/06/2019")
    page.get_by_label("Họ tên người chăm sóc").fill("Lò Văn Páo")
    page.get_by_label("Quan hệ").select_option("father")
    groups = page.locator('[data-rows="groups"]').locator("..")
    groups.get_by_role("button", name="Thêm dòng").click()
    groups.get_by_label("Loại").select_option("d")
    groups.get_by_label("Từ ngày (dd/mm/yyyy)").fill("01/09/2024")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu trên điện thoại")).to_be_visible()
    expect(page.locator("#field-pending")).to_have_attribute("data-pending", "1")

    # a change to a child another device will change too
    page.get_by_role("button", name=re.compile("^Trần Văn An")).click()
    page.get_by_label("Địa chỉ").fill("Bản Mường, nhà số 7")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#field-pending")).to_have_attribute("data-pending", "2")

    # the monthly report, incomplete, saved as a draft
    page.get_by_role("button", name="Báo cáo tháng").click()
    sheet = page.locator(f'form[data-period="{MONTH}"]')
    sheet.locator("details summary").first.click()
    first_cell = sheet.locator("input[data-ind]").first
    first_cell.fill("3")
    indicator, cell = first_cell.get_attribute("data-ind"), first_cell.get_attribute("data-cell")
    sheet.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#field-pending")).to_have_attribute("data-pending", "3")
    _shot(page, "field-offline-report.png")
    page.get_by_role("button", name="Về danh sách").click()

    # meanwhile, on a second device
    child_id = str(tree["children"][0].id)
    with _api(server, tree["users"]["collab"]) as other:
        changed = other.patch(
            f"/api/v1/children/{child_id}", json={"address": "Nhà văn hoá bản", "version": 1}
        )
        assert changed.status_code == 200, changed.text

    context.set_offline(False)
    expect(page.locator("#field-pending")).to_have_attribute("data-pending", "0", timeout=30_000)
    conflict = page.locator('.field-problem[data-status="conflict"]')
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Bản Mường, nhà số 7")
    expect(conflict).to_contain_text("Nhà văn hoá bản")
    _shot(page, "field-conflict.png")
    count, groups_kept, guardians = _one(
        "SELECT count(*), max((SELECT count(*) FROM child_periods p WHERE p.child_id = c.id AND p.code = 'd')), "
        "max((SELECT count(*) FROM guardians g WHERE g.child_id = c.id)) FROM children c WHERE full_name = :n",
        n=name,
    )
    assert (count, groups_kept, guardians) == (1, 1, 1)
    entered = _one(
        "SELECT entered FROM reports WHERE unit_id = :u AND period = :p", u=tree["hamlet"].id, p=MONTH
    )[0]
    assert entered[indicator][cell] == 3
    assert _one("SELECT address FROM children WHERE id = :i", i=child_id)[0] == "Nhà văn hoá bản"

    conflict.get_by_role("button", name="Giữ bản của tôi").click()
    expect(conflict).to_have_count(0, timeout=30_000)
    expect(page.locator("#field-pending")).to_have_attribute("data-pending", "0", timeout=30_000)
    expect(page.locator("#field-sync")).to_have_text("Đồng bộ ngay")
    assert _one("SELECT address, version FROM children WHERE id = :i", i=child_id) == (
        "Bản Mường, nhà số 7",
        3,
    )
    # syncing again adds nothing
    page.get_by_role("button", name="Đồng bộ ngay").click()
    expect(page.locator("#field-sync")).to_have_text("Đồng bộ ngay")
    assert _one("SELECT count(*) FROM children WHERE full_name = :n", n=name)[0] == 1
    history = _one(
        "SELECT count(*) FROM child_history WHERE child_id = :i AND action = 'update'", i=child_id
    )[0]
    assert history == 2  # the other device's change and the collaborator's kept version

    # logout: nothing is left on the phone
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))") == []
    assert page.evaluate("caches.keys()") == []
    assert problems == []
    context.close()


def test_a_new_collaborator_redeems_a_code_on_the_page_and_logs_in(server, tree, chromium):  # noqa: F811
    from playwright.sync_api import expect

    username = f"ctv-moi-{uuid.uuid4().hex[:6]}"
    with _api(server, tree["users"]["officer"]) as officer:
        made = officer.post(
            "/api/v1/staff",
            json={
                "username": username,
                "full_name": "Cộng tác viên mới",
                "role": "collaborator",
                "unit_id": tree["hamlet"].id,
                "email": f"{username}@example.vn",
            },
        )
    assert made.status_code == 201, made.text
    code = made.json()["setup_code"]["code"]
    context = _context(chromium, server, phone=True)
    page = context.new_page()
    problems = _watch_csp(page)
    page.goto("/activate")
    page.get_by_label("Mã dùng một lần").fill(code)
    page.locator("#password").fill("Đồi chè xanh mướt 2026")
    page.locator("#password_again").fill("Đồi chè xanh mướt 2026")
    page.get_by_role("button", name="Đặt mật khẩu").click()
    expect(page).to_have_url(re.compile(r"/login\?msg=password_set"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("Đồi chè xanh mướt 2026")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/children$"))
    assert problems == []
    context.close()
