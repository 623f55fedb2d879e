"""Duplicate records of children: pairs confirmed as two different children, and merges (migration 0027)."""

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
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base


class ChildDistinctPair(Base):
    """Two records a user confirmed as different children (``child_a < child_b``): never raised again."""

    __tablename__ = "child_distinct_pairs"
    __table_args__ = (
        CheckConstraint("child_a < child_b", name="ordered"),
        Index("ix_child_distinct_pairs_child_b", "child_b"),
    )

    child_a: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("children.id", ondelete="CASCADE"), primary_key=True
    )
    child_b: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("children.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChildMerge(Base):
    """One merge of ``absorbed_id`` into ``survivor_id``: what moved, so that ``child_unmerge`` puts it back.

    Written only by the database's ``child_merge`` and ``child_unmerge``; the application reads it."""

    __tablename__ = "child_merges"
    __table_args__ = (
        CheckConstraint("survivor_id <> absorbed_id", name="two"),
        Index("ix_child_merges_commune_path", "commune_path", "merged_at"),
        Index("ix_child_merges_survivor_id", "survivor_id"),
        Index(
            "uq_child_merges_absorbed", "absorbed_id", unique=True, postgresql_where=text("undone_at IS NULL")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    survivor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    absorbed_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    commune_path: Mapped[str] = mapped_column(Text(collation="C"))
    merged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    survivor_version: Mapped[int] = mapped_column(Integer)
    absorbed_before: Mapped[dict[str, Any]] = mapped_column(JSONB)
    moved: Mapped[dict[str, Any]] = mapped_column(JSONB)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
