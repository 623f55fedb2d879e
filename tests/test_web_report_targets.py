"""A unit's targets on the pages, as ``PUT /units/{id}/targets`` sets them: the roles the API allows at
their own unit or one below, a bad box named in the reader's language with nothing stored, the target in
force and whose plan set it (the unit's own, the nearest unit above, or the national default)."""

from __future__ import annotations

import re

from sqlalchemy import text

from infra.clock import today
from tests.test_web_reports import app, browser, tree  # noqa: F401 - fixtures

YEAR = today().year


def _stored(owner, unit_id: int) -> dict[str, float]:
    owner.expire_all()
    rows = owner.execute(
        text("SELECT target_code, pct FROM unit_targets WHERE unit_id = :u AND year = :y"),
        {"u": unit_id, "y": YEAR},
    )
    return {code: float(pct) for code, pct in rows}


def _in_force(page: str, code: str) -> tuple[str, str]:
    row = re.search(rf'<tr data-target="{code}">(.*?)</tr>', page, re.S).group(1)
    pct = re.search(r'data-pct="([^"]*)"', row).group(1)
    set_by = re.findall(r"<td>([^<]*)</td>", row)[0]
    return pct, set_by


def test_a_ward_officer_sets_the_commune_s_targets_and_a_hamlet_inherits_them(browser, tree, owner):  # noqa: F811
    officer = browser("officer")
    page = officer.get("/targets").text
    assert f"Chỉ tiêu của {tree['commune'].name}, năm {YEAR}" in page
    assert _in_force(page, "birth_registered") == ("100", "Mức chung toàn quốc")
    assert _in_force(page, "action_month") == ("90", "Mức chung toàn quốc")
    assert 'tabindex="0" role="region"' in page and '<th scope="col"></th>' not in page

    bad = officer.post(
        "/targets",
        {
            "unit": tree["commune"].id,
            "year": YEAR,
            "pct.birth_registered": "95",
            "pct.action_month": "chín mươi",
        },
    )
    assert bad.status_code == 422
    error = re.search(r'id="pct.action_month-error">([^<]*)<', bad.text).group(1)
    assert error == "Phải là tỷ lệ phần trăm từ 0 đến 100, ví dụ 90 hoặc 92,5."
    assert 'value="chín mươi"' in bad.text and _stored(owner, tree["commune"].id) == {}
    too_much = officer.post(
        "/targets", {"unit": tree["commune"].id, "year": YEAR, "pct.birth_registered": "101"}
    )
    assert too_much.status_code == 422 and 'id="pct.birth_registered-error"' in too_much.text
    empty = officer.post("/targets", {"unit": tree["commune"].id, "year": YEAR})
    assert empty.status_code == 422 and "Hãy nhập ít nhất một tỷ lệ phần trăm." in empty.text
    bad_year = officer.post(
        "/targets", {"unit": tree["commune"].id, "year": "20x6", "pct.birth_registered": "95"}
    )
    assert bad_year.status_code == 422 and "Phải là một năm từ 2000 đến 2100." in bad_year.text
    assert _stored(owner, tree["commune"].id) == {}

    saved = officer.post(
        "/targets",
        {"unit": tree["commune"].id, "year": YEAR, "pct.birth_registered": "92,5", "pct.action_month": "95%"},
    )
    assert saved.status_code == 303, saved.text
    assert _stored(owner, tree["commune"].id) == {"birth_registered": 92.5, "action_month": 95.0}
    page = officer.get(saved.headers["location"]).text
    assert f"Đã lưu chỉ tiêu năm {YEAR} của {tree['commune'].name}." in page
    assert _in_force(page, "birth_registered") == ("92,5", tree["commune"].name)
    hamlet = officer.get(f"/targets?unit={tree['hamlet'].id}").text  # from the units below
    assert _in_force(hamlet, "birth_registered") == ("92,5", tree["commune"].name)
    assert f'href="/targets?unit={tree["commune"].id}&amp;year={YEAR}"' in hamlet  # the unit above
    officer.post("/lang", {"lang": "en", "next": "/targets"})
    assert _in_force(officer.get("/targets").text, "birth_registered") == ("92.5", tree["commune"].name)


def test_targets_are_for_the_roles_and_the_area_the_api_allows(browser, tree, owner):  # noqa: F811
    for who in ("collab", "chair", "hotline"):
        assert browser(who).get("/targets").status_code == 403, who
    assert browser("other_officer").get(f"/targets?unit={tree['commune'].id}").status_code == 403
    assert browser("officer").get(f"/targets?unit={tree['province'].id}").status_code == 403
    assert browser("officer").get("/targets?unit=999999999999").status_code == 404
    collab = browser("collab")
    collab.get("/reports")
    forged = collab.post("/targets", {"unit": tree["hamlet"].id, "year": YEAR, "pct.birth_registered": "50"})
    assert forged.status_code == 403 and _stored(owner, tree["hamlet"].id) == {}
    inspector = browser("inspector")
    page = inspector.get(f"/targets?unit={tree['commune'].id}").text
    assert _in_force(page, "child_friendly") == ("100", "Mức chung toàn quốc")
    set_below = inspector.post(
        "/targets", {"unit": tree["commune"].id, "year": YEAR, "pct.child_friendly": "80"}
    )
    assert set_below.status_code == 303 and _stored(owner, tree["commune"].id) == {"child_friendly": 80.0}
