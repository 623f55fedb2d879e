"""Inspection plans and automated check runs.

A district officer or provincial inspector plans an inspection of units strictly below their own
unit, over whole months that have ended (they read aggregates only), with a team from their unit;
checks run as one Celery task per audited unit (in parallel across workers), each idempotent, with
progress read from the run's rows.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.after_commit import send_after_commit
from infra.clock import today
from infra.errors import Conflict, FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.inspections.access import TEAM_ROLES, plans_for, within
from portal.inspections.facility_targets import audited_facilities
from portal.inspections.models import InspectionPlan, InspectionRun, InspectionTarget, RunTarget, TeamMember
from portal.inspections.schemas import ChecksIn, InspectionPlanIn
from portal.plausible import period_day
from portal.stats.disclosure import aggregate_months
from tenancy.models import Unit

TASK = "tasks.inspections.check_target"
AUDITABLE = ("district", "commune")
MAX_TITLE = 300
MAX_LEGAL_BASIS = 4000
MAX_TEAM = 30


def create_plan(session: Session, caller: Caller, body: InspectionPlanIn) -> InspectionPlan:
    """A plan at the caller's own unit: audited units below it, a team from its staff."""
    authorize_action(caller, "inspection", "plan")
    if caller.unit is None:
        raise Forbidden("your account has no unit to inspect from", resource="inspection", action="plan")
    authorize(caller, "inspection", "plan", caller.unit)
    errors: list[FieldError] = []
    title, legal_basis = body.title, body.legal_basis
    if not title.strip():
        errors.append(FieldError("title", "is required", "required"))
    elif len(title) > MAX_TITLE:
        errors.append(FieldError("title", f"must be at most {MAX_TITLE} characters", "too_long"))
    if legal_basis is not None and len(legal_basis) > MAX_LEGAL_BASIS:
        errors.append(FieldError("legal_basis", f"must be at most {MAX_LEGAL_BASIS} characters", "too_long"))
    start, end = body.period_start, body.period_end
    visit_from, visit_to = body.visit_from, body.visit_to
    if end < start:
        errors.append(FieldError("period_end", "is before period_start"))
    if start > today():
        errors.append(
            FieldError("period_start", "is in the future: inspect a period that has begun", "future")
        )
    if visit_from and visit_to and visit_to < visit_from:
        errors.append(FieldError("visit_to", "is before visit_from"))
    refused = {e.field for e in errors}
    if "period_start" in refused:
        refused.add("period_end")  # a refused start already puts the period in doubt
    days = {"period_start": start, "period_end": end, "visit_from": visit_from, "visit_to": visit_to}
    errors += [e for field, day in days.items() if field not in refused for e in period_day(field, day)]
    if not {e.field for e in errors} & {"period_start", "period_end"}:
        errors += _whole_months(start, end)
    unit_ids = body.unit_ids
    units: list[Unit] = []
    facilities = audited_facilities(session, caller.unit, body.facility_ids, errors)
    if not unit_ids and not body.facility_ids:
        errors.append(FieldError("unit_ids", "must list the audited units' ids", "required"))
    elif unit_ids:
        found = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
        for uid in unit_ids:
            unit = found.get(uid)
            if unit is None:
                errors.append(FieldError("unit_ids", f"no unit has id {uid}", "unknown"))
            elif unit.level not in AUDITABLE or unit.id == caller.unit.id or not within(unit, caller.unit):
                errors.append(
                    FieldError(
                        "unit_ids",
                        f"{unit.name} is not a district or commune below {caller.unit.name}",
                        "outside",
                    )
                )
            else:
                units.append(unit)
    team = _team(session, caller, body.team, errors)
    if errors:
        raise ValidationFailed(errors)
    plan = InspectionPlan(
        title=title.strip(),
        inspecting_unit_id=caller.unit.id,
        period_start=start,
        period_end=end,
        visit_from=visit_from,
        visit_to=visit_to,
        legal_basis=legal_basis,
        status="planned",
        salt=uuid.uuid4(),
        created_by=caller.user_id,
    )
    session.add(plan)
    session.flush()
    session.add_all(InspectionTarget(plan_id=plan.id, unit_id=u.id) for u in dict.fromkeys(units))
    session.add_all(
        InspectionTarget(plan_id=plan.id, unit_id=f.unit_id, facility_id=f.id) for f in facilities
    )
    session.add_all(TeamMember(plan_id=plan.id, user_id=u.id, lead=u.id == caller.user_id) for u in team)
    audit(
        caller.actor,
        "plan",
        "inspection",
        "allowed",
        resource_ids=[plan.id],
        unit_id=caller.unit.id,
        detail={
            "units": [u.id for u in units],
            "facilities": [f.id for f in facilities],
            "team": [u.username for u in team],
        },
    )
    return plan


def _whole_months(start: date, end: date) -> list[FieldError]:
    """The period's refusals under the disclosure policy's time grain: the planners (district officers,
    inspectors) read aggregates only, so the evidence covers whole months that have ended."""
    try:
        aggregate_months("period_start", start, "period_end", end)
    except ValidationFailed as refused:
        return refused.errors
    return []


def _team(session: Session, caller: Caller, names: list[str], errors: list[FieldError]) -> list[User]:
    if len(names) > MAX_TEAM:
        errors.append(FieldError("team", f"must have at most {MAX_TEAM} members", "too_many"))
        return []
    assert caller.unit is not None
    users = list(session.scalars(select(User).where(User.username.in_(set(names) | {caller.username}))))
    known = {u.username for u in users}
    for name in names:
        if name not in known:
            errors.append(FieldError("team", f"no account {name!r}", "unknown"))
    for user in users:
        if user.unit_id is None or user.role not in TEAM_ROLES or not user.is_active:
            errors.append(FieldError("team", f"{user.username} is not an active officer", "not_officer"))
            continue
        unit = session.get(Unit, user.unit_id)
        if unit is None or not within(unit, caller.unit):
            errors.append(
                FieldError("team", f"{user.username} is not staff of {caller.unit.name}", "outside")
            )
    return users


def list_plans(session: Session, caller: Caller) -> list[InspectionPlan]:
    """The plans the caller takes part in or is audited by, latest period first."""
    authorize_action(caller, "inspection", "read")
    stmt = plans_for(caller).order_by(InspectionPlan.period_end.desc(), InspectionPlan.id.desc())
    return list(session.scalars(stmt))


def get_plan(session: Session, caller: Caller, plan_id: int, action: str = "read") -> InspectionPlan:
    authorize_action(caller, "inspection", action)
    plan = session.scalars(plans_for(caller).where(InspectionPlan.id == plan_id)).one_or_none()
    if plan is None:
        raise NotVisible("inspection not found", resource="inspection", action=action, resource_ids=[plan_id])
    if action == "read":  # the plan is shown with its checks' evidence (counts, anonymous ids)
        audit_aggregate(
            caller,
            "inspection",
            plan.inspecting_unit_id,
            {"period_start": plan.period_start, "period_end": plan.period_end, "status": plan.status},
            resource_ids=[plan.id],
        )
    return plan


def require_inspector(session: Session, caller: Caller, plan: InspectionPlan, action: str) -> Unit:
    """The inspecting side only: staff of the inspecting unit (whose scope covers it)."""
    unit = session.get(Unit, plan.inspecting_unit_id)
    assert unit is not None
    authorize(caller, "inspection", action, unit)
    if caller.unit is None or caller.unit.id != unit.id:
        raise Forbidden(
            f"only the staff of {unit.name} may {action} in this inspection",
            resource="inspection",
            action=action,
            unit_id=unit.id,
        )
    return unit


def start_checks(session: Session, caller: Caller, plan_id: int, body: ChecksIn) -> InspectionRun:
    """Queue the checks of one audited unit (``unit_id``) or of all of them, one task each."""
    plan = get_plan(session, caller, plan_id, "check")
    require_inspector(session, caller, plan, "check")
    # a facility has no automated checklist: its inspection is the team's findings
    targets = list(
        session.scalars(
            select(InspectionTarget).where(
                InspectionTarget.plan_id == plan.id, InspectionTarget.facility_id.is_(None)
            )
        )
    )
    if body.unit_id is not None:
        targets = [t for t in targets if t.unit_id == body.unit_id]
        if not targets:
            raise ValidationFailed([FieldError("unit_id", "is not audited by this inspection", "unknown")])
    run = InspectionRun(plan_id=plan.id, requested_by=caller.user_id)
    session.add(run)
    session.flush()
    session.add_all(RunTarget(run_id=run.id, target_id=t.id, status="queued") for t in targets)
    if plan.status == "planned":
        plan.status = "in_progress"
    for t in targets:
        send_after_commit(session, TASK, run.id, t.id, caller.user_id)
    audit(
        caller.actor,
        "check",
        "inspection",
        "allowed",
        resource_ids=[plan.id],
        detail={"run": run.id, "targets": len(targets)},
    )
    return run


def run_progress(session: Session, caller: Caller, run_id: int) -> dict[str, Any]:
    """How far a check run is (the shape of ``portal.inspections.responses.RunProgressOut``)."""
    authorize_action(caller, "inspection", "read")
    run = session.get(InspectionRun, run_id)
    if run is None:
        raise NotVisible("check run not found", resource="inspection", action="read", resource_ids=[run_id])
    counts = dict(
        session.execute(
            select(RunTarget.status, func.count())
            .where(RunTarget.run_id == run.id)
            .group_by(RunTarget.status)
        )
        .tuples()
        .all()
    )
    total = sum(counts.values())
    finished = counts.get("done", 0) + counts.get("failed", 0)
    return {
        "id": run.id,
        "plan_id": run.plan_id,
        "total": total,
        "done": counts.get("done", 0),
        "failed": counts.get("failed", 0),
        "progress": round(finished / total, 3) if total else 1.0,
        "status": "done" if finished == total else "running",
    }


def close_plan(session: Session, caller: Caller, plan_id: int) -> InspectionPlan:
    plan = get_plan(session, caller, plan_id, "plan")
    require_inspector(session, caller, plan, "plan")
    if plan.status == "closed":
        raise Conflict("the inspection is closed already")
    plan.status = "closed"
    audit(caller.actor, "close", "inspection", "allowed", resource_ids=[plan.id])
    return plan
