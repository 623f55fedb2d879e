"""Vietnam's working-day calendar: Tết and the other statutory holidays from the ``holidays`` package,
the government's decided days on top, and open case deadlines moved (with their history) when the
calendar changes — by the real worker, as the system."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.clock import VIETNAM
from portal.cases.deadlines import end_of_day, working_due
from portal.workdays.calendar import WorkingCalendar
from tests.cases_support import build_world, child_in, intake_body, open_case, who
from tests.services import wait_for


@pytest.fixture(scope="module")
def world(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build_world(owner)


@pytest.mark.parametrize(
    "received, due, weekdays_only",
    [
        # Tết 2025 (29 Tết to mùng 4: 27 January to 1 February): received on the Friday before
        (date(2025, 1, 24), date(2025, 2, 7), date(2025, 1, 31)),
        # Tết 2026 (16 to 20 February): the case, received Friday 13 February
        (date(2026, 2, 13), date(2026, 2, 27), date(2026, 2, 20)),
        # Tết 2027 (4 to 10 February, with the observed days): received Wednesday 3 February
        (date(2027, 2, 3), date(2027, 2, 17), date(2027, 2, 10)),
        # 30 April and 1 May 2026 (Thursday, Friday)
        (date(2026, 4, 29), date(2026, 5, 8), date(2026, 5, 6)),
    ],
)
def test_the_plan_deadline_skips_tet_and_the_public_holidays(received, due, weekdays_only):
    calendar = WorkingCalendar()
    assert calendar.add_working_days(received, 5) == due
    assert working_due(calendar, "plan", received) == end_of_day(due)
    # what the portal answered before the calendar: the weekdays alone
    weekdays = received
    for _ in range(5):
        weekdays += timedelta(days=1)
        while weekdays.weekday() >= 5:
            weekdays += timedelta(days=1)
    assert weekdays == weekdays_only != due


def test_a_decided_day_comes_before_the_law_and_the_weekend():
    saturday, friday = date(2026, 2, 28), date(2026, 2, 27)
    calendar = WorkingCalendar({saturday: "working", friday: "off"})
    assert calendar.is_working(saturday) and not calendar.is_working(friday)
    assert calendar.add_working_days(date(2026, 2, 13), 5) == saturday


def test_the_calendar_is_read_by_anyone_and_decided_by_the_administrator_only(client, world):
    wo = who(client, world, "wo")
    year = client.get("/api/v1/calendar", params={"year": 2026}, headers=wo)
    assert year.status_code == 200
    days = {d["day"]: d for d in year.json()["days"]}
    assert {"2026-02-16", "2026-02-17", "2026-02-20", "2026-09-02"} <= set(days)
    assert days["2026-02-17"]["kind"] == "holiday" and days["2026-02-17"]["decision_ref"] is None
    assert client.get("/api/v1/calendar", params={"year": 1990}, headers=wo).status_code == 400
    body = {"kind": "off", "name": "Nghỉ bù", "decision_ref": "Công văn 1/LĐTBXH"}
    assert client.put("/api/v1/calendar/days/2026-02-23", headers=wo, json=body).status_code == 403
    admin = who(client, world, "admin")
    empty = client.put("/api/v1/calendar/days/2026-02-23", headers=admin, json={**body, "decision_ref": " "})
    assert empty.status_code == 422 and [e["field"] for e in empty.json()["errors"]] == ["decision_ref"]
    assert client.delete("/api/v1/calendar/days/2026-02-24", headers=admin).status_code == 404


def test_a_new_day_off_moves_open_plan_deadlines_and_says_so_in_the_history(client, owner, world, worker):
    wo, admin = who(client, world, "wo"), who(client, world, "admin")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    before = next(d for d in case["deadlines"] if d["step"] == "plan")
    received = datetime.fromisoformat(case["received_at"]).astimezone(VIETNAM).date()
    assert datetime.fromisoformat(before["due_at"]) == working_due(WorkingCalendar(), "plan", received)
    extra = WorkingCalendar().add_working_days(received, 1)  # the next working day becomes a day off
    body = {"kind": "off", "name": "Nghỉ thêm (kiểm thử)", "decision_ref": "Quyết định 99/QĐ-TTg"}
    decided = client.put(f"/api/v1/calendar/days/{extra.isoformat()}", headers=admin, json=body)
    assert decided.status_code == 200, decided.text
    try:
        moved_to = working_due(WorkingCalendar({extra: "off"}), "plan", received)

        def plan_due() -> datetime:
            return owner.execute(
                text("SELECT due_at FROM case_deadlines WHERE case_id = :c AND step = 'plan'"),
                {"c": case["id"]},
            ).scalar_one()

        wait_for(lambda: plan_due() == moved_to, "the plan deadline moved by the worker")
        history = client.get(f"/api/v1/cases/{case['id']}", headers=wo).json()["events"]
        moved = [e for e in history if e["action"] == "deadline_moved"]
        assert len(moved) == 1 and moved[0]["detail"]["step"] == "plan" and moved[0]["actor"] is None
        assert datetime.fromisoformat(moved[0]["detail"]["to"]) == moved_to
    finally:
        assert client.delete(f"/api/v1/calendar/days/{extra.isoformat()}", headers=admin).status_code == 204
    wait_for(
        lambda: plan_due() == working_due(WorkingCalendar(), "plan", received), "the deadline moved back"
    )
    entries = owner.execute(
        text(
            "SELECT action FROM audit_log WHERE resource = 'calendar' AND :d = ANY(resource_ids) ORDER BY at"
        ),
        {"d": extra.isoformat()},
    ).scalars()
    assert list(entries)[-2:] == ["edit", "remove"]


def test_only_the_system_moves_deadlines(world):
    from infra.db import new_session
    from tenancy.scope import Scope

    units = world["units"]
    session = new_session(Scope(units["C"].path, units["C"].path), world["users"]["wo"])
    try:
        with pytest.raises(DBAPIError) as refused:
            session.execute(text("SELECT * FROM case_working_deadlines()")).all()
        assert getattr(refused.value.orig, "sqlstate", None) == "42501"
    finally:
        session.rollback()
        session.close()
