"""The tile grid's classes: the breaks that colour the sub-units' tiles by the chosen indicator, and
the class of each tile (``portal.reports.dashboard_view``). Breaks come from the figures as the reader
sees them, so they tell nothing the figures do not."""

from __future__ import annotations

from typing import Any

from portal.stats.disclosure import HIDDEN

RATE_CLASSES = 4
TILE_OF_NOTE = {
    "no_report": "none",
    "not_in_force": "off",
    "not_applicable": "na",
    "not_held": "na",
    "unknown": "unknown",
}
"""The tile class of a sub-unit without a value, by the reason it has none."""
COUNT_STEPS = (5, 10, 20, 25, 50)


def classes(rate: bool, target: float, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tiles' classes: ``{"key", "low", "high"}`` (``low`` excluded, ``high`` included for counts;
    ``low`` included, ``high`` excluded for rates), each row given its ``tile`` class. Rates are classed
    against the target (below 50%, below 80%, below the target, met); counts in four round steps above
    0. Rows without a value take the class of their note."""
    if rate:
        bounds = [b for b in (50.0, 80.0) if b < target] + [target]
        lows = [0.0, *bounds]
        keys = [f"r{i}" for i in range(len(bounds))] + [f"r{RATE_CLASSES - 1}"]
        found = [
            {"key": key, "low": low, "high": lows[i + 1] if i + 1 < len(lows) else None}
            for i, (key, low) in enumerate(zip(keys, lows, strict=True))
        ]
    else:
        most = max([v for v in (r["value"] for r in rows) if isinstance(v, int)] or [0])
        step = next(s * 10**e for e in range(0, 12) for s in COUNT_STEPS if 4 * s * 10**e >= most)
        found = [{"key": "c0", "low": None, "high": 0}] + [
            {"key": f"c{k}", "low": (k - 1) * step, "high": k * step if k < 4 else None} for k in range(1, 5)
        ]
    for row in rows:
        row["tile"] = _tile(row, found, rate)
    return found


def _tile(row: dict[str, Any], found: list[dict[str, Any]], rate: bool) -> str:
    value = row["value"]
    special = TILE_OF_NOTE.get(row["note"] or "")
    if special is not None:
        return special
    if value == HIDDEN:
        value = 1
    if not isinstance(value, int | float):
        return "unknown"
    for cls in found:
        low, high = cls["low"], cls["high"]
        inside = (
            (low is None or value >= low) and (high is None or value < high)
            if rate
            else (low is None or value > low) and (high is None or value <= high)
        )
        if inside:
            return str(cls["key"])
    return str(found[-1]["key"])
