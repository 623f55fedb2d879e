"""What a planner may choose when planning an inspection (the pages' form): the units that may be
audited, the officers who may join the team, and the months that may be inspected.

The same rules as :func:`portal.inspections.service.create_plan`, which checks every choice again:
Casbin ``inspection`` ``plan`` at the caller's own unit; districts and communes strictly below it, in
force today; active district officers and provincial inspectors of its subtree; whole months that have
ended, within the months the statistics layer keeps (the planners read aggregates only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.errors import Forbidden
from portal.auth.models import User
from portal.inspections.access import team_candidates
from portal.inspections.service import AUDITABLE
from portal.stats import layer
from portal.stats.disclosure import last_complete_month
from portal.stats.months import add_months
from tenancy.models import Unit
from tenancy.service import natural_key, units_below

MONTHS_OFFERED = 36


@dataclass(frozen=True)
class Choices:
    units: list[tuple[Unit, int]]  # (unit, depth below the planner's unit, from 0), in tree order
    team: list[tuple[User, Unit]]
    months: list[date]  # first days, newest first


def _tree_order(root: Unit, units: list[Unit]) -> list[tuple[Unit, int]]:
    """Each unit after its parent, siblings read naturally ("Xã 2" before "Xã 10")."""
    below: dict[int | None, list[Unit]] = {}
    for unit in units:
        below.setdefault(unit.parent_id, []).append(unit)
    out: list[tuple[Unit, int]] = []

    def walk(parent_id: int, depth: int) -> None:
        for unit in sorted(below.get(parent_id, []), key=lambda u: natural_key(u.name)):
            out.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(root.id, 0)
    return out


def months_offered() -> list[date]:
    """The ended months an inspection may cover, newest first."""
    first, month = layer.window_start(), last_complete_month()
    out: list[date] = []
    while month >= first and len(out) < MONTHS_OFFERED:
        out.append(month)
        month = add_months(month, -1)
    return out


def planning_choices(session: Session, caller: Caller) -> Choices:
    """The form's choices; refused (403) to anyone who may not plan from their unit."""
    authorize_action(caller, "inspection", "plan")
    if caller.unit is None:
        raise Forbidden("your account has no unit to inspect from", resource="inspection", action="plan")
    root = caller.unit
    authorize(caller, "inspection", "plan", root)
    units = [u for u in units_below(session, root, current=True) if u.level in AUDITABLE and u.id != root.id]
    team = list(session.execute(team_candidates(root)).tuples())
    team.sort(key=lambda row: (row[1].path, natural_key(row[0].full_name)))
    return Choices(units=_tree_order(root, units), team=team, months=months_offered())
