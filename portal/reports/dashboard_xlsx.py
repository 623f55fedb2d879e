"""A dashboard view's figures as an XLSX workbook, in the reader's language.

The workbook holds exactly what the view shows (``portal.reports.dashboard_view.view``): the same
figures, exact for record keepers and as the disclosure policy publishes them for everyone else.
Numbers stay numbers (a rate a number of per cent with one decimal); a hidden cell is its label "<5";
a value that is not known is an empty cell with the reason beside it.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.locale import N_, Msg, day, translate
from portal.locale.periods import period_name
from portal.reports.dashboard_view import NOTES, Choice
from portal.stats.disclosure import K
from portal.stats.service import AGE_BANDS

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")
RATE_FORMAT = "0.0"
COUNT_FORMAT = "#,##0"

STATUS: dict[str, Msg] = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "returned": N_("Returned"),
}
STRUCTURE: dict[str, Msg] = {
    "current": N_("Today's units"),
    "historical": N_("Units as they were at the end of the period"),
}


def _number(value: object) -> int | float | str | None:
    """A figure as a cell: a number stays a number, a hidden one is its label, an unknown one empty."""
    if value is None or isinstance(value, bool):
        return None
    return value if isinstance(value, int | float) else str(value)


def _header(sheet: Worksheet, row: int, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = sheet.cell(row=row, column=col, value=name)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width


def _put(sheet: Worksheet, row: int, col: int, value: object, fmt: str | None = None) -> None:
    cell = sheet.cell(row=row, column=col, value=_number(value))
    if fmt and isinstance(cell.value, int | float):
        cell.number_format = fmt


def workbook(shown: dict[str, Any], lang: str, generated_on: str) -> bytes:
    """The view as a workbook of four sheets: the summary with the targets, the trend of the chosen
    indicator, the sub-units in the order of the ranking, and the children's counts."""
    book = Workbook()
    _summary(book.active, shown, lang, generated_on)  # type: ignore[arg-type]  # a new book has a sheet
    _trend(book.create_sheet(translate(lang, N_("Trend"))), shown, lang)
    _ranking(book.create_sheet(translate(lang, N_("Sub-units"))), shown, lang)
    _children(book.create_sheet(translate(lang, N_("Children"))), shown, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _t(lang: str, message: Msg, **values: object) -> str:
    return translate(lang, message, **values)


def _summary(sheet: Worksheet, shown: dict[str, Any], lang: str, generated_on: str) -> None:
    sheet.title = _t(lang, N_("Summary"))
    unit, definition, chosen = shown["unit"], shown["definition"], shown["indicator"]
    sheet.cell(
        row=1, column=1, value=_t(lang, N_("Aggregate dashboard of %(unit)s"), unit=unit.name)
    ).font = TITLE
    figures = (
        _t(lang, N_("Exact (you keep this unit's records)"))
        if shown["exact"]
        else _t(
            lang,
            N_(
                'Protected: cells of 1 to %(k)s show as "<%(n)s", other counts of children are slightly '
                "perturbed, so parts may not add up exactly to the total"
            ),
            k=K - 1,
            n=K,
        )
    )
    lines = [
        (N_("Unit"), f"{unit.name} ({unit.code})" if unit.code else unit.name),
        (N_("Report"), definition.name_en if lang == "en" else definition.name_vi),
        (N_("Period"), period_name(shown["period"].key, lang)),
        (N_("Indicator"), _indicator_name(chosen, lang)),
        (N_("Sub-units"), _t(lang, STRUCTURE[shown["structure"]])),
        (N_("Figures"), figures),
        (N_("Downloaded on"), generated_on),
    ]
    for row, (label, value) in enumerate(lines, start=3):
        sheet.cell(row=row, column=1, value=_t(lang, label)).font = BOLD
        sheet.cell(row=row, column=2, value=value).alignment = WRAP
    row = len(lines) + 4
    names = [
        N_("Target"),
        N_("Numerator"),
        N_("Denominator"),
        N_("Rate (%)"),
        N_("Goal (%)"),
        N_("Against the goal"),
    ]
    _header(sheet, row, [_t(lang, n) for n in names])
    for target in shown["dash"]["targets"]:
        row += 1
        sheet.cell(row=row, column=1, value=target["name_en"] if lang == "en" else target["name_vi"])
        _put(sheet, row, 2, target["numerator"], COUNT_FORMAT)
        _put(sheet, row, 3, target["denominator"], COUNT_FORMAT)
        _put(sheet, row, 4, target["pct"], RATE_FORMAT)
        _put(sheet, row, 5, target["target_pct"], RATE_FORMAT)
        met = target["met"]
        verdict = N_("Met") if met else N_("Not met") if met is False else None
        sheet.cell(row=row, column=6, value=_t(lang, verdict) if verdict else None)
    _widths(sheet, [44, 60, 14, 12, 12, 14])


def _indicator_name(chosen: Choice, lang: str) -> str:
    return f"{chosen.name(lang)} (%)" if chosen.is_rate else chosen.name(lang)


def _trend(sheet: Worksheet, shown: dict[str, Any], lang: str) -> None:
    chosen = shown["indicator"]
    names = [
        _t(lang, N_("Period")),
        _indicator_name(chosen, lang),
        _t(lang, N_("Report")),
        _t(lang, N_("Note")),
    ]
    _header(sheet, 1, names)
    for row, point in enumerate(shown["trend"], start=2):
        sheet.cell(row=row, column=1, value=period_name(point["period"], lang))
        _put(sheet, row, 2, point["value"], RATE_FORMAT if chosen.is_rate else COUNT_FORMAT)
        status = point["status"]
        sheet.cell(row=row, column=3, value=_t(lang, STATUS[status]) if status in STATUS else None)
        note = point["note"]
        sheet.cell(row=row, column=4, value=_t(lang, NOTES[note]) if note else None)
    _widths(sheet, [24, 30, 24, 36])


def _ranking(sheet: Worksheet, shown: dict[str, Any], lang: str) -> None:
    chosen = shown["indicator"]
    names = [N_("Rank"), N_("Unit"), N_("Code"), None, N_("Goal (%)"), N_("Report"), N_("Note")]
    _header(sheet, 1, [_t(lang, n) if n else _indicator_name(chosen, lang) for n in names])
    for row, entry in enumerate(shown["ranking"], start=2):
        sheet.cell(row=row, column=1, value=row - 1)
        sheet.cell(row=row, column=2, value=str(entry["unit"]["name"]))
        sheet.cell(row=row, column=3, value=entry["unit"]["code"])
        _put(sheet, row, 4, entry["value"], RATE_FORMAT if chosen.is_rate else COUNT_FORMAT)
        _put(sheet, row, 5, entry["goal"], RATE_FORMAT)
        status = entry["status"]
        sheet.cell(row=row, column=6, value=_t(lang, STATUS[status]) if status in STATUS else None)
        note = entry["note"]
        sheet.cell(row=row, column=7, value=_t(lang, NOTES[note]) if note else None)
    _widths(sheet, [8, 36, 10, 30, 12, 24, 36])


def _children(sheet: Worksheet, shown: dict[str, Any], lang: str) -> None:
    stats = shown["stats"]
    _header(sheet, 1, [_t(lang, N_("Children")), _t(lang, N_("Number"))])
    rows: list[tuple[str, object]] = [
        (_t(lang, N_("Children in all")), stats["total"]),
        (_t(lang, N_("Female")), stats["by_sex"]["female"]),
        (_t(lang, N_("Male")), stats["by_sex"]["male"]),
        *(
            (_t(lang, N_("Aged %(band)s"), band=band.replace("-", "–")), stats["by_age_band"][band])
            for band in AGE_BANDS
        ),
        (_t(lang, N_("In special circumstances")), stats["in_special_circumstances"]),
        (_t(lang, N_("At risk")), stats["at_risk"]),
        (_t(lang, N_("Receiving support")), stats["receiving_support"]),
    ]
    if stats["entries"] is not None:
        rows += [
            (_t(lang, N_("Children entering during the month")), stats["entries"]),
            (_t(lang, N_("Children leaving during the month")), stats["exits"]),
        ]
    for row, (label, value) in enumerate(rows, start=2):
        sheet.cell(row=row, column=1, value=label)
        _put(sheet, row, 2, value, COUNT_FORMAT)
    sheet.cell(
        row=len(rows) + 3,
        column=1,
        value=_t(lang, N_("As of %(d)s"), d=day(date.fromisoformat(stats["as_of"]), lang)),
    )
    _widths(sheet, [44, 14])
