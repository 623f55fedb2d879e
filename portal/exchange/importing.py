"""Importing a period's typed cells from DHIS2 ``dataValueSets`` JSON or ADX XML.

Every value is resolved through the mapping (dataSet -> report definition, orgUnit -> unit, dataElement +
categoryOptionCombo -> indicator cell) and goes through the reports service as a person typing it would:
into the unit's draft of the period (created when there is none, ``service.create_report``), by
``service.enter_values``, which checks the caller's standing at the unit, the cells and the rules. A cell
the portal counts itself (registry figures, consolidated sub-units, partition totals) is not imported:
it is counted as ignored. A campaign's cells in a period the campaign does not fall in are refused, as
they are when typed. All or nothing: one refused value, and nothing of the file is kept; every
refusal names the value's place in the file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.db import savepoint
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.exchange.mapping import Mapping, load_mapping, unit_for_org_unit
from portal.exchange.periods import from_adx, from_dhis2
from portal.exchange.reading import DataValue, read
from portal.reports import figures as fig
from portal.reports import service
from portal.reports.models import Report, ReportDefinition
from portal.reports.periods import Period
from portal.reports.schemas import ReportCreate, ValuesIn
from tenancy.models import Unit

WHOLE = re.compile(r"^\d{1,9}(?:\.0+)?$")


@dataclass
class Imported:
    """What an import did: the drafts written (unit, report id, cells) and the values ignored."""

    definition: ReportDefinition
    period: Period
    reports: list[tuple[Unit, int, int]] = field(default_factory=list)
    ignored: int = 0


@dataclass(frozen=True)
class _Resolved:
    value: DataValue
    unit: Unit
    indicator: str
    cell: str
    number: int


def _definition(session: Session, mapping: Mapping, values: list[DataValue]) -> ReportDefinition:
    codes = {v.data_set for v in values if v.data_set}
    if len(codes) != 1:
        message = "is missing" if not codes else "must be the same for every value"
        raise ValidationFailed([FieldError("dataSet", message, "data_set")])
    code = codes.pop()
    by_set = {ds: definition for definition, ds in mapping.data_sets.items()}
    if code not in by_set:
        raise ValidationFailed([FieldError("dataSet", f"{code} is not mapped to a report", "unknown")])
    return service.definition_by_code(session, by_set[code])


def _resolve(
    session: Session, mapping: Mapping, fmt: str, definition: ReportDefinition, values: list[DataValue]
) -> tuple[Period, list[_Resolved]]:
    errors: list[FieldError] = []
    parse = from_adx if fmt == "adx" else from_dhis2
    units: dict[str, Unit | None] = {}
    period: Period | None = None
    seen: dict[tuple[int, str, str], str] = {}
    out = []
    for v in values:
        before = len(errors)
        found = parse(definition.period_type, v.period)
        if found is None:
            example = "2026-12-01/P1M" if fmt == "adx" else "202612"
            errors.append(
                FieldError(
                    f"{v.where}.period",
                    f"is not a {definition.period_type} period like {example}",
                    "bad_period",
                )
            )
        elif period is None:
            period = found
        elif found != period:
            errors.append(
                FieldError(f"{v.where}.period", "must be the same period as the first value", "mixed")
            )
        if v.org_unit not in units:
            units[v.org_unit] = unit_for_org_unit(session, v.org_unit)
        unit = units[v.org_unit]
        if unit is None:
            errors.append(
                FieldError(f"{v.where}.orgUnit", f"{v.org_unit} is not mapped to a unit", "unknown")
            )
        cell = mapping.cell_of(v.data_element, v.combo)
        if cell is None:
            message = f"{v.data_element} with {v.combo} is not mapped to a cell of a report"
            errors.append(FieldError(f"{v.where}.dataElement", message, "unknown"))
        if not WHOLE.match(v.value):
            errors.append(
                FieldError(f"{v.where}.value", "must be a whole number of 0 or more", "not_integer")
            )
        if len(errors) > before or unit is None or cell is None:
            continue
        key = (unit.id, *cell)
        if key in seen:
            errors.append(
                FieldError(f"{v.where}.value", f"gives the same cell as {seen[key]}", "duplicate_value")
            )
            continue
        seen[key] = v.where
        out.append(_Resolved(v, unit, cell[0], cell[1], int(float(v.value))))
    if errors:
        raise ValidationFailed(errors)
    assert period is not None
    return period, out


def _draft(
    session: Session, caller: Caller, definition: ReportDefinition, period: Period, unit: Unit
) -> Report:
    found = service.month_reports(session, caller, definition, period.key, [unit.id]).get(unit.id)
    if found is not None:
        return found
    body = ReportCreate(definition=definition.code, unit_id=unit.id, period=period.key)
    return service.create_report(session, caller, body)


def _enter(
    session: Session,
    caller: Caller,
    definition: ReportDefinition,
    period: Period,
    unit: Unit,
    rows: list[_Resolved],
) -> tuple[int | None, list[FieldError]]:
    """Enter one unit's values; the service's refusals named by the value they came from."""
    by_field = {f"values.{r.indicator}.{r.cell}": r.value.where for r in rows}
    for r in reversed(rows):  # an indicator's refusal (a campaign outside the period): its first value
        by_field[f"values.{r.indicator}"] = r.value.where
    first = rows[0].value.where
    values: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        values[r.indicator][r.cell] = r.number
    try:
        report = _draft(session, caller, definition, period, unit)
        service.enter_values(session, caller, report.id, ValuesIn(values=dict(values)))
    except ValidationFailed as refused:
        return None, [
            FieldError(
                f"{by_field[e.field]}.value" if e.field in by_field else f"{first}.orgUnit", e.message, e.code
            )
            for e in refused.errors
        ]
    except Conflict as refused:
        return None, [FieldError(f"{first}.orgUnit", f"{unit.name}: {refused.message}", "locked")]
    return report.id, []


def import_file(session: Session, caller: Caller, fmt: str, raw: bytes) -> Imported:
    """Import a file's values into the drafts of the units it names; all or nothing."""
    authorize_action(caller, "exchange", "import")
    values = read(fmt, raw)
    mapping = load_mapping(session)
    definition = _definition(session, mapping, values)
    period, resolved = _resolve(session, mapping, fmt, definition, values)
    catalog = fig.load_catalog(session, definition)
    out = Imported(definition, period)
    by_unit: dict[int, list[_Resolved]] = defaultdict(list)
    for r in resolved:
        by_unit[r.unit.id].append(r)
    errors: list[FieldError] = []
    with savepoint(session):
        for rows in sorted(by_unit.values(), key=lambda rs: rs[0].unit.path):
            unit = rows[0].unit
            typed = {
                (i.code, c["key"]) for i in catalog.entered_at(unit.level) for c in catalog.typed_cells(i)
            }
            kept = [r for r in rows if (r.indicator, r.cell) in typed]
            out.ignored += len(rows) - len(kept)
            if not kept:
                continue
            report_id, refused = _enter(session, caller, definition, period, unit, kept)
            errors += refused
            if report_id is not None:
                out.reports.append((unit, report_id, len(kept)))
        if errors:
            raise ValidationFailed(errors)  # undoes every draft written above
    audit(caller.actor, "import", "exchange", "allowed", resource_ids=[r for _, r, _ in out.reports])
    return out
