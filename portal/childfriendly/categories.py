"""The commune's category under the decision, which sets its threshold.

A category set by the level above (with the decision that classed the commune: the list of extremely
disadvantaged communes, say) wins; otherwise the unit's kind implies one: a ward (phường) of a
centrally-run city is ``city_ward``, a special zone (đặc khu, an island) ``disadvantaged``, any other
commune ``other`` until the level above classes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today, utcnow
from infra.errors import FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.childfriendly.access import RESOURCE, require_reviewer
from portal.childfriendly.models import CATEGORIES, CommuneCategory
from portal.childfriendly.schemas import CategoryIn
from tenancy.models import Unit

CITY_KIND = "Thành phố Trung ương"
ISLAND_KIND = "Đặc khu"


@dataclass(frozen=True)
class UnitCategory:
    category: str
    set: bool
    basis: str | None


def implied(session: Session, unit: Unit) -> str:
    """The category the unit's kind implies."""
    kind = (unit.kind or "").strip().casefold()
    if kind == ISLAND_KIND.casefold():
        return "disadvantaged"
    if kind == "phường":
        province = unit
        while province.parent_id is not None:
            parent = session.get(Unit, province.parent_id)
            if parent is None:
                break
            province = parent
        if (province.kind or "").casefold() == CITY_KIND.casefold():
            return "city_ward"
    return "other"


def category_of(session: Session, unit: Unit) -> UnitCategory:
    row = session.get(CommuneCategory, unit.id)
    if row is not None:
        return UnitCategory(row.category, True, row.basis)
    return UnitCategory(implied(session, unit), False, None)


def set_category(session: Session, caller: Caller, unit: Unit, body: CategoryIn) -> UnitCategory:
    """The level above classes the commune (a decision reference is kept as its basis). Audited."""
    authorize(caller, RESOURCE, "categorise", unit)
    errors = []
    if unit.level != "commune":
        errors.append(FieldError("unit_id", f"{unit.name} is a {unit.level}, not a commune"))
    if body.category not in CATEGORIES:
        errors.append(FieldError("category", f"must be one of {', '.join(CATEGORIES)}", "unknown"))
    basis = (body.basis or "").strip() or None
    if basis is not None and len(basis) > 300:
        errors.append(FieldError("basis", "must be at most 300 characters", "too_long"))
    if errors:
        raise ValidationFailed(errors)
    require_reviewer(session, caller, unit, today().year, "categorise")
    before = category_of(session, unit)
    stmt = insert(CommuneCategory).values(
        unit_id=unit.id, category=body.category, basis=basis, set_by=caller.user_id, set_at=utcnow()
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["unit_id"],
            set_={
                "category": stmt.excluded.category,
                "basis": stmt.excluded.basis,
                "set_by": stmt.excluded.set_by,
                "set_at": stmt.excluded.set_at,
            },
        )
    )
    session.expire_all()
    audit(
        caller.actor,
        "categorise",
        RESOURCE,
        "allowed",
        unit_id=unit.id,
        detail={"before": before.category, "after": body.category, "basis": basis},
    )
    return UnitCategory(body.category, True, basis)
