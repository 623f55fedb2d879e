"""Deadlines and their escalation: pure calendar rules, then the watch through a real Celery worker with
a frozen clock (the task's ``now``): each alert once, never duplicated, never lost."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from portal.cases.deadlines import level_at, working_due
from portal.cases.escalation import watch
from portal.workdays.calendar import WorkingCalendar
from tasks.celery_app import app
from tests.cases_support import act, build_world, child_in, hours_ago, intake_body, open_case, who

TASK = "tasks.cases.watch_deadlines"


@pytest.fixture(scope="module")
def world(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build_world(owner)


def test_working_days_skip_weekends():
    add_working_days = WorkingCalendar().add_working_days
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 5) == date(2026, 12, 4)  # Mon..Fri of the next week
    assert add_working_days(date(2026, 11, 28), 5) == date(2026, 12, 4)  # received on a Saturday
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)  # Monday -> next Monday
    # received Friday 23:30 in Vietnam (16:30 UTC, so Friday 27 there): due at the end of the next Friday
    due = working_due(WorkingCalendar(), "plan", date(2026, 11, 27))
    assert due == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def test_escalation_levels_are_a_day_apart():
    due = datetime(2026, 1, 1, tzinfo=UTC)
    assert [level_at(due, due + timedelta(hours=h)) for h in (-1, 0, 23, 24, 47, 48, 500)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        3,
    ]


def send(now: datetime) -> dict:
    """The task, on the real worker, with a frozen clock."""
    return app.send_task(TASK, kwargs={"now": now.isoformat()}).get(timeout=90)


def alerts_of(owner, case_id):
    rows = owner.execute(
        text(
            "SELECT a.level, a.step, u.username FROM case_alerts a JOIN users u ON u.id = a.recipient_id "
            "WHERE a.case_id = :c ORDER BY a.level, u.username"
        ),
        {"c": case_id},
    )
    return [tuple(r) for r in rows]


def test_overdue_assessment_escalates_worker_then_ward_then_district(client, owner, world, worker):
    tag, users = world["tag"], world["users"]
    wo, col1 = who(client, world, "wo"), who(client, world, "col1")
    received = hours_ago(1)
    case = open_case(
        client,
        wo,
        intake_body(
            child_in(owner, world["units"]["H1"]), received_at=received.isoformat(), assigned_to=users["col1"]
        ),
    )
    due = received + timedelta(hours=12)

    assert send(due - timedelta(minutes=1)) is not None
    assert alerts_of(owner, case["id"]) == []

    send(due + timedelta(minutes=1))
    assert alerts_of(owner, case["id"]) == [(1, "assessment", f"cs-col1-{tag}")]
    send(due + timedelta(minutes=2))  # the same moment again (a second beat tick): nothing new
    assert len(alerts_of(owner, case["id"])) == 1

    send(due + timedelta(hours=24, minutes=1))
    level2 = [a for a in alerts_of(owner, case["id"]) if a[0] == 2]
    assert level2 == [(2, "assessment", f"cs-wo-{tag}")]  # the ward officers of commune C (only ours there)

    send(due + timedelta(hours=48, minutes=1))
    level3 = [a for a in alerts_of(owner, case["id"]) if a[0] == 3]
    assert level3 == [(3, "assessment", f"cs-dist-{tag}")]  # district D above C; not D2, not the inspector

    for _ in range(2):  # later runs, and the same task twice: still one alert per level and recipient
        send(due + timedelta(hours=90))
    assert len(alerts_of(owner, case["id"])) == 3
    escalations = owner.execute(
        text("SELECT level, recipients FROM case_escalations WHERE case_id = :c ORDER BY level"),
        {"c": case["id"]},
    ).all()
    assert [tuple(e) for e in escalations] == [(1, 1), (2, 1), (3, 1)]

    # each recipient reads their own alert over the API; the district officer still cannot open the case
    mine = client.get("/api/v1/cases/alerts", headers=col1).json()["items"]
    assert [(a["reference"], a["level"], a["step"]) for a in mine if a["case_id"] == case["id"]] == [
        (case["reference"], 1, "assessment")
    ]
    dist = who(client, world, "dist")
    theirs = [
        a
        for a in client.get("/api/v1/cases/alerts", headers=dist).json()["items"]
        if a["case_id"] == case["id"]
    ]
    assert len(theirs) == 1 and theirs[0]["level"] == 3 and case["child"]["full_name"] not in str(theirs)
    assert client.get(f"/api/v1/cases/{case['id']}", headers=dist).status_code == 403
    read = client.post(f"/api/v1/cases/alerts/{theirs[0]['id']}/read", headers=dist)
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.post(f"/api/v1/cases/alerts/{theirs[0]['id']}/read", headers=col1).status_code == 404
    unread = client.get("/api/v1/cases/alerts", params={"unread": True}, headers=dist).json()["items"]
    assert theirs[0]["id"] not in {a["id"] for a in unread}

    # the case view shows the step overdue and how far it has escalated (at the real clock: level 0..1)
    view = client.get(f"/api/v1/cases/{case['id']}", headers=wo).json()
    assessment = next(d for d in view["deadlines"] if d["step"] == "assessment")
    assert assessment["met_at"] is None


def test_a_met_step_raises_no_alert_and_urgent_danger_has_its_own_12_hours(client, owner, world, worker):
    wo = who(client, world, "wo")
    received = hours_ago(1)
    case = open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H2"]), received_at=received.isoformat())
    )
    case = act(client, wo, case, "assessment", risk_level="urgent", summary="Nguy hiểm tính mạng")
    send(received + timedelta(hours=12, minutes=5))
    alerts = alerts_of(owner, case["id"])
    assert {a[1] for a in alerts} == {"emergency_protection"}  # the assessment was met in time
    assert {a[0] for a in alerts} == {1} and alerts[0][2] == f"cs-wo-{world['tag']}"  # nobody assigned: ward
    act(client, wo, case, "protection", measure="temporary_separation", note="Đưa trẻ đến nhà tạm lánh")
    send(received + timedelta(hours=40))
    assert len(alerts_of(owner, case["id"])) == len(alerts)  # protected: no escalation to level 2


def test_a_missed_watch_catches_up_and_escalates_to_the_province_without_district(
    client, owner, world, worker
):
    """Nothing ran for three days (beat down): the first run writes every level at once. Commune N hangs
    directly under the province (2025 structure), so level 3 goes to the province's staff."""
    won, col5 = who(client, world, "won"), world["users"]["col5"]
    received = hours_ago(1)
    case = open_case(
        client,
        won,
        intake_body(
            child_in(owner, world["units"]["H5"]), received_at=received.isoformat(), assigned_to=col5
        ),
    )
    result = send(received + timedelta(hours=12 + 49))
    assert result["alerts"] >= 3
    tag = world["tag"]
    assert alerts_of(owner, case["id"]) == [
        (1, "assessment", f"cs-col5-{tag}"),
        (2, "assessment", f"cs-won-{tag}"),
        (3, "assessment", f"cs-insp-{tag}"),
    ]


def test_concurrent_watches_write_each_alert_once(client, owner, world, worker):
    """Three watches at the same moment in parallel (threads, real transactions) plus one on the worker."""
    wo = who(client, world, "wo")
    received = hours_ago(1)
    case = open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H1"]), received_at=received.isoformat())
    )
    now = received + timedelta(hours=12 + 50)
    pending = app.send_task(TASK, kwargs={"now": now.isoformat()})
    errors: list[BaseException] = []

    def run() -> None:
        try:
            watch(now)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    pending.get(timeout=90)
    assert errors == []
    alerts = alerts_of(owner, case["id"])
    assert [a[0] for a in alerts] == [1, 2, 3] and len(set(alerts)) == len(alerts)


def test_closed_cases_are_not_watched(client, owner, world, worker):
    wo = who(client, world, "wo")
    received = hours_ago(1)
    case = open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H1"]), received_at=received.isoformat())
    )
    act(
        client,
        who(client, world, "chair"),
        act(client, wo, case, "close", reason="duplicate"),
        "closure/approve",
    )
    send(received + timedelta(days=10))
    assert alerts_of(owner, case["id"]) == []


def test_the_watch_refuses_a_user_session(owner):
    from sqlalchemy.exc import ProgrammingError

    from infra.db import new_session
    from tenancy.scope import NO_SCOPE

    session = new_session(NO_SCOPE, user_id=1)
    try:
        with pytest.raises(ProgrammingError, match="system session"):
            session.execute(text("SELECT * FROM case_overdue_deadlines(now())")).all()
    finally:
        session.rollback()
        session.close()
