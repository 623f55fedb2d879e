"""The dashboard pages: a unit's figures for a chosen kind of period, period, indicator and structure,
all in the address (``/dashboard?unit=&definition=&period=&indicator=&structure=``), and the same
view's figures as XLSX (``/dashboard/download?...``).

Figures come from ``portal.reports.dashboard_view`` with the caller as is: the API's services, Casbin
and the SQL scope decide, record keepers read their own area exact and everyone else what the
disclosure policy (``portal.stats.disclosure``) publishes. A unit outside the caller's area is the
403 page, an unknown one the 404 page; a wrong parameter a 422 page naming it. The charts are
``portal.reports.charts``' SVG, inline (no script, no external resource).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.clock import today
from infra.errors import FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import translate
from portal.reports.dashboard_view import NOTES, Asked, provinces, view
from portal.reports.dashboard_xlsx import workbook
from portal.reports.timeliness import reporting_rates
from portal.stats.quality import unit_quality
from portal.web import dashboard_words as words
from portal.web.deps import lang_of
from portal.web.i18n import field_errors, fmt_date
from portal.web.rates_words import COLUMNS, LEVELS
from portal.web.rates_words import words as words_of
from portal.web.render import page
from tenancy.models import Unit
from tenancy.service import get_unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(db: Session, caller: Caller, given: str | None) -> Unit | None:
    """The unit asked for (``unit`` a whole number), else the caller's own; None for an account held at
    no unit (an administrator), who picks a province first."""
    if given is None or given == "":
        return caller.unit
    if not (given.isascii() and given.isdigit()) or len(given) > 18:
        raise ValidationFailed([FieldError("unit", "must be a whole number", "not_integer")])
    found = get_unit(db, int(given))
    if found is None:
        raise NotFoundException(f"unit {given} does not exist")
    return found


def _refused(request: Request[Any, Any, Any], refused: ValidationFailed) -> Template:
    lang = lang_of(request)
    problems = [
        (translate(lang, words.PARAMETERS.get(field)) or field, message)
        for field, message in field_errors(refused.errors, lang).items()
    ]
    return page(request, "dashboard_refused.html", status_code=refused.status_code, problems=problems)


@get("/dashboard", sync_to_thread=False, include_in_schema=False)
def dashboard_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    unit: FromQuery[str | None] = None,
    definition: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    indicator: FromQuery[str | None] = None,
    structure: FromQuery[str | None] = None,
) -> Template:
    lang = lang_of(request)
    try:
        target = _unit(db, caller, unit)
        if target is None:
            if caller.role != "admin":
                raise Forbidden("no unit", resource="page", action="read")
            return page(request, "dashboard_provinces.html", provinces=provinces(db))
        shown = view(db, caller, target, Asked(definition, period, indicator, structure))
    except ValidationFailed as refused:
        return _refused(request, refused)
    stats = shown["stats"]
    return page(
        request,
        "dashboard.html",
        v=shown,
        unit=target,
        stats=stats,
        charts=words.charts(shown, lang),
        legend=words.legend(shown, lang),
        kinds=words.KINDS,
        structures=words.STRUCTURES,
        notes={key: translate(lang, msg) for key, msg in NOTES.items()},
        tile_notes=words.tile_notes(lang),
        href=lambda **changes: words.href(shown, **changes),
        download=words.href(shown).replace("/dashboard?", "/dashboard/download?", 1),
        value=lambda value: words.shown_value(value, shown["indicator"].is_rate, lang),
        pct=lambda value: words.shown_value(value, True, lang),
        as_of=fmt_date(stats["as_of"]),
        quality=unit_quality(db, caller, target),
        quality_link=caller.role in ("ward_officer", "collaborator"),
        rates=reporting_rates(db, caller, shown["definition"], shown["period"], target)
        if allowed(caller.role, "report", "read")
        else None,
        rate_levels=words_of(lang, LEVELS),
        rate_columns=words_of(lang, COLUMNS),
    )


@get("/dashboard/download", sync_to_thread=False, include_in_schema=False)
def dashboard_download(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    unit: FromQuery[str | None] = None,
    definition: FromQuery[str | None] = None,
    period: FromQuery[str | None] = None,
    indicator: FromQuery[str | None] = None,
    structure: FromQuery[str | None] = None,
) -> Response[Any]:
    """The view's figures as XLSX, read exactly as the page reads them (the same disclosure)."""
    lang = lang_of(request)
    try:
        target = _unit(db, caller, unit)
        if target is None:
            raise ValidationFailed([FieldError("unit", "choose a unit", "required")])
        shown = view(db, caller, target, Asked(definition, period, indicator, structure))
    except ValidationFailed as refused:
        return _refused(request, refused)
    data = workbook(shown, lang, fmt_date(today()))
    name = f"dashboard-{target.id}-{shown['definition'].code}-{shown['period'].key}.xlsx"
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


ROUTES = [dashboard_page, dashboard_download]
