"""Staff pages (ward officers and higher): the accounts of the caller's area, a new account with its
one-time setup code, deactivate/reactivate, a reset code; the hamlets of a ward officer's commune.

A setup or reset code is shown once, in the answer to the POST that made it (never in a URL, never
stored in clear). Every call goes through portal.staff with the caller's scoped session: Casbin,
the SQL scope, RLS and the audit log apply as they do for the API; refusals show the error page.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.staff import hamlets, service
from portal.staff.hamlets import KINDS
from portal.staff.schemas import HamletIn, HamletPatch, StaffCreate, StaffFilter
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from tenancy.models import Unit
from tenancy.service import child_units

PAGE_SIZE = 30
FLASH = {
    "deactivated": "staff_deactivated",
    "activated": "staff_activated",
    "hamlet_added": "hamlet_added",
    "hamlet_renamed": "hamlet_renamed",
}
FORM = ("full_name", "username", "role", "unit_id", "name", "kind", "email", "phone")


def _units(db: Session, caller: Caller) -> list[Unit]:
    """Where the caller may place an account: the units just below theirs (and their hamlets)."""
    if caller.unit is None:
        return []
    below = [u for u in child_units(db, caller.unit.id) if u.valid_to is None]
    return sorted(below, key=lambda u: (u.level != "hamlet", u.name))


def staff_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    page_no: int = 1,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    result = service.list_accounts(db, caller, StaffFilter(page=page_no, page_size=PAGE_SIZE))
    unit = caller.unit
    commune_hamlets = (
        [h for h in child_units(db, unit.id) if h.level == "hamlet" and h.valid_to is None]
        if unit is not None and unit.level == "commune"
        else []
    )
    roles = service.manageable_roles(caller)
    return page(
        request,
        "staff.html",
        status_code=status_code,
        result=result,
        page_no=page_no,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        role_options=[(r, r) for r in roles],
        unit_options=[(str(u.id), u.name) for u in _units(db, caller)],
        commune_hamlets=commune_hamlets,
        kind_options=[(k, k) for k in KINDS],
        values={
            **dict.fromkeys(FORM, ""),
            "role": "collaborator" if "collaborator" in roles else "",
            **(values or {}),
        },
        errors=field_errors(errors or [], lang_of(request)),
        form_message="form_errors" if errors else None,
        flash=FLASH.get(request.query_params.get("msg", "")),
    )


@get("/staff", sync_to_thread=False, include_in_schema=False)
def staff_list(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    page_no: Annotated[int, QueryParameter(name="page")] = 1,
) -> Template:
    return staff_page(request, db, caller, max(1, page_no))


@post("/staff/new", sync_to_thread=False, include_in_schema=False)
def staff_create(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData) -> Template:
    values = {k: str(data.get(k) or "").strip() for k in FORM}
    unit_id = int(values["unit_id"]) if values["unit_id"].isdigit() else None
    body = StaffCreate(
        username=values["username"],
        full_name=values["full_name"],
        role=values["role"],
        unit_id=unit_id,
        email=values["email"] or None,
        phone=values["phone"] or None,
    )
    try:
        with db.begin_nested():
            created = service.create_account(db, caller, body)
    except ValidationFailed as exc:
        return staff_page(request, db, caller, 1, values, exc.errors, 422)
    except Conflict:
        return staff_page(request, db, caller, 1, values, [FieldError("username", "taken", "taken")], 409)
    return page(
        request,
        "staff_code.html",
        user=created.user,
        unit=created.unit,
        code=created.delivery.shown,
        sent=created.delivery.sent,
        created=True,
    )


@post("/staff/{user_id:int}/deactivate", sync_to_thread=False, include_in_schema=False)
def staff_deactivate(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Redirect:
    service.deactivate_account(db, caller, user_id)
    return see_other("/staff?msg=deactivated")


@post("/staff/{user_id:int}/activate", sync_to_thread=False, include_in_schema=False)
def staff_activate(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Redirect:
    service.activate_account(db, caller, user_id)
    return see_other("/staff?msg=activated")


@post("/staff/{user_id:int}/reset", sync_to_thread=False, include_in_schema=False)
def staff_reset(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Template:
    try:
        delivery = service.issue_reset_code(db, caller, user_id)
    except Conflict as exc:
        user, unit = service.read_account(db, caller, user_id)
        return page(
            request,
            "staff_code.html",
            status_code=409,
            user=user,
            unit=unit,
            code=None,
            sent=None,
            refused=exc.message,
            created=False,
        )
    user, unit = service.read_account(db, caller, user_id)
    return page(
        request,
        "staff_code.html",
        user=user,
        unit=unit,
        code=delivery.shown,
        sent=delivery.sent,
        created=False,
    )


@post("/hamlets/new", sync_to_thread=False, include_in_schema=False)
def hamlet_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in ("name", "kind")}
    assert caller.unit is not None
    try:
        with db.begin_nested():
            hamlets.create_hamlet(
                db, caller, caller.unit, HamletIn(name=values["name"], kind=values["kind"] or None)
            )
    except ValidationFailed as exc:
        return staff_page(request, db, caller, 1, values, exc.errors, 422)
    except Conflict:
        return staff_page(request, db, caller, 1, values, [FieldError("name", "taken", "name_taken")], 409)
    return see_other("/staff?msg=hamlet_added")


@post("/hamlets/{hamlet_id:int}", sync_to_thread=False, include_in_schema=False)
def hamlet_rename(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, hamlet_id: FromPath[int], data: FormData
) -> Template | Redirect:
    field = f"name_{hamlet_id}"
    name = str(data.get(field) or "").strip()
    try:
        with db.begin_nested():
            hamlets.update_hamlet(db, caller, hamlet_id, HamletPatch(name=name))
    except ValidationFailed as exc:
        errors = [FieldError(field if e.field == "name" else e.field, e.message, e.code) for e in exc.errors]
        return staff_page(request, db, caller, 1, {field: name}, errors, 422)
    except Conflict:
        return staff_page(
            request, db, caller, 1, {field: name}, [FieldError(field, "taken", "name_taken")], 409
        )
    return see_other("/staff?msg=hamlet_renamed")


ROUTES = [
    staff_list,
    staff_create,
    staff_deactivate,
    staff_activate,
    staff_reset,
    hamlet_create,
    hamlet_rename,
]
