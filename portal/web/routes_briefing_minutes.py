"""Recording what a briefing held: each collaborator of the commune present, or absent with the reason
(one form, a row per collaborator), and the proposals it took up with their follow-up. The commune's
ward officer only; the service (``portal.briefings.minutes``) decides again on every write."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import Conflict, FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.briefings import minutes, service
from portal.briefings.schemas import AttendanceEntry, AttendanceIn, ProposalIn, ProposalPatch
from portal.web.deps import FormData, lang_of
from portal.web.form_input import read_form
from portal.web.i18n import field_errors
from portal.web.render import page, see_other
from portal.web.routes_briefings import briefing_page

PROPOSAL = ("content", "owner", "due_on", "status", "follow_up")


def _roster_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    briefing_id: int,
    sent: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    inputs: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    b, unit = service.get_briefing(db, caller, briefing_id, "record")
    rows = minutes.roster(db, caller, b, unit)
    values = {}
    for m in rows:
        mark = "" if m.row is None else "present" if m.row.present else "absent"
        values[f"mark_{m.user.id}"] = mark
        values[f"reason_{m.user.id}"] = (m.row.absence_reason or "") if m.row else ""
    return page(
        request,
        "briefing_attendance.html",
        status_code=status_code,
        briefing=b,
        unit=unit,
        rows=rows,
        held=b.held_on <= today(),
        values={**values, **(sent or {})},
        errors=field_errors(errors or [], lang_of(request), inputs),
        form_message="form_errors" if errors else None,
    )


@get("/briefings/{briefing_id:int}/attendance", sync_to_thread=False, include_in_schema=False)
def attendance_form(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, briefing_id: FromPath[int]
) -> Template:
    return _roster_page(request, db, caller, briefing_id)


@post("/briefings/{briefing_id:int}/attendance", sync_to_thread=False, include_in_schema=False)
def attendance_save(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, briefing_id: FromPath[int], data: FormData
) -> Template | Redirect:
    service.get_briefing(db, caller, briefing_id, "record")  # refused (403/404) before input is read
    sent = {k: str(v).strip()[:400] for k, v in data.items() if k.startswith(("mark_", "reason_"))}
    entries: list[AttendanceEntry] = []
    inputs: dict[str, str] = {}
    for key, mark in sent.items():
        uid = key.removeprefix("mark_")
        if (
            not key.startswith("mark_")
            or mark not in ("present", "absent")
            or not uid.isdigit()
            or len(uid) > 18
        ):
            continue
        reason = sent.get(f"reason_{uid}") or None
        inputs[f"entries[{len(entries)}].absence_reason"] = f"reason_{uid}"
        inputs[f"entries[{len(entries)}].user_id"] = f"mark_{uid}"
        entries.append(AttendanceEntry(user_id=int(uid), present=mark == "present", absence_reason=reason))
    errors: list[FieldError] = []
    if not entries:
        errors.append(FieldError("entries", "mark at least one collaborator", "required"))
    else:
        try:
            with db.begin_nested():
                minutes.record_attendance(db, caller, briefing_id, AttendanceIn(entries=entries[:500]))
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict:
            errors = [FieldError("entries", "the briefing has not taken place yet", "not_held")]
        else:
            return see_other(f"/briefings/{briefing_id}?done=recorded")
    return _roster_page(request, db, caller, briefing_id, sent, errors, inputs, 422)


@post("/briefings/{briefing_id:int}/proposals", sync_to_thread=False, include_in_schema=False)
def proposal_add(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, briefing_id: FromPath[int], data: FormData
) -> Template | Redirect:
    service.get_briefing(db, caller, briefing_id, "record")
    values = {k: str(data.get(k) or "").strip() for k in PROPOSAL}
    errors: list[FieldError] = []
    body = read_form(values, ProposalIn, errors)
    if body is not None:
        try:
            with db.begin_nested():
                minutes.add_proposal(db, caller, briefing_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/briefings/{briefing_id}?done=proposal#proposals")
    return briefing_page(
        request, db, caller, briefing_id, form="proposal", values=values, errors=errors, status_code=422
    )


@post(
    "/briefings/{briefing_id:int}/proposals/{proposal_id:int}", sync_to_thread=False, include_in_schema=False
)
def proposal_follow_up(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    briefing_id: FromPath[int],
    proposal_id: FromPath[int],
    data: FormData,
) -> Template | Redirect:
    service.get_briefing(db, caller, briefing_id, "record")
    prefix = f"p{proposal_id}_"
    values = {prefix + k: str(data.get(prefix + k) or "").strip() for k in PROPOSAL}
    errors: list[FieldError] = []
    body = read_form(values, ProposalIn, errors, prefix, field_prefix=prefix)
    if body is not None:
        changes = ProposalPatch(
            content=body.content,
            owner=body.owner,
            due_on=body.due_on,
            status=body.status,
            follow_up=body.follow_up,
        )
        try:
            with db.begin_nested():
                minutes.update_proposal(db, caller, briefing_id, proposal_id, changes)
        except ValidationFailed as exc:
            errors = [FieldError(prefix + e.field, e.message, e.code) for e in exc.errors]
        else:
            return see_other(f"/briefings/{briefing_id}?done=follow_up#proposals")
    return briefing_page(
        request,
        db,
        caller,
        briefing_id,
        form=f"p{proposal_id}",
        values=values,
        errors=errors,
        status_code=422,
    )


ROUTES = [attendance_form, attendance_save, proposal_add, proposal_follow_up]
