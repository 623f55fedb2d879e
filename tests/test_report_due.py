"""Report due dates on the working-day calendar: the defaults per definition and level as data, Tết 2026
moving a date, the date in a report's JSON and on its page in both languages, and an administrator's
change (with a clear 4xx on bad input, and refused to anyone else)."""

from __future__ import annotations

from datetime import date

from litestar.testing import TestClient
from sqlalchemy import text

from portal.reports.due import DEFAULT_DUE_DAYS, due_on
from portal.workdays.calendar import WorkingCalendar
from tests.e2e.site import Browser
from tests.reporting import build_tree, start, who
from tests.support import audit_rows, login, make_user

JANUARY_2026_ENDS = date(2026, 1, 31)  # a Saturday


def test_the_january_2026_reports_are_due_level_by_level_and_tet_moves_a_later_date():
    calendar = WorkingCalendar()  # the statutory holidays: Tết 2026 is Monday 16 to Friday 20 February
    due = {level: due_on(calendar, JANUARY_2026_ENDS, n) for level, n in DEFAULT_DUE_DAYS.items()}
    assert due == {
        "hamlet": date(2026, 2, 4),  # Mon 2, Tue 3, Wed 4
        "commune": date(2026, 2, 6),
        "district": date(2026, 2, 11),
        "province": date(2026, 2, 13),  # the Friday before the holiday (Sat 14 to Sun 22 February)
    }
    # Twelve working days run across Tết: Tuesday 24 February, where weekdays alone would give Tuesday
    # 17 February, the first day of the Lunar New Year.
    assert due_on(calendar, JANUARY_2026_ENDS, 12) == date(2026, 2, 24)
    # its reminder, two working days ahead, comes before the holiday: Monday 23 is one, Friday 13 two
    assert calendar.working_days_before(date(2026, 2, 24), 2) == date(2026, 2, 13)
    # a day off the government adds moves it again; a Saturday worked in exchange brings it back
    assert due_on(WorkingCalendar({date(2026, 2, 23): "off"}), JANUARY_2026_ENDS, 12) == date(2026, 2, 25)
    swapped = WorkingCalendar({date(2026, 2, 23): "off", date(2026, 2, 21): "working"})
    assert due_on(swapped, JANUARY_2026_ENDS, 12) == date(2026, 2, 24)
    # the commune's Q4 2025 report: New Year's Day is not a working day
    assert due_on(calendar, date(2025, 12, 31), 5) == date(2026, 1, 8)


def test_every_definition_has_the_defaults_for_the_levels_that_make_it(owner):
    rows = owner.execute(
        text(
            "SELECT d.code, r.level, r.working_days FROM report_due_days r "
            "JOIN report_definitions d ON d.id = r.definition_id"
        )
    ).all()
    days: dict[str, dict[str, int]] = {}
    for code, level, n in rows:
        days.setdefault(code, {})[level] = n
    above_hamlet = {k: v for k, v in DEFAULT_DUE_DAYS.items() if k != "hamlet"}
    assert days["monthly"] == DEFAULT_DUE_DAYS  # made from the hamlet up
    assert days["quarterly"] == days["half_year"] == days["annual"] == above_hamlet  # from the commune


def test_a_report_shows_its_due_date_in_its_json_and_on_its_page(client, owner):
    tree = build_tree(owner)
    collaborator = who(client, tree, "ca1")
    report = start(client, collaborator, tree["ha"][0], "2026-01")
    assert report["due_date"] == "2026-02-04" and report["period_end"] == "2026-01-31"
    again = client.get(f"/api/v1/reports/{report['id']}", headers=collaborator).json()
    assert again["due_date"] == "2026-02-04"
    commune = start(client, who(client, tree, "oa"), tree["a"], "2025-12")
    assert commune["due_date"] == "2026-01-08"  # 1 January is a holiday

    from portal.app import create_app

    with TestClient(app=create_app(), base_url="http://testserver.local") as raw:
        person = Browser(raw)
        person.login(f"rp-ca1-{tree['tag']}")
        page = person.get(f"/reports/{report['id']}")
        assert page.status_code == 200 and "Hạn nộp: 04/02/2026" in page.text
        person.post("/lang", {"lang": "en", "next": f"/reports/{report['id']}"})
        english = person.get(f"/reports/{report['id']}")
        assert "Due: 04/02/2026" in english.text and "Hạn nộp" not in english.text


def test_an_administrator_changes_the_days_and_bad_input_is_refused(client, owner):
    tree = build_tree(owner)
    admin_name = f"rp-admin-{tree['tag']}"
    make_user(owner, admin_name, "admin", None)
    admin, officer = login(client, admin_name), who(client, tree, "oa")
    url = "/api/v1/report-definitions/monthly/due-days"
    shown = client.get(url, headers=officer)
    assert shown.status_code == 200 and shown.json() == {
        "definition": "monthly",
        "days": DEFAULT_DUE_DAYS,
        "defaults": DEFAULT_DUE_DAYS,
    }
    assert client.put(url, headers=officer, json={"days": {"province": 12}}).status_code == 403
    try:
        changed = client.put(url, headers=admin, json={"days": {"province": 12}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["days"] == {**DEFAULT_DUE_DAYS, "province": 12}
        inspector = who(client, tree, "insp")
        province = start(client, inspector, tree["p"], "2026-01")
        assert province["due_date"] == "2026-02-24"  # twelve working days, across Tết
        entry = audit_rows(owner, admin_name, "allowed")[-1]
        assert entry["resource"] == "report_due" and entry["detail"]["before"] == {"province": 10}

        for body, field, status in (
            ({"days": {"hamlet": 0}}, "days.hamlet", 422),
            ({"days": {"hamlet": 41}}, "days.hamlet", 422),
            ({"days": {"village": 3}}, "days.village", 422),
            ({"days": {}}, "days", 422),
        ):
            refused = client.put(url, headers=admin, json=body)
            assert refused.status_code == status, (body, refused.text)
            assert [e["field"] for e in refused.json()["errors"]] == [field], refused.text
        not_made = client.put(
            "/api/v1/report-definitions/quarterly/due-days", headers=admin, json={"days": {"hamlet": 3}}
        )
        assert not_made.status_code == 422 and not_made.json()["errors"][0]["field"] == "days.hamlet"
        not_a_number = client.put(url, headers=admin, json={"days": {"commune": "five"}})
        assert not_a_number.status_code == 400
        assert not_a_number.json()["errors"][0]["field"].startswith("days"), not_a_number.text
        unknown = client.put(
            "/api/v1/report-definitions/weekly/due-days", headers=admin, json={"days": {"commune": 5}}
        )
        assert unknown.status_code == 404
        assert client.get(url, headers=admin).json()["days"]["province"] == 12  # the refusals changed nothing
    finally:
        restored = client.put(url, headers=admin, json={"days": {"province": DEFAULT_DUE_DAYS["province"]}})
        assert restored.status_code == 200
