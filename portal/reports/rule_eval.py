"""Checking one report against the validation rules (portal.reports.rules): which rules fail, with the
figures that make them fail.

A rule is skipped, never failed, while one of its typed cells is still empty in a draft (it cannot be
judged yet), when the report does not hold one of its cells (an older catalogue, another definition),
and, for a history rule, while the unit has fewer approved past periods holding the cells than the
rule's ``min_periods``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from portal.reports import figures as fig
from portal.reports.models import Report
from portal.reports.rule_sources import Past, cells_sum, history, record_count
from portal.reports.rules import Rule, rules_for
from tenancy.models import Unit

COMPARE: dict[str, Callable[[int, int], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}
MAD_SCALE = 1.4826  # MAD to a standard deviation for normally spread counts
MIN_SPREAD = 1.0  # a unit whose past counts never varied still tolerates a difference of k


@dataclass(frozen=True)
class Failure:
    """A rule the report fails, and the figures that make it fail (counts, no personal data)."""

    rule: Rule
    left: int
    right: int | None = None  # the right side of a cells or records rule
    low: float | None = None  # a history rule's accepted band
    high: float | None = None
    past: list[Past] = field(default_factory=list)

    def detail(self) -> dict[str, Any]:
        """What is stored with the finding and shown to readers who keep the unit's records."""
        return {
            "left": self.left,
            "right": self.right,
            "low": self.low,
            "high": self.high,
            "history": [{"period": p.period, "value": p.value} for p in self.past],
        }

    def explain(self) -> str:
        """The failure in English, for the API's error message."""
        rule = self.rule
        left = " + ".join(rule.left)
        if rule.kind == "history":
            return f"{left} = {self.left} is outside {self.low:g}..{self.high:g} (the unit's past periods)"
        right = " + ".join(rule.right) if rule.kind == "cells" else str(rule.records)
        return f"{left} = {self.left} must be {rule.op} {right} = {self.right}"


def _band(rule: Rule, values: list[int]) -> tuple[float, float]:
    if rule.method == "range":
        return float(min(values)), float(max(values))
    middle = float(median(values))
    spread = max(MAD_SCALE * float(median([abs(v - middle) for v in values])), MIN_SPREAD)
    return max(middle - rule.k * spread, 0.0), middle + rule.k * spread


def _check(
    session: Session, caller: Caller, report: Report, unit: Unit, rule: Rule, settled: set[str]
) -> Failure | None:
    if not all(term in settled for term in rule.terms):
        return None  # a box of the draft still empty: judged once it is filled
    left = cells_sum(report.figures, rule.left)
    if left is None:
        return None
    if rule.kind == "history":
        past = history(session, caller, report, rule.left, rule.periods)
        if len(past) < rule.min_periods:
            return None
        low, high = _band(rule, [p.value for p in past])
        return None if low <= left <= high else Failure(rule, left, low=low, high=high, past=past)
    if rule.kind == "records":
        assert rule.records is not None
        right = record_count(session, rule.records, unit, report.period_start, report.period_end)
    else:
        found = cells_sum(report.figures, rule.right)
        if found is None:
            return None
        right = found
    assert rule.op is not None
    return None if COMPARE[rule.op](left, right) else Failure(rule, left, right)


def evaluate(
    session: Session, caller: Caller, report: Report, catalog: fig.Catalog, unit: Unit
) -> list[Failure]:
    """The rules the report fails at its unit's level, in the file's order (the caller's scope must cover
    the unit: its owner, or a reader above)."""
    settled = fig.settled(catalog, unit.level, report.entered)
    failures = []
    for rule in rules_for(catalog, unit.level):
        failure = _check(session, caller, report, unit, rule, settled)
        if failure is not None:
            failures.append(failure)
    return failures
