"""Every period on the report pages: the list filtered by report, period (in words) and status; quarterly,
six-month and annual reports and past months started from the list (or opened, when they exist); a bad
choice named in the reader's language, with nothing written; any past month on the month's page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from infra.clock import today
from portal.reports.periods import containing
from tests.support import make_unit, make_user
from tests.test_web_reports import _report_id, app, browser, tree  # noqa: F401 - fixtures

QUARTER = containing("quarter", today())
LAST_QUARTER = containing("quarter", QUARTER.start - timedelta(days=1))
LAST_MONTH = containing("month", containing("month", today()).start - timedelta(days=1))


def _count(owner, unit_id: int) -> int:
    return owner.execute(text("SELECT count(*) FROM reports WHERE unit_id = :u"), {"u": unit_id}).scalar_one()


def _quarter_words(key: str) -> str:
    year, q = key.split("-Q")
    return f"quý {q}/{year}"


def test_a_ward_officer_starts_a_past_quarter_s_report_and_a_past_month_s_from_the_list(browser, tree, owner):  # noqa: F811
    officer = browser("officer")
    listing = officer.get("/reports").text
    assert 'action="/reports/new"' in listing
    start_form = listing.split('action="/reports/new"')[1]
    for name in ("Báo cáo quý", "Báo cáo 6 tháng", "Báo cáo năm", "Báo cáo tháng"):
        assert name in start_form
    assert f'<option value="{tree["hamlet2"].id}">{tree["hamlet2"].name}</option>' in start_form
    assert re.search(r'<optgroup label="Các quý" data-kind="quarter">', start_form)
    assert f">Quý {LAST_QUARTER.key[-1]}/{LAST_QUARTER.key[:4]}</option>" in start_form

    made = officer.post(
        "/reports/new", {"definition": "quarterly", "period": LAST_QUARTER.key, "unit_id": tree["commune"].id}
    )
    quarterly = _report_id(made)
    page = officer.get(made.headers["location"]).text
    said = f"Đã tạo báo cáo {_quarter_words(LAST_QUARTER.key)} của {tree['commune'].name}."
    assert said in page and "Báo cáo quý công tác bảo vệ, chăm sóc trẻ em" in page
    again = officer.post(
        "/reports/new", {"definition": "quarterly", "period": LAST_QUARTER.key, "unit_id": tree["commune"].id}
    )
    assert again.status_code == 303 and again.headers["location"] == f"/reports/{quarterly}"  # opened
    monthly = _report_id(
        officer.post(
            "/reports/new", {"definition": "monthly", "period": LAST_MONTH.key, "unit_id": tree["hamlet2"].id}
        )
    )
    assert monthly != quarterly

    quarters = officer.get("/reports?definition=quarterly").text
    assert f'href="/reports/{quarterly}"' in quarters and f'href="/reports/{monthly}"' not in quarters
    month_only = officer.get(f"/reports?period={LAST_MONTH.key}&status=draft").text
    assert f'href="/reports/{monthly}"' in month_only and f'href="/reports/{quarterly}"' not in month_only
    assert f'<option value="{LAST_MONTH.key}" selected>' in month_only
    none = officer.get("/reports?status=approved&definition=annual").text
    assert "Không có báo cáo nào phù hợp với lựa chọn này." in none

    officer.post("/lang", {"lang": "en", "next": "/reports"})
    english = officer.get(f"/reports?period={LAST_QUARTER.key}").text
    assert f"<td>Q{LAST_QUARTER.key[-1]} {LAST_QUARTER.key[:4]}</td>" in english


def test_a_bad_choice_is_named_and_nothing_is_written(browser, tree, owner):  # noqa: F811
    officer = browser("officer")
    officer.get("/reports")
    before = _count(owner, tree["commune"].id) + _count(owner, tree["hamlet"].id)
    cases = [
        ({"definition": "quarterly", "period": LAST_MONTH.key}, "period", "Kỳ này không đúng loại báo cáo"),
        ({"definition": "monthly", "period": "2099-01"}, "period", "Kỳ báo cáo này chưa bắt đầu."),
        ({"definition": "monthly", "period": "tháng trước"}, "period", "Hãy chọn một kỳ trong danh sách"),
        (
            {"definition": "weekly", "period": LAST_MONTH.key},
            "definition",
            "Hãy chọn loại báo cáo trong danh sách",
        ),
        ({"definition": "", "period": LAST_MONTH.key}, "definition", "Hãy chọn loại báo cáo."),
    ]
    for form, field, said in cases:
        refused = officer.post("/reports/new", form | {"unit_id": tree["commune"].id})
        assert refused.status_code == 422, (form, refused.status_code)
        error = re.search(rf'id="start-{field}-error">([^<]*)<', refused.text)
        assert error and said in error.group(1), (form, error and error.group(1))
    hamlet_quarter = officer.post(
        "/reports/new", {"definition": "quarterly", "period": LAST_QUARTER.key, "unit_id": tree["hamlet"].id}
    )
    assert hamlet_quarter.status_code == 422
    assert "Đơn vị này không lập báo cáo này cho kỳ này" in hamlet_quarter.text
    assert _count(owner, tree["commune"].id) + _count(owner, tree["hamlet"].id) == before
    outside = officer.post(
        "/reports/new",
        {"definition": "monthly", "period": LAST_MONTH.key, "unit_id": tree["other_hamlet"].id},
    )
    assert outside.status_code == 403
    for query, field in (("period=2026-Q9", "period"), ("definition=monthly&period=2026-Q1", "period")):
        bad = officer.get(f"/reports?{query}")
        assert bad.status_code == 422 and f'id="f-{field}-error"' in bad.text, query
    assert officer.get("/reports?status=lost").status_code == 422


def test_who_starts_which_report(browser, tree, owner):  # noqa: F811
    collab = browser("collab")
    form = collab.get("/reports").text.split('action="/reports/new"')[1]
    assert "Báo cáo tháng" in form and "Báo cáo quý" not in form  # a hamlet makes monthly reports only
    assert tree["hamlet2"].name not in form
    refused = collab.post(
        "/reports/new", {"definition": "quarterly", "period": LAST_QUARTER.key, "unit_id": tree["hamlet"].id}
    )
    assert refused.status_code == 422
    chair = browser("chair")
    assert 'action="/reports/new"' not in chair.get("/reports").text
    forged = chair.post(
        "/reports/new", {"definition": "monthly", "period": LAST_MONTH.key, "unit_id": tree["commune"].id}
    )
    assert forged.status_code == 403 and _count(owner, tree["commune"].id) == 0
    inspector = browser("inspector").get("/reports").text.split('action="/reports/new"')[1]
    assert tree["province"].name in inspector and "Báo cáo năm" in inspector  # at the province's level


def test_any_past_month_on_the_month_s_page(browser, tree, owner):  # noqa: F811
    collab = browser("collab")
    page = collab.get(f"/reports/month?period={LAST_MONTH.key}").text
    words = f"Tháng {int(LAST_MONTH.key[5:])}/{LAST_MONTH.key[:4]}"
    assert f"<h1>Báo cáo tháng: {tree['hamlet'].name}, {words}</h1>" in page
    assert f'<option value="{LAST_MONTH.key}" selected>{words}</option>' in page
    assert f"Bắt đầu báo cáo {words[0].lower() + words[1:]}" in page
    old = collab.get("/reports/month?period=2021-03").text
    assert '<option value="2021-03" selected>Tháng 3/2021</option>' in old
    report = _report_id(collab.post("/reports/month", {"period": LAST_MONTH.key}))
    assert owner.execute(text("SELECT period FROM reports WHERE id = :i"), {"i": report}).scalar_one() == (
        LAST_MONTH.key
    )
    for bad in ("2099-01", "2026-13", "2026-Q1"):
        refused = collab.get(f"/reports/month?period={bad}")
        assert refused.status_code == 422 and 'id="period-error"' in refused.text, bad
    assert collab.post("/reports/month", {"period": "2099-01"}).status_code == 422
    assert browser("inspector").get("/reports/month").status_code == 403


def test_a_month_before_the_commune_existed_is_refused_by_name(browser, tree, owner):  # noqa: F811
    new = make_unit(
        owner, tree["province"], "commune", f"Phường mới {tree['tag']}", valid_from=today().replace(day=1)
    )
    tree["users"]["newcomer"] = make_user(owner, f"web-new-{tree['tag']}", "ward_officer", new.id).username
    owner.commit()
    officer = browser("newcomer")
    officer.get(f"/reports/month?period={LAST_MONTH.key}")
    refused = officer.post("/reports/month", {"period": LAST_MONTH.key})
    assert refused.status_code == 422
    assert "Đơn vị này không lập báo cáo này cho kỳ này" in refused.text
    assert _count(owner, new.id) == 0
    assert _report_id(officer.post("/reports/month", {"period": containing("month", today()).key}))
