"""A quarter, six months or a year starts from the unit's approved monthly reports: each cell typed at
the unit takes the months' sum (a flow: injuries, children taking part) or the last approved month's
figure (a stock: water points, communes recognised), as the catalogue says (``over_periods``).

The figures taken are kept on the report (``from_months``) with the months they came from and the
months that had no approved report, so the page can say so. A typed cell may differ from them, with a
reason (``reasons``) that the approver reads: a cell that differs without one is refused by name.
Registry cells need none of this: they are counted from the register for the whole period.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.errors import FieldError
from portal.reports.figures import Catalog
from portal.reports.models import Figures, Report, ReportDefinition
from portal.reports.periods import Period, containing

MAX_REASON = 500


def months_in(period: Period) -> list[Period]:
    """The months of ``period``, in order."""
    out = [containing("month", period.start)]
    while out[-1].end < period.end:
        out.append(containing("month", out[-1].end + timedelta(days=1)))
    return out


def from_months(
    session: Session, definition: ReportDefinition, report: Report, catalog: Catalog, level: str
) -> dict[str, Any] | None:
    """What the cells typed at ``level`` take from the unit's approved monthly reports of ``report``'s
    period: ``values`` (only the cells some approved month holds), ``months`` and ``missing`` (keys);
    None for a monthly report, or where no monthly report is defined."""
    if definition.period_type == "month":
        return None
    monthly = session.scalar(select(ReportDefinition).where(ReportDefinition.period_type == "month"))
    if monthly is None:
        return None
    months = [m.key for m in months_in(Period(report.period, report.period_start, report.period_end))]
    approved = {
        r.period: r
        for r in session.scalars(
            select(Report).where(
                Report.definition_id == monthly.id,
                Report.unit_id == report.unit_id,
                Report.period.in_(months),
                Report.status == "approved",
            )
        )
    }
    found = [m for m in months if m in approved]
    values: Figures = {}
    for ind in catalog.entered_at(level):
        for cell in Catalog.typed_cells(ind):
            key = cell["key"]
            held = [
                approved[m].figures[ind.code][key]
                for m in found
                if key in approved[m].figures.get(ind.code, {})
            ]
            if held:
                values.setdefault(ind.code, {})[key] = int(
                    held[-1] if ind.over_periods == "last" else sum(held)
                )
    return {"values": values, "months": found, "missing": [m for m in months if m not in approved]}


def check_reasons(
    report: Report, entered: Figures, given: dict[str, Any] | None
) -> tuple[dict[str, dict[str, str]], list[FieldError]]:
    """The reasons the report keeps after ``entered`` is stored: one for each typed cell that differs
    from the months' figure (sent now in ``given``, or kept from before); a differing cell without one,
    or a reason too long, is an error naming ``reasons.<indicator>.<cell>``."""
    months: Figures = (report.from_months or {}).get("values", {})
    kept = report.reasons or {}
    errors: list[FieldError] = []
    if given is not None and not isinstance(given, dict):
        return kept, [FieldError("reasons", "must be an object {indicator: {cell: text}}")]
    out: dict[str, dict[str, str]] = {}
    for code, cells in entered.items():
        for key, value in cells.items():
            expected = months.get(code, {}).get(key)
            if expected is None or expected == value:
                continue
            field = f"reasons.{code}.{key}"
            sent = (given or {}).get(code, {})
            text = str(sent.get(key, "") if isinstance(sent, dict) else "").strip()
            text = text or kept.get(code, {}).get(key, "")
            if not text:
                errors.append(
                    FieldError(
                        field, f"differs from the months' figure ({expected}): say why", "reason_required"
                    )
                )
            elif len(text) > MAX_REASON:
                errors.append(FieldError(field, f"must be at most {MAX_REASON} characters", "too_long"))
            else:
                out.setdefault(code, {})[key] = text
    return out, errors
