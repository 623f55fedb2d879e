"""Child-friendly commune pages through the real app: the ward officer starts the self-assessment, enters
the rest with its evidence (a wrong number named in Vietnamese), submits; the province, the level above
a commune without a district, decides; the assessment is then locked; a sibling commune gets the 404
page; the inspector's dashboard counts recognised communes against the target."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from portal.childfriendly.criteria import load
from portal.web.child_friendly_forms import SEP
from tests.child_friendly_support import YEAR, build

MADE = re.compile(r"/child-friendly/(\d+)\?done=created")


@pytest.fixture(scope="module")
def tree(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build(owner)


def _user(tree, key):
    return f"rp-{key}-{tree['tag']}"


def _version(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.text).group(1)


def _values() -> dict[str, str]:
    form = {}
    for code, ind in load().indicators.items():
        if ind.computed:
            continue
        if ind.kind == "flag":
            form[f"{code}{SEP}flag"] = "yes"
        elif ind.kind == "count_max":
            form[f"{code}{SEP}count"] = "0"
        else:
            form[f"{code}{SEP}numerator"] = "0" if ind.kind == "rate_max" else "120"
            form[f"{code}{SEP}denominator"] = "120"
        form[f"{code}{SEP}document"] = "Báo cáo số 15/BC-UBND ngày 01/12/2026"
    return form


def test_the_commune_assesses_itself_and_the_province_recognises_it(browser, tree, owner):
    ward = browser(_user(tree, "oz"))
    index = ward.get("/child-friendly")
    assert index.status_code == 200 and "Bắt đầu tự đánh giá" in index.text
    made = ward.post("/child-friendly/start", {"year": str(YEAR)})
    assert made.status_code == 303, made.text
    assessment_id = int(MADE.search(made.headers["location"]).group(1))
    page = ward.get(f"/child-friendly/{assessment_id}")
    assert page.status_code == 200
    assert "Nguồn lực thực hiện quyền trẻ em" in page.text and "Tài khoản" in page.text
    bad = _values() | {f"c7_immunised{SEP}numerator": "nhiều", "version": _version(page)}
    refused = ward.post(f"/child-friendly/{assessment_id}/values", bad)
    assert refused.status_code == 422
    assert 'id="c7_immunised__numerator-error">Phải là số nguyên không âm.' in refused.text
    stored = owner.execute(
        text("SELECT \"values\" ? 'c1_board' FROM child_friendly_assessments WHERE id = :i"),
        {"i": assessment_id},
    ).scalar_one()
    assert stored is False  # nothing written by the refused form
    saved = ward.post(f"/child-friendly/{assessment_id}/values", _values() | {"version": _version(refused)})
    assert saved.status_code == 303, saved.text
    page = ward.get(f"/child-friendly/{assessment_id}")
    submitted = ward.post(f"/child-friendly/{assessment_id}/submit", {"version": _version(page)})
    assert submitted.status_code == 303, submitted.text

    inspector = browser(_user(tree, "insp"))
    inspector.client.cookies.set("portal_lang", "en")
    page = inspector.get(f"/child-friendly/{assessment_id}")
    assert page.status_code == 200 and "Record the decision" in page.text and "1000" in page.text
    decided = inspector.post(
        f"/child-friendly/{assessment_id}/decide",
        {"decision": "recognised", "decision_ref": "Quyết định 77/QĐ-UBND", "version": _version(page)},
    )
    assert decided.status_code == 303, decided.text
    page = inspector.get(f"/child-friendly/{assessment_id}")
    assert "Recognised child-friendly" in page.text and "Record the decision" not in page.text
    dashboard = inspector.get(f"/child-friendly?year={YEAR}")
    assert dashboard.status_code == 200 and "Recognised communes in" in dashboard.text

    locked = ward.post(f"/child-friendly/{assessment_id}/values", _values())
    assert locked.status_code == 409
    sibling = browser(_user(tree, "oa")).get(f"/child-friendly/{assessment_id}")
    assert sibling.status_code == 404
