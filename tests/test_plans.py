"""Plans (kế hoạch) with targets, activities and progress; the progress view of the level above; the
plan's signed file; who records, reads and reports on which unit's plan (own unit, sibling, parent, child).

The tree is tests/test_staff_support.py's: P > D1 > C1, C2; P > D2 > C3; P2 > D3 > C4.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from infra.clock import today
from tests.test_staff_support import changes, denials

YEAR = today().year
PAST = today() - timedelta(days=20)
SOON = today() + timedelta(days=40)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def org(staff_org):
    return staff_org


def plan_body(**extra):
    return {
        "year": YEAR,
        "number": extra.pop("number", "04/KH-UBND"),
        "issued_on": (today() - timedelta(days=60)).isoformat(),
        "title": "Kế hoạch thực hiện công tác bảo vệ, chăm sóc trẻ em",
        "issuing_body": "UBND huyện Một",
        **extra,
    }


def _plan(client, who, **extra):
    response = client.post("/api/v1/plans", json=plan_body(**extra), headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _activity(client, who, plan_id, **body):
    response = client.post(f"/api/v1/plans/{plan_id}/activities", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def district_plan(client, org):
    """D1's plan: an activity of C1 past its deadline, one of the police not yet due, one of C2 done."""
    plan = _plan(client, org["dist"], number=f"04/KH-UBND-{org.tag}")
    late = _activity(
        client, org["dist"], plan["id"], title="Rà soát trẻ em có hoàn cảnh đặc biệt",
        owner_unit_id=org.units["C1"].id, deadline=PAST.isoformat(),
    )  # fmt: skip
    police = _activity(
        client, org["dist"], plan["id"], title="Phối hợp xử lý vụ việc xâm hại",
        owner_office="Công an huyện", deadline=SOON.isoformat(),
    )  # fmt: skip
    done = _activity(
        client, org["dist"], plan["id"], title="Tổ chức Tháng hành động vì trẻ em",
        owner_unit_id=org.units["C2"].id, deadline=PAST.isoformat(),
    )  # fmt: skip
    note = client.post(
        f"/api/v1/plan-activities/{done['id']}/progress",
        json={"progress": 100, "text": "Đã tổ chức ngày 01/6 cho 320 em"},
        headers=org["ward2"].headers,
    )
    assert note.status_code == 201, note.text
    return {"plan": plan, "late": late, "police": police, "done": done}


def test_a_plan_with_activities_and_dated_progress(client, owner, org, district_plan):
    plan, late = district_plan["plan"], district_plan["late"]
    (entry,) = changes(owner, "plan", plan["id"])[:1]
    assert entry["action"] == "create" and entry["unit_id"] == org.units["D1"].id
    # The activity's owner unit (the commune) reports progress on the district's plan.
    note = client.post(
        f"/api/v1/plan-activities/{late['id']}/progress",
        json={"progress": 40, "text": "Đã rà soát 3/7 thôn", "noted_on": today().isoformat()},
        headers=org["ward"].headers,
    )
    assert note.status_code == 201, note.text
    body = note.json()
    assert (body["status"], body["progress"], body["overdue"]) == ("in_progress", 40, True)
    assert [(n["progress"], n["text"], n["by"]) for n in body["notes"]] == [
        (40, "Đã rà soát 3/7 thôn", org["ward"].username)
    ]
    # A sibling commune reads the district's plan but reports nothing on another commune's activity.
    other = client.post(
        f"/api/v1/plan-activities/{late['id']}/progress",
        json={"progress": 90, "text": "x"},
        headers=org["ward2"].headers,
    )
    assert other.status_code == 403
    assert denials(owner, org["ward2"].username)[-1]["resource"] == "plan"
    full = client.get(f"/api/v1/plans/{plan['id']}", headers=org["dist"].headers).json()
    assert [a["title"] for a in full["activities"]] == [
        "Rà soát trẻ em có hoàn cảnh đặc biệt",
        "Tổ chức Tháng hành động vì trẻ em",
        "Phối hợp xử lý vụ việc xâm hại",
    ]
    assert [(a["status"], a["progress"]) for a in full["activities"]] == [
        ("in_progress", 40), ("done", 100), ("not_started", 0)
    ]  # fmt: skip
    assert full["activities"][2]["owner_office"] == "Công an huyện"


def test_bad_input_names_the_field(client, org, district_plan):
    plan = district_plan["plan"]
    blank = client.post(
        "/api/v1/plans", json=plan_body(number=" ", title="", year=1990), headers=org["dist"].headers
    )
    assert blank.status_code == 422
    assert {e["field"] for e in blank.json()["errors"]} == {"number", "title", "year"}
    again = client.post("/api/v1/plans", json=plan_body(number=plan["number"]), headers=org["dist"].headers)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "number"
    outside = client.post(
        f"/api/v1/plans/{plan['id']}/activities",
        json={
            "title": "Việc của huyện khác",
            "owner_unit_id": org.units["C3"].id,
            "deadline": SOON.isoformat(),
        },
        headers=org["dist"].headers,
    )
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "owner_unit_id"
    nobody = client.post(
        f"/api/v1/plans/{plan['id']}/activities",
        json={"title": "Không ai làm", "deadline": SOON.isoformat()},
        headers=org["dist"].headers,
    )
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "owner_unit_id"
    over = client.post(
        f"/api/v1/plan-activities/{district_plan['police']['id']}/progress",
        json={"progress": 120, "text": "Quá"},
        headers=org["dist"].headers,
    )
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "progress"
    full = client.get(f"/api/v1/plans/{plan['id']}", headers=org["dist"].headers).json()
    assert len(full["activities"]) == 3  # nothing half-written


@pytest.mark.parametrize(
    "who, unit, status",
    [
        ("dist", "D1", 201),  # own unit
        ("dist", "D2", 403),  # sibling
        ("dist", "P", 403),  # parent
        ("dist", "C1", 403),  # child: a commune records its own plans
        ("ward", "C1", 201),
        ("ward", "C2", 403),
        ("insp", "P", 201),
        ("insp2", "P", 403),
        ("collab", "H1", 403),
    ],
)
def test_who_records_a_plan_of_which_unit(client, org, who, unit, status):
    response = client.post(
        "/api/v1/plans",
        json=plan_body(number=f"{who}-{unit}-{org.tag}", unit_id=org.units[unit].id),
        headers=org[who].headers,
    )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "who, status",
    [
        ("dist", 200),  # its own
        ("insp", 200),  # the level above
        ("ward", 200),  # a commune below reads the district's plan it carries out
        ("ward2", 200),
        ("dist2", 404),  # sibling district
        ("ward3", 404),  # a commune of the sibling district
        ("insp2", 404),  # another province
        ("collab", 403),  # collaborators have no plans
    ],
)
def test_who_reads_a_district_plan(client, org, district_plan, who, status):
    response = client.get(f"/api/v1/plans/{district_plan['plan']['id']}", headers=org[who].headers)
    assert response.status_code == status, response.text


def test_the_level_above_follows_progress_overdue_first_and_a_sibling_does_not(
    client, owner, org, district_plan
):
    commune = _plan(client, org["ward"], number=f"12/KH-UBND-{org.tag}", issuing_body="UBND xã C1")
    _activity(
        client, org["ward"], commune["id"], title="Họp giao ban cộng tác viên",
        owner_unit_id=org.units["C1"].id, deadline=SOON.isoformat(),
    )  # fmt: skip
    view = client.get(
        f"/api/v1/units/{org.units['D1'].id}/plan-progress",
        params={"year": YEAR},
        headers=org["dist"].headers,
    )
    assert view.status_code == 200, view.text
    body = view.json()
    items = [(i["title"], i["overdue"], i["plan"]["unit"]["id"]) for i in body["items"]]
    assert items[0] == ("Rà soát trẻ em có hoàn cảnh đặc biệt", True, org.units["D1"].id)
    assert ("Họp giao ban cộng tác viên", False, org.units["C1"].id) in items  # a commune's plan, below
    assert items[-1][0] == "Tổ chức Tháng hành động vì trẻ em"  # done: last
    assert body["overdue"] == 1 and body["done"] == 1
    province = client.get(
        f"/api/v1/units/{org.units['P'].id}/plan-progress", params={"year": YEAR}, headers=org["insp"].headers
    ).json()
    assert {i["activity_id"] for i in body["items"]} <= {i["activity_id"] for i in province["items"]}
    # A sibling district, and the commune itself for its parent, may not read the district's progress.
    assert (
        client.get(
            f"/api/v1/units/{org.units['D1'].id}/plan-progress", headers=org["dist2"].headers
        ).status_code
        == 403
    )
    assert (
        client.get(
            f"/api/v1/units/{org.units['D1'].id}/plan-progress", headers=org["ward"].headers
        ).status_code
        == 403
    )
    assert denials(owner, org["dist2"].username)[-1]["resource"] == "plan"
    sibling = client.get(
        f"/api/v1/units/{org.units['D2'].id}/plan-progress",
        params={"year": YEAR},
        headers=org["dist2"].headers,
    ).json()
    assert not {i["activity_id"] for i in sibling["items"]} & {i["activity_id"] for i in body["items"]}
    listed = client.get("/api/v1/plans", params={"year": YEAR}, headers=org["dist2"].headers).json()["items"]
    assert commune["id"] not in {p["id"] for p in listed} and district_plan["plan"]["id"] not in {
        p["id"] for p in listed
    }
    # The other commune of the district does not see C1's own plan.
    assert client.get(f"/api/v1/plans/{commune['id']}", headers=org["ward2"].headers).status_code == 404


def test_the_plan_shows_the_targets_in_force_set_and_inherited(client, org):
    plan = _plan(client, org["dist"], number=f"T/KH-{org.tag}", year=YEAR + 1)
    put = client.put(
        f"/api/v1/units/{org.units['D1'].id}/targets",
        json={"target": "special_supported", "year": YEAR + 1, "pct": 100},
        headers=org["dist"].headers,
    )
    assert put.status_code == 200, put.text
    targets = {
        t["code"]: t
        for t in client.get(f"/api/v1/plans/{plan['id']}", headers=org["dist"].headers).json()["targets"]
    }
    assert targets["special_supported"]["pct"] == 100.0 and targets["special_supported"]["own"] is True
    commune = _plan(client, org["ward"], number=f"T/KH-{org.tag}", year=YEAR + 1)
    inherited = {
        t["code"]: t
        for t in client.get(f"/api/v1/plans/{commune['id']}", headers=org["ward"].headers).json()["targets"]
    }
    assert inherited["special_supported"]["set_by"] == org.units["D1"].name
    assert inherited["special_supported"]["own"] is False


def test_the_signed_plan_is_stored_and_read_back_by_those_who_read_the_plan(
    client, owner, org, district_plan
):
    plan_id = district_plan["plan"]["id"]
    url = f"/api/v1/plans/{plan_id}/file"
    sent = client.post(
        url, files={"data": ("04-KH-UBND.pdf", PDF, "application/pdf")}, headers=org["dist"].headers
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["file"] == {"name": "04-KH-UBND.pdf", "type": "application/pdf", "size": len(PDF)}
    read = client.get(url, headers=org["insp"].headers)
    assert read.status_code == 200 and read.content == PDF
    assert client.get(url, headers=org["dist2"].headers).status_code == 404
    wrong = client.post(url, files={"data": ("x.txt", b"hello", "text/plain")}, headers=org["dist"].headers)
    assert wrong.status_code == 415 and wrong.json()["errors"][0]["field"] == "file"
    by_parent = client.post(
        url, files={"data": ("x.pdf", PDF, "application/pdf")}, headers=org["insp"].headers
    )
    assert by_parent.status_code == 403
    assert [e["action"] for e in changes(owner, "plan", plan_id)].count("download") == 1


def test_an_unknown_year_or_unit_is_refused_in_words(client, org):
    response = client.get(
        f"/api/v1/units/{org.units['D1'].id}/plan-progress",
        params={"year": 1800},
        headers=org["dist"].headers,
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "year"
    assert client.get("/api/v1/units/999999999/plan-progress", headers=org["dist"].headers).status_code == 404
    assert date.fromisoformat(plan_body()["issued_on"]) < today()
