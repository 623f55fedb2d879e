"""A commune holds its own trainings for its own collaborators, and the monthly report counts them: the
report's ``collaborators`` cells come from the accounts and the attendance (``report_staff_figures``),
no longer typed. Each role is tried on its own commune, a sibling, the parent and a child unit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from infra.clock import today
from infra.db import admin_engine, new_session
from portal.reports.figures import staff_figures
from portal.reports.periods import containing
from tenancy.scope import Scope
from tests.reporting import start
from tests.test_staff_support import build_org, denials, enrol


@pytest.fixture(scope="module")
def org(client):
    with Session(admin_engine()) as session:
        return build_org(client, session)


def _course(client, headers, unit_id, held_on, title="Tập huấn cộng tác viên xã"):
    body = {"title": title, "unit_id": unit_id, "held_on": held_on.isoformat(), "place": "Hội trường UBND xã"}
    return client.post("/api/v1/trainings", json=body, headers=headers)


def _attend(client, headers, course_id, *user_ids):
    return client.post(
        f"/api/v1/trainings/{course_id}/attendees", json={"user_ids": list(user_ids)}, headers=headers
    )


@pytest.mark.parametrize(
    "who, unit, status",
    [
        ("ward", "C1", 201),  # own commune
        ("ward", "C2", 403),  # sibling
        ("ward", "D1", 403),  # parent
        ("ward", "H1", 422),  # child: a hamlet holds no training
        ("ward2", "C1", 403),  # another commune's officer
        ("collab", "C1", 403),  # a collaborator records none
        ("dist", "C1", 201),  # the district, for a commune of theirs
    ],
)
def test_who_records_a_commune_training_where(client, owner, org, who, unit, status):
    before = len(denials(owner, org[who].username))
    response = _course(client, org[who].headers, org.units[unit].id, today() - timedelta(days=1))
    assert response.status_code == status, response.text
    assert len(denials(owner, org[who].username)) - before == (status == 403)
    if status == 422:
        assert response.json()["errors"][0]["field"] == "unit_id"


def test_a_ward_officer_trains_the_communes_collaborators_only(client, owner, org):
    a = org.accounts
    made = _course(client, a["ward"].headers, org.units["C1"].id, today() - timedelta(days=2))
    assert made.status_code == 201, made.text
    course = made.json()["id"]
    # sibling commune's collaborator (outside the area), the officer themselves (not a collaborator)
    refused = _attend(client, a["ward"].headers, course, a["collab"].id, a["collab3"].id, a["ward"].id)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("user_ids[1]", "unknown"),
        ("user_ids[2]", "not_collaborator"),
    ]
    owner.rollback()
    n = owner.execute(text("SELECT count(*) FROM training_attendance WHERE course_id = :c"), {"c": course})
    assert n.scalar_one() == 0  # nothing half-written
    done = _attend(client, a["ward"].headers, course, a["collab"].id, a["collab2"].id)
    assert done.status_code == 200 and sorted(done.json()["added"]) == sorted(
        [a["collab"].id, a["collab2"].id]
    )
    # changing it: its own officer and the district; a sibling commune does not even see it
    patch = {"place": "Nhà văn hoá thôn Đông"}
    assert (
        client.patch(f"/api/v1/trainings/{course}", json=patch, headers=a["ward"].headers).status_code == 200
    )
    assert (
        client.patch(f"/api/v1/trainings/{course}", json=patch, headers=a["ward2"].headers).status_code == 404
    )
    assert client.get(f"/api/v1/trainings/{course}", headers=a["ward2"].headers).status_code == 404
    assert client.get(f"/api/v1/trainings/{course}", headers=a["dist"].headers).status_code == 200
    assert client.get(f"/api/v1/trainings/{course}", headers=a["insp"].headers).status_code == 200
    assert client.get(f"/api/v1/trainings/{course}", headers=a["dist2"].headers).status_code == 404
    assert _attend(client, a["ward2"].headers, course, a["collab3"].id).status_code == 404
    assert _attend(client, a["collab"].headers, course, a["collab"].id).status_code == 403
    mine = client.get("/api/v1/me/trainings", headers=a["collab"].headers).json()["items"]
    assert course in {c["id"] for c in mine}


def test_a_ward_officer_records_no_training_of_the_district(client, org):
    a = org.accounts
    district = _course(client, a["dist"].headers, org.units["D1"].id, today() - timedelta(days=2))
    assert district.status_code == 201
    course = district.json()["id"]
    assert (
        client.get(f"/api/v1/trainings/{course}", headers=a["ward"].headers).status_code == 200
    )  # held above
    assert _attend(client, a["ward"].headers, course, a["collab"].id).status_code == 403
    patch = {"place": "x"}
    assert (
        client.patch(f"/api/v1/trainings/{course}", json=patch, headers=a["ward"].headers).status_code == 403
    )


def _backdate(owner, user_id, day):
    owner.execute(text("UPDATE users SET created_at = :d WHERE id = :u"), {"d": day, "u": user_id})
    owner.commit()


def test_the_monthly_report_counts_collaborators_in_place_and_trained(client, owner):
    """Value by value, for the hamlets of a fresh commune: H1 has a trained collaborator, an untrained one,
    a trained one since deactivated and one enrolled after the period; H2 one trained only after it."""
    with_org = build_org(client, owner)
    a, u = with_org.accounts, with_org.units
    ward = a["ward"].headers
    period = containing("month", today().replace(day=1) - timedelta(days=1))  # last month
    old = date(2026, 1, 5)
    newbie = enrol(client, ward, f"newbie-{with_org.tag}", "collaborator", u["H1"])
    gone = enrol(client, ward, f"gone-{with_org.tag}", "collaborator", u["H1"])
    for who in (a["collab"].id, a["collab2"].id, newbie.id, gone.id):
        _backdate(owner, who, old)
    owner.execute(
        text("UPDATE units SET valid_from = :d WHERE id IN (:h1, :h2)"),
        {"d": old, "h1": u["H1"].id, "h2": u["H2"].id},
    )
    owner.commit()
    late = enrol(client, ward, f"late-{with_org.tag}", "collaborator", u["H1"])  # enrolled today

    in_period = _course(client, ward, u["C1"].id, period.start + timedelta(days=4))
    after = _course(client, a["dist"].headers, u["D1"].id, today())
    assert in_period.status_code == after.status_code == 201
    assert _attend(client, ward, in_period.json()["id"], a["collab"].id, gone.id).status_code == 200
    assert _attend(client, a["dist"].headers, after.json()["id"], a["collab2"].id).status_code == 200
    assert client.post(f"/api/v1/staff/{gone.id}/deactivate", headers=ward).status_code == 200

    def counted(hamlet, key):
        report = start(client, ward, hamlet, key)
        return report["figures"]["collaborators"]

    assert counted(u["H1"], period.key) == {"in_place": 2, "trained": 1}  # collab, newbie; collab trained
    assert counted(u["H2"], period.key) == {"in_place": 1, "trained": 0}  # collab2 trained after the period
    this_month = containing("month", today()).key
    assert counted(u["H1"], this_month) == {"in_place": 3, "trained": 1}  # late is in place now
    assert counted(u["H2"], this_month) == {"in_place": 1, "trained": 1}
    # the same count for the commune: what the inspection checklist reads
    c1 = u["C1"].path
    with new_session(Scope(records=c1, aggregates=c1)) as session:
        assert staff_figures(session, c1, period.start, period.end) == {"in_place": 3, "trained": 1}
    with new_session(Scope(records=u["C2"].path, aggregates=u["C2"].path)) as session:
        with pytest.raises(Exception, match="outside the caller"):
            staff_figures(session, c1, period.start, period.end)
    assert late.id  # used above through the count


def test_a_draft_that_held_typed_collaborators_stays_readable_and_editable(client, owner, org):
    ward = org["ward"].headers
    key = containing("month", today().replace(day=1) - timedelta(days=40)).key
    report = start(client, ward, org.units["C1"], key)
    owner.execute(
        text(
            "UPDATE reports SET entered = CAST(:e AS jsonb), figures = figures || CAST(:e AS jsonb) WHERE id = :r"
        ),
        {"e": '{"collaborators": {"in_place": 5, "trained": 2}}', "r": report["id"]},
    )
    owner.commit()
    read = client.get(f"/api/v1/reports/{report['id']}", headers=ward)
    assert read.status_code == 200 and read.json()["figures"]["collaborators"] == {
        "in_place": 5,
        "trained": 2,
    }
    saved = client.put(
        f"/api/v1/reports/{report['id']}/values",
        headers=ward,
        json={"values": {"child_friendly": {"recognised": 1}}},
    )
    assert saved.status_code == 200, saved.text
    assert "collaborators" not in saved.json()["entered"]
    typed = client.put(
        f"/api/v1/reports/{report['id']}/values",
        headers=ward,
        json={"values": {"collaborators": {"in_place": 1}}},
    )
    assert typed.status_code == 422
    assert typed.json()["errors"][0]["field"] == "values.collaborators"
