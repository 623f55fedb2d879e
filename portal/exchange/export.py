"""Approved report figures of a unit (and, if asked, every unit below it) for one period, as DHIS2
``dataValueSets`` JSON or ADX XML (IHE QRPH ADX, namespace ``urn:ihe:qrph:adx:2015``).

Which reports: the approved ones of the definition and period whose unit lies in the subtree asked for
and in the caller's scope (``reports_for``: SQL, and row-level security on ``reports``). Which figures:
exact for the caller who keeps the unit's records, else as the disclosure policy publishes them
(``figures.for_reader``, the same as the report's page shows); a cell published "<5" is not sent, since
DHIS2 and ADX values are numbers. The cells are those of the period's catalogue: a campaign's cells only
in the periods it falls in (``figures.load_catalog``), and a cell the report does not hold is not sent nor
counted as hidden. A unit with no orgUnit code and a cell with no dataElement are left out
and counted, so the page can say what did not travel.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import VIETNAM, utcnow
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.exchange.mapping import load_mapping
from portal.exchange.periods import to_adx, to_dhis2
from portal.reports import figures as fig
from portal.reports import service
from portal.reports.access import reports_for
from portal.reports.models import Report
from portal.reports.periods import Period
from portal.stats.access import keeps_records
from tenancy.models import Unit
from tenancy.service import get_unit, subtree_ids

ADX_NS = "urn:ihe:qrph:adx:2015"
FORMATS = ("json", "adx")


@dataclass
class Group:
    """One unit's values: (dataElement, categoryOptionCombo, value)."""

    unit: Unit
    org_unit: str
    values: list[tuple[str, str, int]]
    exact: bool


@dataclass
class Exported:
    data_set: str
    period_type: str
    period: Period
    groups: list[Group] = field(default_factory=list)
    unmapped_units: list[str] = field(default_factory=list)
    hidden: int = 0
    unmapped_cells: int = 0

    @property
    def values(self) -> int:
        return sum(len(g.values) for g in self.groups)


def collect(
    session: Session, caller: Caller, unit_id: int, definition_code: str, period_key: str, children: bool
) -> Exported:
    """The approved figures to send, as the caller may read them; 422 when there is nothing to send."""
    root = get_unit(session, unit_id)
    if root is None:
        raise NotVisible("unit not found", resource="exchange", action="export")
    authorize(caller, "exchange", "export", root)
    definition = service.definition_by_code(session, definition_code)
    period = service.check_period(definition, period_key)
    mapping = load_mapping(session)
    data_set = mapping.data_sets.get(definition.code)
    if data_set is None:
        raise ValidationFailed(
            [FieldError("definition", "has no DHIS2 dataSet code yet: an administrator maps it", "unmapped")]
        )
    units = subtree_ids(root) if children else select(Unit.id).where(Unit.id == root.id)
    rows = session.execute(
        reports_for(caller)
        .add_columns(Unit)
        .join(Unit, Unit.id == Report.unit_id)
        .where(
            Report.definition_id == definition.id,
            Report.period == period.key,
            Report.status == "approved",
            Report.unit_id.in_(units),
        )
        .order_by(Unit.path)
    ).all()
    catalog = fig.load_catalog(session, definition, period.start, period.end)
    out = Exported(data_set, definition.period_type, period)
    for report, unit in rows:
        org_unit = mapping.org_units.get(unit.id)
        if org_unit is None:
            out.unmapped_units.append(unit.name)
            continue
        exact = keeps_records(caller, unit)
        layered = None if exact else fig.layered(session, unit, [period]).get(period.key)
        shown = fig.for_reader(catalog, report.figures, exact, unit.id, report.period, layered)
        group = Group(unit, org_unit, [], exact)
        for ind in catalog.held_at(unit.level):
            for cell in ind.cells:
                codes = mapping.cells.get((ind.code, cell["key"]))
                value = shown.get(ind.code, {}).get(cell["key"])
                if value is None:  # not a cell of this report (e.g. added to the catalogue since)
                    continue
                if codes is None:
                    out.unmapped_cells += 1
                elif isinstance(value, str):  # published "<5"
                    out.hidden += 1
                else:
                    group.values.append((codes[0], codes[1], value))
        if group.values:
            out.groups.append(group)
    if not out.groups:
        raise ValidationFailed(
            [FieldError("period", "no approved figures of a mapped unit to send for this period", "nothing")]
        )
    audit_aggregate(
        caller,
        "exchange",
        root.id,
        {"definition": definition.code, "period": period.key, "children": children},
        resource_ids=[r.id for r, _ in rows],
    )
    return out


def data_value_set(exported: Exported) -> bytes:
    """DHIS2 ``dataValueSets`` JSON (codes: import it with ``idScheme=CODE``); values as strings."""
    period = to_dhis2(exported.period_type, exported.period)
    body = {
        "dataSet": exported.data_set,
        "period": period,
        "dataValues": [
            {
                "dataElement": de,
                "period": period,
                "orgUnit": g.org_unit,
                "categoryOptionCombo": coc,
                "value": str(value),
            }
            for g in exported.groups
            for de, coc, value in g.values
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


def adx(exported: Exported, at: datetime | None = None) -> bytes:
    """ADX XML: one ``group`` per unit, the period as ISO 8601 start and duration."""
    ET.register_namespace("", ADX_NS)
    stamp = (at or utcnow()).astimezone(VIETNAM).isoformat(timespec="seconds")
    root = ET.Element(f"{{{ADX_NS}}}adx", {"exported": stamp})
    period = to_adx(exported.period_type, exported.period)
    for g in exported.groups:
        group = ET.SubElement(
            root,
            f"{{{ADX_NS}}}group",
            {"orgUnit": g.org_unit, "period": period, "dataSet": exported.data_set},
        )
        for de, coc, value in g.values:
            ET.SubElement(
                group,
                f"{{{ADX_NS}}}dataValue",
                {"dataElement": de, "categoryOptionCombo": coc, "value": str(value)},
            )
    ET.indent(root)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written


def render(exported: Exported, fmt: str) -> tuple[bytes, str, str]:
    """The file, its media type and its name."""
    name = f"dhis2-{exported.data_set}-{exported.period.key}"
    if fmt == "adx":
        return adx(exported), "application/adx+xml", f"{name}.adx.xml"
    return data_value_set(exported), "application/json", f"{name}.json"
