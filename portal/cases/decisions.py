"""The chairman's decision on a closure, and the ward officer's reopening of a closed case.

The ward officer proposes a closure (``workflow.close``); the commune's chairman approves it (the case
closes, its deadlines end) or returns it with a comment. Whoever proposed a closure never approves it
(checked here and by the schema). The decision's history row is written before the case changes: from
then on the chairman reads the case as one they decided (row-level security, ``app_decided_cases``).

A closed case is reopened by the commune's ward officer with a reason, when the child is in danger again
or the closure was wrong: it goes back to "received", and its assessment (12 hours) and plan (5 working
days) deadlines open again from the reopening.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import Conflict, Forbidden
from portal.cases import deadlines as dl
from portal.cases.access import log_event
from portal.cases.checks import Check
from portal.cases.models import Case
from portal.cases.schemas import DecisionIn, ReopenIn
from portal.cases.workflow import _touch, load_for


def _pending_closure(
    session: Session, caller: Caller, case_id: uuid.UUID, action: str, version: int | None
) -> Case:
    case = load_for(session, caller, case_id, action, "approve", version)
    if not case.closure_pending:
        raise Conflict("no closure of this case waits for a decision")
    if case.closure_proposed_by == caller.user_id:
        raise Forbidden(
            "whoever proposed a closure may not approve it",
            resource="case",
            action=action,
            resource_ids=[str(case.id)],
            unit_id=case.hamlet_id,
        )
    return case


def approve_closure(session: Session, caller: Caller, case_id: uuid.UUID, body: DecisionIn) -> Case:
    case = _pending_closure(session, caller, case_id, "approve_closure", body.version)
    check = Check()
    decision = check.text("decision_ref", body.decision_ref, required=False, limit=100)
    check.raise_if_failed()
    now = utcnow()
    log_event(
        session,
        caller,
        case,
        "approve_closure",
        case.status,
        {"reason": case.closure_reason, "decision_ref": decision},
        to_status="closed",
    )
    _touch(case, case.status, "closed")
    case.closed_at, case.closed_by = now, caller.user_id
    dl.cancel_all(session, case.id, now)
    return case


def return_closure(session: Session, caller: Caller, case_id: uuid.UUID, body: DecisionIn) -> Case:
    case = _pending_closure(session, caller, case_id, "return_closure", body.version)
    check = Check()
    comment = check.text("comment", body.comment, limit=4000)
    check.raise_if_failed()
    log_event(
        session,
        caller,
        case,
        "return_closure",
        case.status,
        {"reason": case.closure_reason, "comment": comment},
    )
    _touch(case, case.status)
    case.closure_reason = case.closure_note = None
    case.closure_proposed_at = case.closure_proposed_by = None
    return case


def reopen(session: Session, caller: Caller, case_id: uuid.UUID, body: ReopenIn) -> Case:
    case = load_for(session, caller, case_id, "reopen", "reopen", body.version)
    check = Check()
    reason = check.text("reason", body.reason, limit=4000)
    check.raise_if_failed()
    now = utcnow()
    closed = {
        "reason": case.closure_reason,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
    }
    before = _touch(case, case.status, "received")
    case.closure_reason = case.closure_note = None
    case.closed_at = case.closed_by = case.closure_proposed_at = case.closure_proposed_by = None
    case.reopened_at = now
    dl.open_deadline(session, case.id, "assessment", now + dl.ASSESSMENT_WINDOW)
    dl.open_plan_deadline(session, case.id, now)
    log_event(session, caller, case, "reopen", before, {"reason": reason, "closed": closed})
    return case
