"""Inspection pages: plans, a plan with each audited unit's checklist results (counts and anonymous
ids, never names), findings, recommendations and their follow-up; a unit's answers to its
recommendations. Every call goes through portal.inspections with the caller's scoped session."""

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
from portal.inspections import addressees, followup, service
from portal.inspections.checks import CHECKLIST
from portal.inspections.schemas import FindingIn, RecommendationIn, TextIn
from portal.inspections.view import plan_json
from portal.web.case_words import form_errors
from portal.web.deps import FormData, lang_of
from portal.web.form_input import day_input
from portal.web.render import page, see_other
from tenancy.service import get_unit, units_below

FLASH = {"done": "saved", "answered": "rec_answered", "replied": "saved"}


@get("/inspections", sync_to_thread=False, include_in_schema=False)
def inspections_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    plans = service.list_plans(db, caller)
    can_plan = allowed(caller.role, "inspection", "plan") and caller.unit is not None
    return page(request, "inspections.html", plans=plans, can_plan=can_plan)


def _units_below(db: Session, unit_id: int) -> list[tuple[str, str]]:
    """The audited unit and the units below it (where a recommendation may be addressed)."""
    unit = get_unit(db, unit_id)
    if unit is None:
        return []
    rows = units_below(db, unit, current=True)
    return [(str(u.id), u.name) for u in rows][:200]


def _addressees(db: Session, inspecting_unit_id: int | None) -> list[tuple[str, str]]:
    """Departments and People's Committees of the inspecting unit's area, as ``a<id>`` options."""
    unit = get_unit(db, inspecting_unit_id) if inspecting_unit_id else None
    return [(f"a{a.id}", a.name) for a in addressees.for_inspection(db, unit)] if unit else []


def _plan_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    plan_id: int,
    form: str = "",
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    message: str | None = None,
) -> Template:
    plan = plan_json(db, service.get_plan(db, caller, plan_id), caller.scope.records)
    lang = lang_of(request)
    inspecting = plan["inspecting_unit"] or {}
    outside = _addressees(db, inspecting.get("id"))
    return page(
        request,
        "inspection.html",
        status_code=status_code,
        plan=plan,
        units={t["id"]: _units_below(db, t["unit"]["id"]) + outside for t in plan["targets"]},
        items=[(i.code, i.name_en if lang == "en" else i.name_vi) for i in CHECKLIST],
        inspecting=caller.unit is not None
        and inspecting.get("id") == caller.unit.id,  # forms only; rechecked
        form=form,
        errors=form_errors(errors or [], lang),
        values=values or {},
        form_message=message or ("form_errors" if errors else None),
        flash=FLASH.get(request.query_params.get("msg", "")),
        planned=request.query_params.get("msg") == "planned",
    )


@get("/inspections/{plan_id:int}", sync_to_thread=False, include_in_schema=False)
def inspection_page(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, plan_id: FromPath[int]
) -> Template:
    return _plan_page(request, db, caller, plan_id)


def _plan_of(data: dict[str, Any]) -> int:
    text = str(data.get("plan_id") or "")
    return int(text) if text.isdigit() else 0


@post("/inspection-targets/{target_id:int}/findings", sync_to_thread=False, include_in_schema=False)
def finding_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, target_id: FromPath[int], data: FormData
) -> Template | Redirect:
    plan_id = _plan_of(data)
    body = FindingIn(
        text=str(data.get("text") or ""),
        severity=str(data.get("severity") or "medium"),
        item=str(data["item"]) if data.get("item") else None,
    )
    try:
        followup.add_finding(db, caller, target_id, body)
    except ValidationFailed as exc:
        db.rollback()
        return _plan_page(request, db, caller, plan_id, f"finding-{target_id}", exc.errors, data, 422)
    return see_other(f"/inspections/{plan_id}?msg=done")


@post("/inspection-findings/{finding_id:int}/recommendations", sync_to_thread=False, include_in_schema=False)
def recommendation_submit(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, finding_id: FromPath[int], data: FormData
) -> Template | Redirect:
    plan_id = _plan_of(data)
    unit = str(data.get("responsible_unit_id") or "")
    deadline_text = str(data.get("deadline") or "").strip()
    errors: list[FieldError] = []
    deadline = day_input("deadline", deadline_text, errors)
    if deadline is None:
        errors = errors or [FieldError("deadline", "is required", "required")]
    else:
        addressee = unit[1:] if unit.startswith("a") else ""
        body = (
            RecommendationIn(text=str(data.get("text") or ""), deadline=deadline, addressee_id=int(addressee))
            if addressee.isdigit() and len(addressee) < 19
            else RecommendationIn(
                text=str(data.get("text") or ""),
                deadline=deadline,
                responsible_unit_id=int(unit) if unit.isdigit() and len(unit) < 19 else None,
            )
        )
        try:
            followup.recommend(db, caller, finding_id, body)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return see_other(f"/inspections/{plan_id}?msg=done")
    db.rollback()
    return _plan_page(request, db, caller, plan_id, f"rec-{finding_id}", errors, data, 422)


@post("/recommendations/{rec_id:int}/{verdict:str}", sync_to_thread=False, include_in_schema=False)
def settle_submit(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    rec_id: FromPath[int],
    verdict: FromPath[str],
    data: FormData,
) -> Template | Redirect:
    """accept / reopen (the inspecting side) and answer (the responsible unit)."""
    body = TextIn(text=str(data.get("text") or ""))
    plan_id = _plan_of(data)
    try:
        if verdict == "answer":
            followup.answer(db, caller, rec_id, body)
        elif verdict in ("accept", "reopen"):
            followup.settle(db, caller, rec_id, body, accept=verdict == "accept")
        else:
            return page(request, "error.html", status_code=404, message_key="not_found")
    except (ValidationFailed, Conflict) as exc:
        db.rollback()
        errors = exc.errors if isinstance(exc, ValidationFailed) else []
        message = None if errors else "case_conflict"
        if verdict == "answer":
            return recommendations_with(request, db, caller, rec_id, errors, data, 422, message)
        return _plan_page(request, db, caller, plan_id, f"settle-{rec_id}", errors, data, 422, message)
    if verdict == "answer":
        return see_other("/recommendations?msg=answered")
    return see_other(f"/inspections/{plan_id}?msg=done")


def recommendations_with(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    rec_id: int = 0,
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    message: str | None = None,
    kind: str = "answer",
) -> Template:
    """The recommendations page, with the ``kind`` form (answer, reply) of ``rec_id`` as posted."""
    items = followup.list_recommendations(db, caller, None)
    mine = caller.unit.id if caller.unit is not None else None
    return page(
        request,
        "recommendations.html",
        status_code=status_code,
        items=items,
        mine=mine,
        form=f"{kind}-{rec_id}" if rec_id else "",
        errors=form_errors(errors or [], lang_of(request)),
        values=values or {},
        form_message=message or ("form_errors" if errors else None),
        flash=FLASH.get(request.query_params.get("msg", "")),
    )


@get("/recommendations", sync_to_thread=False, include_in_schema=False)
def recommendations_page(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    return recommendations_with(request, db, caller)


ROUTES = [
    inspections_page,
    inspection_page,
    finding_submit,
    recommendation_submit,
    settle_submit,
    recommendations_page,
]
