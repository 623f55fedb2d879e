"""Monthly collaborator briefings (giao ban): the commune's ward officer records one with its attendance
and proposals; its district reads it; a collaborator reads those they attended and only their own row;
a sibling commune, another district and the province see nothing. Bad input names its field; nothing is
half-written; refusals are audited; row-level security holds the same lines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.clock import today
from infra.db import admin_engine, new_session
from tenancy.scope import Scope
from tests.test_staff_support import build_org, changes, denials

HELD = today() - timedelta(days=2)


@pytest.fixture(scope="module")
def org(client):
    with Session(admin_engine()) as session:
        return build_org(client, session)


def _new(client, headers, unit_id, **extra):
    body = {"unit_id": unit_id, "held_on": HELD.isoformat(), "chaired_by": "Phó Chủ tịch UBND xã"} | extra
    return client.post("/api/v1/briefings", json=body, headers=headers)


@pytest.fixture(scope="module")
def briefing(client, org):
    """C1's briefing: collab present, collab2 absent (ill); one proposal."""
    a = org.accounts
    made = _new(
        client,
        a["ward"].headers,
        org.units["C1"].id,
        place="Hội trường xã",
        issues="Hai trẻ bỏ học ở thôn Đông",
    )
    assert made.status_code == 201, made.text
    bid = made.json()["id"]
    marks = {
        "entries": [
            {"user_id": a["collab"].id, "present": True},
            {"user_id": a["collab2"].id, "present": False, "absence_reason": "Ốm"},
        ]
    }
    put = client.put(f"/api/v1/briefings/{bid}/attendance", json=marks, headers=a["ward"].headers)
    assert put.status_code == 200, put.text
    proposal = {
        "content": "Đề nghị hỗ trợ học bổng",
        "owner": "Công chức văn hoá - xã hội",
        "due_on": "2026-12-31",
    }
    added = client.post(f"/api/v1/briefings/{bid}/proposals", json=proposal, headers=a["ward"].headers)
    assert added.status_code == 201, added.text
    return bid


@pytest.mark.parametrize(
    "who, unit, status",
    [
        ("ward", "C1", 201),  # own commune
        ("ward", "C2", 403),  # sibling
        ("ward", "D1", 403),  # parent
        ("ward", "H1", 422),  # child: a hamlet holds no briefing
        ("dist", "C1", 403),  # the district reads, never records
        ("insp", "C1", 403),
        ("collab", "C1", 403),
    ],
)
def test_who_records_a_briefing_where(client, owner, org, who, unit, status):
    before = len(denials(owner, org[who].username))
    response = _new(client, org[who].headers, org.units[unit].id)
    assert response.status_code == status, response.text
    assert len(denials(owner, org[who].username)) - before == (status == 403)


def test_bad_input_names_each_field_and_writes_nothing(client, owner, org):
    a = org.accounts
    response = client.post(
        "/api/v1/briefings",
        json={"unit_id": 987654321, "held_on": "1990-01-01", "chaired_by": "  ", "place": "x" * 301},
        headers=a["ward"].headers,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"unit_id", "held_on", "chaired_by", "place"}
    unknown = client.post("/api/v1/briefings", json={"unit_id": 1, "bogus": 1}, headers=a["ward"].headers)
    assert unknown.status_code == 400


def test_attendance_is_for_the_communes_collaborators_all_or_nothing(client, owner, org, briefing):
    a = org.accounts
    url = f"/api/v1/briefings/{briefing}/attendance"
    bad = {
        "entries": [
            {"user_id": a["collab"].id, "present": False},  # no reason
            {"user_id": a["collab3"].id, "present": True},  # sibling commune
            {"user_id": a["ward"].id, "present": True},  # not a collaborator
            {"user_id": a["collab2"].id, "present": True, "absence_reason": "Ốm"},
        ]
    }
    response = client.put(url, json=bad, headers=a["ward"].headers)
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("entries[0].absence_reason", "required"),
        ("entries[1].user_id", "unknown"),
        ("entries[2].user_id", "unknown"),
        ("entries[3].absence_reason", "present"),
    ]
    owner.rollback()
    rows = owner.execute(
        text("SELECT user_id, present FROM briefing_attendance WHERE briefing_id = :b"), {"b": briefing}
    ).all()
    assert set(rows) == {(a["collab"].id, True), (a["collab2"].id, False)}  # unchanged
    assert client.put(url, json={"entries": []}, headers=a["ward"].headers).status_code == 400
    for who, status in (("ward2", 404), ("dist", 403), ("collab", 403)):
        one = {"entries": [{"user_id": a["collab"].id, "present": True}]}
        assert client.put(url, json=one, headers=a[who].headers).status_code == status, who


def test_each_role_reads_what_it_may(client, org, briefing):
    a = org.accounts

    def read(who):
        return client.get(f"/api/v1/briefings/{briefing}", headers=a[who].headers)

    full = read("ward").json()
    assert (full["present"], full["absent"], full["issues"]) == (1, 1, "Hai trẻ bỏ học ở thôn Đông")
    assert {(x["username"], x["present"], x["absence_reason"]) for x in full["attendance"]} == {
        (a["collab"].username, True, None),
        (a["collab2"].username, False, "Ốm"),
    }
    assert [p["content"] for p in full["proposals"]] == ["Đề nghị hỗ trợ học bổng"]
    assert read("dist").json()["attendance"] == full["attendance"]  # the parent district
    own = read("collab").json()  # present: the briefing, the proposals, their own row only
    assert [x["username"] for x in own["attendance"]] == [a["collab"].username] and own["proposals"]
    for who, status in (("collab2", 404), ("collab3", 404), ("ward2", 404), ("dist2", 404), ("insp", 403)):
        assert read(who).status_code == status, who
    listed = {
        who: {b["id"] for b in client.get("/api/v1/briefings", headers=a[who].headers).json()["items"]}
        for who in ("ward", "dist", "collab", "collab2", "ward2")
    }
    assert briefing in listed["ward"] and briefing in listed["dist"] and briefing in listed["collab"]
    assert briefing not in listed["collab2"] | listed["ward2"]


def test_changes_and_follow_up_are_the_communes_and_audited(client, owner, org, briefing):
    a = org.accounts
    url = f"/api/v1/briefings/{briefing}"
    assert client.patch(url, json={"place": "Nhà văn hoá"}, headers=a["dist"].headers).status_code == 403
    assert client.patch(url, json={"place": "Nhà văn hoá"}, headers=a["ward2"].headers).status_code == 404
    moved = client.patch(
        url, json={"held_on": (today() + timedelta(days=9)).isoformat()}, headers=a["ward"].headers
    )
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "held_on"  # attendance recorded
    ok = client.patch(url, json={"place": "Nhà văn hoá"}, headers=a["ward"].headers)
    assert ok.status_code == 200 and ok.json()["place"] == "Nhà văn hoá"
    proposal = ok.json()["proposals"][0]["id"]
    bad = client.patch(f"{url}/proposals/{proposal}", json={"status": "closed"}, headers=a["ward"].headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    done = client.patch(
        f"{url}/proposals/{proposal}",
        json={"status": "done", "follow_up": "Đã trình UBND xã"},
        headers=a["ward"].headers,
    )
    assert done.status_code == 200
    assert (done.json()["proposals"][0]["status"], done.json()["proposals"][0]["overdue"]) == ("done", False)
    assert (
        client.patch(
            f"{url}/proposals/{proposal}", json={"status": "open"}, headers=a["dist"].headers
        ).status_code
        == 403
    )
    actions = [c["action"] for c in changes(owner, "briefing", briefing)]
    assert actions[:3] == ["create", "record_attendance", "add_proposal"]
    assert "update" in actions and actions[-1] == "update_proposal"


def test_row_level_security_holds_the_same_lines(org, briefing):
    a, u = org.accounts, org.units

    def seen(scope, user_id, table):
        with new_session(scope, user_id) as session:
            column = "id" if table == "briefings" else "briefing_id"
            return list(session.execute(text(f"SELECT {column} FROM {table}")).scalars())

    c1, c2, h1, d1 = u["C1"].path, u["C2"].path, u["H1"].path, u["D1"].path
    assert briefing in seen(Scope(records=c1, aggregates=c1), a["ward"].id, "briefings")
    assert briefing in seen(Scope(records=None, aggregates=d1), a["dist"].id, "briefings")
    assert briefing not in seen(Scope(records=c2, aggregates=c2), a["ward2"].id, "briefings")
    assert briefing in seen(Scope(records=h1, aggregates=h1), a["collab"].id, "briefings")
    assert seen(Scope(records=h1, aggregates=h1), a["collab"].id, "briefing_attendance").count(briefing) == 1
    h2 = u["H2"].path
    assert briefing not in seen(Scope(records=h2, aggregates=h2), a["collab2"].id, "briefings")  # absent
    assert briefing not in seen(Scope(records=h2, aggregates=h2), a["collab2"].id, "briefing_proposals")
    with pytest.raises(Exception, match="row-level security"):
        with new_session(Scope(records=None, aggregates=d1), a["dist"].id) as session:
            session.execute(
                text("INSERT INTO briefings (unit_id, held_on, chaired_by) VALUES (:u, '2026-01-01', 'x')"),
                {"u": u["C1"].id},
            )
