"""What the plan and committee pages offer: who may write which form, the units an activity may be
owned by or a progress view may show, and a plan as form values. The services decide again on every write."""

from __future__ import annotations

from authz.caller import Caller
from authz.enforcer import allowed
from portal.plans.documents import PLAN_LEVELS
from portal.plans.models import Plan, SteeringCommittee
from portal.web.i18n import fmt_date
from tenancy.models import Unit

PLAN_FORM = ("year", "number", "issued_on", "title", "issuing_body", "summary")
ACTIVITY_FORM = ("title", "owner_unit_id", "owner_office", "deadline")
PROGRESS_FORM = ("progress", "status", "text", "noted_on")
COMMITTEE_FORM = ("name", "decision_number", "decision_on", "issuing_body")
MEMBER_FORM = ("full_name", "position", "role")
MEETING_FORM = ("held_on", "agenda", "conclusions", "guests")


def keeps(caller: Caller, resource: str, action: str, unit: Unit | None = None) -> bool:
    """May the caller write ``resource`` (plan, committee) of ``unit`` (their own unit when None)?"""
    here = caller.unit
    if here is None or here.level not in PLAN_LEVELS or not allowed(caller.role, resource, action):
        return False
    return unit is None or unit.id == here.id


def reports_progress(caller: Caller, plan: Plan, owner_unit_id: int | None) -> bool:
    """The plan's unit and the activity's owner unit report its progress."""
    here = caller.unit
    return (
        here is not None
        and allowed(caller.role, "plan", "progress")
        and here.id in (plan.unit_id, owner_unit_id)
    )


def plan_values(plan: Plan) -> dict[str, str]:
    return {
        "year": str(plan.year),
        "number": plan.number,
        "issued_on": fmt_date(plan.issued_on),
        "title": plan.title,
        "issuing_body": plan.issuing_body,
        "summary": plan.summary or "",
    }


def committee_values(committee: SteeringCommittee) -> dict[str, str]:
    return {
        "name": committee.name,
        "decision_number": committee.decision_number,
        "decision_on": fmt_date(committee.decision_on),
        "issuing_body": committee.issuing_body,
        "ended_on": fmt_date(committee.ended_on) if committee.ended_on else "",
    }
