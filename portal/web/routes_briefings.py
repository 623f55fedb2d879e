"""Briefing pages (giao ban cộng tác viên): the briefings the caller may read, recording one, a briefing
with its attendance and proposals, and changing it.

Who does what is the API's rule (``portal.briefings``): the commune's ward officer records and changes
its briefings; its district reads them; a collaborator reads those they attended. Each call goes
through the service with the caller's scoped session; refusals are the error pages.
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
from portal.briefings import minutes, service
from portal.briefings.access import keeps
from portal.briefings.models import PROPOSAL_STATUSES, Briefing
from portal.briefings.schemas import BriefingFilter, BriefingIn, BriefingPatch
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors, fmt_date
from portal.web.render import page, see_other
from tenancy.models import Unit

FORM = ("unit_id", "held_on", "chaired_by", "place", "issues")


def may_write(caller: Caller, action: str, unit: Unit | None = None) -> bool:
    """Does the page offer ``action`` (create, update, record)? The service decides again on each write."""
    if not allowed(caller.role, "briefing", action):
        return False
    target = unit or caller.unit
    return target is not None and target.level == "commune" and keeps(caller, target)


def _list_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    rows = service.list_briefings(db, caller, BriefingFilter())
    home = caller.unit if may_write(caller, "create") else None
    return page(
        request,
        "briefings.html",
        status_code=status_code,
        rows=rows,
        home=home,
        values={**dict.fromkeys(FORM, ""), **(values or {})},
        errors=field_errors(errors or [], lang_of(request)),
        form_message="form_errors" if errors else None,
    )


@get("/briefings", sync_to_thread=False, include_in_schema=False)
def briefings_list(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list_page(request, db, caller)


@post("/briefings/new", sync_to_thread=False, include_in_schema=False)
def briefing_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    authorize_action(caller, "briefing", "create")  # refused before any input is read
    values = {k: str(data.get(k) or "").strip() for k in FORM if k != "unit_id"}
    errors: list[FieldError] = []
    home = caller.unit
    given = {"unit_id": home.id if home else 0}
    body = read_form(values, BriefingIn, errors, inputs=FORM[1:], given=given)
    if body is not None:
        try:
            with db.begin_nested():
                b, _unit = service.create_briefing(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/briefings/{b.id}?done=created")
    return _list_page(request, db, caller, values, errors, 422)


def briefing_values(b: Briefing) -> dict[str, str]:
    return {
        "held_on": fmt_date(b.held_on),
        "chaired_by": b.chaired_by,
        "place": b.place or "",
        "issues": b.issues or "",
    }


def briefing_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    briefing_id: int,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    b, unit = service.get_briefing(db, caller, briefing_id)
    view = minutes.detail(db, caller, b, unit)
    return page(
        request,
        "briefing.html",
        status_code=status_code,
        briefing=b,
        unit=unit,
        view=view,
        may_update=may_write(caller, "update", unit),
        may_record=may_write(caller, "record", unit),
        statuses=PROPOSAL_STATUSES,
        form=form,
        values={**briefing_values(b), **(values or {})},
        errors=field_errors(errors or [], lang_of(request)),
        done=request.query_params.get("done", ""),
    )


@get("/briefings/{briefing_id:int}", sync_to_thread=False, include_in_schema=False)
def briefing_detail(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, briefing_id: FromPath[int]
) -> Template:
    return briefing_page(request, db, caller, briefing_id)


@post("/briefings/{briefing_id:int}", sync_to_thread=False, include_in_schema=False)
def briefing_update(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, briefing_id: FromPath[int], data: FormData
) -> Template | Redirect:
    b, unit = service.get_briefing(db, caller, briefing_id, "update")  # refused before input is read
    values = {k: str(data.get(k) or "").strip() for k in FORM if k != "unit_id"}
    errors: list[FieldError] = []
    read = read_form(values, BriefingIn, errors, inputs=FORM[1:], given={"unit_id": unit.id})
    if read is not None:
        wanted: dict[str, Any] = {
            "held_on": read.held_on,
            "chaired_by": read.chaired_by,
            "place": read.place,
            "issues": read.issues,
        }
        changes = {k: v for k, v in wanted.items() if v != getattr(b, k)}
        if not changes:
            return see_other(f"/briefings/{briefing_id}?done=unchanged")
        try:
            with db.begin_nested():
                service.update_briefing(db, caller, briefing_id, BriefingPatch(**changes))
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/briefings/{briefing_id}?done=updated")
    return briefing_page(
        request, db, caller, briefing_id, form="edit", values=values, errors=errors, status_code=422
    )


ROUTES = [briefings_list, briefing_create, briefing_detail, briefing_update]
