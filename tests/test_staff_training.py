"""Training: courses held by a commune, district or province, who attended, who sees what, and the count per
commune of collaborators trained (the future report indicator ``collaborators.trained``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from infra.clock import today
from infra.db import scoped_session
from tenancy.scope import Scope
from tests.support import login, make_unit
from tests.test_staff_support import STAFF_PASSWORD, add_hamlet, changes, denials, enrol

PAST = date(2026, 3, 10)
LAST_YEAR = date(2025, 5, 20)


@pytest.fixture(scope="module")
def org(staff_org):
    return staff_org


def _course(client, headers, unit_id, held_on=PAST, title="Tập huấn kỹ năng bảo vệ trẻ em", **extra):
    body = {"title": title, "unit_id": unit_id, "held_on": held_on.isoformat(), **extra}
    return client.post("/api/v1/trainings", json=body, headers=headers)


def _attend(client, headers, course_id, *user_ids):
    return client.post(
        f"/api/v1/trainings/{course_id}/attendees", json={"user_ids": list(user_ids)}, headers=headers
    )


@pytest.fixture(scope="module")
def courses(client, org):
    """A course of D1 (this year), of the province P (last year) and of D2; attendance recorded."""
    d1 = _course(
        client, org["dist"].headers, org.units["D1"].id, place="Hội trường huyện", topic="Phòng chống xâm hại"
    )
    p = _course(client, org["insp"].headers, org.units["P"].id, held_on=LAST_YEAR, title="Tập huấn cấp tỉnh")
    d2 = _course(client, org["dist2"].headers, org.units["D2"].id, title="Tập huấn huyện Hai")
    assert {d1.status_code, p.status_code, d2.status_code} == {201}, (d1.text, p.text, d2.text)
    ids = {"D1": d1.json()["id"], "P": p.json()["id"], "D2": d2.json()["id"]}
    a = org.accounts
    assert (
        _attend(
            client, a["dist"].headers, ids["D1"], a["collab"].id, a["ward"].id, a["collab3"].id
        ).status_code
        == 200
    )
    assert _attend(client, a["insp"].headers, ids["P"], a["collab2"].id, a["collab5"].id).status_code == 200
    assert _attend(client, a["dist2"].headers, ids["D2"], a["collab5"].id).status_code == 200
    return ids


def test_a_district_officer_records_a_course(client, owner, org):
    response = _course(client, org["dist"].headers, org.units["D1"].id, place="Nhà văn hoá", topic="Kỹ năng")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["unit"]["id"], body["held_on"], body["place"], body["topic"], body["attendees"]) == (
        org.units["D1"].id,
        PAST.isoformat(),
        "Nhà văn hoá",
        "Kỹ năng",
        0,
    )
    (entry,) = changes(owner, "training", body["id"])
    assert entry["action"] == "create" and entry["unit_id"] == org.units["D1"].id


@pytest.mark.parametrize(
    "who, unit, status",
    [
        ("dist", "D1", 201),
        ("dist", "D2", 403),  # sibling
        ("dist", "P", 403),  # parent
        ("dist", "C1", 201),  # a commune of theirs holds one (its ward officer records it too)
        ("dist", "H1", 422),  # a hamlet does not hold trainings
        ("insp", "P", 201),
        ("insp", "D2", 201),  # child
        ("insp", "P2", 403),  # sibling
        ("ward", "D1", 403),
        ("ward", "C1", 201),  # their own commune (tests/test_commune_trainings.py)
        ("collab", "D1", 403),
    ],
)
def test_who_records_courses_where(client, owner, org, who, unit, status):
    before = len(denials(owner, org[who].username))
    response = _course(client, org[who].headers, org.units[unit].id)
    assert response.status_code == status, response.text
    assert len(denials(owner, org[who].username)) - before == (status == 403)


def test_course_input_is_checked_field_by_field(client, org):
    response = client.post(
        "/api/v1/trainings",
        json={"title": "  ", "unit_id": 987654321, "held_on": "1990-01-01"},
        headers=org["dist"].headers,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"title", "unit_id", "held_on"}
    assert (
        client.post("/api/v1/trainings", json={"title": "x"}, headers=org["dist"].headers).status_code == 400
    )


def test_attendance_is_for_staff_working_under_the_courses_unit(client, org, courses, uid):
    a = org.accounts
    gone = enrol(client, a["ward"].headers, f"tr-off-{uid}", "collaborator", org.units["H1"])
    assert client.post(f"/api/v1/staff/{gone.id}/deactivate", headers=a["ward"].headers).status_code == 200
    # the province's course: collab4 works in another province; the inspector cannot see them at all
    response = _attend(
        client, a["insp"].headers, courses["P"], a["collab"].id, a["collab4"].id, gone.id, 987654321
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("user_ids[1]", "unknown"),
        ("user_ids[2]", "inactive"),
        ("user_ids[3]", "unknown"),
    ]
    # D1's course: collab5 works in D2 (inside the inspector's area, outside the course's district)
    response = _attend(client, a["insp"].headers, courses["D1"], a["collab5"].id)
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "out_of_unit"
    # nothing was half-written
    body = client.get(f"/api/v1/trainings/{courses['P']}", headers=a["insp"].headers).json()
    assert a["collab"].id not in {x["user_id"] for x in body["attendance"]}


def test_recording_twice_adds_nobody_twice(client, owner, org, courses):
    a = org.accounts
    response = _attend(client, a["dist"].headers, courses["D1"], a["collab"].id, a["collab"].id)
    assert response.status_code == 200 and response.json()["added"] == []
    owner.rollback()
    n = owner.execute(
        text("SELECT count(*) FROM training_attendance WHERE course_id = :c AND user_id = :u"),
        {"c": courses["D1"], "u": a["collab"].id},
    ).scalar_one()
    assert n == 1


def test_attendance_waits_for_the_course_to_take_place(client, org):
    future = _course(client, org["dist"].headers, org.units["D1"].id, held_on=today() + timedelta(days=30))
    assert future.status_code == 201
    response = _attend(client, org["dist"].headers, future.json()["id"], org["collab"].id)
    assert response.status_code == 409


def test_who_records_attendance(client, org, courses):
    a = org.accounts
    for who, status in (("ward", 403), ("collab", 403), ("dist2", 404), ("insp2", 404)):
        response = _attend(client, a[who].headers, courses["D1"], a["collab2"].id)
        assert response.status_code == status, (who, response.text)
    above = _attend(client, a["dist"].headers, courses["P"], a["collab2"].id)  # visible to them, not theirs
    assert above.status_code == 403, above.text


def test_collaborators_see_their_own_trainings_and_those_held_above_them(client, org, courses):
    a = org.accounts
    mine = client.get("/api/v1/me/trainings", headers=a["collab"].headers)
    assert mine.status_code == 200
    assert [c["id"] for c in mine.json()["items"]] == [courses["D1"]]
    assert mine.json()["items"][0]["unit"]["id"] == org.units["D1"].id
    assert "attendees" not in mine.json()["items"][0]  # the caller's own list counts nobody
    ward_mine = client.get("/api/v1/me/trainings", headers=a["ward"].headers).json()["items"]
    assert [c["id"] for c in ward_mine] == [courses["D1"]]
    listed = {c["id"] for c in client.get("/api/v1/trainings", headers=a["collab"].headers).json()["items"]}
    assert {courses["D1"], courses["P"]} <= listed and courses["D2"] not in listed
    assert client.get(f"/api/v1/trainings/{courses['D2']}", headers=a["collab"].headers).status_code == 404
    other_province = {
        c["id"] for c in client.get("/api/v1/trainings", headers=a["collab4"].headers).json()["items"]
    }
    assert not other_province & set(courses.values())


def test_a_course_shows_only_the_attendees_in_the_readers_area(client, org, courses):
    a = org.accounts

    def attendees(who):
        response = client.get(f"/api/v1/trainings/{courses['D1']}", headers=a[who].headers)
        assert response.status_code == 200, response.text
        return {x["username"] for x in response.json()["attendance"]}

    everyone = {a["collab"].username, a["ward"].username, a["collab3"].username}
    assert attendees("dist") == everyone
    assert attendees("insp") == everyone
    assert attendees("ward") == {
        a["collab"].username,
        a["ward"].username,
    }  # their commune, themselves included
    assert attendees("ward2") == {a["collab3"].username}
    assert attendees("collab") == {a["collab"].username}


def test_officers_list_attendance_in_their_subtree(client, org, courses):
    a = org.accounts
    body = client.get(
        f"/api/v1/units/{org.units['C1'].id}/training-attendance", headers=a["ward"].headers
    ).json()
    assert {(i["username"], i["course"]["id"]) for i in body["items"]} == {
        (a["collab"].username, courses["D1"]),
        (a["ward"].username, courses["D1"]),
        (a["collab2"].username, courses["P"]),
    }
    assert body["total"] == 3 and all(
        i["unit"]["path"].startswith(org.units["C1"].path) for i in body["items"]
    )
    this_year = client.get(
        f"/api/v1/units/{org.units['C1'].id}/training-attendance",
        params={"since": "2026-01-01"},
        headers=a["ward"].headers,
    ).json()
    assert {i["username"] for i in this_year["items"]} == {a["collab"].username, a["ward"].username}
    district = client.get(
        f"/api/v1/units/{org.units['D1'].id}/training-attendance", headers=a["dist"].headers
    ).json()
    assert district["total"] == 4  # collab, ward, collab3 (D1's course), collab2 (the province's)
    for who, unit in (("ward", "C2"), ("ward", "D1"), ("collab", "H1"), ("dist", "D2")):
        response = client.get(
            f"/api/v1/units/{org.units[unit].id}/training-attendance", headers=a[who].headers
        )
        assert response.status_code == 403, (who, unit)


def _collaborators(owner, commune):
    return owner.execute(
        text(
            "SELECT count(*) FROM users u JOIN units h ON h.id = u.unit_id "
            "WHERE h.parent_id = :c AND u.role = 'collaborator' AND u.is_active"
        ),
        {"c": commune.id},
    ).scalar_one()


def test_collaborators_trained_per_commune(client, owner, org, courses):
    response = client.get(f"/api/v1/units/{org.units['D1'].id}/training-counts", headers=org["dist"].headers)
    assert response.status_code == 200, response.text
    body = response.json()
    owner.rollback()
    by_commune = {i["id"]: (i["in_place"], i["trained"]) for i in body["items"]}
    assert set(by_commune) == {org.units["C1"].id, org.units["C2"].id}  # the closed commune CX is left out
    assert by_commune[org.units["C1"].id] == (_collaborators(owner, org.units["C1"]), 2)  # collab, collab2
    assert by_commune[org.units["C2"].id] == (_collaborators(owner, org.units["C2"]), 1)  # collab3
    assert body["total"]["trained"] == 3
    this_year = client.get(
        f"/api/v1/units/{org.units['D1'].id}/training-counts",
        params={"since": "2026-01-01", "until": "2026-12-31"},
        headers=org["dist"].headers,
    ).json()
    assert {i["id"]: i["trained"] for i in this_year["items"]} == {
        org.units["C1"].id: 1,
        org.units["C2"].id: 1,
    }
    province = client.get(
        f"/api/v1/units/{org.units['P'].id}/training-counts", headers=org["insp"].headers
    ).json()
    assert {i["id"]: i["trained"] for i in province["items"]}[org.units["C3"].id] == 1  # collab5
    ward = client.get(
        f"/api/v1/units/{org.units['C1'].id}/training-counts", headers=org["ward"].headers
    ).json()
    assert [(i["id"], i["trained"]) for i in ward["items"]] == [(org.units["C1"].id, 2)]
    bad = client.get(
        f"/api/v1/units/{org.units['D1'].id}/training-counts",
        params={"since": "2026-02-01", "until": "2026-01-01"},
        headers=org["dist"].headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "until"
    assert (
        client.get(
            f"/api/v1/units/{org.units['D2'].id}/training-counts", headers=org["dist"].headers
        ).status_code
        == 403
    )


def test_changing_and_removing(client, owner, org, courses, uid):
    a = org.accounts
    course = _course(client, a["dist"].headers, org.units["D1"].id, title=f"Khoá {uid}").json()
    assert _attend(client, a["dist"].headers, course["id"], a["collab2"].id).status_code == 200
    url = f"/api/v1/trainings/{course['id']}"
    renamed = client.patch(url, json={"title": f"Khoá sửa {uid}", "place": None}, headers=a["insp"].headers)
    assert renamed.status_code == 200 and renamed.json()["title"] == f"Khoá sửa {uid}"
    future = client.patch(
        url, json={"held_on": (today() + timedelta(days=3)).isoformat()}, headers=a["dist"].headers
    )
    assert future.status_code == 409
    assert client.patch(url, json={"title": "x"}, headers=a["dist2"].headers).status_code == 404
    assert client.patch(url, json={"title": "x"}, headers=a["ward"].headers).status_code == 403
    assert client.delete(f"{url}/attendees/{a['collab2'].id}", headers=a["ward"].headers).status_code == 403
    assert client.delete(f"{url}/attendees/{a['collab2'].id}", headers=a["dist"].headers).status_code == 204
    assert client.delete(f"{url}/attendees/{a['collab2'].id}", headers=a["dist"].headers).status_code == 404
    actions = [e["action"] for e in changes(owner, "training", course["id"])]
    assert actions == ["create", "record_attendance", "update", "remove_attendance"]


def test_a_course_follows_its_attendees_when_they_move_out_of_its_area(client, owner, org, uid):
    """As after the 2025 reform: trained by a district of one tree, now working in a commune of another.
    The commune moved into is this test's own (under D2): C1's and D1's counts, which other tests check
    exactly, stay as they are whichever test runs first."""
    a = org.accounts
    commune = make_unit(owner, org.units["D2"], "commune", f"Xã đến {uid}")
    owner.refresh(commune)
    owner.expunge(commune)
    hamlet = add_hamlet(client, a["dist2"].headers, commune, f"Thôn đến {uid}")
    ward = enrol(client, a["dist2"].headers, f"tr-wd-{uid}", "ward_officer", commune)
    mover = enrol(client, a["ward4"].headers, f"tr-mv-{uid}", "collaborator", org.units["H4"])
    course = _course(client, a["insp2"].headers, org.units["D3"].id, held_on=LAST_YEAR, title=f"Khoá {uid}")
    assert _attend(client, a["insp2"].headers, course.json()["id"], mover.id).status_code == 200
    counts_url = f"/api/v1/units/{commune.id}/training-counts"
    before = {i["id"]: i for i in client.get(counts_url, headers=ward.headers).json()["items"]}
    moved = client.patch(f"/api/v1/staff/{mover.id}", json={"unit_id": hamlet.id}, headers=org.admin)
    assert moved.status_code == 200, moved.text
    mine = client.get("/api/v1/me/trainings", headers=login(client, mover.username, STAFF_PASSWORD)).json()
    assert [c["id"] for c in mine["items"]] == [course.json()["id"]]
    seen_by_ward = client.get(f"/api/v1/trainings/{course.json()['id']}", headers=ward.headers)
    assert seen_by_ward.status_code == 200
    assert [x["username"] for x in seen_by_ward.json()["attendance"]] == [mover.username]
    after = {i["id"]: i for i in client.get(counts_url, headers=ward.headers).json()["items"]}
    assert (after[commune.id]["in_place"], after[commune.id]["trained"]) == (
        before[commune.id]["in_place"] + 1,
        before[commune.id]["trained"] + 1,
    )
    # the course's district can still change it, and still sees who attended
    assert (
        client.get(f"/api/v1/trainings/{course.json()['id']}", headers=a["insp2"].headers).json()["attendees"]
        == 1
    )


# --- the database repeats the rule --------------------------------------------------------------------


def _seen(scope, table):
    with scoped_session(scope) as session:
        return set(session.execute(text(f"SELECT course_id FROM {table}") if table == "training_attendance"
                                   else text("SELECT id FROM training_courses")).scalars())  # fmt: skip


def test_row_level_security_on_courses_and_attendance(org, courses):
    h1 = org.units["H1"].path
    collab_courses = _seen(Scope(records=h1, aggregates=h1), "training_courses")
    assert {courses["D1"], courses["P"]} <= collab_courses and courses["D2"] not in collab_courses
    p2 = org.units["P2"].path
    assert not _seen(Scope(records=None, aggregates=p2), "training_courses") & set(courses.values())
    d2 = org.units["D2"].path
    attendance = _seen(Scope(records=None, aggregates=d2), "training_attendance")
    assert courses["D2"] in attendance and courses["P"] in attendance  # collab5 works in D2
    assert courses["D1"] not in attendance
    with pytest.raises(Exception, match="row-level security"):
        with scoped_session(Scope(records=None, aggregates=d2)) as session:
            session.execute(
                text("INSERT INTO training_courses (unit_id, title, held_on) VALUES (:u, 'x', '2026-01-01')"),
                {"u": org.units["D1"].id},
            )
