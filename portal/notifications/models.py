"""One outbox row per message to send; the worker changes its status."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Time,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

CODE_KINDS = ("account_setup", "password_reset")
EVENTS = (
    "case_received",
    "emergency",
    "deadline_escalated",
    "referral_waiting",
    "report_returned",
    "report_approved",
    "recommendation_assigned",
    "report_due",
    "report_overdue",
    "recommendation_overdue",
    "deadline_approaching",
)
KINDS = (*CODE_KINDS, *EVENTS)
CHANNELS = ("email", "sms", "zalo")


class Notification(Base):
    """A message for one account through one channel. It carries no secret: a one-time code is made
    by the worker when it sends (portal.notifications.delivery), so a database dump holds none."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id", "user_id", "id"),
        Index("ix_notifications_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index(
            "uq_notifications_event",
            "event_key",
            "user_id",
            "channel",
            unique=True,
            postgresql_where=text("event_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str] = mapped_column(String(254))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200))
    # an event's message (migration 0031): written when the event happens, one row per event, recipient
    # and channel; codes have none (the worker makes the code when it sends)
    event_key: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class NotificationSetting(Base):
    """An account's quiet hours (Vietnam time) and its Zalo follower id."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    quiet_from: Mapped[time | None] = mapped_column(Time)
    quiet_to: Mapped[time | None] = mapped_column(Time)
    zalo_user_id: Mapped[str | None] = mapped_column(String(64))


class NotificationPreference(Base):
    """The channels an account wants for one event (none recorded: the event's default)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    event: Mapped[str] = mapped_column(String(24), primary_key=True)
    channels: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
