"""End to end in a real browser: Debian's Chromium driven by Playwright against the real app under uvicorn.

A collaborator on a phone-sized screen logs in and adds a child; the ward officer finds a child the
collaborator added (accent-insensitive search); the provincial inspector's dashboard shows the aggregate
without the name. Each test builds its own tree (and the child it needs), so they run in any order.
Screenshots of the three home pages are written to var/screenshots/.

Without /usr/bin/chromium these tests skip, except under CI (CI set), where they fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from infra.processes import stop_process, web_command
from tests.e2e.axe_watch import watched
from tests.e2e.site import web_tree
from tests.services import free_port
from tests.support import PASSWORD, child_payload, login

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "var" / "screenshots"
NEW_CHILD = "Nguyễn Thị Mai"


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = (
        "Debian's Chromium is not installed (/usr/bin/chromium): apt-get install -y chromium chromium-driver"
    )
    if os.environ.get("CI"):
        pytest.fail(reason + " (required under CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(database: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real application under uvicorn on a free port, against this run's test database."""
    _need_chromium()
    port = free_port()
    log_path = tmp_path_factory.mktemp("web") / "uvicorn.log"
    log = open(log_path, "wb")  # noqa: SIM115 - kept open for the server's life
    env = dict(os.environ, WEB_COOKIE_SECURE="auto")
    proc = subprocess.Popen(
        web_command("127.0.0.1", port, workers=1), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            raise AssertionError("uvicorn did not start:\n" + log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    yield base
    stop_process(proc)
    log.close()


@pytest.fixture()
def tree(database: object) -> dict[str, Any]:
    """A tree of this test's own: nothing another test added shows up in its lists or counts."""
    with Session(admin_engine(), expire_on_commit=False) as owner:
        return web_tree(owner)


@pytest.fixture()
def added_child(client: Any, tree: dict[str, Any]) -> str:
    """NEW_CHILD, recorded by the tree's collaborator through the API (the phone test does it on the page)."""
    body = child_payload(tree["hamlet"].id, full_name=NEW_CHILD, date_of_birth="2019-06-05")
    response = client.post("/api/v1/children", json=body, headers=login(client, tree["users"]["collab"]))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, watched: every page a test visits in it goes through axe-core after the test
    (tests/e2e/axe_watch.py), with no serious or critical violation allowed."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield watched(browser)
        browser.close()


def _context(chromium: Any, base: str, phone: bool) -> Any:
    options: dict[str, Any] = {"base_url": base, "locale": "vi-VN"}
    if phone:
        options.update(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
        )
    else:
        options.update(viewport={"width": 1280, "height": 900})
    context = chromium.new_context(**options)
    context.set_default_timeout(15_000)
    return context


def _watch_csp(page: Any) -> list[str]:
    """Console errors (a CSP violation shows up there) and script errors: the pages must produce none.

    A page answered with an error status on purpose (422 for a form with mistakes, 403) is not one.
    """
    problems: list[str] = []
    expected = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")

    def console(message: Any) -> None:
        if message.type == "error" and not expected.search(message.text):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _login(page: Any, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _check_accessible(page: Any) -> None:
    """Every visible form control has a label; the first Tab reaches the skip link."""
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name)"""
    )
    assert unlabelled == []
    assert page.evaluate("document.documentElement.lang") in ("vi", "en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000


def test_collaborator_on_a_phone_adds_a_child(server: str, tree: dict[str, Any], chromium: Any) -> None:
    from playwright.sync_api import expect

    context = _context(chromium, server, phone=True)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, tree["users"]["collab"])
    expect(page).to_have_url(re.compile(r"/children$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree["hamlet"].name)
    expect(page.get_by_text("Trần Văn An")).to_be_visible()

    page.get_by_role("link", name="Thêm trẻ em").first.click()
    expect(page).to_have_url(re.compile(r"/children/new$"))
    _check_accessible(page)
    page.get_by_label("Ngày sinh").fill("31/02/2019")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#full_name-error")).to_have_text("Bắt buộc nhập.")
    expect(page.locator("#date_of_birth-error")).to_contain_text("dd/mm/yyyy")
    expect(page.get_by_label("Họ và tên")).to_have_attribute("aria-invalid", "true")
    _shot(page, "collaborator-form-errors.png")

    page.get_by_label("Họ và tên").fill(NEW_CHILD)
    born = page.get_by_label("Ngày sinh")
    born.fill("")
    born.press_sequentially("05062019")  # a phone's number pad has no "/": the page adds them
    expect(born).to_have_value("05/06/2019")
    page.get_by_label("Nữ", exact=True).check()
    page.get_by_label("Mã hộ gia đình").fill("HGD-12")
    father = page.get_by_role("group", name="Người chăm sóc 1")
    father.get_by_label("Họ tên người chăm sóc").fill("Nguyễn Văn Tâm")
    father.get_by_label("Quan hệ").select_option("father")
    father.get_by_label("Điện thoại").fill("0912 345 678")
    grandmother = page.get_by_role("group", name="Người chăm sóc 2")
    grandmother.get_by_label("Họ tên người chăm sóc").fill("Lê Thị Hạnh")
    grandmother.get_by_label("Quan hệ").select_option("grandparent")
    grandmother.get_by_label("Sống cùng trẻ").uncheck()
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status")).to_have_text("Đã thêm trẻ em.")
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_CHILD)
    expect(page.get_by_text("05/06/2019")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Trẻ sống cùngNguyễn Văn Tâm (Cha)")
    expect(page.locator(".facts")).to_contain_text("Lê Thị Hạnh (Ông/Bà)")
    assert re.search(r"/children/[0-9a-f-]{36}\?msg=added$", page.url) and "Nguy" not in page.url

    page.get_by_role("button", name="Menu").click()  # the phone's navigation is behind the menu button
    page.get_by_role("link", name="Trang chủ").click()
    expect(page.get_by_text(NEW_CHILD)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the phone page scrolls sideways ({width}px)"
    _shot(page, "collaborator-home.png")
    assert problems == []
    context.close()


def test_days_typed_on_a_number_pad_get_the_form_s_separators(
    server: str, tree: dict[str, Any], chromium: Any
) -> None:
    from playwright.sync_api import expect

    context = _context(chromium, server, phone=True)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, tree["users"]["collab"])
    page.goto("/children/new")
    born = page.get_by_label("Ngày sinh")
    for keys, shown in [("04032018", "04/03/2018"), ("4.3.2018", "4/3/2018"), ("04//03-2018", "04/03/2018")]:
        born.fill("")
        born.press_sequentially(keys)
        expect(born).to_have_value(shown)
    page.goto("/cases/new")
    received = page.get_by_label("Thời điểm tiếp nhận")
    received.press_sequentially("020120240815")
    expect(received).to_have_value("02/01/2024 08:15")
    assert problems == []
    context.close()


def test_ward_officer_finds_a_child_the_collaborator_added(
    server: str, tree: dict[str, Any], added_child: str, chromium: Any, worker: object
) -> None:
    from playwright.sync_api import expect

    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").focus()  # by keyboard only
    page.keyboard.type(tree["users"]["officer"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/ward$"))
    _check_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree["commune"].name)
    expect(page.get_by_role("link", name=tree["hamlet"].name)).to_be_visible()
    expect(page.get_by_text(f"Test {tree['users']['collab']}")).to_be_visible()
    _shot(page, "officer-home.png")

    page.get_by_role("button", name="Xuất danh sách (Excel)").click()  # a long task: its progress bar polls
    expect(page).to_have_url(re.compile(r"/exports/[0-9a-f-]{36}$"))
    expect(page.get_by_role("status")).to_have_text("Hoàn thành.", timeout=60_000)
    expect(page.locator("progress")).to_have_attribute("value", "100")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto("/ward")

    page.get_by_role("link", name="Trẻ em", exact=True).first.click()
    page.get_by_label("Tìm kiếm").fill("nguyen thi mai")
    page.get_by_label("Tìm kiếm").press("Enter")
    result = page.locator("#results").get_by_role("link", name=NEW_CHILD)
    expect(result).to_be_visible()
    expect(page).to_have_url(re.compile(r"/children$"))  # the query was posted, not put in the URL
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_CHILD)
    page.get_by_role("link", name="Lịch sử thay đổi").click()
    expect(page.get_by_text("Tạo hồ sơ")).to_be_visible()
    expect(page.get_by_role("cell", name=tree["users"]["collab"])).to_be_visible()
    assert problems == []
    context.close()


def test_inspector_dashboard_shows_the_aggregate_without_names(
    server: str, tree: dict[str, Any], added_child: str, chromium: Any
) -> None:
    from playwright.sync_api import expect

    from portal.stats import layer
    from portal.stats.disclosure import MAX_NOISE, last_complete_month, period_key, publish

    # The worker refreshes the statistics layer every 30 s; here it is refreshed directly.
    with Session(admin_engine()) as owner:
        layer.refresh_dirty(owner)
        owner.execute(text("SELECT set_config('app.agg_scope', '/', true)"))
        month = last_complete_month()
        n, keysum = layer.read(owner, tree["province"], [month])[month]["total"][""]
    # 6 children recorded before, the one the collaborator added, one in the other commune: all
    # recorded as living in their hamlet since birth, so all counted at the end of last month.
    assert n == 8
    shown = publish(n, keysum, period_key(month))
    assert isinstance(shown, int) and abs(shown - n) <= MAX_NOISE

    context = _context(chromium, server, phone=False)
    page = context.new_page()
    problems = _watch_csp(page)
    _login(page, tree["users"]["inspector"])
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    _check_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree["province"].name)
    expect(page.locator('[data-cell="total"]')).to_have_text(str(shown))
    expect(page.locator("figure.chart svg").first).to_be_visible()
    body = page.content()
    for name in [NEW_CHILD, *(c.full_name for c in tree["children"]), tree["outsider"].full_name]:
        assert name not in body
    _shot(page, "inspector-home.png")
    page.goto("/children")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bạn không có quyền xem trang này.")
    assert problems == []
    context.close()


def test_a_missing_browser_skips_here_but_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.test_web_browser as me

    monkeypatch.setattr(me, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        me._need_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        me._need_chromium()
