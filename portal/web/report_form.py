"""The report page's long form, in sections: the boxes typed in at the report's unit (one section per
indicator, with how many are filled), the figures as one collapsible table per indicator, and the
boxes a submission found empty, named by their labels.

A draft is saved with whatever is filled: an empty box is simply not entered (the service merges what
is sent into what is stored). "Required" is the submission's rule (``workflow.submit`` lists the empty
boxes), not the draft's; a box that is not a whole number, or is negative, is refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.errors import FieldError
from portal.locale import N_, Msg, translate
from portal.reports.figures import Catalog
from portal.reports.models import Figures, Indicator

MAX_DIGITS = 9


# The heading over each breakdown of an indicator with several (by the breakdown's first cell).
BREAKDOWNS: dict[str, Msg] = {
    "fall": N_("By cause"),
    "male": N_("By sex"),
    "0-5": N_("By age band"),
    "home": N_("By place"),
}


@dataclass(frozen=True)
class Box:
    name: str  # the input's name: values.<indicator>.<cell>
    label: str
    value: str  # as shown in the box: the stored count, or what was typed
    group: str = ""  # the breakdown this box starts, e.g. "By sex" (an indicator with several)
    months: int | None = None  # a longer period's: the figure its approved months give (prefill)
    reason: str | None = None  # why it differs from ``months``; None: no reason asked for

    @property
    def reason_name(self) -> str:
        return "reasons." + self.name.removeprefix("values.")


@dataclass(frozen=True)
class Section:
    code: str
    name: str
    boxes: list[Box]
    open: bool

    @property
    def filled(self) -> int:
        return sum(1 for b in self.boxes if b.value != "")

    @property
    def empty(self) -> int:
        return len(self.boxes) - self.filled


@dataclass(frozen=True)
class Table:
    code: str
    name: str
    rows: list[
        tuple[str, str, int | str | None]
    ]  # cell key, label, figure as the reader sees it (None: not reported)
    total: int | str | None


@dataclass(frozen=True)
class Missing:
    """An indicator with boxes still empty at submission: its name, the boxes' labels, the first box."""

    name: str
    labels: list[str]
    first: str


def parse_values(
    form: Mapping[str, Any],
) -> tuple[dict[str, dict[str, int]], dict[str, str], list[FieldError]]:
    """The posted ``values.<indicator>.<cell>`` boxes as counts. An empty box is left out (a draft keeps
    what it had there); a negative or non-integer box is an error naming it."""
    values: dict[str, dict[str, int]] = {}
    typed: dict[str, str] = {}
    errors: list[FieldError] = []
    for name, raw in form.items():
        parts = name.split(".")
        if len(parts) != 3 or parts[0] != "values":
            continue
        text = str(raw or "").strip()
        typed[name] = text
        if not text:
            continue
        if text.startswith("-") and text[1:].isdigit():
            errors.append(FieldError(name, "must not be negative", "negative"))
        elif not text.isdigit():
            errors.append(FieldError(name, "must be a whole number", "not_integer"))
        elif len(text.lstrip("0")) > MAX_DIGITS:
            errors.append(FieldError(name, f"must have at most {MAX_DIGITS} digits", "too_large"))
        else:
            values.setdefault(parts[1], {})[parts[2]] = int(text)
    return values, typed, errors


def parse_reasons(form: Mapping[str, Any]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The posted ``reasons.<indicator>.<cell>`` texts (the service checks them: one for each box that
    differs from its months' figure, each at most 500 characters), and the text as typed."""
    reasons: dict[str, dict[str, str]] = {}
    typed: dict[str, str] = {}
    for name, raw in form.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "reasons":
            text = str(raw or "").strip()
            typed[name] = text
            if text:
                reasons.setdefault(parts[1], {})[parts[2]] = text
    return reasons, typed


def _name(item: Mapping[str, Any] | Indicator, en: bool) -> str:
    if isinstance(item, Indicator):
        return item.name_en if en else item.name_vi
    return str(item["name_en"] if en else item["name_vi"])


def entry_sections(
    catalog: Catalog,
    level: str,
    entered: Figures,
    typed: Mapping[str, str] | None,
    errors: Mapping[str, str],
    en: bool,
    months: Figures | None = None,
    reasons: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Section]:
    """One section per indicator typed in at ``level``. Open: the sections with a problem, else the first
    one not complete (a new draft opens on its first section). A longer period's boxes show the figure
    of their approved months, and a reason box where the count differs from it."""
    sections = []
    lang = "en" if en else "vi"
    for ind in catalog.entered_at(level):
        boxes = []
        starts = {part[0] for part in ind.partitions} if len(ind.partitions) > 1 else set()
        for c in Catalog.typed_cells(ind):
            name = f"values.{ind.code}.{c['key']}"
            stored = entered.get(ind.code, {}).get(c["key"])
            value = typed.get(name, "") if typed is not None else ("" if stored is None else str(stored))
            group = (
                translate(lang, BREAKDOWNS[c["key"]]) if c["key"] in starts and c["key"] in BREAKDOWNS else ""
            )
            taken = (months or {}).get(ind.code, {}).get(c["key"])
            kept = (reasons or {}).get(ind.code, {}).get(c["key"])
            differs = taken is not None and value != "" and value != str(taken)
            reason_name = f"reasons.{ind.code}.{c['key']}"
            reason = None
            if kept is not None or differs or reason_name in errors:
                said = typed.get(reason_name) if typed is not None else None
                reason = said if said is not None else kept or ""
            boxes.append(Box(name, _name(c, en), value, group, taken, reason))
        flagged = any(b.name in errors or b.reason_name in errors for b in boxes)
        sections.append(Section(ind.code, _name(ind, en), boxes, flagged))
    if sections and not any(s.open for s in sections):
        first = next((s for s in sections if s.empty), None)
        if first is not None:
            sections[sections.index(first)] = Section(first.code, first.name, first.boxes, True)
    return sections


def figure_tables(
    catalog: Catalog, level: str, figures: Mapping[str, Mapping[str, Any]], en: bool
) -> list[Table]:
    """Every indicator the report holds, as the reader sees its figures (exact, or published). A cell
    the stored figures lack (a report made before the cell was in the catalogue) is None: not reported."""
    tables = []
    for ind in catalog.held_at(level):
        shown = figures.get(ind.code, {})
        rows = [(c["key"], _name(c, en), shown.get(c["key"])) for c in ind.cells]
        tables.append(Table(ind.code, _name(ind, en), rows, shown.get("total")))
    return tables


def missing_boxes(catalog: Catalog, level: str, errors: list[FieldError], en: bool) -> list[Missing]:
    """The boxes a submission found empty (``required`` errors), by indicator, in the reader's words."""
    empty = {e.field for e in errors if e.code == "required" and e.field.startswith("values.")}
    out = []
    for ind in catalog.entered_at(level):
        cells = [c for c in Catalog.typed_cells(ind) if f"values.{ind.code}.{c['key']}" in empty]
        if cells:
            labels = [_name(c, en) for c in cells]
            out.append(Missing(_name(ind, en), labels, f"values.{ind.code}.{cells[0]['key']}"))
    return out


@dataclass(frozen=True)
class Difference:
    """A typed cell of a longer period that differs from its months' figure, and why (for the approver)."""

    indicator: str
    cell: str
    months: int | str
    value: int | str
    reason: str


def differences(
    catalog: Catalog,
    level: str,
    months: Mapping[str, Mapping[str, Any]],
    entered: Mapping[str, Mapping[str, Any]],
    reasons: Mapping[str, Mapping[str, str]],
    en: bool,
) -> list[Difference]:
    """The cells kept with a reason, in the catalogue's order, with figures as the reader sees them."""
    out = []
    for ind in catalog.entered_at(level):
        for c in Catalog.typed_cells(ind):
            why = reasons.get(ind.code, {}).get(c["key"])
            if why:
                shown = months.get(ind.code, {}).get(c["key"], "—")
                value = entered.get(ind.code, {}).get(c["key"], "—")
                out.append(Difference(_name(ind, en), _name(c, en), shown, value, why))
    return out
