"""The decision's criteria, indicators, points and thresholds (``data/criteria.json``), and the scoring.

Scoring is pure: an indicator's value gives its points by its bands; a criterion's points are the sum
of its indicators'; a commune is recognised when no criterion is at 0 and the total reaches its
category's threshold. Points are never typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "criteria.json"
KINDS = ("flag", "rate_min", "rate_max", "count_max")
COMPUTED_SOURCES = (
    "staff.officer",
    "staff.collaborators",
    "registry.birth_registration",
    "cases.abused",
    "reports.injuries",
    "reports.injury_deaths",
    "reports.water_points",
    "registry.special_assisted",
    "cases.plans_in_time",
)


@dataclass(frozen=True)
class Indicator:
    code: str
    criterion: int
    kind: str
    source: str
    bands: tuple[tuple[float, int], ...]
    if_none: int
    paraphrased: bool
    text: dict[str, str]

    @property
    def computed(self) -> bool:
        return self.source != "entered"

    @property
    def max_points(self) -> int:
        return max(points for _, points in self.bands)

    def points(self, value: dict[str, Any] | None) -> int | None:
        """Points for ``value`` ({flag} / {numerator, denominator} / {count}); None while not given."""
        if not value:
            return None
        if self.kind == "flag":
            flag = value.get("flag")
            return None if flag is None else (self.bands[0][1] if flag else 0)
        if self.kind == "count_max":
            count = value.get("count")
            if count is None:
                return None
            return next((p for limit, p in self.bands if count <= limit), 0)
        num, den = value.get("numerator"), value.get("denominator")
        if num is None or den is None:
            return None
        if den == 0:
            return self.if_none
        pct = 100.0 * num / den
        if self.kind == "rate_min":
            return next((p for limit, p in self.bands if pct >= limit), 0)
        return next((p for limit, p in self.bands if pct <= limit), 0)


@dataclass(frozen=True)
class Criterion:
    no: int
    code: str
    points: int
    citation: str
    indicators: tuple[Indicator, ...]
    text: dict[str, str]


@dataclass(frozen=True)
class Category:
    code: str
    threshold: int
    text: dict[str, str]


@dataclass(frozen=True)
class Criteria:
    decision: dict[str, Any]
    categories: dict[str, Category]
    criteria: tuple[Criterion, ...]

    @property
    def indicators(self) -> dict[str, Indicator]:
        return {i.code: i for c in self.criteria for i in c.indicators}


def _texts(spec: dict[str, Any], *names: str) -> dict[str, str]:
    return {
        f"{n}_{lang}": spec[f"{n}_{lang}"] for n in names for lang in ("vi", "en") if f"{n}_{lang}" in spec
    }


def parse(raw: dict[str, Any]) -> Criteria:
    """Build and check the criteria: known kinds and sources, bands within the criterion's points,
    criteria numbered 1..13 and worth ``total_points`` together."""
    criteria = []
    for c in raw["criteria"]:
        indicators = []
        for i in c["indicators"]:
            if i["kind"] not in KINDS or (i["source"] != "entered" and i["source"] not in COMPUTED_SOURCES):
                raise ValueError(f"indicator {i['code']}: unknown kind or source")
            indicators.append(
                Indicator(
                    code=i["code"],
                    criterion=c["no"],
                    kind=i["kind"],
                    source=i["source"],
                    bands=tuple((float(b[0]), int(b[1])) for b in i["bands"]),
                    if_none=int(i.get("if_none", 0)),
                    paraphrased=bool(i["paraphrased"]),
                    text=_texts(i, "name", "numerator", "denominator"),
                )
            )
        criterion = Criterion(
            c["no"], c["code"], c["points"], c["citation"], tuple(indicators), _texts(c, "name")
        )
        if sum(i.max_points for i in criterion.indicators) != criterion.points:
            raise ValueError(
                f"criterion {criterion.no}: its indicators' points do not add up to {criterion.points}"
            )
        criteria.append(criterion)
    if [c.no for c in criteria] != list(range(1, 14)):
        raise ValueError("the decision has 13 criteria, numbered 1 to 13")
    if sum(c.points for c in criteria) != raw["decision"]["total_points"]:
        raise ValueError("the criteria's points do not add up to the total")
    categories = {
        k["code"]: Category(k["code"], k["threshold"], _texts(k, "name")) for k in raw["categories"]
    }
    return Criteria(raw["decision"], categories, tuple(criteria))


@lru_cache(maxsize=1)
def load(path: Path = DATA) -> Criteria:
    return parse(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Score:
    """The points of every indicator and criterion, the total and the outcome against a threshold."""

    indicator_points: dict[str, int | None]
    criterion_points: dict[int, int]
    total: int
    threshold: int
    missing: list[str]
    zero_criteria: list[int]

    @property
    def criteria_met(self) -> int:
        return sum(1 for p in self.criterion_points.values() if p > 0)

    @property
    def qualifies(self) -> bool:
        """Every indicator given, every criterion above 0, the total at or above the threshold."""
        return not self.missing and not self.zero_criteria and self.total >= self.threshold


def score(criteria: Criteria, values: dict[str, dict[str, Any]], category: str) -> Score:
    """Score ``values`` (by indicator code) for a commune of ``category``."""
    points = {code: ind.points(values.get(code)) for code, ind in criteria.indicators.items()}
    per_criterion = {c.no: sum(points[i.code] or 0 for i in c.indicators) for c in criteria.criteria}
    return Score(
        indicator_points=points,
        criterion_points=per_criterion,
        total=sum(per_criterion.values()),
        threshold=criteria.categories[category].threshold,
        missing=[code for code, p in points.items() if p is None],
        zero_criteria=[no for no, p in per_criterion.items() if p == 0],
    )
