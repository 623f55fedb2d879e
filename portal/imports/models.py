"""Register imports (migration 0026): the uploaded file and its job, the keys of imported rows, and the
column mapping remembered per commune."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base


class RegisterImport(Base):
    """One uploaded register file and the state of its dry run and apply."""

    __tablename__ = "register_imports"
    __table_args__ = (Index("ix_register_imports_sha256", "sha256"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str] = mapped_column(Text(collation="C"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(Text)
    file_format: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(Text)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    columns: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    stage: Mapped[str | None] = mapped_column(String(16))
    apply_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    duplicates: Mapped[str | None] = mapped_column(String(8))
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    counts: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    errors_key: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the job last ended (checked, applied or failed)."""


class ImportedRow(Base):
    """The key of an imported row (a digest of its values and hamlet) and the child it made."""

    __tablename__ = "register_import_rows"

    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_imports.id"), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)


class ImportMapping(Base):
    """A commune's remembered mapping: folded file heading -> registry field (or ``ignore``)."""

    __tablename__ = "register_import_mappings"

    commune_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    unit_path: Mapped[str] = mapped_column(Text(collation="C"))
    mapping: Mapped[dict[str, str]] = mapped_column(JSONB)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
