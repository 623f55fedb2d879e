"""axe-core on every main page of every role, in Debian's Chromium: no violation of impact serious or
critical, on a desk (1280×900) and on a phone (390×844), in Vietnamese. Screenshots of each role's pages
on a desk are written to var/screenshots/a11y-<role>-<page>.png.

The pages are those the navigation offers each role, with the records the tree gives them (a child's
page, a case list, the month's reports); the other browser tests run axe on the pages they visit too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from infra.db import admin_engine
from tests.e2e.axe import serious_violations
from tests.support import make_user
from tests.test_web_browser import (  # noqa: F401 - fixtures
    SHOTS,
    _context,
    _login,
    _need_chromium,
    added_child,
    chromium,
    server,
    tree,
)

PAGES = {
    "collab": [
        "/children",
        "/children/new",
        "/children/{child}",
        "/children/{child}/history",
        "/cases",
        "/moves",
        "/data-quality",
        "/reports/month",
        "/reports",
        "/settings/notifications",
        "/settings/password",
        "/field/",
    ],
    "officer": [
        "/ward",
        "/children",
        "/cases",
        "/referrals",
        "/duplicates",
        "/rechecks",
        "/recommendations",
        "/reports/month",
        "/reports",
        "/staff",
        "/hamlets",
        "/trainings",
        "/trainings/attendance",
        "/targets",
        "/cases/stats",
        "/calendar",
        "/reference",
    ],
    "chair": ["/cases"],
    "hotline": ["/intake"],
    "inspector": ["/dashboard", "/inspections", "/inspections/new", "/rechecks", "/reports", "/trainings"],
    "admin": ["/admin", "/admin/accounts", "/admin/reorganisations", "/calendar", "/reference"],
}
ANONYMOUS = ["/login", "/activate", "/no-such-page"]


def _name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_no_serious_accessibility_violation_on_any_main_page(
    server: str,  # noqa: F811 - the imported fixtures
    tree: dict[str, Any],  # noqa: F811
    chromium: Any,  # noqa: F811
    added_child: str,  # noqa: F811
    phone: bool,
) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    with Session(admin_engine(), expire_on_commit=False) as owner:
        admin = make_user(owner, f"a11y-admin-{tree['tag']}", "admin", None).username
    context = _context(chromium, server, phone=phone)
    page = context.new_page()
    for path in ANONYMOUS:
        page.goto(path)
        found[f"anonymous {path}"] = serious_violations(page)
    context.close()
    for who, paths in PAGES.items():
        context = _context(chromium, server, phone=phone)
        page = context.new_page()
        _login(page, admin if who == "admin" else tree["users"][who])
        for path in paths:
            page.goto(path.format(child=added_child))
            assert page.title(), f"{who} {path}: no title"
            found[f"{who} {path}"] = serious_violations(page)
            if not phone:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"a11y-{who}-{_name(path)}.png"), full_page=True)
        context.close()
    assert {where: v for where, v in found.items() if v} == {}
