"""The worker's side of the outbox: make the one-time code, send it, record the outcome.

At-least-once and never twice after success: a row is taken with ``FOR UPDATE SKIP LOCKED`` while
``pending``; the code is issued, the message sent and the row marked ``sent`` in one transaction.
If the worker dies after sending but before committing, the row is still pending and is sent
again with a new code (the newest code is the one that works). A failed send leaves no code and
moves ``next_attempt_at`` back (1, 2, 4 … minutes, at most an hour); after ``MAX_ATTEMPTS`` the
row is ``failed`` and the manager can ask again. Runs as a system session (no user, no scope).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from infra.clock import VIETNAM, utcnow
from infra.db import scoped_session
from portal.auth.models import User
from portal.notifications.channels import DeliveryFailed, channel_for
from portal.notifications.models import CODE_KINDS, Notification
from portal.staff import codes
from tenancy.scope import NO_SCOPE

MAX_ATTEMPTS = 8
PURPOSE = {"account_setup": "setup", "password_reset": "reset"}
SUBJECT = {
    "account_setup": "Tài khoản mới trên Cổng bảo vệ, chăm sóc trẻ em / Your new portal account",
    "password_reset": "Mã đặt lại mật khẩu / Password reset code",
}


def compose(kind: str, user: User, code: codes.IssuedCode) -> tuple[str, str]:
    """The message, in Vietnamese then English; it names the account, never a child."""
    until = code.expires_at.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
    what_vi = (
        "Tài khoản của bạn đã được tạo" if kind == "account_setup" else "Bạn được cấp mã đặt lại mật khẩu"
    )
    what_en = "Your account was created" if kind == "account_setup" else "A password reset was requested"
    body = (
        f"{what_vi}: {user.username}.\n"
        f"Mã dùng một lần: {code.code}\n"
        f"Mã hết hạn lúc {until} (giờ Việt Nam). Dùng mã này để tự đặt mật khẩu; không đưa mã cho ai.\n\n"
        f"{what_en}: {user.username}.\n"
        f"One-time code: {code.code}\n"
        f"It expires at {until} (Vietnam time). Use it to set your own password; never share it.\n"
    )
    return SUBJECT[kind], body


def _superseded(session: Session, row: Notification) -> bool:
    newer = aliased(Notification)
    return bool(
        session.scalar(
            select(
                exists().where(
                    newer.user_id == row.user_id,
                    newer.kind == row.kind,
                    newer.id > row.id,
                    newer.status.in_(("pending", "sent")),
                )
            )
        )
    )


def _send_one(session: Session, notification_id: int) -> str:
    row = session.scalars(
        select(Notification)
        .where(Notification.id == notification_id, Notification.status == "pending")
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if row is None:
        return "nothing to send"
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or (row.kind in CODE_KINDS and _superseded(session, row)):
        row.status = "cancelled"
        return "cancelled"
    if row.kind in CODE_KINDS:
        code = codes.issue(session, user.id, PURPOSE[row.kind], row.requested_by, notification_id=row.id)
        subject, body = compose(row.kind, user, code)
    else:  # an event: its message was written when it happened
        assert row.subject is not None and row.body is not None
        subject, body = row.subject, row.body
    # the row's key travels with the message: a resend after a crash is the same message to the provider
    key = f"notification-{row.id}" if row.kind not in CODE_KINDS else None  # a code is new each time
    channel_for(row.channel).send(row.address, subject, body, key)  # raises DeliveryFailed: rolled back
    row.status, row.sent_at, row.attempts, row.last_error = "sent", utcnow(), row.attempts + 1, None
    return "sent"


def _record_failure(session: Session, notification_id: int, failure: DeliveryFailed, now: datetime) -> str:
    row = session.scalars(
        select(Notification).where(Notification.id == notification_id).with_for_update()
    ).one_or_none()
    if row is None or row.status != "pending":
        return "nothing to send"
    row.attempts += 1
    row.last_error = failure.reason
    if failure.permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        return "failed"
    row.next_attempt_at = now + timedelta(minutes=min(60, 2 ** (row.attempts - 1)))
    return "retry"


def deliver(notification_id: int, now: datetime | None = None) -> str:
    """Send one outbox row if it is still pending: "sent", "retry", "failed", "cancelled" or
    "nothing to send" (already sent, or being sent by another worker)."""
    try:
        with scoped_session(NO_SCOPE) as session:
            return _send_one(session, notification_id)
    except DeliveryFailed as failure:
        with scoped_session(NO_SCOPE) as session:
            return _record_failure(session, notification_id, failure, now or utcnow())


def due(now: datetime | None = None, limit: int = 200) -> list[int]:
    """Pending rows whose next attempt is due (the sweep sends them; a lost task loses nothing)."""
    with scoped_session(NO_SCOPE) as session:
        return list(
            session.scalars(
                select(Notification.id)
                .where(Notification.status == "pending", Notification.next_attempt_at <= (now or utcnow()))
                .order_by(Notification.next_attempt_at)
                .limit(limit)
            )
        )
