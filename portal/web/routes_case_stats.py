"""Case counts by status and type, and the commune's case register as XLSX, on the pages.

The same services as ``GET /api/v1/cases/stats`` and ``/cases/register`` (``portal.cases.stats``,
``portal.cases.register``): a ward officer of the commune covering the chosen unit reads exact, live
counts for any days; everyone else whose role reads statistics (collaborators, the chairman,
district officers, inspectors) reads whole ended months, published (small cells "<5", the others
perturbed), so the form offers them months from a list, never free dates. The register is the ward
officer's; anyone else asking for it gets the refusal page (audited). The choices are a GET form: the
figures shown stay in the address, and no name is ever in it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, get
from litestar.response import Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, Forbidden, ValidationFailed
from portal.boundary.answers import InputRefused
from portal.boundary.deps import CallerDep, DbDep
from portal.cases.access import in_ward
from portal.cases.register import XLSX, build_register
from portal.cases.stats import case_stats
from portal.stats import layer
from portal.stats.disclosure import last_complete_month
from portal.stats.months import month_end
from portal.web.case_words import case_names
from portal.web.deps import lang_of
from portal.web.form_input import day_input
from portal.web.i18n import field_errors
from portal.web.render import page
from tenancy.models import Unit
from tenancy.service import child_units, get_unit

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _home(caller: Caller) -> Unit:
    if caller.unit is None:  # the administrator: no area of their own to count in
        raise Forbidden("your account has no unit: choose one", resource="stats", action="read")
    return caller.unit


def _unit(db: Session, caller: Caller, given: str, errors: list[FieldError]) -> Unit:
    """The unit asked for (``?unit=<id>``), else the caller's own (a problem is added to ``errors``)."""
    given = given.strip()
    if not given:
        return _home(caller)
    if not given.isdigit():
        errors.append(FieldError("unit", "must be the id of a unit", "not_integer"))
        return _home(caller)
    found = get_unit(db, int(given))
    if found is None:
        errors.append(FieldError("unit", "no such unit", "unknown"))
        return _home(caller)
    return found  # the service refuses a unit outside the caller's area (403, audited)


def _month(field: str, given: str, last: bool, errors: list[FieldError]) -> date | None:
    """``2026-10`` as the month's first day (``last``: its last day); None when blank."""
    if not given.strip():
        return None
    found = MONTH.match(given.strip())
    if found is None:
        errors.append(FieldError(field, "must be a month such as 2026-10", "malformed"))
        return None
    first = date(int(found[1]), int(found[2]), 1)
    return month_end(first) if last else first


def months_listed() -> list[date]:
    """The months whose published figures are kept (first days), newest first."""
    first, month, out = layer.window_start(), last_complete_month(), []
    while month >= first:
        out.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return out


def unit_choices(db: Session, caller: Caller, unit: Unit) -> list[Unit]:
    """The caller's own unit and the units just below it (and the unit shown, if it is elsewhere); an
    account without a unit (the administrator, who names one with ``?unit=``): the unit shown and those
    just below it."""
    home = caller.unit or unit
    units = [home, *child_units(db, home.id)]
    return units if any(u.id == unit.id for u in units) else [*units, unit]


@get("/cases/stats", sync_to_thread=False, include_in_schema=False)
def case_stats_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    lang = lang_of(request)
    query = request.query_params
    errors: list[FieldError] = []
    unit = _unit(db, caller, query.get("unit", ""), errors)
    exact = in_ward(caller, unit.path)
    values = {k: str(query.get(k, "")).strip() for k in ("unit", "from", "to")}
    if exact:
        start, end = day_input("from", values["from"], errors), day_input("to", values["to"], errors)
    else:
        start, end = _month("from", values["from"], False, errors), _month("to", values["to"], True, errors)
    stats = None
    if not errors:
        try:
            stats = case_stats(db, caller, unit, start, end)
        except ValidationFailed as exc:
            errors = exc.errors
    return page(
        request,
        "case_stats.html",
        status_code=422 if errors else 200,
        unit=unit,
        units=unit_choices(db, caller, unit),
        exact=exact,
        stats=stats,
        values=values,
        months=[] if exact else months_listed(),
        names=case_names(lang),
        errors=field_errors(errors, lang),
        form_message="filter_errors" if errors else None,
    )


@get("/cases/register.xlsx", sync_to_thread=True, include_in_schema=False)
def case_register(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Response[bytes]:
    """The commune's case register (no description, no informant): the ward officer's, audited."""
    errors: list[FieldError] = []
    unit = _unit(db, caller, request.query_params.get("unit", ""), errors)
    if errors:
        raise InputRefused(errors)
    content, filename = build_register(db, caller, unit)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


ROUTES = [case_stats_page, case_register]
