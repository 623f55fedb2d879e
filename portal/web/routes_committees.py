"""Steering committee pages: the committees of the caller's area, recording the caller's unit's committee,
a committee with its members (adding one, one leaving) and meetings (agenda, conclusions, attendance)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.plans import committees
from portal.plans.responses import committee_out
from portal.plans.schemas import CommitteeIn, CommitteePatch, MeetingIn, MemberIn, MemberLeave
from portal.web.deps import FormData, lang_of
from portal.web.form_input import day_input, read_form
from portal.web.i18n import field_errors
from portal.web.plan_forms import COMMITTEE_FORM, MEETING_FORM, MEMBER_FORM, committee_values, keeps
from portal.web.render import page, see_other
from portal.web.training_forms import chosen_ids


def _list_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "committees.html",
        status_code=status_code,
        rows=committees.list_committees(db, caller),
        may_create=keeps(caller, "committee", "create"),
        values={**dict.fromkeys(COMMITTEE_FORM, ""), **(values or {})},
        errors=field_errors(errors or [], lang_of(request)),
        form_message="form_errors" if errors else None,
    )


@get("/committees", sync_to_thread=False, include_in_schema=False)
def committees_list(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return _list_page(request, db, caller)


@post("/committees/new", sync_to_thread=False, include_in_schema=False)
def committee_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in COMMITTEE_FORM}
    errors: list[FieldError] = []
    body = read_form(values, CommitteeIn, errors, inputs=COMMITTEE_FORM)
    if body is not None:
        try:
            with db.begin_nested():
                committee, _unit = committees.create_committee(db, caller, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/committees/{committee.id}?done=created")
    return _list_page(request, db, caller, values, errors, 422)


def committee_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    committee_id: int,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Template:
    committee, unit = committees.get_committee(db, caller, committee_id)
    shown = committee_out(db, committee, unit)
    return page(
        request,
        "committee.html",
        status_code=status_code,
        committee=shown,
        names={m.id: m.full_name for m in shown.members},
        may_edit=keeps(caller, "committee", "update", unit),
        form=form,
        values={**committee_values(committee), **(values or {})} if form == "edit" else (values or {}),
        errors=field_errors(errors or [], lang_of(request)),
        form_message="form_errors" if errors else None,
        done=request.query_params.get("done", ""),
    )


@get("/committees/{committee_id:int}", sync_to_thread=False, include_in_schema=False)
def committee_view(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, committee_id: FromPath[int]
) -> Template:
    return committee_page(request, db, caller, committee_id)


@post("/committees/{committee_id:int}", sync_to_thread=False, include_in_schema=False)
def committee_update(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, committee_id: FromPath[int], data: FormData
) -> Template | Redirect:
    committees.get_committee(db, caller, committee_id, "update")
    inputs = (*COMMITTEE_FORM, "ended_on")
    values = {k: str(data.get(k) or "").strip() for k in inputs}
    errors: list[FieldError] = []
    read = read_form(values, CommitteeIn, errors, inputs=COMMITTEE_FORM)
    ended = day_input("ended_on", values["ended_on"], errors)
    if read is not None and not errors:
        patch = CommitteePatch(
            name=read.name, decision_number=read.decision_number, decision_on=read.decision_on,
            issuing_body=read.issuing_body, ended_on=ended,
        )  # fmt: skip
        try:
            with db.begin_nested():
                committees.update_committee(db, caller, committee_id, patch)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/committees/{committee_id}?done=updated")
    return committee_page(
        request, db, caller, committee_id, form="edit", values=values, errors=errors, status_code=422
    )


@post("/committees/{committee_id:int}/members", sync_to_thread=False, include_in_schema=False)
def member_add(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, committee_id: FromPath[int], data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in MEMBER_FORM}
    errors: list[FieldError] = []
    body = read_form(values, MemberIn, errors, inputs=MEMBER_FORM)
    if body is not None:
        try:
            with db.begin_nested():
                committees.add_member(db, caller, committee_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/committees/{committee_id}?done=member")
    return committee_page(
        request, db, caller, committee_id, form="member", values=values, errors=errors, status_code=422
    )


@post(
    "/committees/{committee_id:int}/members/{member_id:int}/leave",
    sync_to_thread=False,
    include_in_schema=False,
)
def member_leave(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    committee_id: FromPath[int],
    member_id: FromPath[int],
    data: FormData,
) -> Template | Redirect:
    values = {"left_on": str(data.get("left_on") or "").strip()}
    errors: list[FieldError] = []
    body = read_form(values, MemberLeave, errors)
    if body is not None:
        try:
            with db.begin_nested():
                committees.member_leaves(db, caller, committee_id, member_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/committees/{committee_id}?done=left")
    return committee_page(
        request,
        db,
        caller,
        committee_id,
        form=f"leave-{member_id}",
        values=values,
        errors=errors,
        status_code=422,
    )


@post("/committees/{committee_id:int}/meetings", sync_to_thread=False, include_in_schema=False)
def meeting_add(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, committee_id: FromPath[int], data: FormData
) -> Template | Redirect:
    values = {k: str(data.get(k) or "").strip() for k in MEETING_FORM}
    errors: list[FieldError] = []
    attended = chosen_ids(data.get("attended"), errors)
    body = read_form(values, MeetingIn, errors, inputs=MEETING_FORM, given={"attended": attended})
    if body is not None and not errors:
        try:
            with db.begin_nested():
                committees.add_meeting(db, caller, committee_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/committees/{committee_id}?done=meeting")
    values["attended"] = ",".join(str(i) for i in attended)
    return committee_page(
        request, db, caller, committee_id, form="meeting", values=values, errors=errors, status_code=422
    )


ROUTES = [
    committees_list,
    committee_create,
    committee_view,
    committee_update,
    member_add,
    member_leave,
    meeting_add,
]
