"""A plan's activities (what, by whom, by when), their dated progress notes, and the progress view of a
level: every activity of the plans of its area, overdue first. Never commits.

The plan's unit writes its activities; the plan's unit and the activity's owner unit (a unit below, such
as a ward for a district plan) report progress; every level above reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from msgspec import UNSET
from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session, aliased

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today, utcnow
from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.plans import text as checks
from portal.plans.access import below, visible_activity, visible_plans, within
from portal.plans.documents import RESOURCE, get_plan
from portal.plans.models import ActivityNote, Plan, PlanActivity
from portal.plans.schemas import ActivityIn, ActivityPatch, ProgressIn
from tenancy.models import Unit

STATUSES = ("not_started", "in_progress", "done", "cancelled")
OPEN = ("not_started", "in_progress")
MAX_ACTIVITIES = 200


def is_overdue(activity: PlanActivity, on: date | None = None) -> bool:
    """Past its deadline and neither done nor cancelled."""
    return activity.status in OPEN and activity.deadline < (on or today())


def _owner(
    session: Session, plan_unit: Unit, unit_id: int | None, office: str | None, errors: list[FieldError]
) -> tuple[int | None, str | None]:
    name = checks.line("owner_office", office, errors, 200)
    if unit_id is None:
        if name is None:
            errors.append(FieldError("owner_unit_id", "give the owner unit or the owner office", "required"))
        return None, name
    unit = session.get(Unit, unit_id)
    if unit is None or not within(unit, plan_unit) or unit.valid_to is not None:
        errors.append(FieldError("owner_unit_id", "must be the plan's unit or a unit below it", "outside"))
        return None, name
    return unit.id, name


def _audit(caller: Caller, action: str, activity: PlanActivity, unit_id: int, **detail: object) -> None:
    audit(
        caller.actor,
        action,
        RESOURCE,
        "allowed",
        resource_ids=[activity.plan_id, activity.id],
        unit_id=unit_id,
        detail=dict(detail),
    )


def add_activity(session: Session, caller: Caller, plan_id: int, body: ActivityIn) -> PlanActivity:
    """An activity of a plan of the caller's own unit."""
    plan, unit = get_plan(session, caller, plan_id, "update")
    errors: list[FieldError] = []
    title = checks.line("title", body.title, errors, 500, required=True)
    deadline = checks.day("deadline", body.deadline, errors)
    owner_unit_id, office = _owner(session, unit, body.owner_unit_id, body.owner_office, errors)
    count = len(session.scalars(select(PlanActivity.id).where(PlanActivity.plan_id == plan.id)).all())
    if count >= MAX_ACTIVITIES:
        errors.append(FieldError("title", f"a plan holds at most {MAX_ACTIVITIES} activities", "too_many"))
    if errors:
        raise ValidationFailed(errors)
    activity = PlanActivity(
        plan_id=plan.id,
        title=title or "",
        owner_unit_id=owner_unit_id,
        owner_office=office,
        deadline=deadline,
        created_by=caller.user_id,
    )
    session.add(activity)
    session.flush()
    _audit(caller, "add_activity", activity, unit.id, title=activity.title, deadline=deadline.isoformat())
    return activity


def get_activity(session: Session, caller: Caller, activity_id: int) -> tuple[PlanActivity, Plan, Unit]:
    """An activity the caller reads (its plan, or its owner unit is theirs): 404 otherwise."""
    authorize_action(caller, RESOURCE, "read")
    row = session.execute(visible_activity(caller, activity_id)).tuples().one_or_none()
    if row is None:
        raise NotVisible("activity not found", resource=RESOURCE, action="read", resource_ids=[activity_id])
    return row


def update_activity(
    session: Session, caller: Caller, activity_id: int, changes: ActivityPatch
) -> PlanActivity:
    activity, plan, _unit = get_activity(session, caller, activity_id)
    _plan, unit = get_plan(session, caller, plan.id, "update")
    errors: list[FieldError] = []
    if changes.title is not UNSET:
        activity.title = checks.line("title", changes.title, errors, 500, required=True) or activity.title
    if changes.deadline is not UNSET:
        activity.deadline = checks.day("deadline", changes.deadline, errors)
    if changes.owner_unit_id is not UNSET or changes.owner_office is not UNSET:
        unit_id = activity.owner_unit_id if changes.owner_unit_id is UNSET else changes.owner_unit_id
        office = activity.owner_office if changes.owner_office is UNSET else changes.owner_office
        activity.owner_unit_id, activity.owner_office = _owner(session, unit, unit_id, office, errors)
    if errors:
        raise ValidationFailed(errors)
    activity.updated_at = utcnow()
    _audit(caller, "update_activity", activity, unit.id, title=activity.title)
    return activity


def _status(body: ProgressIn, errors: list[FieldError]) -> str:
    if body.status is None:
        return "done" if body.progress == 100 else "in_progress" if body.progress > 0 else "not_started"
    if body.status not in STATUSES:
        errors.append(FieldError("status", f"must be one of {', '.join(STATUSES)}", "not_listed"))
    elif body.status == "done" and body.progress != 100:
        errors.append(FieldError("progress", "an activity done is 100% done", "invalid"))
    return body.status


def record_progress(session: Session, caller: Caller, activity_id: int, body: ProgressIn) -> PlanActivity:
    """A dated progress note by the plan's unit or the activity's owner unit; it sets the activity's
    status and percent done."""
    activity, plan, unit = get_activity(session, caller, activity_id)
    here = caller.unit
    if here is None or here.id not in (plan.unit_id, activity.owner_unit_id):
        raise Forbidden(
            "only the plan's unit or the activity's owner unit reports its progress",
            resource=RESOURCE,
            action="progress",
            unit_id=unit.id,
        )
    authorize(caller, RESOURCE, "progress", here)
    errors: list[FieldError] = []
    if not 0 <= body.progress <= 100:
        errors.append(FieldError("progress", "must be a percentage from 0 to 100", "not_percentage"))
    status = _status(body, errors)
    text = checks.free("text", body.text, errors, required=True)
    noted_on = checks.day("noted_on", body.noted_on or today(), errors, future=False)
    if errors:
        raise ValidationFailed(errors)
    activity.status, activity.progress, activity.updated_at = status, body.progress, utcnow()
    session.add(
        ActivityNote(
            activity_id=activity.id,
            noted_on=noted_on,
            status=status,
            progress=body.progress,
            text=text or "",
            actor_id=caller.user_id,
            actor_username=caller.username,
        )
    )
    session.flush()
    _audit(caller, "progress", activity, here.id, status=status, progress=body.progress)
    return activity


def activities_of(session: Session, plan_id: int) -> list[tuple[PlanActivity, Unit | None]]:
    """A plan's activities (the plan was read through the access rule), by deadline."""
    stmt = (
        select(PlanActivity, Unit)
        .outerjoin(Unit, Unit.id == PlanActivity.owner_unit_id)
        .where(PlanActivity.plan_id == plan_id)
        .order_by(PlanActivity.deadline, PlanActivity.id)
    )
    return list(session.execute(stmt).tuples())


def notes_of(session: Session, activity_ids: list[int]) -> dict[int, list[ActivityNote]]:
    """Each activity's progress notes, newest first."""
    out: dict[int, list[ActivityNote]] = {}
    if not activity_ids:
        return out
    stmt = (
        select(ActivityNote)
        .where(ActivityNote.activity_id.in_(activity_ids))
        .order_by(ActivityNote.noted_on.desc(), ActivityNote.id.desc())
    )
    for note in session.scalars(stmt):
        out.setdefault(note.activity_id, []).append(note)
    return out


@dataclass(frozen=True)
class ProgressRow:
    """One activity in a level's progress view."""

    activity: PlanActivity
    plan: Plan
    unit: Unit
    owner: Unit | None
    overdue: bool


def progress_view(session: Session, caller: Caller, unit: Unit, year: int) -> list[ProgressRow]:
    """Every activity of the plans of ``unit`` and the units below it for ``year``: overdue ones first
    (the oldest deadline first), then open ones by deadline, then the done and cancelled."""
    authorize(caller, RESOURCE, "read", unit)
    errors: list[FieldError] = []
    checks.year("year", year, errors)
    if errors:
        raise ValidationFailed(errors)
    owner = aliased(Unit)
    on = today()
    late = and_(PlanActivity.status.in_(OPEN), PlanActivity.deadline < on)
    rank = case((late, 0), (PlanActivity.status.in_(OPEN), 1), else_=2)
    stmt = (
        visible_plans(caller)
        .add_columns(PlanActivity, owner)
        .join(PlanActivity, PlanActivity.plan_id == Plan.id)
        .outerjoin(owner, owner.id == PlanActivity.owner_unit_id)
        .where(below(unit), Plan.year == year)
        .order_by(rank, PlanActivity.deadline, Unit.path, PlanActivity.id)
        .limit(2000)
    )
    return [
        ProgressRow(activity, plan, plan_unit, owner_unit, is_overdue(activity, on))
        for plan, plan_unit, activity, owner_unit in session.execute(stmt).tuples()
    ]
