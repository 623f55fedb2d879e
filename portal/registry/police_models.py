"""The Project 06 round trip's records (migration 0028): each verified list the commune police sent
back, and each child's verification in it. Both carry the child's ``unit_path`` for row-level security."""

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
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

RESULTS = ("issued", "corrected", "not_found")
OUTCOMES = ("updated", "unchanged", "not_found", "conflict")


class NationalIdImport(Base):
    """One verified list imported for a unit; a file (by sha256) is imported once per unit."""

    __tablename__ = "national_id_imports"
    __table_args__ = (
        UniqueConstraint("unit_id", "sha256", name="uq_national_id_imports_unit_id"),
        Index("ix_national_id_imports_unit_path", "unit_path"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(Text(collation="C"))
    sha256: Mapped[str] = mapped_column(String(64))
    verified_by: Mapped[str] = mapped_column(Text)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    """The per-row results as answered (row number, child id, result, outcome, numbers): no names."""


class NationalIdVerification(Base):
    """Who verified a child's personal identification number, what they found, and what changed here."""

    __tablename__ = "national_id_verifications"
    __table_args__ = (
        CheckConstraint("result IN ('issued', 'corrected', 'not_found')", name="result"),
        CheckConstraint("outcome IN ('updated', 'unchanged', 'not_found', 'conflict')", name="outcome"),
        Index("ix_national_id_verifications_child_id", "child_id"),
        Index("ix_national_id_verifications_unit_path", "unit_path"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("national_id_imports.id"))
    child_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("children.id", ondelete="CASCADE")
    )
    unit_path: Mapped[str] = mapped_column(Text(collation="C"))
    id_before: Mapped[str | None] = mapped_column(String(12))
    id_after: Mapped[str | None] = mapped_column(String(12))
    result: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    verified_by: Mapped[str] = mapped_column(Text)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
