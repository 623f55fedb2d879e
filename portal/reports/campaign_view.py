"""The campaigns of a year for a unit and each of its sub-units: the days, the participation typed in
the monthly reports of the campaign's months, and the rate against the target where a plan sets one.

Readers who do not keep the unit's records see the counts through the disclosure policy (as the
dashboards: ``Reader``), and only months that have ended; a sum with a hidden part is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.reports import figures as fig
from portal.reports.campaigns import Campaign, campaigns
from portal.reports.dashboard import Rates, Reader
from portal.reports.models import Report
from portal.reports.periods import Period, containing
from portal.reports.service import definition_by_code
from portal.stats.disclosure import HIDDEN, Shown, rate
from tenancy.models import Unit
from tenancy.structure import children_on

FIRST_YEAR = 2000


@dataclass(frozen=True)
class UnitLine:
    """One unit's participation in one campaign."""

    unit: Unit
    reports: list[tuple[str, str | None]]  # (month, status or None: no report)
    cells: dict[str, Shown | None]  # each participation cell summed over the months (None: no figure)
    children: Shown | None  # children.total of the campaign's last month with a report
    pct: float | None
    target_pct: Decimal | None
    met: bool | None


@dataclass(frozen=True)
class CampaignYear:
    campaign: Campaign
    first: date
    last: date
    months: list[Period]
    cell_keys: list[tuple[str, str, str]]  # key, name_vi, name_en
    lines: list[UnitLine] = field(default_factory=list)


def check_year(raw: object) -> int:
    """A year from 2000 to next year, else a refusal naming ``year``."""
    text = str(raw or "").strip()
    if not text:
        return today().year
    if text.isdigit() and len(text) == 4 and FIRST_YEAR <= int(text) <= today().year + 1:
        return int(text)
    raise ValidationFailed([FieldError("year", f"must be a year from {FIRST_YEAR} to {today().year + 1}")])


def _months(first: date, last: date) -> list[Period]:
    out = [containing("month", first)]
    while out[-1].end < last:
        out.append(containing("month", date.fromordinal(out[-1].end.toordinal() + 1)))
    return out


def _sum(values: list[Shown | None]) -> Shown | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if any(not isinstance(v, int) for v in present):
        return HIDDEN
    return sum(int(v) for v in present)


def campaign_year(session: Session, caller: Caller, unit: Unit, year: int) -> list[CampaignYear]:
    """Each campaign of ``year`` with the participation of ``unit`` and of its sub-units (those it had at
    the year's end, or today in the running year), read from their monthly reports; audited as an
    aggregate read. Casbin: ``report read`` on the unit; the reports are those row-level security lets
    the caller see."""
    authorize(caller, "report", "read", unit)
    definition = definition_by_code(session, "monthly")
    catalog = fig.load_catalog(session, definition)
    indicators = {i.code: i for i in catalog.indicators}
    units = [unit, *children_on(session, unit, min(date(year, 12, 31), today()))]
    years = []
    for campaign in campaigns(session):
        ind = indicators.get(campaign.indicator)
        if ind is not None:
            first, last = campaign.days(year)
            keys = [(c["key"], c["name_vi"], c["name_en"]) for c in ind.cells]
            years.append(CampaignYear(campaign, first, last, _months(first, last), keys))
    every = sorted({m for y in years for m in y.months}, key=lambda m: m.start)
    found = {
        (r.unit_id, r.period): r
        for r in session.scalars(
            select(Report).where(
                Report.definition_id == definition.id,
                Report.unit_id.in_([u.id for u in units]),
                Report.period.in_([m.key for m in every]),
            )
        )
    }
    rates = Rates(session)
    exact = True
    for u in units:
        reader = Reader(session, caller, catalog, u, every)
        exact = exact and reader.exact
        goals = rates.goals(u, year)
        for shown in years:
            shown.lines.append(_line(shown, u, reader, found, goals))
    audit_aggregate(caller, "campaigns", unit.id, {"year": year, "suppressed": not exact})
    return years


def _line(
    shown: CampaignYear,
    unit: Unit,
    reader: Reader,
    found: dict[tuple[int, str], Report],
    goals: dict[str, tuple[Decimal, str | None]],
) -> UnitLine:
    """One unit's line: its reports of the campaign's months (an aggregate-only reader: ended months)."""
    campaign = shown.campaign
    readable = [m for m in shown.months if reader.exact or m.end < today()]
    figures = [reader.figures(found[(unit.id, m.key)]) for m in readable if (unit.id, m.key) in found]
    code = campaign.indicator
    cells = {k: _sum([f.get(code, {}).get(k) for f in figures]) for k, _vi, _en in shown.cell_keys}
    children = figures[-1].get("children", {}).get("total") if figures else None
    goal = goals.get(campaign.target_code) if campaign.target_code else None
    pct = rate(cells.get("participants"), children) if goal else None
    return UnitLine(
        unit=unit,
        reports=[
            (m.key, found[(unit.id, m.key)].status if (unit.id, m.key) in found else None)
            for m in shown.months
        ],
        cells=cells,
        children=children,
        pct=pct,
        target_pct=goal[0] if goal else None,
        met=None if pct is None or goal is None else pct >= float(goal[0]),
    )
