"""Case deadlines about to pass, with a frozen clock (the watch's ``now``): a 12-hour step warned two hours
ahead as urgent, through the assigned worker's quiet hours, by e-mail on loopback and SMS to the fake
gateway, exactly once across two concurrent watches; the plan (5 working days) warned on the morning of
its last working day, held by quiet hours; neither before its time; never the child's name."""

from __future__ import annotations

import re
import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.clock import VIETNAM, utcnow
from portal.cases.approaching import MORNING, last_day, warn_from
from portal.cases.approaching import watch as watch_approaching
from portal.workdays.calendar import load
from tasks.celery_app import app
from tests.cases_support import build_world, child_in, hours_ago, intake_body, open_case, who
from tests.gateway import FakeGateway
from tests.mail import MailSink
from tests.services import wait_for

TASK = "tasks.reminders.deadlines_approaching"


@pytest.fixture(scope="module")
def world(database: object) -> dict[str, Any]:
    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        world = build_world(owner)
        owner.execute(
            text("UPDATE users SET email = :e, phone = :p WHERE id = :u"),
            {
                "e": f"col1-{world['tag']}@soon.test",
                "p": f"+848{int(world['tag'], 16) % 10**8:08d}",
                "u": world["users"]["col1"],
            },
        )
        owner.execute(
            text("UPDATE users SET email = :e WHERE id = :u"),
            {"e": f"wo-{world['tag']}@soon.test", "u": world["users"]["wo"]},
        )
        owner.commit()
        return world


def rows(owner: Session, key_start: str) -> list[Any]:
    return owner.execute(
        text(
            "SELECT user_id, channel, status, urgent, next_attempt_at, subject, body FROM notifications "
            "WHERE event_key LIKE :k ORDER BY channel"
        ),
        {"k": f"{key_start}%"},
    ).all()


def deadline(owner: Session, case_id: str, step: str) -> Any:
    return owner.execute(
        text("SELECT id, due_at FROM case_deadlines WHERE case_id = :c AND step = :s AND met_at IS NULL"),
        {"c": case_id, "s": step},
    ).one()


def quiet(owner: Session, user_id: int, start: time, end: time) -> None:
    owner.execute(
        text(
            "INSERT INTO notification_settings (user_id, quiet_from, quiet_to) VALUES (:u, :f, :t) "
            "ON CONFLICT (user_id) DO UPDATE SET quiet_from = :f, quiet_to = :t"
        ),
        {"u": user_id, "f": start, "t": end},
    )
    owner.commit()


def test_a_12_hour_step_is_warned_urgently_once_and_the_plan_on_its_last_morning_held_by_quiet_hours(
    client, owner, world, worker
):
    col1 = world["users"]["col1"]
    email, phone = owner.execute(text("SELECT email, phone FROM users WHERE id = :u"), {"u": col1}).one()
    case = open_case(
        client,
        who(client, world, "wo"),
        intake_body(
            child_in(owner, world["units"]["H1"]), received_at=hours_ago(11).isoformat(), assigned_to=col1
        ),
    )
    ref = case["reference"]
    child_name = owner.execute(
        text("SELECT child_name FROM cases WHERE id = :c"), {"c": case["id"]}
    ).scalar_one()
    assessment = deadline(owner, case["id"], "assessment")
    key = f"approaching:{assessment.id}"
    now = utcnow()
    assert assessment.due_at - now < timedelta(hours=1, minutes=5)

    watch_approaching(assessment.due_at - timedelta(hours=2, minutes=1))  # not yet two hours ahead
    assert not rows(owner, key)

    # the worker's quiet hours are now; an urgent warning is not held by them
    local = now.astimezone(VIETNAM)
    quiet(owner, col1, (local - timedelta(hours=1)).time(), (local + timedelta(hours=1)).time())
    outcomes: list[dict[str, int]] = []
    on_worker = app.send_task(TASK, kwargs={"now": now.isoformat()})
    here = threading.Thread(target=lambda: outcomes.append(watch_approaching(now)))
    here.start()
    outcomes.append(on_worker.get(timeout=120))
    here.join(timeout=120)
    assert len(outcomes) == 2 and all(o["approaching"] >= 1 for o in outcomes)
    wait_for(lambda: [r.status for r in rows(owner, key)] == ["sent", "sent"], "the urgent warning sent")
    warned = rows(owner, key)
    assert [(r.user_id, r.channel, r.urgent) for r in warned] == [(col1, "email", True), (col1, "sms", True)]
    assert all(r.next_attempt_at == now for r in warned)
    mail = [
        m for m in MailSink.current().to(email) if ref in str(m["Subject"]) and "KHẨN" in str(m["Subject"])
    ]
    texts = [t for t in FakeGateway.current().to("sms", phone) if ref in t and "KHẨN" in t]
    assert len(mail) == 1 and len(texts) == 1
    content = mail[0].get_content()
    assert f"/cases/{case['id']}" in content and "đánh giá ban đầu" in content
    assert (
        child_name not in content and child_name not in texts[0] and child_name not in str(mail[0]["Subject"])
    )

    # The plan: five working days from the receipt, warned from 07:00 on its last working day.
    plan = deadline(owner, case["id"], "plan")
    calendar = load(owner)
    start = warn_from(calendar, "plan", plan.due_at)
    assert start == datetime.combine(last_day(plan.due_at), MORNING, tzinfo=VIETNAM)
    assert calendar.is_working(last_day(plan.due_at))
    plan_key = f"approaching:{plan.id}"
    watch_approaching(start - timedelta(minutes=1))
    assert not rows(owner, plan_key)
    quiet(owner, col1, time(6, 0), time(8, 30))  # a routine warning waits for the quiet hours to end
    try:
        watch_approaching(start + timedelta(minutes=1))
        watch_approaching(start + timedelta(minutes=6))  # the next run adds nothing
    finally:
        quiet(owner, col1, None, None)
    held = rows(owner, plan_key)
    until = datetime.combine(start.date(), time(8, 30), tzinfo=VIETNAM)
    assert [(r.channel, r.status, r.urgent, r.next_attempt_at) for r in held] == [
        ("email", "pending", False, until),
        ("sms", "pending", False, until),
    ]
    assert f"hết ngày {last_day(plan.due_at):%d/%m/%Y}" in held[0].body and child_name not in held[0].body
    assert "KHẨN" not in held[0].subject
    assert not [
        m
        for m in MailSink.current().to(email)
        if ref in str(m["Subject"]) and "Sắp đến hạn" in str(m["Subject"])
    ]


def test_an_overdue_step_is_not_warned_and_an_unassigned_one_reaches_the_ward_officer(client, owner, world):
    case = open_case(
        client,
        who(client, world, "col2"),
        intake_body(child_in(owner, world["units"]["H2"]), received_at=hours_ago(13).isoformat()),
    )
    assessment = deadline(owner, case["id"], "assessment")
    key = f"approaching:{assessment.id}"
    watch_approaching(utcnow())  # past due: the escalation's business, not a warning's
    assert not rows(owner, key)
    # an hour before it was due: nobody is assigned, so the commune's ward officer (who must assign it)
    watch_approaching(assessment.due_at - timedelta(hours=1))
    warned = rows(owner, key)
    assert {(r.user_id, r.urgent) for r in warned} == {(world["users"]["wo"], True)}
    assert {r.channel for r in warned} == {"email"}  # no phone number: no SMS


def test_the_settings_list_the_reminders_and_keep_a_choice_for_them(client, owner, world):
    from litestar.testing import TestClient

    from portal.app import create_app
    from tests.e2e.site import Browser

    col2 = who(client, world, "col2")
    saved = client.put(
        "/api/v1/me/notifications",
        headers=col2,
        json={"events": {"report_due": ["sms", "zalo"], "deadline_approaching": []}},
    )
    assert saved.status_code == 200, saved.text
    events = saved.json()["events"]
    assert events["report_due"] == ["sms", "zalo"] and events["deadline_approaching"] == []
    assert events["report_overdue"] == events["recommendation_overdue"] == ["email"]  # the defaults
    with TestClient(app=create_app(), base_url="http://testserver.local") as raw:
        person = Browser(raw)
        person.login(f"cs-col2-{world['tag']}")
        page = person.get("/settings/notifications")
        for label in (
            "Báo cáo sắp đến hạn nộp",
            "Báo cáo quá hạn nộp",
            "Kiến nghị quá hạn",
            "Hồ sơ sắp đến hạn xử lý",
        ):
            assert label in page.text

        def box(name: str) -> str:
            found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page.text)
            assert found is not None, name
            return found.group(0)

        assert "checked" in box("report_due__sms") and "checked" not in box("report_due__email")
        assert "checked" in box("report_overdue__email") and "checked" not in box("deadline_approaching__sms")
