"""What a briefing recorded: each collaborator present or absent (with the reason), and the proposals it
took up with their follow-up. Never commits; writes are audited with staff ids only.

Who may see whom: the commune's staff and its district see every attendee; a collaborator sees their own
row (row-level security repeats it). The roster offered for marking is the commune's active collaborators.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today, utcnow
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from portal.auth.models import User
from portal.briefings.access import commune_collaborators, oversees
from portal.briefings.models import PROPOSAL_STATUSES, Briefing, BriefingAttendance, BriefingProposal
from portal.briefings.responses import BriefingDetail, BriefingOut, Marked, ProposalOut
from portal.briefings.schemas import AttendanceIn, ProposalIn, ProposalPatch
from portal.briefings.service import LONG, RESOURCE, audit_write, get_briefing, text_field
from tenancy.models import Unit


def marks(session: Session, caller: Caller, b: Briefing, unit: Unit) -> list[Marked]:
    """Recorded attendance the caller may see: everyone for the commune's area, else their own row."""
    stmt = (
        select(BriefingAttendance, User, Unit)
        .join(User, User.id == BriefingAttendance.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(BriefingAttendance.briefing_id == b.id)
        .order_by(Unit.path, User.full_name)
    )
    if not oversees(caller, unit):
        stmt = stmt.where(BriefingAttendance.user_id == caller.user_id)
    return [Marked(u, h, a) for a, u, h in session.execute(stmt).tuples()]


def roster(session: Session, caller: Caller, b: Briefing, unit: Unit) -> list[Marked]:
    """The commune's active collaborators with their mark (None: not recorded yet), then anyone recorded
    who has left since; for the commune's staff only (the record form)."""
    get_briefing(session, caller, b.id, "record")
    recorded = {m.user.id: m for m in marks(session, caller, b, unit)}
    rows = session.execute(commune_collaborators(unit).order_by(Unit.path, User.full_name)).tuples()
    out = [recorded.pop(u.id, Marked(u, h, None)) for u, h in rows]
    return out + list(recorded.values())


def detail(session: Session, caller: Caller, b: Briefing, unit: Unit) -> BriefingDetail:
    """The briefing as the caller may see it: attendance (all, or their own) and the proposals."""
    shown = [m.out() for m in marks(session, caller, b, unit)]
    proposals = session.scalars(
        select(BriefingProposal).where(BriefingProposal.briefing_id == b.id).order_by(BriefingProposal.id)
    )
    head = BriefingOut.of(b, unit, sum(a.present for a in shown), sum(not a.present for a in shown))
    return BriefingDetail(
        **{f: getattr(head, f) for f in head.__struct_fields__},
        attendance=shown,
        proposals=[ProposalOut.of(p) for p in proposals],
    )


def record_attendance(session: Session, caller: Caller, briefing_id: int, body: AttendanceIn) -> list[int]:
    """Mark collaborators of the commune present or absent (all or nothing; every bad row named).
    A row replaces the account's earlier mark. Returns the accounts marked."""
    b, unit = get_briefing(session, caller, briefing_id, "record", lock=True)
    if b.held_on > today():
        raise Conflict(f"the briefing is on {b.held_on:%d/%m/%Y}: record attendance once it has taken place")
    ids = [e.user_id for e in body.entries]
    eligible = {
        u.id for u, _h in session.execute(commune_collaborators(unit).where(User.id.in_(ids))).tuples()
    }
    already = set(
        session.scalars(select(BriefingAttendance.user_id).where(BriefingAttendance.briefing_id == b.id))
    )
    errors: list[FieldError] = []
    rows: dict[int, dict[str, Any]] = {}
    for i, entry in enumerate(body.entries):
        where = f"entries[{i}]"
        if entry.user_id not in eligible and entry.user_id not in already:
            errors.append(
                FieldError(
                    f"{where}.user_id", f"no active collaborator {entry.user_id} in {unit.name}", "unknown"
                )
            )
            continue
        if entry.user_id in rows:
            errors.append(FieldError(f"{where}.user_id", "is given twice", "duplicate"))
            continue
        reason = text_field(f"{where}.absence_reason", entry.absence_reason, errors)
        if entry.present and reason:
            errors.append(FieldError(f"{where}.absence_reason", "must be empty when present", "present"))
        elif not entry.present and not reason:
            errors.append(
                FieldError(f"{where}.absence_reason", "give the reason for the absence", "required")
            )
        rows[entry.user_id] = {
            "briefing_id": b.id,
            "briefing_unit_id": b.unit_id,
            "user_id": entry.user_id,
            "present": entry.present,
            "absence_reason": None if entry.present else reason,
            "recorded_by": caller.user_id,
        }
    if errors:
        raise ValidationFailed(errors)
    stmt = insert(BriefingAttendance).values(list(rows.values()))
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["briefing_id", "user_id"],
            set_={c: stmt.excluded[c] for c in ("present", "absence_reason", "recorded_by", "recorded_at")},
        )
    )
    present = sorted(u for u, r in rows.items() if r["present"])
    audit_write(caller, "record_attendance", b, present=present, absent=sorted(set(rows) - set(present)))
    return sorted(rows)


def _proposal_fields(body: ProposalIn | ProposalPatch, p: BriefingProposal, errors: list[FieldError]) -> None:
    if body.content is not UNSET:
        p.content = text_field("content", body.content, errors, required=True, limit=LONG) or p.content
    if body.owner is not UNSET:
        p.owner = text_field("owner", body.owner, errors)
    if body.follow_up is not UNSET:
        p.follow_up = text_field("follow_up", body.follow_up, errors, limit=LONG)
    if body.due_on is not UNSET:
        if body.due_on and not date(2000, 1, 1) <= body.due_on <= date(today().year + 5, 12, 31):
            errors.append(
                FieldError("due_on", "must be a date from 2000 to five years ahead", "out_of_range")
            )
        p.due_on = body.due_on
    if body.status is not UNSET:
        if body.status not in PROPOSAL_STATUSES:
            errors.append(FieldError("status", f"must be one of {', '.join(PROPOSAL_STATUSES)}", "unknown"))
        else:
            p.status = body.status


def add_proposal(session: Session, caller: Caller, briefing_id: int, body: ProposalIn) -> BriefingProposal:
    """A proposal the briefing took up, with who carries it and by when."""
    b, _unit = get_briefing(session, caller, briefing_id, "record", lock=True)
    p = BriefingProposal(
        briefing_id=b.id, briefing_unit_id=b.unit_id, status="open", updated_by=caller.user_id
    )
    errors: list[FieldError] = []
    _proposal_fields(body, p, errors)
    if errors:
        raise ValidationFailed(errors)
    session.add(p)
    session.flush()
    audit_write(caller, "add_proposal", b, proposal=p.id, status=p.status)
    return p


def update_proposal(
    session: Session, caller: Caller, briefing_id: int, proposal_id: int, changes: ProposalPatch
) -> BriefingProposal:
    """The follow-up of a proposal: its status, who, by when, what was done."""
    b, _unit = get_briefing(session, caller, briefing_id, "record", lock=True)
    p = session.scalar(
        select(BriefingProposal).where(
            BriefingProposal.id == proposal_id, BriefingProposal.briefing_id == b.id
        )
    )
    if p is None:
        raise NotVisible(
            "no such proposal of this briefing", resource=RESOURCE, action="record", resource_ids=[b.id]
        )
    before = p.status
    errors: list[FieldError] = []
    _proposal_fields(changes, p, errors)
    if errors:
        raise ValidationFailed(errors)
    p.updated_by, p.updated_at = caller.user_id, utcnow()
    session.flush()
    audit_write(caller, "update_proposal", b, proposal=p.id, before=before, after=p.status)
    return p
