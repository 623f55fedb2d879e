"""A commune's briefing, who attended it, and the proposals it took up with their follow-up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

PROPOSAL_STATUSES = ("open", "in_progress", "done", "dropped")


class Briefing(Base):
    """One monthly briefing of a commune's collaborators: when, who chaired, where, the issues raised."""

    __tablename__ = "briefings"
    __table_args__ = (
        UniqueConstraint("id", "unit_id", name="uq_briefings_id_unit_id"),
        Index("ix_briefings_unit_id", "unit_id", "held_on"),
        CheckConstraint("length(btrim(chaired_by)) > 0", name="chaired_by"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    held_on: Mapped[date] = mapped_column(Date)
    chaired_by: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BriefingAttendance(Base):
    """A collaborator of the commune at a briefing: present, or absent with the reason given."""

    __tablename__ = "briefing_attendance"
    __table_args__ = (
        ForeignKeyConstraint(
            ["briefing_id", "briefing_unit_id"], ["briefings.id", "briefings.unit_id"], ondelete="CASCADE"
        ),
        CheckConstraint(
            "(present AND absence_reason IS NULL) OR (NOT present AND length(btrim(absence_reason)) > 0)",
            name="reason",
        ),
    )

    briefing_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    briefing_unit_id: Mapped[int] = mapped_column(BigInteger)
    present: Mapped[bool] = mapped_column(Boolean)
    absence_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BriefingProposal(Base):
    """A proposal the briefing took up, and its follow-up: status, who carries it, by when."""

    __tablename__ = "briefing_proposals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["briefing_id", "briefing_unit_id"], ["briefings.id", "briefings.unit_id"], ondelete="CASCADE"
        ),
        CheckConstraint("length(btrim(content)) > 0", name="content"),
        CheckConstraint("status IN ('open', 'in_progress', 'done', 'dropped')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    briefing_id: Mapped[int] = mapped_column(BigInteger, index=True)
    briefing_unit_id: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), server_default=text("'open'"))
    follow_up: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
