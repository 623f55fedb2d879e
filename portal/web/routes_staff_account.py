"""An account's page (staff managers): its facts, then each action in its own section: name and
contact, move or new role, deactivate or reactivate, a one-time reset code, end its sessions. Each is
answered by the page with a sentence saying what happened.

The changes are ``portal.staff.service``'s, with its delegation rules: nobody grants a role that is not
below their own or a unit outside their area, and the contact address of an account that reads more than
the manager is not theirs to change. A refusal is audited as the API audits it and shown as the account
page with status 403 and the reason in words; a role with no part in staff management gets the 403
page. Bad input is a 422 naming the field; nothing is written on a refusal.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.enforcer import allowed
from infra.errors import Conflict, FieldError, Forbidden, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.errors import domain_error_handler
from portal.staff import service
from portal.staff.delivery import holds_credential
from portal.staff.schemas import StaffPatch
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors, label, message
from portal.web.render import page, see_other
from portal.web.staff_forms import changed, placement, refusal, who

EDIT = ("full_name", "email", "phone")
MOVE = ("role", "unit_id")


def account_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    user_id: int,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> Template:
    user, unit = service.read_account(db, caller, user_id)
    own = user.id == caller.user_id
    roles = service.manageable_roles(caller)
    placed = placement(db, caller, roles, unit, request.query_params.get("within", ""))
    lang = lang_of(request)
    current = {
        "full_name": user.full_name,
        "email": user.email or "",
        "phone": user.phone or "",
        "role": user.role or "",
        "unit_id": str(user.unit_id or ""),
    }
    return page(
        request,
        "staff_account.html",
        status_code=status_code,
        user=user,
        unit=unit,
        own=own,
        holds=not own and holds_credential(db, caller, user, unit),
        role_options=[(r, label("role", r, lang)) for r in roles],
        placed=placed,
        within_chosen=bool(request.query_params.get("within")),
        form=form,
        values={**current, **(values or {})},
        errors=field_errors(errors or [], lang),
        refused=refused,
        done=_done(request, user, unit, lang),
    )


def _done(request: Request[Any, Any, Any], user: Any, unit: Any, lang: str) -> str:
    done = request.query_params.get("done", "")
    name = who(user)
    if done in ("updated", "deactivated", "activated"):
        return message(f"account_{done}", lang, user=name)
    if done == "moved":
        where = unit.name if unit is not None else "—"
        return message("account_moved", lang, user=name, role=label("role", user.role, lang), unit=where)
    if done == "sessions":
        count = request.query_params.get("n", "0")
        return message("sessions_revoked", lang, user=name, n=count if count.isdigit() else "0")
    if done == "unchanged":
        return message("nothing_changed", lang)
    return ""


def _refused(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    user_id: int,
    exc: Forbidden,
    form: str,
    values: dict[str, str] | None = None,
) -> Template:
    """The account page saying why the service refused; the refusal audited as the API's. A role that
    takes no part in staff management gets the plain 403 page (the error handler audits it)."""
    if not allowed(caller.role, "staff", "read"):
        raise exc
    domain_error_handler(request, exc)
    reason = refusal(db, caller, exc, lang_of(request))
    return account_page(
        request, db, caller, user_id, form=form, values=values, refused=reason, status_code=403
    )


@get("/staff/{user_id:int}", sync_to_thread=False, include_in_schema=False)
def account(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Template:
    return account_page(request, db, caller, user_id)


def _change(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    user_id: int,
    form: str,
    values: dict[str, str],
    wanted: dict[str, Any],
    done: str,
) -> Template | Redirect:
    """Send the fields that differ from the account's to ``service.update_account``."""
    user, _unit = service.read_account(db, caller, user_id)
    changes = changed(wanted, user)
    if not changes:
        return see_other(f"/staff/{user_id}?done=unchanged")
    try:
        with db.begin_nested():
            service.update_account(db, caller, user_id, StaffPatch(**changes))
    except ValidationFailed as exc:
        return account_page(
            request, db, caller, user_id, form=form, values=values, errors=exc.errors, status_code=422
        )
    except Forbidden as exc:
        return _refused(request, db, caller, user_id, exc, form, values)
    return see_other(f"/staff/{user_id}?done={done}")


@post("/staff/{user_id:int}/edit", sync_to_thread=False, include_in_schema=False)
def account_edit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int], data: FormData
) -> Template | Redirect:
    service.read_account(db, caller, user_id)  # refused (403, 404) before any input is read
    values = {k: str(data.get(k) or "").strip() for k in EDIT if k in data}
    wanted: dict[str, Any] = {"full_name": values.get("full_name", "")}
    wanted.update({k: values[k] or None for k in ("email", "phone") if k in values})
    return _change(request, db, caller, user_id, "edit", values, wanted, "updated")


@post("/staff/{user_id:int}/move", sync_to_thread=False, include_in_schema=False)
def account_move(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int], data: FormData
) -> Template | Redirect:
    service.read_account(db, caller, user_id)
    values = {k: str(data.get(k) or "").strip() for k in MOVE}
    unit_text = values["unit_id"]
    if unit_text and not (unit_text.isdigit() and len(unit_text) < 19):
        errors = [FieldError("unit_id", "is not a unit id", "invalid")]
        return account_page(
            request, db, caller, user_id, form="move", values=values, errors=errors, status_code=422
        )
    wanted = {"role": values["role"], "unit_id": int(unit_text) if unit_text else None}
    return _change(request, db, caller, user_id, "move", values, wanted, "moved")


@post("/staff/{user_id:int}/deactivate", sync_to_thread=False, include_in_schema=False)
def account_deactivate(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Template | Redirect:
    try:
        service.deactivate_account(db, caller, user_id)
    except Forbidden as exc:
        return _refused(request, db, caller, user_id, exc, "status")
    return see_other(f"/staff/{user_id}?done=deactivated")


@post("/staff/{user_id:int}/activate", sync_to_thread=False, include_in_schema=False)
def account_activate(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Template | Redirect:
    try:
        with db.begin_nested():
            service.activate_account(db, caller, user_id)
    except ValidationFailed as exc:
        return account_page(request, db, caller, user_id, form="status", errors=exc.errors, status_code=422)
    except Forbidden as exc:
        return _refused(request, db, caller, user_id, exc, "status")
    return see_other(f"/staff/{user_id}?done=activated")


@post("/staff/{user_id:int}/sessions", sync_to_thread=False, include_in_schema=False)
def account_sessions(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Template | Redirect:
    try:
        ended = service.end_sessions(db, caller, user_id)
    except Forbidden as exc:
        return _refused(request, db, caller, user_id, exc, "sessions")
    return see_other(f"/staff/{user_id}?done=sessions&n={ended}")


@post("/staff/{user_id:int}/reset", sync_to_thread=False, include_in_schema=False)
def account_reset(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, user_id: FromPath[int]
) -> Template:
    """A one-time reset code, shown once in this answer (or sent to the person, when the caller may not
    hold it), as the setup code of a new account is."""
    try:
        with db.begin_nested():
            delivery = service.issue_reset_code(db, caller, user_id)
    except Forbidden as exc:
        return _refused(request, db, caller, user_id, exc, "reset")
    except Conflict:
        user, unit = service.read_account(db, caller, user_id)
        reason = "reset_inactive" if not user.is_active else "reset_no_address"
        return page(
            request,
            "staff_code.html",
            status_code=409,
            user=user,
            unit=unit,
            code=None,
            sent=None,
            refused=message(reason, lang_of(request)),
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
        refused=None,
        created=False,
    )


ROUTES = [
    account,
    account_reset,
    account_edit,
    account_move,
    account_deactivate,
    account_activate,
    account_sessions,
]
