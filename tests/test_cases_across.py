"""Cases across communes (Decree 56/2017): the chairman's decisions, referral and transfer, reopening,
links, and intake by the 111 hotline. Against real PostgreSQL with row-level security: every step is
checked by who reads the case at that moment, from both communes and from above."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from infra.clock import today
from tests.cases_support import act, build_world, child_in, intake_body, open_case, who
from tests.support import audit_rows


@pytest.fixture(scope="module")
def world(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build_world(owner)


def plan(client, headers, case):
    body = {
        "goals": "Trẻ an toàn tại nhà.",
        "review_on": (today() + timedelta(days=30)).isoformat(),
        "actions": [{"description": "Khám sức khỏe", "owner": "Trạm y tế", "due_on": today().isoformat()}],
    }
    response = client.put(f"/api/v1/cases/{case['id']}/plan", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def status_of(client, headers, case):
    return client.get(f"/api/v1/cases/{case['id']}", headers=headers).status_code


def listed(client, headers):
    response = client.get("/api/v1/cases", headers=headers, params={"page_size": 100})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


def refer(client, headers, case, expect=201, **body):
    response = client.post(f"/api/v1/cases/{case['id']}/referrals", headers=headers, json=body)
    assert response.status_code == expect, response.text
    return response.json()


def decide(client, headers, referral, decision, expect=200, **body):
    response = client.post(f"/api/v1/case-referrals/{referral['id']}/{decision}", headers=headers, json=body)
    assert response.status_code == expect, response.text
    return response.json()


def test_the_chairman_decides_the_plan_and_the_drafter_never_does(client, owner, world):
    wo, col1 = who(client, world, "wo"), who(client, world, "col1")
    chair, chair2 = who(client, world, "chair"), who(client, world, "chair2")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    quiet = open_case(client, wo, intake_body(child_in(owner, world["units"]["H2"])))
    case = act(client, wo, case, "assessment", risk_level="medium", summary="Cần hỗ trợ")
    assert "draft_plan" in case["allowed_actions"] and "submit_plan" not in case["allowed_actions"]
    assert "submit_plan" in plan(client, wo, case)["allowed_actions"]  # a plan written: it can go up
    # nothing is brought to the chairman yet: the register is not theirs
    earlier = listed(client, chair)
    assert status_of(client, chair, case) == 404 and case["id"] not in earlier
    case = act(client, wo, case, "plan/submit")
    assert status_of(client, chair, case) == 200 and listed(client, chair) == earlier | {case["id"]}
    assert status_of(client, chair, quiet) == 404
    act(client, wo, case, "plan/approve", expect=403)  # the drafter and submitter
    act(client, col1, case, "plan/approve", expect=403)
    act(client, chair2, case, "plan/approve", expect=404)  # another commune's chairman: not theirs
    seen = client.get(f"/api/v1/cases/{case['id']}", headers=chair).json()
    assert seen["allowed_actions"] == ["approve_plan", "return_plan"]
    case = act(client, chair, case, "plan/approve", decision_ref="15/QĐ-UBND")
    assert case["status"] == "in_progress" and case["plans"][0]["decision_ref"] == "15/QĐ-UBND"
    assert case["allowed_actions"] == []  # decided: read-only from here on
    assert listed(client, chair) == earlier | {case["id"]}
    event = next(e for e in case["events"] if e["action"] == "approve_plan")
    assert event["actor"] == f"cs-chair-{world['tag']}" and event["to_status"] == "in_progress"
    # the schema refuses a self-approval even where the service would be bypassed
    with pytest.raises(IntegrityError):
        owner.execute(
            text("UPDATE case_plans SET approved_by = created_by WHERE case_id = :c"), {"c": case["id"]}
        )
        owner.flush()
    owner.rollback()
    denied = [r for r in audit_rows(owner, f"cs-wo-{world['tag']}") if r["outcome"] == "denied"]
    assert any(r["action"] == "approve" and r["resource"] == "case" for r in denied)


def test_closure_is_proposed_by_the_ward_officer_and_decided_by_the_chairman(client, owner, world):
    wo, chair = who(client, world, "wo"), who(client, world, "chair")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    case = act(client, wo, case, "close", reason="unfounded")
    assert case["closure"]["pending"] and case["status"] == "received"
    act(client, wo, case, "close", expect=409, reason="unfounded")  # already waiting
    assert [e["field"] for e in act(client, chair, case, "closure/return", 422)["errors"]] == ["comment"]
    case = act(client, chair, case, "closure/return", comment="Chưa xác minh đủ.")
    assert case["closure"] is None and case["status"] == "received"
    assert status_of(client, chair, case) == 200  # they decided on it: it stays readable to them
    case = act(client, wo, case, "close", reason="unfounded", note="Đã xác minh.")
    case = act(client, chair, case, "closure/approve")
    assert case["status"] == "closed" and case["closure"]["pending"] is False and case["closure"]["at"]
    act(client, chair, case, "closure/approve", expect=409)


def test_a_case_referred_and_refused_then_transferred_reopened_and_closed(client, owner, world):
    units, tag = world["units"], world["tag"]
    wo, wo2, wo3 = (who(client, world, k) for k in ("wo", "wo2", "wo3"))
    col1, chair3, dist = who(client, world, "col1"), who(client, world, "chair3"), who(client, world, "dist")
    case = open_case(
        client, wo, intake_body(child_in(owner, units["H1"]), assigned_to=world["users"]["col1"])
    )
    assert status_of(client, wo2, case) == 404

    # a referral to the neighbouring commune: readable there while open, then refused with a reason
    bad = refer(client, wo, case, 422, kind="referral", reason="Trẻ học ở xã bên", to_unit_id=units["C"].id)
    assert [e["field"] for e in bad["errors"]] == ["to_unit_id"]
    refer(client, col1, case, 403, kind="referral", reason="x", to_unit_id=units["C2"].id)
    referral = refer(client, wo, case, kind="referral", reason="Trẻ học ở xã bên", to_unit_id=units["C2"].id)
    assert referral["state"] == "open" and referral["your_side"] == "sender"
    refer(client, wo, case, 409, kind="referral", reason="lần hai", to_unit_id=units["C2"].id)
    assert status_of(client, wo2, case) == 200 and status_of(client, wo3, case) == 404
    incoming = client.get("/api/v1/case-referrals", headers=wo2, params={"side": "in"}).json()["items"]
    assert [r["id"] for r in incoming] == [referral["id"]] and incoming[0]["your_side"] == "receiver"
    decide(client, wo, referral, "accept", 403)  # the sender does not accept its own referral
    assert [e["field"] for e in decide(client, wo2, referral, "refuse", 422)["errors"]] == ["response"]
    refused = decide(client, wo2, referral, "refuse", response="Trẻ không học ở xã chúng tôi")
    assert refused["state"] == "refused" and refused["response"] == "Trẻ không học ở xã chúng tôi"
    assert status_of(client, wo2, case) == 404
    decide(client, wo2, referral, "accept", 409)  # decided: the row stays in their list, the case not

    # a service referral: the sender records the service's answer
    police = refer(client, wo, case, kind="referral", reason="Tố giác hành vi bạo lực", service="police")
    decide(client, wo2, police, "accept", 404)
    assert decide(client, wo, police, "accept", response="Công an xã đã tiếp nhận")["state"] == "accepted"

    # the family moves to another district: the whole case is transferred (a pending closure first
    # needs the chairman's decision at the commune that proposed it)
    pending = act(client, wo, case, "close", reason="moved_away")
    refer(client, wo, pending, 409, kind="transfer", reason="x", to_unit_id=units["C3"].id)
    act(client, who(client, world, "chair"), pending, "closure/return", comment="Chuyển hồ sơ, không đóng")
    transfer = refer(
        client, wo, case, kind="transfer", reason="Gia đình chuyển đến xã khác", to_unit_id=units["C3"].id
    )
    assert status_of(client, wo3, case) == 200 and status_of(client, wo, case) == 200
    assert [e["field"] for e in decide(client, wo3, transfer, "accept", 422)["errors"]] == ["hamlet_id"]
    wrong = decide(client, wo3, transfer, "accept", 422, hamlet_id=units["H3"].id)  # not their hamlet
    assert [e["code"] for e in wrong["errors"]] == ["not_receiving_hamlet"]
    accepted = decide(client, wo3, transfer, "accept", hamlet_id=units["H4"].id)
    assert accepted["state"] == "accepted" and accepted["to_hamlet_id"] == units["H4"].id
    moved = client.get(f"/api/v1/cases/{case['id']}", headers=wo3).json()
    assert moved["hamlet_id"] == units["H4"].id and moved["assigned_to"] is None
    assert {"referral_refused", "transfer_accepted"} <= {e["action"] for e in moved["events"]}
    # the sender keeps only the stub: the reference, where it went, when
    assert status_of(client, wo, case) == 404 and status_of(client, col1, case) == 404
    assert case["id"] not in listed(client, wo)
    stub = client.get(
        "/api/v1/case-referrals", headers=wo, params={"side": "out", "state": "accepted"}
    ).json()
    stub = next(r for r in stub["items"] if r["id"] == transfer["id"])
    assert stub["case_id"] is None and stub["reference"] == case["reference"]
    assert stub["to_unit"]["id"] == units["C3"].id and "description" not in stub
    assert client.get("/api/v1/case-referrals", headers=dist).status_code == 403
    for user in (f"cs-wo-{tag}", f"cs-wo3-{tag}"):
        assert any(r["action"] == "transfer_accepted" for r in audit_rows(owner, user)) or any(
            r["action"] == "transfer" for r in audit_rows(owner, user)
        )

    # closed at the new commune, then reopened with a reason: its deadlines run again
    case = act(client, wo3, moved, "close", reason="duplicate")
    case = act(client, chair3, case, "closure/approve")
    assert case["status"] == "closed"
    act(client, wo, case, "reopen", 404, reason="x")
    assert [e["field"] for e in act(client, wo3, case, "reopen", 422, reason="")["errors"]] == ["reason"]
    case = act(client, wo3, case, "reopen", reason="Trẻ tiếp tục bị bạo lực")
    assert case["status"] == "received" and case["closure"] is None
    open_steps = {d["step"] for d in case["deadlines"] if not d["met_at"] and not d["cancelled_at"]}
    assert open_steps == {"assessment", "plan"}
    assert case["events"][-1]["action"] == "reopen" and case["events"][-1]["detail"]["reason"]
    case = act(client, chair3, act(client, wo3, case, "close", reason="unfounded"), "closure/approve")
    assert case["status"] == "closed"


def test_linked_cases_are_shown_only_where_both_are_readable(client, owner, world):
    wo, wo3, col1 = who(client, world, "wo"), who(client, world, "wo3"), who(client, world, "col1")
    units = world["units"]
    a = open_case(client, wo, intake_body(child_in(owner, units["H1"]), assigned_to=world["users"]["col1"]))
    b = open_case(client, wo, intake_body(child_in(owner, units["H2"])))
    far = open_case(client, wo3, intake_body(child_in(owner, units["H4"])))
    out = act(client, wo, a, "links", 422, case_id=far["id"], kind="same_perpetrator")
    assert [e["code"] for e in out["errors"]] == ["out_of_scope"]
    assert [
        e["field"] for e in act(client, wo, a, "links", 422, case_id=a["id"], kind="sibling")["errors"]
    ] == ["case_id"]
    act(client, col1, a, "links", 403, case_id=b["id"], kind="sibling")
    linked = act(client, wo, a, "links", case_id=b["id"], kind="sibling", note="Hai anh em")
    assert [(x["case_id"], x["kind"]) for x in linked["links"]] == [(b["id"], "sibling")]
    act(client, wo, b, "links", 409, case_id=a["id"], kind="sibling")
    other_side = client.get(f"/api/v1/cases/{b['id']}", headers=wo).json()
    assert [x["reference"] for x in other_side["links"]] == [a["reference"]]
    # the assigned collaborator reads case a but not case b: the link is not shown to them
    assert client.get(f"/api/v1/cases/{a['id']}", headers=col1).json()["links"] == []
    gone = client.delete(f"/api/v1/cases/{a['id']}/links/{b['id']}", headers=wo)
    assert gone.status_code == 200 and gone.json()["links"] == []


def hotline_body(hamlet_id, **overrides):
    body = {
        "channel": "hotline_111",
        "case_type": "physical_violence",
        "description": "Người gọi báo trẻ bị đánh thường xuyên.",
        "hamlet_id": hamlet_id,
        "child": {"full_name": "Trần Văn Gọi", "sex": "male", "age_years": 9},
        "informant": {"anonymous": True},
    }
    body.update(overrides)
    return body


def test_the_hotline_routes_an_intake_to_the_commune_and_keeps_no_access(client, owner, world):
    units, tag = world["units"], world["tag"]
    hot, hot3, wo, col1 = (who(client, world, k) for k in ("hot", "hot3", "wo", "col1"))
    before = listed(client, wo)
    response = client.post("/api/v1/intakes", headers=hot, json=hotline_body(units["H1"].id))
    assert response.status_code == 201, response.text
    routed = response.json()
    assert routed["commune"]["id"] == units["C"].id and routed["hamlet"]["id"] == units["H1"].id
    assert routed["ward_officers"] == 1 and set(routed) == {"reference", "hamlet", "commune", "ward_officers"}
    new = listed(client, wo) - before
    assert len(new) == 1
    case = client.get(f"/api/v1/cases/{new.pop()}", headers=wo).json()
    assert case["reference"] == routed["reference"] and case["status"] == "received"
    assert case["child"]["id"] is None and case["child"]["age_estimated"] is True
    assert date.fromisoformat(case["child"]["date_of_birth"]).year in (today().year - 10, today().year - 9)
    assert {d["step"] for d in case["deadlines"]} == {"assessment", "plan"}
    # the hotline keeps nothing: no case read, no list, its grant revoked in the same transaction
    assert client.get(f"/api/v1/cases/{case['id']}", headers=hot).status_code == 403
    assert client.get("/api/v1/cases", headers=hot).status_code == 403
    open_grants = owner.execute(
        text("SELECT count(*) FROM case_grants WHERE case_id = :c AND revoked_at IS NULL"), {"c": case["id"]}
    ).scalar_one()
    assert open_grants == 0
    assert status_of(client, col1, case) == 404  # not assigned yet: the collaborator does not see it
    # only hamlets of its own area, only a child's age, only the hotline role
    outside = client.post("/api/v1/intakes", headers=hot3, json=hotline_body(units["H1"].id))
    assert outside.status_code == 422 and [e["field"] for e in outside.json()["errors"]] == ["hamlet_id"]
    old = hotline_body(units["H1"].id, child={"full_name": "A", "sex": "male", "age_years": 19})
    assert [e["code"] for e in client.post("/api/v1/intakes", headers=hot, json=old).json()["errors"]] == [
        "not_a_child"
    ]
    assert client.post("/api/v1/intakes", headers=col1, json=hotline_body(units["H1"].id)).status_code == 403
    assert any(r["action"] == "intake" for r in audit_rows(owner, f"cs-hot-{tag}"))
    # the commune identifies the registry child
    child_id = child_in(owner, units["H1"])
    act(client, col1, case, "child", 403, child_id=child_id)
    far = act(client, wo, case, "child", 422, child_id=child_in(owner, units["H4"]))
    assert [e["field"] for e in far["errors"]] == ["child_id"]
    case = act(client, wo, case, "child", child_id=child_id)
    assert case["child"]["id"] == child_id and case["child"]["age_estimated"] is False
    act(client, wo, case, "child", 409, child_id=child_id)


def test_row_level_security_keeps_the_hotline_and_a_moved_chairman_out(client, owner, world):
    """Under the application role, past the services: the hotline cannot make its revoked grant live
    again, and a chairman moved to another commune no longer reads the cases decided in the old one."""
    from infra.db import new_session
    from tenancy.scope import Scope

    units = world["units"]
    hot = who(client, world, "hot")
    routed = client.post("/api/v1/intakes", headers=hot, json=hotline_body(units["H2"].id)).json()
    case_id = owner.execute(
        text("SELECT id FROM cases WHERE reference = :r"), {"r": routed["reference"]}
    ).scalar_one()
    session = new_session(Scope(None, units["P"].path), world["users"]["hot"])
    try:
        assert (
            session.execute(text("SELECT count(*) FROM cases WHERE id = :c"), {"c": case_id}).scalar_one()
            == 0
        )
        revived = session.execute(
            text("UPDATE case_grants SET revoked_at = NULL, revoked_by = NULL WHERE case_id = :c"),
            {"c": case_id},
        )
        assert revived.rowcount == 0
    finally:
        session.rollback()
        session.close()
    assert (
        owner.execute(
            text("SELECT count(*) FROM case_grants WHERE case_id = :c AND revoked_at IS NULL"), {"c": case_id}
        ).scalar_one()
        == 0
    )

    # a chairman decides at C, then is moved to C2: the decided case is no longer theirs to read
    wo, chair = who(client, world, "wo"), who(client, world, "chair")
    case = open_case(client, wo, intake_body(child_in(owner, units["H2"])))
    case = act(client, chair, act(client, wo, case, "close", reason="duplicate"), "closure/approve")
    assert status_of(client, chair, case) == 200
    tag = world["tag"]
    owner.execute(
        text("UPDATE users SET unit_id = :u WHERE username = :n"),
        {"u": units["C2"].id, "n": f"cs-chair-{tag}"},
    )
    owner.commit()
    try:
        moved = who_again(client, world, "chair")
        assert status_of(client, moved, case) == 404 and case["id"] not in listed(client, moved)
    finally:
        owner.execute(
            text("UPDATE users SET unit_id = :u WHERE username = :n"),
            {"u": units["C"].id, "n": f"cs-chair-{tag}"},
        )
        owner.commit()
        world["tokens"].pop("chair", None)


def who_again(client, world, key):
    """A fresh login (the caller's unit is read when the session starts)."""
    world["tokens"].pop(key, None)
    return who(client, world, key)
