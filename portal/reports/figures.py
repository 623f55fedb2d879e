"""Report figures: which indicators a unit's report holds, registry counts, sums, derived totals,
checks on hand-entered cells, and the figures as aggregate-only readers see them (portal.stats.disclosure).

Figures are ``{indicator: {cell: count}}``. Every count is a whole number of children, points,
cases or communes, so consolidation is a plain sum of sub-units' figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infra.errors import FieldError
from portal.cases.stats import months_between, published_cases
from portal.reports.campaigns import Campaign
from portal.reports.models import Figures, Indicator, ReportDefinition
from portal.reports.periods import Period
from portal.stats import layer
from portal.stats.disclosure import HIDDEN, Shown, last_complete_month, publish_hashed, small
from portal.stats.months import month_start
from portal.stats.service import published_children, reference_codes
from tenancy.models import Unit

DEPTH = {"province": 1, "district": 2, "commune": 3, "hamlet": 4}
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class Catalog:
    """One definition with its indicators, in order. Read for a period, a campaign's indicator is left out
    when the campaign does not fall in the period (``campaign_left_out``: indicator code -> campaign)."""

    definition: ReportDefinition
    indicators: list[Indicator]
    campaign_left_out: dict[str, Campaign] = dataclasses.field(default_factory=dict)

    def entry_level(self, indicator: Indicator) -> str | None:
        """Where a manual indicator is typed in for this definition (never below its lowest level)."""
        if indicator.entry_level is None:
            return None
        lowest = self.definition.lowest_level
        return indicator.entry_level if DEPTH[indicator.entry_level] <= DEPTH[lowest] else lowest

    def held_at(self, level: str) -> list[Indicator]:
        """Indicators a report at ``level`` holds: registry ones, and manual ones entered there or below."""
        out = []
        for ind in self.indicators:
            entry = self.entry_level(ind)
            if entry is None or DEPTH[level] <= DEPTH[entry]:
                out.append(ind)
        return out

    def entered_at(self, level: str) -> list[Indicator]:
        return [i for i in self.indicators if self.entry_level(i) == level]

    @staticmethod
    def typed_cells(indicator: Indicator) -> list[dict[str, Any]]:
        """The cells of ``indicator`` a person types: not a partition's total, not a computed one."""
        derived = {"total"} if indicator.partitions else set()
        return [c for c in indicator.cells if c["key"] not in derived and "auto" not in c]


def load_catalog(
    session: Session, definition: ReportDefinition, start: date | None = None, end: date | None = None
) -> Catalog:
    """The definition's indicators; for the period from ``start`` to ``end``, without the indicators of
    campaigns that do not fall in it (without a period: every indicator, e.g. to choose one to chart)."""
    by_code = {i.code: i for i in session.scalars(select(Indicator))}
    left_out: dict[str, Campaign] = {}
    if start is not None and end is not None:
        for campaign in session.scalars(select(Campaign)):
            if not campaign.falls_in(start, end):
                left_out[campaign.indicator] = campaign
    held = [by_code[c] for c in definition.indicators if c in by_code and c not in left_out]
    return Catalog(definition, held, left_out)


def for_report(session: Session, definition: ReportDefinition, report: Any) -> Catalog:
    """The catalogue of ``report``'s period (a Report: ``period_start`` and ``period_end``)."""
    return load_catalog(session, definition, report.period_start, report.period_end)


def _prefix(paths: Iterable[str]) -> str:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        common.append(segments[0])
    return "/" + "".join(f"{s}/" for s in common)


def registry_figures(
    session: Session, hamlet_paths: dict[int, str], start: date, end: date, catalog: Catalog
) -> dict[int, Figures]:
    """Registry counts per hamlet (``hamlet_paths`` maps hamlet id to its current path), in one query."""
    out: dict[int, Figures] = {h: _zeros(catalog, "hamlet", registry_only=True) for h in hamlet_paths}
    if not hamlet_paths:
        return out
    prefix = _prefix(hamlet_paths.values())
    # the register's counts, the moves between communes completed in the period (migration 0023), the
    # collaborators in place and trained at the period's end (0034) and the hazardous water points on
    # the period's last day (0035)
    for counted in (
        func.report_registry_figures,
        func.report_move_figures,
        func.report_staff_figures,
        func.report_water_point_figures,
    ):
        rows = session.execute(
            select(counted(prefix, start, end).table_valued("hamlet_id", "indicator", "cell", "n"))
        ).tuples()
        for hamlet_id, indicator, cell, n in rows:
            figures = out.get(int(hamlet_id))
            if figures is not None and indicator in figures and cell in figures[indicator]:
                figures[indicator][cell] = int(n)
    return out


def staff_figures(session: Session, path: str, start: date, end: date) -> dict[str, int]:
    """Collaborators in place under ``path`` at ``end`` and how many of them were trained by then: the
    report's ``collaborators`` cells summed over the hamlets (one rule: ``report_staff_figures``)."""
    out = {"in_place": 0, "trained": 0}
    rows = session.execute(
        select(
            func.report_staff_figures(path, start, end).table_valued("hamlet_id", "indicator", "cell", "n")
        )
    ).tuples()
    for _hamlet, indicator, cell, n in rows:
        if indicator == "collaborators" and cell in out:
            out[cell] += int(n)
    return out


def _zeros(catalog: Catalog, level: str, registry_only: bool = False) -> Figures:
    return {
        i.code: {k: 0 for k in i.cell_keys()}
        for i in catalog.held_at(level)
        if not registry_only or i.source == "registry"
    }


def add(into: Figures, other: Figures) -> None:
    for code, cells in other.items():
        target = into.setdefault(code, {})
        for key, n in cells.items():
            target[key] = target.get(key, 0) + int(n)


def compose(catalog: Catalog, level: str, base: Figures, entered: Figures) -> Figures:
    """A report's figures: the registry or consolidated ``base`` plus what was entered here,
    with each indicator's cells complete, constants filled in and partition totals derived."""
    out = _zeros(catalog, level)
    for code, cells in base.items():
        if code in out:
            out[code].update({k: int(v) for k, v in cells.items() if k in out[code]})
    for ind in catalog.held_at(level):
        _border_total(ind, level, out[ind.code])
    for ind in catalog.entered_at(level):
        cells = out[ind.code]
        cells.update({k: int(v) for k, v in entered.get(ind.code, {}).items() if k in cells})
        for cell in ind.cells:
            if "auto" in cell:
                cells[cell["key"]] = int(cell["auto"])
        if ind.partitions and "total" in cells:
            cells["total"] = sum(cells[k] for k in ind.partitions[0])
    return out


def _border_total(ind: Indicator, level: str, cells: dict[str, int]) -> None:
    """The total of a moves indicator at ``level``: only the moves that cross the unit's border.

    Its cells class each move by the deepest unit both ends shared (``internal_at``: a move between
    two communes of a district is inside any district-level unit and above). Sub-units' cells add up;
    the total does not: a move between two of them is neither an entry nor an exit of the sum."""
    flows = [c for c in ind.cells if "internal_at" in c]
    if not flows or "total" not in cells:
        return
    cells["total"] = sum(
        cells.get(c["key"], 0)
        for c in flows
        if c["internal_at"] is None or DEPTH[level] > DEPTH[c["internal_at"]]
    )


def check_entries(
    catalog: Catalog, level: str, values: Any, registry: Figures
) -> tuple[Figures, list[FieldError]]:
    """Validate cells typed in at a unit of ``level`` against ``registry`` (the figures without them)."""
    errors: list[FieldError] = []
    clean: Figures = {}
    if not isinstance(values, dict):
        return clean, [FieldError("values", "must be an object {indicator: {cell: count}}")]
    enterable = {i.code: i for i in catalog.entered_at(level)}
    known = {i.code for i in catalog.indicators}
    for code, cells in values.items():
        field = f"values.{code}"
        if code in catalog.campaign_left_out:
            errors.append(_outside(field, catalog.campaign_left_out[code]))
            continue
        if code not in known:
            errors.append(FieldError(field, "is not an indicator of this report", "unknown"))
            continue
        ind = enterable.get(code)
        if ind is None:
            errors.append(FieldError(field, f"is not entered by hand at {level} level", "not_enterable"))
            continue
        if not isinstance(cells, dict):
            errors.append(FieldError(field, "must be an object {cell: count}"))
            continue
        spec = {c["key"]: c for c in ind.cells}
        derived = {"total"} if ind.partitions else set()
        for key, value in cells.items():
            where = f"{field}.{key}"
            if key not in spec:
                errors.append(FieldError(where, "is not a cell of this indicator", "unknown"))
            elif key in derived or "auto" in spec[key]:
                errors.append(FieldError(where, "is computed, not entered", "computed"))
            elif isinstance(value, bool) or not isinstance(value, int):
                errors.append(FieldError(where, "must be a whole number", "not_integer"))
            elif value < 0:
                errors.append(FieldError(where, "must not be negative", "negative"))
            elif value > spec[key].get("max", MAX_COUNT):
                errors.append(
                    FieldError(where, f"must be at most {spec[key].get('max', MAX_COUNT)}", "too_large")
                )
            else:
                clean.setdefault(code, {})[key] = value
    if errors:
        return clean, errors
    merged = compose(catalog, level, registry, clean)
    known = _known(catalog, level, clean)
    for code in clean:
        errors += _rules(enterable[code], merged, known)
    return clean, errors


def _outside(where: str, campaign: Campaign) -> FieldError:
    """A campaign's cells typed in a period the campaign does not fall in."""
    return FieldError(
        where,
        f"is typed only in the periods of {campaign.name_en}, which does not fall in this period",
        "outside_campaign",
    )


def settled(catalog: Catalog, level: str, entered: Figures) -> set[str]:
    """The ``indicator.cell`` figures a draft at ``level`` already settles (see ``_known``): a validation
    rule reading a cell outside it waits until the box is filled (portal.reports.rule_eval)."""
    return _known(catalog, level, entered)


def _known(catalog: Catalog, level: str, entered: Figures) -> set[str]:
    """The ``indicator.cell`` figures a draft already settles: every cell of a registry or consolidated
    indicator, the hand-entered cells typed in so far, and a derived total once all its parts are in."""
    known = set()
    enterable = {i.code for i in catalog.entered_at(level)}
    for ind in catalog.held_at(level):
        typed = entered.get(ind.code, {})
        for cell in ind.cells:
            key = cell["key"]
            derived = key == "total" and bool(ind.partitions)
            settled = (
                ind.code not in enterable
                or "auto" in cell
                or key in typed
                or (derived and all(k in typed for k in ind.partitions[0]))
            )
            if settled:
                known.add(f"{ind.code}.{key}")
    return known


def _rules(ind: Indicator, figures: Figures, known: set[str]) -> list[FieldError]:
    """The indicator's cross-cell rules, on the cells already settled: a draft saved with some boxes
    still empty is not refused for parts that cannot add up yet or for a limit not yet typed in."""
    errors = []
    cells = figures[ind.code]
    first = ind.partitions[0] if ind.partitions else []
    for part in ind.partitions[1:]:
        if not all(f"{ind.code}.{k}" in known for k in (*first, *part)):
            continue
        if sum(cells[k] for k in part) != sum(cells[k] for k in first):
            errors.append(
                FieldError(
                    f"values.{ind.code}.{part[0]}",
                    f"{' + '.join(part)} = {sum(cells[k] for k in part)} must equal "
                    f"{' + '.join(first)} = {sum(cells[k] for k in first)}",
                    "partition_mismatch",
                )
            )
    for rule in ind.rules:
        other_code, other_cell = rule["le"].split(".")
        limit = figures.get(other_code, {}).get(other_cell)
        if limit is None or rule["le"] not in known or f"{ind.code}.{rule['cell']}" not in known:
            continue
        tolerance = rule.get("tolerance_pct", 0)
        allowed = limit * (100 + tolerance) // 100
        value = cells[rule["cell"]]
        if value > allowed:
            message = (
                f"{value} contradicts the registry: more than {rule['le']} = {limit} plus {tolerance}%"
                if tolerance
                else f"{value} is more than {rule['le']} = {limit}"
            )
            code = "contradicts_registry" if tolerance else "exceeds"
            errors.append(FieldError(f"values.{ind.code}.{rule['cell']}", message, code))
    return errors


def missing_entries(catalog: Catalog, level: str, entered: Figures) -> list[FieldError]:
    """Cells that must be typed in at this level before the report is submitted."""
    errors = []
    for ind in catalog.entered_at(level):
        for cell in catalog.typed_cells(ind):
            key = cell["key"]
            if key not in entered.get(ind.code, {}):
                errors.append(
                    FieldError(f"values.{ind.code}.{key}", "is required before submitting", "required")
                )
    return errors


# Registry indicators the statistics layer keeps, and the dimension of its children table they read.
LAYER_DIMENSIONS = {"special": "group", "at_risk": "risk", "support": "support"}


@dataclass(frozen=True)
class Layered:
    """One unit-period's registry figures from the statistics layer, already published: the children
    table of the period's last month and the cases received in the period's months."""

    children: dict[str, dict[str, Shown]]
    cases: dict[str, dict[str, Shown]]

    def get(self, code: str, cell: str) -> Shown | None:
        """The published figure of a registry cell, or None when the layer keeps no such cell."""
        if code == "children":
            if cell == "total":
                return self.children["total"][""]
            return self.children["sex"].get(cell, self.children["age_band"].get(cell))
        if code in LAYER_DIMENSIONS:
            return self.children[LAYER_DIMENSIONS[code]].get("" if cell == "total" else cell)
        if code == "abuse_cases" and cell == "received":
            return self.cases["case_total"][""]
        return None


def layered(session: Session, unit: Unit, periods: list[Period]) -> dict[str, Layered]:
    """Each period's published registry figures for ``unit``, for the periods whose months have all
    ended and are kept by the layer. Periods outside are left out.

    A unit in force is read under the current structure, all months in one call (as ``/stats`` reads
    by default, so both show the same figure); an abolished unit has no current structure, so each
    month is read under the structure of its day (``read_placed``), as ``/stats?structure=historical``."""
    first, last = layer.window_start(), last_complete_month()
    wanted = {p.key: months_between(p.start, month_start(p.end)) for p in periods}
    usable = {k: ms for k, ms in wanted.items() if ms and ms[0] >= first and ms[-1] <= last}
    months = sorted({m for ms in usable.values() for m in ms})
    if not months:
        return {}
    if unit.valid_to is None:
        data = layer.read(session, unit, months)
    else:
        data = {m: layer.read_placed(session, unit, m) for m in months}
    codes = reference_codes(session)
    return {
        key: Layered(published_children(data.get(ms[-1], {}), codes, ms[-1]), published_cases(data, ms))
        for key, ms in usable.items()
    }


def for_reader(
    catalog: Catalog,
    figures: Figures,
    exact: bool,
    unit_id: int,
    period: str,
    from_layer: Layered | None = None,
) -> dict[str, dict[str, int | str]]:
    """Figures as a reader sees them: exact for record keepers; for the others every count of children
    or cases goes through the disclosure policy.

    A registry cell the statistics layer keeps is its published figure (``from_layer``), the same as
    ``/stats`` and the case counts show for the unit and month. Any other count (hand-entered, or a
    registry count the layer does not keep) is published with a cell key hashed from the unit, period,
    indicator and cell, and when an indicator's total is from 1 to 4 all its cells are "<5"."""
    if exact:
        return {code: dict(cells) for code, cells in figures.items()}
    out: dict[str, dict[str, int | str]] = {}
    by_code = {i.code: i for i in catalog.indicators}
    for code, cells in figures.items():
        ind = by_code.get(code)
        if ind is not None and not ind.counts_children:
            out[code] = dict(cells)
            continue
        registry = from_layer is not None and ind is not None and ind.source == "registry"
        few = small(int(cells.get("total", 0)))
        shown: dict[str, int | str] = {}
        for key, value in cells.items():
            published = from_layer.get(code, key) if registry and from_layer is not None else None
            if published is None:
                published = HIDDEN if few else publish_hashed(int(value), period, unit_id, code, key)
            shown[key] = published
        out[code] = shown
    return out
