"""axe-core on every main page of every role, in Debian's Chromium: no violation of impact serious or
critical, on a desk (1366×768) and on a phone (390×844), in Vietnamese. Screenshots of each role's main
pages are written to var/screenshots/<role>-<page>.png (desk) and <role>-<page>-phone.png (phone).

The pages are those the navigation offers each role, with the records the tree gives them (a child's
page, a case list, the month's reports); the other browser tests run axe on the pages they visit too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from infra.db import admin_engine
from tests.e2e.axe import DESK_TARGET, PHONE_TARGET, serious_violations
from tests.support import make_unit, make_user
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
    "district": [
        "/dashboard",
        "/inspections",
        "/inspections/new",
        "/cases/stats",
        "/recommendations",
        "/reports",
    ],
    "admin": [
        "/admin",
        "/admin/accounts",
        "/admin/reorganisations",
        "/admin/audit",
        "/calendar",
        "/reference",
    ],
}
# The role each key of PAGES stands for, as the screenshots are named.
ROLES = {
    "collab": "collaborator",
    "officer": "ward_officer",
    "chair": "commune_chairman",
    "hotline": "hotline_officer",
    "inspector": "provincial_inspector",
    "district": "district_officer",
    "admin": "admin",
}
ANONYMOUS = ["/login", "/activate", "/no-such-page"]


def _desk(chromium: Any, server: str) -> Any:  # noqa: F811 - the imported fixtures
    """A desk at 1366×768, the screen the issue's walk-through used."""
    context = chromium.new_context(base_url=server, locale="vi-VN", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    return context


def _name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.axe_in_test
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
        district = make_unit(owner, tree["province"], "district", f"Huyện a11y {tree['tag']}")
        district_officer = make_user(owner, f"a11y-district-{tree['tag']}", "district_officer", district.id)
    people = {**tree["users"], "admin": admin, "district": district_officer.username}
    context = _context(chromium, server, phone=phone)
    page = context.new_page()
    for path in ANONYMOUS:
        page.goto(path)
        found[f"anonymous {path}"] = serious_violations(page, PHONE_TARGET if phone else DESK_TARGET)
    context.close()
    for who, paths in PAGES.items():
        context = _desk(chromium, server) if not phone else _context(chromium, server, phone=True)
        page = context.new_page()
        _login(page, people[who])
        for path in paths:
            page.goto(path.format(child=added_child))
            assert page.title(), f"{who} {path}: no title"
            found[f"{who} {path}"] = serious_violations(page, PHONE_TARGET if phone else DESK_TARGET)
            SHOTS.mkdir(parents=True, exist_ok=True)
            shot = SHOTS / f"{ROLES[who]}-{_name(path)}{'-phone' if phone else ''}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000
        context.close()
    assert {where: v for where, v in found.items() if v} == {}
