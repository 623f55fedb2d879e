"""Units: a unit, its sub-units, its children (records) and its statistics (aggregates)."""

from __future__ import annotations

from datetime import date

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter
from sqlalchemy.orm import Session

from authz.caller import last_day, reading_history
from authz.guards import authorize
from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.registry.responses import ChildOut
from portal.registry.service import list_children
from portal.shapes import UnitRefOut
from portal.stats.responses import UnitOut, UnitStatsOut
from portal.stats.service import unit_stats
from tenancy.models import Unit
from tenancy.service import child_units, get_unit


def _unit(db: Session, unit_id: int) -> Unit:
    unit = get_unit(db, unit_id)
    if unit is None:
        raise NotFoundException(f"unit {unit_id} does not exist")
    return unit


@get("/api/v1/units/{unit_id:int}", sync_to_thread=False, tags=["units"])
def read_unit(unit_id: FromPath[int], caller: CallerDep, db: DbDep) -> UnitOut:
    unit = _unit(db, unit_id)
    with reading_history(db, caller, unit, last_day(unit)) as reader:  # a former unit that became theirs
        authorize(reader, "unit", "read", unit)
    return UnitOut.of(
        {
            **unit.ref(),
            "kind": unit.kind,
            "parent_id": unit.parent_id,
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        }
    )


@get("/api/v1/units/{unit_id:int}/units", sync_to_thread=False, tags=["units"], summary="Direct sub-units")
def read_sub_units(unit_id: FromPath[int], caller: CallerDep, db: DbDep) -> Page[UnitRefOut]:
    unit = _unit(db, unit_id)
    with reading_history(db, caller, unit, last_day(unit)) as reader:
        authorize(reader, "unit", "read", unit)
    return Page.whole([UnitRefOut.of(u.ref()) for u in child_units(db, unit.id)])


@get(
    "/api/v1/units/{unit_id:int}/children",
    sync_to_thread=False,
    tags=["registry"],
    summary="Children in the unit's subtree that the caller may see",
)
def read_unit_children(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    page: int = Parameter(default=1),
    page_size: int = Parameter(default=20),
    q: str | None = Parameter(default=None, description="name (accent-insensitive) or 12-digit id"),
    group: str | None = Parameter(default=None, description="special-circumstance group code (Art. 10)"),
    status: str = Parameter(default="active"),
    risk: str | None = Parameter(default=None, description="an at-risk flag's code, e.g. poor_household"),
) -> Page[ChildOut]:
    result = list_children(
        db, caller, _unit(db, unit_id), page, page_size, q, group, status, records=True, risk=risk
    )
    return Page.of(result, ChildOut.of)


@get(
    "/api/v1/units/{unit_id:int}/stats",
    sync_to_thread=False,
    tags=["stats"],
    summary="Counts by sex, age band, group, risk and support",
    description=(
        "Exact and live, on any day, for the unit's record keepers. Everyone else reads month ends only "
        "(`as_of` the last day of an ended month kept by the statistics layer; default the last ended "
        'month), every count published with cell-key perturbation and cells of 1 to 4 as "<5", plus the '
        "month's entries and exits (see `disclosure` in the answer)."
    ),
)
def read_unit_stats(
    unit_id: FromPath[int],
    caller: CallerDep,
    db: DbDep,
    as_of: date | None = Parameter(
        default=None,
        description="record keepers: any day up to today; others: the last day of an ended month",
    ),
    structure: str = Parameter(
        default="current", description="current: today's tree; historical: the tree in force on as_of"
    ),
) -> UnitStatsOut:
    return UnitStatsOut.of(unit_stats(db, caller, _unit(db, unit_id), as_of, structure))
