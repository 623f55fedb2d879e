"""Inspections: plans, audited units (targets), checks, runs, findings, recommendations, answers, PDFs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base
from portal.stored_documents import StoredDocument


class InspectionPlan(Base):
    __tablename__ = "inspection_plans"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    inspecting_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    visit_from: Mapped[date | None] = mapped_column(Date)
    visit_to: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="planned", server_default="planned")
    salt: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), default=uuid.uuid4)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TeamMember(Base):
    __tablename__ = "inspection_team"

    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class InspectionTarget(Base):
    __tablename__ = "inspection_targets"
    __table_args__ = (
        Index(
            "uq_inspection_targets_plan_unit",
            "plan_id",
            "unit_id",
            unique=True,
            postgresql_where=text("facility_id IS NULL"),
        ),
        Index(
            "uq_inspection_targets_plan_facility",
            "plan_id",
            "facility_id",
            unique=True,
            postgresql_where=text("facility_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    """An audited facility (migration 0035); ``unit_id`` is then the unit that manages it."""
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InspectionCheck(Base):
    __tablename__ = "inspection_checks"

    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_targets.id"), primary_key=True)
    item: Mapped[str] = mapped_column(String(32), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(8))
    value: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InspectionRun(Base):
    __tablename__ = "inspection_runs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RunTarget(Base):
    __tablename__ = "inspection_run_targets"

    run_id: Mapped[int] = mapped_column(ForeignKey("inspection_runs.id"), primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_targets.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Finding(Base):
    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_targets.id"))
    item: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Recommendation(Base):
    __tablename__ = "inspection_recommendations"
    __table_args__ = (
        Index("ix_inspection_recommendations_unit", "responsible_unit_id", "status"),
        Index("ix_inspection_recommendations_addressee", "addressee_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("inspection_findings.id"))
    text: Mapped[str] = mapped_column(Text)
    # Either a unit of the tree or an addressee outside it (a department, a People's Committee).
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    addressee_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation_addressees.id"))
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Response(Base):
    __tablename__ = "recommendation_responses"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("inspection_recommendations.id"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # An addressee's reply, recorded by the issuing side: the date and number of its letter.
    reply_on: Mapped[date | None] = mapped_column(Date)
    reply_reference: Mapped[str | None] = mapped_column(String(80))


class Addressee(Base):
    """A recommendation's addressee outside the unit tree: a provincial department (Sở Y tế, ...) or a
    district's or commune's People's Committee, kept under the unit whose area it serves."""

    __tablename__ = "recommendation_addressees"
    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_recommendation_addressees_unit_name"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InspectionDocument(StoredDocument, Base):
    __tablename__ = "inspection_documents"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"))

    def as_json(self) -> dict[str, Any]:
        return {**self.state_json(), "plan_id": self.plan_id}
