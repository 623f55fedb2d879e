"""Counts of children by sex, age band, special-circumstance group, risk and support for a subtree.

Computed by the database function ``child_stats`` (SECURITY DEFINER: it counts rows the caller
may not read, after checking the caller's aggregate scope itself); only counts leave it.
Callers without record access to the unit get small cells suppressed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.guards import authorize
from infra.clock import today
from portal.audit.aggregate import audit_aggregate
from portal.auth.caller import Caller
from portal.errors import FieldError, ValidationFailed
from portal.plausible import period_day
from portal.registry.models import ReferenceCode
from portal.stats.suppression import K, suppress_cell, suppress_partition
from tenancy.models import Unit
from tenancy.scope import in_subtree

AGE_BANDS = ("0-5", "6-9", "10-13", "14-15")
SEXES = ("male", "female")


STRUCTURES = {"current": func.child_stats, "historical": func.child_stats_placed}


def unit_stats(
    session: Session, caller: Caller, unit: Unit, as_of: date | None = None, structure: str = "current"
) -> dict[str, Any]:
    """``structure``: ``current`` counts the hamlets under ``unit`` today; ``historical`` the hamlets that
    were under it on ``as_of`` (so a period before a reorganisation reads under either tree)."""
    authorize(caller, "stats", "read", unit)
    on = as_of or today()
    if on > today():
        raise ValidationFailed([FieldError("as_of", "is in the future", "future_date")])
    if wrong := period_day("as_of", on):
        raise ValidationFailed(wrong)
    if structure not in STRUCTURES:
        raise ValidationFailed([FieldError("structure", "must be 'current' or 'historical'")])
    raw: dict[str, dict[str, int]] = {}
    for dimension, key, n in session.execute(
        select(STRUCTURES[structure](unit.path, on).table_valued("dimension", "key", "n"))
    ).tuples():
        raw.setdefault(dimension, {})[key] = int(n)
    codes = {
        kind: [
            c
            for (c,) in session.execute(
                select(ReferenceCode.code).where(ReferenceCode.kind == kind).order_by(ReferenceCode.sort)
            )
        ]
        for kind in ("group", "risk", "support")
    }
    total = raw.get("total", {}).get("", 0)
    by_sex = {s: raw.get("sex", {}).get(s, 0) for s in SEXES}
    by_band = {b: raw.get("age_band", {}).get(b, 0) for b in AGE_BANDS}
    by_kind = {kind: {c: raw.get(kind, {}).get(c, 0) for c in codes[kind]} for kind in codes}
    any_kind = {kind: raw.get(kind, {}).get("", 0) for kind in codes}
    exact = in_subtree(unit.path, caller.scope.records)
    if exact:

        def cell(n: int) -> int | str:
            return n

        sex_cells: dict[str, int | str] = dict(by_sex)
        band_cells: dict[str, int | str] = dict(by_band)
    else:
        cell = suppress_cell
        sex_cells = suppress_partition(by_sex, total)
        band_cells = suppress_partition(by_band, total)
    audit_aggregate(
        caller,
        "stats",
        unit.id,
        {"as_of": on, "as_of_given": as_of is not None, "structure": structure, "suppressed": not exact},
    )
    return {
        "unit": unit.ref(),
        "as_of": on.isoformat(),
        "structure": structure,
        "suppressed": not exact,
        "suppression_threshold": None if exact else K,
        "total": cell(total),
        "by_sex": sex_cells,
        "by_age_band": band_cells,
        "by_group": {c: cell(n) for c, n in by_kind["group"].items()},
        "in_special_circumstances": cell(any_kind["group"]),
        "at_risk": cell(any_kind["risk"]),
        "by_risk": {c: cell(n) for c, n in by_kind["risk"].items()},
        "receiving_support": cell(any_kind["support"]),
        "by_support": {c: cell(n) for c, n in by_kind["support"].items()},
    }
