"""Which re-checks and which sampled records a caller reads: every query of the re-checks starts here.

Row-level security (migration 0029) repeats each rule in the database: ``app_recheck_visible`` for the
re-checks, ``app_recheck_records_readable`` for the sampled records (pseudonym -> child, observed values)
and ``children_rechecked`` for the children themselves.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from authz.caller import Caller
from portal.rechecks.models import Recheck, RecheckRecord
from portal.registry.access import children_for
from portal.registry.models import Child
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause


def rechecks_for(caller: Caller) -> Select[tuple[Recheck]]:
    """Base statement: the re-checks the caller drew or re-checks, those of units of their area when they
    keep no records (districts, provinces: counts only), and their own unit's once completed."""
    area = subtree_clause(Unit.path, caller.scope.aggregates if caller.scope.records is None else None)
    kept = and_(Recheck.state == "completed", subtree_clause(Unit.path, caller.scope.records))
    return (
        select(Recheck)
        .join(Unit, Unit.id == Recheck.unit_id)
        .where(or_(Recheck.sampler_id == caller.user_id, Recheck.rechecker_id == caller.user_id, area, kept))
    )


def may_sample(caller: Caller, unit: Unit) -> bool:
    """The unit lies in the caller's own area (their aggregate scope and below their own unit)."""
    own = caller.unit.path if caller.unit is not None else None
    return in_subtree(unit.path, caller.scope.aggregates) and in_subtree(unit.path, own)


def may_name(sampler_unit: Unit, rechecker_unit: Unit) -> bool:
    """A re-checker works at the sampler's unit or below it."""
    return in_subtree(rechecker_unit.path, sampler_unit.path)


def keeps_records_of(caller: Caller, unit: Unit) -> bool:
    """The caller keeps the records of ``unit`` (its ward officer; a collaborator of that hamlet)."""
    return in_subtree(unit.path, caller.scope.records)


def in_area(caller: Caller, unit: Unit) -> bool:
    """The unit lies in the caller's aggregate area, and the caller keeps no records."""
    return caller.scope.records is None and in_subtree(unit.path, caller.scope.aggregates)


def active_for(caller: Caller) -> ColumnElement[bool]:
    """SQL: the re-check is the caller's to re-check now (open, not expired; the database's clock)."""
    return and_(
        Recheck.rechecker_id == caller.user_id,
        Recheck.state == "open",
        Recheck.expires_at > func.now(),
    )


def rechecked_child(caller: Caller, recheck_id: int, pseudo: str) -> Select[tuple[Child]]:
    """The child sampled under ``pseudo`` for a re-check the caller re-checks now, and no other."""
    sampled = (
        select(RecheckRecord.child_id)
        .join(Recheck, Recheck.id == RecheckRecord.recheck_id)
        .where(RecheckRecord.recheck_id == recheck_id, RecheckRecord.pseudo == pseudo, active_for(caller))
    )
    return select(Child).where(Child.id.in_(sampled))


def kept_records(caller: Caller, recheck_id: int) -> Select[tuple[RecheckRecord, Child]]:
    """A completed re-check's records with their children, for the unit's own record keepers."""
    keeper = children_for(caller).subquery()
    return (
        select(RecheckRecord, Child)
        .join(Child, Child.id == RecheckRecord.child_id)
        .join(Recheck, Recheck.id == RecheckRecord.recheck_id)
        .where(
            RecheckRecord.recheck_id == recheck_id,
            Recheck.state == "completed",
            Child.id.in_(select(keeper.c.id)),
        )
        .order_by(RecheckRecord.seq)
    )
