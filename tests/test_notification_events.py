"""Notifications off the portal: an escalation reaches the ward officer by e-mail through a real SMTP
server on loopback and by SMS through a fake gateway, exactly once across two concurrent watch runs;
an outage of the gateway followed by recovery; quiet hours holding a routine message, never an
emergency; the person's own settings; failures shown to the managers above."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from infra.clock import VIETNAM, utcnow
from portal.cases.escalation import watch
from tasks.celery_app import app
from tests.cases_support import act, build_world, child_in, hours_ago, intake_body, open_case, who
from tests.gateway import FakeGateway
from tests.mail import MailSink
from tests.services import wait_for


@pytest.fixture(scope="module")
def world(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        world = build_world(owner)
        tag = world["tag"]
        for i, key in enumerate(("wo", "col1", "dist")):
            owner.execute(
                text("UPDATE users SET email = :e, phone = :p WHERE id = :u"),
                {
                    "e": f"{key}-{tag}@notify.test",
                    "p": f"+849{int(tag, 16) % 10**7:07d}{i}",
                    "u": world["users"][key],
                },
            )
        owner.commit()
        return world


def contact(owner, world, key):
    return owner.execute(
        text("SELECT email, phone FROM users WHERE id = :u"), {"u": world["users"][key]}
    ).one()


def rows(owner, user_id, kind, reference):
    """The outbox rows of one event about one case (other tests' events for the same people excluded)."""
    return owner.execute(
        text(
            "SELECT channel, status, attempts, next_attempt_at, last_error, subject, body FROM notifications "
            "WHERE user_id = :u AND kind = :k AND subject LIKE :r ORDER BY channel"
        ),
        {"u": user_id, "k": kind, "r": f"%{reference}%"},
    ).all()


def mails_about(address, reference, word):
    return [
        m
        for m in MailSink.current().to(address)
        if reference in str(m["Subject"]) and word in str(m["Subject"])
    ]


def texts_about(channel, address, reference):
    return [t for t in FakeGateway.current().to(channel, address) if reference in t]


def test_an_escalation_is_mailed_and_texted_exactly_once_across_two_concurrent_watches(
    client, owner, world, worker
):
    wo = who(client, world, "wo")
    settings = client.put(
        "/api/v1/me/notifications", headers=wo, json={"events": {"deadline_escalated": ["email", "sms"]}}
    )
    assert settings.status_code == 200, settings.text
    assert settings.json()["events"]["deadline_escalated"] == ["email", "sms"]
    case = open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H2"]), received_at=hours_ago(13).isoformat())
    )
    now = utcnow()
    outcomes: list[dict] = []
    runs = [threading.Thread(target=lambda: outcomes.append(watch(now))) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=60)
    assert len(outcomes) == 2
    email, phone = contact(owner, world, "wo")
    ref = case["reference"]
    wait_for(
        lambda: (
            [r.status for r in rows(owner, world["users"]["wo"], "deadline_escalated", ref)]
            == ["sent", "sent"]
        ),
        "both messages sent",
    )
    sent = rows(owner, world["users"]["wo"], "deadline_escalated", ref)
    assert [(r.channel, r.attempts) for r in sent] == [("email", 1), ("sms", 1)]
    mails, texts = mails_about(email, ref, "Quá hạn"), texts_about("sms", phone, ref)
    assert len(mails) == 1 and len(texts) == 1
    mail = mails[0]
    assert f"/cases/{case['id']}" in mail.get_content()
    # the message names the case, never the child
    child_name = owner.execute(
        text("SELECT child_name FROM cases WHERE id = :c"), {"c": case["id"]}
    ).scalar_one()
    assert child_name not in mail.get_content() and child_name not in texts[0]


def test_a_gateway_outage_is_waited_out_and_nothing_is_sent_twice(client, owner, world, worker):
    gateway = FakeGateway.current()
    wo = who(client, world, "wo")
    case = open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H1"]), assigned_to=world["users"]["col1"])
    )
    gateway.down = True
    try:
        act(client, wo, case, "assessment", risk_level="urgent", summary="Nguy hiểm trước mắt")
        col1_id, ref = world["users"]["col1"], case["reference"]
        wait_for(
            lambda: any(
                r.channel == "sms" and r.attempts == 1 for r in rows(owner, col1_id, "emergency", ref)
            ),
            "the failed SMS attempt",
        )
        sms = next(r for r in rows(owner, col1_id, "emergency", ref) if r.channel == "sms")
        assert sms.status == "pending" and "503" in sms.last_error and sms.next_attempt_at > utcnow(), sms
    finally:
        gateway.down = False
    owner.execute(text("UPDATE notifications SET next_attempt_at = now() WHERE user_id = :u"), {"u": col1_id})
    owner.commit()
    app.send_task("tasks.notifications.sweep").get(timeout=60)
    _email, phone = contact(owner, world, "col1")
    wait_for(lambda: texts_about("sms", phone, ref), "the SMS after the outage")
    app.send_task("tasks.notifications.sweep").get(timeout=60)  # a second sweep finds nothing due
    texts = texts_about("sms", phone, ref)
    assert len(texts) == 1 and "KHẨN CẤP" in texts[0]
    assert {r.status for r in rows(owner, col1_id, "emergency", ref)} == {"sent"}


def test_quiet_hours_hold_a_routine_message_but_never_an_emergency(client, owner, world, worker):
    wo, col1 = who(client, world, "wo"), who(client, world, "col1")
    local = utcnow().astimezone(VIETNAM)
    quiet = {
        "quiet_from": (local - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_to": (local + timedelta(hours=1)).strftime("%H:%M"),
    }
    assert client.put("/api/v1/me/notifications", headers=wo, json=quiet).status_code == 200
    try:
        before = {m["Message-ID"] for m in MailSink.current().to(contact(owner, world, "wo")[0])}
        case = open_case(client, col1, intake_body(child_in(owner, world["units"]["H1"])))
        held = rows(owner, world["users"]["wo"], "case_received", case["reference"])
        assert [(r.channel, r.status) for r in held] == [("email", "pending")]
        assert held[0].next_attempt_at > utcnow() + timedelta(minutes=30)
        act(client, wo, case, "assign", user_id=world["users"]["col1"])  # no message: a routine step
        act(client, col1, case, "assessment", risk_level="urgent", summary="Nguy hiểm")
        email = contact(owner, world, "wo")[0]
        wait_for(
            lambda: mails_about(email, case["reference"], "KHẨN CẤP"), "the emergency, quiet hours or not"
        )
        arrived = [
            m for m in MailSink.current().to(contact(owner, world, "wo")[0]) if m["Message-ID"] not in before
        ]
        assert all(
            case["reference"] not in str(m["Subject"]) or "KHẨN CẤP" in str(m["Subject"]) for m in arrived
        )
    finally:
        client.put("/api/v1/me/notifications", headers=wo, json={"quiet_from": None, "quiet_to": None})


def test_settings_are_checked_and_failures_reach_the_managers_above(client, owner, world, worker):
    wo = who(client, world, "wo")
    bad = client.put(
        "/api/v1/me/notifications",
        headers=wo,
        json={"events": {"emergency": ["fax"]}, "quiet_from": "22:00", "zalo_user_id": "a b"},
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"events.emergency", "quiet_to", "zalo_user_id"}
    gateway = FakeGateway.current()
    gateway.refuse = True
    try:
        col1 = who(client, world, "col1")
        client.put("/api/v1/me/notifications", headers=col1, json={"events": {"emergency": ["sms"]}})
        case = open_case(
            client, wo, intake_body(child_in(owner, world["units"]["H1"]), assigned_to=world["users"]["col1"])
        )
        act(client, wo, case, "assessment", risk_level="urgent", summary="Nguy hiểm")
        wait_for(
            lambda: (
                "failed"
                in {r.status for r in rows(owner, world["users"]["col1"], "emergency", case["reference"])}
            ),
            "a refused SMS marked failed",
        )
    finally:
        gateway.refuse = False
    listed = client.get("/api/v1/notifications/failures", headers=who(client, world, "dist"))
    assert listed.status_code == 200
    mine = [f for f in listed.json()["items"] if f["username"] == f"cs-col1-{world['tag']}"]
    assert mine and mine[0]["channel"] == "sms" and mine[0]["address"].startswith("*")
    _email, phone = contact(owner, world, "col1")
    assert phone not in listed.text
    other = client.get("/api/v1/notifications/failures", headers=who(client, world, "dist2"))
    assert f"cs-col1-{world['tag']}" not in other.text
    assert client.get("/api/v1/notifications/failures", headers=col1).status_code == 403


def test_a_report_returned_then_approved_reaches_the_person_who_submitted_it(client, owner, worker):
    from tests.reporting import act as report_act
    from tests.reporting import build_tree, enter, hamlet_values, start
    from tests.reporting import who as report_who

    tree = build_tree(owner)
    collaborator = f"rp-ca1-{tree['tag']}"
    owner.execute(
        text("UPDATE users SET email = :e WHERE username = :u"),
        {"e": f"{collaborator}@r.test", "u": collaborator},
    )
    owner.commit()
    collab, officer = report_who(client, tree, "ca1"), report_who(client, tree, "oa")
    mine = enter(client, collab, start(client, collab, tree["ha"][0], "2025-06"), hamlet_values())
    mine = report_act(client, collab, mine["id"], "submit", version=mine["version"])
    returned = report_act(client, officer, mine["id"], "return", comment="Thiếu 1 trẻ mới sinh")
    mail = MailSink.current().wait_for(f"{collaborator}@r.test")
    assert "2025-06" in str(mail["Subject"]) and "returned" in str(mail["Subject"])
    assert "Thiếu 1 trẻ" not in mail.get_content()  # the comment stays on the portal
    mine = report_act(client, collab, returned["id"], "submit", version=returned["version"])
    report_act(client, officer, mine["id"], "approve", version=mine["version"])
    approved = MailSink.current().wait_for(f"{collaborator}@r.test", count=2)
    assert "approved" in str(approved["Subject"]) and f"/reports/{mine['id']}" in approved.get_content()


def test_a_message_resent_after_a_lost_commit_is_the_same_message_to_the_provider(
    client, owner, world, worker
):
    """The worker died after the gateway took the SMS but before the row was marked sent: the sweep sends
    it again with the same idempotency key, and the provider keeps one message."""
    wo = who(client, world, "wo")
    client.put(
        "/api/v1/me/notifications",
        headers=who(client, world, "col1"),
        json={"events": {"emergency": ["sms"]}},
    )
    case = open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H1"]), assigned_to=world["users"]["col1"])
    )
    act(client, wo, case, "assessment", risk_level="urgent", summary="Nguy hiểm")
    col1_id, ref = world["users"]["col1"], case["reference"]
    wait_for(lambda: [r.status for r in rows(owner, col1_id, "emergency", ref)] == ["sent"], "the SMS sent")
    _email, phone = contact(owner, world, "col1")
    assert len(texts_about("sms", phone, ref)) == 1
    owner.execute(
        text(
            "UPDATE notifications SET status = 'pending', next_attempt_at = now() "
            "WHERE user_id = :u AND kind = 'emergency' AND subject LIKE :r"
        ),
        {"u": col1_id, "r": f"%{ref}%"},
    )
    owner.commit()
    app.send_task("tasks.notifications.sweep").get(timeout=60)
    assert [r.status for r in rows(owner, col1_id, "emergency", ref)] == ["sent"]
    assert len(texts_about("sms", phone, ref)) == 1


def test_the_settings_page_saves_channels_and_quiet_hours_in_the_persons_language(owner, world):
    from litestar.testing import TestClient

    from portal.app import create_app
    from tests.e2e.site import Browser

    with TestClient(app=create_app(), base_url="http://testserver.local") as raw:
        person = Browser(raw)
        person.login(f"cs-col2-{world['tag']}")
        shown = person.get("/settings/notifications")
        assert (
            shown.status_code == 200
            and "Giờ yên lặng" in shown.text
            and 'name="emergency__sms"' in shown.text
        )
        bad = person.post("/settings/notifications", {"quiet_from": "25:99", "quiet_to": "06:30"})
        assert bad.status_code == 422 and 'id="quiet_from-error"' in bad.text
        saved = person.post(
            "/settings/notifications",
            {"emergency__sms": "on", "emergency__zalo": "on", "quiet_from": "21:00", "quiet_to": "06:30"},
        )
        assert saved.status_code == 303
    row = owner.execute(
        text(
            "SELECT s.quiet_from::text, s.quiet_to::text, p.channels FROM notification_settings s "
            "JOIN notification_preferences p ON p.user_id = s.user_id AND p.event = 'emergency' WHERE s.user_id = :u"
        ),
        {"u": world["users"]["col2"]},
    ).one()
    assert tuple(row) == ("21:00:00", "06:30:00", ["sms", "zalo"])
