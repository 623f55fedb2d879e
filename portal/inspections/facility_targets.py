"""Inspections of child-assistance facilities (portal.registers): a plan's target may name a facility,
whose unit (the commune, district or province that manages it) is the target's unit. The plan, the
findings, the recommendations to that unit (or below it) and their follow-up are those of any target;
a facility has no automated checklist (``facility_view`` reads a facility's inspections).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.errors import FieldError
from portal.inspections.access import within
from portal.registers.models import Facility
from tenancy.models import Unit

MAX_FACILITIES = 50


def audited_facilities(
    session: Session, root: Unit, ids: list[int], errors: list[FieldError]
) -> list[Facility]:
    """The facilities a plan made at ``root`` may audit: managed by ``root`` or a unit below it, open.
    Each refused id is named (field ``facility_ids``)."""
    if len(ids) > MAX_FACILITIES:
        errors.append(
            FieldError("facility_ids", f"must list at most {MAX_FACILITIES} facilities", "too_many")
        )
        return []
    found = {
        f.id: (f, u)
        for f, u in session.execute(
            select(Facility, Unit).join(Unit, Unit.id == Facility.unit_id).where(Facility.id.in_(ids))
        ).tuples()
    }
    out: list[Facility] = []
    for fid in dict.fromkeys(ids):
        row = found.get(fid)
        if row is None:
            errors.append(FieldError("facility_ids", f"no facility has id {fid}", "unknown"))
        elif not within(row[1], root):
            errors.append(
                FieldError("facility_ids", f"{row[0].name} is not managed by {root.name} or below", "outside")
            )
        elif row[0].closed_on is not None:
            errors.append(FieldError("facility_ids", f"{row[0].name} is closed", "closed"))
        else:
            out.append(row[0])
    return out


def facility_ref(session: Session, facility_id: int | None) -> dict[str, Any] | None:
    if facility_id is None:
        return None
    facility = session.get(Facility, facility_id)
    return None if facility is None else {"id": facility.id, "name": facility.name}
