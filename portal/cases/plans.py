"""The support/intervention plan (form 04), its approval by decision (form 05) and its actions.

The plan deadline (5 working days) is met when the worker submits the plan; the commune's chairman
approves it by decision (or returns it with a comment). Whoever drafted or submitted the plan never
approves it (checked here and by the schema); the decision's history row is written before the case
changes, so that the chairman keeps reading the cases they decided (row-level security). An approved
plan opens the review deadline; its reviews (form 06) are in ``portal.cases.reviews``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from portal.cases import deadlines as dl
from portal.cases.access import get_case, log_event, require_manager
from portal.cases.checks import Check
from portal.cases.models import Case, CasePlan, CasePlanAction
from portal.cases.schemas import ActionUpdateIn, DecisionIn, PlanIn
from portal.cases.workflow import _touch, load_for, require_status

MAX_ACTIONS = 50


def current_plan(session: Session, case_id: uuid.UUID, statuses: tuple[str, ...]) -> CasePlan | None:
    return session.scalars(
        select(CasePlan)
        .where(CasePlan.case_id == case_id, CasePlan.status.in_(statuses))
        .order_by(CasePlan.number.desc())
        .limit(1)
    ).one_or_none()


def plan_actions(session: Session, plan_id: uuid.UUID) -> list[CasePlanAction]:
    return list(
        session.scalars(
            select(CasePlanAction).where(CasePlanAction.plan_id == plan_id).order_by(CasePlanAction.position)
        )
    )


def draft_plan(session: Session, caller: Caller, case_id: uuid.UUID, body: PlanIn) -> CasePlan:
    """Write the draft (replacing its actions); a returned plan becomes a draft again."""
    case = load_for(session, caller, case_id, "draft_plan", "work", body.version)
    check = Check()
    goals = check.text("goals", body.goals)
    review_on = check.day("review_on", body.review_on)
    actions = body.actions
    if not actions:
        check.fail("actions", "a plan needs at least one action", "required")
    if len(actions) > MAX_ACTIONS:
        check.fail("actions", f"at most {MAX_ACTIONS} actions", "too_many")
    rows = []
    for i, action in enumerate(actions[:MAX_ACTIONS]):
        rows.append(
            {
                "description": check.text(f"actions[{i}].description", action.description, limit=2000),
                "owner": check.text(f"actions[{i}].owner", action.owner, limit=200),
                "due_on": check.day(f"actions[{i}].due_on", action.due_on),
            }
        )
    check.raise_if_failed()
    assert goals is not None and review_on is not None
    plan = current_plan(session, case.id, ("draft", "returned"))
    if plan is None:
        number = session.scalar(
            select(func.coalesce(func.max(CasePlan.number), 0)).where(CasePlan.case_id == case.id)
        )
        plan = CasePlan(
            id=uuid.uuid4(), case_id=case.id, number=int(number or 0) + 1, created_by=caller.user_id
        )
        session.add(plan)
    plan.status, plan.goals, plan.review_on = "draft", goals, review_on
    session.flush()
    session.execute(delete(CasePlanAction).where(CasePlanAction.plan_id == plan.id))
    for position, row in enumerate(rows):
        session.add(
            CasePlanAction(id=uuid.uuid4(), plan_id=plan.id, case_id=case.id, position=position, **row)
        )
    log_event(
        session,
        caller,
        case,
        "draft_plan",
        _touch(case, case.status),
        {"plan": plan.number, "actions": len(rows)},
    )
    return plan


def submit_plan(session: Session, caller: Caller, case_id: uuid.UUID, body: DecisionIn) -> Case:
    case = load_for(session, caller, case_id, "submit_plan", "work", body.version)
    plan = current_plan(session, case.id, ("draft",))
    if plan is None:
        raise ValidationFailed([FieldError("plan", "write the plan first (PUT /plan)", "required")])
    now = utcnow()
    plan.status, plan.submitted_at, plan.submitted_by = "submitted", now, caller.user_id
    dl.meet(session, case.id, "plan", now)
    log_event(
        session,
        caller,
        case,
        "submit_plan",
        _touch(case, case.status, "plan_submitted"),
        {"plan": plan.number},
    )
    return case


def _submitted_plan(session: Session, caller: Caller, case: Case, action: str) -> CasePlan:
    plan = current_plan(session, case.id, ("submitted",))
    assert plan is not None, "a case awaiting approval has a submitted plan"
    if caller.user_id in (plan.created_by, plan.submitted_by):
        raise Forbidden(
            "whoever drafted or submitted a plan may not decide on it",
            resource="case",
            action=action,
            resource_ids=[str(case.id)],
            unit_id=case.hamlet_id,
        )
    return plan


def approve_plan(session: Session, caller: Caller, case_id: uuid.UUID, body: DecisionIn) -> Case:
    """The chairman's decision (form 05)."""
    case = load_for(session, caller, case_id, "approve_plan", "approve", body.version)
    check = Check()
    decision = check.text("decision_ref", body.decision_ref, required=False, limit=100)
    check.raise_if_failed()
    plan = _submitted_plan(session, caller, case, "approve_plan")
    now = utcnow()
    log_event(
        session,
        caller,
        case,
        "approve_plan",
        case.status,
        {"plan": plan.number, "decision_ref": decision},
        to_status="in_progress",
    )
    for old in session.scalars(
        select(CasePlan).where(CasePlan.case_id == case.id, CasePlan.status == "approved")
    ):
        old.status = "superseded"
    plan.status, plan.approved_at, plan.approved_by, plan.decision_ref = (
        "approved",
        now,
        caller.user_id,
        decision,
    )
    _touch(case, case.status, "in_progress")
    _reopen_review(session, case, dl.end_of_day(plan.review_on), now)
    return case


def return_plan(session: Session, caller: Caller, case_id: uuid.UUID, body: DecisionIn) -> Case:
    case = load_for(session, caller, case_id, "return_plan", "approve", body.version)
    check = Check()
    comment = check.text("comment", body.comment, limit=4000)
    check.raise_if_failed()
    plan = _submitted_plan(session, caller, case, "return_plan")
    log_event(
        session,
        caller,
        case,
        "return_plan",
        case.status,
        {"plan": plan.number, "comment": comment},
        to_status="assessed",
    )
    plan.status, plan.return_comment = "returned", comment
    _touch(case, case.status, "assessed")
    return case


def _reopen_review(session: Session, case: Case, due_at: Any, now: Any) -> None:
    for d in dl.deadlines_of(session, case.id):
        if d.step == "review" and d.met_at is None and d.cancelled_at is None:
            d.cancelled_at = now
    session.flush()
    dl.open_deadline(session, case.id, "review", due_at)


def update_action(
    session: Session, caller: Caller, case_id: uuid.UUID, action_id: uuid.UUID, body: ActionUpdateIn
) -> CasePlanAction:
    case = get_case(session, caller, case_id, "work")
    require_manager(caller, case, "update actions of")
    require_status(case, "update_action")
    plan = current_plan(session, case.id, ("approved",))
    action = session.get(CasePlanAction, action_id)
    if action is None or plan is None or action.plan_id != plan.id:
        raise NotVisible("no such action in the case's approved plan", resource="case", action="work")
    check = Check()
    status = body.status
    if status not in ("planned", "done", "cancelled"):
        check.fail("status", "must be planned, done or cancelled")
    result = check.text("result", body.result, required=status == "done", limit=4000)
    check.raise_if_failed()
    action.status, action.result = status, result
    action.completed_at = utcnow() if status == "done" else None
    log_event(
        session, caller, case, "update_action", case.status, {"action": str(action.id), "status": status}
    )
    return action
