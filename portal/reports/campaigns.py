"""Campaigns as data: the days of the year when children's events and awareness months are held (the
Action Month for Children, 1 June, the Children's Forum, Mid-Autumn by the lunar calendar, the months
against domestic and gender-based violence, the day against trafficking), each with the indicator
that holds its participation cells and the target where a plan sets one.

A campaign's indicator is part of a report only when the campaign falls in the report's period
(``Catalog.campaign_left_out``): its cells are typed in, shown and consolidated in those periods only.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Integer, SmallInteger, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from infra.db import Base
from portal.workdays.lunar import solar_date


class Campaign(Base):
    """A yearly campaign: from ``start`` to ``end`` (month, day) of the solar or the lunar calendar."""

    __tablename__ = "report_campaigns"
    __table_args__ = (
        CheckConstraint("calendar IN ('solar', 'lunar')", name="calendar"),
        CheckConstraint(
            "start_month BETWEEN 1 AND 12 AND end_month BETWEEN 1 AND 12 AND start_day BETWEEN 1 AND 31 "
            "AND end_day BETWEEN 1 AND 31 AND (start_month, start_day) <= (end_month, end_day)",
            name="days",
        ),
    )

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(ForeignKey("report_indicators.code"), unique=True)
    target_code: Mapped[str | None] = mapped_column(ForeignKey("report_targets.code"))
    calendar: Mapped[str] = mapped_column(String(8))
    start_month: Mapped[int] = mapped_column(SmallInteger)
    start_day: Mapped[int] = mapped_column(SmallInteger)
    end_month: Mapped[int] = mapped_column(SmallInteger)
    end_day: Mapped[int] = mapped_column(SmallInteger)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    def days(self, year: int) -> tuple[date, date]:
        """The first and last day of the campaign in ``year`` (for the lunar calendar: the lunar year
        that starts in ``year``; Mid-Autumn 2025 is 6 October 2025)."""
        if self.calendar == "lunar":
            return (
                solar_date(year, self.start_month, self.start_day),
                solar_date(year, self.end_month, self.end_day),
            )
        return date(year, self.start_month, self.start_day), date(year, self.end_month, self.end_day)

    def falls_in(self, start: date, end: date) -> bool:
        """Whether any day of the campaign lies in the period from ``start`` to ``end``."""
        for year in range(start.year - 1, end.year + 1):
            first, last = self.days(year)
            if first <= end and last >= start:
                return True
        return False


def campaigns(session: Session) -> list[Campaign]:
    """Every campaign, in the order of the year."""
    return list(session.scalars(select(Campaign).order_by(Campaign.sort)))


def campaign_rows(raw: list[dict[str, object]]) -> list[dict[str, object]]:
    """The catalogue's ``campaigns`` as rows of ``report_campaigns``."""
    rows = []
    for sort, spec in enumerate(raw):
        start, end = spec["start"], spec["end"]
        assert isinstance(start, list) and isinstance(end, list)
        rows.append(
            {
                "code": spec["code"],
                "name_vi": spec["name_vi"],
                "name_en": spec["name_en"],
                "indicator": spec["indicator"],
                "target_code": spec.get("target"),
                "calendar": spec["calendar"],
                "start_month": start[0],
                "start_day": start[1],
                "end_month": end[0],
                "end_day": end[1],
                "legal_basis": spec.get("legal_basis"),
                "sort": sort,
            }
        )
    return rows
