"""The child-assistance facilities pages: the list of the caller's area with filters and totals, recording
a facility, and a facility with its inspections (and their recommendations as followed up) and history,
changing its licence, capacity and counts, or marking it closed.

Who does what is the service's rule (``portal.registers.facilities``); the pages only choose which forms
to offer, and each call goes through the service with the caller's scoped session.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from authz.guards import authorize_action
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.locale import translate
from portal.registers import facilities, views
from portal.registers.facilities import OWNER_LEVELS
from portal.registers.schemas import FacilityIn, FacilityPatch, RegisterFilter, RemoveIn
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors, fmt_date
from portal.web.register_words import (
    ACTION,
    DONE,
    FACILITY_KIND,
    FACILITY_STATUS,
    options,
    register_filter,
    words,
)
from portal.web.render import page, see_other
from tenancy.models import Unit
from tenancy.service import child_units, units_below

FORM: tuple[str, ...] = ("unit_id", "name", "kind", "licence_number", "licence_date", "licence_issuer")
FORM += ("capacity",)
FORM += ("children_total", "children_girls", "children_disabled", "counted_on", "address", "contact")


def _owners(db: Session, caller: Caller) -> list[Unit]:
    """The units in force that may hold a facility the caller records: theirs and those below."""
    unit = caller.unit
    if unit is None or not allowed(caller.role, "facility", "record") or unit.level not in OWNER_LEVELS:
        return []
    below = [u for u in units_below(db, unit, current=True) if u.level in OWNER_LEVELS and u.id != unit.id]
    return [unit, *below]


def _values(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    return {k: str(data.get(k) or "").strip() for k in names}


def _list(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    lang, query = lang_of(request), request.query_params
    chosen, wanted, problems = register_filter(query)
    try:
        found = facilities.list_facilities(db, caller, wanted)
    except ValidationFailed as exc:
        problems += exc.errors
        found = facilities.list_facilities(db, caller, RegisterFilter())
    owners = _owners(db, caller)
    areas = [caller.unit, *child_units(db, caller.unit.id)] if caller.unit else []
    return page(
        request,
        "facilities.html",
        status_code=422 if problems and status_code == 200 else status_code,
        rows=found.rows,
        counts=found.counts,
        chosen=chosen,
        areas=[(str(u.id), u.name) for u in areas if u.level in OWNER_LEVELS],
        kinds=options(FACILITY_KIND, lang),
        kind_words=dict(options(FACILITY_KIND, lang)),
        statuses=options(FACILITY_STATUS, lang),
        owners=[(str(u.id), u.name) for u in owners],
        values={**dict.fromkeys(FORM, ""), **(values or {})},
        errors=field_errors(problems + list(errors or []), lang),
        form_open=bool(errors),
    )


@get("/facilities", sync_to_thread=False, include_in_schema=False)
def facilities_list(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list(request, db, caller)


@post("/facilities/new", sync_to_thread=False, include_in_schema=False)
def facility_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    authorize_action(caller, "facility", "record")
    values = _values(data, FORM)
    errors: list[FieldError] = []
    body = read_form(values, FacilityIn, errors)
    if body is not None:
        try:
            with db.begin_nested():
                facility, _unit = facilities.create_facility(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/facilities/{facility.id}?done=created")
    return _list(request, db, caller, values, errors, 422)


def facility_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    facility_id: int,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    lang = lang_of(request)
    detail = views.facility_detail(db, caller, facility_id)
    shown = detail["facility"]
    current = {k: "" if shown[k] is None else str(shown[k]) for k in FORM[1:]}
    current |= {k: fmt_date(shown[k]) for k in ("licence_date", "counted_on")} | {"on": "", "reason": ""}
    done = request.query_params.get("done", "")
    facility, unit = facilities.get_facility(db, caller, facility_id)
    may = allowed(caller.role, "facility", "record") and facility.closed_on is None and caller.covers(unit)
    return page(
        request,
        "facility.html",
        status_code=status_code,
        fc=shown,
        detail=detail,
        may_record=may,
        kinds=options(FACILITY_KIND, lang),
        kind_words=dict(options(FACILITY_KIND, lang)),
        action_words={k: words(ACTION, k, lang) for k in ACTION},
        form=form,
        values={**current, **(values or {})},
        errors=field_errors(errors or [], lang),
        done=translate(lang, DONE[done]) if done in DONE else "",
    )


@get("/facilities/{facility_id:int}", sync_to_thread=False, include_in_schema=False)
def facility_view(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, facility_id: FromPath[int]
) -> Template:
    return facility_page(request, db, caller, facility_id)


@post("/facilities/{facility_id:int}", sync_to_thread=False, include_in_schema=False)
def facility_update(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, facility_id: FromPath[int], data: FormData
) -> Template | Redirect:
    facility, _unit = facilities.get_facility(db, caller, facility_id, "record")
    version = facility.version
    values = _values(data, FORM[1:])
    errors: list[FieldError] = []
    body = read_form(values, FacilityPatch, errors, inputs=FORM[1:])
    if body is not None:
        try:
            with db.begin_nested():
                changed = facilities.update_facility(db, caller, facility_id, body)[0].version != version
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/facilities/{facility_id}?done={'updated' if changed else 'unchanged'}")
    return facility_page(
        request, db, caller, facility_id, form="edit", values=values, errors=errors, status_code=422
    )


@post("/facilities/{facility_id:int}/close", sync_to_thread=False, include_in_schema=False)
def facility_close(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, facility_id: FromPath[int], data: FormData
) -> Template | Redirect:
    facilities.get_facility(db, caller, facility_id, "record")
    values = _values(data, ("on", "reason"))
    errors: list[FieldError] = []
    body = read_form(values, RemoveIn, errors)
    if body is not None:
        try:
            with db.begin_nested():
                facilities.close_facility(db, caller, facility_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/facilities/{facility_id}?done=closed")
    return facility_page(
        request, db, caller, facility_id, form="close", values=values, errors=errors, status_code=422
    )


ROUTES = [facilities_list, facility_create, facility_view, facility_update, facility_close]
