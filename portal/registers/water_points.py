"""The hazardous water points register (điểm nước nguy hiểm): record, change, check, remove, list, read.
Never commits.

A point belongs to a hamlet. The hamlet's collaborator and the commune's ward officer write it (Casbin
``water_point`` ``record``/``remove`` and the records scope; row-level security checks the same); every
level above reads the points of its subtree. A point filled in or gone is marked removed with its day
and reason and stays in the register. Each change is kept in the register's history and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgspec import UNSET
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today, utcnow
from infra.errors import Conflict, FieldError, Forbidden, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.registers import fields
from portal.registers.access import keeps_records_of, points_for, under
from portal.registers.models import WATER_KINDS, RegisterEvent, WaterPoint, WaterPointCheck, WaterPointPhoto
from portal.registers.schemas import CheckIn, RegisterFilter, RemoveIn, WaterPointIn, WaterPointPatch
from tenancy.models import Unit

RESOURCE = "water_point"
STATES = ("open", "unsigned", "unfenced", "removed", "all")
MAX_ROWS = 1000


def state(point: WaterPoint) -> dict[str, Any]:
    """The point's own fields, as its history keeps them."""
    return {
        "hamlet_id": point.hamlet_id,
        "kind": point.kind,
        "description": point.description,
        "latitude": None if point.latitude is None else str(point.latitude),
        "longitude": None if point.longitude is None else str(point.longitude),
        "listed_on": point.listed_on.isoformat(),
        "signed_on": point.signed_on.isoformat() if point.signed_on else None,
        "fenced_on": point.fenced_on.isoformat() if point.fenced_on else None,
        "removed_on": point.removed_on.isoformat() if point.removed_on else None,
        "removed_reason": point.removed_reason,
    }


def _changed(session: Session, caller: Caller, point: WaterPoint, action: str, before: Any) -> None:
    after = state(point) if action != "check" else None
    fields.history(session, caller, RESOURCE, point.id, point.hamlet_id, action, before, after)
    audit(caller.actor, action, RESOURCE, "allowed", resource_ids=[point.id], unit_id=point.hamlet_id)


def _hamlet(session: Session, caller: Caller, hamlet_id: int, action: str) -> Unit:
    hamlet = session.get(Unit, hamlet_id)
    if hamlet is None or hamlet.level != "hamlet":
        authorize_action(caller, RESOURCE, action)
        raise ValidationFailed([FieldError("hamlet_id", f"no hamlet has id {hamlet_id}", "not_a_hamlet")])
    _may_write(caller, hamlet, action)
    if hamlet.valid_to is not None and hamlet.valid_to <= today():
        raise ValidationFailed([FieldError("hamlet_id", f"{hamlet.name} is closed", "closed")])
    return hamlet


def _may_write(caller: Caller, hamlet: Unit, action: str) -> None:
    """Casbin, the caller's area, then the records of the hamlet (403, audited, otherwise)."""
    authorize(caller, RESOURCE, action, hamlet)
    if not keeps_records_of(caller, hamlet):
        raise Forbidden(
            f"only those who keep the records of {hamlet.name} may change its water points",
            resource=RESOURCE,
            action=action,
            unit_id=hamlet.id,
        )


def create_point(session: Session, caller: Caller, body: WaterPointIn) -> tuple[WaterPoint, Unit]:
    """A new point of a hamlet the caller keeps; every problem named at once (nothing written)."""
    authorize_action(caller, RESOURCE, "record")
    errors: list[FieldError] = []
    kind = fields.choice("kind", body.kind, WATER_KINDS, errors)
    description = fields.text("description", body.description, errors, required=True, most=1000)
    listed_on = fields.day("listed_on", body.listed_on, errors, required=True)
    lat, lon = fields.coordinates(body.latitude, body.longitude, errors)
    signed_on = fields.done_on(body.signed, "signed_on", body.signed_on, errors)
    fenced_on = fields.done_on(body.fenced, "fenced_on", body.fenced_on, errors)
    hamlet = _hamlet(session, caller, body.hamlet_id, "record")
    if errors:
        raise ValidationFailed(errors)
    assert kind is not None and description is not None and listed_on is not None
    point = WaterPoint(
        hamlet_id=hamlet.id,
        kind=kind,
        description=description,
        latitude=lat,
        longitude=lon,
        listed_on=listed_on,
        signed_on=signed_on,
        fenced_on=fenced_on,
        created_by=caller.user_id,
    )
    session.add(point)
    session.flush()
    _changed(session, caller, point, "create", None)
    return point, hamlet


def get_point(
    session: Session, caller: Caller, point_id: int, action: str = "read", lock: bool = False
) -> tuple[WaterPoint, Unit]:
    """The point if the caller's area holds it (404 otherwise); for a change, the caller must keep
    the hamlet's records (403)."""
    authorize_action(caller, RESOURCE, action)
    row = session.execute(points_for(caller).where(WaterPoint.id == point_id)).one_or_none()
    if row is None:
        raise NotVisible("water point not found", resource=RESOURCE, action=action, resource_ids=[point_id])
    point, hamlet = row.tuple()
    if action != "read":
        _may_write(caller, hamlet, action)
        if point.removed_on is not None:
            raise Conflict(f"the point was removed on {point.removed_on:%d/%m/%Y}: it can no longer change")
    if lock:
        session.refresh(point, with_for_update=True)
    return point, hamlet


def update_point(
    session: Session, caller: Caller, point_id: int, patch: WaterPointPatch
) -> tuple[WaterPoint, Unit]:
    point, hamlet = get_point(session, caller, point_id, "record", lock=True)
    if patch.version is not None and patch.version != point.version:
        raise Conflict(f"the point changed (version {point.version}, you sent {patch.version}): reload it")
    before = state(point)
    errors: list[FieldError] = []
    if patch.kind is not UNSET:
        point.kind = fields.choice("kind", patch.kind, WATER_KINDS, errors) or point.kind
    if patch.description is not UNSET:
        found = fields.text("description", patch.description, errors, required=True, most=1000)
        point.description = found or point.description
    if patch.listed_on is not UNSET:
        point.listed_on = fields.day("listed_on", patch.listed_on, errors, required=True) or point.listed_on
    if patch.latitude is not UNSET or patch.longitude is not UNSET:
        lat = patch.latitude if patch.latitude is not UNSET else _float(point.latitude)
        lon = patch.longitude if patch.longitude is not UNSET else _float(point.longitude)
        point.latitude, point.longitude = fields.coordinates(lat, lon, errors)
    if patch.signed is not UNSET or patch.signed_on is not UNSET:
        signed = patch.signed if patch.signed is not UNSET else point.signed_on is not None
        day = patch.signed_on if patch.signed_on is not UNSET else point.signed_on
        point.signed_on = fields.done_on(signed, "signed_on", day if signed else None, errors)
    if patch.fenced is not UNSET or patch.fenced_on is not UNSET:
        fenced = patch.fenced if patch.fenced is not UNSET else point.fenced_on is not None
        day = patch.fenced_on if patch.fenced_on is not UNSET else point.fenced_on
        point.fenced_on = fields.done_on(fenced, "fenced_on", day if fenced else None, errors)
    if errors:
        raise ValidationFailed(errors)
    if state(point) != before:
        point.version += 1
        point.updated_at = utcnow()
        session.flush()
        _changed(session, caller, point, "update", before)
    return point, hamlet


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def add_check(session: Session, caller: Caller, point_id: int, body: CheckIn) -> WaterPointCheck:
    """A dated visit with what was found and who checked (the caller when not said)."""
    point, _hamlet_ = get_point(session, caller, point_id, "record", lock=True)
    errors: list[FieldError] = []
    checked_on = fields.day("checked_on", body.checked_on, errors, required=True)
    result = fields.text("result", body.result, errors, required=True, most=2000)
    who = fields.text("checked_by", body.checked_by, errors) or caller.full_name
    if checked_on is not None and checked_on < point.listed_on:
        errors.append(FieldError("checked_on", "is before the point was listed", "before_listed"))
    if errors:
        raise ValidationFailed(errors)
    assert checked_on is not None and result is not None
    row = WaterPointCheck(
        point_id=point.id, checked_on=checked_on, result=result, checked_by=who, recorded_by=caller.user_id
    )
    session.add(row)
    session.flush()
    _changed(session, caller, point, "check", {"checked_on": checked_on.isoformat(), "check_id": row.id})
    return row


def remove_point(session: Session, caller: Caller, point_id: int, body: RemoveIn) -> tuple[WaterPoint, Unit]:
    """Filled in or gone: the day and the reason; the point stays in the register."""
    point, hamlet = get_point(session, caller, point_id, "remove", lock=True)
    errors: list[FieldError] = []
    on = fields.day("on", body.on, errors, required=True)
    reason = fields.text("reason", body.reason, errors, required=True, most=1000)
    if on is not None and on < point.listed_on:
        errors.append(FieldError("on", "is before the point was listed", "before_listed"))
    if errors:
        raise ValidationFailed(errors)
    before = state(point)
    point.removed_on, point.removed_reason = on, reason
    point.version += 1
    point.updated_at = utcnow()
    session.flush()
    _changed(session, caller, point, "remove", before)
    return point, hamlet


@dataclass(frozen=True)
class PointList:
    rows: list[tuple[WaterPoint, Unit]]
    counts: dict[str, int]  # listed (not removed), signed, fenced, removed: over the whole filtered set


def list_points(session: Session, caller: Caller, params: RegisterFilter) -> PointList:
    """The points of the caller's area (or of ``unit_id`` in it), by hamlet, with today's counts."""
    authorize_action(caller, RESOURCE, "read")
    errors: list[FieldError] = []
    stmt = points_for(caller)
    if params.unit_id is not None:
        root = session.get(Unit, params.unit_id)
        if root is None or not caller.covers(root):
            errors.append(FieldError("unit_id", "is not a unit of your area", "out_of_scope"))
        else:
            stmt = stmt.where(under(root))
    if params.kind:
        fields.choice("kind", params.kind, WATER_KINDS, errors)
        stmt = stmt.where(WaterPoint.kind == params.kind)
    wanted = params.status or "open"
    if wanted not in STATES:
        errors.append(FieldError("status", f"must be one of {', '.join(STATES)}", "not_listed"))
    if errors:
        raise ValidationFailed(errors)
    sub = stmt.with_only_columns(
        WaterPoint.id, WaterPoint.signed_on, WaterPoint.fenced_on, WaterPoint.removed_on
    ).subquery()
    open_ = sub.c.removed_on.is_(None)
    totals = session.execute(
        select(
            func.count().filter(open_),
            func.count().filter(open_, sub.c.signed_on.is_not(None)),
            func.count().filter(open_, sub.c.fenced_on.is_not(None)),
            func.count().filter(sub.c.removed_on.is_not(None)),
        )
    ).one()
    counts = dict(zip(("listed", "signed", "fenced", "removed"), (int(n) for n in totals), strict=True))
    if wanted == "removed":
        stmt = stmt.where(WaterPoint.removed_on.is_not(None))
    elif wanted != "all":
        stmt = stmt.where(WaterPoint.removed_on.is_(None))
        if wanted == "unsigned":
            stmt = stmt.where(WaterPoint.signed_on.is_(None))
        elif wanted == "unfenced":
            stmt = stmt.where(WaterPoint.fenced_on.is_(None))
    rows = session.execute(stmt.order_by(Unit.path, WaterPoint.id).limit(MAX_ROWS)).tuples()
    return PointList(rows=list(rows), counts=counts)


def checks_of(session: Session, point: WaterPoint) -> list[WaterPointCheck]:
    stmt = select(WaterPointCheck).where(WaterPointCheck.point_id == point.id)
    return list(session.scalars(stmt.order_by(WaterPointCheck.checked_on.desc(), WaterPointCheck.id.desc())))


def photos_of(session: Session, point: WaterPoint) -> list[WaterPointPhoto]:
    stmt = select(WaterPointPhoto).where(WaterPointPhoto.point_id == point.id)
    return list(session.scalars(stmt.order_by(WaterPointPhoto.uploaded_at)))


def history_of(session: Session, register: str, record_id: int) -> list[RegisterEvent]:
    """A record's history, newest first (the caller has read the record: row-level security agrees)."""
    stmt = select(RegisterEvent).where(
        RegisterEvent.register == register, RegisterEvent.record_id == record_id
    )
    return list(session.scalars(stmt.order_by(RegisterEvent.id.desc())))
