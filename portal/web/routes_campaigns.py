"""The campaigns of a year on the pages (``/campaigns?unit=&year=``): each campaign's days that year,
and for the unit and each sub-unit the participation typed in the monthly reports of those days, the
children counted, the rate and the target where a plan sets one (``portal.reports.campaign_view``).

The service decides as the dashboards do: Casbin ``report read`` on the unit (403 page outside the
caller's area, audited), row-level security on the reports, the disclosure policy for readers who do
not keep the unit's records. A bad year or unit is a 422 page naming it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Template

from infra.clock import today
from infra.errors import FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import N_, number, translate
from portal.reports.campaign_view import FIRST_YEAR, campaign_year, check_year
from portal.web.deps import lang_of
from portal.web.i18n import field_errors, fmt_date
from portal.web.render import page
from tenancy.service import get_unit

PARAMETERS = {"unit": N_("Unit"), "year": N_("Year")}


@get("/campaigns", sync_to_thread=False, include_in_schema=False)
def campaigns_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    unit: FromQuery[str | None] = None,
    year: FromQuery[str | None] = None,
) -> Template:
    lang = lang_of(request)
    try:
        chosen = check_year(year)
        target = caller.unit
        if unit:
            if not (unit.isascii() and unit.isdigit()) or len(unit) > 18:
                raise ValidationFailed([FieldError("unit", "must be a whole number", "not_integer")])
            target = get_unit(db, int(unit))
            if target is None:
                raise NotFoundException(f"unit {unit} does not exist")
        if target is None:
            raise Forbidden("no unit", resource="page", action="read")
        years = campaign_year(db, caller, target, chosen)
    except ValidationFailed as refused:
        problems = [
            (translate(lang, PARAMETERS.get(field)) or field, message)
            for field, message in field_errors(refused.errors, lang).items()
        ]
        return page(request, "campaigns_refused.html", status_code=refused.status_code, problems=problems)
    return page(
        request,
        "campaigns.html",
        unit=target,
        year=chosen,
        years=list(range(today().year + 1, FIRST_YEAR - 1, -1))[:8],
        campaigns=years,
        up=target.parent_id if caller.unit is not None and target.id != caller.unit.id else None,
        day=lambda d: fmt_date(d, lang),
        pct=lambda v: "—" if v is None else number(float(v), lang, "#,##0.#") + "%",
    )


ROUTES = [campaigns_page]
