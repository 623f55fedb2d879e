"""The Project 06 cycle end to end, through the HTTP API against real PostgreSQL with row-level security:
the work list of a commune, the XLSX exported for the commune police, their verified list (made here with
openpyxl) imported back with issued, corrected, not found and conflicting rows, the children's history and
the audit log, an idempotent re-import, and the data-quality figures: exact for the ward officer, published
for the district and the province. Another commune's children are never in the list."""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.registry.national_id import century_sex_digit, mismatches
from tenancy.models import Unit
from tenancy.service import unit_by_code
from tests.support import child_payload, login, make_unit, make_user

ERA = date(2025, 7, 1)
CHILDREN = "/api/v1/children"


def fitting(born: str = "2018-03-04", sex: str = "female", province: str = "001") -> str:
    year = int(born[:4])
    return f"{province}{century_sex_digit(year, sex)}{year % 100:02d}{random.randrange(10**6):06d}"


@dataclass
class World:
    a: Unit
    a1: Unit
    a2: Unit
    b: Unit
    b1: Unit
    district: Unit
    province: Unit
    officer_a: dict[str, str]
    collab_a1: dict[str, str]
    officer_b: dict[str, str]
    district_officer: dict[str, str]
    inspector: dict[str, str]
    kids: dict[str, dict]


def _make(client, headers, hamlet: Unit, name: str, **overrides) -> dict:
    r = client.post(CHILDREN, headers=headers, json=child_payload(hamlet.id, full_name=name, **overrides))
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture()
def world(client, database) -> World:
    """Two communes of a new district of Hà Nội, their staff, the district's and the province's, and
    children in commune A with each problem (and two in commune B), made afresh for each test."""
    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        province = unit_by_code(owner, "province", "01", ERA)
        assert province is not None
        district = make_unit(owner, province, "district", f"Huyện Xác Minh {tag}")
        a = make_unit(owner, district, "commune", f"Xã An {tag}")
        b = make_unit(owner, district, "commune", f"Xã Bình {tag}")
        a1, a2 = (make_unit(owner, a, "hamlet", f"Thôn {n} {tag}") for n in ("Một", "Hai"))
        b1 = make_unit(owner, b, "hamlet", f"Thôn Ba {tag}")
        users = {
            "officer_a": make_user(owner, f"p6-oa-{tag}", "ward_officer", a.id),
            "collab_a1": make_user(owner, f"p6-ca-{tag}", "collaborator", a1.id),
            "officer_b": make_user(owner, f"p6-ob-{tag}", "ward_officer", b.id),
            "district_officer": make_user(owner, f"p6-d-{tag}", "district_officer", district.id),
            "inspector": make_user(owner, f"p6-i-{tag}", "provincial_inspector", province.id),
        }
    heads = {k: login(client, u.username) for k, u in users.items()}
    oa = heads["officer_a"]
    kids = {
        "ok": _make(client, oa, a1, f"Trần Văn Đủ {tag}", sex="male", national_id=fitting(sex="male")),
        "issue": _make(client, oa, a1, f"Lê Thị Cấp {tag}"),
        "correct": _make(client, oa, a1, f"Phạm Thị Sửa {tag}"),
        "not_found": _make(client, oa, a1, f"Vũ Thị Tìm {tag}"),
        "conflict": _make(client, oa, a1, f"Đỗ Thị Trùng {tag}"),
        "no_guardian": _make(client, oa, a1, f"Hoàng Thị Lẻ {tag}", national_id=fitting(), guardians=[]),
        "other_hamlet": _make(client, oa, a2, f"Bùi Thị Hai {tag}"),
        "b_holder": _make(client, heads["officer_b"], b1, f"Ngô Thị Giữ {tag}", national_id=fitting()),
        "b_no_id": _make(client, heads["officer_b"], b1, f"Ngô Thị Khác {tag}"),
    }
    # a number recorded before the checks existed: the year part (17) is not the year of birth (2018)
    wrong = "001317" + fitting()[6:]
    with Session(admin_engine()) as owner:
        owner.execute(
            text("UPDATE children SET national_id = :n WHERE id = :i"),
            {"n": wrong, "i": kids["correct"]["id"]},
        )
        owner.commit()
    kids["correct"]["national_id"] = wrong
    return World(a, a1, a2, b, b1, district, province, kids=kids, **heads)


def ids_of(answer: dict) -> set[str]:
    return {i["id"] for i in answer["items"]}


def work_list(client, headers, unit: Unit, **params) -> dict:
    r = client.get(f"/api/v1/units/{unit.id}/data-quality/work-list", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_sql_check_agrees_with_the_pure_check(owner):
    cases = [
        ("001218000123", date(2018, 3, 4), "male", "001"),
        ("006318000001", date(2018, 5, 1), "female", "006"),
        ("075324000777", date(2024, 7, 1), "female", "070"),
        ("010218000123", date(2018, 1, 1), "male", "015"),
        ("999218000123", date(2018, 3, 4), "male", None),
        ("001318000123", date(2018, 3, 4), "male", "001"),
        ("001217000123", date(2018, 3, 4), "male", None),
        ("070199654321", date(1999, 1, 1), "female", None),
        ("070099654321", date(1999, 1, 1), "female", None),
    ]
    for number, born, sex, province in cases:
        sql = owner.execute(
            text("SELECT national_id_fits(:n, :b, :s, :p)"), {"n": number, "b": born, "s": sex, "p": province}
        ).scalar_one()
        assert sql == (mismatches(number, born, sex, province) == []), (number, born, sex, province)


def test_the_work_list_names_each_problem_and_only_the_commune_s_children(client, world):
    k = world.kids
    everything = work_list(client, world.officer_a, world.a)
    expected = {
        k[n]["id"] for n in ("issue", "correct", "not_found", "conflict", "no_guardian", "other_hamlet")
    }
    assert ids_of(everything) == expected and everything["total"] == 6
    assert not ids_of(everything) & {k["b_holder"]["id"], k["b_no_id"]["id"], k["ok"]["id"]}
    mismatch = work_list(client, world.officer_a, world.a, problem="id_mismatch")
    assert [(i["id"], i["id_parts"]) for i in mismatch["items"]] == [(k["correct"]["id"], ["id_year"])]
    missing = work_list(client, world.officer_a, world.a, problem="missing_info")
    assert [(i["id"], i["missing"]) for i in missing["items"]] == [(k["no_guardian"]["id"], ["guardians"])]
    assert len(work_list(client, world.officer_a, world.a, problem="no_id")["items"]) == 4
    paged = work_list(client, world.officer_a, world.a, page=2, page_size=4)
    assert paged["total"] == 6 and len(paged["items"]) == 2

    # the collaborator: their hamlet only; the commune's list is not theirs
    assert k["other_hamlet"]["id"] not in ids_of(work_list(client, world.collab_a1, world.a1))
    url = f"/api/v1/units/{world.a.id}/data-quality/work-list"
    assert client.get(url, headers=world.collab_a1).status_code == 403
    for outsider in (world.officer_b, world.district_officer, world.inspector):
        assert client.get(url, headers=outsider).status_code == 403
    bad = client.get(url, headers=world.officer_a, params={"problem": "nonsense"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "problem"


def _exported(client, world: World) -> bytes:
    r = client.get(f"/api/v1/units/{world.a.id}/data-quality/police-export", headers=world.officer_a)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return r.content


def _fill(content: bytes, answers: dict[str, tuple[str, str | None]]) -> bytes:
    """The police's side: the same workbook with columns L and M filled for some records."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=5):
        if row[1].value in answers:
            word, number = answers[str(row[1].value)]
            row[11].value, row[12].value = word, number
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(client, world: World, content: bytes, dry_run: bool = False, headers=None):
    return client.post(
        f"/api/v1/units/{world.a.id}/data-quality/police-import",
        headers=headers or world.officer_a,
        files={"data": ("xac-minh.xlsx", content, "application/octet-stream")},
        data={"verified_by": "Công an xã An, Đại úy Nguyễn Văn Minh", "dry_run": str(dry_run).lower()},
    )


def _state(owner, child_id: str) -> tuple[str | None, int]:
    owner.rollback()
    row = owner.execute(
        text("SELECT national_id, version FROM children WHERE id = :i"), {"i": child_id}
    ).one()
    return row.national_id, row.version


def test_the_round_trip_with_the_commune_police(client, owner, world):
    k = world.kids
    figures = _exact_figures(client, world)
    assert figures["problems"] == {"no_id": 4, "id_mismatch": 1, "missing_info": 1}
    assert (figures["complete"], figures["verified"], figures["verified_pct"]) == (1, 0, 0.0)
    content = _exported(client, world)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert [c.value for c in sheet[4]][:3] == ["STT", "Mã hồ sơ", "Họ và tên"]
    exported = {r[1] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert exported == ids_of(work_list(client, world.officer_a, world.a))
    assert k["b_no_id"]["id"] not in exported

    issued, corrected = fitting(), fitting()
    filled = _fill(
        content,
        {
            k["issue"]["id"]: ("Đã cấp", issued),
            k["correct"]["id"]: ("Đã sửa", corrected),
            k["not_found"]["id"]: ("Không tìm thấy", None),
            k["conflict"]["id"]: ("đã cấp", k["b_holder"]["national_id"]),  # another commune's child's number
            k["no_guardian"]["id"]: ("Đã cấp", k["no_guardian"]["national_id"]),
        },
    )
    before = {n: _state(owner, k[n]["id"]) for n in ("issue", "correct", "conflict")}

    trial = _import(client, world, filled, dry_run=True)
    assert trial.status_code == 200, trial.text
    assert trial.json()["counts"] == {"updated": 2, "unchanged": 1, "not_found": 1, "conflict": 1}
    assert {n: _state(owner, k[n]["id"]) for n in before} == before  # a dry run writes nothing

    done = _import(client, world, filled)
    assert done.status_code == 200, done.text
    answer = done.json()
    outcomes = {r["child_id"]: r["outcome"] for r in answer["rows"]}
    assert outcomes == {
        k["issue"]["id"]: "updated",
        k["correct"]["id"]: "updated",
        k["not_found"]["id"]: "not_found",
        k["conflict"]["id"]: "conflict",
        k["no_guardian"]["id"]: "unchanged",
    }
    assert _state(owner, k["issue"]["id"])[0] == issued
    assert _state(owner, k["correct"]["id"])[0] == corrected
    assert _state(owner, k["conflict"]["id"]) == before["conflict"]

    verifications = owner.execute(
        text(
            "SELECT v.child_id::text AS child, v.id_before, v.id_after, v.result, v.outcome, v.verified_by, "
            "u.username FROM national_id_verifications v JOIN users u ON u.id = v.imported_by "
            "WHERE v.import_id = :i"
        ),
        {"i": answer["import_id"]},
    ).all()
    assert len(verifications) == 5
    fixed = next(v for v in verifications if v.child == k["correct"]["id"])
    assert (fixed.id_before, fixed.id_after, fixed.result, fixed.outcome) == (
        k["correct"]["national_id"],
        corrected,
        "corrected",
        "updated",
    )
    assert fixed.verified_by.startswith("Công an xã An") and fixed.username.startswith("p6-oa-")

    history = client.get(f"{CHILDREN}/{k['issue']['id']}/history", headers=world.officer_a).json()["items"]
    entry = history[-1]
    assert entry["action"] == "verify_id" and entry["before"] == {"national_id": None}
    assert entry["after"] == {"national_id": issued}
    audited = owner.execute(
        text("SELECT action, resource_ids FROM audit_log WHERE action IN ('verify_id', 'police_import')")
    ).all()
    changed = {r.resource_ids[0] for r in audited if r.action == "verify_id"}
    assert {k["issue"]["id"], k["correct"]["id"]} <= changed and k["conflict"]["id"] not in changed

    figures = _exact_figures(client, world)  # 3 complete and verified of 7 (ok: complete, not verified)
    assert figures["problems"] == {"no_id": 3, "id_mismatch": 0, "missing_info": 1}
    assert (figures["complete"], figures["verified"]) == (3, 3)
    assert figures["complete_pct"] == round(300 / 7, 1)

    # the same file again: the first import's results, nothing written
    counts = owner.execute(
        text("SELECT (SELECT count(*) FROM national_id_verifications), (SELECT count(*) FROM child_history)")
    ).one()
    again = _import(client, world, filled)
    assert again.status_code == 200 and again.json()["already_imported"] is True
    assert again.json()["rows"] == answer["rows"]
    owner.rollback()
    assert (
        owner.execute(
            text(
                "SELECT (SELECT count(*) FROM national_id_verifications), (SELECT count(*) FROM child_history)"
            )
        ).one()
        == counts
    )

    # the work list now: the issued and corrected children are off it, the conflict and not found stay
    left = ids_of(work_list(client, world.officer_a, world.a))
    assert k["issue"]["id"] not in left and k["correct"]["id"] not in left
    assert {k["conflict"]["id"], k["not_found"]["id"]} <= left


def test_a_file_with_a_bad_row_is_refused_whole(client, owner, world):
    k = world.kids
    content = _exported(client, world)
    number = fitting()
    filled = _fill(
        content,
        {
            k["other_hamlet"]["id"]: ("Đã cấp", number),
            k["not_found"]["id"]: ("Đã xong", None),  # not a result the form knows
        },
    )
    book = load_workbook(io.BytesIO(filled))
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [99, k["b_no_id"]["id"], "", "", "", "", "", "", "", "", "", "Đã cấp", fitting()]
    )  # commune B's
    sheet.append([100, k["conflict"]["id"], "", "", "", "", "", "", "", "", "", "Đã cấp", "001217000001"])
    out = io.BytesIO()
    book.save(out)
    r = _import(client, world, out.getvalue())
    assert r.status_code == 422, r.text
    codes = {e["field"].split(".")[1]: e["code"] for e in r.json()["errors"]}
    assert codes == {"result": "unknown_code", "record": "not_found", "verified_id": "id_year"}
    assert _state(owner, k["other_hamlet"]["id"])[0] is None  # nothing of the file was written

    assert _import(client, world, filled, headers=world.collab_a1).status_code == 403
    assert _import(client, world, b"not a workbook").status_code == 422


def _exact_figures(client, world: World) -> dict:
    exact = client.get(f"/api/v1/units/{world.a.id}/data-quality", headers=world.officer_a).json()
    assert exact["exact"] is True and exact["total"] == 7 and exact["disclosure"] is None
    return exact


def test_figures_published_above_the_commune(client, world):
    names = [c["full_name"] for c in world.kids.values()]
    for reader in (world.district_officer, world.inspector):
        for unit in (world.a, world.district):
            r = client.get(f"/api/v1/units/{unit.id}/data-quality", headers=reader)
            assert r.status_code == 200, r.text
            shown = r.json()
            assert shown["exact"] is False and shown["total"] is None and shown["problems"] is None
            assert shown["disclosure"]["hidden_below"] == 5
            assert shown["complete_pct"] is None or isinstance(shown["complete_pct"], int)
            assert not any(name in r.text for name in names)
    b_only = client.get(f"/api/v1/units/{world.b.id}/data-quality", headers=world.district_officer).json()
    assert b_only["complete_pct"] is None and b_only["verified_pct"] is None  # 2 children: hidden
    assert client.get(f"/api/v1/units/{world.a.id}/data-quality", headers=world.officer_b).status_code == 403


def test_the_registry_refuses_a_number_that_does_not_fit_and_names_the_part(client, world):
    def codes(response) -> dict[str, str]:
        assert response.status_code == 422, response.text
        return {e["field"]: e["code"] for e in response.json()["errors"]}

    hamlet, headers = (
        world.b1,
        world.officer_b,
    )  # commune B: commune A's figures stay as the round trip counts
    boy_number = fitting(sex="male")  # a boy's number on the payload's girl
    assert codes(
        client.post(CHILDREN, headers=headers, json=child_payload(hamlet.id, national_id=boy_number))
    ) == {"national_id": "id_century_sex"}
    elsewhere = fitting(province="006")  # Bắc Kạn's number, the birth registered in Hà Nội
    body = child_payload(hamlet.id, national_id=elsewhere, birth_province_code="001")
    assert codes(client.post(CHILDREN, headers=headers, json=body)) == {"national_id": "id_province"}
    body = child_payload(hamlet.id, birth_province_code="003")
    assert codes(client.post(CHILDREN, headers=headers, json=body)) == {"birth_province_code": "unknown_code"}

    made = _make(client, headers, hamlet, "Lý Thị Khớp", national_id=fitting(), birth_province_code="001")
    assert made["birth_province_code"] == "001"
    url = f"{CHILDREN}/{made['id']}"
    assert codes(client.patch(url, headers=headers, json={"date_of_birth": "2017-03-04"})) == {
        "national_id": "id_year"
    }
    assert codes(client.patch(url, headers=headers, json={"birth_province_code": "006"})) == {
        "national_id": "id_province"
    }
    # an edit that touches none of the four parts is not blocked by an old number that does not fit
    wrong = world.kids["correct"]
    r = client.patch(
        f"{CHILDREN}/{wrong['id']}", headers=world.officer_a, json={"notes": "đã gửi công an xã"}
    )
    assert r.status_code == 200, r.text


def test_the_reference_lists_the_63_codes_with_the_34_provinces_of_2025(client, world):
    listed = client.get("/api/v1/reference", headers=world.officer_a).json()["birth_provinces"]
    assert len(listed) == 63 and len({p["province_2025_code"] for p in listed}) == 34
    assert {
        "code": "006",
        "name": "Tỉnh Bắc Kạn",
        "province_2025_code": "19",
        "province_2025_name": "Tỉnh Thái Nguyên",
    } in listed
