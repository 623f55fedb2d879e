"""Choosing a report's period on the pages: the recent periods of each kind, in words, grouped for a
``<select>``; a chosen period read back for a kind of report, its problem named ``period``; a period
as it reads inside a sentence ("Đã nộp báo cáo tháng 12/2026 của …").

The periods offered go back ``SHOWN`` periods of each kind from today's; a period given in the address
(an older one, from a link) is offered too, so any past period can be opened. The services check the
period again (``portal.reports.service.check_period``: not in the future).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from infra.errors import FieldError
from portal.locale import N_, Msg, translate
from portal.locale.periods import period_name
from portal.reports.periods import PATTERNS, Period, containing, parse, previous

KINDS = ("month", "quarter", "half", "year")
SHOWN = {"month": 36, "quarter": 12, "half": 6, "year": 5}
MONTHS_OF: Msg = N_("Months of %(year)s")
KIND_NAMES: dict[str, Msg] = {
    "quarter": N_("Quarters"),
    "half": N_("Six-month periods"),
    "year": N_("Years"),
}


@dataclass(frozen=True)
class Group:
    """One ``<optgroup>``: a kind of period (months by year) and its periods, newest first."""

    kind: str
    label: str
    options: list[tuple[str, str]]  # period key, the period in words


def kind_of(key: str) -> str | None:
    """The kind of a period key (``2026-Q3`` -> quarter), or None when it is not a period."""
    return next((k for k in KINDS if PATTERNS[k].match(key) and parse(k, key)), None)


def recent(kind: str, day: date, count: int | None = None) -> list[Period]:
    """The ``count`` periods of ``kind`` up to the one holding ``day``, newest first."""
    return previous(kind, containing(kind, day), count or SHOWN[kind])[::-1]


def groups(day: date, lang: str, kinds: tuple[str, ...] = KINDS, keep: str | None = None) -> list[Group]:
    """The periods to choose from, in words: months grouped by year, then quarters, halves, years.
    ``keep``: a period to offer even when it is older than the others (the one being shown)."""
    out: list[Group] = []
    for kind in kinds:
        keys = [p.key for p in recent(kind, day)]
        if keep and kind_of(keep) == kind and keep not in keys:
            keys.append(keep)
        if kind == "month":
            for year in sorted({k[:4] for k in keys}, reverse=True):
                shown = [(k, period_name(k, lang)) for k in keys if k.startswith(year)]
                out.append(Group(kind, translate(lang, MONTHS_OF, year=year), shown))
        else:
            label = translate(lang, KIND_NAMES[kind])
            out.append(Group(kind, label, [(k, period_name(k, lang)) for k in keys]))
    return out


def read_period(text: object, kind: str | None = None) -> tuple[str | None, list[FieldError]]:
    """A chosen period: its key, or a problem named ``period`` (not a period; not of ``kind``)."""
    key = str(text or "").strip()
    found = kind_of(key)
    if found is None:
        example = "must be a period such as 2026-10, 2026-Q3, 2026-H2 or 2026"
        return None, [FieldError("period", example, "not_period")]
    if kind is not None and found != kind:
        return None, [FieldError("period", f"must be a {kind} for this report", "period_kind")]
    return key, []


def in_sentence(key: str, lang: str) -> str:
    """The period's words inside a sentence: "tháng 12/2026", "quý 4/2026" in Vietnamese; in English a
    month keeps its capital ("December 2026"), a half or a year does not ("first half of 2026")."""
    words = period_name(key, lang)
    if lang == "en" and kind_of(key) in ("month", "quarter"):
        return words
    return words[:1].lower() + words[1:]
