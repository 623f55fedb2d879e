"""The case workflow: which action is possible in which status, and the steps outside the plan.

    received --assess--> assessed --submit plan--> plan_submitted --approve--> in_progress
                            ^   (return with a comment) <---'                     |
                            '------------------- review: new plan <---------------'
    any open status --propose closure (ward officer)--> closure pending --approve (chairman)--> closed
                                                              '--return (chairman)--> as before
    closed --reopen (ward officer, with a reason)--> received (its deadlines open again)

The detailed assessment (form 03, ``portal.cases.detailed``) is recorded once the case is assessed and
before the plan goes for approval, and again while the plan runs when a review needs it.

An action in the wrong status is refused (409) with the statuses it needs and what is possible now.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.errors import Conflict
from portal.cases import deadlines as dl
from portal.cases import notices
from portal.cases.access import (
    awaits_decision,
    check_version,
    get_case,
    log_event,
    require_chair,
    require_manager,
    require_ward_officer,
)
from portal.cases.checks import Check
from portal.cases.models import Case, CaseNote
from portal.cases.people import worker_problem
from portal.cases.reference import EARLY_CLOSURE
from portal.cases.schemas import AssessIn, AssignIn, CloseIn, NoteIn, ProtectIn
from tenancy.models import Unit

OPEN = ("received", "assessed", "plan_submitted", "in_progress")
# action -> statuses it is possible in
ALLOWED: dict[str, tuple[str, ...]] = {
    "assign": OPEN,
    "assess": ("received", "assessed"),
    "detailed_assessment": ("assessed", "in_progress"),
    "protect": ("assessed", "plan_submitted", "in_progress"),
    "draft_plan": ("assessed",),
    "submit_plan": ("assessed",),
    "approve_plan": ("plan_submitted",),
    "return_plan": ("plan_submitted",),
    "update_action": ("in_progress",),
    "review": ("in_progress",),
    "close": OPEN,
    "approve_closure": OPEN,
    "return_closure": OPEN,
    "reopen": ("closed",),
    "refer": OPEN,
    "transfer": OPEN,
    "identify": OPEN,
    "link": (*OPEN, "closed"),
    "note": OPEN,
    "attach": OPEN,
    "grant": OPEN,
}
# Casbin action -> who on the case's side takes it (anything else: the assigned worker or the ward officer)
WARD_ACTIONS = ("assign", "close", "reopen", "refer", "link", "identify")
CHAIR_ACTIONS = ("approve",)


def possible(status: str) -> list[str]:
    return [action for action, statuses in ALLOWED.items() if status in statuses]


def require_status(case: Case, action: str) -> None:
    if case.status not in ALLOWED[action]:
        needs = " or ".join(ALLOWED[action])
        error = Conflict(
            f"cannot {action.replace('_', ' ')}: the case is {case.status}, and this needs it {needs}"
            + (f"; possible now: {', '.join(possible(case.status))}" if case.status != "closed" else "")
        )
        error.extra.update({"status": case.status, "possible_actions": possible(case.status)})
        raise error


def _touch(case: Case, before: str, after: str | None = None) -> str:
    case.updated_at = utcnow()
    if after is not None:
        case.status = after
    return before


def load_for(
    session: Session, caller: Caller, case_id: uuid.UUID, action: str, casbin_action: str, version: int | None
) -> Case:
    """The case, locked, checked for the caller's standing, its version and its status."""
    case = get_case(session, caller, case_id, casbin_action)
    if casbin_action in WARD_ACTIONS:
        require_ward_officer(caller, case, action.replace("_", " "))
    elif casbin_action in CHAIR_ACTIONS:
        require_chair(caller, case, action.replace("_", " "))
        if not awaits_decision(case):  # a case they decided earlier: read-only (row-level security)
            raise Conflict(f"cannot {action.replace('_', ' ')}: nothing in this case waits for a decision")
    else:
        require_manager(caller, case, action.replace("_", " "))
    session.refresh(
        case, with_for_update=True
    )  # after the standing check: FOR UPDATE hides rows from readers
    check_version(case, version)
    require_status(case, action)
    return case


def assign(session: Session, caller: Caller, case_id: uuid.UUID, body: AssignIn) -> Case:
    case = load_for(session, caller, case_id, "assign", "assign", body.version)
    check = Check()
    problem = worker_problem(session, body.user_id, case.unit_path)
    if problem:
        check.fail("user_id", problem, "not_eligible")
    check.raise_if_failed()
    if case.assigned_to == body.user_id:
        return case
    previous = case.assigned_to
    case.assigned_to, case.assigned_at = body.user_id, utcnow()
    log_event(
        session,
        caller,
        case,
        "assign",
        _touch(case, case.status),
        {"user_id": case.assigned_to, "previous": previous},
    )
    return case


def assess(session: Session, caller: Caller, case_id: uuid.UUID, body: AssessIn) -> Case:
    """Form 02. An urgent danger opens the emergency protection deadline (12 hours from receipt)."""
    case = load_for(session, caller, case_id, "assess", "work", body.version)
    check = Check()
    risk = check.code("risk_level", "risk_level", body.risk_level)
    summary = check.text("summary", body.summary)
    check.raise_if_failed()
    now = utcnow()
    before = _touch(case, case.status, "assessed")
    case.risk_level, case.assessment, case.assessed_at, case.assessed_by = risk, summary, now, caller.user_id
    dl.meet(session, case.id, "assessment", now)
    if risk == "urgent" and case.protected_at is None:
        if not [
            d
            for d in dl.deadlines_of(session, case.id)
            if d.step == "emergency_protection" and not d.cancelled_at
        ]:
            dl.open_deadline(session, case.id, "emergency_protection", case.received_at + dl.EMERGENCY_WINDOW)
            hamlet = session.get(Unit, case.hamlet_id)
            commune = session.get(Unit, hamlet.parent_id) if hamlet and hamlet.parent_id else None
            notices.emergency(session, caller, case, commune)
    elif risk != "urgent":
        for d in dl.deadlines_of(session, case.id):
            if d.step == "emergency_protection" and d.met_at is None and d.cancelled_at is None:
                d.cancelled_at = now
    log_event(session, caller, case, "assess", before, {"risk_level": risk})
    return case


def protect(session: Session, caller: Caller, case_id: uuid.UUID, body: ProtectIn) -> Case:
    """Form 07: the emergency measure taken (meets the 12-hour deadline)."""
    case = load_for(session, caller, case_id, "protect", "work", body.version)
    check = Check()
    measure = check.code("measure", "measure", body.measure)
    note = check.text("note", body.note)
    taken_at: datetime = check.moment("taken_at", body.taken_at, not_before=case.received_at)
    check.raise_if_failed()
    before = _touch(case, case.status)
    case.protection_measure, case.protection_note, case.protected_at = measure, note, taken_at
    dl.meet(session, case.id, "emergency_protection", taken_at)
    log_event(session, caller, case, "protect", before, {"measure": measure})
    return case


def close(session: Session, caller: Caller, case_id: uuid.UUID, body: CloseIn) -> Case:
    """The ward officer proposes a closure with a reason; the chairman decides it (``decisions``).

    "child_safe" only after the plan has run (in progress)."""
    case = load_for(session, caller, case_id, "close", "close", body.version)
    if case.closure_pending:
        raise Conflict("a closure of this case already waits for the chairman's decision")
    check = Check()
    reason = check.code("reason", "reason", body.reason)
    note = check.text("note", body.note, required=reason == "other")
    if reason == "child_safe" and case.status != "in_progress":
        check.fail(
            "reason", "child_safe needs an approved plan carried out (the case in progress)", "too_early"
        )
    elif reason is not None and reason not in EARLY_CLOSURE and reason != "child_safe":
        check.fail("reason", "unknown closure reason")
    check.raise_if_failed()
    before = _touch(case, case.status)
    case.closure_reason, case.closure_note = reason, note
    case.closure_proposed_at, case.closure_proposed_by = utcnow(), caller.user_id
    log_event(session, caller, case, "propose_closure", before, {"reason": reason})
    return case


def add_note(session: Session, caller: Caller, case_id: uuid.UUID, body: NoteIn) -> CaseNote:
    case = load_for(session, caller, case_id, "note", "work", None)
    check = Check()
    text_ = check.text("body", body.body)
    check.raise_if_failed()
    assert text_ is not None
    note = CaseNote(
        id=uuid.uuid4(),
        case_id=case.id,
        author_id=caller.user_id,
        author_username=caller.username,
        body=text_,
    )
    session.add(note)
    log_event(session, caller, case, "note", case.status)
    return note
