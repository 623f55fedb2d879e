"""The import's workbooks: the errors of a dry run (the file's problem rows, bad cells filled and
commented in Vietnamese, an error column) and the template to fill in."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from portal.imports.cells import Cell
from portal.imports.check import Outcome
from portal.imports.columns import FIELDS, HEADINGS_VI
from portal.imports.rows import Problem
from portal.locale.field_errors import error_message
from portal.registry.reference import ETHNICITIES, SPECIAL_GROUPS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILLS = {
    "error": PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    "warning": PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    "duplicate": PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
}
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo", "duplicate": "Nghi trùng"}
BOLD = Font(bold=True)


def problem_vi(problem: Problem) -> str:
    """The problem in Vietnamese, as the pages say it."""
    return error_message(problem.field, problem.code, "vi")


def _value(value: Cell) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def _bold(ws: Worksheet, values: list[Any]) -> list[Any]:
    cells = []
    for v in values:
        cell = WriteOnlyCell(ws, value=v)
        cell.font = BOLD
        cells.append(cell)
    return cells


def errors_workbook(outcome: Outcome) -> bytes:
    """Every row with a problem, as in the file (its row number first), each bad cell filled and
    commented, and a last column listing the row's problems."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Lỗi")
    headings = [c.heading for c in outcome.columns]
    ws.append(_bold(ws, ["Dòng", *headings, "Lỗi / cảnh báo"]))
    for row in outcome.rows:
        if not row.problems:
            continue
        by_column: dict[int, list[Problem]] = {}
        for p in row.problems:
            if p.column is not None:
                by_column.setdefault(p.column, []).append(p)
        cells = [WriteOnlyCell(ws, value=row.number)]
        for index in range(len(headings)):
            cell = WriteOnlyCell(ws, value=_value(row.cells[index] if index < len(row.cells) else None))
            marks = by_column.get(index)
            if marks:
                worst = "error" if any(p.severity == "error" for p in marks) else marks[0].severity
                cell.fill = FILLS[worst]
                cell.comment = Comment("\n".join(problem_vi(p) for p in marks), "Cổng bảo vệ trẻ em")
            cells.append(cell)
        summary = "; ".join(
            f"{SEVERITY_VI[p.severity]} – {_heading(outcome, p)}: {problem_vi(p)}" for p in row.problems
        )
        cells.append(WriteOnlyCell(ws, value=summary))
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _heading(outcome: Outcome, problem: Problem) -> str:
    if problem.column is not None and problem.column < len(outcome.columns):
        return outcome.columns[problem.column].heading
    return HEADINGS_VI.get(problem.field, problem.field)


EXAMPLE = {
    "full_name": "Nguyễn Thị Hoa",
    "date_of_birth": "04/03/2018",
    "sex": "Nữ",
    "ethnicity": "Kinh",
    "national_id": "001318001234",
    "guardian_name": "Nguyễn Văn Bình",
    "guardian_phone": "0912345678",
    "hamlet": "Tổ dân phố số 1",
    "groups": "d",
    "address": "Số 5, ngõ 12",
    "notes": "",
}


def template_workbook() -> bytes:
    """The register template: the headings the import recognises, one example row, and a second sheet
    with the codes (sexes, ethnic groups, Art. 10 groups) and how dates are written."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách trẻ em"
    ws.append([HEADINGS_VI[f] for f in FIELDS])
    ws.append([EXAMPLE[f] for f in FIELDS])
    for cell in ws[1]:
        cell.font = BOLD
    for letter, width in zip("ABCDEFGHIJK", (26, 12, 10, 12, 16, 30, 14, 18, 18, 20, 20), strict=True):
        ws.column_dimensions[letter].width = width
    codes = wb.create_sheet("Mã")
    codes.append(["Giới tính", "", "Dân tộc", "", "Hoàn cảnh đặc biệt (Luật Trẻ em 2016, Điều 10)", ""])
    for cell in codes[1]:
        cell.font = BOLD
    sexes = ["Nam", "Nữ"]
    groups = [("đ" if code == "dd" else code, vi) for code, vi, _en in SPECIAL_GROUPS]
    for i in range(max(len(ETHNICITIES), len(groups))):
        codes.append(
            [
                sexes[i] if i < len(sexes) else None,
                None,
                ETHNICITIES[i] if i < len(ETHNICITIES) else None,
                None,
                groups[i][0] if i < len(groups) else None,
                groups[i][1] if i < len(groups) else None,
            ]
        )
    codes.append([])
    codes.append(
        ["Ngày sinh: dd/mm/yyyy (ví dụ 04/03/2018), ô ngày của Excel, hoặc chỉ năm sinh (ghi là 01/01)."]
    )
    codes.append(
        ["Hoàn cảnh đặc biệt: chữ cái (a, b, ..., đ, ...) hoặc tên nhóm; nhiều nhóm cách nhau bằng dấu phẩy."]
    )
    codes.append(["Nhiều cha/mẹ/người nuôi dưỡng: cách nhau bằng dấu chấm phẩy."])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
