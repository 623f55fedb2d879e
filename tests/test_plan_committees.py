"""Steering committees (Ban chỉ đạo): the decision, members (officials) and a meeting with attendance;
who keeps and who reads which unit's committee (own unit, sibling, parent, child)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infra.clock import today
from tests.test_staff_support import changes

DECIDED = today() - timedelta(days=100)


@pytest.fixture(scope="module")
def org(staff_org):
    return staff_org


@pytest.fixture(scope="module")
def committee(client, org):
    """C1's committee with a head, a deputy and a member, and one meeting."""
    created = client.post(
        "/api/v1/committees",
        json={
            "name": "Ban Chỉ đạo công tác trẻ em xã C1",
            "decision_number": "15/QĐ-UBND",
            "decision_on": DECIDED.isoformat(),
            "issuing_body": "UBND xã C1",
        },
        headers=org["ward"].headers,
    )
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    people = [
        ("Nguyễn Văn Hùng", "Chủ tịch UBND xã", "head"),
        ("Trần Thị Mai", "Phó Chủ tịch UBND xã", "deputy"),
        ("Lê Văn Nam", "Trưởng Công an xã", "member"),
    ]
    for name, position, role in people:
        response = client.post(
            f"/api/v1/committees/{cid}/members",
            json={"full_name": name, "position": position, "role": role},
            headers=org["ward"].headers,
        )
        assert response.status_code == 201, response.text
    body = response.json()
    ids = {m["full_name"]: m["id"] for m in body["members"]}
    meeting = client.post(
        f"/api/v1/committees/{cid}/meetings",
        json={
            "held_on": (today() - timedelta(days=10)).isoformat(),
            "agenda": "Sơ kết 6 tháng công tác trẻ em\nTriển khai Tháng hành động",
            "conclusions": "Giao Công an xã rà soát các ao hồ chưa có biển báo.",
            "guests": "Đại diện Phòng Văn hóa - Xã hội",
            "attended": [ids["Nguyễn Văn Hùng"], ids["Lê Văn Nam"]],
        },
        headers=org["ward"].headers,
    )
    assert meeting.status_code == 201, meeting.text
    return {"id": cid, "members": ids, "body": meeting.json()}


def test_a_committee_with_members_and_a_meeting(client, owner, org, committee):
    body = committee["body"]
    assert [(m["role"], m["position"]) for m in body["members"]] == [
        ("head", "Chủ tịch UBND xã"), ("deputy", "Phó Chủ tịch UBND xã"), ("member", "Trưởng Công an xã")
    ]  # fmt: skip
    (meeting,) = body["meetings"]
    ids = committee["members"]
    assert meeting["attended"] == sorted([ids["Nguyễn Văn Hùng"], ids["Lê Văn Nam"]])
    assert meeting["agenda"].startswith("Sơ kết") and "\n" in meeting["agenda"]
    assert [e["action"] for e in changes(owner, "committee", committee["id"])][:1] == ["create"]
    assert "add_meeting" in [e["action"] for e in changes(owner, "committee", committee["id"])]


def test_a_meeting_names_only_members_on_the_committee_that_day(client, org, committee):
    cid, ids = committee["id"], committee["members"]
    left = client.post(
        f"/api/v1/committees/{cid}/members/{ids['Trần Thị Mai']}/leave",
        json={"left_on": (today() - timedelta(days=5)).isoformat()},
        headers=org["ward"].headers,
    )
    assert left.status_code == 200 and left.json()["members"][-1]["full_name"] == "Trần Thị Mai"
    wrong = client.post(
        f"/api/v1/committees/{cid}/meetings",
        json={
            "held_on": today().isoformat(),
            "agenda": "Giao ban quý",
            "attended": [ids["Trần Thị Mai"], 999999999],
        },
        headers=org["ward"].headers,
    )
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["attended[0]", "attended[1]"]
    early = client.post(
        f"/api/v1/committees/{cid}/meetings",
        json={"held_on": (DECIDED - timedelta(days=1)).isoformat(), "agenda": "Trước khi thành lập"},
        headers=org["ward"].headers,
    )
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "held_on"
    bad_role = client.post(
        f"/api/v1/committees/{cid}/members",
        json={"full_name": "Phạm Văn Bình", "position": "Bí thư Đoàn", "role": "chair"},
        headers=org["ward"].headers,
    )
    assert bad_role.status_code == 422 and bad_role.json()["errors"][0]["field"] == "role"
    read = client.get(f"/api/v1/committees/{cid}", headers=org["ward"].headers).json()
    assert len(read["meetings"]) == 1  # the refused meetings were not written
    assert "Phạm Văn Bình" not in [m["full_name"] for m in read["members"]]  # nor the refused member


@pytest.mark.parametrize(
    "who, status",
    [
        ("ward", 200),  # its own
        ("dist", 200),  # parent
        ("insp", 200),  # grandparent
        ("ward2", 404),  # sibling commune
        ("dist2", 404),  # sibling district
        ("insp2", 404),  # another province
        ("collab", 403),  # a hamlet's collaborator keeps no committee
    ],
)
def test_who_reads_a_commune_committee(client, org, committee, who, status):
    response = client.get(f"/api/v1/committees/{committee['id']}", headers=org[who].headers)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("who, status", [("ward", 201), ("dist", 403), ("ward2", 404), ("insp", 403)])
def test_only_the_unit_keeps_its_committee(client, org, committee, who, status):
    response = client.post(
        f"/api/v1/committees/{committee['id']}/members",
        json={"full_name": "Hoàng Thị Lan", "position": "Chủ tịch Hội Phụ nữ", "role": "member"},
        headers=org[who].headers,
    )
    assert response.status_code == status, response.text


def test_the_district_lists_its_communes_committees_and_a_sibling_does_not(client, org, committee):
    mine = client.get("/api/v1/committees", headers=org["dist"].headers).json()["items"]
    assert committee["id"] in {c["id"] for c in mine}
    theirs = client.get("/api/v1/committees", headers=org["dist2"].headers).json()["items"]
    assert committee["id"] not in {c["id"] for c in theirs}
    sibling = client.post(
        "/api/v1/committees",
        json={"name": "Ban", "decision_number": "1/QĐ", "decision_on": DECIDED.isoformat(), "issuing_body": "UBND",
              "unit_id": org.units["C1"].id},
        headers=org["ward2"].headers,
    )  # fmt: skip
    assert sibling.status_code == 403
