"""Forms 01-07 of Decree 56/2017/NĐ-CP: the detailed assessment (form 03) and the review (form 06) as case
steps over HTTP, and every form printed as PDF in the Decree 30/2020 layout, read back with pypdf, for
exactly the people who may read the case (the informant only for the commune's ward officer, never when
anonymous)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from infra.clock import VIETNAM, today
from tests.cases_support import act, build_world, child_in, close_case, hours_ago, intake_body, open_case, who
from tests.support import audit_rows

NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
DATE_LINE = re.compile(r", ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})")


@pytest.fixture(scope="module")
def world(database):
    from sqlalchemy.orm import Session

    from infra.db import admin_engine

    with Session(admin_engine(), expire_on_commit=False) as owner:
        return build_world(owner)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/pdf")
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def form(client, headers, case, number: str):
    return client.get(f"/api/v1/cases/{case['id']}/forms/{number}.pdf", headers=headers)


def detailed_body(**overrides):
    body = {
        "physical_state": "Vết bầm ở tay đã mờ, sức khỏe bình thường.",
        "psychological_state": "Trẻ còn sợ hãi khi nhắc đến cha.",
        "family_situation": "Cha nghiện rượu, mẹ đi làm xa.",
        "caregiver_capacity": "Bà ngoại chăm sóc tốt nhưng sức khỏe yếu.",
        "needs": "Tư vấn tâm lý; hỗ trợ học tập; giám sát an toàn tại nhà.",
        "meeting_on": today().isoformat(),
        "participants": "Cán bộ xã, cộng tác viên thôn, bà ngoại, giáo viên chủ nhiệm.",
    }
    body.update(overrides)
    return body


def plan_body():
    return {
        "goals": "Trẻ an toàn và ổn định tâm lý.",
        "review_on": (today() + timedelta(days=30)).isoformat(),
        "actions": [
            {"description": "Tư vấn tâm lý cho trẻ", "owner": "Trạm y tế xã", "due_on": today().isoformat()},
            {"description": "Hỗ trợ sách vở", "owner": "Nhà trường", "due_on": today().isoformat()},
        ],
    }


def to_in_progress(client, world, case, worker="col1", decision="12/QĐ-UBND"):
    headers = who(client, world, worker)
    response = client.put(f"/api/v1/cases/{case['id']}/plan", headers=headers, json=plan_body())
    assert response.status_code == 200, response.text
    case = act(client, headers, response.json(), "plan/submit")
    return act(client, who(client, world, "chair"), case, "plan/approve", decision_ref=decision)


def test_every_form_prints_filled_in_the_official_layout(client, owner, world):
    wo, col1 = who(client, world, "wo"), who(client, world, "col1")
    commune = world["units"]["C"]
    body = intake_body(
        child_in(owner, world["units"]["H1"]),
        received_at=hours_ago(3).isoformat(),
        assigned_to=world["users"]["col1"],
    )
    case = open_case(client, wo, body)
    case = act(client, col1, case, "assessment", risk_level="urgent", summary="Cha say rượu đánh trẻ.")
    case = act(client, col1, case, "protection", measure="safe_shelter", note="Trẻ ở nhà bà ngoại.")
    case = act(client, col1, case, "detailed-assessment", **detailed_body())
    case = to_in_progress(client, world, case)
    first, second = case["plans"][0]["actions"]
    case = act(
        client,
        col1,
        case,
        "reviews",
        outcome="close",
        summary="Mục tiêu đã đạt.",
        child_situation="Trẻ vui vẻ, đi học đều, không còn sợ hãi.",
        actions=[{"action_id": first["id"], "status": "done", "result": "Đã tư vấn 4 buổi."}],
    )
    assert all(f["ready"] for f in case["forms"])
    texts = {n: pdf_text(form(client, wo, case, n)) for n in ("01", "02", "03", "04", "05", "06", "07")}
    for number, content in texts.items():
        assert all(heading in content for heading in NATIONAL), number
        assert f"UBND {commune.name.upper()}" in content and f"Mẫu số {number}" in content
        assert "Nơi nhận:" in content and DATE_LINE.search(content), number
        day, month, year = DATE_LINE.search(content).groups()
        assert int(year) >= 2026 and month == (f"{int(month):02d}" if int(month) < 3 else str(int(month)))
        assert case["child"]["full_name"] in content and "Bà Hàng Xóm" not in content or number == "01"
    assert "PHIẾU GHI CHÉP THÔNG TIN VỀ TRẺ EM BỊ XÂM HẠI" in texts["01"] and "Tổng đài 111" in texts["01"]
    assert "Trẻ có vết bầm tím ở tay" in texts["01"] and "Bà Hàng Xóm" in texts["01"]  # the ward officer
    assert f"Hồ sơ số: {case['reference']}" in texts["01"]
    assert "Nguy hiểm khẩn cấp" in texts["02"] and "Cha say rượu đánh trẻ." in texts["02"]
    assert "ĐÁNH GIÁ CHI TIẾT" in texts["03"] and "Bà ngoại chăm sóc tốt" in texts["03"]
    assert "giáo viên chủ nhiệm" in texts["03"] and today().strftime("%d/%m/%Y") in texts["03"]
    assert "KẾ HOẠCH HỖ TRỢ, CAN THIỆP" in texts["04"] and "Tư vấn tâm lý cho trẻ" in texts["04"]
    assert f"Test cs-col1-{world['tag']}" in texts["04"]  # the person who recorded the step signs
    for decision in ("05", "07"):
        assert "QUYẾT ĐỊNH" in texts[decision] and "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in texts[decision]
        assert f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.name.upper()}" in texts[decision]
    assert "Số: 12/QĐ-UBND" in texts["05"] and f"Test cs-chair-{world['tag']}" in texts["05"]
    assert "Hỗ trợ sách vở" in texts["05"] and "Số: .../QĐ-UBND" in texts["07"]
    assert "Nơi ở an toàn" in texts["07"] and "Trẻ ở nhà bà ngoại." in texts["07"]
    assert "PHIẾU THEO DÕI, ĐÁNH GIÁ VIỆC THỰC HIỆN KẾ HOẠCH" in texts["06"]
    assert "Đã tư vấn 4 buổi." in texts["06"] and "Chưa thực hiện" in texts["06"]  # the second action
    assert "Trẻ vui vẻ, đi học đều" in texts["06"] and "Đóng hồ sơ" in texts["06"]
    exported = [r for r in audit_rows(owner, f"cs-wo-{world['tag']}") if r["action"] == "export"]
    assert sorted(r["detail"]["form"] for r in exported[-7:]) == sorted(texts)
    assert all(r["resource_ids"] == [case["id"]] for r in exported[-7:])
    # the assigned worker prints form 01 without the informant
    worker_01 = pdf_text(form(client, col1, case, "01"))
    assert "Bà Hàng Xóm" not in worker_01 and "0987654321" not in worker_01 and "Được bảo mật" in worker_01
    assert second["id"] and case["status"] == "in_progress"


def test_the_date_line_pads_days_and_the_first_two_months_only():
    from datetime import date

    from portal.cases.forms_layout import date_line

    assert date_line("Yên Sở", date(2026, 2, 5)) == "Yên Sở, ngày 05 tháng 02 năm 2026"  # Decree 30
    assert date_line("Yên Sở", date(2026, 3, 15)) == "Yên Sở, ngày 15 tháng 3 năm 2026"


def test_an_anonymous_informant_is_never_printed(client, owner, world):
    wo = who(client, world, "wo")
    informant = {"anonymous": True, "relationship": "Người thân giấu tên"}
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H2"]), informant=informant))
    content = pdf_text(form(client, wo, case, "01"))
    assert "ẩn danh" in content and "Người thân giấu tên" not in content
    named = open_case(client, wo, intake_body(child_in(owner, world["units"]["H2"]), informant=None))
    assert "Không ghi nhận." in pdf_text(form(client, wo, named, "01"))


def test_a_form_waits_for_its_step(client, owner, world):
    wo = who(client, world, "wo")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    assert form(client, wo, case, "01").status_code == 200
    expected = {
        "02": "assessment",
        "03": "detailed_assessment",
        "04": "plan",
        "05": "plan_approval",
        "06": "review",
        "07": "emergency_protection",
    }
    for number, step in expected.items():
        refused = form(client, wo, case, number)
        assert refused.status_code == 409, number
        assert (
            refused.json()["missing"] == step
            and f"form {number} cannot be printed yet" in refused.json()["detail"]
        )
    assert {f["number"]: f["missing"] for f in case["forms"]} == {"01": None, **expected}
    for name in ("08.pdf", "1.pdf", "01.docx"):
        assert client.get(f"/api/v1/cases/{case['id']}/forms/{name}", headers=wo).status_code == 404


@pytest.mark.parametrize(
    "reader, expected",
    [("col1", 200), ("wo", 200), ("wo2", 404), ("col2", 404), ("dist", 403), ("insp", 403)],
)
def test_forms_are_for_exactly_the_readers_of_the_case(client, owner, world, reader, expected):
    wo = who(client, world, "wo")
    body = intake_body(child_in(owner, world["units"]["H1"]), assigned_to=world["users"]["col1"])
    case = open_case(client, wo, body)
    headers = who(client, world, reader)
    assert client.get(f"/api/v1/cases/{case['id']}", headers=headers).status_code == expected
    response = form(client, headers, case, "01")
    assert response.status_code == expected
    if expected != 200:
        assert case["child"]["full_name"] not in response.text
        denied = audit_rows(owner, f"cs-{reader}-{world['tag']}", "denied")
        assert denied and denied[-1]["detail"]["path"].endswith("/forms/01.pdf")


def test_the_detailed_assessment_is_checked_versioned_and_kept(client, owner, world):
    wo, col1 = who(client, world, "wo"), who(client, world, "col1")
    received = hours_ago(30)
    body = intake_body(child_in(owner, world["units"]["H1"]), received_at=received.isoformat())
    case = open_case(client, wo, {**body, "assigned_to": world["users"]["col1"]})
    early = act(client, col1, case, "detailed-assessment", 409, **detailed_body())
    assert "the case is received" in early["detail"]
    case = act(client, col1, case, "assessment", risk_level="high", summary="Cần hỗ trợ")
    bad = act(
        client,
        col1,
        case,
        "detailed-assessment",
        422,
        **detailed_body(
            physical_state=" ",
            needs="x" * 4001,
            meeting_on=(today() + timedelta(days=1)).isoformat(),
        ),
    )
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [
        ("physical_state", "required"),
        ("needs", "too_long"),
        ("meeting_on", "future_date"),
    ]
    before_receipt = (received.astimezone(VIETNAM).date() - timedelta(days=1)).isoformat()
    old = act(client, col1, case, "detailed-assessment", 422, **detailed_body(meeting_on=before_receipt))
    assert [(e["field"], e["code"]) for e in old["errors"]] == [("meeting_on", "too_early")]
    stale = act(client, col1, case, "detailed-assessment", 409, **detailed_body(version=case["version"] - 1))
    assert "changed since you read it" in stale["detail"]
    assert (
        owner.execute(
            text("SELECT count(*) FROM case_detailed_assessments WHERE case_id = :c"), {"c": case["id"]}
        ).scalar_one()
        == 0
    )
    recorded = act(client, col1, case, "detailed-assessment", **detailed_body(version=case["version"]))
    assert recorded["version"] == case["version"] + 1 and recorded["status"] == "assessed"
    assert recorded["detailed_assessments"][0]["number"] == 1
    client.put(f"/api/v1/cases/{case['id']}/plan", headers=col1, json=plan_body())
    submitted = act(client, col1, recorded, "plan/submit")
    act(
        client, col1, submitted, "detailed-assessment", 409, **detailed_body()
    )  # the plan awaits its decision
    case = act(client, who(client, world, "chair"), submitted, "plan/approve")
    again = act(client, col1, case, "detailed-assessment", **detailed_body(needs="Học bổng; tư vấn thêm."))
    assert [d["number"] for d in again["detailed_assessments"]] == [1, 2]
    assert "Học bổng; tư vấn thêm." in pdf_text(form(client, wo, again, "03"))  # the newest is printed
    assert [e["action"] for e in again["events"]].count("detailed_assessment") == 2
    audited = [
        r for r in audit_rows(owner, f"cs-col1-{world['tag']}") if r["action"] == "detailed_assessment"
    ]
    assert audited and audited[-1]["resource_ids"] == [case["id"]]
    assert act(client, who(client, world, "wo2"), case, "detailed-assessment", 404, **detailed_body())


def test_the_review_is_form_06(client, owner, world):
    wo = who(client, world, "wo")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H2"])))
    case = act(client, wo, case, "assessment", risk_level="medium", summary="Theo dõi")
    early = act(client, wo, case, "reviews", 409, outcome="continue", summary="x", child_situation="y")
    assert "the case is assessed" in early["detail"]
    case = to_in_progress(client, world, case, worker="wo", decision="")
    first, second = case["plans"][0]["actions"]
    bad = act(
        client,
        wo,
        case,
        "reviews",
        422,
        outcome="stop",
        summary="Rà soát",
        actions=[
            {"action_id": first["id"], "status": "done"},
            {"action_id": case["id"], "status": "not_done"},
            {"action_id": second["id"], "status": "maybe"},
        ],
    )
    assert [e["field"] for e in bad["errors"]] == [
        "outcome",
        "child_situation",
        "actions[0].result",
        "actions[1].action_id",
        "actions[2].status",
    ]
    stale = act(
        client, wo, case, "reviews", 409, outcome="close", summary="x", child_situation="y", version=1
    )
    assert "changed since you read it" in stale["detail"]
    case = act(
        client,
        wo,
        case,
        "reviews",
        outcome="continue",
        summary="Đang tiến triển",
        child_situation="Trẻ đã ổn định hơn.",
        next_review_on=(today() + timedelta(days=14)).isoformat(),
        actions=[
            {"action_id": first["id"], "status": "done", "result": "Đã tư vấn."},
            {"action_id": second["id"], "status": "not_done", "result": "Chờ kinh phí."},
        ],
        version=case["version"],
    )
    review = case["reviews"][-1]
    assert review["child_situation"] == "Trẻ đã ổn định hơn." and case["status"] == "in_progress"
    assert [(a["status"], a["result"]) for a in review["actions"]] == [
        ("done", "Đã tư vấn."),
        ("not_done", "Chờ kinh phí."),
    ]
    assert [a["status"] for a in case["plans"][0]["actions"]] == ["done", "planned"]  # done reaches the plan
    content = pdf_text(form(client, wo, case, "06"))
    assert "Chờ kinh phí." in content and "Tiếp tục thực hiện kế hoạch" in content
    assert "Số: .../QĐ-UBND" in pdf_text(form(client, wo, case, "05"))  # no decision number recorded
    case = act(
        client, wo, case, "reviews", outcome="close", summary="Đạt mục tiêu", child_situation="An toàn"
    )
    assert case["status"] == "in_progress" and case["reviews"][-1]["outcome"] == "close"
    assert [a["status"] for a in case["reviews"][-1]["actions"]] == ["done", "not_done"]  # as the plan says
    assert not [
        d for d in case["deadlines"] if d["step"] == "review" and not d["met_at"] and not d["cancelled_at"]
    ]
    case = close_case(client, world, case, reason="child_safe")
    assert case["status"] == "closed" and form(client, wo, case, "06").status_code == 200


def test_the_case_page_records_forms_03_and_06_and_links_the_pdfs(client, owner, world):
    from litestar.testing import TestClient

    from portal.app import create_app
    from tests.e2e.site import Browser

    wo = who(client, world, "wo")
    case = open_case(client, wo, intake_body(child_in(owner, world["units"]["H1"])))
    case = act(client, wo, case, "assessment", risk_level="low", summary="Theo dõi thêm")
    page_url = f"/cases/{case['id']}"
    with TestClient(app=create_app(), base_url="http://testserver.local") as raw:
        officer = Browser(raw)
        officer.login(f"cs-wo-{world['tag']}")
        page = officer.get(page_url).text
        assert "Biểu mẫu theo Nghị định 56/2017/NĐ-CP" in page and 'id="form-detailed_assessment"' in page
        assert f'href="{page_url}/forms/02.pdf"' in page and f'href="{page_url}/forms/03.pdf"' not in page
        form_03 = {k: v for k, v in detailed_body().items() if k != "meeting_on"}
        missing = officer.post(f"{page_url}/act/detailed_assessment", {**form_03, "meeting_on": ""})
        assert missing.status_code == 422 and 'id="detailed_assessment-meeting_on-error"' in missing.text
        recorded = officer.post(
            f"{page_url}/act/detailed_assessment", {**form_03, "meeting_on": today().strftime("%d/%m/%Y")}
        )
        assert recorded.status_code == 303, recorded.text
        page = officer.get(page_url).text
        assert "Bà ngoại chăm sóc tốt" in page and f'href="{page_url}/forms/03.pdf"' in page
        printed = officer.client.get(f"{page_url}/forms/03.pdf")
        assert printed.status_code == 200 and "Bà ngoại chăm sóc tốt" in pdf_text(printed)
        assert officer.client.get(f"{page_url}/forms/06.pdf").status_code == 409
        case = to_in_progress(
            client, world, client.get(f"/api/v1/cases/{case['id']}", headers=wo).json(), "wo"
        )
        page = officer.get(page_url).text
        assert 'name="actions_1_action_id"' in page and "Đề nghị đóng hồ sơ" in page
        first = case["plans"][0]["actions"][0]["id"]
        review = {
            "outcome": "close",
            "summary": "Đạt mục tiêu",
            "child_situation": "",
            "actions_0_action_id": first,
            "actions_0_status": "done",
            "actions_0_result": "",
            "actions_1_action_id": case["plans"][0]["actions"][1]["id"],
            "actions_1_status": "",
        }
        refused = officer.post(f"{page_url}/act/review", review)
        assert refused.status_code == 422
        assert (
            'id="review-child_situation-error"' in refused.text
            and 'id="review-actions_0_result-error"' in refused.text
        )
        review.update(child_situation="Trẻ an toàn", actions_0_result="Đã khám")
        assert officer.post(f"{page_url}/act/review", review).status_code == 303
        page = officer.get(page_url).text
        assert "Trẻ an toàn" in page and f'href="{page_url}/forms/06.pdf"' in page
    done = client.get(f"/api/v1/cases/{case['id']}", headers=wo).json()
    assert [a["status"] for a in done["reviews"][-1]["actions"]] == ["done", "not_done"]
