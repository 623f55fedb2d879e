"""Reviewing the approved plan: form 06 of Decree 56/2017/NĐ-CP (theo dõi, đánh giá việc thực hiện kế
hoạch hỗ trợ, can thiệp).

A review records what was found (``summary``), the child's situation now, the evaluation of every
action of the plan and a proposal:

- ``continue``: the plan goes on, reviewed again on ``next_review_on`` (a new review deadline);
- ``new_plan``: the case goes back to ``assessed`` for a new plan (a new 5-working-day deadline);
- ``close``: the worker proposes closing the case; the case stays in progress until the commune's ward
  officer proposes the closure (``/close``, reason ``child_safe``) and the chairman approves it; it is
  reviewed again on ``next_review_on`` if given.

Each action of the plan is evaluated: ``done`` (with its result) or ``not_done`` (with why, if known). An
action the request leaves out is taken as the plan records it (done, cancelled, or not done). A ``done``
evaluation of an action still planned also marks the plan's action done with that result, so the plan
and its latest review agree; a ``not_done`` one changes nothing in the plan.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import Conflict
from portal.cases import deadlines as dl
from portal.cases.access import log_event
from portal.cases.checks import Check
from portal.cases.models import Case, CasePlanAction, CaseReview, CaseReviewAction
from portal.cases.plans import MAX_ACTIONS, current_plan, plan_actions
from portal.cases.schemas import ReviewActionIn, ReviewIn
from portal.cases.workflow import _touch, load_for

OUTCOMES = ("continue", "new_plan", "close")
VERDICTS = ("done", "not_done")
SITUATION_LIMIT = 4000
RESULT_LIMIT = 2000
MAX_ROWS = MAX_ACTIONS  # a plan has at most this many actions to evaluate


def review_actions(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, list[CaseReviewAction]]:
    """Each review of the case -> its evaluated actions, in the plan's order."""
    rows = session.scalars(
        select(CaseReviewAction)
        .join(CasePlanAction, CasePlanAction.id == CaseReviewAction.action_id)
        .where(CaseReviewAction.case_id == case_id)
        .order_by(CasePlanAction.position)
    )
    found: dict[uuid.UUID, list[CaseReviewAction]] = {}
    for row in rows:
        found.setdefault(row.review_id, []).append(row)
    return found


def _verdicts(
    check: Check, given: list[ReviewActionIn], actions: list[CasePlanAction]
) -> dict[uuid.UUID, tuple[str, str | None]]:
    """action id -> (status, result) for every action of the plan, the request's first."""
    by_id = {a.id: a for a in actions}
    found: dict[uuid.UUID, tuple[str, str | None]] = {}
    for i, item in enumerate(given):
        where = f"actions[{i}]"
        if item.action_id not in by_id:
            check.fail(f"{where}.action_id", "is not an action of the plan under review", "unknown")
            continue
        if item.action_id in found:
            check.fail(f"{where}.action_id", "is evaluated twice", "invalid")
            continue
        if item.status not in VERDICTS:
            check.fail(
                f"{where}.status", f"unknown status {item.status!r}; one of: done, not_done", "unknown_code"
            )
        result = check.text(
            f"{where}.result", item.result, required=item.status == "done", limit=RESULT_LIMIT
        )
        found[item.action_id] = (item.status, result)
    for action in actions:
        if action.id not in found:
            recorded = action.status if action.status in ("done", "cancelled") else "not_done"
            found[action.id] = (recorded, action.result)
    return found


def review(session: Session, caller: Caller, case_id: uuid.UUID, body: ReviewIn) -> Case:
    """Record a review of the approved plan (form 06) and act on its proposal."""
    case = load_for(session, caller, case_id, "review", "work", body.version)
    check = Check()
    outcome = body.outcome
    if outcome not in OUTCOMES:
        check.fail(
            "outcome", "must be continue, new_plan or close (propose closing the case)", "unknown_code"
        )
    summary = check.text("summary", body.summary)
    situation = check.text("child_situation", body.child_situation, limit=SITUATION_LIMIT)
    next_review = check.day("next_review_on", body.next_review_on, required=outcome == "continue")
    plan = current_plan(session, case.id, ("approved",))
    if plan is None:
        raise Conflict("the case has no approved plan to review")
    actions = plan_actions(session, plan.id)
    verdicts = _verdicts(check, body.actions, actions)
    check.raise_if_failed()
    now = utcnow()
    row = CaseReview(
        id=uuid.uuid4(),
        case_id=case.id,
        plan_id=plan.id,
        outcome=outcome,
        summary=summary,
        child_situation=situation,
        next_review_on=next_review if outcome != "new_plan" else None,
        reviewer_id=caller.user_id,
        reviewed_at=now,
    )
    session.add(row)
    session.flush()
    for action in actions:
        status, result = verdicts[action.id]
        session.add(
            CaseReviewAction(
                review_id=row.id, action_id=action.id, case_id=case.id, status=status, result=result
            )
        )
        if status == "done" and action.status == "planned":
            action.status, action.result, action.completed_at = "done", result, now
    dl.meet(session, case.id, "review", now)
    session.flush()
    if outcome == "new_plan":
        dl.open_plan_deadline(session, case.id, now)
        before = _touch(case, case.status, "assessed")
    else:
        if next_review is not None:
            dl.open_deadline(session, case.id, "review", dl.end_of_day(next_review))
        before = _touch(case, case.status)
    done = sum(1 for status, _ in verdicts.values() if status == "done")
    log_event(
        session, caller, case, "review", before, {"outcome": outcome, "actions": len(actions), "done": done}
    )
    return case
