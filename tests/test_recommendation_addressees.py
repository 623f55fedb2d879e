"""Recommendations to departments and People's Committees (outside the unit tree), as the Bình Phước
province's Công văn 2696/UBND-KGVX addresses them: kept by the province, addressed by its inspections,
answered by letter and recorded by the issuing level, accepted, flagged overdue and reminded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from infra.clock import today
from tests.test_staff_support import changes, denials

LATER = (today() + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def org(staff_org):
    return staff_org


def _addressee(client, who, unit, kind, name):
    return client.post(
        "/api/v1/recommendation-addressees",
        json={"unit_id": unit.id, "kind": kind, "name": name},
        headers=who.headers,
    )


@pytest.fixture(scope="module")
def world(client, org):
    """The province's Sở Y tế and UBND huyện Một, another province's Sở Y tế; an inspection of D1 by the
    province with one finding."""
    health = _addressee(client, org["insp"], org.units["P"], "department", f"Sở Y tế {org.tag}")
    committee = _addressee(
        client, org["insp"], org.units["D1"], "peoples_committee", f"UBND huyện Một {org.tag}"
    )
    elsewhere = _addressee(client, org["insp2"], org.units["P2"], "department", f"Sở Y tế khác {org.tag}")
    assert {health.status_code, committee.status_code, elsewhere.status_code} == {201}, health.text
    start = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    end = today().replace(day=1) - timedelta(days=1)
    plan = client.post(
        "/api/v1/inspections",
        json={
            "title": "Kiểm tra công tác bảo vệ, chăm sóc trẻ em",
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "unit_ids": [org.units["D1"].id],
        },
        headers=org["insp"].headers,
    )
    assert plan.status_code == 201, plan.text
    (target,) = plan.json()["targets"]
    finding = client.post(
        f"/api/v1/inspection-targets/{target['id']}/findings",
        json={"text": "Chưa bảo đảm vắc-xin cho Chương trình tiêm chủng mở rộng", "severity": "high"},
        headers=org["insp"].headers,
    )
    assert finding.status_code == 201, finding.text
    return {
        "health": health.json(),
        "committee": committee.json(),
        "elsewhere": elsewhere.json(),
        "finding": finding.json()["id"],
    }


def _recommend(client, org, world, **body):
    return client.post(
        f"/api/v1/inspection-findings/{world['finding']}/recommendations",
        json={"text": "Có phương án bảo đảm cung ứng đầy đủ vắc-xin", "deadline": LATER, **body},
        headers=org["insp"].headers,
    )


def test_a_recommendation_to_a_department_is_answered_and_accepted(client, owner, org, world):
    created = _recommend(client, org, world, addressee_id=world["health"]["id"])
    assert created.status_code == 201, created.text
    rec = created.json()
    assert rec["addressee"] == {
        "id": world["health"]["id"],
        "kind": "department",
        "name": world["health"]["name"],
    }
    assert rec["responsible_unit"] is None and rec["status"] == "open"
    assert rec["issuing_unit_id"] == org.units["P"].id
    # No one in the portal answers for the department: the audited district may not.
    by_unit = client.post(
        f"/api/v1/recommendations/{rec['id']}/answer", json={"text": "Đã làm"}, headers=org["dist"].headers
    )
    assert by_unit.status_code == 409
    # The issuing level records the department's letter.
    bad = client.post(
        f"/api/v1/recommendations/{rec['id']}/reply",
        json={"text": "", "reply_on": (today() + timedelta(days=2)).isoformat()},
        headers=org["insp"].headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "text"
    future = client.post(
        f"/api/v1/recommendations/{rec['id']}/reply",
        json={"text": "Đã có phương án", "reply_on": (today() + timedelta(days=2)).isoformat()},
        headers=org["insp"].headers,
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "reply_on"
    not_issuer = client.post(
        f"/api/v1/recommendations/{rec['id']}/reply",
        json={"text": "Đã có phương án", "reply_on": today().isoformat()},
        headers=org["dist"].headers,
    )
    assert not_issuer.status_code == 403
    assert denials(owner, org["dist"].username)[-1]["resource"] == "inspection"
    replied = client.post(
        f"/api/v1/recommendations/{rec['id']}/reply",
        json={
            "text": "Sở Y tế đã phân bổ đủ vắc-xin cho các huyện",
            "reply_on": today().isoformat(),
            "reply_reference": "123/SYT-NVY",
        },
        headers=org["insp"].headers,
    )
    assert replied.status_code == 200, replied.text
    answer = replied.json()["responses"][-1]
    assert replied.json()["status"] == "answered"
    assert (answer["kind"], answer["reply_on"], answer["reply_reference"], answer["by"]) == (
        "answer", today().isoformat(), "123/SYT-NVY", org["insp"].username
    )  # fmt: skip
    accepted = client.post(
        f"/api/v1/recommendations/{rec['id']}/accept", json={"text": "Đạt"}, headers=org["insp"].headers
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert "record_reply" in [e["action"] for e in changes(owner, "inspection", rec["id"])]
    # Another province sees neither the recommendation nor the province's addressees.
    theirs = client.get("/api/v1/recommendations", headers=org["insp2"].headers).json()["items"]
    assert rec["id"] not in {r["id"] for r in theirs}
    listed = client.get("/api/v1/recommendation-addressees", headers=org["insp2"].headers).json()["items"]
    assert {a["id"] for a in listed} == {world["elsewhere"]["id"]}


def test_an_addressee_must_be_of_the_inspection_area_and_alone(client, org, world):
    outside = _recommend(client, org, world, addressee_id=world["elsewhere"]["id"])
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "addressee_id"
    both = _recommend(
        client, org, world, addressee_id=world["health"]["id"], responsible_unit_id=org.units["D1"].id
    )
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "addressee_id"
    committee = _recommend(client, org, world, addressee_id=world["committee"]["id"])
    assert committee.status_code == 201 and committee.json()["addressee"]["kind"] == "peoples_committee"


def test_an_overdue_recommendation_to_a_department_is_listed_and_reminded(
    client, owner, org, world, monkeypatch
):
    rec = _recommend(
        client, org, world, addressee_id=world["health"]["id"], text="Báo cáo kết quả tiêm chủng"
    ).json()
    due = today() + timedelta(days=30)
    import portal.inspections.followup as followup

    monkeypatch.setattr(followup, "today", lambda: due + timedelta(days=1))
    overdue = client.get(
        "/api/v1/recommendations", params={"overdue": True}, headers=org["insp"].headers
    ).json()
    mine = [r for r in overdue["items"] if r["id"] == rec["id"]]
    assert mine and mine[0]["overdue"] is True and mine[0]["addressee"]["name"] == world["health"]["name"]
    monkeypatch.undo()
    # The reminder watch tells the issuing side (the plan's owner), naming the department.
    owner.execute(
        text("UPDATE inspection_recommendations SET deadline = :d WHERE id = :r"),
        {"d": today() - timedelta(days=2), "r": rec["id"]},
    )
    owner.commit()
    from portal.inspections.reminders import watch

    watch(datetime.now(UTC))
    told = owner.execute(
        text("SELECT n.user_id, n.subject FROM notifications n WHERE n.event_key LIKE :k"),
        {"k": f"recommendation_overdue:{rec['id']}:%"},
    ).all()
    assert told and {r.user_id for r in told} == {org["insp"].id}
    assert all(world["health"]["name"] in r.subject for r in told)


@pytest.mark.parametrize(
    "who, unit, kind, status",
    [
        ("insp", "P", "department", 201),  # the province, for itself
        ("insp", "C1", "peoples_committee", 201),  # a commune's People's Committee of its area
        ("insp", "P2", "department", 403),  # another province
        ("insp", "D2", "department", 422),  # a department is a province's
        ("dist", "D1", "peoples_committee", 403),  # districts do not keep the list
        ("ward", "C1", "peoples_committee", 403),
    ],
)
def test_who_keeps_the_addressees(client, org, who, unit, kind, status):
    response = _addressee(client, org[who], org.units[unit], kind, f"Cơ quan {who}-{unit}-{org.tag}")
    assert response.status_code == status, response.text
