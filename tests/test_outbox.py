"""The outbox's delivery: a send that fails keeps no code and is retried later; a sent row is never
sent again; a deactivated account or a newer request cancels the row. Real SMTP (the test server)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text

import portal.notifications.delivery as delivery
from infra.clock import utcnow
from infra.settings import get_settings
from portal.notifications.channels import SmtpChannel
from tests.mail import CODE
from tests.support import make_unit, make_user


def _queued(owner, user_id: int, address: str, kind: str = "password_reset") -> int:
    """A row as the request would leave it (written directly: no task is sent to a worker)."""
    return owner.execute(
        text(
            "INSERT INTO notifications (kind, channel, user_id, address) VALUES (:k, 'email', :u, :a) RETURNING id"
        ),
        {"k": kind, "u": user_id, "a": address},
    ).scalar_one()


def _live_codes(owner, user_id: int) -> int:
    return owner.execute(
        text(
            "SELECT count(*) FROM password_codes WHERE user_id = :u AND used_at IS NULL AND cancelled_at IS NULL"
        ),
        {"u": user_id},
    ).scalar_one()


def test_a_failed_send_keeps_no_code_and_is_retried_then_sent_once(owner, mailbox, monkeypatch):
    tag = uuid.uuid4().hex[:6]
    province = make_unit(owner, None, "province", f"Tỉnh hộp thư {tag}")
    user = make_user(owner, f"ob-{tag}", "provincial_inspector", province.id)
    address = f"ob-{tag}@example.vn"
    notification_id = _queued(owner, user.id, address)
    owner.commit()
    settings = get_settings()
    closed = replace(settings, smtp_port=1)  # nothing listens on port 1
    monkeypatch.setattr(delivery, "channel_for", lambda name: SmtpChannel(closed))
    now = utcnow()
    assert delivery.deliver(notification_id, now=now) == "retry"
    row = owner.execute(text("SELECT * FROM notifications WHERE id = :i"), {"i": notification_id}).one()
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at >= now + timedelta(minutes=1)
    assert "unreachable" in row.last_error and address not in row.last_error
    assert _live_codes(owner, user.id) == 0  # the code made for the failed send was rolled back
    assert notification_id not in delivery.due(now)  # not due before its next attempt
    assert notification_id in delivery.due(now + timedelta(minutes=2))
    monkeypatch.undo()
    assert delivery.deliver(notification_id) == "sent"
    code = mailbox.code_in(mailbox.wait_for(address))
    assert CODE.fullmatch(code) and _live_codes(owner, user.id) == 1
    assert delivery.deliver(notification_id) == "nothing to send"  # a redelivered task sends nothing twice
    assert len(mailbox.to(address)) == 1


def test_failures_end_as_failed_and_stale_rows_are_cancelled(owner, monkeypatch):
    tag = uuid.uuid4().hex[:6]
    province = make_unit(owner, None, "province", f"Tỉnh hộp thư {tag}")
    user = make_user(owner, f"ob2-{tag}", "provincial_inspector", province.id)
    failing = _queued(owner, user.id, f"ob2-{tag}@example.vn")
    owner.commit()
    settings = get_settings()
    closed = replace(settings, smtp_port=1)
    monkeypatch.setattr(delivery, "channel_for", lambda name: SmtpChannel(closed))
    outcomes = [delivery.deliver(failing) for _ in range(delivery.MAX_ATTEMPTS)]
    assert outcomes[-1] == "failed" and set(outcomes[:-1]) == {"retry"}
    monkeypatch.undo()
    older, newer = (
        _queued(owner, user.id, f"ob2-{tag}@example.vn"),
        _queued(owner, user.id, f"ob2-{tag}@example.vn"),
    )
    owner.commit()
    assert delivery.deliver(older) == "cancelled"  # a newer request for the same account supersedes it
    owner.execute(text("UPDATE users SET is_active = false WHERE id = :i"), {"i": user.id})
    owner.commit()
    assert delivery.deliver(newer) == "cancelled"  # a deactivated account gets no code
    assert _live_codes(owner, user.id) == 0
