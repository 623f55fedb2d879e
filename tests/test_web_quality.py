"""The data-quality pages over HTTP (no browser), in Vietnamese: the work list with its figures, the
Excel for the commune police, the import of their verified list (made with openpyxl), the figures on the
ward officer's home and the inspector's dashboard, and the birth province on the child form."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import text

from portal.app import create_app
from tests.e2e.site import Browser, child_form, web_tree
from tests.support import fitting_id


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def world(owner) -> dict[str, Any]:
    return web_tree(owner)


@pytest.fixture()
def login(app, world):
    def make(who: str) -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        b.login(world["users"][who])
        return b

    return make


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def test_the_work_list_page_shows_the_area_s_children_and_the_figures(login, world):
    officer = login("officer")
    page = officer.get("/data-quality")
    assert page.status_code == 200, page.text
    shown = _text(page.text)
    assert all(c.full_name in shown for c in world["children"])
    assert world["outsider"].full_name not in shown
    assert "Chưa có số định danh cá nhân" in shown and "cha, mẹ hoặc người nuôi dưỡng" in shown
    assert "Hồ sơ đầy đủ: 0 trên 6 trẻ" in shown
    assert "Nhập danh sách công an đã xác minh" in shown
    collab = login("collab")
    assert all(c.full_name in _text(collab.get("/data-quality").text) for c in world["children"])
    assert collab.get("/data-quality/police-import").status_code == 403
    assert "Chất lượng dữ liệu" in _text(officer.get("/ward").text)

    inspector = login("inspector")
    dashboard = inspector.get("/dashboard")
    assert dashboard.status_code == 200, dashboard.text
    seen = _text(dashboard.text)
    assert "Chất lượng dữ liệu" in seen and "Tỷ lệ tính từ số liệu đã được bảo vệ" in seen
    assert not any(c.full_name in seen for c in world["children"])
    assert inspector.get("/data-quality").status_code == 403


def test_the_police_list_goes_out_and_comes_back_through_the_pages(login, world, owner):
    officer = login("officer")
    exported = officer.get("/data-quality/police-export")
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    sheet = book.active
    assert sheet is not None
    first = world["children"][0]  # a boy born in 2016
    number = fitting_id(born="2016-01-01", sex="male")
    rows = {str(r[1].value): r for r in sheet.iter_rows(min_row=5)}
    assert set(rows) == {str(c.id) for c in world["children"]}
    rows[str(first.id)][11].value, rows[str(first.id)][12].value = "Đã cấp", number
    out = io.BytesIO()
    book.save(out)
    officer.get("/data-quality/police-import")
    files = {"file": ("xac-minh.xlsx", out.getvalue(), "application/octet-stream")}
    done = officer.post("/data-quality/police-import", {"verified_by": "Công an phường"}, files=files)
    assert done.status_code == 200, done.text
    shown = _text(done.text)
    assert "Đã nhập." in shown and first.full_name in shown and "Đã cấp" in shown
    owner.rollback()
    stored = owner.execute(text("SELECT national_id FROM children WHERE id = :i"), {"i": first.id}).scalar()
    assert stored == number

    rows[str(world["children"][1].id)][11].value = "Xong rồi"
    bad = io.BytesIO()
    book.save(bad)
    refused = officer.post(
        "/data-quality/police-import",
        {"verified_by": "Công an phường"},
        files={"file": ("x.xlsx", bad.getvalue(), "application/octet-stream")},
    )
    assert refused.status_code == 422
    assert "Chưa nhập gì" in _text(refused.text) and "Dòng " in _text(refused.text)


def test_the_child_form_takes_the_birth_province_and_names_the_part_that_disagrees(login, world):
    officer = login("officer")
    page = officer.get("/children/new")
    assert (
        'name="birth_province_code"' in page.text
        and "070 · Tỉnh Bình Phước (nay thuộc Tỉnh Đồng Nai)" in page.text
    )
    form = child_form(
        hamlet_id=str(world["hamlet"].id), birth_province_code="006", national_id=fitting_id(province="001")
    )
    r = officer.post("/children/new", form)
    assert r.status_code == 422
    assert "Ba chữ số đầu không phải mã tỉnh nơi đăng ký khai sinh." in _text(r.text)
