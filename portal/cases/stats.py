"""Case counts by status and type for a subtree, from the SECURITY DEFINER function ``case_stats``.

Exact only for the ward officers of a commune covering the unit (they see every case there); for anyone
else — collaborators included, who do not see the cases of their own hamlet — cells from 1 to 4 show as
"<5", with a complementary cell hidden where one could be recovered from the total.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.guards import authorize
from portal.audit.aggregate import audit_aggregate
from portal.auth.caller import Caller
from portal.cases.access import ward_root
from portal.cases.reference import CASE_TYPES, STATUSES
from portal.errors import FieldError, ValidationFailed
from portal.plausible import period_day
from portal.stats.suppression import K, suppress_cell, suppress_partition
from tenancy.models import Unit
from tenancy.scope import in_subtree


def case_stats(
    session: Session, caller: Caller, unit: Unit, received_from: date | None, received_to: date | None
) -> dict[str, Any]:
    authorize(caller, "stats", "read", unit)
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
    total = raw.get("total", {}).get("", 0)
    by_status = {s: raw.get("status", {}).get(s, 0) for s, *_ in STATUSES}
    by_type = {t: raw.get("type", {}).get(t, 0) for t, *_ in CASE_TYPES}
    exact = in_subtree(unit.path, ward_root(caller))
    audit_aggregate(
        caller, "case_stats", unit.id, {"from": received_from, "to": received_to, "suppressed": not exact}
    )
    return {
        "unit": unit.ref(),
        "received_from": received_from.isoformat() if received_from else None,
        "received_to": received_to.isoformat() if received_to else None,
        "suppressed": not exact,
        "suppression_threshold": None if exact else K,
        "total": total if exact else suppress_cell(total),
        "by_status": dict(by_status) if exact else suppress_partition(by_status, total),
        "by_type": dict(by_type) if exact else suppress_partition(by_type, total),
    }
