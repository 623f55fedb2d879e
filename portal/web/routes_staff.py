"""Staff pages (staff managers): the accounts of the caller's area, found by name, role or state; a new
account with its one-time setup code. Each account's own page and its actions are in
``routes_staff_account``, the hamlets of a commune in ``routes_hamlets``.

A setup or reset code is shown once, in the answer to the POST that made it (never in a URL, never
stored in clear). Every call goes through portal.staff with the caller's scoped session: Casbin,
the SQL scope, RLS and the audit log apply as they do for the API; refusals show the error page.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.staff import service
from portal.staff.schemas import StaffCreate, StaffFilter
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors, label
from portal.web.render import page
from tenancy.models import Unit
from tenancy.service import child_units, natural_key

PAGE_SIZE = 30
FLASH = {"deactivated": "staff_deactivated", "activated": "staff_activated"}
FORM = ("full_name", "username", "role", "unit_id", "email", "phone")
ACTIVE = {"": None, "yes": True, "no": False}


def _units(db: Session, caller: Caller) -> list[Unit]:
    """Where the caller may place an account: the units just below theirs (and their hamlets)."""
    if caller.unit is None:
        return []
    below = [u for u in child_units(db, caller.unit.id) if u.valid_to is None]
    return sorted(below, key=lambda u: (u.level != "hamlet", natural_key(u.name)))


def _filters(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The list's filters as typed (``q`` a name or username, ``role``, ``active`` yes/no)."""
    return {k: request.query_params.get(k, "").strip()[:100] for k in ("q", "role", "active")}


def staff_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    page_no: int = 1,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    shown = _filters(request)
    problems: list[FieldError] = []
    if shown["active"] not in ACTIVE:
        problems.append(FieldError("active", "must be yes or no", "invalid"))
    wanted = StaffFilter(
        q=shown["q"] or None,
        role=shown["role"] or None,
        active=ACTIVE.get(shown["active"]),
        page=page_no,
        page_size=PAGE_SIZE,
    )
    try:
        result = service.list_accounts(db, caller, wanted)
    except ValidationFailed as exc:
        problems += exc.errors
        result = service.list_accounts(db, caller, StaffFilter(page=1, page_size=PAGE_SIZE))
    lang = lang_of(request)
    roles = service.manageable_roles(caller)
    return page(
        request,
        "staff.html",
        status_code=422 if problems and status_code == 200 else status_code,
        result=result,
        page_no=result.page,
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        shown=shown,
        query=urlencode({k: v for k, v in shown.items() if v}),
        filter_errors=field_errors(problems, lang),
        role_options=[(r, label("role", r, lang)) for r in roles],
        unit_options=[(str(u.id), u.name) for u in _units(db, caller)],
        values={
            **dict.fromkeys(FORM, ""),
            "role": "collaborator" if "collaborator" in roles else "",
            **(values or {}),
        },
        errors=field_errors(errors or [], lang),
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
        refused=None,
        created=True,
    )


ROUTES = [staff_list, staff_create]
