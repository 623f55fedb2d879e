"""Shapes of the briefings API answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import msgspec

from infra.clock import today
from portal.auth.models import User
from portal.briefings.models import Briefing, BriefingAttendance, BriefingProposal
from portal.shapes import UnitRefOut
from tenancy.models import Unit


def _ref(unit: Unit) -> UnitRefOut:
    return UnitRefOut(id=unit.id, code=unit.code, name=unit.name, level=unit.level, path=unit.path)


class BriefingOut(msgspec.Struct, kw_only=True):
    id: int
    unit: UnitRefOut
    held_on: date
    chaired_by: str
    place: str | None
    issues: str | None
    present: int
    """Collaborators recorded present (of those the caller may see)."""
    absent: int

    @classmethod
    def of(cls, b: Briefing, unit: Unit, present: int, absent: int) -> BriefingOut:
        return cls(
            id=b.id,
            unit=_ref(unit),
            held_on=b.held_on,
            chaired_by=b.chaired_by,
            place=b.place,
            issues=b.issues,
            present=present,
            absent=absent,
        )


class BriefingAttendee(msgspec.Struct, kw_only=True):
    user_id: int
    username: str
    full_name: str
    hamlet: UnitRefOut | None
    present: bool
    absence_reason: str | None


class ProposalOut(msgspec.Struct, kw_only=True):
    id: int
    content: str
    owner: str | None
    due_on: date | None
    status: str
    follow_up: str | None
    overdue: bool
    """Still open or in progress after its date."""

    @classmethod
    def of(cls, p: BriefingProposal) -> ProposalOut:
        late = p.due_on is not None and p.due_on < today() and p.status in ("open", "in_progress")
        return cls(
            id=p.id,
            content=p.content,
            owner=p.owner,
            due_on=p.due_on,
            status=p.status,
            follow_up=p.follow_up,
            overdue=late,
        )


class BriefingDetail(BriefingOut, kw_only=True):
    attendance: list[BriefingAttendee]
    proposals: list[ProposalOut]


@dataclass(frozen=True)
class Marked:
    """One row of the roster: a collaborator (or a former one already recorded) and their mark."""

    user: User
    hamlet: Unit | None
    row: BriefingAttendance | None

    def out(self) -> BriefingAttendee:
        assert self.row is not None
        return BriefingAttendee(
            user_id=self.user.id,
            username=self.user.username,
            full_name=self.user.full_name,
            hamlet=_ref(self.hamlet) if self.hamlet else None,
            present=self.row.present,
            absence_reason=self.row.absence_reason,
        )
