"""The codes under which the portal's figures travel to and from DHIS2 (migration 0040).

A report definition is a DHIS2 dataSet, an indicator's cell a dataElement with a categoryOptionCombo,
and a unit an orgUnit. Codes are public; who writes them is decided by Casbin (``exchange_mapping``) and
row-level security (data sets and data elements: the whole tree's administrator; orgUnits: a caller
whose scope covers the unit).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

CODE_PATTERN = r"^[A-Za-z0-9_.\-]{1,50}$"
_CHECK = r"~ '^[A-Za-z0-9_.\-]{1,50}$'"


class Dhis2DataSet(Base):
    __tablename__ = "dhis2_data_sets"
    __table_args__ = (
        UniqueConstraint("data_set", name="uq_dhis2_data_sets_data_set"),
        CheckConstraint(f"data_set {_CHECK}", name="data_set"),
    )

    definition_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("report_definitions.code"), primary_key=True
    )
    data_set: Mapped[str] = mapped_column(String(50))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Dhis2DataElement(Base):
    __tablename__ = "dhis2_data_elements"
    __table_args__ = (
        UniqueConstraint("data_element", "category_option_combo", name="uq_dhis2_data_elements_data_element"),
        CheckConstraint(f"data_element {_CHECK}", name="data_element"),
        CheckConstraint(f"category_option_combo {_CHECK}", name="category_option_combo"),
    )

    indicator: Mapped[str] = mapped_column(String(48), ForeignKey("report_indicators.code"), primary_key=True)
    cell: Mapped[str] = mapped_column(String(64), primary_key=True)
    data_element: Mapped[str] = mapped_column(String(50))
    category_option_combo: Mapped[str] = mapped_column(String(50))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Dhis2OrgUnit(Base):
    __tablename__ = "dhis2_org_units"
    __table_args__ = (
        UniqueConstraint("org_unit", name="uq_dhis2_org_units_org_unit"),
        CheckConstraint(f"org_unit {_CHECK}", name="org_unit"),
    )

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(50))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
