"""The register import pages: upload, the dry run's results with the columns and the errors workbook,
changing a column, apply with the duplicates decision, progress; in Vietnamese, scoped like the API."""

from __future__ import annotations

import io
import re
import time

import pytest
from litestar.testing import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from portal.app import create_app
from tests.e2e.site import Browser, web_tree


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def tree(owner):
    return web_tree(owner)


def _browser(app, tree, who: str) -> Browser:
    b = Browser(TestClient(app=app, base_url="http://testserver.local"))
    b.login(tree["users"][who])
    return b


def _register(tree) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Thôn/Tổ", "Ghi chép riêng"])
    ws.append([f"Lò Văn Sáng {tree['tag']}", "02/03/2019", "Nam", "Thái", tree["hamlet"].name, "x"])
    ws.append([f"Lò Thị Mây {tree['tag']}", "04/05/2020", "Nữ", "Thái", tree["hamlet2"].name, ""])
    ws.append([f"Lò Văn Gió {tree['tag']}", "31/13/2020", "Nam", "Thái", "Thôn Ma", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _wait(b: Browser, location: str, word: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = b.get(location).text
        if word in page:
            return page
        time.sleep(0.2)
    raise AssertionError(f"{location} never showed {word!r}")


def _upload(b: Browser, unit_id: int, content: bytes, name: str = "so.xlsx"):
    b.get("/imports/new")
    return b.client.post(
        "/imports",
        data={"_csrf": b.token, "unit": str(unit_id)},
        files={"data": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def test_officer_checks_corrects_and_applies_a_register(app, tree, owner, worker):
    officer = _browser(app, tree, "officer")
    children = officer.get("/children").text
    assert 'href="/imports/new"' in children
    form = officer.get("/imports/new")
    assert form.status_code == 200 and 'type="file"' in form.text and 'for="data"' in form.text
    assert 'href="/imports/template.xlsx"' in form.text
    assert officer.client.get("/imports/template.xlsx").status_code == 200
    sent = _upload(officer, tree["commune"].id, _register(tree))
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    page = _wait(officer, location, "Đã kiểm tra")
    assert "Tải các dòng cần kiểm tra" in page and "data-poll" not in page
    assert 'id="column_5"' in page and 'name="remember"' in page
    workbook = officer.client.get(f"{location}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == [4]
    assert "Áp dụng" not in page  # a row has errors: nothing can be applied

    fixed = _register(tree)[:]
    wb = load_workbook(io.BytesIO(fixed))
    wb.active.delete_rows(4)
    out = io.BytesIO()
    wb.save(out)
    location = _upload(officer, tree["commune"].id, out.getvalue()).headers["location"]
    page = _wait(officer, location, "Đã kiểm tra")
    # the unknown heading is not imported; the officer maps it to the notes and checks again
    assert re.search(r'id="column_5"[^>]*>\s*<option value="ignore">', page)
    again = officer.post(
        f"{location}/check",
        {
            f"column_{i}": f
            for i, f in enumerate(["full_name", "date_of_birth", "sex", "ethnicity", "hamlet", "notes"])
        },
    )
    assert again.status_code in (200, 303)
    page = _wait(officer, location, "Đã kiểm tra")
    assert re.search(r'<option value="notes" selected>', page)
    applied = officer.post(f"{location}/apply", {})
    assert applied.status_code in (200, 303)
    _wait(officer, location, "Số trẻ đã thêm")
    notes = owner.execute(
        text("SELECT notes FROM children WHERE full_name = :n"), {"n": f"Lò Văn Sáng {tree['tag']}"}
    ).scalar_one()
    assert notes == "x"


def test_collaborator_imports_only_into_their_hamlet(app, tree, owner, worker):
    collab = _browser(app, tree, "collab")
    form = collab.get("/imports/new").text
    assert f'value="{tree["hamlet"].id}"' in form and f'value="{tree["hamlet2"].id}"' not in form
    refused = _upload(collab, tree["hamlet2"].id, _register(tree))
    assert refused.status_code == 403
    bad = _upload(collab, tree["hamlet"].id, b"\x00\x01 not a register", "x.bin")
    assert bad.status_code == 422 and 'id="data-error"' in bad.text and 'aria-invalid="true"' in bad.text
    inspector = _browser(app, tree, "inspector")
    assert inspector.get("/imports/new").status_code == 403
    inspector.get("/dashboard")  # a page of theirs, for the form token: the refusal is the import's
    refused = inspector.client.post(
        "/imports",
        data={"_csrf": inspector.token, "unit": str(tree["commune"].id)},
        files={"data": ("so.xlsx", _register(tree), "application/octet-stream")},
    )
    assert refused.status_code == 403 and inspector.token
    assert (
        owner.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE username = :u AND resource = 'import' AND outcome = 'denied'"
            ),
            {"u": tree["users"]["inspector"]},
        ).scalar_one()
        >= 1
    )
