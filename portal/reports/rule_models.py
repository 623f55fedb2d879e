"""What the validation rules found in a report, and the explanations of its warnings (migration 0039)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

MAX_COMMENT = 2000


class RuleFinding(Base):
    """One rule a report failed when it was last checked (a save, a recount, a submission), with the
    figures (counts only) and, for a warning, the unit's explanation that the approver reads.

    Rows follow the report's visibility (row-level security through ``reports``); a rule that no longer
    fails loses its row, explanation included."""

    __tablename__ = "report_rule_findings"
    __table_args__ = (
        CheckConstraint("severity IN ('blocking', 'warning')", name="severity"),
        CheckConstraint(f"char_length(comment) <= {MAX_COMMENT}", name="comment"),
    )

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    severity: Mapped[str] = mapped_column(String(8))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    report_version: Mapped[int] = mapped_column(Integer)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    comment: Mapped[str | None] = mapped_column(Text)
    commented_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
