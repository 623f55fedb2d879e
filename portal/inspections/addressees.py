"""Recommendations' addressees outside the unit tree: provincial departments (Sở Y tế, Sở Giáo dục và Đào
tạo, Công an tỉnh, ...) and the People's Committees of districts and communes (Bình Phước's Công văn
2696/UBND-KGVX asks both). Never commits.

An administrator (anywhere) or a province (in its area) keeps them, each under the unit whose area it
serves: a department under its province, a People's Committee under its district or commune. An
inspection may address those kept under its inspecting unit or below it, like the units it may address.
"""

from __future__ import annotations

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.errors import FieldError, NotVisible, ValidationFailed
from portal.audit.service import record as audit
from portal.inspections.access import addressees_under
from portal.inspections.models import Addressee
from portal.inspections.schemas import AddresseeIn, AddresseePatch
from portal.registry.text import clean_name
from tenancy.models import Unit
from tenancy.service import visible_unit_ids

RESOURCE = "addressee"
KINDS: dict[str, tuple[str, ...]] = {
    "department": ("province",),
    "peoples_committee": ("district", "commune"),
    "other": ("province", "district", "commune"),
}


def _name(value: str, errors: list[FieldError]) -> str:
    name = clean_name(value)
    if not name:
        errors.append(FieldError("name", "is required", "required"))
    elif len(name) > 200:
        errors.append(FieldError("name", "must be at most 200 characters", "too_long"))
    return name


def _unique(session: Session, addressee: Addressee) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ValidationFailed(
            [FieldError("name", f"{addressee.name} is already kept for this unit", "taken")]
        ) from exc


def create_addressee(session: Session, caller: Caller, body: AddresseeIn) -> tuple[Addressee, Unit]:
    """A new addressee under a unit of the caller's area, of a kind that fits the unit's level."""
    authorize_action(caller, RESOURCE, "manage")
    errors: list[FieldError] = []
    name = _name(body.name, errors)
    unit = session.get(Unit, body.unit_id)
    if unit is None:
        errors.append(FieldError("unit_id", f"no unit has id {body.unit_id}", "unknown"))
    if body.kind not in KINDS:
        errors.append(FieldError("kind", "must be department, peoples_committee or other", "not_listed"))
    if errors:
        raise ValidationFailed(errors)
    assert unit is not None
    authorize(caller, RESOURCE, "manage", unit)
    if unit.level not in KINDS[body.kind]:
        raise ValidationFailed(
            [FieldError("unit_id", f"a {body.kind} is not kept under a {unit.level}", "level")]
        )
    if unit.valid_to is not None:
        raise ValidationFailed([FieldError("unit_id", f"{unit.name} is not in force", "closed")])
    addressee = Addressee(unit_id=unit.id, kind=body.kind, name=name, created_by=caller.user_id)
    session.add(addressee)
    _unique(session, addressee)
    audit(caller.actor, "create", RESOURCE, "allowed", resource_ids=[addressee.id], unit_id=unit.id)
    return addressee, unit


def get_addressee(
    session: Session, caller: Caller, addressee_id: int, action: str = "read"
) -> tuple[Addressee, Unit]:
    authorize_action(caller, RESOURCE, action)
    row = (
        session.execute(
            select(Addressee, Unit)
            .join(Unit, Unit.id == Addressee.unit_id)
            .where(Addressee.id == addressee_id, Addressee.unit_id.in_(visible_unit_ids(caller.scope)))
        )
        .tuples()
        .one_or_none()
    )
    if row is None:
        raise NotVisible("addressee not found", resource=RESOURCE, action=action, resource_ids=[addressee_id])
    if action != "read":
        authorize(caller, RESOURCE, action, row[1])
    return row


def update_addressee(
    session: Session, caller: Caller, addressee_id: int, changes: AddresseePatch
) -> tuple[Addressee, Unit]:
    """Rename an addressee, or stop (or resume) offering it; its recommendations keep it."""
    addressee, unit = get_addressee(session, caller, addressee_id, "manage")
    errors: list[FieldError] = []
    if changes.name is not UNSET:
        addressee.name = _name(changes.name, errors) or addressee.name
    if changes.active is not UNSET:
        addressee.active = changes.active
    if errors:
        raise ValidationFailed(errors)
    _unique(session, addressee)
    audit(
        caller.actor, "update", RESOURCE, "allowed", resource_ids=[addressee.id], unit_id=unit.id,
        detail={"active": addressee.active},
    )  # fmt: skip
    return addressee, unit


def list_addressees(
    session: Session, caller: Caller, active_only: bool = False
) -> list[tuple[Addressee, Unit]]:
    """Addressees kept in the caller's area, by unit then name."""
    authorize_action(caller, RESOURCE, "read")
    stmt = (
        select(Addressee, Unit)
        .join(Unit, Unit.id == Addressee.unit_id)
        .where(Addressee.unit_id.in_(visible_unit_ids(caller.scope)))
    )
    if active_only:
        stmt = stmt.where(Addressee.active.is_(True))
    return list(
        session.execute(stmt.order_by(Unit.path, Addressee.kind, Addressee.name).limit(1000)).tuples()
    )


def for_inspection(session: Session, inspecting: Unit) -> list[Addressee]:
    """The active addressees an inspection from ``inspecting`` may address."""
    stmt = select(Addressee).where(addressees_under(inspecting.path), Addressee.active.is_(True))
    return list(session.scalars(stmt.order_by(Addressee.kind, Addressee.name)))


def addressable(session: Session, addressee_id: int, inspecting: Unit) -> Addressee | None:
    """The addressee, if an inspection from ``inspecting`` may address it (active, kept in its area)."""
    stmt = select(Addressee).where(
        Addressee.id == addressee_id, addressees_under(inspecting.path), Addressee.active.is_(True)
    )
    return session.scalars(stmt).one_or_none()
