"""Training pages: the courses of the caller's area (by year), a course with its attendance, recording a
course and who attended, changing a course.

Who does what is the API's rule (``portal.staff.training``, Casbin groups in authz/policy.csv): every
staff manager and collaborator reads the courses of their area; only training organisers (ward, district
and province officers, the administrator) record a course, held by a unit of their area, change it and
record its attendance. A ward officer holds the commune's own trainings, for its collaborators, and
reads the attendance of the commune's staff (``routes_training_attendance``). Each call goes through
the service with the caller's scoped session; refusals are the error pages.
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
from infra.clock import today
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.staff import training
from portal.staff.access import manages
from portal.staff.schemas import CourseFilter, CourseIn, CoursePatch
from portal.staff.training import HOLDING_LEVELS
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors, fmt_date, message
from portal.web.render import page, see_other
from portal.web.training_forms import attendance_form, candidates, chosen_ids, course_values, year_filter
from tenancy.models import Unit
from tenancy.service import natural_key, units_below

FORM = ("title", "unit_id", "held_on", "place", "topic")
FIRST_YEAR = 2015


def may(caller: Caller, action: str, unit: Unit | None = None) -> bool:
    """May the caller ``action`` (create, update, record) a course held by ``unit`` (any, when None)?
    The service decides again on every write; this only chooses which forms the page offers."""
    if not allowed(caller.role, "training", action):
        return False
    return unit is None or manages(caller, unit.path)


def holding_units(db: Session, caller: Caller) -> list[Unit]:
    """Where the caller may hold a course: their own commune, district or province, and the districts in
    force below a province."""
    unit = caller.unit
    if unit is None or not may(caller, "create"):
        return []
    held = [unit] if unit.level in HOLDING_LEVELS else []
    if unit.level == "province":
        held += sorted(units_below(db, unit, "district", current=True), key=lambda u: natural_key(u.name))
    return held


def _list_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    problems = list(errors or [])
    year = year_filter(request.query_params.get("year", ""), problems)
    try:
        rows = training.list_courses(db, caller, CourseFilter(year=year))
    except ValidationFailed as exc:
        problems += exc.errors
        rows = training.list_courses(db, caller, CourseFilter())
        year = None
    units = holding_units(db, caller)
    this_year = today().year
    return page(
        request,
        "trainings.html",
        status_code=422 if problems and status_code == 200 else status_code,
        rows=rows,
        mine=training.my_trainings(db, caller),
        year=year,
        years=list(range(this_year + 1, FIRST_YEAR - 1, -1)),
        unit_options=[(str(u.id), u.name) for u in units],
        values={**dict.fromkeys(FORM, ""), "unit_id": str(units[0].id) if units else "", **(values or {})},
        errors=field_errors(problems, lang_of(request)),
        form_message="form_errors" if errors else None,
        reads_attendance=allowed(caller.role, "training", "attendance") and caller.unit is not None,
    )


@get("/trainings", sync_to_thread=False, include_in_schema=False)
def trainings_list(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list_page(request, db, caller)


@post("/trainings/new", sync_to_thread=False, include_in_schema=False)
def training_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    authorize_action(caller, "training", "create")  # the service's first check, before any input is read
    values = {k: str(data.get(k) or "").strip() for k in FORM}
    errors: list[FieldError] = []
    body = read_form(values, CourseIn, errors)
    if body is not None:
        try:
            with db.begin_nested():
                course, _unit = training.create_course(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/trainings/{course.id}?done=created")
    return _list_page(request, db, caller, values, errors, 422)


def course_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    course_id: int,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> Template:
    course, unit = training.get_course(db, caller, course_id)
    attendance = training.attendees(db, caller, course, unit)
    lang = lang_of(request)
    may_record = may(caller, "record", unit) and course.held_on <= today()
    shown = candidates(db, caller, request, unit, attendance) if may_record else None
    return page(
        request,
        "training.html",
        status_code=status_code,
        course=course,
        unit=unit,
        attendance=attendance,
        may_update=may(caller, "update", unit),
        may_record=may(caller, "record", unit),
        held=course.held_on <= today(),
        shown=shown,
        form=form,
        values={**course_values(course), **(values or {})},
        errors=field_errors(errors or [], lang),
        attendance_errors=attendance_form(errors or [], values or {}, lang) if form == "attend" else [],
        refused=refused,
        done=_done(request, course, unit, attendance, lang),
    )


def _done(request: Request[Any, Any, Any], course: Any, unit: Unit, attendance: list[Any], lang: str) -> str:
    """The confirmation of the action just taken (``?done=``), said with the course's own words."""
    done = request.query_params.get("done", "")
    title = course.title
    if done == "created":
        day = fmt_date(course.held_on, lang)
        return message("training_created", lang, title=title, unit=unit.name, day=day)
    if done == "updated":
        return message("training_updated", lang, title=title)
    if done == "unchanged":
        return message("nothing_changed", lang)
    if done == "recorded":
        added = set(chosen_ids(request.query_params.getall("added", []), []))
        names = ", ".join(a.full_name for a in attendance if a.user_id in added)
        if not names:
            return message("attendance_nothing_new", lang, title=title)
        return message("attendance_recorded", lang, title=title, names=names)
    if done == "removed":
        return message("attendance_removed", lang, title=title)
    return ""


@get("/trainings/{course_id:int}", sync_to_thread=False, include_in_schema=False)
def training_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, course_id: FromPath[int]
) -> Template:
    return course_page(request, db, caller, course_id)


@post("/trainings/{course_id:int}", sync_to_thread=False, include_in_schema=False)
def training_update(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, course_id: FromPath[int], data: FormData
) -> Template | Redirect:
    course, unit = training.get_course(db, caller, course_id, "update")
    values = {k: str(data.get(k) or "").strip() for k in FORM if k != "unit_id"}
    errors: list[FieldError] = []
    read = read_form(values, CourseIn, errors, inputs=FORM[2:] + ("title",), given={"unit_id": unit.id})
    if read is not None:
        wanted: dict[str, Any] = {
            "title": read.title,
            "held_on": read.held_on,
            "place": read.place,
            "topic": read.topic,
        }
        changes = {k: v for k, v in wanted.items() if v != getattr(course, k)}
        if not changes:
            return see_other(f"/trainings/{course_id}?done=unchanged")
        try:
            with db.begin_nested():
                training.update_course(db, caller, course_id, CoursePatch(**changes))
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict:
            refused = message("training_attended_future", lang_of(request))
            return course_page(
                request, db, caller, course_id, form="edit", values=values, refused=refused, status_code=409
            )
        else:
            return see_other(f"/trainings/{course_id}?done=updated")
    return course_page(
        request, db, caller, course_id, form="edit", values=values, errors=errors, status_code=422
    )


@post("/trainings/{course_id:int}/attendees", sync_to_thread=False, include_in_schema=False)
def training_attend(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, course_id: FromPath[int], data: FormData
) -> Template | Redirect:
    training.get_course(db, caller, course_id, "record")  # refused (403) before any input is read
    errors: list[FieldError] = []
    wanted = chosen_ids(data.get("user_ids"), errors)
    sent = {"user_ids": ",".join(str(i) for i in wanted)}
    if errors:
        return course_page(
            request, db, caller, course_id, form="attend", values=sent, errors=errors, status_code=422
        )
    try:
        with db.begin_nested():
            added = training.add_attendees(db, caller, course_id, wanted)
    except ValidationFailed as exc:
        return course_page(
            request, db, caller, course_id, form="attend", values=sent, errors=exc.errors, status_code=422
        )
    except Conflict:
        refused = message("training_not_held", lang_of(request))
        return course_page(request, db, caller, course_id, form="attend", refused=refused, status_code=409)
    query = "".join(f"&added={i}" for i in added)
    return see_other(f"/trainings/{course_id}?done=recorded{query}")


@post(
    "/trainings/{course_id:int}/attendees/{user_id:int}/remove", sync_to_thread=False, include_in_schema=False
)
def training_unattend(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    course_id: FromPath[int],
    user_id: FromPath[int],
) -> Redirect:
    training.remove_attendee(db, caller, course_id, user_id)
    return see_other(f"/trainings/{course_id}?done=removed")


ROUTES = [trainings_list, training_create, training_page, training_update, training_attend, training_unattend]
