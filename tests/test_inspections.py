"""Inspections: a plan, automated checks through the real worker (counts and anonymous ids, never
names), findings, recommendations followed up by the responsible unit, overdue flags, the PDF in the
S3-compatible server, and who may do what. Evidence reaches readers through the disclosure policy:
exact with anonymous ids only for the audited unit's record keepers, published for everyone else."""

from __future__ import annotations

import hashlib
import io
import time
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from portal.demo.seed import DEMO_DISTRICTS
from portal.stats.disclosure import BIG, HIDDEN, month_end, publish
from tests.reporting import (
    COMMUNE_VALUES,
    act,
    add_case,
    approved_hamlets,
    build_tree,
    consolidate,
    enter,
    start,
    who,
)
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
    # in place since before the period: the checklist counts collaborators at its end (0034)
    owner.execute(
        text("UPDATE users SET created_at = '2025-01-01' WHERE username = :n"), {"n": f"rp-ca1-{t['tag']}"}
    )
    owner.commit()
    return t


END = "2025-06"  # the period of plan_body, as counts of it are published


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
    assert "keysum" not in response.text and "anonymous_ids" not in response.text
    d1 = next(x for x in response.json()["targets"] if x["unit"]["id"] == t["d1"].id)
    assert d1["disclosure"] == "published"  # the province keeps no records of D1
    checks = {c["item"]: c for c in d1["checks"]}
    in_d1, keys_d1 = owner.execute(
        text("SELECT count(*), coalesce(sum(stat_key), 0) FROM children WHERE hamlet_id = ANY(:h)"),
        {"h": [h.id for h in t["ha"] + t["hb"]]},
    ).one()
    completeness = checks["data_completeness"]
    assert (
        completeness["outcome"] == "fail" and completeness["value"] == 0.0
    )  # no caregiver, household, address
    assert completeness["evidence"]["children"] == completeness["evidence"]["incomplete"]
    assert completeness["evidence"]["children"] == publish(in_d1, keys_d1 % BIG, END) != HIDDEN
    support = checks["support_share"]  # 6 orphans, 3 supported: the rate rests on a hidden count
    assert support["evidence"]["supported"] == HIDDEN and isinstance(support["evidence"]["special"], int)
    assert support["value"] is None and support["outcome"] == "fail"
    assert checks["overdue_cases"]["outcome"] == "pass" and checks["overdue_cases"]["value"] == 0
    stored = owner.execute(  # the exact evidence is kept (with the key sums), only its reading changes
        text("SELECT evidence FROM inspection_checks WHERE target_id = :t AND item = 'support_share'"),
        {"t": d1["id"]},
    ).scalar_one()
    assert stored["special"] == 6 and stored["supported"] == 3 and len(stored["anonymous_ids"]) == 3
    anonymous = owner.execute(
        text("SELECT evidence FROM inspection_checks WHERE target_id = :t AND item = 'data_completeness'"),
        {"t": d1["id"]},
    ).scalar_one()["anonymous_ids"]
    assert len(anonymous) == min(20, in_d1) and all(len(a) == 10 for a in anonymous)
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
    owner.execute(
        text(
            "UPDATE users SET email = 'wo-' || id || '@rec.test' WHERE unit_id = :u AND role = 'ward_officer'"
        ),
        {"u": t["a"].id},
    )
    owner.commit()
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
    # its ward officers are told off the portal: one message, naming the commune and the deadline
    told = owner.execute(
        text(
            "SELECT u.role, n.channel, n.body FROM notifications n JOIN users u ON u.id = n.user_id "
            "WHERE n.event_key = :k"
        ),
        {"k": f"recommendation:{rec['id']}"},
    ).all()
    assert told and {(r.role, r.channel) for r in told} == {("ward_officer", "email")}
    assert all(f"{due:%d/%m/%Y}" in r.body for r in told)

    # The responsible commune sees what is asked of it, and answers; another commune may not.
    mine = client.get("/api/v1/recommendations", headers=officer).json()["items"]
    assert [r["id"] for r in mine] == [rec["id"]]
    other = client.post(
        f"/api/v1/recommendations/{rec['id']}/answer", headers=who(client, t, "ob"), json={"text": "Đã làm"}
    )
    assert other.status_code == 404  # not addressed to that commune: its existence does not leak
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
    assert "mã ẩn danh" not in content and not [a for a in anonymous if a in content]

    # Left out, the responsible unit is the audited one; sent as null, it names no unit and is refused.
    url = f"/api/v1/inspection-findings/{finding.json()['id']}/recommendations"
    later = (date.today() + timedelta(days=30)).isoformat()
    no_unit = client.post(
        url, headers=inspector, json={"text": "Rà soát", "responsible_unit_id": None, "deadline": later}
    )
    assert no_unit.status_code == 422 and [e["field"] for e in no_unit.json()["errors"]] == [
        "responsible_unit_id"
    ]
    audited = client.post(url, headers=inspector, json={"text": "Rà soát", "deadline": later})
    assert audited.status_code == 201 and audited.json()["responsible_unit"]["id"] == t["d1"].id


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
    # Evidence is an aggregate: the period is whole months that have ended (no stepping day by day).
    for start_day, end_day, field, code in (
        ("2025-06-01", "2025-06-15", "period_end", "month_end"),
        ("2025-06-02", "2025-06-30", "period_start", "month_start"),
        ("2025-06-01", month_end(date.today()).isoformat(), "period_end", "month_not_ended"),
    ):
        partial = client.post(
            "/api/v1/inspections",
            headers=inspector,
            json=plan_body(t, period_start=start_day, period_end=end_day),
        )
        assert partial.status_code == 422, partial.text
        assert [(e["field"], e["code"]) for e in partial.json()["errors"]] == [(field, code)]
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
            "AND d.code = ANY(:seeded) AND d.valid_from IS NULL "  # not the districts other tests add
            "AND EXISTS (SELECT 1 FROM units h WHERE h.level = 'hamlet' AND h.path LIKE d.path || '%') "
            "ORDER BY d.code"
        ),
        {"seeded": list(DEMO_DISTRICTS)},
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
    shown = {
        x["unit"]["id"]: next(c for c in x["checks"] if c["item"] == "data_completeness")["evidence"][
            "children"
        ]
        for x in body["targets"]
    }
    stored = {  # the exact counts and key sums, as kept
        unit_id: (evidence["children"], evidence["keysums"]["children"])
        for unit_id, evidence in owner.execute(
            text(
                "SELECT t.unit_id, c.evidence FROM inspection_checks c "
                "JOIN inspection_targets t ON t.id = c.target_id "
                "WHERE t.plan_id = :p AND c.item = 'data_completeness'"
            ),
            {"p": plan.json()["id"]},
        ).tuples()
    }
    for district in districts:  # a district's exact count is the sum of its audited wards'
        under = (
            owner.execute(text("SELECT id FROM units WHERE parent_id = :d"), {"d": district.id})
            .scalars()
            .all()
        )
        wards_under = [w for w in wards if w in under]
        assert stored[district.id][0] == sum(stored[w][0] for w in wards_under) > 0
        assert stored[district.id][1] == sum(stored[w][1] for w in wards_under) % BIG
    assert all(
        shown[u] == publish(*cell, "2026-10") for u, cell in stored.items()
    )  # the inspector reads them published
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
    text_shown = str(body)
    assert names and not [n for n in names if n in text_shown]


def _digest(salt: object, item: str, child_id: object) -> str:
    return hashlib.sha256(f"{salt}:{item}:{child_id}".encode()).hexdigest()[:10]


@pytest.fixture()
def small_commune(owner):
    """Commune C in June 2025: 8 children (one has moved to A since), 3 of them without a guardian;
    2 orphans, one supported; 3 cases received, 2 of them with a step past its deadline."""
    t = build_tree(owner)
    kids = (
        owner.execute(
            text("SELECT id FROM children WHERE hamlet_id = ANY(:h) ORDER BY id"),
            {"h": [h.id for h in t["hc"]]},
        )
        .scalars()
        .all()
    )
    assert len(kids) == 8
    for child in kids[3:]:
        owner.execute(
            text("INSERT INTO guardians (child_id, full_name, relationship) VALUES (:c, 'Mẹ', 'mother')"),
            {"c": child},
        )
    # One of them moved to commune A since: June's evidence still counts them in C, where they lived.
    owner.execute(
        text("UPDATE children SET hamlet_id = :h, unit_path = :p WHERE id = :c"),
        {"h": t["ha"][0].id, "p": t["ha"][0].path, "c": kids[7]},
    )
    owner.commit()
    for day in ("2025-06-03 09:00+07", "2025-06-10 09:00+07", "2025-06-20 09:00+07"):
        add_case(owner, t, t["hc"][0], day)
    cases = (
        owner.execute(
            text("SELECT id FROM cases WHERE hamlet_id = :h ORDER BY received_at"), {"h": t["hc"][0].id}
        )
        .scalars()
        .all()
    )
    for case in cases[:2]:
        owner.execute(
            text(
                "INSERT INTO case_deadlines (id, case_id, step, due_at) "
                "VALUES (gen_random_uuid(), :c, 'assessment', '2025-06-25 17:00+07')"
            ),
            {"c": case},
        )
    owner.commit()
    t["kids_c"] = kids
    return t


def test_an_inspector_reads_small_counts_as_hidden_where_the_ward_officer_reads_them_exact(
    client, owner, small_commune, worker
):
    t = small_commune
    inspector, officer, district = who(client, t, "insp"), who(client, t, "oc"), who(client, t, "d2")
    plan = client.post(
        "/api/v1/inspections", headers=inspector, json=plan_body(t, unit_ids=[t["c"].id], team=[])
    ).json()
    run = client.post(f"/api/v1/inspections/{plan['id']}/checks", headers=inspector, json={}).json()
    done = wait(client, inspector, f"/api/v1/inspection-runs/{run['id']}", lambda b: b["status"] == "done")
    assert done["done"] == 1

    def checks(headers):
        response = client.get(f"/api/v1/inspections/{plan['id']}", headers=headers)
        assert response.status_code == 200, response.text
        assert "keysum" not in response.text  # never sent to anyone
        (target,) = response.json()["targets"]
        return target, {c["item"]: c for c in target["checks"]}

    # The ward officer of C keeps its records: exact counts and values, with anonymous ids.
    target, exact = checks(officer)
    assert target["disclosure"] == "exact"
    assert exact["data_completeness"]["evidence"]["no_guardian"] == 3
    assert exact["data_completeness"]["evidence"]["children"] == 8
    cases = exact["overdue_cases"]
    assert (
        cases["evidence"]["received"],
        cases["evidence"]["cases_late"],
        cases["evidence"]["late_steps"],
    ) == (
        3,
        2,
        2,
    )
    assert cases["value"] == 2.0 and cases["outcome"] == "fail"
    assert exact["support_share"]["value"] == 50.0 and exact["support_share"]["evidence"]["supported"] == 1

    # Anonymous ids are salted with the plan and the item: the same child has another id in each check.
    salt = owner.execute(
        text("SELECT salt FROM inspection_plans WHERE id = :p"), {"p": plan["id"]}
    ).scalar_one()
    unsupported = owner.execute(
        text(
            "SELECT p.child_id FROM child_periods p JOIN children c ON c.id = p.child_id "
            "WHERE c.id = ANY(:k) AND p.kind = 'group' AND NOT EXISTS (SELECT 1 FROM child_periods s "
            "WHERE s.child_id = p.child_id AND s.kind = 'support')"
        ),
        {"k": t["kids_c"]},
    ).scalar_one()
    in_completeness = exact["data_completeness"]["evidence"]["anonymous_ids"]
    in_support = exact["support_share"]["evidence"]["anonymous_ids"]
    assert len(in_completeness) == 8 and in_support == [_digest(salt, "support", unsupported)]
    assert _digest(salt, "completeness", unsupported) in in_completeness  # incomplete too: no household
    assert not set(in_support) & set(in_completeness)

    # Owner's view of the same populations: counts and key sums of the records counted.
    hamlets = [h.id for h in t["hc"]]
    children_n, children_keys = owner.execute(
        text("SELECT count(*), coalesce(sum(stat_key), 0) FROM children WHERE id = ANY(:k)"),
        {"k": t["kids_c"]},
    ).one()
    orphans_n, orphans_keys = owner.execute(
        text(
            "SELECT count(*), coalesce(sum(stat_key), 0) FROM children c WHERE c.id = ANY(:k) "
            "AND EXISTS (SELECT 1 FROM child_periods p WHERE p.child_id = c.id AND p.kind = 'group')"
        ),
        {"k": t["kids_c"]},
    ).one()
    received_n, received_keys = owner.execute(
        text("SELECT count(*), coalesce(sum(stat_key), 0) FROM cases WHERE hamlet_id = ANY(:h)"),
        {"h": hamlets},
    ).one()
    assert (children_n, orphans_n, received_n) == (8, 2, 3)

    # The inspector and C's district officer keep no records of C: every count published, small ones hidden.
    for reader in (inspector, district):
        target, shown = checks(reader)
        assert target["disclosure"] == "published"
        completeness = shown["data_completeness"]
        assert completeness["evidence"]["no_guardian"] == HIDDEN
        assert completeness["evidence"]["children"] == publish(children_n, children_keys % BIG, END) >= 5
        assert completeness["evidence"]["incomplete"] == completeness["evidence"]["children"]  # same children
        assert completeness["outcome"] == "fail" and completeness["value"] == 0.0
        overdue = shown["overdue_cases"]
        assert overdue["evidence"]["received"] == publish(received_n, received_keys % BIG, END) == HIDDEN
        assert overdue["evidence"]["cases_late"] == overdue["evidence"]["late_steps"] == HIDDEN
        assert overdue["value"] == HIDDEN and overdue["outcome"] == "fail"  # the finding, no more
        support = shown["support_share"]
        assert support["evidence"] == {"special": HIDDEN, "supported": HIDDEN}  # a table of 2 children
        assert publish(orphans_n, orphans_keys % BIG, END) == HIDDEN
        assert support["value"] is None and support["outcome"] == "fail"
        assert all("anonymous_ids" not in c["evidence"] for c in shown.values())
        trained = shown["collaborator_training"]["evidence"]  # staff, not children: as they are
        assert trained == {"collaborators": 0, "trained": 0}

    # The report PDF is the inspecting side's: published figures, no anonymous ids.
    queued = client.post(f"/api/v1/inspections/{plan['id']}/documents", headers=inspector).json()
    doc = wait(
        client,
        inspector,
        f"/api/v1/inspection-documents/{queued['id']}",
        lambda b: b["status"] in ("done", "failed"),
    )
    assert doc["status"] == "done", doc
    pdf = client.get(f"/api/v1/inspection-documents/{doc['id']}/download", headers=inspector)
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    words = " ".join(content.split())  # the evidence column wraps its lines
    # Each count under its name in Vietnamese, never the stored key.
    assert f"Chưa ghi người chăm sóc: {HIDDEN}" in words and "Chưa ghi người chăm sóc: 3" not in words
    assert "no_guardian" not in words and "incomplete" not in words
    assert not [a for a in in_completeness + in_support if a in content]

    # Checks stored before the key sums existed: their counts of children and cases are withheld.
    owner.execute(
        text("UPDATE inspection_checks SET evidence = evidence - 'keysums' WHERE target_id = :t"),
        {"t": target["id"]},
    )
    owner.commit()
    _, old = checks(inspector)
    assert (
        old["data_completeness"]["evidence"]["children"] is None and old["data_completeness"]["value"] is None
    )
    assert old["overdue_cases"]["value"] is None and old["overdue_cases"]["outcome"] == "fail"
    assert old["collaborator_training"]["evidence"] == {"collaborators": 0, "trained": 0}
    assert checks(officer)[1]["data_completeness"]["evidence"]["no_guardian"] == 3
