"""The pure report renderers: XLSX, PDF and SVG charts from a document dict (no database, no HTTP)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.reports import render_pdf as render_pdf_module
from portal.reports.charts import bar_svg, trend_svg
from portal.reports.render_pdf import render_pdf
from portal.reports.render_xlsx import render_xlsx

SVG = "{http://www.w3.org/2000/svg}"
TARGET_NAME = "Trẻ em có HCĐB được trợ giúp"


def make_doc(**overrides: object) -> dict:
    doc: dict = {
        "title": "Báo cáo tháng công tác bảo vệ, chăm sóc trẻ em",
        "unit": {"name": "Phường Yên Sở", "code": "00340", "level_vi": "Xã/Phường"},
        "period": "2026-10",
        "period_label": "Tháng 10/2026",
        "period_start": "01/10/2026",
        "period_end": "31/10/2026",
        "status": "approved",
        "status_vi": "Đã phê duyệt",
        "version": 4,
        "generated_at": "23/11/2026 16:45",
        "generated_by": "demo-officer",
        "suppressed": False,
        "indicators": [
            {
                "code": "children",
                "name": "Số trẻ em (dưới 16 tuổi)",
                "legal_basis": "Luật Trẻ em 2016, Điều 1",
                "cells": [
                    {"key": "total", "name": "Tổng số", "value": 1234},
                    {"key": "male", "name": "Nam", "value": 600},
                    {"key": "female", "name": "Nữ", "value": 634},
                ],
            },
            {
                "code": "special",
                "name": "Trẻ em có hoàn cảnh đặc biệt được phát hiện, quản lý và trợ giúp trong kỳ báo cáo",
                "legal_basis": "Nghị định 56/2017/NĐ-CP",
                "cells": [
                    {"key": "total", "name": "Tổng số", "value": 50},
                    {"key": "orphan", "name": "Mồ côi cả cha và mẹ", "value": "<5"},
                    {"key": "disabled", "name": "Khuyết tật", "value": 47},
                ],
            },
        ],
        "sub_units": [
            {"name": "Tổ dân phố 1", "code": None, "status_vi": "Đã phê duyệt", "included": True},
            {"name": "Tổ dân phố 2", "code": None, "status_vi": "Đã phê duyệt", "included": True},
            {"name": "Tổ dân phố 7", "code": None, "status_vi": "Chưa nộp", "included": False},
        ],
        "missing_units": [{"name": "Tổ dân phố 7", "code": None, "status_vi": "Chưa nộp"}],
        "targets": [
            {
                "name": TARGET_NAME,
                "numerator": 45,
                "denominator": 50,
                "pct": 90.0,
                "target_pct": 100.0,
                "met": False,
            },
            {
                "name": "Trẻ em được khai sinh đúng hạn",
                "numerator": "<5",
                "denominator": 7,
                "pct": None,
                "target_pct": 98.0,
                "met": None,
            },
        ],
        "trend": {
            "periods": ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"],
            "series": [{"name": TARGET_NAME, "values": [88.0, None, 90.0, 91.5, 89.0, 90.0]}],
        },
        "events": [
            {"at": "20/11/2026 09:12", "actor": "demo-collab-1", "action_vi": "Nộp báo cáo", "comment": None},
            {
                "at": "23/11/2026 16:40",
                "actor": "demo-officer",
                "action_vi": "Phê duyệt",
                "comment": "Đủ số liệu",
            },
        ],
    }
    doc.update(overrides)
    return doc


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def sheet_rows(ws) -> list[tuple]:
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


# XLSX


def test_xlsx_sheets_header_and_figures():
    wb = load_workbook(io.BytesIO(render_xlsx(make_doc())))
    assert wb.sheetnames == ["Báo cáo", "Chỉ tiêu mục tiêu", "Đơn vị", "Lịch sử"]
    ws = wb["Báo cáo"]
    rows = sheet_rows(ws)
    assert rows[0][0] == "Báo cáo tháng công tác bảo vệ, chăm sóc trẻ em"
    flat = [str(v) for row in rows for v in row if v is not None]
    assert "Phường Yên Sở (mã 00340) — Xã/Phường" in flat
    assert "Tháng 10/2026 (từ 01/10/2026 đến 31/10/2026)" in flat
    assert any(v.startswith("Tổng hợp thiếu đơn vị") and "Tổ dân phố 7 (Chưa nộp)" in v for v in flat)
    assert not any("<5" in v and "hiển thị" in v for v in flat)  # no suppression note when not suppressed

    head = rows.index(("Chỉ tiêu", "Phân tổ", "Giá trị", "Căn cứ"))
    assert ws.freeze_panes == f"A{head + 2}"
    body = rows[head + 1 :]
    assert body[0] == ("Số trẻ em (dưới 16 tuổi)", "Tổng số", 1234, "Luật Trẻ em 2016, Điều 1")
    assert body[1] == (None, "Nam", 600, None)
    assert isinstance(body[0][2], int)
    assert body[4][1:3] == ("Mồ côi cả cha và mẹ", "<5")
    assert ws.cell(row=head + 2 + 4, column=3).data_type == "s"
    assert body[5][2] == 47 and ws.cell(row=head + 2 + 5, column=3).data_type == "n"
    assert ws.cell(row=head + 2, column=1).font.b and not ws.cell(row=head + 3, column=2).font.b


def test_xlsx_targets_units_and_history():
    wb = load_workbook(io.BytesIO(render_xlsx(make_doc())))
    targets = sheet_rows(wb["Chỉ tiêu mục tiêu"])
    assert targets[0] == ("Tên", "Tử số", "Mẫu số", "Tỷ lệ %", "Mục tiêu %", "Kết quả")
    assert targets[1] == (TARGET_NAME, 45, 50, 90.0, 100.0, "Chưa đạt")
    assert targets[2] == ("Trẻ em được khai sinh đúng hạn", "<5", 7, "—", 98.0, "—")
    assert wb["Chỉ tiêu mục tiêu"].freeze_panes == "A2"
    units = sheet_rows(wb["Đơn vị"])
    assert units[1:] == [
        ("Tổ dân phố 1", None, "Đã phê duyệt", "Có"),
        ("Tổ dân phố 2", None, "Đã phê duyệt", "Có"),
        ("Tổ dân phố 7", None, "Chưa nộp", "Không (thiếu)"),
    ]
    events = sheet_rows(wb["Lịch sử"])
    assert events[2] == ("23/11/2026 16:40", "demo-officer", "Phê duyệt", "Đủ số liệu")


def test_xlsx_disclosure_note_and_complete_consolidation():
    wb = load_workbook(io.BytesIO(render_xlsx(make_doc(suppressed=True, missing_units=[], sub_units=[]))))
    flat = [str(v) for row in sheet_rows(wb["Báo cáo"]) for v in row if v is not None]
    assert any('từ 1 đến 4 được hiển thị là "<5"' in v and "điều chỉnh nhẹ" in v for v in flat)
    assert not any("Tổng hợp thiếu đơn vị" in v for v in flat)
    assert sheet_rows(wb["Đơn vị"])[1][0] == "Không có đơn vị trực thuộc"


# PDF


def test_pdf_text_is_real_vietnamese_text():
    pages = pdf_pages(render_pdf(make_doc(suppressed=True)))
    text = "\n".join(pages)
    for expected in [
        "Báo cáo tháng công tác bảo vệ, chăm sóc trẻ em",
        "Phường Yên Sở",
        "Tháng 10/2026",
        "1.234",  # thousands with a dot, as Vietnamese documents write them
        "Mồ côi cả cha và mẹ",
        "Tổng hợp thiếu đơn vị",
        "Tổ dân phố 7",
        'từ 1 đến 4 được hiển thị là "<5"',
        "Chưa đạt",
        "Phê duyệt",
        "2026-07",  # a period label inside the embedded chart
    ]:
        assert expected in text, expected
    assert pages[0].rstrip().endswith(f"Trang 1/{len(pages)}")


def test_pdf_without_missing_units_suppression_or_trend():
    doc = make_doc(missing_units=[], sub_units=[], trend={"periods": [], "series": []})
    text = "\n".join(pdf_pages(render_pdf(doc)))
    assert "Không có đơn vị trực thuộc." in text
    assert "Phường Yên Sở" in text
    assert "Tổng hợp thiếu đơn vị" not in text
    assert "được hiển thị là" not in text
    assert "Xu hướng" not in text and "2026-07" not in text


def test_pdf_long_report_spills_over_pages_with_numbers():
    indicators = [
        {
            "code": f"ind{i}",
            "name": f"Chỉ tiêu số {i} về trẻ em cần được bảo vệ đặc biệt, tên dài để phải xuống dòng trong bảng",
            "legal_basis": "Thông tư 01/2025/TT-BYT",
            "cells": [{"key": "total", "name": "Tổng số", "value": 1000 + i}],
        }
        for i in range(60)
    ]
    pages = pdf_pages(render_pdf(make_doc(indicators=indicators)))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in text
    assert "1.059" in "\n".join(pages)
    assert "Chỉ tiêu Phân tổ Giá trị Căn cứ" in pages[1]  # the table headings repeat on the next page


def test_pdf_draws_the_chart_itself_when_svg_cannot_be_embedded(monkeypatch):
    broken = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><broken'
    monkeypatch.setattr(render_pdf_module, "trend_svg", lambda *args, **kwargs: broken)
    text = "\n".join(pdf_pages(render_pdf(make_doc())))
    assert "2026-07" in text and f"— {TARGET_NAME}" in text


# SVG


def test_trend_svg_lines_target_and_gaps():
    series = [
        {"name": TARGET_NAME, "values": [88.0, None, 90.0, 91.5]},
        {"name": "Trẻ em <6 tuổi & khai sinh", "values": [50.0, 60.0, 70.0, 120.0]},
    ]
    svg = trend_svg("Xu hướng", ["2026-07", "2026-08", "2026-09", "2026-10"], series, target=100.0)
    root = ET.fromstring(svg)
    assert root.get("aria-label") == "Xu hướng" and root.find(f"{SVG}title").text == "Xu hướng"
    paths = root.findall(f"{SVG}path[@class='series']")
    assert len(paths) == 2
    assert paths[0].get("d").count("M") == 2  # the gap breaks the first line
    assert paths[1].get("d").count("M") == 1
    targets = root.findall(f"{SVG}line[@class='target']")
    assert len(targets) == 1 and targets[0].get("stroke-dasharray")
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Trẻ em <6 tuổi & khai sinh" in texts and "Mục tiêu 100%" in texts
    assert "120" in texts  # the axis grows past 100 for a value above it
    no_target = ET.fromstring(trend_svg("Xu hướng", ["2026-10"], series[:1]))
    assert no_target.findall(f"{SVG}line[@class='target']") == []


def test_trend_svg_without_periods_says_so():
    root = ET.fromstring(trend_svg("Xu hướng", [], []))
    assert root.findall(f"{SVG}path") == []
    assert "Chưa có số liệu" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("target", [None, 95.0])
def test_bar_svg_ranks_and_shows_unknown_as_dash(target):
    svg = bar_svg(
        "Xếp hạng", ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3"], [70.0, None, 95.5], target=target
    )
    root = ET.fromstring(svg)
    assert len(root.findall(f".//{SVG}rect[@class='bar']")) == 2
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts.index("Tổ dân phố 3") < texts.index("Tổ dân phố 1") < texts.index("Tổ dân phố 2")
    assert "—" in texts and "95,5%" in texts
    assert len(root.findall(f"{SVG}line[@class='target']")) == (0 if target is None else 1)


def test_charts_speak_the_readers_language():
    english = trend_svg(
        "Trend", ["2026-09", "2026-10"], [{"name": "A", "values": [80.0, 90.0]}], target=90, lang="en"
    )
    assert "Target 90%" in english and "Mục tiêu" not in english
    assert "No data yet" in bar_svg("Ranking", [], [], lang="en")
    assert "Chưa có số liệu" in bar_svg("Xếp hạng", [], [])
