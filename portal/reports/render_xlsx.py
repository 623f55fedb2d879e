"""A consolidated periodic report document (the ``doc`` dict built by the report service) as XLSX.

The small wording helpers here (value display, disclosure note, missing-units warning) are shared
with the PDF renderer so that both documents say the same thing.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.reports.render_official import xlsx_heading, xlsx_signature
from portal.stats.disclosure import HIDDEN, K

MISSING_WARNING = "Tổng hợp thiếu đơn vị"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")


def cell_value(value: Any) -> int | float | str:
    """A figure as the document shows it: numbers stay numbers, hidden cells become their label."""
    if value is None:
        return "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def disclosure_note() -> str:
    """The note every document for an aggregate-only reader carries: small cells "<5", the other counts
    slightly perturbed so that they cannot be subtracted from one another (portal.stats.disclosure)."""
    return (
        f"Số liệu được bảo vệ để không lộ thông tin về từng trẻ em: ô có giá trị từ 1 đến {K - 1} "
        f'được hiển thị là "{HIDDEN}"; các số khác được điều chỉnh nhẹ (cộng hoặc trừ vài đơn vị, '
        "luôn như nhau cho cùng một số liệu) nên không thể lấy tổng trừ đi các phần, hay trừ số liệu "
        "của hai báo cáo cho nhau, để suy ra số bị ẩn; vì vậy các phần có thể không cộng lại đúng bằng tổng."
    )


def missing_warning(doc: dict[str, Any]) -> str | None:
    """The warning naming each missing unit and its status, or None when the consolidation is complete."""
    missing = doc.get("missing_units") or []
    if not missing:
        return None
    names = "; ".join(f"{u['name']} ({u['status_vi']})" for u in missing)
    return f"{MISSING_WARNING} ({len(missing)}): {names}"


def met_label(met: bool | None) -> str:
    """Whether a target was met: "Đạt", "Chưa đạt", or "—" when the rate is unknown or hidden."""
    return "—" if met is None else "Đạt" if met else "Chưa đạt"


def unit_label(unit: dict[str, Any]) -> str:
    """The unit as "Phường Yên Sở (mã 00340) — Xã/Phường", leaving out a missing code or level."""
    code = f" (mã {unit['code']})" if unit.get("code") else ""
    level = f" — {unit['level_vi']}" if unit.get("level_vi") else ""
    return f"{unit['name']}{code}{level}"


def header_lines(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    """The header block as (label, value) pairs, in order."""
    period = f"{doc['period_label']} (từ {doc['period_start']} đến {doc['period_end']})"
    return [
        ("Đơn vị", unit_label(doc["unit"])),
        ("Kỳ báo cáo", period),
        ("Trạng thái", doc["status_vi"]),
        ("Phiên bản", doc["version"]),
        ("Thời điểm lập", doc["generated_at"]),
        ("Người lập", doc["generated_by"]),
    ]


def unit_rows(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Sub-units, then missing units not already among them: (name, code, status, counted in the totals)."""
    missing = {(u["name"], u.get("code")) for u in doc.get("missing_units") or []}
    listed, rows = set(), []
    for u in doc.get("sub_units") or []:
        key = (u["name"], u.get("code"))
        listed.add(key)
        counted = "Không (thiếu)" if key in missing else "Có" if u.get("included") else "Không"
        rows.append((u["name"], u.get("code") or "", u["status_vi"], counted))
    for u in doc.get("missing_units") or []:
        if (u["name"], u.get("code")) not in listed:
            rows.append((u["name"], u.get("code") or "", u["status_vi"], "Không (thiếu)"))
    return rows


def _table(ws: Worksheet, headers: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    ws.append(headers)
    start = ws.max_row
    for col, width in enumerate(widths, start=1):
        head = ws.cell(row=start, column=col)
        head.font, head.fill, head.alignment = BOLD, HEADER_FILL, WRAP
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.alignment = WRAP
    ws.freeze_panes = f"A{start + 1}"


def _report_sheet(ws: Worksheet, doc: dict[str, Any]) -> None:
    if doc.get("official"):
        xlsx_heading(ws, doc["official"])
    else:
        ws.append([doc["title"]])
        ws["A1"].font = Font(bold=True, size=14)
    for label, value in header_lines(doc):
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = BOLD
    if doc.get("suppressed"):
        ws.append([disclosure_note()])
        ws.cell(row=ws.max_row, column=1).font = Font(italic=True)
    warning = missing_warning(doc)
    if warning:
        ws.append([warning])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="C00000")
    ws.append([])
    rows: list[list[Any]] = []
    firsts: list[int] = []
    for ind in doc["indicators"]:
        firsts.append(len(rows))
        cells = ind["cells"] or [{"name": "", "value": None}]
        for i, cell in enumerate(cells):
            first = i == 0
            rows.append(
                [
                    ind["name"] if first else None,
                    cell["name"],
                    cell_value(cell["value"]),
                    ind.get("legal_basis") if first else None,
                ]
            )
    _table(ws, ["Chỉ tiêu", "Phân tổ", "Giá trị", "Căn cứ"], rows, [48, 22, 12, 40])
    body = ws.max_row - len(rows) + 1
    for index in firsts:
        ws.cell(row=body + index, column=1).font = BOLD
    for row in range(body, ws.max_row + 1):  # "<5" lines up with the numbers
        ws.cell(row=row, column=3).alignment = Alignment(horizontal="right", vertical="top")
    if doc.get("official"):
        ws.freeze_panes = None  # a document laid out for print: the heading stays with the page
        xlsx_signature(ws, doc["official"])


def _targets_sheet(ws: Worksheet, doc: dict[str, Any]) -> None:
    rows = [
        [
            t["name"],
            cell_value(t.get("numerator")),
            cell_value(t.get("denominator")),
            cell_value(t.get("pct")),
            cell_value(t.get("target_pct")),
            met_label(t.get("met")),
        ]
        for t in doc.get("targets") or []
    ]
    headers = ["Tên", "Tử số", "Mẫu số", "Tỷ lệ %", "Mục tiêu %", "Kết quả"]
    _table(ws, headers, rows, [48, 10, 10, 10, 12, 12])
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0.0"


def _units_sheet(ws: Worksheet, doc: dict[str, Any]) -> None:
    rows = [list(r) for r in unit_rows(doc)] or [["Không có đơn vị trực thuộc", "", "", ""]]
    _table(ws, ["Đơn vị", "Mã", "Trạng thái", "Đưa vào tổng hợp"], rows, [36, 10, 20, 18])


def _events_sheet(ws: Worksheet, doc: dict[str, Any]) -> None:
    rows = [[e["at"], e["actor"], e["action_vi"], e.get("comment") or ""] for e in doc.get("events") or []]
    _table(ws, ["Thời điểm", "Người thực hiện", "Thao tác", "Ghi chú"], rows, [18, 20, 24, 48])


def render_xlsx(doc: dict[str, Any]) -> bytes:
    """The report as a workbook with the sheets "Báo cáo" (header block and figures), "Chỉ tiêu mục tiêu",
    "Đơn vị" and "Lịch sử". Numeric figures are written as numbers, hidden ones ("<5") as text.
    """
    wb = Workbook()
    report = wb.active
    assert report is not None  # a new workbook always has one sheet
    report.title = "Báo cáo"
    _report_sheet(report, doc)
    _targets_sheet(wb.create_sheet("Chỉ tiêu mục tiêu"), doc)
    _units_sheet(wb.create_sheet("Đơn vị"), doc)
    _events_sheet(wb.create_sheet("Lịch sử"), doc)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
