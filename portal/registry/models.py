"""The child registry: children, their guardians, group/risk/support periods and history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import Base
from portal.stats.tables import stat_key_column


class ReferenceCode(Base):
    """Reference data with legal citations: special-circumstance groups and sub-groups, risks, supports."""

    __tablename__ = "reference_codes"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class Child(Base):
    """A child recorded in a hamlet. ``unit_path`` copies the hamlet's path (kept by a trigger) for RLS."""

    __tablename__ = "children"
    __table_args__ = (
        CheckConstraint("sex IN ('male','female')", name="sex"),
        CheckConstraint("status IN ('active','moved_away','deceased','merged')", name="status"),
        CheckConstraint("(status = 'merged') = (merged_into IS NOT NULL)", name="merged"),
        CheckConstraint("birth_province_code ~ '^[0-9]{3}$'", name="birth_province_code"),
        Index("ix_children_scope_name", "unit_path", "sort_name", "id", postgresql_include=["status"]),
        Index(
            "ix_children_scope_stats",
            "unit_path",
            postgresql_include=["status", "date_of_birth", "sex", "id"],
        ),
        Index(
            "ix_children_search_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
        Index(
            "uq_children_national_id",
            "national_id",
            unique=True,
            postgresql_where=text("national_id IS NOT NULL AND status = 'active'"),
        ),
        Index(
            "ix_children_duplicate_probe",
            "search_name",
            "date_of_birth",
            postgresql_include=["unit_path", "sex"],
            postgresql_where=text("status = 'active'"),
        ),
        stat_key_column(),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    unit_path: Mapped[str] = mapped_column(Text(collation="C"))
    full_name: Mapped[str] = mapped_column(Text)
    search_name: Mapped[str] = mapped_column(Text)
    sort_name: Mapped[str] = mapped_column(Text(collation="C"))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(8))
    ethnicity: Mapped[str] = mapped_column(Text)
    national_id: Mapped[str | None] = mapped_column(String(12))
    birth_province_code: Mapped[str | None] = mapped_column(String(3))
    """Where the birth was registered, as the personal id's three digits (migration 0028)."""
    birth_registered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    household_code: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    school_status: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    notes: Mapped[str | None] = mapped_column(Text)
    merged_into: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("children.id"))
    """The record this one was merged into (status ``merged``, migration 0027)."""
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    guardians: Mapped[list[Guardian]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Guardian.id"
    )
    periods: Mapped[list[ChildPeriod]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ChildPeriod.id"
    )

    __mapper_args__ = {"version_id_col": version, "exclude_properties": ["stat_key"]}


class Guardian(Base):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(Text)
    relationship: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(20))
    lives_with_child: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ChildPeriod(Base):
    """A period in a special-circumstance group (kind ``group``), at-risk flag (``risk``) or support."""

    __tablename__ = "child_periods"
    __table_args__ = (
        CheckConstraint("kind IN ('group','risk','support')", name="kind"),
        CheckConstraint("until IS NULL OR until >= since", name="dates"),
        ForeignKeyConstraint(["kind", "code"], ["reference_codes.kind", "reference_codes.code"]),
        Index("ix_child_periods_kind_code", "kind", "code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    subgroup: Mapped[str | None] = mapped_column(String(32))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class ChildHistory(Base):
    """One change to a child: who, when, what, and the changed fields before and after."""

    __tablename__ = "child_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16))
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ChildMove(Base):
    """A child's move to another commune, opened by one side and decided by the other (migration 0021).

    ``from_path`` and ``to_path`` copy the units' paths (a trigger keeps them) for row-level security;
    the decisions are the database's ``child_move_decide`` and ``child_move_claim``."""

    __tablename__ = "child_moves"
    __table_args__ = (
        CheckConstraint("asked_by IN ('origin', 'destination')", name="asked_by"),
        CheckConstraint("state IN ('open', 'completed', 'refused', 'cancelled')", name="state"),
        CheckConstraint("(to_unit_id IS NULL) = (to_path IS NULL)", name="destination"),
        CheckConstraint(
            "asked_by = 'origin' OR (to_path IS NOT NULL AND to_hamlet_id IS NOT NULL)", name="asked"
        ),
        CheckConstraint("(state = 'open') = (decided_at IS NULL)", name="decided"),
        Index("uq_child_moves_open", "child_id", unique=True, postgresql_where=text("state = 'open'")),
        Index("ix_child_moves_from_path", "from_path", "opened_at"),
        Index("ix_child_moves_to_path", "to_path", "opened_at"),
        Index("ix_child_moves_to_hamlet_path", "to_hamlet_path", "opened_at"),
        Index("ix_child_moves_child_id", "child_id"),
        Index(
            "ix_child_moves_open_to_path",
            "to_path",
            postgresql_where=text("state = 'open' AND asked_by = 'origin'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    asked_by: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    from_hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    from_path: Mapped[str] = mapped_column(Text(collation="C"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    to_path: Mapped[str | None] = mapped_column(Text(collation="C"))
    to_hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    to_hamlet_path: Mapped[str | None] = mapped_column(Text(collation="C"))
    moved_on: Mapped[date] = mapped_column(Date)
    destination_note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
