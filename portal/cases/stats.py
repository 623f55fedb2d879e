"""Case counts by status and type for a subtree.

Exact and live (the SECURITY DEFINER function ``case_stats``, any dates) only for the ward officers of
a commune covering the unit: they see every case there. Everyone else — collaborators included, who do
not see the cases of their own hamlet — reads whole ended months from the statistics layer (cases are
counted in their month of receipt), the months' counts and key sums added up and then published
through portal.stats.disclosure: small cells "<5", the others perturbed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.errors import FieldError, ValidationFailed
from portal.audit.aggregate import audit_aggregate
from portal.cases.access import in_ward
from portal.cases.reference import CASE_TYPES, STATUSES
from portal.plausible import period_day
from portal.stats import layer
from portal.stats.disclosure import (
    Cell,
    K,
    Shown,
    aggregate_months,
    period_key,
    publish_table,
)
from portal.stats.months import month_end, month_start
from portal.stats.service import DISCLOSURE
from tenancy.models import Unit

CASE_DIMENSIONS = {"case_total": ("",), "case_status": tuple(s for s, *_ in STATUSES)}
CASE_DIMENSIONS["case_type"] = tuple(t for t, *_ in CASE_TYPES)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from ``first`` to ``last`` (both first days), in order."""
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = month_end(month) + timedelta(days=1)
    return out


def published_cases(by_month: dict[date, dict[str, dict[str, Cell]]], months: list[date]) -> dict[str, Any]:
    """The cases received in ``months`` as an aggregate-only reader sees them: each cell's counts and key
    sums added over the months, then published (so a period reads the same wherever it is shown)."""
    table: dict[str, dict[str, Cell]] = {}
    for dim, keys in CASE_DIMENSIONS.items():
        table[dim] = {}
        for key in keys:
            n = keysum = 0
            for month in months:
                cell_n, cell_sum = by_month.get(month, {}).get(dim, {}).get(key, (0, 0))
                n, keysum = n + cell_n, keysum + cell_sum
            table[dim][key] = (n, keysum)
    period = period_key(months[0], months[-1]) if months else ""
    shown: dict[str, dict[str, Shown]] = publish_table(table, table["case_total"][""], period)
    return shown


def case_stats(
    session: Session, caller: Caller, unit: Unit, received_from: date | None, received_to: date | None
) -> dict[str, Any]:
    authorize(caller, "stats", "read", unit)
    if in_ward(caller, unit.path):
        return _exact(session, caller, unit, received_from, received_to)
    return _published(session, caller, unit, received_from, received_to)


def _published(
    session: Session, caller: Caller, unit: Unit, received_from: date | None, received_to: date | None
) -> dict[str, Any]:
    first, last = aggregate_months("from", received_from, "to", received_to)
    kept = layer.window_start()
    if received_from is None:
        first = kept
    elif first < kept:
        raise ValidationFailed(
            [FieldError("from", f"must not be before {kept.isoformat()}", "before_window")]
        )
    if first > last:
        raise ValidationFailed([FieldError("to", "is before from", "range")])
    months = months_between(first, last)
    shown = published_cases(layer.read(session, unit, months), months)
    audit_aggregate(
        caller, "case_stats", unit.id, {"from": received_from, "to": received_to, "suppressed": True}
    )
    return {
        "unit": unit.ref(),
        "received_from": first.isoformat(),
        "received_to": month_end(last).isoformat(),
        "suppressed": True,
        "suppression_threshold": K,
        "disclosure": DISCLOSURE,
        "total": shown["case_total"][""],
        "by_status": shown["case_status"],
        "by_type": shown["case_type"],
    }


def _exact(
    session: Session, caller: Caller, unit: Unit, received_from: date | None, received_to: date | None
) -> dict[str, Any]:
    errors: list[FieldError] = []
    if received_from and received_to and received_from > received_to:
        errors.append(FieldError("to", "is before from", "range"))
    errors += period_day("from", received_from) + period_day("to", received_to)
    if errors:
        raise ValidationFailed(errors)
    raw: dict[str, dict[str, int]] = {}
    fn = func.case_stats(unit.path, received_from, received_to).table_valued("dimension", "key", "n")
    for dimension, key, n in session.execute(select(fn)).tuples():
        raw.setdefault(dimension, {})[key] = int(n)
    audit_aggregate(
        caller, "case_stats", unit.id, {"from": received_from, "to": received_to, "suppressed": False}
    )
    return {
        "unit": unit.ref(),
        "received_from": received_from.isoformat() if received_from else None,
        "received_to": received_to.isoformat() if received_to else None,
        "suppressed": False,
        "suppression_threshold": None,
        "disclosure": None,
        "total": raw.get("total", {}).get("", 0),
        "by_status": {s: raw.get("status", {}).get(s, 0) for s, *_ in STATUSES},
        "by_type": {t: raw.get("type", {}).get(t, 0) for t, *_ in CASE_TYPES},
    }
