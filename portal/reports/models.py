"""Periodic reports: definitions, indicators and targets as data; reports, their events,
consolidation runs, per-sub-unit contributions and generated documents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base
from portal.stored_documents import StoredDocument

Figures = dict[str, dict[str, int]]


class Indicator(Base):
    """One indicator: computed from the registry, or entered by hand at ``entry_level``.

    ``cells`` lists its disaggregation ({key, name_vi, name_en, max?}); ``partitions`` lists groups
    of cells whose sum is the ``total`` cell; ``rules`` are checks on entered cells
    ({cell, le: "indicator.cell", tolerance_pct?}). Only indicators that count children
    (``counts_children``) have small cells hidden from aggregate-only readers.
    """

    __tablename__ = "report_indicators"
    __table_args__ = (CheckConstraint("over_periods IN ('sum', 'last')", name="over_periods"),)

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    entry_level: Mapped[str | None] = mapped_column(String(16))
    cells: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    partitions: Mapped[list[list[str]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    rules: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    counts_children: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    legal_basis: Mapped[str | None] = mapped_column(Text)
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # how monthly figures make a longer period's: "sum" (a flow) or "last" (a stock), migration 0042
    over_periods: Mapped[str] = mapped_column(String(8), default="sum", server_default="sum")

    def cell_keys(self) -> list[str]:
        return [c["key"] for c in self.cells]


class ReportDefinition(Base):
    __tablename__ = "report_definitions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    period_type: Mapped[str] = mapped_column(String(8))
    lowest_level: Mapped[str] = mapped_column(String(16))
    indicators: Mapped[list[str]] = mapped_column(JSONB)
    legal_basis: Mapped[str | None] = mapped_column(Text)


class ReportDueDays(Base):
    """How many working days after a period's end a level's report of a definition is due
    (portal.reports.due counts them on the working-day calendar); an administrator may change them."""

    __tablename__ = "report_due_days"
    __table_args__ = (
        CheckConstraint("level IN ('hamlet', 'commune', 'district', 'province')", name="level"),
        CheckConstraint("working_days BETWEEN 1 AND 40", name="working_days"),
    )

    definition_id: Mapped[int] = mapped_column(ForeignKey("report_definitions.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    working_days: Mapped[int] = mapped_column(SmallInteger)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Target(Base):
    """A ratio target: ``numerator`` / ``denominator`` (both "indicator.cell") at least ``default_pct``."""

    __tablename__ = "report_targets"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    numerator: Mapped[str] = mapped_column(String(64))
    denominator: Mapped[str] = mapped_column(String(64))
    default_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    months: Mapped[list[int] | None] = mapped_column(ARRAY(SmallInteger))  # None: every period

    def applies(self, start: date, end: date) -> bool:
        """Whether a period from ``start`` to ``end`` holds one of the target's months."""
        if not self.months:
            return True
        held = {
            (start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1)
            for i in range((end.year - start.year) * 12 + end.month - start.month + 1)
        }
        return any(month in self.months for _year, month in held)


class UnitTarget(Base):
    """A unit's own target for a year (from its plan); applies to its subtree unless overridden."""

    __tablename__ = "unit_targets"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    target_code: Mapped[str] = mapped_column(ForeignKey("report_targets.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Report(Base):
    """One unit's report for one period of one definition.

    ``figures`` holds every indicator's cells (registry, consolidated and entered); ``entered``
    only what was typed at this unit. Approved reports are locked.
    """

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("definition_id", "unit_id", "period", name="uq_reports_definition_unit_period"),
        Index("ix_reports_unit_id", "unit_id", "definition_id", "period_end"),
        Index("ix_reports_definition_period", "definition_id", "period", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("report_definitions.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    figures: Mapped[Figures] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    entered: Mapped[Figures] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    missing_units: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    computed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consolidated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    # a longer period's report: what its typed cells took from the approved months (portal.reports.prefill)
    from_months: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reasons: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReportEvent(Base):
    __tablename__ = "report_events"
    __table_args__ = (Index("ix_report_events_report_id", "report_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ConsolidationRun(Base):
    __tablename__ = "consolidation_runs"
    __table_args__ = (
        Index("ix_consolidation_runs_report_id", "report_id", "id"),
        # One queued or running consolidation per report.
        Index(
            "uq_consolidation_runs_active",
            "report_id",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    with_missing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    total_units: Mapped[int | None] = mapped_column(Integer)
    done_units: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def as_json(self) -> dict[str, Any]:
        total = self.total_units
        return {
            "id": self.id,
            "report_id": self.report_id,
            "status": self.status,
            "with_missing": self.with_missing,
            "total_units": total,
            "done_units": self.done_units,
            "progress": (
                1.0 if self.status == "done" else round(self.done_units / total, 3) if total else 0.0
            ),
            "attempts": self.attempts,
            "error": self.error,
            "requested_at": self.requested_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class Contribution(Base):
    __tablename__ = "report_contributions"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    source_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    source_version: Mapped[int | None] = mapped_column(Integer)
    source_status: Mapped[str | None] = mapped_column(String(16))
    figures: Mapped[Figures | None] = mapped_column(JSONB)


class ReportDocument(StoredDocument, Base):
    """An XLSX or PDF of one version of a report, built by a worker and kept in object storage."""

    __tablename__ = "report_documents"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    format: Mapped[str] = mapped_column(String(8))
    report_version: Mapped[int] = mapped_column(Integer)
    suppressed: Mapped[bool] = mapped_column(Boolean)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.state_json(),
            "report_id": self.report_id,
            "format": self.format,
            "report_version": self.report_version,
            "suppressed": self.suppressed,
        }
