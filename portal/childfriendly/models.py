"""Child-friendly commune assessments: the commune's category, one assessment per commune and year,
its workflow events and its evidence files. Counts and yes/no answers only, never a child."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

CATEGORIES = ("city_ward", "disadvantaged", "other")
STATUSES = ("draft", "submitted", "returned", "recognised", "not_recognised")
EDITABLE = ("draft", "returned")
DECIDED = ("recognised", "not_recognised")
Values = dict[str, dict[str, Any]]


class CommuneCategory(Base):
    """The commune's category under the decision (its threshold), and the decision that classed it."""

    __tablename__ = "commune_categories"
    __table_args__ = (
        CheckConstraint("category IN ('city_ward', 'disadvantaged', 'other')", name="category"),
    )

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Assessment(Base):
    """A commune's assessment for a year. ``values`` holds, per indicator code, the value
    ({flag} / {numerator, denominator} / {count}), its ``source`` and, for an entered one, the
    ``document`` reference and ``note``. Decided assessments are locked."""

    __tablename__ = "child_friendly_assessments"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", name="uq_child_friendly_assessments_unit_id_year"),
        CheckConstraint("year BETWEEN 2019 AND 2100", name="year"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'returned', 'recognised', 'not_recognised')", name="status"
        ),
        CheckConstraint("category IN ('city_ward', 'disadvantaged', 'other')", name="category"),
        Index("ix_child_friendly_assessments_year", "year", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    category: Mapped[str] = mapped_column(String(16))
    values: Mapped[Values] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    total_points: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    criteria_met: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    computed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    decision_ref: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AssessmentEvent(Base):
    __tablename__ = "child_friendly_events"
    __table_args__ = (Index("ix_child_friendly_events_assessment_id", "assessment_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("child_friendly_assessments.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EvidenceFile(Base):
    """A document backing an entered indicator, kept in object storage (checked again on download)."""

    __tablename__ = "child_friendly_files"
    __table_args__ = (Index("ix_child_friendly_files_assessment_id", "assessment_id", "indicator"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("child_friendly_assessments.id"))
    indicator: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
