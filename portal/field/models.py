"""What the server remembers of a phone's queued changes (migration 0032): the outcome, no personal data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

KINDS = ("child_create", "child_update", "report_values")
OUTCOMES = ("applied", "conflict", "rejected", "duplicate", "transfer")


class FieldChange(Base):
    """One change a phone sent, under its account and the id the phone gave it."""

    __tablename__ = "field_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('child_create', 'child_update', 'report_values')", name="kind"),
        CheckConstraint(
            "outcome IN ('applied', 'conflict', 'rejected', 'duplicate', 'transfer')", name="outcome"
        ),
        Index("ix_field_changes_received_at", "received_at"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    change_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(16))
    version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
