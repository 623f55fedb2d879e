"""Who reads and who acts on an assessment: Casbin decides the action, the unit the place, and the
workflow the person: the commune's own staff draft and submit, the level above reviews and decides.

Assessments are read where the caller's records or aggregate scope covers the commune
(``tenancy.service.visible_unit_ids``; row-level security in migration 0036 checks the same with
``app_unit_visible``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today
from infra.errors import Forbidden, NotVisible
from portal.childfriendly.models import Assessment
from tenancy.models import Unit
from tenancy.service import visible_unit_ids
from tenancy.structure import parent_on, valid_on

RESOURCE = "child_friendly"


def assessments_for(caller: Caller) -> Select[tuple[Assessment, Unit]]:
    """Base statement: the assessments of the communes the caller's scope covers, with the commune."""
    return (
        select(Assessment, Unit)
        .join(Unit, Unit.id == Assessment.unit_id)
        .where(Assessment.unit_id.in_(visible_unit_ids(caller.scope)))
    )


def get_assessment(
    session: Session, caller: Caller, assessment_id: int, action: str = "read", lock: bool = False
) -> tuple[Assessment, Unit]:
    """The assessment if the caller's scope covers its commune (404 otherwise), then Casbin's check."""
    stmt = assessments_for(caller).where(Assessment.id == assessment_id)
    if lock:
        stmt = stmt.with_for_update(of=Assessment)
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise NotVisible(
            "assessment not found", resource=RESOURCE, action=action, resource_ids=[assessment_id]
        )
    assessment, unit = row
    authorize(caller, RESOURCE, action, unit)
    return assessment, unit


def reviewer_unit(session: Session, unit: Unit, year: int) -> Unit:
    """The level above the commune at the year's end (today while it runs): its district, or its
    province where it has none (since the 2025 reform); a district since abolished hands over to its
    province."""
    on = min(date(year, 12, 31), today())
    above = parent_on(session, unit, on) or unit
    while above.level == "district" and not valid_on(above, today()) and above.parent_id is not None:
        parent = session.get(Unit, above.parent_id)
        if parent is None:
            break
        above = parent
    return above


def is_owner(caller: Caller, unit: Unit) -> bool:
    """The commune's own staff."""
    return caller.unit is not None and caller.unit.id == unit.id and caller.scope.until is None


def require_owner(caller: Caller, unit: Unit, action: str) -> None:
    if not is_owner(caller, unit):
        raise Forbidden(
            f"only the staff of {unit.name} may {action} its assessment",
            resource=RESOURCE,
            action=action,
            unit_id=unit.id,
        )


def is_reviewer(session: Session, caller: Caller, unit: Unit, year: int) -> bool:
    return (
        caller.unit is not None
        and caller.scope.until is None
        and caller.unit.id == reviewer_unit(session, unit, year).id
    )


def require_reviewer(session: Session, caller: Caller, unit: Unit, year: int, action: str) -> Unit:
    reviewer = reviewer_unit(session, unit, year)
    if not is_reviewer(session, caller, unit, year):
        raise Forbidden(
            f"only the staff of {reviewer.name} (the level above) may {action} this assessment",
            resource=RESOURCE,
            action=action,
            unit_id=unit.id,
        )
    return reviewer
