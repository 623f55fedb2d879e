"""A day the government declared off, or worked in exchange, with the decision that declared it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base


class CalendarDay(Base):
    __tablename__ = "calendar_days"
    __table_args__ = (
        CheckConstraint("kind IN ('off', 'working')", name="kind"),
        CheckConstraint("length(btrim(name)) > 0", name="name"),
        CheckConstraint("length(btrim(decision_ref)) > 0", name="decision_ref"),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)
    decision_ref: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
