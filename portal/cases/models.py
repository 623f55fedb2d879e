"""Cases and what hangs off them. Every value is set in Python (ids, timestamps), so an insert needs no
RETURNING: the person who records an intake may write a case they cannot read back (row-level security)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.clock import utcnow
from infra.db import Base
from portal.stats.tables import stat_key_column


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _case_id(index: bool = True) -> Mapped[uuid.UUID]:
    """The owning case; ``index=False`` where a composite index leads with it (``__table_args__``)."""
    return mapped_column(ForeignKey("cases.id"), index=index)


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


def _when() -> Mapped[datetime | None]:
    return mapped_column(DateTime(timezone=True))


class Case(Base):
    """One report about one child (form 01) and its handling. ``unit_path`` is the hamlet's (RLS)."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_unit_path", "unit_path", "status"),
        stat_key_column(),
        # Whoever proposed a closure never approves it (migration 0022; NOT VALID for older rows).
        CheckConstraint(
            "closed_by IS NULL OR closure_proposed_by IS NULL OR closed_by <> closure_proposed_by",
            name="closure_not_self_approved",
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    unit_path: Mapped[str] = mapped_column(Text(collation="C"))
    child_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("children.id"), index=True)
    child_name: Mapped[str] = mapped_column(Text)
    child_date_of_birth: Mapped[date] = mapped_column(Date)
    child_sex: Mapped[str] = mapped_column(String(8))
    child_age_estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case_type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    family_situation: Mapped[str | None] = mapped_column(Text)
    caregiver: Mapped[str | None] = mapped_column(Text)
    actions_taken: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="received", server_default="received")
    risk_level: Mapped[str | None] = mapped_column(String(8))
    assessment: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime | None] = _when()
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    protection_measure: Mapped[str | None] = mapped_column(String(32))
    protection_note: Mapped[str | None] = mapped_column(Text)
    protected_at: Mapped[datetime | None] = _when()
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime | None] = _when()
    closure_reason: Mapped[str | None] = mapped_column(String(32))
    closure_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = _when()
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closure_proposed_at: Mapped[datetime | None] = _when()
    closure_proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopened_at: Mapped[datetime | None] = _when()
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @property
    def closure_pending(self) -> bool:
        """A closure proposed to the chairman and not yet decided."""
        return self.closure_proposed_at is not None and self.status != "closed"

    # stat_key is not mapped: see portal.stats.tables.stat_key_column.
    __mapper_args__ = {"version_id_col": version, "exclude_properties": ["stat_key"]}


class CaseInformant(Base):
    """Who reported. Readable only by the commune's ward officers; never part of a case view or export."""

    __tablename__ = "case_informants"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    full_name: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(20))
    relationship: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)


class CaseGrant(Base):
    __tablename__ = "case_grants"
    __table_args__ = (
        Index(
            "uq_case_grants_active",
            "case_id",
            "user_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_case_grants_user_id", "user_id", postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id(index=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = _now()
    revoked_at: Mapped[datetime | None] = _when()
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CaseEvent(Base):
    """The case's history: who did what, when, and the status before and after."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_case_id", "case_id", "at"),
        Index(
            "ix_case_events_decider",
            "actor_id",
            postgresql_where=text(
                "action IN ('approve_plan', 'return_plan', 'approve_closure', 'return_closure')"
            ),
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id(index=False)
    at: Mapped[datetime] = _now()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class CaseNote(Base):
    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_id", "case_id", "created_at"),)

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id(index=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_username: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()


class CasePlan(Base):
    """A support/intervention plan (form 04), approved by decision (form 05); a new one supersedes it."""

    __tablename__ = "case_plans"
    __table_args__ = (
        UniqueConstraint("case_id", "number", name="uq_case_plans_case_number"),
        # The drafter or submitter never approves the plan (migration 0022; NOT VALID for older rows).
        CheckConstraint(
            "approved_by IS NULL OR "
            "(approved_by <> created_by AND approved_by IS DISTINCT FROM submitted_by)",
            name="not_self_approved",
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id(index=False)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    goals: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _now()
    submitted_at: Mapped[datetime | None] = _when()
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = _when()
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_ref: Mapped[str | None] = mapped_column(Text)
    return_comment: Mapped[str | None] = mapped_column(Text)


class CasePlanAction(Base):
    __tablename__ = "case_plan_actions"
    __table_args__ = (Index("ix_case_plan_actions_plan_id", "plan_id", "position"),)

    id: Mapped[uuid.UUID] = _id()
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_plans.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned", server_default="planned")
    result: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = _when()


class CaseReview(Base):
    __tablename__ = "case_reviews"

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id()
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_plans.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = _now()
    child_situation: Mapped[str | None] = mapped_column(Text)


class CaseReviewAction(Base):
    """Form 06: one action of the reviewed plan as the review found it (done, not done, cancelled)."""

    __tablename__ = "case_review_actions"

    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_reviews.id"), primary_key=True)
    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_plan_actions.id"), primary_key=True)
    case_id: Mapped[uuid.UUID] = _case_id()
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(Text)


class CaseDetailedAssessment(Base):
    """Form 03, the detailed assessment decided by a meeting; every recording kept, the newest current."""

    __tablename__ = "case_detailed_assessments"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_case_detailed_assessments_case_number"),)

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id(index=False)
    number: Mapped[int] = mapped_column(Integer)
    physical_state: Mapped[str] = mapped_column(Text)
    psychological_state: Mapped[str] = mapped_column(Text)
    family_situation: Mapped[str] = mapped_column(Text)
    caregiver_capacity: Mapped[str] = mapped_column(Text)
    needs: Mapped[str] = mapped_column(Text)
    meeting_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = _now()


class CaseAttachment(Base):
    """A photo, report or scanned document; the bytes live in object storage under ``storage_key``."""

    __tablename__ = "case_attachments"

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id()
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(Text, unique=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = _now()


_OPEN = "met_at IS NULL AND cancelled_at IS NULL"


class CaseDeadline(Base):
    """A legal deadline of one step; open while neither met nor cancelled."""

    __tablename__ = "case_deadlines"
    __table_args__ = (
        Index("ix_case_deadlines_open", "due_at", postgresql_where=text(_OPEN)),
        Index("uq_case_deadlines_open_step", "case_id", "step", unique=True, postgresql_where=text(_OPEN)),
    )

    id: Mapped[uuid.UUID] = _id()
    case_id: Mapped[uuid.UUID] = _case_id()
    step: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
    met_at: Mapped[datetime | None] = _when()
    cancelled_at: Mapped[datetime | None] = _when()
    # a working-day deadline's first day (migration 0030): recomputed when the calendar changes
    counted_from: Mapped[date | None] = mapped_column(Date)


class CaseEscalation(Base):
    __tablename__ = "case_escalations"

    deadline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_deadlines.id"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    case_id: Mapped[uuid.UUID] = _case_id()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recipients: Mapped[int] = mapped_column(Integer)


class CaseAlert(Base):
    """An alert to one recipient about an overdue step (no personal data: reference, commune, step, dates)."""

    __tablename__ = "case_alerts"
    __table_args__ = (
        UniqueConstraint(
            "deadline_id", "level", "recipient_id", name="uq_case_alerts_deadline_level_recipient"
        ),
        Index("ix_case_alerts_recipient_id", "recipient_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = _id()
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deadline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_deadlines.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    reference: Mapped[str] = mapped_column(String(24))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    step: Mapped[str] = mapped_column(String(24))
    level: Mapped[int] = mapped_column(SmallInteger)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = _when()
