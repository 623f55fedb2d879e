"""Reporting rates on the pages (``/reports/rates``): for a report, a period and a unit, the reports
expected, received and received on time at each level below, per sub-unit (drilling down the tree and
back by breadcrumbs), the reports to follow up worst first, and the same as XLSX
(``/reports/rates/download``). The service is the API's (``portal.reports.timeliness``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import day
from portal.reports import service
from portal.reports.dashboard_view import _trail
from portal.reports.periods import containing, previous
from portal.reports.rates_xlsx import workbook
from portal.reports.timeliness import Rates, rates_for
from portal.web.deps import lang_of
from portal.web.i18n import field_errors
from portal.web.rates_words import COLUMNS, LEVELS, STATES, words
from portal.web.render import page
from portal.web.report_periods import groups, read_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen(
    db: Session, caller: Caller, definition: str | None, period: str | None, unit: str | None
) -> dict[str, Any]:
    """The choices as typed (the report, the period, the unit), defaults filled in: the monthly report,
    last month, the caller's own unit; problems named by field."""
    code = (definition or "monthly").strip()[:32]
    found = {d.code: d for d in service.definitions(db)}
    errors: list[FieldError] = []
    if code not in found:
        errors.append(FieldError("definition", "unknown report", "unknown"))
    kind = found[code].period_type if code in found else None
    key = (period or "").strip()[:16]
    if not key and kind is not None:
        key = previous(kind, containing(kind, today()), 2)[0].key
    elif key:
        errors += read_period(key, kind)[1]
    raw = (unit or "").strip()
    if raw and (not raw.isascii() or not raw.isdigit() or len(raw) > 18):
        errors.append(FieldError("unit", "must be a whole number", "not_integer"))
    unit_id = int(raw) if raw and not errors else (caller.unit.id if caller.unit else None)
    return {"definition": code, "period": key, "unit_id": unit_id, "errors": errors}


def _rates(db: Session, caller: Caller, chosen: dict[str, Any]) -> Rates:
    if chosen["errors"]:
        raise ValidationFailed(chosen["errors"])
    if chosen["unit_id"] is None:
        raise ValidationFailed([FieldError("unit", "choose a unit", "required")])
    return rates_for(db, caller, chosen["definition"], chosen["period"], chosen["unit_id"])


@get("/reports/rates", sync_to_thread=False, include_in_schema=False)
def rates_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    definition: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    unit: FromQuery[str | None] = None,
) -> Template:
    lang = lang_of(request)
    chosen = _chosen(db, caller, definition, period, unit)
    rates: Rates | None = None
    errors: list[FieldError] = []
    try:
        rates = _rates(db, caller, chosen)
    except ValidationFailed as refused:
        errors = refused.errors
    base = {"definition": chosen["definition"], "period": chosen["period"]}

    def href(**changed: object) -> str:
        return "/reports/rates?" + urlencode({**base, "unit": chosen["unit_id"] or "", **changed})

    return page(
        request,
        "report_rates.html",
        status_code=422 if errors else 200,
        rates=rates,
        chosen=chosen,
        definitions=service.definitions(db),
        period_groups=groups(today(), lang, keep=chosen["period"] or None),
        errors=field_errors(errors, lang),
        trail=_trail(db, caller, rates.unit, rates.period.end) if rates else [],
        levels=words(lang, LEVELS),
        states=words(lang, STATES),
        columns=words(lang, COLUMNS),
        href=href,
        download="/reports/rates/download?" + urlencode({**base, "unit": chosen["unit_id"] or ""}),
        fmt_day=lambda d: day(d, lang),
    )


@get("/reports/rates/download", sync_to_thread=False, include_in_schema=False)
def rates_download(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    definition: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    unit: FromQuery[str | None] = None,
) -> Response[Any]:
    """The page's rates as XLSX (the same service, the same access)."""
    lang = lang_of(request)
    rates = _rates(db, caller, _chosen(db, caller, definition, period, unit))
    data = workbook(rates, lang, words(lang, LEVELS), words(lang, STATES), words(lang, COLUMNS))
    name = f"reporting-rates-{rates.unit.id}-{rates.definition.code}-{rates.period.key}.xlsx"
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


ROUTES = [rates_page, rates_download]
