"""The registers' tables (migration 0035): hazardous water points with their checks and photos,
child-assistance facilities (counts only), and the history of both."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

WATER_KINDS = ("pond", "lake", "river", "canal", "well", "pit", "sea", "other")
FACILITY_KINDS = ("public", "non_public", "counselling", "shelter", "other")


class WaterPoint(Base):
    """A hazardous water point of a hamlet. ``signed_on``/``fenced_on``: the day the warning sign or the
    fence or cover was put up (None: none); ``removed_on`` with its reason: filled in or gone (kept)."""

    __tablename__ = "water_points"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(8, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    listed_on: Mapped[date] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    fenced_on: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    removed_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WaterPointCheck(Base):
    """A dated visit: what was found and who checked (as written; the account that recorded it)."""

    __tablename__ = "water_point_checks"
    __table_args__ = (Index("ix_water_point_checks_point_id", "point_id", "checked_on"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("water_points.id"))
    checked_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(Text)
    checked_by: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WaterPointPhoto(Base):
    """A photo in object storage (``water-points/<point>/<id>``), its type read from its content."""

    __tablename__ = "water_point_photos"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("water_points.id"), index=True)
    storage_key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Facility(Base):
    """A child-assistance facility (Law on Children 2016, Art. 46-47) managed by a commune, district or
    province: its licence, capacity and children in care as counts (never child records)."""

    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_date: Mapped[date | None] = mapped_column(Date)
    licence_issuer: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None] = mapped_column(Integer)
    children_total: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    children_girls: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    children_disabled: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    counted_on: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RegisterEvent(Base):
    """One change of a register's record: what it was and became, who and when."""

    __tablename__ = "register_events"
    __table_args__ = (Index("ix_register_events_record", "register", "record_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    register: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
