"""The pages' dashboard: what a view is made of (kind of period, period, indicator, structure), the
chosen indicator's trend, the sub-units that need attention first, and the classes of their tiles.

Every figure comes from :func:`portal.reports.dashboard.dashboard` and
:func:`portal.stats.service.unit_stats` with the caller as is: record keepers read their own area
exact, everyone else reads what the disclosure policy (``portal.stats.disclosure``) publishes. Nothing
here counts anything another way; it only chooses, orders and classes the figures those return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.locale import N_, Msg
from portal.reports.dashboard import Rates, dashboard
from portal.reports.dashboard_tiles import classes
from portal.reports.figures import DEPTH, load_catalog
from portal.reports.models import Report, ReportDefinition, Target
from portal.reports.periods import Period, containing, parse, previous
from portal.reports.schemas import DashboardQuery
from portal.reports.service import definition_by_code, targets
from portal.stats import layer
from portal.stats.access import keeps_records
from portal.stats.disclosure import HIDDEN
from portal.stats.months import month_start
from portal.stats.service import unit_stats
from tenancy.models import Unit
from tenancy.service import get_unit, natural_key
from tenancy.structure import path_on

DEFINITIONS = ("monthly", "quarterly", "half_year", "annual")
STRUCTURES = ("current", "historical")
TREND_PERIODS = 12
TOP = 10  # the ranking shows these first; the rest behind "show all"
LISTED = {"month": 36, "quarter": 12, "half": 6, "year": 3}  # periods offered: three years

NOTES: dict[str, Msg] = {
    "no_report": N_("No report"),
    "not_in_force": N_("Not in force in this period"),
    "not_applicable": N_("Does not apply to this period"),
    "unknown": N_("Not known (hidden or no denominator)"),
    "not_held": N_("Not in the reports of this level"),
    "hidden": N_("Fewer than 5"),
    "below": N_("Below the target"),
    "met": N_("Target met"),
}
"""Why a value is missing, or how it stands: the words of the trend, the ranking and the download."""


@dataclass(frozen=True)
class Choice:
    """An indicator a view can show: a target's rate (``key`` the target's code) or a count (``key``
    ``indicator.cell``, the catalogue's notation, its total cell or else its first)."""

    key: str
    name_vi: str
    name_en: str
    target: Target | None = None

    @property
    def is_rate(self) -> bool:
        return self.target is not None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def choices(session: Session, definition: ReportDefinition) -> list[Choice]:
    """The targets' rates, then a count of each indicator of the report, in the catalogue's order."""
    rates = [Choice(t.code, t.name_vi, t.name_en, t) for t in targets(session)]
    counts = []
    for ind in load_catalog(session, definition).indicators:
        cells = ind.cell_keys()
        counts.append(
            Choice(f"{ind.code}.{'total' if 'total' in cells else cells[0]}", ind.name_vi, ind.name_en)
        )
    return rates + counts


@dataclass(frozen=True)
class Asked:
    """A view as the address asks for it: each part a text, or None for its default."""

    definition: str | None = None
    period: str | None = None
    indicator: str | None = None
    structure: str | None = None


def _checked(session: Session, asked: Asked) -> tuple[ReportDefinition, list[Choice], Choice, str]:
    """The report, the indicators offered, the one chosen and the structure; every wrong part named."""
    errors: list[FieldError] = []
    structure = asked.structure or "current"
    if structure not in STRUCTURES:
        errors.append(FieldError("structure", "must be current or historical", "invalid"))
    definition = None
    try:
        definition = definition_by_code(session, asked.definition or "monthly")
    except ValidationFailed as refused:
        errors += refused.errors
    offered = choices(session, definition) if definition is not None else []
    by_key = {c.key: c for c in offered}
    chosen = by_key.get(asked.indicator or "")
    if asked.indicator and chosen is None and definition is not None:
        errors.append(FieldError("indicator", "is not an indicator of this report", "unknown"))
    if errors or definition is None:
        raise ValidationFailed(errors)
    if chosen is None:  # the first target that applies to every period
        chosen = next((c for c in offered if c.target is not None and not c.target.months), offered[0])
    return definition, offered, chosen, structure


def view(session: Session, caller: Caller, unit: Unit, asked: Asked) -> dict[str, Any]:
    """One view of ``unit``'s dashboard: the report's targets, the chosen indicator's trend over
    ``TREND_PERIODS`` periods, the sub-units ranked (those needing attention first) and classed for the
    tiles, the children's counts at the period's end, the periods offered and the breadcrumb trail.

    Refused with the parameter named: an unknown report (``definition``), indicator or structure; a
    period that is not one of the report, has not ended (aggregate-only readers), or lies before the
    months the statistics layer keeps (``period``)."""
    definition, offered, chosen, structure = _checked(session, asked)
    exact = keeps_records(caller, unit)
    if asked.period and not exact:
        given = parse(definition.period_type, asked.period)
        if given is not None and month_start(given.end) < layer.window_start():
            raise ValidationFailed(
                [FieldError("period", "is before the months whose figures are kept", "before_window")]
            )
    refs = () if chosen.is_rate else (chosen.key,)
    query = DashboardQuery(definition=definition.code, period=asked.period, periods=TREND_PERIODS)
    dash = dashboard(session, caller, unit, query, structure=structure, refs=refs)
    period = parse(definition.period_type, dash["period"])
    assert period is not None  # the dashboard's own period
    stats = _stats(session, caller, unit, period, structure, exact)
    goal = next((r for r in dash["targets"] if r["code"] == chosen.key), None)
    trend = [_point(p, chosen, definition) for p in dash["trend"]]
    tiles = _rows(session, dash["ranking"], chosen, period)
    legend = classes(chosen.is_rate, float(goal["target_pct"]) if goal else 100.0, tiles)
    sub_level = dash["ranking"][0]["unit"]["level"] if dash["ranking"] else None
    return {
        "unit": unit,
        "exact": exact,
        "definition": definition,
        "definitions": DEFINITIONS,
        "period": period,
        "periods": _periods(session, unit, definition, period, exact),
        "indicator": chosen,
        "indicators": offered,
        "structure": structure,
        "dash": dash,
        "stats": stats,
        "own": trend[-1] if trend else None,
        "goal": goal,
        "trend": trend,
        "ranking": _ranked(tiles, chosen.is_rate),
        "tiles": tiles,
        "top": TOP,
        "reports_below": sub_level is None or DEPTH[sub_level] <= DEPTH[definition.lowest_level],
        "legend": legend,
        "trail": _trail(session, caller, unit, None if structure == "current" else period.end),
    }


def _stats(
    session: Session, caller: Caller, unit: Unit, period: Period, structure: str, exact: bool
) -> dict[str, Any]:
    """The children's counts at the period's end (a running period: today, for record keepers)."""
    on = period.end if period.end < today() else None  # an aggregate-only reader's period has ended
    try:
        return unit_stats(session, caller, unit, on, structure)
    except ValidationFailed as refused:  # the day is the period's end: the page's parameter is the period
        raise ValidationFailed(
            [
                FieldError("period" if e.field == "as_of" else e.field, e.message, e.code)
                for e in refused.errors
            ]
        ) from refused


def _point(point: dict[str, Any], chosen: Choice, definition: ReportDefinition) -> dict[str, Any]:
    """One period of the trend: its value of the chosen indicator, or why it has none."""
    value = point["rates"].get(chosen.key) if chosen.is_rate else point["totals"].get(chosen.key)
    note = None
    if point["status"] is None:
        note = "no_report"
    elif value is None:
        note = "unknown" if chosen.is_rate else "not_held"  # a count is "<5" when hidden, never None
        period = parse(definition.period_type, point["period"])
        if (
            chosen.target is not None
            and period is not None
            and not chosen.target.applies(period.start, period.end)
        ):
            note = "not_applicable"
    elif value == HIDDEN:
        note = "hidden"
    return {"period": point["period"], "status": point["status"], "value": value, "note": note}


def _rows(
    session: Session, ranking: list[dict[str, Any]], chosen: Choice, period: Period
) -> list[dict[str, Any]]:
    """The sub-units in the tree's order, each with its value of the chosen indicator, its goal (a
    target's, for the sub-unit and year) and a note saying how it stands or why it has no value."""
    goals = Rates(session)
    rows = []
    for row in ranking:
        ref = row["unit"]
        value = row["rates"].get(chosen.key) if chosen.is_rate else row.get("totals", {}).get(chosen.key)
        goal = None
        if chosen.target is not None and chosen.target.applies(period.start, period.end):
            sub = get_unit(session, int(ref["id"]))
            goal = float(goals.goals(sub, period.end.year)[chosen.key][0]) if sub is not None else None
        note = _note(row["status"], value, goal, chosen)
        rows.append({"unit": ref, "status": row["status"], "value": value, "goal": goal, "note": note})
    return rows


def _ranked(rows: list[dict[str, Any]], rate: bool) -> list[dict[str, Any]]:
    """Those needing attention first: no report, then the lowest rate (or the largest count), then
    values not known, then units not in force in the period; names in natural order within."""
    return sorted(
        rows,
        key=lambda r: (
            *_attention(r, rate),
            str(r["unit"]["code"] or ""),
            natural_key(str(r["unit"]["name"])),
        ),
    )


def _note(status: str, value: object, goal: float | None, chosen: Choice) -> str | None:
    if status in ("missing", "not_in_force"):
        return "no_report" if status == "missing" else "not_in_force"
    if value is None:
        if not chosen.is_rate:
            return "not_held"  # a count is "<5" when hidden, never None
        return "unknown" if goal is not None else "not_applicable"
    if value == HIDDEN:
        return "hidden"
    if goal is not None and isinstance(value, float | int):
        return "met" if value >= goal else "below"
    return None


def _attention(row: dict[str, Any], rate: bool) -> tuple[int, float]:
    value = row["value"]
    if row["status"] == "missing":
        return (0, 0.0)
    if row["status"] == "not_in_force":
        return (3, 0.0)
    if value == HIDDEN:  # 1 to 4: between 0 and the published counts, which are at least 5
        value = 1
    if isinstance(value, int | float):
        return (1, float(value) if rate else -float(value))
    return (2, 0.0)


def _periods(
    session: Session, unit: Unit, definition: ReportDefinition, chosen: Period, exact: bool
) -> list[dict[str, Any]]:
    """The periods offered, newest first, each with the status of the unit's own report (None: none):
    the last three years' (aggregate-only readers: ended, and kept by the statistics layer), and the
    one shown."""
    kind = definition.period_type
    running = containing(kind, today())
    last = running if exact else previous(kind, running, 2)[0]
    listed = previous(kind, last, LISTED[kind])
    if not exact:
        first = layer.window_start()
        listed = [p for p in listed if month_start(p.end) >= first]
    by_key = {p.key: p for p in listed} | {chosen.key: chosen}
    statuses = dict(
        session.execute(
            select(Report.period, Report.status).where(
                Report.definition_id == definition.id,
                Report.unit_id == unit.id,
                Report.period.in_(list(by_key)),
            )
        )
        .tuples()
        .all()
    )
    ordered = sorted(by_key.values(), key=lambda p: p.start, reverse=True)
    return [{"key": p.key, "status": statuses.get(p.key)} for p in ordered]


def _trail(session: Session, caller: Caller, unit: Unit, on: date | None) -> list[Unit]:
    """The units above ``unit`` (in the tree of ``on``; None: today's) that the caller reads, top
    first, and the unit itself: the breadcrumb trail."""
    path = unit.path if on is None else path_on(session, unit, on)
    found = [get_unit(session, int(x)) for x in path.strip("/").split("/")[:-1]]
    return [u for u in found if u is not None and caller.covers(u)] + [unit]


def provinces(session: Session) -> list[Unit]:
    """The provinces in force, in code order: where an account held at no unit (an administrator) starts."""
    found = session.scalars(select(Unit).where(Unit.level == "province", Unit.valid_to.is_(None)))
    return sorted(found, key=lambda u: (u.code or "", natural_key(u.name)))
