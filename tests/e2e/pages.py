"""The page tests' shared fixtures (a pytest plugin, see tests/conftest.py): the application, a tree of
the test's own (``tests.e2e.site.web_tree``) and a browser-like client logged in as one of its people.
A test module that needs another tree or app defines its own fixture of the same name, which wins."""

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
def login(app: Any, tree: dict[str, Any]) -> Callable[..., Browser]:
    """``login(who, lang="vi")``: a Browser logged in as the tree's ``who`` (``lang``: the pages' language)."""

    def make(who: str, lang: str = "vi") -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        b.login(tree["users"][who])
        if lang != "vi":
            b.client.cookies.set("portal_lang", lang)
        return b

    return make
