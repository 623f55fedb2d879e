"""Children moving between communes, on the pages: the move-out form (on the child page), the moves
page of a ward officer (both sides, by state, with the decisions their side may take) and of a
collaborator (its hamlet's moves), and each decision's form.

Every call goes through ``portal.registry.moves`` with the caller's scoped session, as the API's
(Casbin, the SQL scope, row-level security, the audit). A child is named only where the caller reads
its record (the API's rule). A move decided meanwhile by someone else is said plainly (409).
"""

from __future__ import annotations

import math
import uuid
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.registry.move_views import decisions_for
from portal.registry.moves import DECISIONS, STATES, decide, list_moves, move_out
from portal.registry.schemas import MoveDecisionIn
from portal.registry.service import get_child
from portal.web import forms, move_forms
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.routes_children import child_page_with
from tenancy.service import child_units

PAGE_SIZE = 20
FLASH = {f"move_{d}": f"move_{d}" for d in DECISIONS}


def _moves_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    side: str | None,
    state: str | None,
    page_no: int = 1,
    failed: tuple[int, list[FieldError]] | None = None,
    status_code: int = 200,
    message: str | None = None,
) -> Template:
    side = side if side in ("in", "out") else None
    state = state if state in STATES else None
    result = list_moves(db, caller, side, state, max(1, page_no), PAGE_SIZE)
    unit = caller.unit
    hamlets = (
        [h for h in child_units(db, unit.id) if h.level == "hamlet" and h.valid_to is None]
        if unit is not None and unit.level == "commune"
        else []
    )
    return page(
        request,
        "moves.html",
        status_code=status_code,
        result=result,
        items=[(m, decisions_for(caller, m)) for m in result.items],
        pages=max(1, math.ceil(result.total / PAGE_SIZE)),
        side=side or "",
        state=state or "",
        states=STATES,
        hamlet_options=[(str(h.id), h.name) for h in hamlets],
        failed_move=failed[0] if failed else None,
        errors=field_errors(failed[1], lang_of(request)) if failed else {},
        form_message=message or ("form_errors" if failed else None),
        flash=FLASH.get(request.query_params.get("msg", "")),
    )


@get("/moves", sync_to_thread=False, include_in_schema=False)
def moves_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    side: Annotated[str | None, QueryParameter(name="side")] = None,
    move_state: Annotated[str | None, QueryParameter(name="state")] = None,
    page_no: Annotated[int, QueryParameter(name="page")] = 1,
) -> Template:
    return _moves_page(request, db, caller, side, move_state, page_no)


@post("/children/{child_id:uuid}/move", sync_to_thread=False, include_in_schema=False)
def move_out_submit(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    child_id: FromPath[uuid.UUID],
    data: FormData,
) -> Template | Redirect:
    body, form = move_forms.read(db, data)
    status = 422
    if body is not None:
        try:
            move_out(db, caller, child_id, body)
        except ValidationFailed as exc:
            form.errors = [FieldError(_input(e.field), e.message, e.code) for e in exc.errors]
        except Conflict:
            status, form.message = 409, "move_conflict"
        else:
            return see_other(f"/children/{child_id}?msg=move_opened")
    elif form.choices and not form.errors:
        status = 200  # communes found by name: the officer chooses one
    return _child_again(request, db, caller, child_id, status, form)


def _child_again(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    child_id: uuid.UUID,
    status: int,
    form: move_forms.MoveForm,
) -> Template:
    """The child page shown again with the move form's state; the moves page when the child is no
    longer the caller's (its move was completed meanwhile)."""
    db.expire_all()
    try:
        child = get_child(db, caller, child_id)
    except NotVisible:
        return _moves_page(request, db, caller, None, None, status_code=status, message=form.message)
    values = forms.record_values(child)
    return child_page_with(request, db, caller, values, [], child=child, status_code=status, move_form=form)


def _input(service_field: str) -> str:
    """The form input a move-out field is shown at (the commune is chosen in "destination")."""
    return "destination" if service_field == "to_unit_id" else service_field


@post("/moves/{move_id:int}/{decision:str}", sync_to_thread=False, include_in_schema=False)
def decision_submit(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    move_id: FromPath[int],
    decision: FromPath[str],
    data: FormData,
) -> Template | Redirect:
    if decision not in DECISIONS:
        raise NotFoundException()
    back = str(data.get("back") or "")
    child_id = back.removeprefix("child:") if back.startswith("child:") else None
    errors: list[FieldError] = []
    body = read_form(data, MoveDecisionIn, errors)
    message = None
    if body is not None:
        try:
            decide(db, caller, move_id, decision, body)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict:
            message = "move_conflict"
        else:
            if child_id is not None and decision == "cancel":
                return see_other(f"/children/{_uuid(child_id)}?msg=move_cancel")
            return see_other(f"/moves?msg=move_{decision}#move-{move_id}")
    status = 409 if message else 422
    if child_id is not None:
        form = move_forms.blank()
        form.message = message or "form_errors"
        return _child_again(request, db, caller, _uuid(child_id), status, form)
    db.expire_all()
    failed = (move_id, errors) if errors else None
    return _moves_page(request, db, caller, None, None, 1, failed, status, message)


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise NotFoundException() from exc


ROUTES = [moves_page, move_out_submit, decision_submit]
