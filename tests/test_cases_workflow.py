"""The case workflow over HTTP on real PostgreSQL: intake, assessment, protection, plan, approval,
actions, review, closure; every refusal (wrong status, wrong person, bad input) and nothing half-written."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from infra.clock import today, utcnow
from tests.cases_support import (
    act,
    build_world,
    child_in,
    close_case,
    hours_ago,
    intake_body,
    open_case,
    who,
)
from tests.support import audit_rows, child_payload


@pytest.fixture(scope="module")
def world(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build_world(owner)


def count(owner, table, case_id):
    return owner.execute(
        text(f"SELECT count(*) FROM {table} WHERE case_id = :c"), {"c": case_id}
    ).scalar_one()


def plan_body(days=3):
    return {
        "goals": "Trẻ an toàn tại nhà; cha mẹ được tư vấn kỹ năng làm cha mẹ.",
        "review_on": (today() + timedelta(days=30)).isoformat(),
        "actions": [
            {
                "description": "Khám sức khỏe",
                "owner": "Trạm y tế xã",
                "due_on": (today() + timedelta(days=days)).isoformat(),
            },
            {
                "description": "Tư vấn tâm lý",
                "owner": "Cán bộ LĐTBXH",
                "due_on": (today() + timedelta(days=10)).isoformat(),
            },
        ],
    }


def test_full_workflow_from_hotline_to_closure(client, owner, world):
    wo, col1 = who(client, world, "wo"), who(client, world, "col1")
    h1 = world["units"]["H1"]
    received = hours_ago(2)
    case = open_case(
        client,
        wo,
        intake_body(
            child_in(owner, h1), received_at=received.isoformat(), assigned_to=world["users"]["col1"]
        ),
    )
    assert case["status"] == "received" and case["reference"].startswith(f"HS{received.year}-")
    assert case["assigned_to"]["id"] == world["users"]["col1"] and case["hamlet_id"] == h1.id
    assert "informant" not in case and "Hàng Xóm" not in str(case)
    steps = {d["step"]: d for d in case["deadlines"]}
    assert set(steps) == {"assessment", "plan"} and not steps["assessment"]["overdue"]

    # the assigned collaborator works the case; the ward officer decides
    case = act(client, col1, case, "assessment", risk_level="urgent", summary="Nguy cơ cao, cha say rượu.")
    assert case["status"] == "assessed"
    steps = {d["step"]: d for d in case["deadlines"]}
    assert steps["assessment"]["met_at"] and steps["emergency_protection"]["met_at"] is None
    case = act(client, col1, case, "protection", measure="safe_shelter", note="Trẻ ở nhà bà ngoại.")
    assert {d["step"]: d for d in case["deadlines"]}["emergency_protection"]["met_at"]

    response = client.put(f"/api/v1/cases/{case['id']}/plan", headers=col1, json=plan_body())
    assert response.status_code == 200, response.text
    case = act(client, col1, response.json(), "plan/submit")
    assert case["status"] == "plan_submitted" and {d["step"]: d for d in case["deadlines"]}["plan"]["met_at"]
    act(client, col1, case, "plan/approve", expect=403)  # only the chairman decides
    act(client, wo, case, "plan/approve", expect=403)  # the ward officer neither
    chair = who(client, world, "chair")
    case = act(client, chair, case, "plan/approve", decision_ref="QĐ 12/QĐ-UBND")
    assert case["status"] == "in_progress" and case["plans"][0]["status"] == "approved"
    assert any(d["step"] == "review" and d["met_at"] is None for d in case["deadlines"])

    action_id = case["plans"][0]["actions"][0]["id"]
    done = client.patch(
        f"/api/v1/cases/{case['id']}/actions/{action_id}",
        headers=col1,
        json={"status": "done", "result": "Ổn"},
    )
    assert done.status_code == 200 and done.json()["plans"][0]["actions"][0]["status"] == "done"
    case = act(client, col1, case, "notes", body="Đã thăm gia đình, trẻ ổn định.")
    case = act(
        client,
        col1,
        case,
        "reviews",
        outcome="continue",
        summary="Tiếp tục theo dõi",
        child_situation="Trẻ ổn định, đi học đều.",
        next_review_on=(today() + timedelta(days=14)).isoformat(),
    )
    act(client, col1, case, "close", expect=403, reason="child_safe")
    case = act(client, wo, case, "close", reason="child_safe", note="Trẻ an toàn sau 3 tháng.")
    assert case["status"] == "in_progress" and case["closure"]["pending"] and case["closure"]["at"] is None
    act(client, wo, case, "closure/approve", expect=403)  # whoever proposes never decides
    case = act(client, chair, case, "closure/approve")
    assert case["status"] == "closed" and case["closure"]["reason"] == "child_safe"
    assert case["allowed_actions"] == []  # the chairman keeps reading what they decided, nothing more
    assert all(d["met_at"] or d["cancelled_at"] for d in case["deadlines"])
    actions = [e["action"] for e in case["events"]]
    assert actions == [
        "intake",
        "assign",
        "assess",
        "protect",
        "draft_plan",
        "submit_plan",
        "approve_plan",
        "update_action",
        "note",
        "review",
        "propose_closure",
        "approve_closure",
    ]
    audited = {r["action"] for r in audit_rows(owner, f"cs-col1-{world['tag']}") if r["resource"] == "case"}
    assert {"assess", "protect", "submit_plan", "note", "review"} <= audited


@pytest.mark.parametrize(
    "status_path, action, body",
    [
        ("received", "plan/submit", {}),
        ("received", "reviews", {"outcome": "continue", "summary": "x"}),
        ("assessed", "reviews", {"outcome": "new_plan", "summary": "x"}),
        ("closed", "assessment", {"risk_level": "low", "summary": "x"}),
        ("closed", "notes", {"body": "x"}),
    ],
)
def test_invalid_transitions_are_refused_with_a_clear_message(
    client, owner, world, status_path, action, body
):
    wo = who(client, world, "wo")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H2"])))
    if status_path == "assessed":
        case = act(client, wo, case, "assessment", risk_level="medium", summary="Cần theo dõi")
    if status_path == "closed":
        case = close_case(client, world, case, reason="unfounded")
    refused = client.post(f"/api/v1/cases/{case['id']}/{action}", headers=wo, json=body)
    assert refused.status_code == 409, refused.text
    detail = refused.json()
    assert f"the case is {case['status']}" in detail["detail"] and detail["status"] == case["status"]
    after = client.get(f"/api/v1/cases/{case['id']}", headers=wo).json()
    assert after["status"] == case["status"] and after["version"] == case["version"]  # nothing changed


def test_refusals_name_the_field_and_write_nothing(client, owner, world):
    wo = who(client, world, "wo")
    h1, h3 = world["units"]["H1"], world["units"]["H3"]
    before = owner.execute(text("SELECT count(*) FROM cases")).scalar_one()
    children_before = owner.execute(text("SELECT count(*) FROM children")).scalar_one()

    bad = client.post(
        "/api/v1/cases",
        headers=wo,
        json=intake_body(child_in(owner, h1), channel="carrier_pigeon", case_type="x", description="  "),
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"channel", "case_type", "description"}

    future = client.post(
        "/api/v1/cases",
        headers=wo,
        json=intake_body(child_in(owner, h1), received_at=(hours_ago(-3)).isoformat()),
    )
    assert [e["field"] for e in future.json()["errors"]] == ["received_at"]

    both = client.post(
        "/api/v1/cases", headers=wo, json=intake_body(child_in(owner, h1), new_child=child_payload(h1.id))
    )
    assert [e["field"] for e in both.json()["errors"]] == ["child_id"]

    # a child outside the caller's area: named, refused, audited as a denial
    outside = client.post("/api/v1/cases", headers=wo, json=intake_body(child_in(owner, h3)))
    assert outside.status_code == 422 and [e["field"] for e in outside.json()["errors"]] == ["child_id"]

    # a new child whose registry fields are wrong: the registry's errors, prefixed, and no case
    new_bad = client.post(
        "/api/v1/cases",
        headers=wo,
        json=intake_body(None, new_child=child_payload(h1.id, sex="x", date_of_birth="2001-01-01")),
    )
    assert new_bad.status_code == 422
    assert {e["field"] for e in new_bad.json()["errors"]} >= {"new_child.sex", "new_child.date_of_birth"}

    anonymous = client.post(
        "/api/v1/cases",
        headers=wo,
        json=intake_body(child_in(owner, h1), informant={"anonymous": True, "full_name": "Ai đó"}),
    )
    assert [e["field"] for e in anonymous.json()["errors"]] == ["informant.anonymous"]

    not_worker = client.post(
        "/api/v1/cases",
        headers=wo,
        json=intake_body(child_in(owner, h1), assigned_to=world["users"]["col2"]),  # collaborator of H2
    )
    assert [e["field"] for e in not_worker.json()["errors"]] == ["assigned_to"]

    malformed = client.post(
        "/api/v1/cases", headers=wo, json={**intake_body(child_in(owner, h1)), "extra": 1}
    )
    assert malformed.status_code == 400 and malformed.json()["errors"][0]["field"] == "extra"

    assert owner.execute(text("SELECT count(*) FROM cases")).scalar_one() == before
    assert owner.execute(text("SELECT count(*) FROM children")).scalar_one() == children_before
    denied = audit_rows(owner, f"cs-wo-{world['tag']}", "denied")
    assert any(r["resource"] == "case" and r["action"] == "create" for r in denied)


def test_bad_workflow_input_names_the_field(client, owner, world):
    wo = who(client, world, "wo")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    errors = act(client, wo, case, "assessment", 422, risk_level="extreme", summary="")["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("risk_level", "unknown_code"),
        ("summary", "required"),
    ]
    assert "one of: high, low, medium, urgent" in errors[0]["message"]
    case = act(client, wo, case, "assessment", risk_level="high", summary="Cần hỗ trợ")
    body = plan_body()
    body["actions"][1]["due_on"] = (today() - timedelta(days=1)).isoformat()
    body["actions"][0]["owner"] = " "
    response = client.put(f"/api/v1/cases/{case['id']}/plan", headers=wo, json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["actions[0].owner", "actions[1].due_on"]
    empty = client.put(f"/api/v1/cases/{case['id']}/plan", headers=wo, json={**plan_body(), "actions": []})
    assert [e["field"] for e in empty.json()["errors"]] == ["actions"]
    assert [e["field"] for e in act(client, wo, case, "plan/submit", 422)["errors"]] == ["plan"]
    assert count(owner, "case_plans", case["id"]) == 0
    early = act(client, wo, case, "close", 422, reason="child_safe")
    assert [e["field"] for e in early["errors"]] == ["reason"]
    stale = act(client, wo, case, "close", 409, reason="unfounded", version=case["version"] - 1)
    assert "changed since you read it" in stale["detail"]


def test_plan_returned_then_resubmitted_and_new_plan_after_review(client, owner, world):
    wo, chair = who(client, world, "wo"), who(client, world, "chair")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"]), case_type="neglect"))
    case = act(client, wo, case, "assessment", risk_level="medium", summary="Trẻ bị bỏ mặc")
    client.put(f"/api/v1/cases/{case['id']}/plan", headers=wo, json=plan_body())
    case = act(client, wo, case, "plan/submit")
    assert [e["field"] for e in act(client, chair, case, "plan/return", 422)["errors"]] == ["comment"]
    case = act(client, chair, case, "plan/return", comment="Bổ sung hoạt động hỗ trợ học tập")
    assert case["status"] == "assessed" and case["plans"][0]["status"] == "returned"
    body = plan_body()
    body["actions"].append(
        {"description": "Hỗ trợ sách vở", "owner": "Nhà trường", "due_on": today().isoformat()}
    )
    case = client.put(f"/api/v1/cases/{case['id']}/plan", headers=wo, json=body).json()
    assert (
        len(case["plans"]) == 1
        and case["plans"][0]["status"] == "draft"
        and len(case["plans"][0]["actions"]) == 3
    )
    case = act(client, chair, act(client, wo, case, "plan/submit"), "plan/approve")
    case = act(
        client, wo, case, "reviews", outcome="new_plan", summary="Cần kế hoạch mới", child_situation="Chưa ổn"
    )
    assert case["status"] == "assessed"
    assert [d["step"] for d in case["deadlines"] if not d["met_at"] and not d["cancelled_at"]] == ["plan"]
    client.put(f"/api/v1/cases/{case['id']}/plan", headers=wo, json=plan_body())
    case = act(client, chair, act(client, wo, case, "plan/submit"), "plan/approve")
    assert [p["status"] for p in case["plans"]] == ["superseded", "approved"]


def test_new_child_recorded_with_the_case_and_collaborator_keeps_access_by_grant(client, owner, world, uid):
    col1, wo = who(client, world, "col1"), who(client, world, "wo")
    h1 = world["units"]["H1"]
    case = open_case(
        client,
        col1,
        intake_body(
            None,
            channel="collaborator",
            new_child=child_payload(h1.id, full_name=f"Lê Văn {uid}"),
            informant={"anonymous": True},
        ),
    )
    assert case["child"]["full_name"] == f"Lê Văn {uid}"
    child = client.get(f"/api/v1/children/{case['child']['id']}", headers=col1)
    assert child.status_code == 200  # recorded in the registry through its own service
    assert case["allowed_actions"] == []  # a grantee reads; the ward officer assigns
    assert act(client, col1, case, "assessment", 403, risk_level="low", summary="x")
    full = client.get(f"/api/v1/cases/{case['id']}", headers=wo).json()
    assert [g["reason"] for g in full["grants"]] == ["recorded the intake"]
    assert client.get(f"/api/v1/cases/{case['id']}/informant", headers=wo).json() == {
        "recorded": True,
        "anonymous": True,
        "full_name": None,
        "phone": None,
        "relationship": None,
        "address": None,
    }
    assert client.get(f"/api/v1/cases/{case['id']}/informant", headers=col1).status_code == 403
    act(client, wo, case, f"grants/{full['grants'][0]['id']}/revoke")
    assert client.get(f"/api/v1/cases/{case['id']}", headers=col1).status_code == 404


def test_assignment_moves_access_and_informant_is_for_the_ward_officer_only(client, owner, world):
    wo, col1, col1b = (who(client, world, k) for k in ("wo", "col1", "col1b"))
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    assert client.get(f"/api/v1/cases/{case['id']}", headers=col1).status_code == 404
    case = act(client, wo, case, "assign", user_id=world["users"]["col1"])
    assert client.get(f"/api/v1/cases/{case['id']}", headers=col1).status_code == 200
    assert client.get(f"/api/v1/cases/{case['id']}/informant", headers=col1).status_code == 403
    informant = client.get(f"/api/v1/cases/{case['id']}/informant", headers=wo).json()
    assert informant["full_name"] == "Bà Hàng Xóm" and informant["phone"] == "0987654321"
    assert act(client, col1, case, "assign", 403, user_id=world["users"]["col1b"])
    bad = act(client, wo, case, "assign", 422, user_id=world["users"]["dist"])
    assert [e["field"] for e in bad["errors"]] == ["user_id"]
    case = act(client, wo, case, "assign", user_id=world["users"]["col1b"])
    assert client.get(f"/api/v1/cases/{case['id']}", headers=col1).status_code == 404
    assert client.get(f"/api/v1/cases/{case['id']}", headers=col1b).status_code == 200
    reads = [r for r in audit_rows(owner, f"cs-wo-{world['tag']}") if r["action"] == "read_informant"]
    assert reads and reads[-1]["resource_ids"] == [case["id"]]


def test_register_export_is_the_ward_officers_and_audited(client, owner, world):
    import io

    from openpyxl import load_workbook

    wo, col1 = who(client, world, "wo"), who(client, world, "col1")
    c = world["units"]["C"]
    open_case(client, wo, intake_body(child_in(owner, world["units"]["H2"])))
    response = client.get("/api/v1/cases/register", params={"unit_id": c.id}, headers=wo)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("STT", "Mã hồ sơ", "Ngày tiếp nhận") and len(rows) > 2
    assert "Hàng Xóm" not in str(rows)  # no informant in an export
    exported = [r for r in audit_rows(owner, f"cs-wo-{world['tag']}") if r["action"] == "export"][-1]
    assert len(exported["resource_ids"]) == len(rows) - 2
    assert client.get("/api/v1/cases/register", params={"unit_id": c.id}, headers=col1).status_code == 403


def test_the_list_filters_cases_with_a_step_past_due(client, owner, world):
    wo = who(client, world, "wo")
    late = open_case(
        client, wo, intake_body(child_in(owner, world["units"]["H1"]), received_at=hours_ago(20).isoformat())
    )
    fresh = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))

    def listed(**params):
        response = client.get("/api/v1/cases", params={"page_size": 100, **params}, headers=wo)
        assert response.status_code == 200, response.text
        return response.json()

    overdue = listed(overdue="true")
    ids = {c["id"] for c in overdue["items"]}
    assert late["id"] in ids and fresh["id"] not in ids and overdue["total"] == len(ids)
    now = utcnow()
    assert all(datetime.fromisoformat(c["next_due_at"]) <= now for c in overdue["items"])  # each past due
    on_time = {c["id"] for c in listed(overdue="false")["items"]}
    assert fresh["id"] in on_time and late["id"] not in on_time
    assert {c["id"] for c in listed(overdue="true", status="received")["items"]} >= {late["id"]}
    assert late["id"] not in {c["id"] for c in listed(overdue="true", status="assessed")["items"]}
    assert client.get("/api/v1/cases", params={"overdue": "maybe"}, headers=wo).status_code == 400
