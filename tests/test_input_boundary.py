"""One boundary for input: every finding of issue 11 (item 3) tried again as written, on the API and pages.

NUL and other control characters, bidirectional overrides, integers beyond their column, implausible
dates, oversized lists, page bounds, wrong types, uploads without their file or over the limit.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.clock import today
from infra.db import admin_engine
from portal.app import create_app
from tests.cases_support import build_world, child_in, intake_body, open_case, who
from tests.e2e.site import Browser, child_form
from tests.support import child_payload

NUL = "\x00"
RLO = "\u202e"
BIG = 2**63  # one beyond PostgreSQL's bigint
HUGE = 10**20  # beyond 64 bits altogether


@pytest.fixture(scope="module")
def world(client, database):
    """A province of our own (cases_support.build_world): nothing here touches another test's data."""
    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build_world(owner)


@pytest.fixture(scope="module")
def case(client, world):
    wo = who(client, world, "wo")
    with Session(admin_engine()) as owner:
        child_id = child_in(owner, world["units"]["H1"])
    return open_case(client, wo, intake_body(child_id))


def refused(response, *names: str, status: int = 422, code: str | None = None) -> None:
    """The answer is ``status`` and names exactly these fields (with ``code`` when given)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status
    assert {e["field"] for e in body["errors"]} == set(names), body
    if code:
        assert {e["code"] for e in body["errors"]} == {code}, body


def h1(world) -> int:
    return world["units"]["H1"].id


# --- NUL in every text the finding lists ----------------------------------------------------------

CHILD_TEXT = ["full_name", "address", "notes", "household_code"]


@pytest.mark.parametrize("field", CHILD_TEXT)
def test_nul_in_child_text_is_422_naming_the_field(client, world, field):
    body = child_payload(h1(world), **{field: f"Nguyễn{NUL}Hoa"})
    refused(client.post("/api/v1/children", headers=who(client, world, "col1"), json=body), field)


def test_nul_in_guardian_names_and_patch_is_422(client, world):
    col1 = who(client, world, "col1")
    guardians = [
        {"full_name": "Nguyễn Văn Bình", "relationship": "father"},
        {"full_name": f"Trần{NUL}Thị Lan", "relationship": "mother"},
    ]
    body = child_payload(h1(world), guardians=guardians)
    refused(client.post("/api/v1/children", headers=col1, json=body), "guardians[1].full_name")
    with Session(admin_engine()) as owner:
        child_id = child_in(owner, world["units"]["H1"])
    response = client.patch(f"/api/v1/children/{child_id}", headers=col1, json={"notes": f"a{NUL}"})
    refused(response, "notes", code="control_character")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": f"Trẻ bị đánh{NUL}"}, "description"),
        ({"place": f"Tại nhà{NUL}"}, "place"),
        ({"informant": {"full_name": f"Bà{NUL}Hàng Xóm"}}, "informant.full_name"),
        ({"informant": {"address": f"Thôn 1{NUL}"}}, "informant.address"),
    ],
)
def test_nul_in_case_intake_is_422(client, world, overrides, field):
    with Session(admin_engine()) as owner:
        child_id = child_in(owner, world["units"]["H1"])
    response = client.post(
        "/api/v1/cases", headers=who(client, world, "wo"), json=intake_body(child_id, **overrides)
    )
    refused(response, field, code="control_character")


def test_nul_in_case_notes_is_422(client, world, case):
    response = client.post(
        f"/api/v1/cases/{case['id']}/notes", headers=who(client, world, "wo"), json={"body": f"Gặp{NUL}trẻ"}
    )
    refused(response, "body", code="control_character")


def test_nul_in_staff_hamlet_inspection_report_search_and_login(client, world):
    wo, insp = who(client, world, "wo"), who(client, world, "insp")
    staff = {
        "username": "x-nul-staff",
        "full_name": f"Lê{NUL}Văn",
        "role": "collaborator",
        "unit_id": h1(world),
    }
    refused(client.post("/api/v1/staff", headers=wo, json=staff), "full_name")
    commune = world["units"]["C"].id
    refused(client.post(f"/api/v1/units/{commune}/hamlets", headers=wo, json={"name": f"Thôn{NUL}9"}), "name")
    plan = {
        "title": f"Kiểm tra{NUL}",
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "unit_ids": [commune],
    }
    refused(client.post("/api/v1/inspections", headers=insp, json=plan), "title")
    report = {"definition": "monthly", "unit_id": h1(world), "period": f"2025-06{NUL}"}
    refused(client.post("/api/v1/reports", headers=wo, json=report), "period")
    response = client.get(f"/api/v1/units/{h1(world)}/children", headers=wo, params={"q": f"Ng{NUL}"})
    refused(response, "q")
    login = client.post(
        "/api/v1/auth/login", json={"username": f"cs-wo-{world['tag']}{NUL}", "password": "x"}
    )
    refused(login, "username", code="control_character")


def test_other_control_characters_and_where_line_breaks_are_allowed(client, world):
    col1 = who(client, world, "col1")
    refused(
        client.post("/api/v1/children", headers=col1, json=child_payload(h1(world), full_name="Hoa\x1b[31m")),
        "full_name",
    )
    refused(
        client.post("/api/v1/children", headers=col1, json=child_payload(h1(world), full_name="Nguyễn\nHoa")),
        "full_name",
    )
    free = child_payload(
        h1(world), full_name="Đinh Thị Tab", notes="Dòng một\nDòng hai\tcột", address="Số 1\r\nNgõ 2"
    )
    response = client.post("/api/v1/children", headers=col1, json=free)
    assert response.status_code == 201, response.text
    assert response.json()["notes"] == "Dòng một\nDòng hai\tcột"


def test_right_to_left_override_in_a_name_is_422(client, world):
    col1 = who(client, world, "col1")
    body = child_payload(h1(world), full_name=f"Nguyễn {RLO}aoH")
    refused(client.post("/api/v1/children", headers=col1, json=body), "full_name", code="bidi_control")
    isolate = child_payload(
        h1(world), guardians=[{"full_name": "Lê\u2066Văn\u2069", "relationship": "father"}]
    )
    refused(client.post("/api/v1/children", headers=col1, json=isolate), "guardians[0].full_name")


# --- integers beyond their column -----------------------------------------------------------------


def test_ids_beyond_64_bits_in_paths_are_404(client, world):
    wo = who(client, world, "wo")
    for path in (f"/api/v1/units/{BIG}", f"/api/v1/units/{HUGE}/children", f"/api/v1/staff/{BIG}"):
        response = client.get(path, headers=wo)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["status_code"] == 404


def test_ids_beyond_64_bits_in_bodies_and_queries_are_422(client, world):
    wo = who(client, world, "wo")
    refused(
        client.post("/api/v1/children", headers=wo, json=child_payload(HUGE)),
        "hamlet_id",
        code="out_of_range",
    )
    refused(client.post("/api/v1/children", headers=wo, json=child_payload(BIG)), "hamlet_id")
    staff = {"username": "x-big-unit", "full_name": "Lê Văn", "role": "collaborator", "unit_id": HUGE}
    refused(client.post("/api/v1/staff", headers=wo, json=staff), "unit_id")
    refused(client.get("/api/v1/cases", headers=wo, params={"unit_id": HUGE}), "unit_id")
    refused(client.get("/api/v1/cases/stats", headers=wo, params={"unit_id": BIG}), "unit_id")
    refused(client.get(f"/api/v1/units/{h1(world)}/children", headers=wo, params={"page": HUGE}), "page")
    thousands = "9" * 5000  # more digits than Python converts by default
    refused(client.get("/api/v1/cases", headers=wo, params={"page": thousands}), "page")
    raw = '{"title": "Kiểm tra\\u0000", "unit_ids": [' + thousands + "]}"
    insp = who(client, world, "insp")
    response = client.post(
        "/api/v1/inspections", headers={**insp, "content-type": "application/json"}, content=raw
    )
    refused(response, "title", "unit_ids[0]")


def test_other_integers_are_bounded_to_a_32_bit_column(client, world, case):
    wo = who(client, world, "wo")
    response = client.post(
        f"/api/v1/cases/{case['id']}/notes", headers=wo, json={"body": "ghi chú", "version": 2**31}
    )
    refused(response, "version", code="out_of_range")


# --- dates ----------------------------------------------------------------------------------------


def test_case_received_in_year_one_is_refused_and_the_case_list_still_reads(client, world):
    wo = who(client, world, "wo")
    with Session(admin_engine()) as owner:
        child_id = child_in(owner, world["units"]["H1"])
    year_one = client.post(
        "/api/v1/cases", headers=wo, json=intake_body(child_id, received_at="0001-01-01T00:00:00")
    )
    refused(year_one, "received_at")
    for day in ("1999-12-31T23:00:00", (today() + timedelta(days=2)).isoformat() + "T00:00:00"):
        refused(
            client.post("/api/v1/cases", headers=wo, json=intake_body(child_id, received_at=day)),
            "received_at",
        )
    listing = client.get("/api/v1/cases", headers=wo, params={"unit_id": world["units"]["C"].id})
    assert listing.status_code == 200, listing.text
    with Session(admin_engine()) as owner:
        early = owner.execute(
            text("SELECT count(*) FROM cases WHERE received_at < '2000-01-01'")
        ).scalar_one()
    assert early == 0


def test_birth_dates_and_stats_windows(client, world):
    wo = who(client, world, "wo")
    refused(
        client.post(
            "/api/v1/children", headers=wo, json=child_payload(h1(world), date_of_birth="1899-12-31")
        ),
        "date_of_birth",
    )
    future = (today() + timedelta(days=1)).isoformat()
    refused(
        client.post("/api/v1/children", headers=wo, json=child_payload(h1(world), date_of_birth=future)),
        "date_of_birth",
    )
    commune = world["units"]["C"].id
    stats = client.get("/api/v1/cases/stats", headers=wo, params={"unit_id": commune, "from": "9999-12-31"})
    refused(stats, "from")
    stats = client.get("/api/v1/cases/stats", headers=wo, params={"unit_id": commune, "from": "1990-01-01"})
    refused(stats, "from", code="out_of_range")
    refused(client.get(f"/api/v1/units/{commune}/stats", headers=wo, params={"as_of": "1999-01-01"}), "as_of")
    good = client.get("/api/v1/cases/stats", headers=wo, params={"unit_id": commune, "from": "2024-01-01"})
    assert good.status_code == 200, good.text


def test_training_year_must_be_sane(client, world):
    wo = who(client, world, "wo")
    refused(client.get("/api/v1/trainings", headers=wo, params={"year": 0}), "year")
    refused(client.get("/api/v1/trainings", headers=wo, params={"year": 1999}), "year")
    assert client.get("/api/v1/trainings", headers=wo, params={"year": 2025}).status_code == 200


# --- lists, types and pages -----------------------------------------------------------------------


def test_ten_thousand_identical_group_periods_are_refused_and_nothing_stored(client, world):
    col1 = who(client, world, "col1")
    name = f"Trẻ nhóm {world['tag']}"
    groups = [{"code": "a", "since": "2020-01-01"}] * 10_000
    response = client.post(
        "/api/v1/children", headers=col1, json=child_payload(h1(world), full_name=name, groups=groups)
    )
    refused(response, "groups", code="too_many")
    few = [{"code": "a", "since": "2020-01-01"}] * 2
    response = client.post(
        "/api/v1/children", headers=col1, json=child_payload(h1(world), full_name=name, groups=few)
    )
    refused(response, "groups[1]", code="duplicate_period")
    many = [{"full_name": f"Người {i}", "relationship": "other"} for i in range(11)]
    response = client.post("/api/v1/children", headers=col1, json=child_payload(h1(world), guardians=many))
    refused(response, "guardians", code="too_many")
    with Session(admin_engine()) as owner:
        assert (
            owner.execute(text("SELECT count(*) FROM children WHERE full_name = :n"), {"n": name}).scalar()
            == 0
        )


def test_legal_basis_of_the_wrong_type_is_a_field_error(client, world):
    plan = {
        "title": "Kiểm tra công tác trẻ em",
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "unit_ids": [world["units"]["C"].id],
        "legal_basis": {},
    }
    answer = client.post("/api/v1/inspections", headers=who(client, world, "insp"), json=plan)
    refused(answer, "legal_basis", status=400, code="malformed")  # the typed body refuses it as it decodes


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/cases", {"page_size": 0}, "page_size"),
        ("/api/v1/cases", {"page": 0}, "page"),
        ("/api/v1/staff", {"page_size": 0}, "page_size"),
        ("/api/v1/staff", {"page": 0}, "page"),
        ("/api/v1/reports", {"page_size": 101}, "page_size"),
        ("/api/v1/reports", {"page": -1}, "page"),
    ],
)
def test_page_bounds_everywhere(client, world, path, params, field):
    refused(client.get(path, headers=who(client, world, "wo"), params=params), field, code="out_of_range")


# --- uploads --------------------------------------------------------------------------------------


def test_multipart_without_its_file_part_is_422(client, world, case):
    response = client.post(
        f"/api/v1/cases/{case['id']}/attachments",
        headers=who(client, world, "wo"),
        files={"note": (None, "không có tệp")},
    )
    refused(response, "data", code="required")


def test_an_eleven_megabyte_upload_answers_413_with_a_message(client, world, case):
    content = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    response = client.post(
        f"/api/v1/cases/{case['id']}/attachments",
        headers=who(client, world, "wo"),
        files={"data": ("big.pdf", content, "application/pdf")},
    )
    assert response.status_code == 413, response.text
    assert "larger" in response.json()["detail"]


def test_an_oversize_upload_over_a_real_socket_gets_the_413_not_a_reset(world, case, client):
    """Through uvicorn on loopback, as a browser or curl would send it (the body is read to its end)."""
    import socket
    import threading

    import httpx
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(100):
                if server.started:
                    break
                threading.Event().wait(0.05)
            response = http.post(
                f"/api/v1/cases/{case['id']}/attachments",
                headers=who(client, world, "wo"),
                files={"data": ("big.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "application/pdf")},
            )
        assert response.status_code == 413, response.text
        assert response.json()["status_code"] == 413
    finally:
        server.should_exit = True
        thread.join(10)


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture()
def browser(world):
    app = create_app()

    def make() -> Browser:
        return Browser(TestClient(app=app, base_url="http://testserver.local"))

    return make


def test_a_nul_in_a_form_field_is_a_422_page_in_vietnamese(browser, world):
    b = browser()
    b.login(f"cs-col1-{world['tag']}")
    b.get("/children/new")
    response = b.post("/children/new", child_form(full_name=f"Nguyễn{NUL}Hoa", hamlet_id=str(h1(world))))
    assert response.status_code == 422, response.text
    assert '<html lang="vi">' in response.text
    assert "Họ và tên" in response.text and "ký tự điều khiển" in response.text
    response = b.post("/children/new", child_form(full_name=f"Nguyễn {RLO}Hoa", hamlet_id=str(h1(world))))
    assert response.status_code == 422 and "chiều viết" in response.text


def test_an_id_beyond_64_bits_on_a_page_is_the_404_page(browser, world):
    b = browser()
    b.login(f"cs-wo-{world['tag']}")
    response = b.post(f"/hamlets/{BIG}", {"name": "Thôn mới"})
    assert response.status_code == 404, response.text
    assert '<html lang="vi">' in response.text


def test_an_oversize_upload_on_the_case_page_is_a_413_page(browser, world, case):
    b = browser()
    b.login(f"cs-wo-{world['tag']}")
    b.get(f"/cases/{case['id']}")
    big = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    response = b.post(f"/cases/{case['id']}/attachments", files={"file": ("big.pdf", big, "application/pdf")})
    assert response.status_code == 413, response.text[:500]
    assert '<html lang="vi">' in response.text and "Dữ liệu gửi lên quá lớn" in response.text


# --- the OpenAPI document -------------------------------------------------------------------------


def test_the_openapi_document_lists_the_4xx_answers_of_each_operation(client):
    schema = client.get("/schema/openapi.json").json()
    assert set(schema["components"]["schemas"]["ErrorBody"]["required"]) == {"status_code", "detail"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert {"400", "422"} <= codes, where
            if "{" in path:
                assert "404" in codes, where
            if method in ("post", "put", "patch", "delete"):
                assert "413" in codes, where
            for code in codes - {"200", "201", "202", "204"}:
                content = operation["responses"][code]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorBody"}, (where, code)
    children = schema["paths"]["/api/v1/units/{unit_id}/children"]["get"]["responses"]
    assert {"400", "401", "403", "404", "422"} <= set(children)
    assert "429" in schema["paths"]["/api/v1/auth/login"]["post"]["responses"]


def test_the_database_keeps_the_same_date_floors(world, case):
    """Migration 0015: a row written around the services (a script) still cannot hold a year-1 date."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    hamlet = world["units"]["H1"].id
    with Session(admin_engine()) as owner:
        child_id = child_in(owner, world["units"]["H1"])
        with pytest.raises(IntegrityError, match="ck_children_date_of_birth_plausible"):
            owner.execute(
                text("UPDATE children SET date_of_birth = '0001-01-01' WHERE id = :i"), {"i": child_id}
            )
        owner.rollback()
        assert owner.execute(
            text("SELECT count(*) FROM cases WHERE hamlet_id = :h"), {"h": hamlet}
        ).scalar_one()
        with pytest.raises(IntegrityError, match="ck_cases_received_at_plausible"):
            owner.execute(
                text("UPDATE cases SET received_at = '0001-01-01T00:00:00+07' WHERE hamlet_id = :h"),
                {"h": hamlet},
            )
        owner.rollback()


def test_dashboard_periods_zero_is_a_field_error_not_the_default(client, world):
    inspector = who(client, world, "insp")
    province = world["units"]["P"].id
    refused(
        client.get(f"/api/v1/units/{province}/dashboard", headers=inspector, params={"periods": 0}), "periods"
    )
