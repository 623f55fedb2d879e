"""Cases as JSON. The informant never appears here (see ``service.informant``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from portal.auth.models import User
from portal.cases import deadlines as dl
from portal.cases.access import is_chair_of, is_manager, is_ward_officer_of, receives, sends
from portal.cases.attachments import attachments_of
from portal.cases.crossing import referrals_of
from portal.cases.crossing_models import CaseReferral
from portal.cases.grants import grants_of
from portal.cases.links import links_of
from portal.cases.models import (
    Case,
    CaseAlert,
    CaseAttachment,
    CaseDeadline,
    CaseEvent,
    CaseNote,
    CasePlan,
)
from portal.cases.plans import plan_actions
from portal.cases.view_steps import steps_json
from portal.cases.workflow import ALLOWED
from tenancy.models import Unit

WARD_ONLY = {"assign", "close", "grant", "reopen", "refer", "transfer", "link", "identify"}
CHAIR_ONLY = ("approve_plan", "return_plan", "approve_closure", "return_closure")


def _t(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def people_by_id(session: Session, ids: set[int | None]) -> dict[int, dict[str, Any]]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.username, User.full_name, User.role).where(User.id.in_(wanted))
    )
    return {
        r.id: {"id": r.id, "username": r.username, "full_name": r.full_name, "role": r.role} for r in rows
    }


def deadline_json(d: CaseDeadline, now: datetime) -> dict[str, Any]:
    open_ = d.met_at is None and d.cancelled_at is None
    return {
        "step": d.step,
        "due_at": _t(d.due_at),
        "met_at": _t(d.met_at),
        "cancelled_at": _t(d.cancelled_at),
        "overdue": (open_ and now >= d.due_at) or (d.met_at is not None and d.met_at > d.due_at),
        "escalation_level": dl.level_at(d.due_at, now) if open_ else 0,
    }


def summary_json(case: Case, people: dict[int, dict[str, Any]], next_due: datetime | None) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "reference": case.reference,
        "status": case.status,
        "case_type": case.case_type,
        "channel": case.channel,
        "received_at": _t(case.received_at),
        "risk_level": case.risk_level,
        "hamlet_id": case.hamlet_id,
        "child": {
            "id": str(case.child_id) if case.child_id else None,
            "full_name": case.child_name,
            "date_of_birth": case.child_date_of_birth.isoformat(),
            "sex": case.child_sex,
            "age_estimated": case.child_age_estimated,
        },
        "assigned_to": people.get(case.assigned_to) if case.assigned_to else None,
        "next_due_at": _t(next_due),
        "version": case.version,
    }


def allowed_actions(caller: Caller, case: Case, has_draft: bool = True) -> list[str]:
    """What the caller may do next, for the UI (the services check again). ``has_draft``: a plan is
    written and not yet submitted (nothing to submit before)."""
    if is_chair_of(caller, case):
        return [a for a in CHAIR_ONLY if a in possible_now(case)]
    if not is_manager(caller, case):
        return []
    ward = is_ward_officer_of(caller, case)
    return [
        a
        for a in possible_now(case)
        if (a != "submit_plan" or has_draft)
        and a not in CHAIR_ONLY
        and (ward or a not in WARD_ONLY)
        and (a != "identify" or ward)
    ]


def possible_now(case: Case) -> list[str]:
    """The actions the case's state allows (status, a pending closure, an unidentified child)."""
    actions = [a for a, statuses in ALLOWED.items() if case.status in statuses]
    skip = {"approve_closure", "return_closure"} if not case.closure_pending else {"close"}
    if case.child_id is not None:
        skip.add("identify")
    return [a for a in actions if a not in skip]


def case_json(session: Session, caller: Caller, case: Case) -> dict[str, Any]:
    now = utcnow()
    deadlines = dl.deadlines_of(session, case.id)
    plans = list(
        session.scalars(select(CasePlan).where(CasePlan.case_id == case.id).order_by(CasePlan.number))
    )
    notes = list(
        session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.created_at))
    )
    events = list(
        session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at))
    )
    ward = is_ward_officer_of(caller, case)
    grants = grants_of(session, case.id) if ward else []
    people = people_by_id(session, {case.assigned_to, *(g.user_id for g in grants)})
    open_due = [d.due_at for d in deadlines if d.met_at is None and d.cancelled_at is None]
    return {
        **summary_json(case, people, min(open_due) if open_due else None),
        "place": case.place,
        "description": case.description,
        "family_situation": case.family_situation,
        "caregiver": case.caregiver,
        "actions_taken": case.actions_taken,
        "assessment": {
            "risk_level": case.risk_level,
            "summary": case.assessment,
            "at": _t(case.assessed_at),
        }
        if case.assessed_at
        else None,
        "protection": {
            "measure": case.protection_measure,
            "note": case.protection_note,
            "at": _t(case.protected_at),
        }
        if case.protected_at
        else None,
        "closure": {
            "reason": case.closure_reason,
            "note": case.closure_note,
            "at": _t(case.closed_at),
            "pending": case.closure_pending,
            "proposed_at": _t(case.closure_proposed_at),
        }
        if case.closure_proposed_at or case.closed_at
        else None,
        "deadlines": [deadline_json(d, now) for d in deadlines],
        "plans": [plan_json(session, p) for p in plans],
        **steps_json(session, case),
        "notes": [
            {"id": str(n.id), "author": n.author_username, "body": n.body, "at": _t(n.created_at)}
            for n in notes
        ],
        "attachments": [attachment_json(a) for a in attachments_of(session, case.id)],
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor_username,
                "at": _t(e.at),
                "detail": e.detail,
            }
            for e in events
        ],
        "grants": [
            {
                "id": str(g.id),
                "user": people.get(g.user_id),
                "reason": g.reason,
                "granted_at": _t(g.granted_at),
                "revoked_at": _t(g.revoked_at),
            }
            for g in grants
        ],
        "referrals": referrals_json(session, caller, referrals_of(session, case.id), lambda _r: True),
        "links": links_of(session, case.id),
        "created_at": _t(case.created_at),
        "updated_at": _t(case.updated_at),
        "allowed_actions": allowed_actions(caller, case, any(p.status == "draft" for p in plans)),
    }


def plan_json(session: Session, plan: CasePlan) -> dict[str, Any]:
    return {
        "id": str(plan.id),
        "number": plan.number,
        "status": plan.status,
        "goals": plan.goals,
        "review_on": plan.review_on.isoformat(),
        "submitted_at": _t(plan.submitted_at),
        "approved_at": _t(plan.approved_at),
        "decision_ref": plan.decision_ref,
        "return_comment": plan.return_comment,
        "actions": [
            {
                "id": str(a.id),
                "description": a.description,
                "owner": a.owner,
                "due_on": a.due_on.isoformat(),
                "status": a.status,
                "result": a.result,
                "completed_at": _t(a.completed_at),
            }
            for a in plan_actions(session, plan.id)
        ],
    }


def attachment_json(a: CaseAttachment) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "filename": a.filename,
        "content_type": a.content_type,
        "size_bytes": a.size_bytes,
        "sha256": a.sha256,
        "uploaded_at": _t(a.uploaded_at),
    }


def alert_json(a: CaseAlert) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "case_id": str(a.case_id),
        "reference": a.reference,
        "unit_id": a.unit_id,
        "step": a.step,
        "level": a.level,
        "due_at": _t(a.due_at),
        "message": a.message,
        "created_at": _t(a.created_at),
        "read_at": _t(a.read_at),
    }


def referrals_json(
    session: Session, caller: Caller, rows: Sequence[CaseReferral], shows_case: Callable[[CaseReferral], bool]
) -> list[dict[str, Any]]:
    """Referrals and transfers, their communes read in one query; a row's case id only where
    ``shows_case`` says the caller reads the case (a transfer's stub: not)."""
    ids = {u for r in rows for u in (r.from_unit_id, r.to_unit_id) if u is not None}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    return [_referral(caller, r, units, shows_case(r)) for r in rows]


def _referral(caller: Caller, r: CaseReferral, units: dict[int, Unit], case_visible: bool) -> dict[str, Any]:
    to_unit = units.get(r.to_unit_id) if r.to_unit_id else None
    return {
        "id": str(r.id),
        "case_id": str(r.case_id) if case_visible else None,
        "reference": r.reference,
        "kind": r.kind,
        "from_unit": units[r.from_unit_id].name_ref(),
        "to_unit": to_unit.name_ref() if to_unit else None,
        "to_hamlet_id": r.to_hamlet_id,
        "service": r.service,
        "service_name": r.service_name,
        "reason": r.reason,
        "state": r.state,
        "opened_at": _t(r.opened_at),
        "decided_at": _t(r.decided_at),
        "response": r.response,
        "your_side": "receiver" if receives(caller, r) else "sender" if sends(caller, r) else None,
    }
