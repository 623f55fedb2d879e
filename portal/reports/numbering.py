"""Numbers of issued reports ("Số: 12/BC-UBND", Decree 30/2020/NĐ-CP, Appendix I).

Each unit numbers the reports it issues from 1 in every calendar year. A report is issued when it is
submitted: the first official document made of a submitted (or approved) report gives it the unit's next
number for the year, with the day of issue; every later document of it shows the same number and day.
The counter only goes up and a number is never changed or deleted (migration 0040 grants neither), so
no number is given twice, even when a report is returned and submitted again. A draft has no number:
its document leaves the number and the day blank, as a draft on paper does.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from infra.clock import VIETNAM, utcnow
from infra.db import Base

ISSUED = ("submitted", "approved")
KIND = "BC"  # báo cáo
BODY = "UBND"  # Ủy ban nhân dân


class ReportNumberCounter(Base):
    """The last number a unit gave in a year."""

    __tablename__ = "report_number_counters"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint("last >= 1", name="last"),
    )

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ReportNumber(Base):
    """A report's number and day of issue, given once."""

    __tablename__ = "report_numbers"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "seq", name="uq_report_numbers_unit_id"),
        CheckConstraint("seq >= 1", name="seq"),
    )

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    seq: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def symbol(self) -> str:
        """The number and symbol as printed: ``12/BC-UBND``."""
        return f"{self.seq}/{KIND}-{BODY}"


def number_of(session: Session, report_id: int) -> ReportNumber | None:
    """The report's number, if it was given one (row-level security: the caller's scope covers the unit)."""
    return session.get(ReportNumber, report_id)


def assign_number(
    session: Session, report_id: int, unit_id: int, status: str, user_id: int | None
) -> ReportNumber | None:
    """The report's number, given now if it is issued (submitted or approved) and has none yet; None for
    a draft or a returned report. The caller holds the report's row lock (documents.request_document),
    so two requests for the same report cannot both give it a number."""
    found = number_of(session, report_id)
    if found is not None or status not in ISSUED:
        return found
    issued_on = utcnow().astimezone(VIETNAM).date()
    bump = insert(ReportNumberCounter).values(unit_id=unit_id, year=issued_on.year, last=1)
    seq = session.scalar(
        bump.on_conflict_do_update(
            index_elements=["unit_id", "year"], set_={"last": ReportNumberCounter.last + 1}
        ).returning(ReportNumberCounter.last)
    )
    assert seq is not None
    number = ReportNumber(
        report_id=report_id,
        unit_id=unit_id,
        year=issued_on.year,
        seq=seq,
        issued_on=issued_on,
        assigned_by=user_id,
    )
    session.add(number)
    session.flush()
    return number


def numbers_of(session: Session, unit_id: int, year: int) -> list[ReportNumber]:
    """The numbers a unit gave in a year, in order (its register of issued reports)."""
    stmt = select(ReportNumber).where(ReportNumber.unit_id == unit_id, ReportNumber.year == year)
    return list(session.scalars(stmt.order_by(ReportNumber.seq)))
