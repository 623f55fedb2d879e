"""Inspections: a plan, automated checks through the real worker (counts and anonymous ids, never
names), findings, recommendations followed up by the responsible unit, overdue flags, the PDF in the
S3-compatible server, and who may do what."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from tests.reporting import COMMUNE_VALUES, act, approved_hamlets, build_tree, consolidate, enter, start, who
from tests.support import audit_rows, login


def wait(client, headers, url, done, timeout=90.0):
    deadline = time.monotonic() + timeout
    body = {}
    while time.monotonic() < deadline:
        body = client.get(url, headers=headers).json()
        if done(body):
            return body
        time.sleep(0.2)
    raise AssertionError(f"{url} not finished in {timeout}s: {body}")


@pytest.fixture()
def inspected(client, owner, worker):
    """June 2025 in D1: A's hamlets and A reported (late, as this runs in 2026); one collaborator trained."""
    t = build_tree(owner)
    officer = who(client, t, "oa")
    approved_hamlets(client, officer, t["ha"], "2025-06")
    commune = enter(client, officer, start(client, officer, t["a"], "2025-06"), COMMUNE_VALUES)
    commune = consolidate(client, officer, commune["id"])
    act(client, officer, commune["id"], "submit", version=commune["version"])
    course = owner.execute(
        text(
            "INSERT INTO training_courses (unit_id, title, held_on) VALUES (:u, 'Tập huấn CTV', '2025-06-10') "
            "RETURNING id"
        ),
        {"u": t["d1"].id},
    ).scalar_one()
    owner.execute(
        text(
            "INSERT INTO training_attendance (course_id, user_id) SELECT :c, id FROM users WHERE username = :n"
        ),
        {"c": course, "n": f"rp-ca1-{t['tag']}"},
    )
    owner.commit()
    return t


def plan_body(t, **overrides):
    body = {
        "title": "Kiểm tra công tác trẻ em 6 tháng đầu năm 2025",
        "period_start": "2025-06-01",
        "period_end": "2025-06-30",
        "unit_ids": [t["d1"].id, t["c"].id],
        "team": [f"rp-insp-{t['tag']}"],
        "legal_basis": "Kế hoạch số 12/KH-SYT",
    }
    body.update(overrides)
    return body


def test_checks_findings_recommendations_and_the_report(client, owner, inspected, monkeypatch):
    t = inspected
    inspector, officer = who(client, t, "insp"), who(client, t, "oa")
    created = client.post("/api/v1/inspections", headers=inspector, json=plan_body(t))
    assert created.status_code == 201, created.text
    plan = created.json()
    run = client.post(f"/api/v1/inspections/{plan['id']}/checks", headers=inspector, json={})
    assert run.status_code == 202 and run.json()["total"] == 2
    progress = wait(
        client, inspector, f"/api/v1/inspection-runs/{run.json()['id']}", lambda b: b["status"] == "done"
    )
    assert progress["done"] == 2 and progress["progress"] == 1.0

    response = client.get(f"/api/v1/inspections/{plan['id']}", headers=inspector)
    assert "Trẻ Thôn" not in response.text  # no child's name anywhere
    d1 = next(x for x in response.json()["targets"] if x["unit"]["id"] == t["d1"].id)
    checks = {c["item"]: c for c in d1["checks"]}
    in_d1 = owner.execute(
        text("SELECT count(*) FROM children WHERE hamlet_id = ANY(:h)"),
        {"h": [h.id for h in t["ha"] + t["hb"]]},
    ).scalar_one()
    completeness = checks["data_completeness"]
    assert (
        completeness["outcome"] == "fail" and completeness["value"] == 0.0
    )  # no caregiver, household, address
    assert completeness["evidence"]["children"] == completeness["evidence"]["incomplete"] == in_d1
    anonymous = completeness["evidence"]["anonymous_ids"]
    assert len(anonymous) == min(20, in_d1) and all(len(a) == 10 for a in anonymous)
    support = checks["support_share"]
    assert support["evidence"]["special"] == 6 and support["evidence"]["supported"] == 3
    assert (
        support["value"] == 50.0
        and support["outcome"] == "fail"
        and len(support["evidence"]["anonymous_ids"]) == 3
    )
    assert checks["overdue_cases"]["outcome"] == "pass" and checks["overdue_cases"]["value"] == 0
    on_time = checks["reports_on_time"]  # A reported June in 2026; B and N (not yet a commune) did not
    assert on_time["evidence"] == {"expected": 2, "submitted": 1, "on_time": 0, "missing": 1}
    assert on_time["outcome"] == "fail"
    assert checks["child_friendly"]["value"] == 100.0 and checks["child_friendly"]["outcome"] == "pass"
    assert checks["water_points"]["value"] == 50.0 and checks["water_points"]["outcome"] == "fail"
    assert checks["collaborator_training"]["value"] == 100.0

    finding = client.post(
        f"/api/v1/inspection-targets/{d1['id']}/findings",
        headers=inspector,
        json={
            "text": "Hồ sơ trẻ em thiếu thông tin người chăm sóc",
            "severity": "high",
            "item": "data_completeness",
        },
    )
    assert finding.status_code == 201
    bad = client.post(
        f"/api/v1/inspection-findings/{finding.json()['id']}/recommendations",
        headers=inspector,
        json={"text": "Bổ sung", "responsible_unit_id": t["c"].id, "deadline": "2020-01-01"},
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {
        "responsible_unit_id",
        "deadline",
    }
    due = date.today() + timedelta(days=3)
    rec = client.post(
        f"/api/v1/inspection-findings/{finding.json()['id']}/recommendations",
        headers=inspector,
        json={
            "text": "Bổ sung người chăm sóc cho mọi hồ sơ",
            "responsible_unit_id": t["a"].id,
            "deadline": due.isoformat(),
        },
    ).json()
    assert rec["status"] == "open" and rec["overdue"] is False

    # The responsible commune sees what is asked of it, and answers; another commune may not.
    mine = client.get("/api/v1/recommendations", headers=officer).json()["items"]
    assert [r["id"] for r in mine] == [rec["id"]]
    other = client.post(
        f"/api/v1/recommendations/{rec['id']}/answer", headers=who(client, t, "ob"), json={"text": "Đã làm"}
    )
    assert other.status_code in (403, 404)
    assert audit_rows(owner, f"rp-ob-{t['tag']}", "denied")[-1]["resource"] == "inspection"
    answered = client.post(
        f"/api/v1/recommendations/{rec['id']}/answer", headers=officer, json={"text": "Đã bổ sung 12 hồ sơ"}
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert (
        client.post(
            f"/api/v1/recommendations/{rec['id']}/accept", headers=officer, json={"text": "x"}
        ).status_code
        == 403
    )
    reopened = client.post(
        f"/api/v1/recommendations/{rec['id']}/reopen", headers=inspector, json={"text": "Còn thiếu địa chỉ"}
    ).json()
    assert reopened["status"] == "open" and [r["kind"] for r in reopened["responses"]] == ["answer", "reopen"]

    # Past its deadline and not accepted: flagged (a clock three days later).
    import portal.inspections.followup as followup

    monkeypatch.setattr(followup, "today", lambda: due + timedelta(days=1))
    overdue = client.get("/api/v1/recommendations", headers=inspector, params={"overdue": True}).json()[
        "items"
    ]
    assert [r["id"] for r in overdue] == [rec["id"]] and overdue[0]["overdue"] is True
    monkeypatch.undo()
    client.post(f"/api/v1/recommendations/{rec['id']}/answer", headers=officer, json={"text": "Đã đủ"})
    accepted = client.post(
        f"/api/v1/recommendations/{rec['id']}/accept", headers=inspector, json={"text": "Đạt"}
    ).json()
    assert accepted["status"] == "accepted"

    queued = client.post(f"/api/v1/inspections/{plan['id']}/documents", headers=inspector)
    assert queued.status_code == 202
    doc = wait(
        client,
        inspector,
        f"/api/v1/inspection-documents/{queued.json()['id']}",
        lambda b: b["status"] in ("done", "failed"),
    )
    assert doc["status"] == "done", doc
    pdf = client.get(f"/api/v1/inspection-documents/{doc['id']}/download", headers=inspector)
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "BÁO CÁO KẾT QUẢ KIỂM TRA" in content and t["d1"].name in content and "Chưa đạt" in content
    assert "Trẻ Thôn" not in content


def test_who_may_plan_and_see_an_inspection(client, owner, inspected):
    t = inspected
    inspector = who(client, t, "insp")
    assert (
        client.post("/api/v1/inspections", headers=who(client, t, "oa"), json=plan_body(t)).status_code == 403
    )
    bad = client.post(
        "/api/v1/inspections",
        headers=inspector,
        json=plan_body(
            t,
            unit_ids=[t["p"].id, t["ha"][0].id],
            period_start="2099-01-01",
            period_end="2099-02-01",
            team=[f"rp-ca1-{t['tag']}"],
        ),
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"unit_ids", "period_start", "team"}
    plan = client.post("/api/v1/inspections", headers=inspector, json=plan_body(t)).json()
    # District 2 is audited through commune C: it sees the plan and its own commune only.
    seen = client.get(f"/api/v1/inspections/{plan['id']}", headers=who(client, t, "d2")).json()
    assert [x["unit"]["id"] for x in seen["targets"]] == [t["c"].id]
    refused = client.post(f"/api/v1/inspections/{plan['id']}/checks", headers=who(client, t, "d2"), json={})
    assert refused.status_code == 403
    # A district plans for its own communes only.
    d1 = who(client, t, "d1")
    outside = client.post("/api/v1/inspections", headers=d1, json=plan_body(t, unit_ids=[t["c"].id], team=[]))
    assert outside.status_code == 422 and outside.json()["errors"][0]["code"] == "outside"
    ok = client.post("/api/v1/inspections", headers=d1, json=plan_body(t, unit_ids=[t["a"].id], team=[]))
    assert ok.status_code == 201
    assert (
        client.get(f"/api/v1/inspections/{ok.json()['id']}", headers=who(client, t, "d2")).status_code == 404
    )


def test_checks_over_the_seeded_province_run_per_unit_and_add_up(client, owner, worker):
    """The demo province (pre-2025 Hà Nội): both seeded districts and every seeded ward audited at once."""
    inspector = login(client, "demo-inspector", "demo-password")
    districts = owner.execute(
        text(
            "SELECT d.id, d.path FROM units d, users u JOIN units p ON p.id = u.unit_id "
            "WHERE u.username = 'demo-inspector' AND d.level = 'district' AND d.path LIKE p.path || '%' "
            "AND EXISTS (SELECT 1 FROM units h WHERE h.level = 'hamlet' AND h.path LIKE d.path || '%') "
            "ORDER BY d.code"
        )
    ).all()
    wards = (
        owner.execute(
            text(
                "SELECT w.id FROM units w WHERE w.level = 'commune' AND w.parent_id = ANY(:d) "
                "AND EXISTS (SELECT 1 FROM units h WHERE h.parent_id = w.id)"
            ),
            {"d": [d.id for d in districts]},
        )
        .scalars()
        .all()
    )
    assert len(districts) == 2 and len(wards) > 20
    plan = client.post(
        "/api/v1/inspections",
        headers=inspector,
        json={
            "title": "Giám sát chuyên đề dữ liệu trẻ em",
            "period_start": "2026-01-01",
            "period_end": "2026-10-31",
            "unit_ids": [d.id for d in districts] + list(wards),
            "team": [],
        },
    )
    assert plan.status_code == 201, plan.text
    run = client.post(f"/api/v1/inspections/{plan.json()['id']}/checks", headers=inspector, json={}).json()
    assert run["total"] == len(districts) + len(wards)
    done = wait(
        client,
        inspector,
        f"/api/v1/inspection-runs/{run['id']}",
        lambda b: b["status"] == "done",
        timeout=180,
    )
    assert done["done"] == run["total"] and done["failed"] == 0
    body = client.get(f"/api/v1/inspections/{plan.json()['id']}", headers=inspector).json()
    children = {
        x["unit"]["id"]: next(c for c in x["checks"] if c["item"] == "data_completeness")["evidence"][
            "children"
        ]
        for x in body["targets"]
    }
    for district in districts:  # a district's count is the sum of its audited wards'
        under = (
            owner.execute(text("SELECT id FROM units WHERE parent_id = :d"), {"d": district.id})
            .scalars()
            .all()
        )
        assert children[district.id] == sum(children[w] for w in wards if w in under) > 0
    names = (
        owner.execute(
            text(
                "SELECT full_name FROM children WHERE hamlet_id IN (SELECT id FROM units "
                "WHERE parent_id = ANY(:w)) LIMIT 200"
            ),
            {"w": list(wards)},
        )
        .scalars()
        .all()
    )
    shown = str(body)
    assert names and not [n for n in names if n in shown]
