"""The page tests' shared fixtures (a pytest plugin, see tests/conftest.py): the application, a tree of
the test's own (``tests.e2e.site.web_tree``) and a browser-like client logged in as one of its people.
A test module that needs another tree or app defines its own fixture of the same name, which wins.
``browser(username)`` logs in any account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from portal.app import create_app
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
