"""Re-checks (migration 0029): a sample of a unit's records, its records under pseudonyms, and the
re-checker's result per field. Written only by the database's ``recheck_*`` functions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "national_id",
    "guardian",
    "hamlet",
    "special_group",
)


class Recheck(Base):
    __tablename__ = "rechecks"
    __table_args__ = (
        CheckConstraint("sample_size BETWEEN 1 AND 1000", name="sample_size"),
        CheckConstraint("sample_percent > 0 AND sample_percent <= 100", name="sample_percent"),
        CheckConstraint("threshold >= 0 AND threshold <= 100", name="threshold"),
        CheckConstraint("state IN ('open', 'completed')", name="state"),
        CheckConstraint("(sample_size IS NULL) <> (sample_percent IS NULL)", name="size_or_percent"),
        CheckConstraint("expires_at > created_at", name="expiry"),
        CheckConstraint("(state = 'completed') = (completed_at IS NOT NULL)", name="completed"),
        Index("ix_rechecks_unit_id", "unit_id"),
        Index("ix_rechecks_rechecker_open", "rechecker_id", postgresql_where=text("state = 'open'")),
        Index("ix_rechecks_sampler_id", "sampler_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    sampler_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sampler_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    rechecker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seed: Mapped[int] = mapped_column(BigInteger)
    sample_size: Mapped[int | None] = mapped_column(Integer)
    sample_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    stratified: Mapped[bool] = mapped_column(Boolean, server_default=true())
    drawn: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    threshold: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=text("5"))
    state: Mapped[str] = mapped_column(String(16), server_default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_recommendations.id"))


class RecheckRecord(Base):
    """One sampled record under its pseudonym: read by the re-checker while the re-check runs and by the
    unit's record keepers once it is completed, never by the sampler (row-level security)."""

    __tablename__ = "recheck_records"
    __table_args__ = (
        UniqueConstraint("recheck_id", "seq", name="uq_recheck_records_recheck_id"),
        UniqueConstraint("recheck_id", "pseudo", name="uq_recheck_records_pseudo"),
        UniqueConstraint("recheck_id", "child_id", name="uq_recheck_records_child"),
        Index("ix_recheck_records_child_id", "child_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    recheck_id: Mapped[int] = mapped_column(ForeignKey("rechecks.id"))
    seq: Mapped[int] = mapped_column(Integer)
    pseudo: Mapped[str] = mapped_column(String(32))
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RecheckField(Base):
    __tablename__ = "recheck_fields"
    __table_args__ = (
        CheckConstraint(
            "field IN ('full_name', 'date_of_birth', 'sex', 'ethnicity', 'national_id', 'guardian', "
            "'hamlet', 'special_group')",
            name="field",
        ),
        CheckConstraint("matches = (observed IS NULL)", name="observed"),
    )

    record_id: Mapped[int] = mapped_column(ForeignKey("recheck_records.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(24), primary_key=True)
    matches: Mapped[bool] = mapped_column(Boolean)
    observed: Mapped[str | None] = mapped_column(Text)
