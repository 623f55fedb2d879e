"""Briefings of a commune's collaborators: recording one, changing it, reading and listing them.
Never commits; every write is audited (no personal data in the detail beyond staff ids).

The commune's ward officer records and changes its briefings (Casbin: ``briefing`` create, update,
record; the commune must be in their record scope); its district reads them; a collaborator reads those
they attended. Attendance and proposals are in :mod:`portal.briefings.minutes`.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from msgspec import UNSET
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today, utcnow
from infra.errors import FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.briefings.access import keeps, visible_briefings
from portal.briefings.models import Briefing, BriefingAttendance
from portal.briefings.schemas import BriefingFilter, BriefingIn, BriefingPatch
from portal.plausible import period_year
from portal.registry.text import clean_name
from portal.staff.access import in_force
from tenancy.models import Unit

RESOURCE = "briefing"
SHORT, LONG = 300, 4000


def text_field(
    field: str, value: str | None, errors: list[FieldError], required: bool = False, limit: int = SHORT
) -> str | None:
    """A cleaned text input: required or not, at most ``limit`` characters (the error names ``field``)."""
    if value is None:
        cleaned = None
    else:  # a line is spelt canonically; a long text keeps its line breaks
        cleaned = clean_name(value) if limit == SHORT else unicodedata.normalize("NFC", value).strip()
    if required and not cleaned:
        errors.append(FieldError(field, "is required", "required"))
    elif cleaned and len(cleaned) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters", "too_long"))
    return cleaned or None


def _held_on(value: date, errors: list[FieldError]) -> date:
    if value.year < 2000 or value > date(today().year + 1, 12, 31):
        errors.append(FieldError("held_on", "must be a date from 2000 to the end of next year"))
    return value


def state(b: Briefing) -> dict[str, Any]:
    return {
        "held_on": b.held_on.isoformat(),
        "chaired_by": b.chaired_by,
        "place": b.place,
        "unit_id": b.unit_id,
    }


def audit_write(caller: Caller, action: str, b: Briefing, **detail: Any) -> None:
    audit(caller.actor, action, RESOURCE, "allowed", resource_ids=[b.id], unit_id=b.unit_id, detail=detail)


def require_keeper(caller: Caller, unit: Unit, action: str, briefing_id: int | None = None) -> None:
    """Only the commune's own staff write its briefings (a district reads them)."""
    if not keeps(caller, unit):
        raise Forbidden(
            f"only {unit.name}'s own staff record its briefings",
            resource=RESOURCE,
            action=action,
            unit_id=unit.id,
            resource_ids=[briefing_id] if briefing_id else [],
        )


def create_briefing(session: Session, caller: Caller, body: BriefingIn) -> tuple[Briefing, Unit]:
    """Record a briefing held by a commune of the caller's (their own)."""
    authorize_action(caller, RESOURCE, "create")
    errors: list[FieldError] = []
    chaired_by = text_field("chaired_by", body.chaired_by, errors, required=True)
    place = text_field("place", body.place, errors)
    issues = text_field("issues", body.issues, errors, limit=LONG)
    held_on = _held_on(body.held_on, errors)
    unit = session.get(Unit, body.unit_id)
    if unit is None:
        errors.append(FieldError("unit_id", f"no unit has id {body.unit_id}", "unknown"))
    if errors:
        raise ValidationFailed(errors)
    assert unit is not None and chaired_by is not None
    authorize(caller, RESOURCE, "create", unit)
    require_keeper(caller, unit, "create")
    if unit.level != "commune":
        raise ValidationFailed(
            [
                FieldError(
                    "unit_id", f"briefings are held by a commune; {unit.name} is a {unit.level}", "level"
                )
            ]
        )
    if not in_force(unit, held_on):
        raise ValidationFailed(
            [FieldError("unit_id", f"{unit.name} did not exist on {held_on:%d/%m/%Y}", "closed")]
        )
    b = Briefing(
        unit_id=unit.id,
        held_on=held_on,
        chaired_by=chaired_by,
        place=place,
        issues=issues,
        created_by=caller.user_id,
    )
    session.add(b)
    session.flush()
    audit_write(caller, "create", b, after=state(b))
    return b, unit


def get_briefing(
    session: Session, caller: Caller, briefing_id: int, action: str = "read", lock: bool = False
) -> tuple[Briefing, Unit]:
    """A briefing the caller may see (404 otherwise); to change it, the commune must be theirs (403)."""
    authorize_action(caller, RESOURCE, action)
    row = session.execute(visible_briefings(caller).where(Briefing.id == briefing_id)).one_or_none()
    if row is None:
        raise NotVisible("briefing not found", resource=RESOURCE, action=action, resource_ids=[briefing_id])
    b, unit = row
    if action != "read":
        authorize(caller, RESOURCE, action, unit)
        require_keeper(caller, unit, action, b.id)
    if lock:
        session.refresh(b, with_for_update=True)
    return b, unit


def update_briefing(
    session: Session, caller: Caller, briefing_id: int, changes: BriefingPatch
) -> tuple[Briefing, Unit]:
    b, unit = get_briefing(session, caller, briefing_id, "update", lock=True)
    errors: list[FieldError] = []
    before = state(b) | {"issues": b.issues}
    if changes.chaired_by is not UNSET:
        b.chaired_by = text_field("chaired_by", changes.chaired_by, errors, required=True) or b.chaired_by
    if changes.place is not UNSET:
        b.place = text_field("place", changes.place, errors)
    if changes.issues is not UNSET:
        b.issues = text_field("issues", changes.issues, errors, limit=LONG)
    if changes.held_on is not UNSET:
        b.held_on = _held_on(changes.held_on, errors)
        if not in_force(unit, b.held_on):
            errors.append(
                FieldError("held_on", f"{unit.name} did not exist on {b.held_on:%d/%m/%Y}", "closed")
            )
    if errors:
        raise ValidationFailed(errors)
    if b.held_on > today() and recorded_count(session, b.id):
        errors.append(
            FieldError(
                "held_on", "attendance is recorded: the briefing cannot move to a future date", "future"
            )
        )
        raise ValidationFailed(errors)
    if state(b) | {"issues": b.issues} != before:
        b.updated_at = utcnow()
        session.flush()
        audit_write(caller, "update", b, before=state_of(before), after=state(b))
    return b, unit


def state_of(before: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in before.items() if k != "issues"}


def recorded_count(session: Session, briefing_id: int) -> int:
    return session.scalar(select(func.count()).where(BriefingAttendance.briefing_id == briefing_id)) or 0


def list_briefings(
    session: Session, caller: Caller, params: BriefingFilter
) -> list[tuple[Briefing, Unit, int, int]]:
    """Briefings the caller may see, newest first, with the present and absent they may see."""
    authorize_action(caller, RESOURCE, "read")

    def counted(present: bool) -> Any:
        return (
            select(func.count())
            .where(BriefingAttendance.briefing_id == Briefing.id, BriefingAttendance.present.is_(present))
            .correlate(Briefing)
            .scalar_subquery()
        )

    stmt = visible_briefings(caller).add_columns(counted(True), counted(False))
    if params.unit_id is not None:
        stmt = stmt.where(Briefing.unit_id == params.unit_id)
    if params.year is not None:
        if wrong := period_year("year", params.year):
            raise ValidationFailed(wrong)
        stmt = stmt.where(
            Briefing.held_on >= date(params.year, 1, 1), Briefing.held_on <= date(params.year, 12, 31)
        )
    rows = session.execute(stmt.order_by(Briefing.held_on.desc(), Briefing.id.desc()).limit(500)).tuples()
    return [(b, u, int(p), int(a)) for b, u, p, a in rows]
