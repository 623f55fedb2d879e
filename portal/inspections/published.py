"""What a reader sees of one stored check: the disclosure policy (portal.stats.disclosure) applied to
inspection evidence.

- The outcome (pass, fail, no data) is the inspection's finding: computed on the exact values and
  shown to every reader of the plan.
- Counts of children and cases, and the values built on them, are exact only for the readers who keep
  the audited unit's records (its ward officers). Everyone else — the inspecting side, district
  officers, the report PDF — sees each count as :func:`~portal.stats.disclosure.publish` shows it from
  the count and its key sum (so the same children give the same figure here as in every statistic), a
  rate only from published counts (none when one is "<5"), and every count of a check as "<5" when the
  check counts from 1 to 4 children. A count stored without a key sum (checks run before the key sums
  existed) is withheld (None) until the checks run again.
- Anonymous ids only for those record keepers; others get no ids and no count of them.
- Key sums never leave the server.
Counts of reports, water points and staff are not about children and are shown as they are.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from portal.inspections.checks import ANONYMOUS_IDS, KEYSUMS
from portal.stats.disclosure import BIG, Cell, Shown, period_key, publish, publish_table, rate
from portal.stats.months import month_start

# The counts of children or cases in each item's evidence; the first is the table's total when the
# others are parts of it (a check about fewer than 5 children shows all its counts as "<5").
CHILD_COUNTS: dict[str, tuple[str, ...]] = {
    "data_completeness": (
        "children",
        "incomplete",
        "no_guardian",
        "no_household",
        "no_address",
        "birth_unregistered",
    ),
    "support_share": ("special", "supported"),
    "overdue_cases": ("late_steps", "cases_late", "received"),
}
TABLES = {"data_completeness", "support_share"}
COMPLETE = "complete"  # children - incomplete: the numerator of data completeness (not shown itself)

Value = float | Shown | None


def _published_counts(item: str, evidence: dict[str, Any], period: str) -> dict[str, Shown | None]:
    names = CHILD_COUNTS[item]
    keys: dict[str, int] = evidence.get(KEYSUMS) or {}
    cells: dict[str, Cell] = {
        name: (int(evidence[name]), int(keys[name])) for name in names if name in evidence and name in keys
    }
    if item == "data_completeness" and {"children", "incomplete"} <= cells.keys():
        (n, key), (bad, bad_key) = cells["children"], cells["incomplete"]
        cells[COMPLETE] = (n - bad, (key - bad_key) % BIG)
    total = cells.get(names[0]) if item in TABLES else None
    if total is not None:
        shown: dict[str, Shown] = publish_table({"t": cells}, total, period)["t"]
    else:
        shown = {name: publish(n, key, period) for name, (n, key) in cells.items()}
    return {name: shown.get(name) for name in (*names, COMPLETE) if name in evidence or name in shown}


def _published_value(item: str, counts: dict[str, Shown | None], stored: float | None) -> Value:
    if item == "data_completeness":
        return rate(counts.get(COMPLETE), counts.get("children"))
    if item == "support_share":
        return rate(counts.get("supported"), counts.get("special"))
    if item == "overdue_cases":  # the value is the count of late steps itself
        return counts.get("late_steps")
    return stored


def check_period(item: str, start: date, end: date) -> str:
    """The period a check's counts are published for: children counted at the plan's last month end
    read as ``/stats`` of that month; cases and steps of the plan's months as case counts of them."""
    return period_key(month_start(end)) if item in TABLES else period_key(start, end)


def shown_check(
    item: str, value: Decimal | None, evidence: dict[str, Any], exact: bool, period: str
) -> tuple[Value, dict[str, Any]]:
    """The value and the evidence of one check as this reader sees them (``exact``: keeps the records;
    ``period``: from :func:`check_period`)."""
    stored = float(value) if value is not None else None
    if exact:
        return stored, {k: v for k, v in evidence.items() if k != KEYSUMS}
    shown = {k: v for k, v in evidence.items() if k not in (KEYSUMS, ANONYMOUS_IDS)}
    if item not in CHILD_COUNTS:
        return stored, shown
    counts = _published_counts(item, evidence, period)
    shown.update({k: v for k, v in counts.items() if k in evidence})
    return _published_value(item, counts, stored), shown
