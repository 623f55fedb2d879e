"""Plans (kế hoạch) with activities and dated progress notes; steering committees (Ban chỉ đạo) with
members and meetings. Migration 0037."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base


class Plan(Base):
    """A unit's plan document for a year; its targets are the unit's ``unit_targets`` of that year."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("unit_id", "year", "number", name="uq_plans_unit_year_number"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    issuing_body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    file_key: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(Text)
    file_type: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PlanActivity(Base):
    __tablename__ = "plan_activities"
    __table_args__ = (
        Index("ix_plan_activities_plan_id", "plan_id"),
        Index("ix_plan_activities_owner_unit_id", "owner_unit_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    title: Mapped[str] = mapped_column(Text)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    owner_office: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started", server_default="not_started")
    progress: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ActivityNote(Base):
    __tablename__ = "plan_activity_notes"
    __table_args__ = (Index("ix_plan_activity_notes_activity_id", "activity_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("plan_activities.id"))
    noted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SteeringCommittee(Base):
    __tablename__ = "steering_committees"
    __table_args__ = (Index("ix_steering_committees_unit_id", "unit_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(Text)
    decision_number: Mapped[str] = mapped_column(String(40))
    decision_on: Mapped[date] = mapped_column(Date)
    issuing_body: Mapped[str] = mapped_column(Text)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CommitteeMember(Base):
    """An official on a committee (never a child): name, position, role in the committee."""

    __tablename__ = "committee_members"
    __table_args__ = (Index("ix_committee_members_committee_id", "committee_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("steering_committees.id"))
    full_name: Mapped[str] = mapped_column(Text)
    position: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(8))
    left_on: Mapped[date | None] = mapped_column(Date)


class CommitteeMeeting(Base):
    __tablename__ = "committee_meetings"
    __table_args__ = (Index("ix_committee_meetings_committee_id", "committee_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("steering_committees.id"))
    held_on: Mapped[date] = mapped_column(Date)
    agenda: Mapped[str] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    guests: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MeetingAttendance(Base):
    __tablename__ = "committee_meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), primary_key=True)
