"""Steering committees (Ban chỉ đạo công tác trẻ em) of a province, district or commune: the decision that
established it, its members (officials: name, position, head, deputy or member) and its meetings with
agenda, conclusions and who attended. Never commits.

The unit's own officers keep its committee; the levels above read it (``portal.plans.access``).
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize_action
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.plans import text as checks
from portal.plans.access import visible_committees
from portal.plans.documents import own_unit
from portal.plans.models import CommitteeMeeting, CommitteeMember, MeetingAttendance, SteeringCommittee
from portal.plans.schemas import CommitteeIn, CommitteePatch, MeetingIn, MemberIn, MemberLeave
from tenancy.models import Unit

RESOURCE = "committee"
ROLES = ("head", "deputy", "member")
MAX_MEMBERS = 60


def _audit(caller: Caller, action: str, committee: SteeringCommittee, *ids: int, **detail: Any) -> None:
    audit(
        caller.actor,
        action,
        RESOURCE,
        "allowed",
        resource_ids=[committee.id, *ids],
        unit_id=committee.unit_id,
        detail=detail,
    )


def create_committee(session: Session, caller: Caller, body: CommitteeIn) -> tuple[SteeringCommittee, Unit]:
    """A committee of the caller's own unit, as its establishing decision says."""
    unit = own_unit(session, caller, body.unit_id, "create", RESOURCE)
    errors: list[FieldError] = []
    committee = SteeringCommittee(
        unit_id=unit.id,
        name=checks.line("name", body.name, errors, 300, required=True) or "",
        decision_number=checks.line("decision_number", body.decision_number, errors, 40, required=True) or "",
        decision_on=checks.day("decision_on", body.decision_on, errors, future=False),
        issuing_body=checks.line("issuing_body", body.issuing_body, errors, 200, required=True) or "",
        created_by=caller.user_id,
    )
    if errors:
        raise ValidationFailed(errors)
    session.add(committee)
    session.flush()
    _audit(caller, "create", committee, decision=committee.decision_number)
    return committee, unit


def get_committee(
    session: Session, caller: Caller, committee_id: int, action: str = "read"
) -> tuple[SteeringCommittee, Unit]:
    """A committee the caller reads (404 otherwise); to change it, the caller must be of its unit (403)."""
    authorize_action(caller, RESOURCE, "read")
    stmt = visible_committees(caller).where(SteeringCommittee.id == committee_id)
    row = session.execute(stmt).tuples().one_or_none()
    if row is None:
        raise NotVisible("committee not found", resource=RESOURCE, action=action, resource_ids=[committee_id])
    committee, unit = row
    if action != "read":
        own_unit(session, caller, unit.id, action, RESOURCE)
    return committee, unit


def update_committee(
    session: Session, caller: Caller, committee_id: int, changes: CommitteePatch
) -> SteeringCommittee:
    """Correct the decision's details, or record the day the committee ended (a new decision replaced it)."""
    committee, _unit = get_committee(session, caller, committee_id, "update")
    errors: list[FieldError] = []
    if changes.name is not UNSET:
        committee.name = checks.line("name", changes.name, errors, 300, required=True) or committee.name
    if changes.decision_number is not UNSET:
        number = checks.line("decision_number", changes.decision_number, errors, 40, required=True)
        committee.decision_number = number or committee.decision_number
    if changes.decision_on is not UNSET:
        committee.decision_on = checks.day("decision_on", changes.decision_on, errors, future=False)
    if changes.issuing_body is not UNSET:
        body = checks.line("issuing_body", changes.issuing_body, errors, 200, required=True)
        committee.issuing_body = body or committee.issuing_body
    if changes.ended_on is not UNSET:
        ended = changes.ended_on
        if ended is not None:
            checks.day("ended_on", ended, errors, future=False)
            if ended < committee.decision_on:
                errors.append(FieldError("ended_on", "is before the decision's date", "range"))
        committee.ended_on = ended
    if errors:
        raise ValidationFailed(errors)
    _audit(
        caller, "update", committee, ended_on=committee.ended_on.isoformat() if committee.ended_on else None
    )
    return committee


def list_committees(
    session: Session, caller: Caller, unit_id: int | None = None
) -> list[tuple[SteeringCommittee, Unit]]:
    """Committees of the caller's area (of one unit when given), current ones first, newest decision first."""
    authorize_action(caller, RESOURCE, "read")
    stmt = visible_committees(caller)
    if unit_id is not None:
        stmt = stmt.where(SteeringCommittee.unit_id == unit_id)
    stmt = stmt.order_by(
        Unit.path, SteeringCommittee.ended_on.is_not(None), SteeringCommittee.decision_on.desc()
    ).limit(500)
    return list(session.execute(stmt).tuples())


def add_member(session: Session, caller: Caller, committee_id: int, body: MemberIn) -> CommitteeMember:
    committee, _unit = get_committee(session, caller, committee_id, "update")
    errors: list[FieldError] = []
    full_name = checks.line("full_name", body.full_name, errors, 120, required=True)
    position = checks.line("position", body.position, errors, 200, required=True)
    if body.role not in ROLES:
        errors.append(FieldError("role", "must be head, deputy or member", "not_listed"))
    present = members(session, committee.id)
    if len(present) >= MAX_MEMBERS:
        errors.append(FieldError("full_name", f"a committee has at most {MAX_MEMBERS} members", "too_many"))
    if errors:
        raise ValidationFailed(errors)
    member = CommitteeMember(
        committee_id=committee.id, full_name=full_name or "", position=position or "", role=body.role
    )
    session.add(member)
    session.flush()
    _audit(caller, "add_member", committee, member.id, role=body.role)
    return member


def member_leaves(
    session: Session, caller: Caller, committee_id: int, member_id: int, body: MemberLeave
) -> CommitteeMember:
    """A member leaves the committee (kept in its history, no longer offered at meetings)."""
    committee, _unit = get_committee(session, caller, committee_id, "update")
    member = session.get(CommitteeMember, member_id)
    if member is None or member.committee_id != committee.id:
        raise NotVisible("member not found", resource=RESOURCE, action="update", resource_ids=[member_id])
    errors: list[FieldError] = []
    checks.day("left_on", body.left_on, errors, future=False)
    if body.left_on < committee.decision_on:
        errors.append(FieldError("left_on", "is before the decision's date", "range"))
    if errors:
        raise ValidationFailed(errors)
    member.left_on = body.left_on
    _audit(caller, "member_left", committee, member.id)
    return member


def members(session: Session, committee_id: int) -> list[CommitteeMember]:
    """A committee's members: head, deputies, members; those who left last."""
    order = {role: i for i, role in enumerate(ROLES)}
    found = session.scalars(select(CommitteeMember).where(CommitteeMember.committee_id == committee_id))
    return sorted(found, key=lambda m: (m.left_on is not None, order.get(m.role, 9), m.id))


def add_meeting(session: Session, caller: Caller, committee_id: int, body: MeetingIn) -> CommitteeMeeting:
    """A meeting with its agenda and conclusions; ``attended`` are members on the committee that day."""
    committee, _unit = get_committee(session, caller, committee_id, "update")
    errors: list[FieldError] = []
    held_on = checks.day("held_on", body.held_on, errors, future=False)
    if held_on < committee.decision_on:
        errors.append(FieldError("held_on", "is before the committee was established", "range"))
    agenda = checks.free("agenda", body.agenda, errors, required=True)
    conclusions = checks.free("conclusions", body.conclusions, errors, 8000)
    guests = checks.line("guests", body.guests, errors, 500)
    on_committee = {m.id for m in members(session, committee.id) if m.left_on is None or m.left_on > held_on}
    attended = list(dict.fromkeys(body.attended))
    for i, member_id in enumerate(attended):
        if member_id not in on_committee:
            errors.append(
                FieldError(f"attended[{i}]", "is not a member of the committee that day", "unknown")
            )
    if errors:
        raise ValidationFailed(errors)
    meeting = CommitteeMeeting(
        committee_id=committee.id,
        held_on=held_on,
        agenda=agenda or "",
        conclusions=conclusions,
        guests=guests,
        created_by=caller.user_id,
    )
    session.add(meeting)
    session.flush()
    session.add_all([MeetingAttendance(meeting_id=meeting.id, member_id=m) for m in attended])
    session.flush()
    _audit(caller, "add_meeting", committee, meeting.id, held_on=held_on.isoformat(), attended=len(attended))
    return meeting


def meetings(session: Session, committee_id: int) -> list[tuple[CommitteeMeeting, list[int]]]:
    """A committee's meetings, newest first, each with the ids of the members who attended."""
    found = list(
        session.scalars(
            select(CommitteeMeeting)
            .where(CommitteeMeeting.committee_id == committee_id)
            .order_by(CommitteeMeeting.held_on.desc(), CommitteeMeeting.id.desc())
        )
    )
    present: dict[int, list[int]] = {}
    if found:
        rows = session.execute(
            select(MeetingAttendance.meeting_id, MeetingAttendance.member_id).where(
                MeetingAttendance.meeting_id.in_([m.id for m in found])
            )
        ).tuples()
        for meeting_id, member_id in rows:
            present.setdefault(meeting_id, []).append(member_id)
    return [(m, sorted(present.get(m.id, []))) for m in found]
