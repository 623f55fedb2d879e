"""Completeness and timeliness of reports over a seeded province with late and missing reports: the
counts per level and per sub-unit, the reports to follow up worst first, due dates on the working
calendar (a report not yet due is pending, not missing), a report sent back no longer received, and
who may read the rates (each role on its own unit, a sibling, its parent and a unit below)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import VIETNAM
from portal.reports.timeliness import rates_for, reporting_rates
from tenancy.resolve import scope_for
from tests.reporting import act, build_tree, enter, hamlet_values, start, who
from tests.support import audit_rows

OCTOBER = "2026-10"  # ends Saturday 31 October: hamlets due Wed 4 Nov, communes Fri 6, districts Wed 11


def submitted_at(owner: Session, report_id: int, day: date) -> None:
    """Move the report's submission to 10:00 on ``day`` in Vietnam (the clock of the arrangement)."""
    at = datetime(day.year, day.month, day.day, 10, tzinfo=VIETNAM)
    owner.execute(
        text("UPDATE report_events SET at = :at WHERE report_id = :r AND action = 'submit'"),
        {"at": at, "r": report_id},
    )
    owner.commit()


def submit(client: Any, headers: dict[str, str], unit: Any, approve: bool = False) -> dict:
    report = enter(client, headers, start(client, headers, unit, OCTOBER), hamlet_values())
    report = act(client, headers, report["id"], "submit", version=report["version"])
    if approve:
        report = act(client, headers, report["id"], "approve", version=report["version"])
    return report


@pytest.fixture()
def province(client: Any, owner: Session) -> dict[str, Any]:
    """District 1: A1 on time and approved, A2 late, A3 a draft, B1 on time but sent back, B2 nothing;
    commune A submitted on time, B and N nothing. District 2: C1 on time, C2 late; commune C late."""
    tree = build_tree(owner)
    oa, ob, oc = (who(client, tree, k) for k in ("oa", "ob", "oc"))
    a1 = submit(client, oa, tree["ha"][0], approve=True)
    submitted_at(owner, a1["id"], date(2026, 11, 3))
    a2 = submit(client, oa, tree["ha"][1])
    submitted_at(owner, a2["id"], date(2026, 11, 10))
    start(client, oa, tree["ha"][2], OCTOBER)
    b1 = submit(client, ob, tree["hb"][0])
    submitted_at(owner, b1["id"], date(2026, 11, 4))  # the last day: on time
    act(client, ob, b1["id"], "return", version=b1["version"], comment="Thiếu số liệu tai nạn")
    c1 = submit(client, oc, tree["hc"][0])
    submitted_at(owner, c1["id"], date(2026, 11, 2))
    c2 = submit(client, oc, tree["hc"][1])
    submitted_at(owner, c2["id"], date(2026, 11, 5))  # a day late
    for unit, day in ((tree["a"], date(2026, 11, 6)), (tree["c"], date(2026, 11, 9))):
        report = start(client, who(client, tree, "oa" if unit is tree["a"] else "oc"), unit, OCTOBER)
        at = datetime(day.year, day.month, day.day, 16, tzinfo=VIETNAM)
        owner.execute(
            text("UPDATE reports SET status = 'submitted', submitted_at = :at WHERE id = :r"),
            {"r": report["id"], "at": at},
        )
        owner.execute(
            text(
                "INSERT INTO report_events (report_id, action, from_status, to_status, at) "
                "VALUES (:r, 'submit', 'draft', 'submitted', :at)"
            ),
            {"r": report["id"], "at": at},
        )
    owner.commit()
    return tree


def counts(expected: int, received: int, on_time: int, late: int, missing: int, pending: int = 0) -> dict:
    return {
        "expected": expected,
        "received": received,
        "on_time": on_time,
        "late": late,
        "missing": missing,
        "pending": pending,
        "completeness_pct": round(100 * received / expected, 1),
        "timeliness_pct": round(100 * on_time / expected, 1),
    }


def test_a_province_reads_each_level_and_district_and_the_units_to_follow_up(client, province):
    tree = province
    body = client.get(
        "/api/v1/reporting-rates",
        params={"definition": "monthly", "period": OCTOBER, "unit_id": tree["p"].id},
        headers=who(client, tree, "insp"),
    )
    assert body.status_code == 200, body.text
    rates = body.json()
    assert rates["due"] == {
        "hamlet": "2026-11-04",
        "commune": "2026-11-06",
        "district": "2026-11-11",
        "province": "2026-11-13",
    }
    assert rates["levels"] == {
        "province": counts(1, 0, 0, 0, 1),
        "district": counts(2, 0, 0, 0, 2),
        "commune": counts(4, 2, 1, 1, 2),  # A on time, C late, B and N missing
        "hamlet": counts(7, 4, 2, 2, 3),  # A1 C1 on time, A2 C2 late, A3 B1 B2 missing
    }
    by_unit = {u["id"]: u["levels"] for u in rates["units"]}
    assert by_unit[tree["d1"].id] == {
        "district": counts(1, 0, 0, 0, 1),
        "commune": counts(3, 1, 1, 0, 2),
        "hamlet": counts(5, 2, 1, 1, 3),
    }
    assert by_unit[tree["d2"].id]["hamlet"] == counts(2, 2, 1, 1, 0)
    outstanding = [(o["name"], o["state"]) for o in rates["outstanding"]]
    # missing first (the province, then the districts, communes and hamlets), then the late ones
    assert outstanding[0] == (tree["p"].name, "missing")
    assert [s for _, s in outstanding] == ["missing"] * 8 + ["late"] * 3
    late = {name for name, state in outstanding if state == "late"}
    assert late == {tree["c"].name, tree["ha"][1].name, tree["hc"][1].name}
    sent_back = next(o for o in rates["outstanding"] if o["name"] == tree["hb"][0].name)
    assert sent_back["status"] == "returned" and sent_back["state"] == "missing"
    assert "children" not in str(rates).lower()  # about reports only


def test_a_report_not_yet_due_is_pending_and_counts_as_not_received(owner, province):
    tree = province
    officer = Caller(
        0, "rates-oa", "ward_officer", "ward_officer", tree["a"], scope_for("ward_officer", tree["a"].path)
    )
    before = rates_for(owner, officer, "monthly", OCTOBER, tree["a"].id)
    assert before.levels["hamlet"].missing == 1  # A3, still a draft
    on_due_day = reporting_rates(
        owner, officer, before.definition, before.period, tree["a"], on=date(2026, 11, 4)
    )
    assert on_due_day.levels["hamlet"].pending == 1 and on_due_day.levels["hamlet"].missing == 0
    assert on_due_day.levels["hamlet"].late == 1  # A2 came on the 10th: late whatever the day it is read
    assert on_due_day.levels["commune"].pending == 0 and on_due_day.levels["commune"].on_time == 1
    assert on_due_day.levels["hamlet"].completeness == round(100 * 2 / 3, 1)


@pytest.mark.parametrize(
    ("key", "unit", "allowed"),
    [
        ("oa", "a", True),  # own commune
        ("oa", "b", False),  # sibling
        ("oa", "d1", False),  # parent
        ("oa", "ha0", True),  # a hamlet below
        ("d1", "d1", True),
        ("d1", "d2", False),
        ("d1", "p", False),
        ("d1", "a", True),
        ("insp", "p", True),
        ("insp", "c", True),
        ("ca1", "ha0", True),
        ("ca1", "a", False),
        ("ca1", "ha1", False),
    ],
)
def test_who_reads_the_rates_of_which_unit(client, owner, province, key, unit, allowed):
    tree = province
    target = tree["ha"][int(unit[2:])] if unit.startswith("ha") else tree[unit]
    response = client.get(
        "/api/v1/reporting-rates",
        params={"definition": "monthly", "period": OCTOBER, "unit_id": target.id},
        headers=who(client, tree, key),
    )
    assert response.status_code == (200 if allowed else 404), response.text
    if not allowed:
        denied = audit_rows(owner, f"rp-{key}-{tree['tag']}", outcome="denied")
        assert denied, "a refused read is audited"


def test_bad_input_names_the_field(client, province):
    headers = who(client, province, "d1")
    unknown = client.get(
        "/api/v1/reporting-rates", params={"definition": "weekly", "period": OCTOBER}, headers=headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "definition"
    shape = client.get(
        "/api/v1/reporting-rates", params={"definition": "monthly", "period": "10/2026"}, headers=headers
    )
    assert shape.status_code == 422 and shape.json()["errors"][0]["field"] == "period"
    future = (date.today() + timedelta(days=62)).strftime("%Y-%m")
    ahead = client.get(
        "/api/v1/reporting-rates", params={"definition": "monthly", "period": future}, headers=headers
    )
    assert ahead.status_code == 422
    missing = client.get("/api/v1/reporting-rates", params={"definition": "monthly"}, headers=headers)
    assert missing.status_code == 400 and "period" in missing.text


def test_the_inspection_checklist_counts_on_time_by_the_same_due_dates(owner, province):
    """Commune A sent October on Friday 6 November at 16:00, its fifth working day: on time, where
    "five calendar days" would have called it late."""
    from portal.inspections.checks import _reports
    from portal.inspections.models import InspectionPlan

    plan = InspectionPlan(
        title="Kiểm tra",
        inspecting_unit_id=province["p"].id,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
    )
    evidence = _reports(owner, province["d1"], plan)
    assert evidence["expected"] == 3 and evidence["submitted"] == 1 and evidence["on_time"] == 1
    in_d2 = _reports(owner, province["d2"], plan)
    assert in_d2["submitted"] == 1 and in_d2["on_time"] == 0  # commune C: Monday 9 November, late


def test_the_rates_page_drills_down_names_the_late_and_downloads_the_same_counts(browser, province):
    import io

    from openpyxl import load_workbook

    tree = province
    district = browser(f"rp-d1-{tree['tag']}")
    page = district.get(f"/reports/rates?definition=monthly&period={OCTOBER}&unit={tree['d1'].id}")
    assert page.status_code == 200, page.text
    text_ = page.text
    assert "Tỷ lệ báo cáo" in text_ and "Hạn nộp 04/11/2026" in text_
    assert f'href="/reports/rates?definition=monthly&amp;period={OCTOBER}&amp;unit={tree["a"].id}"' in text_
    assert 'data-state="late"' in text_ and tree["ha"][1].name in text_ and "Trễ hạn" in text_
    assert tree["c"].name not in text_  # the other district's commune
    below = district.get(f"/reports/rates?definition=monthly&period={OCTOBER}&unit={tree['a'].id}")
    assert below.status_code == 200 and f">{tree['d1'].name}</a>" in below.text  # the way back up
    district.client.cookies.set("portal_lang", "en")
    english = district.get(f"/reports/rates?definition=monthly&period={OCTOBER}&unit={tree['d1'].id}")
    assert "Reporting rates" in english.text and "Due 04/11/2026" in english.text and "Late" in english.text
    xlsx = district.get(f"/reports/rates/download?definition=monthly&period={OCTOBER}&unit={tree['d1'].id}")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(xlsx.content))
    levels = book.worksheets[0]
    rows = {r[0]: r[2:] for r in levels.iter_rows(min_row=4, values_only=True)}
    assert rows["Hamlet or residential group"] == (5, 2, 1, 1, 3, 0, 40.0, 20.0)
    assert rows["Commune or ward"][:2] == (3, 1)
    follow = [r for r in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert (tree["ha"][1].name, "Hamlet or residential group", "Late") == follow[-1][:3]


def test_the_rates_page_refuses_bad_choices_and_other_areas(browser, owner, province):
    tree = province
    officer = browser(f"rp-oa-{tree['tag']}")
    bad = officer.get("/reports/rates?definition=monthly&period=2026-Q3")
    assert bad.status_code == 422 and 'aria-invalid="true" aria-describedby="f-period-error"' in bad.text
    unknown = officer.get("/reports/rates?definition=weekly")
    assert unknown.status_code == 422 and "f-definition-error" in unknown.text
    sibling = officer.get(f"/reports/rates?period={OCTOBER}&unit={tree['b'].id}")
    assert sibling.status_code == 404 and "<html" in sibling.text.lower()
    assert audit_rows(owner, f"rp-oa-{tree['tag']}", outcome="denied")
    own = officer.get(f"/reports/rates?period={OCTOBER}")  # the caller's own commune by default
    assert own.status_code == 200 and tree["a"].name in own.text and tree["ha"][2].name in own.text


def test_the_dashboard_shows_the_rates_of_its_unit_and_period(browser, province):
    tree = province
    inspector = browser(f"rp-insp-{tree['tag']}")
    inspector.client.cookies.set("portal_lang", "en")
    page = inspector.get(f"/dashboard?unit={tree['d1'].id}&definition=monthly&period={OCTOBER}")
    assert page.status_code == 200, page.text
    table = page.text[page.text.index('class="rates"') :]
    table = table[: table.index("</table>")]
    assert (
        '<th scope="row">Hamlet or residential group</th><td class="num">5</td><td class="num">40%</td><td class="num">20%</td>'
        in table
    )
    assert f"/reports/rates?definition=monthly&amp;period={OCTOBER}&amp;unit={tree['d1'].id}" in page.text
