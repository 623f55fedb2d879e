"""The frame of an administrative document (Decree 30/2020/NĐ-CP, Appendix I) around a case form.

A4 portrait, margins 20 mm top, 30 mm left, 15 mm right, 20 mm bottom. Top left: the issuing body in
bold capitals with a short rule under it, and the document's number below; top right: the national
heading ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "Độc lập - Tự do - Hạnh phúc", ruled under) and the place
and date line. Then the title in bold capitals (a decision's subject under it), the body, the signature
block on the right and "Nơi nhận:" on the left. Pages from the second are numbered at the top centre.
Set in the DejaVu Sans shipped with the reports, so Vietnamese prints and extracts as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fpdf import FPDF, FontFace

# The fonts the reports ship (portal/reports/fonts); read by path, as the contexts import each other not.
FONT_DIR = Path(__file__).resolve().parents[1] / "reports" / "fonts"
FAMILY = "DejaVu Sans"

LEFT, RIGHT, TOP, BOTTOM = 30.0, 15.0, 20.0, 20.0
HEAD_LEFT = 70.0  # width of the issuing body's column; the national heading takes the rest
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
HEADINGS = FontFace(emphasis="BOLD")


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Line:
    """A label and its value ("Họ và tên: ..."); a paragraph when ``label`` is empty."""

    label: str
    value: str
    centred: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[int, ...]
    empty: str = "Không có."


Block = Heading | Line | Table


@dataclass
class FormDoc:
    """One filled form: what the frame prints around ``body``."""

    number: str  # "01".."07", printed as "Mẫu số 01"
    issuer: str  # "UBND XÃ ..."
    reference: str  # "Số: 12/QĐ-UBND", or the case's reference for forms that are not decisions
    place: str
    day: date
    title: str
    subtitle: str | None
    body: list[Block]
    signer_title: list[str]  # "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH" / "NGƯỜI TIẾP NHẬN THÔNG TIN"
    signer_name: str | None
    signer_note: str = "(Ký, ghi rõ họ tên)"
    recipients: list[str] = field(default_factory=lambda: ["Lưu: hồ sơ trường hợp."])


def date_line(place: str, day: date) -> str:
    """ "<place>, ngày 05 tháng 02 năm 2026": days below 10 and the months 1 and 2 with a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


class _FormPDF(FPDF):
    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, size=10)
            self.set_y(10)
            self.cell(0, 5, str(self.page_no()), align="C")
            self.set_y(TOP)


def _rule(pdf: FPDF, centre: float, width: float) -> None:
    pdf.line(centre - width / 2, pdf.get_y() + 0.6, centre + width / 2, pdf.get_y() + 0.6)


def _heads(pdf: FPDF, doc: FormDoc) -> None:
    top = pdf.get_y()
    right_x, right_w = LEFT + HEAD_LEFT, pdf.w - RIGHT - LEFT - HEAD_LEFT
    pdf.set_font(FAMILY, size=8)
    pdf.set_xy(right_x, top - 6)
    pdf.cell(right_w, 4, f"Mẫu số {doc.number}", align="R")
    pdf.set_xy(LEFT, top)
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(HEAD_LEFT, 5, doc.issuer, align="C", new_x="LEFT", new_y="NEXT")
    _rule(pdf, LEFT + HEAD_LEFT / 2, 22)
    pdf.ln(2.5)
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(HEAD_LEFT, 5, doc.reference, align="C", new_x="LEFT", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(right_w, 5, NATIONAL, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(right_w, 5.5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    _rule(pdf, right_x + right_w / 2, pdf.get_string_width(MOTTO))
    pdf.ln(3)
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(right_w, 5, date_line(doc.place, doc.day), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(LEFT, max(left_end, pdf.get_y()) + 6)


def _title(pdf: FPDF, doc: FormDoc) -> None:
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 6, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.subtitle:
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(0, 6, doc.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        _rule(pdf, LEFT + pdf.epw / 2, 30)
    pdf.ln(5)


def _block(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Heading):
        if pdf.will_page_break(18):
            pdf.add_page()
        pdf.ln(1.5)
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(0, 6, block.text, new_x="LMARGIN", new_y="NEXT")
    elif isinstance(block, Line):
        pdf.set_font(FAMILY, "B" if block.bold else "", 11)
        text = f"{block.label}: {block.value}" if block.label else block.value
        pdf.multi_cell(0, 6, text, align="C" if block.centred else "J", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font(FAMILY, size=9.5)
        if not block.rows:
            pdf.multi_cell(0, 6, block.empty, new_x="LMARGIN", new_y="NEXT")
            return
        with pdf.table(
            col_widths=block.widths,
            align="LEFT",
            headings_style=HEADINGS,
            line_height=5,
            v_align="TOP",
            padding=1,
        ) as table:
            table.row(block.headers)
            for row in block.rows:
                table.row(row)
        pdf.ln(1)


def _closing(pdf: FPDF, doc: FormDoc) -> None:
    height = 14 + 6 * len(doc.signer_title) + 4 * len(doc.recipients)
    if pdf.will_page_break(max(height, 45)):
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    sign_x, sign_w = LEFT + HEAD_LEFT + 10, pdf.w - RIGHT - LEFT - HEAD_LEFT - 10
    pdf.set_font(FAMILY, "B", 9.5)
    pdf.cell(HEAD_LEFT, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=8.5)
    for recipient in doc.recipients:
        pdf.multi_cell(HEAD_LEFT, 4, f"- {recipient}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(sign_x, top)
    pdf.set_font(FAMILY, "B", 11)
    for line in doc.signer_title:
        pdf.cell(sign_w, 5.5, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    pdf.cell(sign_w, 5, doc.signer_note, align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(20)
    pdf.set_x(sign_x)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(sign_w, 6, doc.signer_name or "", align="C", new_x="LEFT", new_y="NEXT")


def render_form(doc: FormDoc) -> bytes:
    """The form as an A4 PDF in the Decree 30 layout; every word is extractable text."""
    pdf = _FormPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_title(f"Mẫu số {doc.number}: {doc.title}")
    pdf.set_lang("vi")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.add_page()
    _heads(pdf, doc)
    _title(pdf, doc)
    for block in doc.body:
        _block(pdf, block)
    _closing(pdf, doc)
    return bytes(pdf.output())
