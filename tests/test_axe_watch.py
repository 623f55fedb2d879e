"""The watch that puts every visited page through axe-core (tests/e2e/axe_watch.py) sees every page: one
opened by ``goto``, one reached by a link and one answered to a form, each left or still open at the end;
a violation on any of them is reported with its address, a clean page is not, and a target below 44 px
passes on a desk but not on a phone."""

from __future__ import annotations

from typing import Any

from tests.e2e.axe_watch import WATCH
from tests.test_web_browser import _context, chromium, server  # noqa: F401 - fixtures

CLEAN = (
    '<!doctype html><html lang="vi"><head><title>Trang</title></head><body><main><h1>Trang</h1>'
    '<form method="post" action="/t/answer"><button type="submit">Gửi</button></form>'
    '<p>Trang sau: <a href="/t/linked">Tiếp</a>, đọc tiếp nhé.</p></main></body></html>'
)
# An image without a text alternative: axe's image-alt, critical.
BROKEN = CLEAN.replace("<h1>Trang</h1>", '<h1>Trang</h1><img src="/static/none.png">')
# Two 30 px buttons side by side: enough on a desk, too small and too close for a finger.
SMALL = CLEAN.replace(
    '<button type="submit">Gửi</button>',
    '<button type="submit" style="height:30px;width:30px;margin:0">Gửi</button>'
    '<button type="submit" style="height:30px;width:30px;margin:0">Lưu</button>',
)


def _serve(context: Any, pages: dict[str, str]) -> None:
    def answer(html: str) -> Any:
        return lambda route, request: route.fulfill(content_type="text/html; charset=utf-8", body=html)

    for path, html in pages.items():
        context.route(f"**{path}", answer(html))


def test_every_page_visited_is_checked_and_a_violation_is_named(server: str, chromium: Any) -> None:  # noqa: F811
    context = _context(chromium, server, phone=False)
    _serve(context, {"/t/start": CLEAN, "/t/linked": BROKEN, "/t/answer": BROKEN.replace("Trang", "Đáp")})
    page = context.new_page()
    page.goto("/t/start")
    page.get_by_role("link", name="Tiếp").click()
    page.wait_for_url("**/t/linked")
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_url("**/t/answer")
    found = WATCH.take()
    context.close()
    assert sorted(found) == [f"{server}/t/answer (desk)", f"{server}/t/linked (desk)"]
    assert {v["id"] for v in found[f"{server}/t/linked (desk)"]} == {"image-alt"}


def test_a_target_below_44_px_fails_on_a_phone_only(server: str, chromium: Any) -> None:  # noqa: F811
    found = {}
    for phone in (False, True):
        context = _context(chromium, server, phone=phone)
        _serve(context, {"/t/small": SMALL})
        context.new_page().goto("/t/small")
        found[phone] = WATCH.take()
        context.close()
    assert found[False] == {}
    assert [v["id"] for v in found[True][f"{server}/t/small (phone)"]] == ["target-size"]
