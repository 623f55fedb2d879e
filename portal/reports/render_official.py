"""The Decree 30/2020/NĐ-CP frame of a report document, drawn in the PDF and written in the XLSX: the
heading (superior and issuing body with the number under them on the left; the national heading, the
motto and the place and date on the right, with their underlines), the title and addressees above the
body, and "Nơi nhận" beside the signature block below it. The words come from portal.reports.official.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

FAMILY = "DejaVu Sans"
LEFT_SHARE = 0.42  # the left column of the heading (bodies, number); the right one holds the nation


def _centred(pdf: FPDF, x: float, width: float, y: float, text: str, style: str, size: float) -> float:
    """``text`` centred in the column at ``x``; returns the bottom of what was written."""
    pdf.set_font(FAMILY, style, size)
    pdf.set_xy(x, y)
    pdf.multi_cell(width, 5, text, align="C", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _underline(pdf: FPDF, x: float, width: float, y: float, length: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(x + (width - length) / 2, y + 0.8, x + (width + length) / 2, y + 0.8)


def pdf_heading(pdf: FPDF, official: dict[str, Any]) -> None:
    """The heading, the title and "Kính gửi" of the first page."""
    left, top = pdf.l_margin, pdf.get_y()
    lw = pdf.epw * LEFT_SHARE
    rx, rw = left + lw, pdf.epw - lw
    y = top
    if official["superior"]:
        y = _centred(pdf, left, lw, y, official["superior"], "", 10)
    y = _centred(pdf, left, lw, y, official["issuer"], "B", 10)
    pdf.set_font(FAMILY, "B", 10)
    _underline(pdf, left, lw, y, min(pdf.get_string_width(official["issuer"]), lw) / 2)
    y_left = _centred(pdf, left, lw, y + 3, official["number"], "", 10)
    y = _centred(pdf, rx, rw, top, official["nation"], "B", 10)
    y = _centred(pdf, rx, rw, y, official["motto"], "B", 11)
    pdf.set_font(FAMILY, "B", 11)
    _underline(pdf, rx, rw, y, pdf.get_string_width(official["motto"]))
    y_right = _centred(pdf, rx, rw, y + 3, official["date_line"], "I", 10)
    pdf.set_xy(left, max(y_left, y_right) + 6)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 6.5, official["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(0, 5.5, official["subtitle"], align="C", new_x="LMARGIN", new_y="NEXT")
    _underline(pdf, left, pdf.epw, pdf.get_y(), 40)
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 11)
    for name in official["addressees"]:
        pdf.multi_cell(0, 5.5, f"Kính gửi: {name}.", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def pdf_signature(pdf: FPDF, official: dict[str, Any]) -> None:
    """ "Nơi nhận" on the left and the signature block on the right, kept together on one page."""
    signer = official["signer"]
    if pdf.will_page_break(62):
        pdf.add_page()
    pdf.ln(6)
    left, top = pdf.l_margin, pdf.get_y()
    lw = pdf.epw * LEFT_SHARE
    rx, rw = left + lw, pdf.epw - lw
    pdf.set_xy(left, top)
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(lw, 5, "Nơi nhận:", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    for line in official["recipients"]:
        pdf.multi_cell(lw, 4.5, f"- {line}", new_x="LEFT", new_y="NEXT")
    y = top
    if signer["authority"]:
        y = _centred(pdf, rx, rw, y, signer["authority"], "B", 10)
    y = _centred(pdf, rx, rw, y, signer["position"], "B", 10)
    y = _centred(pdf, rx, rw, y, official["signature_note"], "I", 9)
    y = _centred(pdf, rx, rw, y + 22, signer["name"] or " ", "B", 10)
    pdf.set_xy(left, max(y, pdf.get_y()) + 2)


def xlsx_heading(ws: Worksheet, official: dict[str, Any], width: int = 4) -> None:
    """The heading as rows at the top of a sheet: bodies and number in column A, the nation in the last
    column of the table (``width``), then the title, the subject and "Kính gửi" across."""
    bold, italic = Font(bold=True), Font(italic=True)
    last = width
    lines = [
        (official["superior"], None, official["nation"], bold),
        (official["issuer"], bold, official["motto"], Font(bold=True, underline="single")),
        (official["number"], None, official["date_line"], italic),
    ]
    for left_text, left_font, right_text, right_font in lines:
        if left_text is None and right_text is None:
            continue
        ws.append([left_text] + [None] * (last - 2) + [right_text])
        row = ws.max_row
        if left_font is not None:
            ws.cell(row=row, column=1).font = left_font
        ws.cell(row=row, column=last).font = right_font
        ws.cell(row=row, column=last).alignment = Alignment(horizontal="center")
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    ws.append([])
    ws.append([official["title"]])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=14)
    ws.append([official["subtitle"]])
    ws.cell(row=ws.max_row, column=1).font = bold
    for name in official["addressees"]:
        ws.append([f"Kính gửi: {name}."])
    ws.append([])


def xlsx_signature(ws: Worksheet, official: dict[str, Any], width: int = 4) -> None:
    """ "Nơi nhận" in column A and the signature block in the table's last column, below the figures."""
    signer = official["signer"]
    right = [signer["authority"], signer["position"], official["signature_note"], None, None, signer["name"]]
    left = ["Nơi nhận:", *(f"- {line}" for line in official["recipients"])]
    ws.append([])
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else None
        b = right[i] if i < len(right) else None
        ws.append([a] + [None] * (width - 2) + [b])
        row = ws.max_row
        if i == 0:
            ws.cell(row=row, column=1).font = Font(bold=True, italic=True)
        if b is not None:
            note = b == official["signature_note"]
            ws.cell(row=row, column=width).font = Font(italic=True) if note else Font(bold=True)
            ws.cell(row=row, column=width).alignment = Alignment(horizontal="center")
