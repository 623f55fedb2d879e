"""The working-day calendar on the pages: a year's public holidays and the days the government decided
(an extra day off, a Saturday worked in exchange), each with the decision that declared it.

Anyone signed in reads it, as ``GET /api/v1/calendar``; an administrator records and removes a decided
day (portal.workdays.service, Casbin ``calendar`` ``edit``, audited; the open case deadlines are then
recomputed by a task), as ``PUT``/``DELETE /api/v1/calendar/days/{day}``. Others get the 403 page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from authz.guards import authorize_action
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import N_, translate
from portal.web.deps import FormData, lang_of
from portal.web.form_input import day_input
from portal.web.i18n import CALENDAR_KIND, field_errors, fmt_date
from portal.web.render import page, see_other
from portal.workdays import service

FORM = ("day", "kind", "name", "decision_ref")
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"))
WEEKEND = (N_("Saturday"), N_("Sunday"))


def _year(text: str, errors: list[FieldError]) -> int:
    if not text:
        return today().year
    if text.isdigit() and len(text) == 4:
        return int(text)
    errors.append(FieldError("year", "must be a year such as 2026", "not_integer"))
    return today().year


def _notice(lang: str, msg: str, day: date | None, days: list[dict[str, Any]]) -> str | None:
    """What the last change did, from the calendar as it is now (never from the address alone)."""
    if day is None:
        return None
    shown = next((d for d in days if d["day"] == day.isoformat()), None)
    if msg == "added" and shown is not None and shown["kind"] in ("off", "working"):
        return translate(
            lang,
            N_("Recorded: %(day)s is a %(kind)s (%(name)s), by %(ref)s."),
            day=fmt_date(day, lang),
            kind=translate(lang, CALENDAR_KIND[shown["kind"]]).lower(),
            name=shown["name"],
            ref=shown["decision_ref"],
        )
    if msg == "removed" and (shown is None or shown["kind"] == "holiday"):
        return translate(
            lang, N_("Removed: %(day)s follows the law's calendar again."), day=fmt_date(day, lang)
        )
    return None


def calendar_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    year_text: str = "",
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    problems = list(errors or [])
    year = _year(year_text, problems)
    try:
        calendar = service.calendar_json(db, year)
    except ValidationFailed as refused:
        problems += refused.errors
        year = today().year
        calendar = service.calendar_json(db, year)
    done = request.query_params
    changed = day_input("day", str(done.get("day") or ""), [])
    return page(
        request,
        "calendar.html",
        status_code=status_code if status_code != 200 or not problems else 422,
        year=year,
        days=[{**d, "weekday": _weekday(date.fromisoformat(d["day"]), lang)} for d in calendar["days"]],
        years=(
            year - 1 if year > service.FIRST_YEAR else None,
            year + 1 if year < today().year + service.YEARS_AHEAD else None,
        ),
        can_edit=allowed(caller.role, "calendar", "edit"),
        values={**dict.fromkeys(FORM, ""), "kind": "off", **(values or {})},
        errors=field_errors(problems, lang),
        form_message="form_errors" if problems else None,
        notice=_notice(lang, str(done.get("msg") or ""), changed, calendar["days"]),
    )


def _weekday(day: date, lang: str) -> str:
    names = WEEKDAYS + WEEKEND
    return translate(lang, names[day.weekday()])


def _as_day(error: FieldError) -> FieldError:
    """The service checks the day's year ("year"); on the form it is the day's problem."""
    return FieldError("day", error.message, error.code) if error.field == "year" else error


@get("/calendar", sync_to_thread=False, include_in_schema=False)
def calendar_read(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return calendar_page(request, db, caller, str(request.query_params.get("year") or "").strip())


@post("/calendar/days", sync_to_thread=False, include_in_schema=False)
def day_add(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    authorize_action(caller, "calendar", "edit")  # others get the 403 page whatever they typed
    values = {k: str(data.get(k) or "").strip()[:300] for k in FORM}
    errors: list[FieldError] = []
    day = day_input("day", values["day"], errors)
    if day is None:  # the other fields' problems too, as the service would name them with a day
        errors = errors or [FieldError("day", "is required", "required")]
        if values["kind"] not in ("off", "working"):
            errors.append(FieldError("kind", "must be off or working", "unknown_code"))
        missing = [k for k in ("name", "decision_ref") if not values[k]]
        errors += [FieldError(k, "is required", "required") for k in missing]
    if day is not None:
        try:
            service.decide_day(db, caller, day, values["kind"], values["name"], values["decision_ref"])
        except ValidationFailed as refused:  # "year": the day's, outside the calendar's years
            errors = [_as_day(e) for e in refused.errors]
        else:
            return see_other(f"/calendar?year={day.year}&msg=added&day={day:%d/%m/%Y}")
    db.rollback()
    year = str(day.year) if day is not None else ""
    return calendar_page(request, db, caller, year, values, errors, 422)


@post("/calendar/days/{day:date}/remove", sync_to_thread=False, include_in_schema=False)
def day_remove(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, day: FromPath[date]
) -> Redirect:
    service.remove_day(db, caller, day)
    return see_other(f"/calendar?year={day.year}&msg=removed&day={day:%d/%m/%Y}")


ROUTES = [calendar_read, day_add, day_remove]
