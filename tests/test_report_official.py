"""Report documents in the layout of Decree 30/2020/NĐ-CP: the words (place, date line, subject,
addressee), and the PDF and XLSX built by the worker, read back with pypdf and openpyxl: heading, motto,
number given once per unit and year, date line, addressee, "Nơi nhận" and signature block."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text as sql

from infra.clock import VIETNAM, utcnow
from portal.reports.official import addressee, date_line, place_name, subtitle
from tests.exchange_support import approved_commune
from tests.reporting import COMMUNE_VALUES, enter, start, who
from tests.support import make_user
from tests.test_reports_documents import document


def test_place_date_line_and_subject_follow_the_decree():
    assert place_name("Xã Kim Chung") == "Kim Chung"
    assert place_name("Phường 12") == "Phường 12"  # a number keeps its level word
    assert place_name("Thành phố Hà Nội") == "Hà Nội"
    assert place_name("Tổ dân phố 3") == "Tổ dân phố 3"
    assert date_line("Yên Sở", date(2027, 1, 5), 2027) == "Yên Sở, ngày 05 tháng 01 năm 2027"
    assert date_line("Yên Sở", date(2026, 3, 15), 2026) == "Yên Sở, ngày 15 tháng 3 năm 2026"
    assert date_line("Yên Sở", date(2026, 2, 28), 2026) == "Yên Sở, ngày 28 tháng 02 năm 2026"
    assert date_line("Yên Sở", None, 2026) == "Yên Sở, ngày      tháng      năm 2026"
    name = "Báo cáo tháng công tác bảo vệ, chăm sóc trẻ em"
    assert subtitle(name, "tháng 12/2026") == "Công tác bảo vệ, chăm sóc trẻ em tháng 12/2026"
    assert addressee(None, date(2025, 6, 30)) == "Bộ Y tế"
    assert addressee(None, date(2024, 12, 31)) == "Bộ Lao động - Thương binh và Xã hội"


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _today_line(place: str) -> str:
    return date_line(place, utcnow().astimezone(VIETNAM).date(), 0)


def test_official_pdf_and_xlsx_numbered_once(client, owner, worker):
    chain = approved_commune(client, owner)
    t, commune = chain["t"], chain["commune"]
    officer = who(client, t, "oa")
    a_place = place_name(t["a"].name)

    _meta, pdf = document(client, officer, commune["id"], "pdf")
    text = _text(pdf)
    for expected in (
        f"UBND {t['d1'].name.upper()}",
        f"UBND {t['a'].name.upper()}",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 1/BC-UBND",
        _today_line(a_place),
        "BÁO CÁO",
        "Công tác bảo vệ, chăm sóc trẻ em tháng 06/2025",
        f"Kính gửi: Ủy ban nhân dân huyện {t['d1'].name.split(' ', 1)[1]}.",
        "Nơi nhận:",
        "- Như trên;",
        "NGƯỜI LẬP BÁO CÁO",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        f"Test rp-oa-{t['tag']}",  # who submitted it
    ):
        assert expected in text, expected
    assert text.index("Số: 1/BC-UBND") < text.index("BÁO CÁO") < text.index("Nơi nhận:")

    # the same report keeps its number; the chairman signs for the People's Committee once there is one
    make_user(owner, f"rp-chair-{t['tag']}", "commune_chairman", t["a"].id)
    _meta, book = document(client, officer, commune["id"], "xlsx")
    sheet = load_workbook(io.BytesIO(book))["Báo cáo"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    flat = [v for r in rows for v in r if v is not None]
    assert rows[0][0] == f"UBND {t['d1'].name.upper()}" and rows[0][3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert rows[1][0] == f"UBND {t['a'].name.upper()}" and rows[1][3] == "Độc lập - Tự do - Hạnh phúc"
    assert rows[2] == ("Số: 1/BC-UBND", None, None, _today_line(a_place))
    assert "TM. ỦY BAN NHÂN DÂN" in flat and "CHỦ TỊCH" in flat and f"Test rp-chair-{t['tag']}" in flat
    assert "(Ký, ghi rõ họ tên, đóng dấu)" in flat
    head = rows.index(("Chỉ tiêu", "Phân tổ", "Giá trị", "Căn cứ"))
    figures = [r[2] for r in rows[head + 1 :] if r[1] is not None and r[2] is not None]
    assert figures and all(isinstance(v, int) for v in figures)  # numbers stay numbers

    # a draft has no number yet; a hamlet numbers its own reports; a report keeps its number
    july = enter(client, officer, start(client, officer, t["a"], "2025-07"), COMMUNE_VALUES)
    _meta, draft = document(client, officer, july["id"], "pdf")
    assert "Số:      /BC-UBND" in _text(draft) and "ngày      tháng      năm" in _text(draft)
    hamlet = chain["hamlets"][0]
    _meta, hamlet_pdf = document(client, officer, hamlet["id"], "pdf")
    assert "Số: 1/BC" in _text(hamlet_pdf) and f"UBND {t['a'].name.upper()}" in _text(hamlet_pdf)
    june_again = _text(document(client, officer, commune["id"], "pdf")[1])
    assert "Số: 1/BC-UBND" in june_again and "Số: 2/BC-UBND" not in june_again
    numbers = owner.execute(
        sql("SELECT unit_id, seq FROM report_numbers WHERE unit_id = ANY(:u) ORDER BY unit_id"),
        {"u": [t["a"].id, t["ha"][0].id]},
    ).all()
    assert sorted(numbers) == sorted([(t["a"].id, 1), (t["ha"][0].id, 1)])  # per unit, given once
