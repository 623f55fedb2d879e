"""One-time password codes, training courses and who attended them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base


class PasswordCode(Base):
    """A one-time code with which an account sets its password (a new account, or a reset).

    Only the SHA-256 of the code is stored; the code is shown once, to the manager who issued it.
    A code ends when used, when a newer one is issued, or when the account is deactivated.
    """

    __tablename__ = "password_codes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(8))  # setup | reset
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    """Set when the code was made by the worker and sent out of band (never shown to a manager)."""


class TrainingCourse(Base):
    """A training held by a district or province unit (title, date, place, topic)."""

    __tablename__ = "training_courses"
    __table_args__ = (
        # The target of training_attendance's (course_id, course_unit_id) key.
        UniqueConstraint("id", "unit_id", name="uq_training_courses_id_unit_id"),
        Index("ix_training_courses_unit_id", "unit_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TrainingAttendance(Base):
    """Who attended a course, with the role and unit they held on the day it was recorded."""

    __tablename__ = "training_attendance"
    __table_args__ = (
        # A course's unit follows it (ON UPDATE CASCADE): the row-level policies read course_unit_id.
        ForeignKeyConstraint(
            ["course_id", "course_unit_id"],
            ["training_courses.id", "training_courses.unit_id"],
            onupdate="CASCADE",
        ),
    )

    course_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    # The course's unit, set by a trigger before insert: None until flushed, never NULL in the table.
    course_unit_id: Mapped[int | None] = mapped_column(BigInteger, nullable=False)
    role: Mapped[str | None] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
