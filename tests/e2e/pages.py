"""The page tests' shared fixtures (a pytest plugin, see tests/conftest.py): the application, a tree of
the test's own (``tests.e2e.site.web_tree``) and a browser-like client logged in as one of its people.
A test module that needs another tree or app defines its own fixture of the same name, which wins.
``browser(username)`` logs in any account. After every test, the pages it visited in Chromium go through
axe-core (``_axe_on_every_page_visited``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from portal.app import create_app
from tests.e2e.axe_watch import WATCH
from tests.e2e.site import Browser, web_tree


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def tree(owner: Any) -> dict[str, Any]:
    return web_tree(owner)


@pytest.fixture()
def browser(app: Any) -> Callable[..., Browser]:
    """``browser(username)``: a Browser logged in as that account (``browser()``: not logged in)."""

    def make(username: str | None = None) -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        if username:
            b.login(username)
        return b

    return make


@pytest.fixture()
def login(browser: Callable[..., Browser], tree: dict[str, Any]) -> Callable[..., Browser]:
    """``login(who, lang="vi")``: a Browser logged in as the tree's ``who`` (``lang``: the pages' language)."""

    def make(who: str, lang: str = "vi") -> Browser:
        b = browser(tree["users"][who])
        if lang != "vi":
            b.client.cookies.set("portal_lang", lang)
        return b

    return make


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "axe_in_test: the test runs axe-core itself on every page it visits (no second check after it)",
    )


@pytest.fixture(autouse=True)
def _axe_on_every_page_visited(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the test: axe-core on every page it visited in the watched Chromium (tests/e2e/axe_watch.py);
    the test fails on any serious or critical violation, named with the page's address. A test marked
    ``axe_in_test`` asserts axe's result on each page itself, so its pages are not checked twice."""
    yield
    if request.node.get_closest_marker("axe_in_test") is not None:
        WATCH.pending.clear()
    if WATCH.pending:
        found = WATCH.take()
        if found:
            pytest.fail(f"axe-core: serious or critical violations on {len(found)} page(s): {found}")
