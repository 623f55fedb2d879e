"""Vietnamese pages speak Vietnamese: each role logs in with a Vietnamese browser and reads every page its
navigation leads to (and the pages those link to), in Chromium; no page may show an English message of
the catalogue, nor a bare "None".

Which English texts count (the rule): every msgid of the catalogue whose Vietnamese translation is
different, cut at its placeholders; a piece is looked for when it has at least two words, or is a
single word of at least four letters (matched as a whole word, case-sensitively). A piece that also
occurs inside some Vietnamese translation ("PDF", "dd/mm/yyyy") cannot tell the languages apart and is
ignored, as are numbers and short words ("Kỳ", "Tổ"), which are not English pieces in the first place.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from babel.messages.pofile import read_po
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.locale import catalogue_path
from portal.stats.disclosure import last_complete_month, month_end
from tests.cases_support import intake_body, open_case
from tests.e2e.site import NAMES, add_named_children
from tests.support import PASSWORD, make_unit, make_user
from tests.support import login as api_login
from tests.test_web_browser import _need_chromium, chromium, server  # noqa: F401 - fixtures

PLACEHOLDER = re.compile(r"%\(\w+\)s")
SKIP = re.compile(r"^/(logout|lang)\b|/file\b|/download|/attachments/|\.(xlsx|pdf|csv)$")
MOST_PAGES_PER_ROLE = 15


def _english_pieces() -> list[re.Pattern[str]]:
    with catalogue_path("vi").open("rb") as po:
        catalogue = [m for m in read_po(po) if m.id]
    translations = " \n ".join(
        s for m in catalogue for s in (m.string if isinstance(m.string, tuple) else [m.string])
    )
    pieces: set[str] = set()
    for m in catalogue:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for msgid in ids:
            if msgid in strings:
                continue
            for piece in PLACEHOLDER.split(msgid):
                piece = piece.strip(" :;,.·()–-")
                words = re.findall(r"[A-Za-z]+", piece)
                if (
                    len(piece.split()) >= 2 or (len(words) == 1 and len(words[0]) >= 4 and piece == words[0])
                ) and (piece not in translations):
                    pieces.add(piece)
    return [re.compile(rf"(?<![\w-]){re.escape(p)}(?![\w-])") for p in sorted(pieces, key=len, reverse=True)]


@pytest.fixture(scope="module")
def people(database: object, client: Any) -> dict[str, Any]:
    """Province > district > commune > hamlet with children and a case, one person of each role, and an
    inspection of the commune."""
    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        province = make_unit(owner, None, "province", f"Tỉnh ngôn ngữ {tag}")
        district = make_unit(owner, province, "district", f"Huyện ngôn ngữ {tag}")
        commune = make_unit(owner, district, "commune", f"Xã ngôn ngữ {tag}")
        hamlet = make_unit(owner, commune, "hamlet", f"Thôn ngôn ngữ {tag}")
        children = add_named_children(owner, hamlet, NAMES)
        users = {
            "collaborator": make_user(owner, f"lang-collab-{tag}", "collaborator", hamlet.id),
            "ward_officer": make_user(owner, f"lang-officer-{tag}", "ward_officer", commune.id),
            "district_officer": make_user(owner, f"lang-district-{tag}", "district_officer", district.id),
            "provincial_inspector": make_user(owner, f"lang-insp-{tag}", "provincial_inspector", province.id),
            "admin": make_user(owner, f"lang-admin-{tag}", "admin", None),
        }
    collaborator = api_login(client, users["collaborator"].username)
    open_case(client, collaborator, intake_body(str(children[0].id)))  # the case pages have content
    inspector = api_login(client, users["provincial_inspector"].username)
    body = {
        "title": f"Kiểm tra ngôn ngữ {tag}",
        "period_start": last_complete_month().replace(month=1).isoformat(),
        "period_end": month_end(last_complete_month()).isoformat(),
        "unit_ids": [commune.id],
        "team": [],
    }
    response = client.post("/api/v1/inspections", headers=inspector, json=body)
    assert response.status_code == 201, response.text
    return {"users": {role: u.username for role, u in users.items()}, "plan_id": int(response.json()["id"])}


def _login(page: Any, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/(children|ward|dashboard|admin)$"))


def _links(page: Any, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not SKIP.search(h)]


def _english_on(text: str, pieces: list[re.Pattern[str]]) -> list[str]:
    found = [p.pattern for p in pieces if p.search(text)]
    if re.search(r"(?<![\w-])None(?![\w-])", text):
        found.append("None")
    return found


def _run_checks(page: Any, plan_id: int) -> None:
    """The inspector runs the automated checks, so the plan's page shows their evidence."""
    page.goto(f"/inspections/{plan_id}")
    page.get_by_role("button", name="Chạy kiểm tra tự động").click()
    page.wait_for_url(re.compile(r"/inspection-runs/\d+$"))
    deadline = time.monotonic() + 60
    while "Hoàn thành." not in page.inner_text("main"):
        assert time.monotonic() < deadline, "the checks did not finish"
        page.wait_for_timeout(200)


@pytest.fixture(scope="module")
def vietnamese(chromium: Any, server: str) -> Iterator[Any]:  # noqa: F811 - the imported fixtures
    context = chromium.new_context(base_url=server, locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.mark.parametrize(
    "role", ["provincial_inspector", "collaborator", "ward_officer", "district_officer", "admin"]
)
def test_every_page_of_each_role_is_in_vietnamese(
    vietnamese: Any, people: dict[str, Any], role: str, worker: object
) -> None:
    pieces = _english_pieces()
    assert len(pieces) > 300  # the rule keeps most of the catalogue
    vietnamese.clear_cookies()
    page = vietnamese.new_page()
    _login(page, people["users"][role])
    if role == "provincial_inspector":
        _run_checks(page, people["plan_id"])
    page.goto("/")
    queue = ["/", *_links(page, "nav.nav a")]
    if role not in ("collaborator", "admin"):
        queue.append(f"/inspections/{people['plan_id']}")
    seen: set[str] = set()
    problems: dict[str, list[str]] = {}
    while queue and len(seen) < MOST_PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        text = page.inner_text("body") + " " + page.title()
        english = _english_on(text, pieces)
        if english:
            problems[path] = english
        queue.extend(h for h in _links(page, "main a") if h not in seen)
    page.close()
    assert len(seen) >= 4, seen
    assert problems == {}, problems
