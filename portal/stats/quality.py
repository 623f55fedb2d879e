"""Data-quality figures of a unit: how many active children have a complete record (a personal
identification number that fits, name, date of birth, sex, ethnicity and a parent or guardian) and how
many numbers the police verified (Project 06).

Two readings, chosen by who asks, as for ``/stats`` (portal.stats.service):

- the unit's record keepers get the exact, live counts and percentages;
- everyone else whose aggregate scope covers the unit (district officers, provincial inspectors) gets
  the two percentages only, each computed from counts published through the disclosure policy
  (:func:`portal.stats.disclosure.publish`: cell-key perturbation, counts from 1 to 4 hidden) and
  rounded to a whole percent; none when a count is hidden. The counts themselves are not shown to them:
  they read children counts at month ends only (``/stats``), and a live count every day would let them
  step through the register.

The counts come from the database's ``child_quality_counts`` (SECURITY DEFINER: it counts rows the
caller may not read, after checking the caller's scope itself); only counts and cell keys leave it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today
from portal.audit.aggregate import audit_aggregate
from portal.stats.access import keeps_records
from portal.stats.disclosure import K, period_key, publish
from portal.stats.months import month_start
from tenancy.models import Unit

DIMENSIONS = ("total", "complete", "verified", "no_id", "id_mismatch", "missing_info")


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def counts(session: Session, unit: Unit) -> dict[str, tuple[int, int]]:
    """(count, cell key) per dimension for ``unit``'s subtree; the database checks the scope."""
    found = {d: (0, 0) for d in DIMENSIONS}
    rows = session.execute(
        select(func.child_quality_counts(unit.path).table_valued("dimension", "n", "key_sum"))
    ).tuples()
    for dimension, n, key_sum in rows:
        found[dimension] = (int(n), int(key_sum))
    return found


def _published_pct(part: tuple[int, int], whole: tuple[int, int], period: str) -> int | None:
    shown_part, shown_whole = publish(*part, period), publish(*whole, period)
    if not isinstance(shown_part, int) or not isinstance(shown_whole, int) or shown_whole == 0:
        return None
    return min(100, round(100 * shown_part / shown_whole))


def unit_quality(session: Session, caller: Caller, unit: Unit) -> dict[str, Any]:
    """The figures of ``unit``: exact for its record keepers, published percentages for the others."""
    authorize(caller, "stats", "read", unit)
    found = counts(session, unit)
    exact = keeps_records(caller, unit)
    audit_aggregate(caller, "data_quality", unit.id, {"suppressed": not exact})
    total = found["total"][0]
    if exact:
        return {
            "unit": unit.ref(),
            "exact": True,
            "disclosure": None,
            "total": total,
            "complete": found["complete"][0],
            "verified": found["verified"][0],
            "complete_pct": _pct(found["complete"][0], total),
            "verified_pct": _pct(found["verified"][0], total),
            "problems": {p: found[p][0] for p in ("no_id", "id_mismatch", "missing_info")},
        }
    period = period_key(month_start(today()))
    return {
        "unit": unit.ref(),
        "exact": False,
        "disclosure": {"method": "cell-key perturbation", "hidden_below": K, "shown": "percentages only"},
        "total": None,
        "complete": None,
        "verified": None,
        "complete_pct": _published_pct(found["complete"], found["total"], period),
        "verified_pct": _published_pct(found["verified"], found["total"], period),
        "problems": None,
    }
