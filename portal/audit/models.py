"""The audit log: append-only for the application role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    # The application role may only INSERT: no RETURNING of the generated id.
    __table_args__ = (
        Index(
            "ix_audit_log_actor_unit_id_at",
            "actor_unit_id",
            "at",
            postgresql_where=text("actor_unit_id IS NOT NULL"),
        ),
        Index(
            "ix_audit_log_child_ids",
            "resource_ids",
            postgresql_using="gin",
            postgresql_where=text("resource = 'child'"),
        ),
        {"implicit_returning": False},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    username: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(64))
    resource_ids: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    unit_id: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    client: Mapped[str | None] = mapped_column(Text)
    # The acting account's unit when the entry was written; set by a trigger from ``users`` (0014).
    actor_unit_id: Mapped[int | None] = mapped_column(BigInteger)
