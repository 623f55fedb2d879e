"""The hamlet's monthly report on the phone: the cells a collaborator types, and a draft saved offline.

The phone keeps this month's sheet (and last month's while it is still a draft or returned): each
indicator typed at hamlet level, its cells, and what is stored. A draft saved offline is sent as a
``report_values`` change naming the period and the version it started from (none when the phone saw no
report yet). The server creates the month's draft if there is none, and stores the cells only when
nobody changed the report since; otherwise the phone is shown both versions. Empty cells stay empty:
"required" applies at submission only (``portal.reports.workflow.submit``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import Conflict
from portal.reports import figures as fig
from portal.reports import service
from portal.reports.access import reports_for
from portal.reports.models import Report, ReportDefinition
from portal.reports.periods import Period, containing, previous
from portal.reports.schemas import ReportCreate, ValuesIn
from tenancy.models import Unit

MONTHLY = "monthly"


def _sections(catalog: fig.Catalog, level: str) -> list[dict[str, Any]]:
    sections = []
    for ind in catalog.entered_at(level):
        cells = catalog.typed_cells(ind)
        if cells:
            sections.append(
                {
                    "code": ind.code,
                    "name_vi": ind.name_vi,
                    "name_en": ind.name_en,
                    "cells": [
                        {
                            "key": c["key"],
                            "name_vi": c["name_vi"],
                            "name_en": c["name_en"],
                            "max": c.get("max"),
                        }
                        for c in cells
                    ],
                }
            )
    return sections


def _report_of(
    session: Session, caller: Caller, definition: ReportDefinition, unit: Unit, key: str
) -> Report | None:
    stmt = reports_for(caller).where(
        Report.definition_id == definition.id, Report.unit_id == unit.id, Report.period == key
    )
    return session.scalars(stmt).one_or_none()


def sheet(report: Report | None, period: Period, indicators: list[str] | None = None) -> dict[str, Any]:
    """One month's report as the phone keeps it (no report yet: an empty draft to start); ``indicators``:
    the codes typed in that month (a campaign's only in its months)."""
    return {
        "period": period.key,
        "indicators": indicators,
        "report_id": report.id if report else None,
        "version": report.version if report else None,
        "status": report.status if report else "none",
        "editable": report is None or report.status in service.EDITABLE,
        "entered": report.entered if report else {},
    }


def month_sheets(session: Session, caller: Caller, hamlet: Unit) -> dict[str, Any]:
    """This month's sheet, and last month's while it is still being worked on; the typed cells."""
    definition = service.definition_by_code(session, MONTHLY)
    now = containing("month", today())
    last = previous("month", now, 1)[0]
    catalog = fig.load_catalog(session, definition, last.start, now.end)  # both months' boxes

    def typed(period: Period) -> list[str]:
        month = fig.load_catalog(session, definition, period.start, period.end)
        return [i.code for i in month.entered_at(hamlet.level)]

    sheets = [sheet(_report_of(session, caller, definition, hamlet, now.key), now, typed(now))]
    earlier = _report_of(session, caller, definition, hamlet, last.key)
    if earlier is not None and earlier.status in service.EDITABLE:
        sheets.insert(0, sheet(earlier, last, typed(last)))
    return {"sections": _sections(catalog, hamlet.level), "sheets": sheets}


def save_draft(
    session: Session, caller: Caller, period_key: str, base_version: int | None, values: dict[str, Any]
) -> Report:
    """Store the typed cells of the hamlet's month if nobody changed the report since ``base_version``.

    Conflict (with the stored sheet in ``extra["current"]``) when the report changed or appeared since;
    the phone then shows both and sends again from the version it was shown."""
    assert caller.unit is not None
    definition = service.definition_by_code(session, MONTHLY)
    period = service.check_period(definition, period_key)
    report = _report_of(session, caller, definition, caller.unit, period.key)
    if report is None:
        if base_version is not None:
            raise Conflict("the report the phone started from no longer exists")
        report = service.create_report(
            session, caller, ReportCreate(definition=MONTHLY, unit_id=caller.unit.id, period=period.key)
        )
    elif base_version != report.version:
        error = Conflict(
            f"the report changed (version {report.version}, the phone started from {base_version})"
        )
        error.extra = {"current": sheet(report, period)}
        raise error
    return service.enter_values(session, caller, report.id, ValuesIn(values=values, version=report.version))


def sheet_of(
    session: Session, caller: Caller, period_key: str | None, report_id: int | None = None
) -> dict[str, Any] | None:
    """The hamlet's sheet for a month (by period, or by the report's id): what a conflict shows."""
    assert caller.unit is not None
    definition = service.definition_by_code(session, MONTHLY)
    if report_id is not None:
        report = session.scalars(reports_for(caller).where(Report.id == report_id)).one_or_none()
        if report is None:
            return None
        period_key = report.period
    if period_key is None:
        return None
    period = service.check_period(definition, period_key)
    return sheet(_report_of(session, caller, definition, caller.unit, period.key), period)
