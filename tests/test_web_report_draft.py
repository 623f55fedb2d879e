"""The report page as a draft in sections: a partial draft is saved, the submission lists the empty boxes
by their labels in the reader's language, bad boxes are named; a commune's consolidated report shows its
missing units first and its actions after the figures; periods read as words on every page."""

from __future__ import annotations

import calendar
import re
import time

from infra.clock import today
from portal.reports.periods import containing
from tests.test_web_reports import _form, _report_id, _stored, app, browser, tree  # noqa: F401 - fixtures

PERIOD = containing("month", today()).key
YEAR, MONTH = (int(p) for p in PERIOD.split("-"))
VI_PERIOD = f"Tháng {MONTH}/{YEAR}"
EN_PERIOD = f"{calendar.month_name[MONTH]} {YEAR}"


def _start(b) -> int:
    b.get("/reports/month")
    return _report_id(b.post("/reports/month", {"period": PERIOD}))


def _blank_form() -> dict[str, str]:
    return {name: "" for name in _form()}


def _summary_count(page: str, code: str) -> tuple[int, int]:
    found = re.search(
        rf'data-section="{code}".*?<summary>.*?data-filled="(\d+)" data-empty="(\d+)"', page, flags=re.S
    )
    assert found, code
    return int(found.group(1)), int(found.group(2))


def test_a_partial_draft_is_saved_and_the_submission_lists_the_empty_boxes(browser, tree, owner):  # noqa: F811
    b = browser("collab")
    report_id = _start(b)
    page = b.get(f"/reports/{report_id}").text
    assert page.count("<details") >= 5 and "Lưu bản nháp" in page
    # 11 causes, 2 sexes, 4 age bands, 3 places
    assert _summary_count(page, "injuries") == (0, 20) and _summary_count(page, "injury_deaths") == (0, 20)
    assert re.search(r'<details class="section" data-section="injuries" open>', page)  # the first to fill

    partial = _blank_form() | {"values.injuries.fall": "1", "values.injury_deaths.other": " 2 "}
    assert _report_id(b.post(f"/reports/{report_id}/values", partial)) == report_id
    assert _stored(owner, report_id)["entered"] == {"injuries": {"fall": 1}, "injury_deaths": {"other": 2}}
    page = b.get(f"/reports/{report_id}?msg=entered").text
    # water points and collaborators are counted from records (0034, 0035): only the typed boxes count
    assert "Đã lưu số liệu." in page and f'data-filled="2" data-boxes="{len(_form())}"' in page
    assert _summary_count(page, "injuries") == (1, 19) and _summary_count(page, "injury_deaths") == (1, 19)
    assert re.search(r'name="values.injury_deaths.other" value="2"', page)
    more = _blank_form() | {"values.injury_deaths.drowning": "1"}  # the empty boxes keep what was saved
    assert _report_id(b.post(f"/reports/{report_id}/values", more)) == report_id
    assert _stored(owner, report_id)["entered"]["injury_deaths"] == {"other": 2, "drowning": 1}

    refused = b.post(f"/reports/{report_id}/action", {"action": "submit"})
    assert refused.status_code == 422, refused.text
    top = refused.text.split('id="entry-title"')[0]  # listed near the top, before the form
    assert "Chưa nộp: các ô sau còn trống." in top
    assert (
        '<a href="#values.injuries.burn">Trẻ em bị tai nạn, thương tích</a> <span class="missing-labels">Bỏng, Giao thông'
        in top
    )
    assert "Ngã" not in top.split("Trẻ em bị tai nạn, thương tích")[1].split("</li>")[0]
    deaths = top.split("Trẻ em tử vong do tai nạn, thương tích</a>")[1].split("</li>")[0]
    assert "Bỏng" in deaths and "Đuối nước" not in deaths  # drowning and other: filled
    assert 'id="values.injury_deaths.burn-error"' in refused.text
    assert 'id="values.injury_deaths.drowning-error"' not in refused.text
    assert 'id="values.injury_deaths.other-error"' not in refused.text
    assert re.search(r'data-section="injury_deaths" open>', refused.text)
    assert _stored(owner, report_id)["status"] == "draft"

    b.post("/lang", {"lang": "en", "next": f"/reports/{report_id}"})
    english = b.post(f"/reports/{report_id}/action", {"action": "submit"})
    assert english.status_code == 422 and "Not submitted: these boxes are still empty." in english.text
    assert (
        '<a href="#values.injuries.burn">Children injured</a> <span class="missing-labels">Burn, Road traffic'
        in english.text
    )
    b.post("/lang", {"lang": "vi", "next": f"/reports/{report_id}"})

    assert _report_id(b.post(f"/reports/{report_id}/values", _form())) == report_id
    page = b.get(f"/reports/{report_id}").text
    assert _summary_count(page, "injuries") == (20, 0) and "section-count complete" in page
    assert _report_id(b.post(f"/reports/{report_id}/action", {"action": "submit"})) == report_id
    assert _stored(owner, report_id)["status"] == "submitted"


def test_bad_boxes_are_named_and_nothing_is_stored(browser, tree, owner):  # noqa: F811
    b = browser("collab")
    report_id = _start(b)
    cases = {
        "hai": "Phải là số nguyên không âm.",
        "-3": "Không được là số âm.",
        "2,5": "Phải là số nguyên không âm.",
        "12345678901": "Số quá lớn.",
    }
    for typed, shown in cases.items():
        bad = b.post(f"/reports/{report_id}/values", _blank_form() | {"values.injuries.burn": typed})
        assert bad.status_code == 422, (typed, bad.text)
        error = re.search(r'id="values.injuries.burn-error">([^<]*)<', bad.text)
        assert error and error.group(1) == shown, typed
        assert f'value="{typed}"' in bad.text and "Chưa lưu" in bad.text
        assert re.search(r'data-section="injuries" open>', bad.text)
    exceeds = b.post(
        f"/reports/{report_id}/values",
        _blank_form() | {"values.injuries.drowning": "1", "values.injury_deaths.drowning": "2"},
    )
    assert exceeds.status_code == 422 and 'id="values.injury_deaths.drowning-error"' in exceeds.text
    assert _stored(owner, report_id)["entered"] == {}

    officer = browser("officer")
    commune = _start(officer)
    by_sex = {"values.abused_children.male": "2", "values.abused_children.female": "1"}
    assert _report_id(officer.post(f"/reports/{commune}/values", by_sex)) == commune  # settings not yet in
    settings = {
        "values.abused_children.home": "1",
        "values.abused_children.school": "0",
        "values.abused_children.community": "0",
    }
    mismatch = officer.post(f"/reports/{commune}/values", by_sex | settings)
    assert mismatch.status_code == 422
    error = re.search(r'id="values.abused_children.home-error">([^<]*)<', mismatch.text)
    assert error and error.group(1) == "Tổng các ô thành phần không khớp."
    assert _stored(owner, commune)["entered"] == {"abused_children": {"male": 2, "female": 1}}


def _wait_done(b, location: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "data-poll" not in b.get(location, headers={"X-Portal-Fragment": "1"}).text:
            return
        time.sleep(0.2)
    raise AssertionError(f"{location} did not finish")


def test_a_commune_report_puts_missing_units_first_and_actions_after_the_figures(
    browser,  # noqa: F811
    tree,  # noqa: F811
    owner,
    worker,
):
    collab, officer = browser("collab"), browser("officer")
    hamlet_report = _start(collab)
    assert _report_id(collab.post(f"/reports/{hamlet_report}/values", _form())) == hamlet_report
    assert _report_id(collab.post(f"/reports/{hamlet_report}/action", {"action": "submit"})) == hamlet_report
    to_approve = officer.get(f"/reports/{hamlet_report}").text
    figures = to_approve.index('id="figures-title"')
    assert figures < to_approve.index('value="approve"') and figures < to_approve.index('name="comment"')
    assert 'name="values.injuries.fall"' not in to_approve  # submitted: no boxes
    assert (
        _report_id(officer.post(f"/reports/{hamlet_report}/action", {"action": "approve"})) == hamlet_report
    )

    commune = _start(officer)
    page = officer.get(f"/reports/{commune}").text
    top = page.split('id="entry-title"')[0]
    assert "Đơn vị cấp dưới chưa được phê duyệt" in top and tree["hamlet2"].name in top
    assert tree["hamlet"].name not in top  # approved
    assert 'name="values.abused_children.male"' in page and 'name="values.abused_children.total"' not in page
    assert 'name="values.child_friendly.communes"' not in page  # a constant, not typed
    assert page.index('id="figures-title"') < page.index(f'action="/reports/{commune}/consolidate"')

    consolidating = officer.post(f"/reports/{commune}/consolidate", {"with_missing": "1"})
    assert consolidating.status_code == 303
    _wait_done(officer, consolidating.headers["location"])
    page = officer.get(f"/reports/{commune}").text
    missing = re.search(r'<p class="alert missing-units">([^<]*)</p>', page)
    assert missing and "Đơn vị chưa có trong số liệu" in missing.group(1)
    assert tree["hamlet2"].name in missing.group(1) and tree["hamlet"].name not in missing.group(1)
    assert page.index("missing-units") < page.index('id="entry-title"') < page.index('id="figures-title"')
    injuries = re.search(r'data-figures="injuries">\s*<summary>.*?</summary>', page, flags=re.S)
    assert injuries and "Tổng số: 2" in injuries.group(0)  # the approved hamlet's two injuries

    refused = officer.post(f"/reports/{commune}/action", {"action": "submit"})
    assert refused.status_code == 422  # the commune's own boxes are empty
    for label in ("Nam", "Nữ", "Tại gia đình", "Số cơ sở trợ giúp trẻ em"):  # collaborators: counted (0034)
        assert label in refused.text.split('id="entry-title"')[0], label


def test_periods_read_as_words_on_the_pages(browser, tree, owner):  # noqa: F811
    collab, officer = browser("collab"), browser("officer")
    report_id = _start(collab)
    month = collab.get("/reports/month").text
    assert f"<h1>Báo cáo tháng: {tree['hamlet'].name}, {VI_PERIOD}</h1>" in month
    page = collab.get(f"/reports/{report_id}").text
    title = re.search(r"<title>([^<]*)</title>", page)
    assert title and title.group(1).startswith(
        f"Báo cáo tháng công tác bảo vệ, chăm sóc trẻ em, {VI_PERIOD} ·"
    )
    assert f'<span data-period="{PERIOD}">{VI_PERIOD}</span>' in page
    for path in ("/reports/month", f"/reports/{report_id}", "/reports"):
        shown = re.sub(r"<[^>]*>", " ", collab.get(path).text)
        assert VI_PERIOD in shown and PERIOD not in shown, path
    assert f"<td>{VI_PERIOD}</td>" in collab.get("/reports").text
    commune = _start(officer)
    assert f'href="/reports/{commune}"' in officer.get("/ward").text
    assert f"<td>{VI_PERIOD}</td>" in officer.get("/ward").text
    officer.post("/lang", {"lang": "en", "next": "/reports"})
    listing = officer.get("/reports").text
    assert f"<td>{EN_PERIOD}</td>" in listing and f"<td>{PERIOD}</td>" not in listing

    inspector = browser("inspector")
    dashboard = inspector.get("/dashboard").text
    options = re.findall(r'<option value="(\d{4})-(\d{2})"[^>]*>([^<]*)</option>', dashboard)
    assert options and all(text.startswith(f"Tháng {int(m)}/{y} · ") for y, m, text in options)
    chosen = re.search(r'<option value="(\d{4})-(\d{2})" selected>', dashboard)
    assert chosen and f"Chỉ tiêu: Tháng {int(chosen.group(2))}/{chosen.group(1)}" in dashboard
