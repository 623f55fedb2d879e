"""Register import (issue 16): a real XLSX made here with good rows, bad rows, duplicates in the file and
in the register and an unknown hamlet; the dry run (nothing written, errors workbook marked), the apply
(rows, history, audit), the same file again (nothing added), CSV, the area rules, malformed files.
Through the API with a real Celery worker, on real PostgreSQL with row-level security."""

from __future__ import annotations

import io
import time
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from tenancy.models import Unit
from tenancy.service import unit_by_code
from tests.support import child_payload, login, make_hamlet, make_user, unit

ERA = date(2025, 7, 1)
TONES = "\u0300\u0301\u0303\u0309\u0323"
HEADINGS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số định danh",
    "Họ tên cha/mẹ/người nuôi dưỡng",
    "Thôn/Tổ",
    "Hoàn cảnh đặc biệt",
]


@dataclass
class Place:
    commune: Unit
    h1: Unit
    h2: Unit
    officer: dict[str, str]
    collab: dict[str, str]
    district: dict[str, str]
    tag: str
    existing_id: str
    """The personal id of a child already in the register (hamlet 1)."""


@pytest.fixture(scope="module")
def place(client, database) -> Place:
    with Session(admin_engine(), expire_on_commit=False) as owner:
        tag = uuid.uuid4().hex[:6]
        province = unit_by_code(owner, "province", "48", ERA)
        assert province is not None
        commune = owner.scalars(
            select(Unit)
            .where(Unit.level == "commune", Unit.path.startswith(province.path), Unit.valid_to.is_(None))
            .order_by(Unit.code.desc())
        ).first()
        assert commune is not None
        h1 = make_hamlet(owner, commune, f"Thôn Một {tag}")
        h2 = make_hamlet(owner, commune, f"Tổ dân phố số 2 {tag}")
        officer = make_user(owner, f"imp-officer-{tag}", "ward_officer", commune.id).username
        collab = make_user(owner, f"imp-collab-{tag}", "collaborator", h1.id).username
        district = make_user(
            owner, f"imp-district-{tag}", "district_officer", unit(owner, "district", "008").id
        )
    officer_h = login(client, officer)
    existing_id = f"048317{int(tag, 16) % 10**6:06d}"  # fits a girl born in 2017 (the registry checks it)
    for body in (
        child_payload(h1.id, full_name="Trần Văn Có", date_of_birth="2017-02-03", national_id=existing_id),
        child_payload(h1.id, full_name="Đỗ Thị Dung", date_of_birth="2016-07-08"),
    ):
        assert client.post("/api/v1/children", json=body, headers=officer_h).status_code == 201
    return Place(
        commune, h1, h2, officer_h, login(client, collab), login(client, district.username), tag, existing_id
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH TRẺ EM"])  # a title row above the headings, as registers have
    ws.append(HEADINGS)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _good(p: Place, n: int) -> list[list[object]]:
    """Three good rows; ``n`` (0-9) keeps each test's own rows apart from the others'."""
    return [
        [
            f"Lê Văn An {n}",
            datetime(2016, 5, 1),
            "Nam",
            "Kinh",
            f"001216{n}{int(p.tag, 16) % 10**5:05d}",
            "Lê Văn Ba",
            p.h1.name,
            "",
        ],
        [
            f"Phạm Thị Bích {n}",
            "03/04/2018",
            "Nữ",
            "tay",
            None,
            "Phạm Văn Cường",
            f"to dan pho so 2 {p.tag}".upper(),
            "d, đ",
        ],
        [f"Hoàng Minh Châu {n}", 2015, "nam", "Kinh", None, "Hoàng Văn Dũng", p.h2.name, "Trẻ em khuyết tật"],
    ]


def _suspected(p: Place, n: int) -> list[list[object]]:
    return [
        ["DO THI DUNG", "08/07/2016", "Nữ", "Kinh", None, "Đỗ Văn Em", p.h1.name, ""],  # the register's
        [f"Phạm Thị Bích {n}", "03/04/2018", "Nữ", "Tày", None, "Nguyễn Thị Gấm", p.h2.name, ""],  # row 2's
    ]


def _bad(p: Place, n: int) -> list[list[object]]:
    good = _good(p, n)
    return [
        ["", "31/02/2015", "X", "Kinh", None, "", p.h1.name, ""],
        ["Ngô Văn Già", "01/01/2000", "Nam", "Kinh", None, "", p.h1.name, ""],
        ["Vũ Thị Hạnh", "05/06/2019", "Nữ", "Kinh", None, "", "Thôn Không Có", ""],
        ["Lê Văn Ân", "02/02/2016", "Nam", "Kinh", good[0][4], "", p.h1.name, ""],  # row 1's personal id
        ["Bùi Thị Khoa", "09/09/2017", "Nữ", "Kinh", p.existing_id, "", p.h1.name, ""],  # the register's
        ["Mai Thị Lan", "09/09/2019", "Nữ", "Kinh", None, "", p.h1.name, "z"],
    ]


def wait_for(client, headers, import_id: str, until: tuple[str, ...], timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{import_id}", headers=headers).json()
        if body["status"] in until:
            return body
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} not {until} in {timeout}s: {body}")


def upload(client, headers, unit_id: int, content: bytes, name: str = "so.xlsx", **form: str):
    return client.post(
        "/api/v1/imports",
        headers=headers,
        files={"data": (name, content, "application/octet-stream")},
        data={"unit_id": str(unit_id), **form},
    )


def children_of(owner: Session, commune: Unit) -> int:
    return owner.execute(
        text("SELECT count(*) FROM children WHERE unit_path LIKE :p"), {"p": commune.path + "%"}
    ).scalar_one()


def test_dry_run_writes_nothing_and_marks_every_problem(client, owner, worker, place):
    before = children_of(owner, place.commune)
    rows = _good(place, 1) + _bad(place, 1) + _suspected(place, 1)
    queued = upload(client, place.officer, place.commune.id, _xlsx(rows))
    assert queued.status_code == 202, queued.text
    done = wait_for(client, place.officer, queued.json()["id"], ("checked", "failed"))
    assert done["status"] == "checked", done
    fields = {c["heading"]: c["field"] for c in done["columns"]}
    assert fields["Họ tên cha/mẹ/người nuôi dưỡng"] == "guardian_name" and fields["Thôn/Tổ"] == "hamlet"
    assert fields["Hoàn cảnh đặc biệt"] == "groups" and fields["STT"] is None
    counts = done["counts"]
    assert counts["rows"] == 11 and counts["valid"] == 3 and counts["errors"] == 6, counts
    assert counts["suspected"] == 2 and counts["warnings"] == 1 and counts["unknown_hamlets"] == 1
    codes = {(p["row"], p["field"], p["code"]) for p in done["problems"]}
    first = 3  # the title row, the headings, then the data
    assert {(first + 3, "full_name", "required"), (first + 3, "date_of_birth", "bad_date")} <= codes
    assert (first + 3, "sex", "invalid") in codes and (first + 4, "date_of_birth", "too_old") in codes
    assert (first + 5, "hamlet", "unknown_hamlet") in codes
    assert (first + 6, "national_id", "duplicate_in_file") in codes
    assert (first + 7, "national_id", "duplicate") in codes
    assert (first + 8, "groups", "unknown_code") in codes
    assert (first + 2, "date_of_birth", "year_only") in codes
    assert {
        (first + 9, "full_name", "suspected_duplicate"),
        (first + 10, "full_name", "suspected_duplicate"),
    } <= codes
    assert children_of(owner, place.commune) == before

    sheet = client.get(f"/api/v1/imports/{done['id']}/errors.xlsx", headers=place.officer)
    assert sheet.status_code == 200
    ws = load_workbook(io.BytesIO(sheet.content)).active
    header = [c.value for c in ws[1]]
    assert header[0] == "Dòng" and header[-1] == "Lỗi / cảnh báo"
    by_row = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(by_row) == {first + 2, *range(first + 3, first + 11)}
    bad_date = by_row[first + 3][header.index("Ngày sinh")]
    assert bad_date.fill.start_color.rgb.endswith("FFC7CE")
    assert "dd/mm/yyyy" in bad_date.comment.text and "Ngày không hợp lệ" in bad_date.comment.text
    assert by_row[first + 3][header.index("Thôn/Tổ")].comment is None
    hamlet = by_row[first + 5][header.index("Thôn/Tổ")]
    assert hamlet.comment is not None and hamlet.fill.start_color.rgb.endswith("FFC7CE")
    assert "Lỗi" in by_row[first + 5][-1].value
    refused = client.post(
        f"/api/v1/imports/{done['id']}/apply", headers=place.officer, json={"duplicates": "skip"}
    )
    assert refused.status_code == 409 and "6 rows have errors" in refused.text
    assert children_of(owner, place.commune) == before


def test_apply_writes_all_rows_once_with_history_and_audit(client, owner, worker, place):
    before = children_of(owner, place.commune)
    n = 2
    content = _xlsx(_good(place, n) + _suspected(place, n))
    first = wait_for(
        client,
        place.officer,
        upload(client, place.officer, place.commune.id, content).json()["id"],
        ("checked",),
    )
    assert first["counts"]["errors"] == 0 and first["counts"]["suspected"] == 2
    undecided = client.post(f"/api/v1/imports/{first['id']}/apply", headers=place.officer, json={})
    assert undecided.status_code == 422 and "duplicates" in undecided.text
    queued = client.post(
        f"/api/v1/imports/{first['id']}/apply", headers=place.officer, json={"duplicates": "skip"}
    )
    assert queued.status_code == 202 and queued.json()["status"] == "applying"
    applied = wait_for(client, place.officer, first["id"], ("applied", "checked", "failed"))
    assert applied["status"] == "applied", applied
    assert applied["counts"]["added"] == 3 and applied["counts"]["skipped"] == 2 and applied["percent"] == 100
    assert children_of(owner, place.commune) == before + 3
    made = owner.execute(
        text(
            "SELECT c.full_name, c.date_of_birth, c.hamlet_id, c.ethnicity, c.national_id, "
            "(SELECT count(*) FROM guardians g WHERE g.child_id = c.id) AS guardians, "
            "(SELECT array_agg(p.code ORDER BY p.code) FROM child_periods p WHERE p.child_id = c.id) AS groups, "
            "(SELECT count(*) FROM child_history h, child_history api JOIN children a ON a.id = api.child_id "
            " WHERE h.child_id = c.id AND h.action = 'create' AND h.after ->> 'full_name' = c.full_name "
            " AND a.national_id = :api AND api.action = 'create' AND h.before IS NOT DISTINCT FROM api.before "
            " AND ARRAY(SELECT jsonb_object_keys(h.after) ORDER BY 1) = ARRAY(SELECT jsonb_object_keys(api.after) ORDER BY 1)"
            ") AS history "
            "FROM children c JOIN register_import_rows r ON r.child_id = c.id WHERE r.import_id = :i "
            "ORDER BY c.full_name"
        ),
        {"i": first["id"], "api": place.existing_id},
    ).all()
    assert [m.full_name for m in made] == [f"Hoàng Minh Châu {n}", f"Lê Văn An {n}", f"Phạm Thị Bích {n}"]
    chau, an, bich = made
    assert chau.date_of_birth == date(2015, 1, 1) and chau.groups == ["d"] and chau.hamlet_id == place.h2.id
    assert an.date_of_birth == date(2016, 5, 1) and an.hamlet_id == place.h1.id and an.national_id
    assert bich.ethnicity == "Tày" and bich.groups == ["d", "dd"] and bich.hamlet_id == place.h2.id
    assert all(m.guardians == 1 and m.history == 1 for m in made)
    audit = owner.execute(
        text(
            "SELECT detail FROM audit_log WHERE action = 'import' AND resource = 'child' AND :i = ANY(resource_ids)"
        ),
        {"i": first["id"]},
    ).scalar_one()
    assert audit["added"] == 3 and audit["rows"] == 5 and audit["suspected"] == 2

    again = wait_for(
        client,
        place.officer,
        upload(client, place.officer, place.commune.id, content).json()["id"],
        ("checked",),
    )
    assert again["counts"]["already_imported"] == 3 and again["counts"]["errors"] == 0
    client.post(f"/api/v1/imports/{again['id']}/apply", headers=place.officer, json={"duplicates": "skip"})
    assert wait_for(client, place.officer, again["id"], ("applied",))["counts"]["added"] == 0
    assert children_of(owner, place.commune) == before + 3
    assert (
        client.post(f"/api/v1/imports/{again['id']}/apply", headers=place.officer, json={}).status_code == 409
    )


def test_csv_into_a_hamlet_with_one_step(client, owner, worker, place):
    lines = ["Họ và tên;Ngày sinh;Giới tính;Dân tộc;Số điện thoại;Họ tên cha/mẹ/người nuôi dưỡng"]
    lines += [
        f"Trịnh Văn Nam {place.tag};12/12/2019;Nam;Kinh;912345678;Trịnh Văn Ông",
        f"Lý Thị Oanh {place.tag};2020;Nữ;Mường;;",
    ]
    content = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    before = children_of(owner, place.commune)
    queued = upload(client, place.collab, place.h1.id, content, "so.csv", dry_run="false")
    assert queued.status_code == 202 and queued.json()["format"] == "csv"
    done = wait_for(client, place.collab, queued.json()["id"], ("applied", "failed"))
    assert done["status"] == "applied" and done["counts"]["added"] == 2, done
    assert children_of(owner, place.commune) == before + 2
    phone = owner.execute(
        text("SELECT g.phone FROM guardians g JOIN children c ON c.id = g.child_id WHERE c.full_name = :n"),
        {"n": f"Trịnh Văn Nam {place.tag}"},
    ).scalar_one()
    assert phone == "0912345678"


def _windows_1258(value: str) -> bytes:
    """Vietnamese in Windows-1258: letters with their vowel marks composed, tones as combining marks."""
    out = []
    for ch in unicodedata.normalize("NFC", value):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)) + tones)
    return "".join(out).encode("cp1258")


def test_windows_1258_csv_is_read(client, worker, place):
    content = _windows_1258("Họ và tên,Ngày sinh,Giới tính,Dân tộc\r\nLê Thị Vân,01/02/2019,Nữ,Kinh\r\n")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    queued = upload(client, place.collab, place.h1.id, content, "so.csv")
    done = wait_for(client, place.collab, queued.json()["id"], ("checked", "failed"))
    assert done["status"] == "checked" and done["counts"]["valid"] == 1, done
    assert [c["field"] for c in done["columns"]] == ["full_name", "date_of_birth", "sex", "ethnicity"]


def test_area_rules_collaborator_and_district(client, worker, place):
    content = _xlsx(_good(place, 3)[:1])
    other = upload(client, place.collab, place.h2.id, content)
    assert other.status_code == 403
    assert upload(client, place.collab, place.commune.id, content).status_code == 403
    assert upload(client, place.district, place.commune.id, content).status_code == 403
    # rows naming another hamlet of the commune are refused row by row
    done = wait_for(
        client,
        place.collab,
        upload(client, place.collab, place.h1.id, _xlsx(_good(place, 3)[1:2])).json()["id"],
        ("checked",),
    )
    assert [(p["field"], p["code"]) for p in done["problems"]] == [("hamlet", "out_of_scope")]
    assert client.get(f"/api/v1/imports/{done['id']}", headers=place.district).status_code == 403
    officer_import = upload(client, place.officer, place.h2.id, content).json()["id"]
    assert client.get(f"/api/v1/imports/{officer_import}", headers=place.collab).status_code == 404


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"\x00\x01\x02 not a register", 415, "unsupported_type"),
        (b"PK\x03\x04 a broken zip", 415, "unsupported_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", 415, "unsupported_type"),
        (b"", 422, "empty"),
        (b"just one line of text\nand another\n", 422, "no_headings"),
    ],
)
def test_a_bad_file_is_a_4xx_naming_the_problem(client, place, content, status, code):
    answer = upload(client, place.officer, place.commune.id, content)
    assert answer.status_code == status, answer.text
    assert any(e["field"] == "data" and e["code"] == code for e in answer.json()["errors"]), answer.text


def test_template_is_recognised_and_lists_the_codes(client, worker, place):
    answer = client.get("/api/v1/imports/template.xlsx", headers=place.collab)
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Danh sách trẻ em", "Mã"]
    assert [c.value for c in book["Danh sách trẻ em"][1]][:3] == ["Họ và tên", "Ngày sinh", "Giới tính"]
    codes = [[c.value for c in r] for r in book["Mã"].iter_rows()]
    assert ["Nam", None, "Kinh", None, "a", "Trẻ em mồ côi cả cha và mẹ"] in codes
    done = wait_for(
        client,
        place.officer,
        upload(client, place.officer, place.commune.id, answer.content).json()["id"],
        ("checked",),
    )
    assert all(c["field"] for c in done["columns"]), done["columns"]
    assert [(p["field"], p["code"]) for p in done["problems"]] == [("hamlet", "unknown_hamlet")]


def test_mapping_is_remembered_per_commune(client, worker, place):
    bad = client.put(
        f"/api/v1/units/{place.commune.id}/import-mapping",
        headers=place.officer,
        json={"mapping": {"Tên con": "nope"}},
    )
    assert bad.status_code == 422
    put = client.put(
        f"/api/v1/units/{place.commune.id}/import-mapping",
        headers=place.officer,
        json={"mapping": {"Tên con": "full_name"}},
    )
    assert put.status_code == 200, put.text
    read = client.get(f"/api/v1/units/{place.commune.id}/import-mapping", headers=place.collab)
    assert read.status_code == 200 and read.json()["mapping"] == {"Tên con": "full_name"}
    assert (
        client.get(f"/api/v1/units/{place.commune.id}/import-mapping", headers=place.district).status_code
        == 403
    )
    content = "TÊN CON,Ngày sinh,Giới tính,Dân tộc\nHà Văn Phú,01/02/2019,Nam,Kinh\n".encode()
    done = wait_for(
        client,
        place.collab,
        upload(client, place.collab, place.h1.id, content, "a.csv").json()["id"],
        ("checked",),
    )
    assert done["columns"][0] == {"index": 0, "heading": "TÊN CON", "field": "full_name", "how": "commune"}
    again = client.post(
        f"/api/v1/imports/{done['id']}/check", headers=place.collab, json={"mapping": {"Tên con": "ignore"}}
    )
    assert again.status_code == 202
    rechecked = wait_for(client, place.collab, done["id"], ("checked",))
    assert rechecked["columns"][0]["field"] is None and rechecked["counts"]["errors"] == 1


def _handmade_xlsx(sheet_rows: str, date1904: bool) -> bytes:
    """A minimal workbook as other programs write it: inline and rich shared strings, a prefixed
    namespace, a custom date format, a gap in the row numbers, the 1904 date system."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}">'
        + (f'<workbookPr date1904="{"1" if date1904 else "0"}"/>')
        + '<sheets><sheet name="DS" sheetId="1" r:id="rId7"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId7" Type="x" Target="/xl/worksheets/data.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}"><si><t>Họ và tên</t></si>'
        "<si><r><t>Nguyễn </t></r><r><t>Văn A</t></r><rPh><t>x</t></rPh></si></sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><numFmts><numFmt numFmtId="170" formatCode="dd/mm/yyyy;@"/>'
        '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="170"/></cellXfs></styleSheet>',
        "xl/worksheets/data.xml": f'<x:worksheet xmlns:x="{main}"><x:dimension ref="A1:C4"/><x:sheetData>'
        + sheet_rows
        + "</x:sheetData></x:worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for name, body in parts.items():
            book.writestr(name, body)
    return out.getvalue()


def test_the_xlsx_reader_reads_what_other_programs_write():
    from portal.imports.xlsx import NotAWorkbook, read_xlsx

    rows_xml = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>Ngày sinh</x:t>'
        "</x:is></x:c></x:row>"
        '<x:row r="3"><x:c r="A3" t="s"><x:v>1</x:v></x:c><x:c r="B3" t="b"><x:v>1</x:v></x:c>'
        '<x:c r="C3" s="1"><x:v>42000</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="C4"><x:f>1+1</x:f><x:v>2015</x:v></x:c></x:row>'
    )
    for date1904, born in ((False, datetime(2014, 12, 27)), (True, datetime(2018, 12, 28))):
        rows, size = read_xlsx(_handmade_xlsx(rows_xml, date1904))
        assert size == 4
        assert list(rows) == [
            ["Họ và tên", None, "Ngày sinh"],
            [],
            ["Nguyễn Văn A", 1, born],
            [None, None, 2015],
        ]
    with pytest.raises(NotAWorkbook):
        read_xlsx(b"PK\x03\x04 not a zip at all")
