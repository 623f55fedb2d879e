"""A plan's activities on the pages: adding one (the plan's unit), a dated progress note (the plan's unit
or the activity's owner unit), and the progress view of a level: every activity of the plans of its area
for a year, overdue ones first."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from infra.clock import today
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.plans import activities
from portal.plans.schemas import ActivityIn, ProgressIn
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors
from portal.web.plan_forms import ACTIVITY_FORM, PROGRESS_FORM
from portal.web.render import page, see_other
from portal.web.routes_plans import plan_page
from portal.web.training_forms import year_filter
from tenancy.service import child_units, get_unit


@post("/plans/{plan_id:int}/activities", sync_to_thread=False, include_in_schema=False)
def activity_add(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, plan_id: FromPath[int], data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in ACTIVITY_FORM}
    errors: list[FieldError] = []
    body = read_form(values, ActivityIn, errors, inputs=ACTIVITY_FORM)
    if body is not None:
        try:
            with db.begin_nested():
                activities.add_activity(db, caller, plan_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/plans/{plan_id}?done=activity")
    return plan_page(
        request, db, caller, plan_id, form="activity", values=values, errors=errors, status_code=422
    )


@post("/plan-activities/{activity_id:int}/progress", sync_to_thread=False, include_in_schema=False)
def progress_add(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, activity_id: FromPath[int], data: FormData
) -> Template | Redirect:
    activity, plan, _unit = activities.get_activity(db, caller, activity_id)
    values = {k: str(data.get(k) or "").strip() for k in PROGRESS_FORM}
    errors: list[FieldError] = []
    body = read_form(values, ProgressIn, errors, inputs=PROGRESS_FORM)
    if body is not None:
        try:
            with db.begin_nested():
                activities.record_progress(db, caller, activity_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/plans/{plan.id}?done=progress#activity-{activity.id}")
    return plan_page(
        request,
        db,
        caller,
        plan.id,
        form=f"progress-{activity.id}",
        values=values,
        errors=errors,
        status_code=422,
    )


@get("/plans/progress", sync_to_thread=False, include_in_schema=False)
def progress_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    """The caller's unit (or a unit of their area, ``?unit=``) and a year (``?year=``, this year by
    default)."""
    errors: list[FieldError] = []
    chosen = request.query_params.get("unit", "")
    unit = (
        caller.unit
        if not chosen
        else get_unit(db, int(chosen))
        if chosen.isdigit() and len(chosen) < 19
        else None
    )
    if unit is None:
        raise NotVisible("unit not found", resource="plan", action="read")
    year = year_filter(request.query_params.get("year", ""), errors) or today().year
    try:
        rows = activities.progress_view(db, caller, unit, year)
    except ValidationFailed as exc:
        errors += exc.errors
        year = today().year
        rows = activities.progress_view(db, caller, unit, year)
    up = get_unit(db, unit.parent_id) if unit.parent_id else None
    return page(
        request,
        "plan_progress.html",
        status_code=422 if errors else 200,
        unit=unit,
        up=up if up is not None and caller.covers(up) else None,
        below=[u for u in child_units(db, unit.id) if u.level != "hamlet" and u.valid_to is None],
        year=year,
        years=list(range(today().year + 1, 2014, -1)),
        rows=rows,
        overdue=sum(r.overdue for r in rows),
        done=sum(r.activity.status == "done" for r in rows),
        errors=field_errors(errors, lang_of(request)),
    )


ROUTES = [activity_add, progress_add, progress_page]
