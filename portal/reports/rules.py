"""Validation rules kept as data (``data/validation_rules.json``), in the manner of DHIS2's.

Each rule has a code, names in both languages, a severity (``blocking`` stops a submission; a
``warning`` must be explained in a comment the approver reads) and a kind:

- ``cells``: the sum of the ``left`` cells OP the sum of the ``right`` cells (``indicator.cell``);
- ``records``: the sum of the ``left`` cells OP a count the portal holds (``records``, one of
  :data:`portal.reports.rule_sources.RECORDS`), for the unit's subtree and the report's period;
- ``history``: the sum of the ``left`` cells within the unit's own last ``periods`` approved reports of
  the same definition: their min–max (``method: range``) or median ± k·MAD (``method: mad``).

A rule applies at the levels where its cells are typed (a registry cell: the definition's lowest level,
where it is counted), or at the ``levels`` it names; consolidated levels read their units' results. The
file is read and checked once per process: a malformed rule fails loudly at start, not at a submission.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Literal

import msgspec

from portal.reports.figures import Catalog
from portal.reports.models import Indicator

RULES = Path(__file__).with_name("data") / "validation_rules.json"
OPS = ("<=", "<", "==", "!=", ">=", ">")
Op = Literal["<=", "<", "==", "!=", ">=", ">"]
Level = Literal["province", "district", "commune", "hamlet"]
CODE_PATTERN = "^[a-z][a-z0-9_]{1,62}$"
TERM_PATTERN = "^[a-z][a-z0-9_]*\\.[a-z0-9_-]+$"


class Rule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One validation rule as the data file states it."""

    code: str
    kind: Literal["cells", "records", "history"]
    severity: Literal["blocking", "warning"]
    name_vi: str
    name_en: str
    left: list[str]
    op: Op | None = None
    right: list[str] = []
    records: str | None = None
    method: Literal["range", "mad"] | None = None
    k: float = 3.0
    periods: int = 12
    min_periods: int = 3
    levels: list[Level] | None = None
    legal_basis: str | None = None

    def name(self, en: bool) -> str:
        return self.name_en if en else self.name_vi

    @property
    def terms(self) -> list[str]:
        """Every ``indicator.cell`` the rule reads from the report."""
        return [*self.left, *self.right]

    def applies_at(self, catalog: Catalog, level: str) -> bool:
        """Whether a report of ``catalog`` at ``level`` is checked by this rule: every cell it reads is held
        there, and the level is where one of them is typed (or one of the rule's ``levels``)."""
        held = {i.code: i for i in catalog.held_at(level)}
        indicators: list[Indicator] = []
        for term in self.terms:
            code, cell = term.split(".", 1)
            ind = held.get(code)
            if ind is None or cell not in ind.cell_keys():
                return False  # a cell this report does not hold (another definition, an older catalogue)
            indicators.append(ind)
        if self.levels is not None:
            return level in self.levels
        return any(_origin(catalog, ind) == level for ind in indicators)


def _origin(catalog: Catalog, ind: Indicator) -> str:
    """Where an indicator's figure is made: typed at its entry level, or counted at the lowest level."""
    return catalog.entry_level(ind) or catalog.definition.lowest_level


class RuleFile(msgspec.Struct, forbid_unknown_fields=True):
    about: str
    rules: list[Rule]


def check(rules: list[Rule]) -> list[str]:
    """What is wrong with a list of rules (empty when nothing is): codes, terms and each kind's fields."""
    problems: list[str] = []
    seen: set[str] = set()
    for rule in rules:
        where = f"rule {rule.code}"
        if not re.match(CODE_PATTERN, rule.code) or rule.code in seen:
            problems.append(f"{where}: the code must be unique, lower case, letters, digits and _")
        seen.add(rule.code)
        bad = [t for t in rule.terms if not re.match(TERM_PATTERN, t)]
        if bad or not rule.left:
            problems.append(f"{where}: cells must be 'indicator.cell', left not empty ({bad})")
        if rule.kind in ("cells", "records") and rule.op is None:
            problems.append(f"{where}: a {rule.kind} rule needs op, one of {', '.join(OPS)}")
        if rule.kind == "cells" and not rule.right:
            problems.append(f"{where}: a cells rule needs right")
        if rule.kind == "records" and (rule.records is None or rule.right):
            problems.append(f"{where}: a records rule names records and has no right cells")
        if rule.kind == "history":
            if rule.method is None or rule.right or rule.op is not None:
                problems.append(f"{where}: a history rule has a method (range or mad), no op, no right")
            if not (1 <= rule.min_periods <= rule.periods <= 60) or not (0 < rule.k <= 10):
                problems.append(f"{where}: 1 <= min_periods <= periods <= 60 and 0 < k <= 10")
        if not rule.name_vi.strip() or not rule.name_en.strip():
            problems.append(f"{where}: names in both languages are required")
    return problems


def read_rules(path: Path = RULES) -> list[Rule]:
    """The rules of ``path``, checked (ValueError naming every problem)."""
    parsed = msgspec.convert(json.loads(path.read_text(encoding="utf-8")), RuleFile)
    problems = check(parsed.rules)
    if problems:
        raise ValueError("; ".join(problems))
    return parsed.rules


@cache
def all_rules() -> tuple[Rule, ...]:
    """The portal's rules, read once per process."""
    return tuple(read_rules())


def rules_for(catalog: Catalog, level: str) -> list[Rule]:
    """The rules that check a report of ``catalog`` at ``level``."""
    return [r for r in all_rules() if r.applies_at(catalog, level)]


def by_code(code: str) -> Rule | None:
    return next((r for r in all_rules() if r.code == code), None)
