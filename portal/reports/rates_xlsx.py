"""The reporting rates as an XLSX workbook: one sheet per level, one per sub-unit and level, and the
reports to follow up. Counts and percentages stay numbers; the words come from the page's."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.locale import N_, day, translate
from portal.locale.periods import period_name
from portal.reports.timeliness import Counts, Rates

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")
FIELDS = ("expected", "received", "on_time", "late", "missing", "pending")


def _header(sheet: Worksheet, row: int, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = sheet.cell(row=row, column=col, value=name)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP


def _counts(sheet: Worksheet, row: int, col: int, counts: Counts) -> None:
    for k, field in enumerate(FIELDS):
        sheet.cell(row=row, column=col + k, value=getattr(counts, field)).number_format = "#,##0"
    for k, rate in enumerate((counts.completeness, counts.timeliness)):
        cell = sheet.cell(row=row, column=col + len(FIELDS) + k, value=rate)
        cell.number_format = "0.0"


def workbook(
    rates: Rates, lang: str, levels: dict[str, str], states: dict[str, str], columns: dict[str, str]
) -> bytes:
    """The rates of ``rates`` in ``lang`` (``levels``, ``states`` and ``columns``: the page's words)."""
    book = Workbook()
    counted = [columns[f] for f in FIELDS] + [columns["completeness_pct"], columns["timeliness_pct"]]
    name = rates.definition.name_en if lang == "en" else rates.definition.name_vi
    sheet = book.active
    assert sheet is not None
    sheet.title = translate(lang, N_("Levels"))[:31]
    sheet.cell(
        row=1, column=1, value=f"{name} — {rates.unit.name} — {period_name(rates.period.key, lang)}"
    ).font = TITLE
    _header(sheet, 3, [translate(lang, N_("Level")), translate(lang, N_("Submission due")), *counted])
    for row, (level, counts) in enumerate(rates.levels.items(), start=4):
        sheet.cell(row=row, column=1, value=levels.get(level, level))
        sheet.cell(row=row, column=2, value=day(rates.due[level], lang))
        _counts(sheet, row, 3, counts)
    units = book.create_sheet(translate(lang, N_("Units"))[:31])
    _header(units, 1, [translate(lang, N_("Unit")), translate(lang, N_("Level")), *counted])
    row = 2
    for sub, by_level in rates.rows:
        for level, counts in by_level.items():
            units.cell(row=row, column=1, value=sub.name)
            units.cell(row=row, column=2, value=levels.get(level, level))
            _counts(units, row, 3, counts)
            row += 1
    follow = book.create_sheet(translate(lang, N_("To follow up"))[:31])
    _header(
        follow,
        1,
        [
            translate(lang, N_("Unit")),
            translate(lang, N_("Level")),
            translate(lang, N_("State")),
            translate(lang, N_("Submission due")),
            translate(lang, N_("Submitted on")),
        ],
    )
    for row, one in enumerate(rates.outstanding(), start=2):
        follow.cell(row=row, column=1, value=one.unit.name)
        follow.cell(row=row, column=2, value=levels.get(one.level, one.level))
        follow.cell(row=row, column=3, value=states[one.state])
        follow.cell(row=row, column=4, value=day(one.due, lang))
        follow.cell(row=row, column=5, value=day(one.submitted_on, lang) if one.submitted_on else None)
    for ws, widths in ((sheet, [28, 14]), (units, [34, 22]), (follow, [34, 22, 16, 14, 16])):
        for col in range(1, 12):
            ws.column_dimensions[get_column_letter(col)].width = widths[col - 1] if col <= len(widths) else 13
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
