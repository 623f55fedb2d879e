"""The child-assistance facilities register: who records and reads which facility (own unit, sibling,
the levels above and below), counts only and checked against each other, bad input named by field, a
closed facility kept; and a facility inspected through the inspection machinery, with a recommendation
answered by the managing unit and accepted by the inspecting one, as the facility's page shows it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from infra.db import scoped_session
from tenancy.resolve import scope_for
from tests.support import login, make_unit, make_user


@pytest.fixture(scope="module")
def ftree(client: Any, database: object) -> dict[str, Any]:
    """Province P > districts D1 (communes A, B), D2 (commune C); hamlet A1; staff on each."""
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        p = make_unit(owner, None, "province", f"Tỉnh cơ sở {tag}")
        d1, d2 = (make_unit(owner, p, "district", f"Huyện {k} {tag}") for k in (1, 2))
        a, b = (make_unit(owner, d1, "commune", f"Xã {k} {tag}") for k in ("A", "B"))
        c = make_unit(owner, d2, "commune", f"Xã C {tag}")
        a1 = make_unit(owner, a, "hamlet", "Thôn A1")
        staff = {
            "ca1": (a1, "collaborator"),
            "oa": (a, "ward_officer"),
            "ob": (b, "ward_officer"),
            "d1": (d1, "district_officer"),
            "d2": (d2, "district_officer"),
            "insp": (p, "provincial_inspector"),
        }
        for key, (unit, role) in staff.items():
            make_user(owner, f"fc-{key}-{tag}", role, unit.id)
    tree: dict[str, Any] = {"tag": tag, "p": p, "d1": d1, "d2": d2, "a": a, "b": b, "c": c, "a1": a1}
    tree["h"] = {key: login(client, f"fc-{key}-{tag}") for key in staff}
    return tree


def facility(unit: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "unit_id": unit.id,
        "name": "Nhà tạm lánh Hoa Sen",
        "kind": "shelter",
        "licence_number": "12/GP-SLĐTBXH",
        "licence_date": "2021-03-15",
        "licence_issuer": "Sở Lao động - Thương binh và Xã hội",
        "capacity": 30,
        "children_total": 18,
        "children_girls": 11,
        "children_disabled": 2,
        "counted_on": "2025-06-30",
        "address": "Số 5 đường Trần Phú",
        "contact": "0271 3879 123",
    }
    return body | overrides


def fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_each_role_records_and_reads_the_facilities_of_its_area(client, owner, ftree):
    h, t = ftree["h"], ftree
    commune = client.post("/api/v1/facilities", headers=h["oa"], json=facility(t["a"]))
    assert commune.status_code == 201, commune.text
    assert commune.json()["children_total"] == 18 and commune.json()["unit"]["id"] == t["a"].id
    district = client.post(
        "/api/v1/facilities",
        headers=h["d1"],
        json=facility(t["d1"], name="Trung tâm công tác xã hội", kind="public"),
    )
    assert district.status_code == 201, district.text
    below = client.post("/api/v1/facilities", headers=h["d1"], json=facility(t["b"], kind="counselling"))
    assert below.status_code == 201, below.text
    for who, unit in (("oa", "d1"), ("oa", "b"), ("ob", "a"), ("d2", "a"), ("ca1", "a"), ("d1", "p")):
        refused = client.post("/api/v1/facilities", headers=h[who], json=facility(t[unit]))
        assert refused.status_code == 403, (who, unit, refused.text)
    ids = {"a": commune.json()["id"], "d1": district.json()["id"], "b": below.json()["id"]}

    def listed(who: str, **query: Any) -> set[int]:
        """The facilities of this test the caller lists (the module's other tests add their own)."""
        found = client.get("/api/v1/facilities", headers=h[who], params=query)
        assert found.status_code == 200, found.text
        return {f["id"] for f in found.json()["items"]} & set(ids.values())

    assert listed("oa") == {ids["a"]} and listed("ob") == {ids["b"]}
    assert listed("d1") == set(ids.values()) and listed("d2") == set()
    assert listed("insp") == set(ids.values()) and listed("insp", kind="shelter") == {ids["a"]}
    assert listed("d1", unit_id=t["a"].id) == {ids["a"]}
    assert (
        client.get("/api/v1/facilities", headers=h["ca1"]).status_code == 403
    )  # collaborators: no facilities
    counts = client.get("/api/v1/facilities", headers=h["insp"], params={"unit_id": t["b"].id}).json()[
        "counts"
    ]
    assert counts == {
        "facilities": 1,
        "capacity": 30,
        "children_total": 18,
        "children_girls": 11,
        "children_disabled": 2,
    }
    url = f"/api/v1/facilities/{ids['a']}"
    for who, status in (("oa", 200), ("d1", 200), ("insp", 200), ("ob", 404), ("d2", 404)):
        assert client.get(url, headers=h[who]).status_code == status, who
    # the district above changes the commune's facility; the sibling commune does not see it
    assert client.patch(url, headers=h["ob"], json={"capacity": 40}).status_code == 404
    changed = client.patch(url, headers=h["d1"], json={"capacity": 40, "children_total": 20})
    assert changed.status_code == 200 and changed.json()["capacity"] == 40
    detail = client.get(url, headers=h["oa"]).json()
    assert [e["action"] for e in detail["history"]] == ["update", "create"]
    assert (
        detail["history"][0]["before"]["capacity"] == 30
        and detail["history"][0]["after"]["children_total"] == 20
    )
    closed = client.post(
        f"/api/v1/facilities/{ids['b']}/close",
        headers=h["ob"],
        json={"on": "2025-12-31", "reason": "Giải thể"},
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2025-12-31"
    assert ids["b"] not in listed("d1") and ids["b"] in listed("d1", status="closed")
    assert (
        client.patch(f"/api/v1/facilities/{ids['b']}", headers=h["ob"], json={"capacity": 1}).status_code
        == 409
    )
    # row-level security without the service: the sibling commune's scope neither reads nor changes it
    with scoped_session(scope_for("ward_officer", t["b"].path)) as session:
        sql = "SELECT count(*) FROM facilities WHERE id = :i"
        assert session.execute(text(sql), {"i": ids["a"]}).scalar_one() == 0
        changed = session.execute(text("UPDATE facilities SET capacity = 1 WHERE id = :i"), {"i": ids["a"]})
        assert changed.rowcount == 0  # type: ignore[attr-defined]


def test_bad_input_is_named_by_field_and_nothing_is_written(client, owner, ftree):
    h, t = ftree["h"], ftree
    before = owner.execute(text("SELECT count(*) FROM facilities")).scalar_one()
    bad = client.post(
        "/api/v1/facilities",
        headers=h["oa"],
        json=facility(
            t["a"],
            name=" ",
            kind="orphanage",
            capacity=-1,
            children_girls=19,
            children_disabled=40,
            licence_date="2099-01-01",
        ),
    )
    assert bad.status_code == 422, bad.text
    assert fields(bad) == {
        "name": "required",
        "kind": "not_listed",
        "capacity": "negative",
        "licence_date": "future_date",
        "children_girls": "exceeds",
        "children_disabled": "exceeds",
    }
    hamlet = client.post("/api/v1/facilities", headers=h["oa"], json=facility(t["a1"]))
    assert hamlet.status_code == 422 and fields(hamlet) == {"unit_id": "not_owner_level"}
    vi = client.post(
        "/api/v1/facilities",
        headers={**h["oa"], "Accept-Language": "vi"},
        json=facility(t["a"], children_total=1),
    )
    assert vi.status_code == 422 and {e["field"] for e in vi.json()["errors"]} == {
        "children_girls",
        "children_disabled",
    }
    assert owner.execute(text("SELECT count(*) FROM facilities")).scalar_one() == before


def test_a_facility_is_inspected_and_its_recommendation_followed_up(client, ftree):
    h, t = ftree["h"], ftree
    shelter = client.post("/api/v1/facilities", headers=h["oa"], json=facility(t["a"], name="Mái ấm Bình An"))
    assert shelter.status_code == 201, shelter.text
    fid = shelter.json()["id"]
    plan_body = {
        "title": "Kiểm tra cơ sở trợ giúp trẻ em năm 2025",
        "period_start": "2025-06-01",
        "period_end": "2025-06-30",
        "unit_ids": [],
        "facility_ids": [fid],
        "legal_basis": "Luật Trẻ em 2016, Điều 46-47",
    }
    # another district may not audit it (it cannot even see it: row-level security); an unknown id is named
    outside = client.post("/api/v1/inspections", headers=h["d2"], json=plan_body)
    assert outside.status_code == 422 and {e["field"]: e["code"] for e in outside.json()["errors"]} == {
        "facility_ids": "unknown"
    }
    unknown = client.post("/api/v1/inspections", headers=h["d1"], json=plan_body | {"facility_ids": [fid, 0]})
    assert unknown.status_code == 422 and [e["code"] for e in unknown.json()["errors"]] == ["unknown"]
    plan = client.post("/api/v1/inspections", headers=h["d1"], json=plan_body)
    assert plan.status_code == 201, plan.text
    read = client.get(f"/api/v1/inspections/{plan.json()['id']}", headers=h["d1"]).json()
    [target] = read["targets"]
    assert target["facility"] == {"id": fid, "name": "Mái ấm Bình An"} and target["unit"]["id"] == t["a"].id
    finding = client.post(
        f"/api/v1/inspection-targets/{target['id']}/findings",
        headers=h["d1"],
        json={"text": "Số trẻ em vượt công suất phòng ngủ tầng 2", "severity": "high"},
    )
    assert finding.status_code == 201, finding.text
    deadline = (date.today() + timedelta(days=30)).isoformat()
    rec = client.post(
        f"/api/v1/inspection-findings/{finding.json()['id']}/recommendations",
        headers=h["d1"],
        json={"text": "Bố trí thêm phòng ngủ, báo cáo kết quả", "deadline": deadline},
    )
    assert rec.status_code == 201, rec.text
    rec_id = rec.json()["id"]
    assert rec.json()["responsible_unit"]["id"] == t["a"].id
    # the managing commune answers (not the sibling commune); the inspecting district accepts
    assert client.post(
        f"/api/v1/recommendations/{rec_id}/answer", headers=h["ob"], json={"text": "x"}
    ).status_code in (
        403,
        404,
    )
    answered = client.post(
        f"/api/v1/recommendations/{rec_id}/answer", headers=h["oa"], json={"text": "Đã bố trí thêm 2 phòng"}
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    accepted = client.post(
        f"/api/v1/recommendations/{rec_id}/accept", headers=h["d1"], json={"text": "Đã kiểm tra lại, đạt"}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    page = client.get(f"/api/v1/facilities/{fid}", headers=h["oa"]).json()
    [inspection] = page["inspections"]
    assert inspection["plan_id"] == plan.json()["id"] and inspection["findings"][0]["severity"] == "high"
    [followed] = inspection["recommendations"]
    assert followed["status"] == "accepted" and [r["kind"] for r in followed["responses"]] == [
        "answer",
        "accept",
    ]
    assert client.get(f"/api/v1/facilities/{fid}", headers=h["d2"]).status_code == 404
    # a facility has no automated checklist: a check run of the plan queues nothing for it
    run = client.post(f"/api/v1/inspections/{plan.json()['id']}/checks", headers=h["d1"], json={})
    assert run.status_code in (200, 202), run.text
    assert client.get(f"/api/v1/inspection-runs/{run.json()['id']}", headers=h["d1"]).json()["total"] == 0
