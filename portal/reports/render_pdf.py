"""A consolidated periodic report document (the ``doc`` dict built by the report service) as PDF.

A4 portrait, set in the DejaVu Sans shipped in ``fonts/`` so that Vietnamese renders and extracts as
real text on a machine without system fonts. The wording is shared with the XLSX renderer.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.errors import FPDFException

from portal.reports.charts import PALETTE, TARGET_COLOUR, trend_svg, y_axis
from portal.reports.render_official import pdf_heading, pdf_signature
from portal.reports.render_xlsx import (
    cell_value,
    disclosure_note,
    header_lines,
    met_label,
    missing_warning,
    unit_rows,
)

log = logging.getLogger(__name__)
TITLES = re.compile(r"<title>[^<]*</title>")  # the charts escape "<" in titles

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu Sans"  # the family the SVG charts name first, so their labels use this font too
HEADINGS = FontFace(emphasis="BOLD", fill_color=(221, 230, 240))
BOLD = FontFace(emphasis="BOLD")
RED = (192, 0, 0)
SVG_FAILURES = (ValueError, KeyError, TypeError, NotImplementedError, ET.ParseError, OSError, FPDFException)


class _ReportPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(0)
        self.cell(0, 6, f"Trang {self.page_no()}/{{nb}}", align="C")


def _text(value: Any) -> str:
    """A figure as printed: 1.234 (dot for thousands), 87,5 (comma for decimals), labels as they are."""
    shown = cell_value(value)
    if isinstance(shown, int):
        return f"{shown:,}".replace(",", ".")
    if isinstance(shown, float):
        return f"{shown:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return shown


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.will_page_break(24):  # keep a heading with the start of what it heads
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)


def _table(
    pdf: FPDF,
    headers: list[str],
    rows: list[list[str]],
    widths: tuple[int, ...],
    aligns: tuple[str, ...],
    bold_rows: frozenset[int] = frozenset(),
    empty: str = "Không có.",
) -> None:
    if not rows:
        pdf.multi_cell(0, 5, empty, new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FAMILY, size=9)
    with pdf.table(
        col_widths=widths,
        text_align=aligns,
        headings_style=HEADINGS,
        line_height=4.6,
        v_align="TOP",
        padding=(0.8, 1.2),
    ) as table:
        table.row(headers)
        for index, values in enumerate(rows):
            row = table.row()
            for col, value in enumerate(values):
                row.cell(value, style=BOLD if col == 0 and index in bold_rows else None)


def _header(pdf: FPDF, doc: dict[str, Any]) -> None:
    if doc.get("official"):
        pdf_heading(pdf, doc["official"])
    else:
        pdf.set_font(FAMILY, "B", 14)
        pdf.multi_cell(0, 7, doc["title"], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for label, value in header_lines(doc):
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(36, 5.5, f"{label}:")
        pdf.set_font(FAMILY, size=10)
        pdf.multi_cell(0, 5.5, str(value), new_x="LMARGIN", new_y="NEXT")
    if doc.get("suppressed"):
        pdf.ln(1)
        pdf.set_font(FAMILY, size=9)
        pdf.multi_cell(0, 5, disclosure_note(), new_x="LMARGIN", new_y="NEXT")
    warning = missing_warning(doc)
    if warning:
        pdf.ln(1)
        pdf.set_font(FAMILY, "B", 10)
        pdf.set_text_color(*RED)
        pdf.multi_cell(0, 5.5, warning, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)


def _indicators(pdf: FPDF, doc: dict[str, Any]) -> None:
    rows: list[list[str]] = []
    firsts: set[int] = set()
    for ind in doc["indicators"]:
        firsts.add(len(rows))
        for i, cell in enumerate(ind["cells"] or [{"name": "", "value": None}]):
            first = i == 0
            basis = ind.get("legal_basis") or ""
            rows.append(
                [ind["name"] if first else "", cell["name"], _text(cell["value"]), basis if first else ""]
            )
    headers = ["Chỉ tiêu", "Phân tổ", "Giá trị", "Căn cứ"]
    _table(pdf, headers, rows, (62, 38, 22, 58), ("LEFT", "LEFT", "RIGHT", "LEFT"), frozenset(firsts))


def _targets(pdf: FPDF, doc: dict[str, Any]) -> None:
    targets = [
        [
            t["name"],
            _text(t.get("numerator")),
            _text(t.get("denominator")),
            _text(t.get("pct")),
            _text(t.get("target_pct")),
            met_label(t.get("met")),
        ]
        for t in doc.get("targets") or []
    ]
    headers = ["Tên", "Tử số", "Mẫu số", "Tỷ lệ %", "Mục tiêu %", "Kết quả"]
    aligns = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT")
    _table(pdf, headers, targets, (70, 20, 20, 20, 24, 26), aligns)


def _trend_target(doc: dict[str, Any]) -> float | None:
    """The target line to draw: the one target shared by every charted series, if there is one."""
    names = {s["name"] for s in doc["trend"]["series"]}
    targets = {t["target_pct"] for t in doc.get("targets") or [] if t["name"] in names}
    return targets.pop() if len(targets) == 1 else None


def _draw_trend(pdf: FPDF, trend: dict[str, Any], target: float | None) -> None:
    """The trend drawn with fpdf2 primitives: the fallback when the SVG chart cannot be embedded.
    Changes colours and line width: call it inside ``pdf.local_context()``."""
    periods, series = trend["periods"], trend["series"]
    top_value, step = y_axis([v for s in series for v in s["values"]], target)
    plot_height = 55.0
    if pdf.will_page_break(plot_height + 10 + 5 * len(series)):
        pdf.add_page()
    left, right, top = pdf.l_margin + 10, pdf.w - pdf.r_margin, pdf.y + 2
    bottom = top + plot_height

    def x_at(i: int) -> float:
        return (left + right) / 2 if len(periods) == 1 else left + i * (right - left) / (len(periods) - 1)

    def y_at(v: float) -> float:
        return bottom - v / top_value * plot_height

    pdf.set_font(FAMILY, size=7)
    pdf.set_draw_color(210)
    for k in range(round(top_value / step) + 1):
        pdf.line(left, y_at(k * step), right, y_at(k * step))
        pdf.text(pdf.l_margin, y_at(k * step) + 1, f"{k * step:g}")
    for i, period in enumerate(periods):
        pdf.text(x_at(i) - pdf.get_string_width(period) / 2, bottom + 4, period)
    if target is not None:
        with pdf.local_context(draw_color=TARGET_COLOUR, dash_pattern={"dash": 2, "gap": 1.5}):
            pdf.line(left, y_at(target), right, y_at(target))
    pdf.set_line_width(0.5)
    for n, s in enumerate(series):
        pdf.set_draw_color(PALETTE[n % len(PALETTE)])
        pdf.set_fill_color(PALETTE[n % len(PALETTE)])
        run: list[tuple[float, float]] = []
        for i, v in enumerate([*s["values"][: len(periods)], None]):
            if v is not None:
                run.append((x_at(i), y_at(v)))
                pdf.circle(x_at(i), y_at(v), 0.7, style="F")
                continue
            if len(run) > 1:
                pdf.polyline(run)
            run = []
    pdf.set_y(bottom + 7)
    pdf.set_font(FAMILY, size=8)
    for n, s in enumerate(series):
        pdf.set_text_color(PALETTE[n % len(PALETTE)])
        pdf.multi_cell(0, 4.5, f"— {s['name']}", new_x="LMARGIN", new_y="NEXT")
    if target is not None:
        pdf.set_text_color(TARGET_COLOUR)
        pdf.multi_cell(0, 4.5, f"- - Mục tiêu {target:g}%", new_x="LMARGIN", new_y="NEXT")


def _trend(pdf: FPDF, doc: dict[str, Any]) -> None:
    trend = doc["trend"]
    target = _trend_target(doc)
    title = f"Tỷ lệ các chỉ tiêu mục tiêu qua các kỳ, đến {doc['period_label']}"
    svg = trend_svg(title, trend["periods"], trend["series"], target=target)
    svg = TITLES.sub("", svg)  # fpdf2 logs a warning for each <title>; the image carries alt text instead
    try:  # fpdf2 reads a BytesIO as SVG only when it starts with "<svg " or "<?xml "
        pdf.image(io.BytesIO(svg.encode()), w=pdf.epw, alt_text=title)
    except SVG_FAILURES:
        log.warning("embedding the trend chart as SVG failed; drawing it with primitives", exc_info=True)
        pdf.multi_cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
        with pdf.local_context():
            _draw_trend(pdf, trend, target)


def new_pdf(title: str, author: str, margins: tuple[float, float, float] = (15, 15, 15)) -> FPDF:
    """An A4 portrait document in DejaVu Sans (Vietnamese), numbered "Trang x/y", first page open;
    ``margins`` are left, top and right in millimetres."""
    pdf = _ReportPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font(FAMILY, "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_lang("vi")
    pdf.set_margins(*margins)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    return pdf


heading = _heading
table = _table


def render_pdf(doc: dict[str, Any]) -> bytes:
    """The report as an A4 portrait PDF: header block, figures, targets, the trend chart (when there are
    periods), units and history, with "Trang x/y" in every footer. All text is extractable.
    """
    official = doc.get("official")
    # Decree 30/2020/NĐ-CP, Appendix I: margins of 30 mm on the left, 20 mm at the top, 15 mm on the right
    pdf = new_pdf(doc["title"], str(doc["generated_by"]), (30, 20, 15) if official else (15, 15, 15))
    _header(pdf, doc)
    _heading(pdf, "Số liệu các chỉ tiêu")
    _indicators(pdf, doc)
    _heading(pdf, "Chỉ tiêu mục tiêu")
    _targets(pdf, doc)
    if doc["trend"]["periods"]:
        _heading(pdf, "Xu hướng")
        _trend(pdf, doc)
    _heading(pdf, "Đơn vị trực thuộc")
    units = [list(r) for r in unit_rows(doc)]
    headers = ["Đơn vị", "Mã", "Trạng thái", "Đưa vào tổng hợp"]
    _table(pdf, headers, units, (70, 24, 46, 40), ("LEFT",) * 4, empty="Không có đơn vị trực thuộc.")
    if official:
        pdf_signature(pdf, official)
    _heading(pdf, "Phụ lục: Lịch sử xử lý" if official else "Lịch sử xử lý")
    events = [[e["at"], e["actor"], e["action_vi"], e.get("comment") or ""] for e in doc.get("events") or []]
    _table(
        pdf, ["Thời điểm", "Người thực hiện", "Thao tác", "Ghi chú"], events, (32, 36, 42, 70), ("LEFT",) * 4
    )
    return bytes(pdf.output())
