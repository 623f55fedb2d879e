"""The child-assistance facilities register (cơ sở trợ giúp trẻ em; Law on Children 2016, Art. 46-47).
Never commits.

A facility is managed by a commune, district or province. Its staff and the levels above record and
change it (Casbin ``facility`` ``record``; the managing unit must lie in the caller's area); everyone
whose area holds the unit reads it. Children in care are counts (total, girls, with disability), never
records. A facility that closes keeps its row with the day and the reason. Its inspections go through
``portal.inspections`` (a target that names the facility).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgspec import UNSET
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import utcnow
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.registers import fields
from portal.registers.access import facilities_for, under
from portal.registers.models import FACILITY_KINDS, Facility
from portal.registers.schemas import FacilityIn, FacilityPatch, RegisterFilter, RemoveIn
from tenancy.models import Unit

RESOURCE = "facility"
OWNER_LEVELS = ("commune", "district", "province")
STATES = ("open", "closed", "all")
MAX_ROWS = 1000
TEXTS = {"name": 300, "licence_number": 64, "licence_issuer": 300, "address": 500, "contact": 300}
COUNTS = ("capacity", "children_total", "children_girls", "children_disabled")


def state(facility: Facility) -> dict[str, Any]:
    """The facility's own fields, as its history keeps them."""
    out: dict[str, Any] = {"unit_id": facility.unit_id, "kind": facility.kind}
    out |= {k: getattr(facility, k) for k in (*TEXTS, *COUNTS)}
    for k in ("licence_date", "counted_on", "closed_on"):
        value = getattr(facility, k)
        out[k] = value.isoformat() if value else None
    out["closed_reason"] = facility.closed_reason
    return out


def _changed(session: Session, caller: Caller, facility: Facility, action: str, before: Any) -> None:
    fields.history(session, caller, RESOURCE, facility.id, facility.unit_id, action, before, state(facility))
    audit(caller.actor, action, RESOURCE, "allowed", resource_ids=[facility.id], unit_id=facility.unit_id)


def _check(values: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """Every given field checked (the keys of ``values`` only), and the counts against each other."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in TEXTS:
            out[key] = fields.text(key, value, errors, required=key == "name", most=TEXTS[key])
        elif key in COUNTS:
            out[key] = fields.count(key, value, errors)
        elif key == "kind":
            out[key] = fields.choice("kind", value, FACILITY_KINDS, errors)
        elif key in ("licence_date", "counted_on"):
            out[key] = fields.day(key, value, errors)
    return out


def _counts_agree(facility: Facility, errors: list[FieldError]) -> None:
    total = facility.children_total or 0
    for key in ("children_girls", "children_disabled"):
        if (getattr(facility, key) or 0) > total:
            errors.append(FieldError(key, f"is more than the children in care ({total})", "exceeds"))


def _owner(session: Session, caller: Caller, unit_id: int, action: str) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or unit.level not in OWNER_LEVELS:
        authorize_action(caller, RESOURCE, action)
        raise ValidationFailed(
            [FieldError("unit_id", "must be a commune, district or province", "not_owner_level")]
        )
    authorize(caller, RESOURCE, action, unit)
    return unit


def create_facility(session: Session, caller: Caller, body: FacilityIn) -> tuple[Facility, Unit]:
    authorize_action(caller, RESOURCE, "record")
    errors: list[FieldError] = []
    values = _check(
        {k: getattr(body, k) for k in ("kind", *TEXTS, *COUNTS, "licence_date", "counted_on")}, errors
    )
    unit = _owner(session, caller, body.unit_id, "record")
    facility = Facility(unit_id=unit.id, created_by=caller.user_id, **values)
    _counts_agree(facility, errors)
    if errors:
        raise ValidationFailed(errors)
    session.add(facility)
    session.flush()
    _changed(session, caller, facility, "create", None)
    return facility, unit


def get_facility(
    session: Session, caller: Caller, facility_id: int, action: str = "read", lock: bool = False
) -> tuple[Facility, Unit]:
    """The facility if the caller's area holds its unit (404 otherwise); a change is checked by Casbin."""
    authorize_action(caller, RESOURCE, action)
    row = session.execute(facilities_for(caller).where(Facility.id == facility_id)).one_or_none()
    if row is None:
        raise NotVisible("facility not found", resource=RESOURCE, action=action, resource_ids=[facility_id])
    facility, unit = row.tuple()
    if action != "read":
        authorize(caller, RESOURCE, action, unit)
        if facility.closed_on is not None:
            raise Conflict(f"the facility closed on {facility.closed_on:%d/%m/%Y}: it can no longer change")
    if lock:
        session.refresh(facility, with_for_update=True)
    return facility, unit


def update_facility(
    session: Session, caller: Caller, facility_id: int, patch: FacilityPatch
) -> tuple[Facility, Unit]:
    facility, unit = get_facility(session, caller, facility_id, "record", lock=True)
    if patch.version is not None and patch.version != facility.version:
        raise Conflict(
            f"the facility changed (version {facility.version}, you sent {patch.version}): reload it"
        )
    before = state(facility)
    errors: list[FieldError] = []
    given = {k: getattr(patch, k) for k in ("kind", *TEXTS, *COUNTS, "licence_date", "counted_on")}
    values = _check({k: v for k, v in given.items() if v is not UNSET}, errors)
    for key, value in values.items():
        if value is not None or key not in (
            "name",
            "kind",
            "children_total",
            "children_girls",
            "children_disabled",
        ):
            setattr(facility, key, value)
    _counts_agree(facility, errors)
    if errors:
        raise ValidationFailed(errors)
    if state(facility) != before:
        facility.version += 1
        facility.updated_at = utcnow()
        session.flush()
        _changed(session, caller, facility, "update", before)
    return facility, unit


def close_facility(
    session: Session, caller: Caller, facility_id: int, body: RemoveIn
) -> tuple[Facility, Unit]:
    facility, unit = get_facility(session, caller, facility_id, "record", lock=True)
    errors: list[FieldError] = []
    on = fields.day("on", body.on, errors, required=True)
    reason = fields.text("reason", body.reason, errors, required=True, most=1000)
    if errors:
        raise ValidationFailed(errors)
    before = state(facility)
    facility.closed_on, facility.closed_reason = on, reason
    facility.version += 1
    facility.updated_at = utcnow()
    session.flush()
    _changed(session, caller, facility, "close", before)
    return facility, unit


@dataclass(frozen=True)
class FacilityList:
    rows: list[tuple[Facility, Unit]]
    counts: dict[str, int]  # facilities open, their capacity and children in care (total, girls, disability)


def list_facilities(session: Session, caller: Caller, params: RegisterFilter) -> FacilityList:
    """The facilities of the caller's area (or of ``unit_id`` in it), with totals of the open ones."""
    authorize_action(caller, RESOURCE, "read")
    errors: list[FieldError] = []
    stmt = facilities_for(caller)
    if params.unit_id is not None:
        root = session.get(Unit, params.unit_id)
        if root is None or not caller.covers(root):
            errors.append(FieldError("unit_id", "is not a unit of your area", "out_of_scope"))
        else:
            stmt = stmt.where(under(root))
    if params.kind:
        fields.choice("kind", params.kind, FACILITY_KINDS, errors)
        stmt = stmt.where(Facility.kind == params.kind)
    wanted = params.status or "open"
    if wanted not in STATES:
        errors.append(FieldError("status", f"must be one of {', '.join(STATES)}", "not_listed"))
    if errors:
        raise ValidationFailed(errors)
    sub = stmt.with_only_columns(
        Facility.id, Facility.closed_on, *(getattr(Facility, c) for c in COUNTS)
    ).subquery()
    open_ = sub.c.closed_on.is_(None)
    totals = session.execute(
        select(
            func.count().filter(open_), *(func.coalesce(func.sum(sub.c[c]).filter(open_), 0) for c in COUNTS)
        )
    ).one()
    counts = dict(zip(("facilities", *COUNTS), (int(n) for n in totals), strict=True))
    if wanted == "open":
        stmt = stmt.where(Facility.closed_on.is_(None))
    elif wanted == "closed":
        stmt = stmt.where(Facility.closed_on.is_not(None))
    rows = session.execute(stmt.order_by(Unit.path, Facility.name, Facility.id).limit(MAX_ROWS)).tuples()
    return FacilityList(rows=list(rows), counts=counts)
