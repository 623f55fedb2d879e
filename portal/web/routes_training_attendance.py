"""Attendance of the staff of an area (staff managers: the ward officer for the commune, district and
province officers for a commune of theirs): per commune, the active collaborators in place and how
many were trained in the period, then each attendance, newest course first. The API's
``/units/{id}/training-counts`` and ``/units/{id}/training-attendance``, with the same service calls."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from infra.errors import FieldError, Forbidden
from portal.boundary.deps import CallerDep, DbDep
from portal.staff import training
from portal.staff.schemas import AttendanceQuery, Period
from portal.web.deps import lang_of
from portal.web.form_input import day_input
from portal.web.i18n import field_errors
from portal.web.render import page
from tenancy.service import get_unit, natural_key, units_below

PAGE_SIZE = 50


@get("/trainings/attendance", sync_to_thread=False, include_in_schema=False)
def training_attendance(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    query = request.query_params
    home = caller.unit
    if home is None:
        raise Forbidden(
            "your account has no unit: no area to count", resource="training", action="attendance"
        )
    areas = [home] + (
        sorted(units_below(db, home, "commune", current=True), key=lambda u: natural_key(u.name))
        if home.level != "commune"
        else []
    )
    chosen = query.get("unit", "").strip()
    unit = next((u for u in areas if str(u.id) == chosen), None)
    if unit is None:
        unit = get_unit(db, int(chosen)) if chosen.isdigit() and len(chosen) < 19 else None
    unit = unit or home  # a unit outside the area is refused by the service, as the API refuses it
    errors: list[FieldError] = []
    values = {k: query.get(k, "").strip() for k in ("since", "until")}
    since = day_input("since", values["since"], errors)
    until = day_input("until", values["until"], errors)
    page_text = query.get("page", "1").strip()
    page_no = int(page_text) if page_text.isdigit() and 0 < len(page_text) < 6 else 1
    counts = result = None
    if not errors:
        counts = training.training_counts(db, caller, unit, Period(since=since, until=until))
        params = AttendanceQuery(since=since, until=until, page=max(1, page_no), page_size=PAGE_SIZE)
        result = training.attendance_in_unit(db, caller, unit, params)
    else:
        training.training_counts(db, caller, unit, Period())  # the refusal first, when there is one
    return page(
        request,
        "training_attendance.html",
        status_code=422 if errors else 200,
        unit=unit,
        areas=[(str(u.id), u.name) for u in areas] if len(areas) > 1 else [],
        counts=counts,
        communes=sorted(counts.items, key=lambda c: natural_key(c.name)) if counts else [],
        result=result,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)) if result else 1,
        values=values,
        query=urlencode({"unit": unit.id, **values}),
        errors=field_errors(errors, lang_of(request)),
        form_message="form_errors" if errors else None,
    )


ROUTES = [training_attendance]
