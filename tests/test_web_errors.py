"""Error pages through the real app: 404, 403, 405 and 500 are the portal's own pages in the reader's
language (title, lang, the <main> landmark, a way back), whatever raised them; the API keeps its JSON."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

import infra.unit_of_work as uow
from portal.app import create_app
from portal.inspections import service as inspections
from tests.e2e.site import Browser, web_tree
from tests.support import login as api_login

BASE = "http://testserver.local"


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def tree(owner):
    return web_tree(owner)


@pytest.fixture()
def browser(app, tree):
    def make(who: str | None = None) -> Browser:
        b = Browser(TestClient(app=app, base_url=BASE))
        if who:
            b.login(tree["users"][who])
        return b

    return make


def _is_page(response, status: int, lang: str = "vi") -> str:
    """The portal's own page: HTML with lang, a title, the landmark, home; the page headers; no trace."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    assert f'<html lang="{lang}">' in text
    assert re.search(r"<title>\S[^<]*</title>", text)
    assert '<main id="main"' in text and '<a class="button primary" href="/">' in text
    assert "Traceback" not in text and "RuntimeError" not in text and '"status_code"' not in text
    return text


def test_a_missing_page_is_the_404_page_in_the_reader_s_language_with_a_way_back(browser):
    b = browser("officer")
    text = _is_page(b.get("/no-such-page", headers={"referer": f"{BASE}/ward"}), 404)
    assert "Không tìm thấy trang hoặc hồ sơ này." in text and "Địa chỉ có thể bị gõ sai" in text
    assert '<a class="button" href="/ward">Quay lại trang trước</a>' in text
    # Another site's address is never offered as the way back.
    assert 'href="http' not in _is_page(
        b.get("/no-such-page", headers={"referer": "https://evil.example/x"}), 404
    )
    b.post("/lang", {"lang": "en", "next": "/"})
    english = _is_page(b.get("/no-such-page"), 404, "en")
    assert "This page or record was not found." in english and "Back to the previous page" not in english
    api = b.client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")


def test_a_refusal_is_the_403_page_and_an_address_for_forms_only_is_a_page_too(browser):
    b = browser("collab")
    text = _is_page(b.get("/inspections"), 403)
    assert (
        "Bạn không có quyền xem trang này." in text
        and "Vai trò của tài khoản bạn không được làm việc này" in text
    )
    # GET of an address that only takes a form's POST: a page, not the framework's JSON.
    assert "Không tìm thấy trang hoặc hồ sơ này." in _is_page(b.get("/staff/new"), 405)
    api = b.client.put("/api/v1/children")
    assert api.status_code == 405 and api.headers["content-type"].startswith("application/json")


def test_an_unexpected_exception_is_the_500_page_for_a_browser_and_json_for_the_api(
    browser, client, tree, monkeypatch
):
    b = browser("inspector")
    headers = api_login(client, tree["users"]["inspector"])

    def broken(*args, **kwargs):
        raise RuntimeError("a bug with a secret in it")

    monkeypatch.setattr(inspections, "list_plans", broken)
    text = _is_page(b.get("/inspections"), 500)
    assert "Đã có lỗi. Hãy thử lại sau." in text and "secret" not in text
    api = TestClient(app=create_app(), raise_server_exceptions=False).get(
        "/api/v1/inspections", headers=headers
    )
    assert api.status_code == 500 and api.json()["status_code"] == 500 and "secret" not in api.text


def test_a_commit_that_fails_as_the_answer_starts_is_the_500_page_not_the_server_s_text(browser, monkeypatch):
    b = browser("officer")
    finish = uow.finish
    failed: list[bool] = []

    def failing_commit(session, commit):
        finish(session, False)
        if commit:
            failed.append(True)
            raise RuntimeError("could not serialize access")

    monkeypatch.setattr(uow, "finish", failing_commit)
    text = _is_page(b.get("/ward"), 500)
    assert failed == [True] and "Đã có lỗi. Hãy thử lại sau." in text
