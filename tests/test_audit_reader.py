"""The audit of aggregate reads and CSRF refusals, and its two readers: a child's access log for the
commune's ward officer, and counts per unit and day for districts and provinces (no names, no ids)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from infra.clock import today
from infra.db import admin_engine, new_session
from portal.app import create_app
from portal.stats.disclosure import last_complete_month, month_end, month_start
from tenancy.scope import Scope
from tests.e2e.site import Browser, child_form
from tests.support import child_payload, login, make_unit, make_user


@pytest.fixture(scope="module")
def world(database):
    """Two provinces. P > D > C (hamlets H1, H2) and C2 (hamlet H3); D2 a sibling district; Q another
    province with its own commune. Staff at each; children recorded through the API."""
    tag = uuid.uuid4().hex[:6]
    with Session(admin_engine(), expire_on_commit=False) as owner:
        p = make_unit(owner, None, "province", f"Tỉnh kiểm toán {tag}")
        d = make_unit(owner, p, "district", f"Huyện A {tag}")
        d2 = make_unit(owner, p, "district", f"Huyện B {tag}")
        c = make_unit(owner, d, "commune", f"Xã Một {tag}")
        c2 = make_unit(owner, d, "commune", f"Xã Hai {tag}")
        h1 = make_unit(owner, c, "hamlet", f"Thôn 1 {tag}")
        h2 = make_unit(owner, c, "hamlet", f"Thôn 2 {tag}")
        h3 = make_unit(owner, c2, "hamlet", f"Thôn 3 {tag}")
        q = make_unit(owner, None, "province", f"Tỉnh khác {tag}")
        qd = make_unit(owner, q, "district", f"Huyện Q {tag}")
        qc = make_unit(owner, qd, "commune", f"Xã Q {tag}")
        qh = make_unit(owner, qc, "hamlet", f"Thôn Q {tag}")
        people = {
            "collab": ("collaborator", h1),
            "collab3": ("collaborator", h3),
            "officer": ("ward_officer", c),
            "officer2": ("ward_officer", c2),
            "district": ("district_officer", d),
            "district2": ("district_officer", d2),
            "inspector": ("provincial_inspector", p),
            "qofficer": ("ward_officer", qc),
            "qinspector": ("provincial_inspector", q),
        }
        names = {}
        for key, (role, unit) in people.items():
            names[key] = make_user(owner, f"au-{key}-{tag}", role, unit.id).username
    units = {
        "p": p,
        "d": d,
        "d2": d2,
        "c": c,
        "c2": c2,
        "h1": h1,
        "h2": h2,
        "h3": h3,
        "q": q,
        "qc": qc,
        "qh": qh,
    }
    return {"tag": tag, "users": names, **units}


@pytest.fixture(scope="module")
def tokens(client, world):
    return {key: login(client, name) for key, name in world["users"].items()}


def _child(client, headers, hamlet, name):
    response = client.post("/api/v1/children", headers=headers, json=child_payload(hamlet.id, full_name=name))
    assert response.status_code == 201, response.text
    return response.json()


def _rows(owner, username, resource=None):
    sql = "SELECT * FROM audit_log WHERE username IS NOT DISTINCT FROM :u"
    if resource:
        sql += " AND resource = :r"
    owner.rollback()  # a fresh snapshot: entries are committed on their own connection
    return [
        dict(r._mapping) for r in owner.execute(text(sql + " ORDER BY id"), {"u": username, "r": resource})
    ]


def test_a_run_of_differencing_stats_queries_is_audited_with_its_parameters(client, owner, world, tokens):
    inspector = tokens["inspector"]
    before = len(_rows(owner, world["users"]["inspector"], "stats"))
    # aggregate readers read ended month ends only: the ends of the last three ended months
    days, month = [], last_complete_month()
    for _ in range(3):
        days.append(month_end(month))
        month = month_start(month - timedelta(days=1))
    asked = []
    for unit in (world["c"], world["h1"], world["h2"]):
        for day in days:
            for structure in ("current", "historical"):
                response = client.get(
                    f"/api/v1/units/{unit.id}/stats",
                    params={"as_of": day.isoformat(), "structure": structure},
                    headers=inspector,
                )
                assert response.status_code == 200, response.text
                asked.append((unit.id, day.isoformat(), structure))
    rows = _rows(owner, world["users"]["inspector"], "stats")[before:]
    assert [
        (r["unit_id"], r["detail"]["params"]["as_of"], r["detail"]["params"]["structure"]) for r in rows
    ] == asked
    assert all(r["action"] == "read" and r["outcome"] == "allowed" for r in rows)
    assert all(r["detail"]["aggregate"] is True and r["detail"]["params"]["suppressed"] is True for r in rows)


def test_dashboard_case_stats_report_figures_and_inspection_evidence_reads_are_audited(
    client, owner, world, tokens
):
    officer, inspector, district = tokens["officer"], tokens["inspector"], tokens["district"]
    response = client.post(
        "/api/v1/reports",
        headers=officer,
        json={"definition": "monthly", "unit_id": world["c"].id, "period": "2025-06"},
    )
    assert response.status_code == 201, response.text
    report_id = response.json()["id"]
    assert client.get(f"/api/v1/reports/{report_id}", headers=inspector).status_code == 200
    dash = client.get(f"/api/v1/units/{world['d'].id}/dashboard", params={"periods": 3}, headers=district)
    assert dash.status_code == 200, dash.text
    stats = client.get(
        "/api/v1/cases/stats",
        params={"unit_id": world["c"].id, "from": "2025-01-01", "to": "2025-12-31"},
        headers=inspector,
    )
    assert stats.status_code == 200, stats.text
    plan = client.post(
        "/api/v1/inspections",
        headers=inspector,
        json={
            "title": "Kiểm tra 6 tháng",
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "unit_ids": [world["d"].id],
            "team": [],
        },
    )
    assert plan.status_code == 201, plan.text
    assert client.get(f"/api/v1/inspections/{plan.json()['id']}", headers=inspector).status_code == 200

    report = _rows(owner, world["users"]["inspector"], "report")[-1]
    assert report["resource_ids"] == [str(report_id)] and report["unit_id"] == world["c"].id
    assert report["detail"]["params"] == {
        "definition": "monthly",
        "period": "2025-06",
        "version": 1,
        "suppressed": True,
    }
    board = _rows(owner, world["users"]["district"], "dashboard")[-1]
    assert board["unit_id"] == world["d"].id and board["detail"]["aggregate"] is True
    assert board["detail"]["params"]["periods"] == 3 and board["detail"]["params"]["definition"] == "monthly"
    cases = _rows(owner, world["users"]["inspector"], "case_stats")[-1]
    assert cases["unit_id"] == world["c"].id
    assert cases["detail"]["params"] == {"from": "2025-01-01", "to": "2025-12-31", "suppressed": True}
    evidence = _rows(owner, world["users"]["inspector"], "inspection")[-1]
    assert evidence["action"] == "read" and evidence["resource_ids"] == [str(plan.json()["id"])]
    assert evidence["detail"]["params"] == {
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "status": "planned",
    }


@pytest.fixture(scope="module")
def app(database):
    return create_app()


def _browser(app, username=None):
    b = Browser(TestClient(app=app, base_url="http://testserver.local"))
    if username:
        b.login(username)
    return b


def test_csrf_refusals_are_audited_with_the_user_path_and_reason(app, owner, world):
    officer = _browser(app, world["users"]["officer"])
    assert officer.post("/children/new", child_form(), csrf=False).status_code == 403
    assert officer.post("/children/new", {**child_form(), "_csrf": "f" * 64}).status_code == 403
    rows = [r for r in _rows(owner, world["users"]["officer"], "csrf")][-2:]
    assert len(rows) == 2
    for row in rows:
        assert row["outcome"] == "denied" and row["status_code"] == 403 and row["action"] == "post"
        assert row["detail"] == {"path": "/children/new", "method": "POST", "reason": "token"}
        assert row["unit_id"] == world["c"].id and row["client"]
        assert "Nguyễn Thị Hoa" not in str(row)  # the form's contents are not written

    stranger = _browser(app)
    stranger.get("/login")
    refused = stranger.client.post(
        "/login", data={"username": "x", "password": "y"}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    owner.rollback()
    row = owner.execute(
        text(
            "SELECT username, outcome, detail FROM audit_log WHERE resource = 'csrf' AND detail->>'path' = '/login' "
            "AND detail->>'reason' = 'origin' ORDER BY id DESC LIMIT 1"
        )
    ).one()
    assert row.username is None and row.outcome == "denied"


def test_the_ward_officer_reads_who_read_or_changed_a_child(client, app, owner, world, tokens):
    officer, collab = tokens["officer"], tokens["collab"]
    child = _child(client, officer, world["h1"], f"Trần Thị Mai {world['tag']}")
    assert client.get(f"/api/v1/children/{child['id']}", headers=collab).status_code == 200
    edit = client.patch(
        f"/api/v1/children/{child['id']}", headers=collab, json={"notes": "Đã gặp gia đình", "version": 1}
    )
    assert edit.status_code == 200, edit.text
    assert client.get(f"/api/v1/children/{child['id']}", headers=tokens["officer2"]).status_code == 404

    response = client.get(f"/api/v1/children/{child['id']}/access-log", headers=officer)
    assert response.status_code == 200, response.text
    body = response.json()
    seen = [(e["username"], e["action"], e["outcome"]) for e in body["items"]]
    users = world["users"]
    assert seen[:4] == [
        (users["officer2"], "read", "denied"),
        (users["collab"], "update", "allowed"),
        (users["collab"], "read", "allowed"),
        (users["officer"], "create", "allowed"),
    ]
    assert body["total"] == len(body["items"]) == 4
    first = body["items"][1]
    assert first["full_name"] == f"Test {users['collab']}" and first["role"] == "collaborator"
    moments = [e["at"] for e in body["items"]]
    assert moments == sorted(moments, reverse=True)
    assert set(body["items"][0]) == {"at", "username", "full_name", "role", "action", "outcome"}

    second = client.get(
        f"/api/v1/children/{child['id']}/access-log", params={"page": 2, "page_size": 2}, headers=officer
    ).json()
    assert second["total"] == 5  # the first reading of the log is in it now
    assert [e["action"] for e in second["items"]] == ["update", "read"]
    bad = client.get(f"/api/v1/children/{child['id']}/access-log", params={"page_size": 0}, headers=officer)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "page_size"

    page = _browser(app, users["officer"])
    record = page.get(f"/children/{child['id']}")
    assert "Lịch sử truy cập" in record.text and f"/children/{child['id']}/access-log" in record.text
    log = page.get(f"/children/{child['id']}/access-log")
    assert log.status_code == 200
    assert users["collab"] in log.text and "Sửa hồ sơ" in log.text and "Bị từ chối" in log.text
    assert "Lịch sử truy cập" not in _browser(app, users["collab"]).get(f"/children/{child['id']}").text


def test_access_log_is_for_the_commune_ward_officer_only(client, owner, world, tokens):
    """Own commune 200; a sibling commune's officer 404; a hamlet's collaborator, the district and the
    province 403; another province 404 — every refusal audited."""
    mine = _child(client, tokens["officer"], world["h2"], f"Lê Văn Nam {world['tag']}")
    theirs = _child(client, tokens["officer2"], world["h3"], f"Phạm Thị Thu {world['tag']}")
    expected = {
        ("officer", mine["id"]): 200,
        ("officer", theirs["id"]): 404,
        ("officer2", mine["id"]): 404,
        ("officer2", theirs["id"]): 200,
        ("collab", mine["id"]): 403,
        ("collab3", theirs["id"]): 403,
        ("district", mine["id"]): 403,
        ("inspector", mine["id"]): 403,
        ("qofficer", mine["id"]): 404,
        ("qinspector", mine["id"]): 403,
    }
    for (who, child_id), status in expected.items():
        response = client.get(f"/api/v1/children/{child_id}/access-log", headers=tokens[who])
        assert response.status_code == status, (who, response.text)
        if status != 200:
            assert "Lê Văn Nam" not in response.text and "Phạm Thị Thu" not in response.text
            denied = _rows(owner, world["users"][who], "child")[-1]
            assert denied["outcome"] == "denied" and denied["action"] == "access_log"
            assert denied["status_code"] == status


def test_the_database_refuses_the_access_log_and_counts_outside_the_caller(client, owner, world, tokens):
    child = _child(client, tokens["officer"], world["h1"], f"Đỗ Văn Hùng {world['tag']}")
    owner.rollback()
    ids = dict(
        owner.execute(
            text("SELECT username, id FROM users WHERE username LIKE :t"), {"t": f"au-%-{world['tag']}"}
        )
        .tuples()
        .all()
    )
    users = world["users"]
    cases = [
        (Scope(world["h1"].path, world["h1"].path), ids[users["collab"]]),  # a collaborator's own hamlet
        (Scope(world["c"].path, world["c"].path), ids[users["collab"]]),  # a forged scope, not a ward officer
        (Scope(world["c2"].path, world["c2"].path), ids[users["officer2"]]),  # another commune
    ]
    for scope, user_id in cases:
        session = new_session(scope, user_id)
        try:
            with pytest.raises(DBAPIError, match="outside the caller"):
                session.execute(text("SELECT * FROM audit_child_access(:c)"), {"c": child["id"]}).all()
        finally:
            session.rollback()
            session.close()
    session = new_session(Scope(None, world["d"].path), ids[users["district"]])
    try:
        with pytest.raises(DBAPIError, match="aggregate scope"):
            session.execute(
                text("SELECT * FROM audit_daily_counts(:p, :f, :t)"),
                {"p": world["p"].path, "f": today(), "t": today()},
            ).all()
    finally:
        session.rollback()
        session.close()
    session = new_session(Scope(world["c"].path, world["c"].path), ids[users["officer"]])
    try:
        assert (
            session.execute(text("SELECT count(*) FROM audit_child_access(:c)"), {"c": child["id"]}).scalar()
            == 1
        )
    finally:
        session.rollback()
        session.close()


def test_counts_per_unit_and_day_without_names_or_ids(client, app, owner, world, tokens):
    child = _child(client, tokens["officer"], world["h1"], f"Vũ Thị Lan {world['tag']}")
    client.get(f"/api/v1/units/{world['c'].id}/stats", headers=tokens["inspector"])
    client.get(f"/api/v1/children/{child['id']}", headers=tokens["collab"])
    client.get(f"/api/v1/children/{child['id']}", headers=tokens["officer2"])  # 404, a refusal at C2
    client.get(f"/api/v1/units/{world['h1'].id}/stats", headers=tokens["collab"])
    client.get(f"/api/v1/children/{child['id']}", headers=tokens["qofficer"])  # the other province

    response = client.get(f"/api/v1/units/{world['p'].id}/audit-summary", headers=tokens["inspector"])
    assert response.status_code == 200, response.text
    body = response.json()
    day = today().isoformat()
    rows = {(r["day"], r["unit"]["id"]): r for r in body["items"]}
    hamlet = rows[(day, world["h1"].id)]
    assert hamlet["reads"] >= 1 and hamlet["aggregate_reads"] >= 1
    assert rows[(day, world["c"].id)]["changes"] >= 1  # the officer recorded a child
    assert rows[(day, world["c2"].id)]["refusals"] >= 1
    assert rows[(day, world["p"].id)]["aggregate_reads"] >= 1  # the inspector's own reads
    assert set(hamlet) == {"day", "unit", "reads", "changes", "refusals", "aggregate_reads"}
    assert all(uid not in (world["q"].id, world["qc"].id) for _d, uid in rows)
    shown = response.text
    for secret in [*world["users"].values(), child["id"], "Vũ Thị Lan", "Test au-"]:
        assert secret not in shown

    district = client.get(f"/api/v1/units/{world['d'].id}/audit-summary", headers=tokens["district"]).json()
    assert {r["unit"]["id"] for r in district["items"]} <= {
        world[k].id for k in ("d", "c", "c2", "h1", "h2", "h3")
    }
    matrix = {
        ("inspector", "p"): 200,
        ("inspector", "d"): 200,
        ("inspector", "q"): 403,
        ("district", "d"): 200,
        ("district", "c"): 200,
        ("district", "d2"): 403,
        ("district", "p"): 403,
        ("officer", "c"): 403,
        ("officer", "h1"): 403,
        ("collab", "h1"): 403,
        ("qinspector", "p"): 403,
    }
    for (who, key), status in matrix.items():
        got = client.get(f"/api/v1/units/{world[key].id}/audit-summary", headers=tokens[who])
        assert got.status_code == status, (who, key, got.text)
        if status == 403:
            assert _rows(owner, world["users"][who], "audit")[-1]["outcome"] == "denied"
    assert client.get("/api/v1/units/999999999/audit-summary", headers=tokens["inspector"]).status_code == 404
    too_late = (today() + timedelta(days=1)).isoformat()
    for params, field in (
        ({"to": too_late}, "to"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "to"),
        ({"from": "2020-01-01", "to": "2025-01-01"}, "from"),
    ):
        bad = client.get(
            f"/api/v1/units/{world['p'].id}/audit-summary", params=params, headers=tokens["inspector"]
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field, bad.text
    read = _rows(owner, world["users"]["inspector"], "audit_summary")[-1]
    assert read["detail"]["aggregate"] is True and set(read["detail"]["params"]) == {"from", "to"}

    page = _browser(app, world["users"]["inspector"])
    assert "/audit" in page.get("/dashboard").text
    summary = page.get("/audit")
    assert summary.status_code == 200 and world["h1"].name in summary.text and "Bị từ chối" in summary.text
    assert "Vũ Thị Lan" not in summary.text and world["users"]["collab"] not in summary.text
    assert page.get("/audit", params={"from": "xx"}).status_code == 422
    iso = page.get("/audit", params={"from": "2026-01-02"})  # a day in another shape: its reading shown
    assert iso.status_code == 422 and "Từ ngày: nhập theo dạng dd/mm/yyyy, ví dụ 02/01/2026." in iso.text
    assert page.get("/audit", params={"unit": world["q"].id}).status_code == 403
    assert _browser(app, world["users"]["officer"]).get("/audit").status_code == 403
