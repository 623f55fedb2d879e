"""Dashboards: a unit's indicators against its targets, their trend, and a ranking of its sub-units.

Targets come from plans at each level: a unit's own target for the year, else the nearest
ancestor's, else the national default. Readers without record access see every count of children or
cases through the disclosure policy (portal.reports.figures.for_reader): registry counts are the
statistics layer's published figures for the period's last month — the same as ``/stats`` shows for the
unit and month — and hand-entered ones are published with a hashed cell key. Their rates are computed
from the published figures, and hidden whenever either side is hidden. They read ended periods only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today, utcnow
from infra.errors import FieldError, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.audit.service import record as audit
from portal.reports import figures as fig
from portal.reports.campaigns import campaigns
from portal.reports.models import Figures, Report, Target, UnitTarget
from portal.reports.periods import Period, containing, parse, previous
from portal.reports.responses import TargetSetOut
from portal.reports.schemas import DashboardQuery, TargetIn
from portal.reports.service import definition_by_code, targets
from portal.stats.access import keeps_records
from portal.stats.disclosure import rate
from tenancy.models import Unit
from tenancy.structure import children_on, valid_on

KEY_INDICATORS = (
    "children.total",
    "special.total",
    "at_risk.total",
    "injuries.total",
    "abused_children.total",
)


def _value(figures: Figures, ref: str) -> int | None:
    code, cell = ref.split(".")
    value = figures.get(code, {}).get(cell)
    return None if value is None else int(value)


class Rates:
    """Targets, the indicators that count children and the plans' own targets, read once per request.

    A unit's goal for a target and year is its own plan's, else the nearest ancestor's, else the default.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.targets = targets(session)
        self.campaign_of = {c.target_code: c for c in campaigns(session) if c.target_code}
        self._plans: dict[int, dict[tuple[str, int], tuple[Decimal, str | None]]] = {}

    def _year(self, year: int) -> dict[tuple[str, int], tuple[Decimal, str | None]]:
        if year not in self._plans:
            rows = self.session.execute(
                select(UnitTarget, Unit.name)
                .join(Unit, Unit.id == UnitTarget.unit_id)
                .where(UnitTarget.year == year)
            ).tuples()
            self._plans[year] = {(t.target_code, t.unit_id): (t.pct, name) for t, name in rows}
        return self._plans[year]

    def goals(self, unit: Unit, year: int) -> dict[str, tuple[Decimal, str | None]]:
        """Each target's percentage for ``unit`` in ``year``, and whose plan set it (None: the default)."""
        plans = self._year(year)
        ancestors = [int(x) for x in unit.path.strip("/").split("/")]
        out: dict[str, tuple[Decimal, str | None]] = {}
        for target in self.targets:
            out[target.code] = (target.default_pct, None)
            for uid in ancestors:  # root first: the deepest plan wins
                if (target.code, uid) in plans:
                    out[target.code] = plans[(target.code, uid)]
        return out

    def rows(
        self,
        figures: Figures,
        goals: dict[str, tuple[Decimal, str | None]],
        period: Period,
        shown: dict[str, dict[str, int | str]] | None = None,
    ) -> list[dict[str, Any]]:
        """Each target as numerator, denominator, rate and met, a target of other months not applying to
        the period (the Action Month is June; a campaign's target applies in the periods the campaign
        falls in). ``shown``: the figures as an aggregate-only reader sees them
        (portal.reports.figures.for_reader); the rate is then of the published figures, and hidden when
        either is hidden."""
        rows = []
        for target in self.targets:
            campaign = self.campaign_of.get(target.code)
            applies = (
                campaign.falls_in(period.start, period.end)
                if campaign is not None
                else target.applies(period.start, period.end)
            )
            num = _side(figures, shown, target.numerator) if applies else None
            den = _side(figures, shown, target.denominator) if applies else None
            pct = rate(num, den)
            goal, set_by = goals[target.code]
            rows.append(
                {
                    "code": target.code,
                    "name_vi": target.name_vi,
                    "name_en": target.name_en,
                    "numerator": num,
                    "denominator": den,
                    "pct": pct,
                    "target_pct": float(goal),
                    "target_set_by": set_by,
                    "met": None if pct is None else pct >= float(goal),
                    "applies": applies,
                }
            )
        return rows


def _side(figures: Figures, shown: dict[str, dict[str, int | str]] | None, ref: str) -> int | str | None:
    if shown is None:
        return _value(figures, ref)
    code, cell = ref.split(".")
    return shown.get(code, {}).get(cell)


def targets_for(session: Session, unit: Unit, year: int) -> dict[str, tuple[Decimal, str | None]]:
    return Rates(session).goals(unit, year)


def _reports(
    session: Session, definition_id: int, unit_ids: list[int], periods: list[str]
) -> dict[tuple[int, str], Report]:
    found = session.scalars(
        select(Report).where(
            Report.definition_id == definition_id, Report.unit_id.in_(unit_ids), Report.period.in_(periods)
        )
    )
    return {(r.unit_id, r.period): r for r in found}


def _last_period(session: Session, definition: Any, unit: Unit, given: object, aggregate: bool) -> Period:
    """The dashboard's period: the one asked for, else the latest with a report of this unit, else the
    running one. An aggregate-only reader reads ended periods only (else the running one could be read
    day by day): the latest ended one by default."""
    if given:
        last = parse(definition.period_type, str(given))
        if last is None or last.start > today():
            raise ValidationFailed([FieldError("period", "must be a past or current period of this report")])
        if aggregate and last.end >= today():
            raise ValidationFailed(
                [FieldError("period", "must be a period that has ended", "period_not_ended")]
            )
        return last
    reports = select(Report.period).where(Report.definition_id == definition.id, Report.unit_id == unit.id)
    if aggregate:
        reports = reports.where(Report.period_end < today())
    latest = session.scalar(reports.order_by(Report.period_end.desc()).limit(1))
    running = containing(definition.period_type, today())
    found = parse(definition.period_type, latest) if latest else None
    if found is None:
        found = previous(definition.period_type, running, 2)[0] if aggregate else running
    return found


class Reader:
    """How one reader sees one unit's reports: exact, or through the disclosure policy with the
    statistics layer's figures for the registry cells (read once for all the periods asked)."""

    def __init__(
        self, session: Session, caller: Caller, catalog: fig.Catalog, unit: Unit, periods: list[Period]
    ) -> None:
        self.catalog, self.unit = catalog, unit
        self.exact = keeps_records(caller, unit)
        self.layered = {} if self.exact else fig.layered(session, unit, periods)

    def shown(self, report: Report) -> dict[str, dict[str, int | str]] | None:
        """The report's figures as published to this reader; None for a record keeper (exact)."""
        if self.exact:
            return None
        return fig.for_reader(
            self.catalog, report.figures, False, self.unit.id, report.period, self.layered.get(report.period)
        )

    def figures(self, report: Report) -> dict[str, dict[str, int | str]]:
        """The report's figures as this reader sees them, exact or published."""
        published = self.shown(report)
        return published if published is not None else {c: dict(v) for c, v in report.figures.items()}

    def total(self, report: Report, ref: str) -> int | str | None:
        return _side(report.figures, self.shown(report), ref)


def dashboard(
    session: Session,
    caller: Caller,
    unit: Unit,
    params: DashboardQuery,
    *,
    structure: str = "historical",
    refs: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The unit's dashboard (the shape of ``portal.reports.responses.DashboardOut``).

    The pages' dashboard also asks for: ``structure`` ``current``, ranking today's sub-units instead of
    those the unit had on the period's last day (``historical``, the API's), each with the day it came
    into force or ended; and ``refs``, counts (``"injuries.total"``) added to every trend point's and
    every sub-unit's ``totals``, as this reader sees them. The API asks for neither: its answer keeps
    its shape."""
    authorize(caller, "report", "read", unit)
    if structure not in ("current", "historical"):
        raise ValidationFailed([FieldError("structure", "must be 'current' or 'historical'")])
    definition = definition_by_code(session, params.definition or "monthly")
    count = 12 if params.periods is None else params.periods
    if not 1 <= count <= 36:
        raise ValidationFailed([FieldError("periods", "must be a whole number from 1 to 36")])
    exact = keeps_records(caller, unit)
    last = _last_period(session, definition, unit, params.period, not exact)
    catalog = fig.load_catalog(session, definition)
    rates = Rates(session)
    periods = previous(definition.period_type, last, count)
    reports = _reports(session, definition.id, [unit.id], [p.key for p in periods])
    reader = Reader(session, caller, catalog, unit, periods)
    trend = []
    for period in periods:
        report = reports.get((unit.id, period.key))
        goals = rates.goals(unit, period.end.year)
        rows = rates.rows(report.figures, goals, period, reader.shown(report)) if report else []
        trend.append(
            {
                "period": period.key,
                "status": report.status if report else None,
                "rates": {r["code"]: r["pct"] for r in rows},
                "totals": {k: reader.total(report, k) for k in (*KEY_INDICATORS, *refs)} if report else {},
            }
        )
    current = reports.get((unit.id, last.key))
    goals = rates.goals(unit, last.end.year)
    shown: dict[str, Any] = {
        "unit": unit.ref(),
        "definition": definition.code,
        "period": last.key,
        "report_id": current.id if current else None,
        "status": current.status if current else None,
        "suppressed": not exact,
        "targets": rates.rows(current.figures, goals, last, reader.shown(current)) if current else [],
        "trend": trend,
        "ranking": _ranking(
            session, caller, rates, catalog, unit, definition.id, last, structure == "current", refs
        ),
    }
    audit_aggregate(
        caller,
        "dashboard",
        unit.id,
        {
            "definition": definition.code,
            "period": last.key,
            "period_given": bool(params.period),
            "periods": count,
            "suppressed": not exact,
            "structure": structure,
            **({"counts": ",".join(refs)} if refs else {}),
        },
    )
    return shown


def _ranking(
    session: Session,
    caller: Caller,
    rates: Rates,
    catalog: fig.Catalog,
    unit: Unit,
    definition_id: int,
    period: Period,
    current: bool = False,
    refs: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Each sub-unit's rates this period (reports read in one query); units without a report say so.

    ``current``: today's sub-units, a unit not in force on the period's last day marked
    ``not_in_force`` (it could not report); else the sub-units of that day. ``refs``: counts added as
    ``totals`` (the pages' dashboard)."""
    end = period.end
    subs = children_on(session, unit, today() if current else end)
    reports = _reports(session, definition_id, [s.id for s in subs], [period.key])
    out = []
    for sub in subs:
        report = reports.get((sub.id, period.key))
        rows = []
        reader = None
        if report:
            reader = Reader(session, caller, catalog, sub, [period])
            rows = rates.rows(report.figures, rates.goals(sub, end.year), period, reader.shown(report))
        status = report.status if report else "missing"
        if report is None and current and not valid_on(sub, end):
            status = "not_in_force"
        row: dict[str, Any] = {
            "unit": sub.ref(),
            "status": status,
            "rates": {r["code"]: r["pct"] for r in rows},
        }
        if refs:
            row["totals"] = {k: reader.total(report, k) for k in refs} if reader and report else {}
        out.append(row)
    return out


def set_target(session: Session, caller: Caller, unit: Unit, body: TargetIn) -> TargetSetOut:
    """A unit's plan sets its own target for a year (its officers, or any level above)."""
    authorize(caller, "target", "set", unit)
    errors = []
    code, year, pct = body.target, body.year, body.pct
    if session.get(Target, code) is None:
        errors.append(FieldError("target", "unknown target", "unknown"))
    if not 2000 <= year <= 2100:
        errors.append(FieldError("year", "must be a year such as 2026"))
    if not 0 <= pct <= 100:
        errors.append(FieldError("pct", "must be a percentage from 0 to 100"))
    if errors:
        raise ValidationFailed(errors)
    stmt = insert(UnitTarget).values(
        unit_id=unit.id,
        target_code=code,
        year=year,
        pct=Decimal(str(pct)),
        set_by=caller.user_id,
        set_at=utcnow(),
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["unit_id", "target_code", "year"],
            set_={"pct": stmt.excluded.pct, "set_by": stmt.excluded.set_by, "set_at": stmt.excluded.set_at},
        )
    )
    audit(
        caller.actor,
        "set",
        "target",
        "allowed",
        unit_id=unit.id,
        detail={"target": code, "year": year, "pct": pct},
    )
    return TargetSetOut(unit_id=unit.id, target=code, year=year, pct=float(pct))
