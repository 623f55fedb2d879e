"""Recommendations' addressees outside the tree on the pages: the list an administrator or a province
keeps (add one, stop or resume offering one), and the issuing side recording an addressee's reply."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.inspections import addressees, replies
from portal.inspections.addressees import KINDS
from portal.inspections.schemas import AddresseeIn, AddresseePatch, ReplyIn
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.routes_inspections import recommendations_with
from tenancy.service import provinces_in_force, units_below

FORM = ("unit_id", "kind", "name")
REPLY_FORM = ("text", "reply_on", "reply_reference")


def _page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    may_manage = allowed(caller.role, "addressee", "manage") and (
        caller.unit is not None or caller.role == "admin"
    )
    units = []
    if may_manage and caller.unit is not None:
        units = [u for u in units_below(db, caller.unit, current=True) if u.level != "hamlet"][:500]
    elif may_manage:  # an administrator: the provinces (a district's or commune's body: by the API)
        units = provinces_in_force(db)
    return page(
        request,
        "addressees.html",
        status_code=status_code,
        rows=addressees.list_addressees(db, caller),
        may_manage=may_manage,
        unit_options=[(str(u.id), u.name) for u in units],
        kinds=list(KINDS),
        values={**dict.fromkeys(FORM, ""), **(values or {})},
        errors=field_errors(errors or [], lang_of(request)),
        form_message="form_errors" if errors else None,
        done=request.query_params.get("done", ""),
    )


@get("/recommendations/addressees", sync_to_thread=False, include_in_schema=False)
def addressees_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _page(request, db, caller)


@post("/recommendations/addressees/new", sync_to_thread=False, include_in_schema=False)
def addressee_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in FORM}
    errors: list[FieldError] = []
    body = read_form(values, AddresseeIn, errors)
    if body is not None:
        try:
            with db.begin_nested():
                addressees.create_addressee(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other("/recommendations/addressees?done=created")
    return _page(request, db, caller, values, errors, 422)


@post("/recommendations/addressees/{addressee_id:int}/active", sync_to_thread=False, include_in_schema=False)
def addressee_active(caller: CallerDep, db: DbDep, addressee_id: FromPath[int], data: FormData) -> Redirect:
    active = str(data.get("active") or "") == "1"
    addressees.update_addressee(db, caller, addressee_id, AddresseePatch(active=active))
    return see_other("/recommendations/addressees?done=saved")


@post("/recommendations/{rec_id:int}/reply", sync_to_thread=False, include_in_schema=False)
def reply_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, rec_id: FromPath[int], data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in REPLY_FORM}
    errors: list[FieldError] = []
    body = read_form(values, ReplyIn, errors)
    message = None
    if body is not None:
        try:
            with db.begin_nested():
                replies.record_reply(db, caller, rec_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict:
            message = "case_conflict"
        else:
            return see_other("/recommendations?msg=replied")
    return recommendations_with(request, db, caller, rec_id, errors, values, 422, message, kind="reply")


ROUTES = [addressees_page, addressee_create, addressee_active, reply_submit]
