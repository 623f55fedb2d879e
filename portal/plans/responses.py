"""Shapes of the plans and steering committees API's answers (every key always present)."""

from __future__ import annotations

from datetime import date

import msgspec
from sqlalchemy.orm import Session

from portal.plans.activities import ProgressRow, activities_of, is_overdue, notes_of
from portal.plans.committees import meetings, members
from portal.plans.models import ActivityNote, CommitteeMember, Plan, PlanActivity, SteeringCommittee
from portal.reports.dashboard import targets_for
from portal.reports.responses import UnitRef
from portal.reports.service import targets
from tenancy.models import Unit


def unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(id=unit.id, code=unit.code, name=unit.name, level=unit.level, path=unit.path)


class NoteOut(msgspec.Struct, forbid_unknown_fields=True):
    noted_on: date
    status: str
    progress: int
    text: str
    by: str | None

    @classmethod
    def of(cls, note: ActivityNote) -> NoteOut:
        return cls(note.noted_on, note.status, note.progress, note.text, note.actor_username)


class ActivityOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    plan_id: int
    title: str
    owner_unit: UnitRef | None
    owner_office: str | None
    deadline: date
    status: str
    progress: int
    overdue: bool
    notes: list[NoteOut]

    @classmethod
    def of(cls, activity: PlanActivity, owner: Unit | None, notes: list[ActivityNote]) -> ActivityOut:
        return cls(
            id=activity.id,
            plan_id=activity.plan_id,
            title=activity.title,
            owner_unit=unit_ref(owner) if owner else None,
            owner_office=activity.owner_office,
            deadline=activity.deadline,
            status=activity.status,
            progress=activity.progress,
            overdue=is_overdue(activity),
            notes=[NoteOut.of(n) for n in notes],
        )


class PlanTargetOut(msgspec.Struct, forbid_unknown_fields=True):
    """A target in force for the plan's unit and year: set by this plan's unit, inherited from a plan above
    (``set_by``: that unit's name), or the national default (``set_by`` null)."""

    code: str
    name_vi: str
    name_en: str
    pct: float
    set_by: str | None
    own: bool


class PlanSummary(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    unit: UnitRef
    year: int
    number: str
    issued_on: date
    title: str
    issuing_body: str
    has_file: bool

    @classmethod
    def of(cls, plan: Plan, unit: Unit) -> PlanSummary:
        return cls(
            plan.id, unit_ref(unit), plan.year, plan.number, plan.issued_on, plan.title, plan.issuing_body,
            plan.file_key is not None,
        )  # fmt: skip


class FileOut(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    type: str
    size: int


class PlanOut(PlanSummary, forbid_unknown_fields=True):
    summary: str | None = None
    file: FileOut | None = None
    targets: list[PlanTargetOut] = []
    activities: list[ActivityOut] = []


def plan_out(session: Session, plan: Plan, unit: Unit) -> PlanOut:
    """The plan with its targets in force, activities and their notes."""
    rows = activities_of(session, plan.id)
    notes = notes_of(session, [a.id for a, _owner in rows])
    goals = targets_for(session, unit, plan.year)
    shown = [
        PlanTargetOut(t.code, t.name_vi, t.name_en, float(goals[t.code][0]), goals[t.code][1],
                      goals[t.code][1] == unit.name)
        for t in targets(session) if t.code in goals
    ]  # fmt: skip
    base = PlanSummary.of(plan, unit)
    return PlanOut(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        summary=plan.summary,
        file=FileOut(plan.file_name or "", plan.file_type or "", plan.file_size or 0)
        if plan.file_key
        else None,
        targets=shown,
        activities=[ActivityOut.of(a, owner, notes.get(a.id, [])) for a, owner in rows],
    )


class ProgressRowOut(msgspec.Struct, forbid_unknown_fields=True):
    activity_id: int
    title: str
    plan: PlanSummary
    owner_unit: UnitRef | None
    owner_office: str | None
    deadline: date
    status: str
    progress: int
    overdue: bool

    @classmethod
    def of(cls, row: ProgressRow) -> ProgressRowOut:
        a = row.activity
        return cls(
            a.id, a.title, PlanSummary.of(row.plan, row.unit), unit_ref(row.owner) if row.owner else None,
            a.owner_office, a.deadline, a.status, a.progress, row.overdue,
        )  # fmt: skip


class ProgressOut(msgspec.Struct, forbid_unknown_fields=True):
    unit: UnitRef
    year: int
    total: int
    done: int
    overdue: int
    items: list[ProgressRowOut]


class MemberOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    full_name: str
    position: str
    role: str
    left_on: date | None

    @classmethod
    def of(cls, m: CommitteeMember) -> MemberOut:
        return cls(m.id, m.full_name, m.position, m.role, m.left_on)


class MeetingOut(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    held_on: date
    agenda: str
    conclusions: str | None
    guests: str | None
    attended: list[int]


class CommitteeSummary(msgspec.Struct, forbid_unknown_fields=True):
    id: int
    unit: UnitRef
    name: str
    decision_number: str
    decision_on: date
    issuing_body: str
    ended_on: date | None

    @classmethod
    def of(cls, c: SteeringCommittee, unit: Unit) -> CommitteeSummary:
        return cls(c.id, unit_ref(unit), c.name, c.decision_number, c.decision_on, c.issuing_body, c.ended_on)


class CommitteeOut(CommitteeSummary, forbid_unknown_fields=True):
    members: list[MemberOut] = []
    meetings: list[MeetingOut] = []


def committee_out(session: Session, committee: SteeringCommittee, unit: Unit) -> CommitteeOut:
    base = CommitteeSummary.of(committee, unit)
    return CommitteeOut(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        members=[MemberOut.of(m) for m in members(session, committee.id)],
        meetings=[
            MeetingOut(m.id, m.held_on, m.agenda, m.conclusions, m.guests, present)
            for m, present in meetings(session, committee.id)
        ],
    )
