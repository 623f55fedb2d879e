"""Reminders of reports and recommendations, with a frozen clock (the watch's ``now``): a report due
soon reminded once across two concurrent watches (one of them the real worker's task), by e-mail through
the SMTP server on loopback; an overdue report told to the unit and, in one message, to the unit above;
an overdue recommendation told to the responsible unit and the inspecting side; the queries bounded
(as many statements for twenty more hamlets)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from infra.clock import VIETNAM
from infra.db import admin_engine, app_engine
from portal.inspections.reminders import watch as watch_recommendations
from portal.reports.models import ReportDefinition
from portal.reports.reminders import watch as watch_reports
from tasks.celery_app import app
from tests.mail import MailSink
from tests.reporting import act, build_tree, enter, hamlet_values, start, who
from tests.services import wait_for
from tests.support import make_unit, make_user

FEB_3 = datetime(2026, 2, 3, 10, 0, tzinfo=VIETNAM)  # a Tuesday: January's hamlet reports are due Wed 4
TASK = "tasks.reminders.reports_and_recommendations"


@pytest.fixture(scope="module")
def tree(client: Any) -> dict[str, Any]:
    """The reports tree (tests/reporting.py) with an address for its staff, and a collaborator in B1 who
    has submitted January 2026 before any watch runs."""
    with Session(admin_engine(), expire_on_commit=False) as owner:
        tree = build_tree(owner)
        make_user(owner, f"rp-cb1-{tree['tag']}", "collaborator", tree["hb"][0].id)
        for key in ("ca1", "cb1", "oa", "ob", "d1", "insp"):
            owner.execute(
                text("UPDATE users SET email = :e WHERE username = :u"),
                {"e": mail_of(tree, key), "u": f"rp-{key}-{tree['tag']}"},
            )
        owner.commit()
        tree["monthly"] = owner.scalar(select(ReportDefinition.id).where(ReportDefinition.code == "monthly"))
        found = owner.execute(
            text("SELECT username, id FROM users WHERE username LIKE :t"), {"t": f"rp-%-{tree['tag']}"}
        ).all()
        tree["users"] = {name: user_id for name, user_id in found}
    b1 = who(client, tree, "cb1")
    report = enter(client, b1, start(client, b1, tree["hb"][0], "2026-01"), hamlet_values())
    act(client, b1, report["id"], "submit", version=report["version"])
    return tree


def mail_of(tree: dict[str, Any], key: str) -> str:
    return f"{key}-{tree['tag']}@remind.test"


def user(tree: dict[str, Any], key: str) -> int:
    return int(tree["users"][f"rp-{key}-{tree['tag']}"])


def told(owner: Session, key: str) -> list[Any]:
    """The outbox rows of one event, whoever they are for."""
    return owner.execute(
        text(
            "SELECT user_id, channel, status, attempts, urgent, subject, body FROM notifications "
            "WHERE event_key = :k ORDER BY user_id, channel"
        ),
        {"k": key},
    ).all()


def mails(tree: dict[str, Any], key: str, *words: str) -> list[Any]:
    return [
        m for m in MailSink.current().to(mail_of(tree, key)) if all(w in str(m["Subject"]) for w in words)
    ]


def test_the_watch_day_begins_in_the_morning_and_the_reminders_follow_the_calendar():
    from portal.notifications.events import reminder_day
    from portal.reports.reminders import owed
    from portal.workdays.calendar import WorkingCalendar

    assert reminder_day(datetime(2026, 2, 2, 6, 59, tzinfo=VIETNAM)) == date(2026, 2, 1)
    assert reminder_day(datetime(2026, 2, 2, 7, 0, tzinfo=VIETNAM)) == date(2026, 2, 2)
    assert reminder_day(datetime(2026, 2, 1, 23, 30, tzinfo=UTC)) == date(2026, 2, 1)  # 06:30 in Vietnam
    monthly = ReportDefinition(id=1, code="monthly", period_type="month", lowest_level="hamlet")
    days = {(1, "hamlet"): 3, (1, "commune"): 5, (1, "district"): 8, (1, "province"): 12}

    def on(day: date) -> set[tuple[str, str, str]]:
        return {(o.period.key, o.level, o.event) for o in owed(WorkingCalendar(), days, [monthly], day)}

    # Sunday 1 February: nothing of January yet (the hamlets' reminder opens Monday 2)
    assert not {x for x in on(date(2026, 2, 1)) if x[0] == "2026-01"}
    assert ("2026-01", "hamlet", "report_due") in on(date(2026, 2, 2))
    # the province's January report, due Tuesday 24 February after Tết: reminded from Friday 13, through
    # the holiday, and overdue from Wednesday 25
    assert ("2026-01", "province", "report_due") not in on(date(2026, 2, 12))
    assert ("2026-01", "province", "report_due") in on(date(2026, 2, 13))
    assert ("2026-01", "province", "report_due") in on(date(2026, 2, 24))
    assert ("2026-01", "province", "report_overdue") in on(date(2026, 2, 25))
    assert ("2026-01", "hamlet", "report_overdue") in on(date(2026, 2, 5))


def test_a_report_due_soon_is_mailed_once_across_two_concurrent_watches(client, owner, tree, worker):
    monthly = tree["monthly"]
    outcomes: list[dict[str, int]] = []
    on_worker = app.send_task(TASK, kwargs={"now": FEB_3.isoformat()})
    here = threading.Thread(target=lambda: outcomes.append(watch_reports(FEB_3)))
    here.start()
    outcomes.append(on_worker.get(timeout=120))
    here.join(timeout=120)
    assert len(outcomes) == 2 and all(o["report_due"] > 0 for o in outcomes)

    key = f"report_due:{monthly}:{tree['ha'][0].id}:2026-01"
    wait_for(lambda: [r.status for r in told(owner, key)] == ["sent"], "the reminder sent")
    rows = told(owner, key)
    assert [(r.user_id, r.channel, r.attempts, r.urgent) for r in rows] == [
        (user(tree, "ca1"), "email", 1, False)
    ]
    reminder = mails(tree, "ca1", "2026-01", "04/02/2026")
    assert len(reminder) == 1
    body = reminder[0].get_content()
    assert "hết ngày 04/02/2026" in body and "/reports/month?period=2026-01" in body
    assert not told(owner, f"report_due:{monthly}:{tree['hb'][0].id}:2026-01")  # B1 has submitted
    # the commune's own reminder starts two working days before its date (Fri 6): not yet
    assert not told(owner, f"report_due:{monthly}:{tree['a'].id}:2026-01")
    # nor is January overdue for anyone
    assert not told(owner, f"report_overdue:{monthly}:{tree['ha'][0].id}:2026-01")


def test_an_overdue_report_is_told_to_the_unit_and_once_to_the_unit_above(owner, tree, worker):
    monthly = tree["monthly"]
    watch_reports(FEB_3)
    watch_reports(FEB_3 + timedelta(hours=1))  # a later run adds nothing
    # December 2025: the hamlets' reports were due Tue 6 January (1 January is a holiday)
    own = told(owner, f"report_overdue:{monthly}:{tree['ha'][0].id}:2025-12")
    assert [(r.user_id, r.channel) for r in own] == [(user(tree, "ca1"), "email")]
    assert "06/01/2026" in own[0].body and "Thôn A1" in own[0].subject
    above = told(owner, f"report_overdue:{monthly}:{tree['a'].id}:2025-12:hamlet:below")
    assert [(r.user_id, r.channel) for r in above] == [(user(tree, "oa"), "email")]
    assert "3 đơn vị" in above[0].subject and "Thôn A1, Thôn A2, Thôn A3" in above[0].body
    assert "Thôn B1" not in above[0].body  # B's hamlets are told to B's officer
    b_above = told(owner, f"report_overdue:{monthly}:{tree['b'].id}:2025-12:hamlet:below")
    assert [r.user_id for r in b_above] == [user(tree, "ob")] and "Thôn B1, Thôn B2" in b_above[0].body
    # the commune's report (due Thu 8 January) is the commune's, and the district's to hear of
    assert [r.user_id for r in told(owner, f"report_overdue:{monthly}:{tree['a'].id}:2025-12")] == [
        user(tree, "oa")
    ]
    district = told(owner, f"report_overdue:{monthly}:{tree['d1'].id}:2025-12:commune:below")
    assert [r.user_id for r in district] == [user(tree, "d1")]
    assert all(tree[k].name in district[0].body for k in ("a", "b", "n"))
    mail = wait_for(lambda: mails(tree, "oa", "2025-12", "3 đơn vị"), "the notice to the commune")
    assert len(mail) == 1 and "/reports/month?period=2025-12" in mail[0].get_content()


def test_the_report_watch_reads_people_in_batches_not_per_unit(owner, tree):
    def statements() -> int:
        seen: list[str] = []

        def count(*_args: Any) -> None:
            seen.append("")

        event.listen(app_engine(), "before_cursor_execute", count)
        try:
            watch_reports(FEB_3)
        finally:
            event.remove(app_engine(), "before_cursor_execute", count)
        return len(seen)

    before = statements()
    for i in range(20):  # twenty more hamlets, each with a collaborator who has an address
        hamlet = make_unit(owner, tree["c"], "hamlet", f"Thôn thêm {i} {tree['tag']}")
        extra = make_user(owner, f"rp-extra{i}-{tree['tag']}", "collaborator", hamlet.id)
        owner.execute(
            text("UPDATE users SET email = :e WHERE id = :u"), {"e": f"x{i}@remind.test", "u": extra.id}
        )
    owner.commit()
    assert statements() == before
    added = owner.execute(
        text("SELECT count(*) FROM notifications WHERE address LIKE 'x%@remind.test' AND kind = 'report_due'")
    ).scalar_one()
    assert added >= 20


def _recommend(client: Any, tree: dict[str, Any], deadline: date) -> tuple[int, int]:
    """A plan of the province on D1, a finding, and a recommendation to commune A: (plan, recommendation)."""
    inspector = who(client, tree, "insp")
    plan = client.post(
        "/api/v1/inspections",
        headers=inspector,
        json={
            "title": "Kiểm tra công tác trẻ em",
            "period_start": "2025-06-01",
            "period_end": "2025-06-30",
            "unit_ids": [tree["d1"].id],
            "team": [f"rp-insp-{tree['tag']}"],
        },
    )
    assert plan.status_code == 201, plan.text
    target = plan.json()["targets"][0]["id"]
    finding = client.post(
        f"/api/v1/inspection-targets/{target}/findings",
        headers=inspector,
        json={"text": "Hồ sơ thiếu thông tin", "severity": "medium"},
    )
    assert finding.status_code == 201, finding.text
    rec = client.post(
        f"/api/v1/inspection-findings/{finding.json()['id']}/recommendations",
        headers=inspector,
        json={
            "text": "Bổ sung hồ sơ của em Nguyễn Văn Mười",
            "responsible_unit_id": tree["a"].id,
            "deadline": deadline.isoformat(),
        },
    )
    assert rec.status_code == 201, rec.text
    return plan.json()["id"], rec.json()["id"]


def test_an_overdue_recommendation_is_told_to_the_unit_and_the_inspectors(client, owner, tree, worker):
    deadline = date.today() + timedelta(days=3)
    _plan, rec = _recommend(client, tree, deadline)
    _plan2, answered = _recommend(client, tree, deadline)
    reply = client.post(
        f"/api/v1/recommendations/{answered}/answer", headers=who(client, tree, "oa"), json={"text": "Đã làm"}
    )
    assert reply.status_code == 200
    key = f"recommendation_overdue:{rec}:{deadline.isoformat()}"
    on_the_day = datetime.combine(deadline, time(16, 0), tzinfo=VIETNAM)
    assert watch_recommendations(on_the_day)["messages"] >= 0 and not told(owner, key)  # not yet passed
    after = datetime.combine(deadline + timedelta(days=2), time(9, 0), tzinfo=VIETNAM)
    watch_recommendations(after)
    app.send_task(TASK, kwargs={"now": after.isoformat()}).get(timeout=120)  # the task: nothing more
    rows = told(owner, key)
    assert {(r.user_id, r.channel) for r in rows} == {
        (user(tree, "oa"), "email"),
        (user(tree, "insp"), "email"),
    }
    assert len(rows) == 2 and f"{deadline:%d/%m/%Y}" in rows[0].body
    assert all("Nguyễn Văn Mười" not in r.body + r.subject for r in rows)  # never the recommendation's text
    assert not told(owner, f"recommendation_overdue:{answered}:{deadline.isoformat()}")  # answered
    mail = wait_for(
        lambda: mails(tree, "insp", "Kiến nghị quá hạn", tree["a"].name), "the inspector's notice"
    )
    assert "/recommendations" in mail[0].get_content()
