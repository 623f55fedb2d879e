"""Case pages over HTTP: intake by a collaborator (errors by field, nothing stored), the ward officer's
assessment and closure, attachments, alerts, and the refusal of inspectors."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import text

from tests.e2e.site import Browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _intake(child_id: str, **overrides: str) -> dict[str, str]:
    form = {
        "channel": "hotline_111",
        "case_type": "neglect",
        "description": "Trẻ thường xuyên ở nhà một mình, không được ăn uống đầy đủ.",
        "received_at": "",
        "place": "Tại nhà",
        "child_id": child_id,
        "informant_full_name": "Bà Hàng Xóm",
        "informant_phone": "0987654321",
        "informant_relationship": "Hàng xóm",
        "do": "save",
    }
    form.update(overrides)
    return form


def _count_cases(owner, child_id) -> int:
    return owner.execute(text("SELECT count(*) FROM cases WHERE child_id = :c"), {"c": child_id}).scalar()


def _file_case(b: Browser, child_id: str) -> str:
    response = b.post("/cases/new", _intake(child_id))
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


def test_collaborator_files_a_hotline_case_then_the_ward_officer_assesses_and_closes_it(login, tree, owner):
    child = tree["children"][0]
    col = login("collab")
    assert 'href="/cases"' in col.get("/children").text  # in the navigation
    page = col.get("/cases/new")
    assert page.status_code == 200 and "Tổng đài 111" in page.text and "được bảo mật" in page.text
    found = col.post("/cases/new", {**_intake(""), "q": "tran van an", "do": "search"})
    assert found.status_code == 200 and "Trần Văn An" in found.text
    assert f'value="{child.id}"' in found.text
    assert tree["outsider"].full_name not in found.text
    missing = col.post("/cases/new", _intake(str(child.id), description=""))
    assert missing.status_code == 422
    assert 'id="description-error"' in missing.text and "Bắt buộc nhập." in missing.text
    assert _count_cases(owner, child.id) == 0
    bad_time = col.post("/cases/new", _intake(str(child.id), received_at="32/13/2026 10:00"))
    assert bad_time.status_code == 422 and 'id="received_at-error"' in bad_time.text
    location = _file_case(col, str(child.id))
    assert re.fullmatch(r"/cases/[0-9a-f-]{36}", location)
    assert "Trần" not in location and _count_cases(owner, child.id) == 1
    mine = col.get("/cases")
    assert mine.status_code == 200 and location in mine.text and "Đã tiếp nhận" in mine.text
    shown = col.get(location)
    assert shown.status_code == 200 and "Bà Hàng Xóm" not in shown.text  # the informant never shows

    officer = login("officer")
    listed = officer.get("/cases")
    assert location in listed.text
    case_page = officer.get(location)
    assert case_page.status_code == 200 and "Đánh giá ban đầu" in case_page.text
    no_risk = officer.post(f"{location}/act/assess", {"risk_level": "", "summary": "Đã đến nhà."})
    assert no_risk.status_code == 422 and 'id="assess-risk_level-error"' in no_risk.text
    assessed = officer.post(f"{location}/act/assess", {"risk_level": "medium", "summary": "Đã đến nhà."})
    assert assessed.status_code == 303, assessed.text
    after = officer.get(location)
    assert "Đã đánh giá" in after.text and "Trung bình" in after.text
    no_reason = officer.post(f"{location}/act/close", {"reason": ""})
    assert no_reason.status_code == 422 and 'id="close-reason-error"' in no_reason.text
    proposed = officer.post(f"{location}/act/close", {"reason": "unfounded", "note": "Đã xác minh."})
    assert proposed.status_code == 303
    assert "chờ Chủ tịch UBND xã quyết định" in officer.get(location).text
    chair = login("chair")
    assert location in chair.get("/cases").text  # brought to the chairman for a decision
    closed = chair.post(f"{location}/act/approve_closure", {"decision_ref": "20/QĐ-UBND"})
    assert closed.status_code == 303, closed.text
    final = officer.get(location)
    assert "Đã đóng" in final.text and "Thông tin không có cơ sở" in final.text
    row = owner.execute(
        text("SELECT status, risk_level, closure_reason FROM cases WHERE child_id = :c"), {"c": child.id}
    ).one()
    assert tuple(row) == ("closed", "medium", "unfounded")


def test_english_errors_and_a_new_child_recorded_with_the_case(login, tree, owner):
    col = login("collab")
    col.client.cookies.set("portal_lang", "en")
    col.get("/cases/new")
    form = _intake("", new_child_full_name="Lò Thị Mai", new_child_date_of_birth="31/02/2019")
    bad = col.post("/cases/new", form)
    assert bad.status_code == 422
    assert "Date of birth: there is no such day. Write it as dd/mm/yyyy (day, month, year)" in bad.text
    good = {**form, "new_child_date_of_birth": "03/02/2019", "new_child_sex": "female"}
    good["new_child_hamlet_id"] = str(tree["hamlet"].id)
    assert col.post("/cases/new", good).status_code == 303
    made = owner.execute(text("SELECT count(*) FROM cases WHERE child_name = 'Lò Thị Mai'")).scalar()
    assert made == 1


def test_attachments_upload_errors_and_download(login, tree):
    col = login("collab")
    col.get("/cases/new")
    location = _file_case(col, str(tree["children"][1].id))
    officer = login("officer")
    officer.get(location)
    files = {"file": ("ảnh.png", PNG, "image/png")}
    ok = officer.client.post(
        f"{location}/attachments", data={"_csrf": officer.token}, files=files, follow_redirects=False
    )
    assert ok.status_code == 303, ok.text
    page = officer.get(location)
    link = re.search(rf'href="({location}/attachments/[0-9a-f-]{{36}})"', page.text)
    assert link
    download = officer.client.get(link.group(1))
    assert download.status_code == 200 and download.content == PNG
    bad = officer.client.post(
        f"{location}/attachments",
        data={"_csrf": officer.token},
        files={"file": ("x.exe", b"MZ\x90\x00binary", "application/octet-stream")},
    )
    assert bad.status_code == 422 and 'id="attach-file-error"' in bad.text
    assert "Chỉ nhận JPEG, PNG, TIFF hoặc PDF." in bad.text
    no_token = officer.client.post(f"{location}/attachments", files=files, follow_redirects=False)
    assert no_token.status_code == 403


def test_inspectors_never_get_a_case_page(login, tree):
    col = login("collab")
    col.get("/cases/new")
    location = _file_case(col, str(tree["children"][2].id))
    inspector = login("inspector")
    refused = inspector.get(location)
    assert refused.status_code == 403  # no case permission at all (README: Casbin gives inspectors none)
    assert tree["children"][2].full_name not in refused.text
    assert inspector.get(f"/cases/{uuid.uuid4()}").status_code == 403  # refused before any look-up


def test_alerts_page_lists_and_marks_read(login, tree, owner):
    col = login("collab")
    col.get("/cases/new")
    location = _file_case(col, str(tree["children"][3].id))
    case_id = location.rsplit("/", 1)[1]
    officer_id = owner.execute(
        text("SELECT id FROM users WHERE username = :u"), {"u": tree["users"]["officer"]}
    ).scalar()
    owner.execute(
        text(
            "INSERT INTO case_alerts (id, recipient_id, deadline_id, case_id, reference, unit_id, step, level,"
            " due_at, message, created_at) SELECT gen_random_uuid(), :u, d.id, c.id, c.reference, :unit,"
            " d.step, 1, d.due_at, 'Sắp đến hạn đánh giá', now() FROM cases c JOIN case_deadlines d"
            " ON d.case_id = c.id WHERE c.id = :c AND d.step = 'assessment'"
        ),
        {"u": officer_id, "unit": tree["commune"].id, "c": case_id},
    )
    owner.commit()
    officer = login("officer")
    page = officer.get("/alerts")
    assert page.status_code == 200 and "Sắp đến hạn đánh giá" in page.text
    alert_id = re.search(r'action="/alerts/([0-9a-f-]{36})/read"', page.text).group(1)
    assert officer.post(f"/alerts/{alert_id}/read").status_code == 303
    assert "Đã đọc" in officer.get("/alerts").text


def test_plan_is_written_submitted_and_approved_and_late_steps_are_marked(login, tree):
    from datetime import timedelta

    from infra.clock import VIETNAM, today, utcnow

    col = login("collab")
    col.get("/cases/new")
    three_days_ago = (utcnow() - timedelta(days=3)).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    filed = col.post("/cases/new", _intake(str(tree["children"][4].id), received_at=three_days_ago))
    assert filed.status_code == 303, filed.text
    location = filed.headers["location"].split("?")[0]
    assert "Quá hạn" in col.get("/cases").text  # the 12-hour assessment is late
    officer = login("officer")
    officer.get(location)
    assert (
        officer.post(f"{location}/act/assess", {"risk_level": "high", "summary": "Nguy cơ cao."}).status_code
        == 303
    )
    soon = (today() + timedelta(days=10)).strftime("%d/%m/%Y")
    plan = {"goals": "Trẻ được chăm sóc đầy đủ.", "review_on": soon}
    missing = officer.post(f"{location}/act/draft_plan", plan)
    assert missing.status_code == 422 and "Bắt buộc nhập." in missing.text
    plan.update(
        actions_0_description="Thăm gia đình hằng tuần", actions_0_owner="CTV thôn", actions_0_due_on=soon
    )
    iso = (today() + timedelta(days=10)).isoformat()  # a row's day in another shape: named with its row
    typed = officer.post(f"{location}/act/draft_plan", {**plan, "actions_0_due_on": iso})
    assert typed.status_code == 422
    assert f"Hoạt động 1 – Hạn: nhập theo dạng dd/mm/yyyy, ví dụ {soon}." in typed.text
    assert 'id="draft_plan-actions_0_due_on" name="actions_0_due_on"' in typed.text
    assert 'inputmode="numeric" placeholder="dd/mm/yyyy" data-typed="dd/mm/yyyy"' in typed.text
    assert officer.post(f"{location}/act/draft_plan", plan).status_code == 303
    assert officer.post(f"{location}/act/submit_plan", {}).status_code == 303
    assert "Kế hoạch chờ phê duyệt" in officer.get(location).text
    refused = officer.post(f"{location}/act/approve_plan", {"decision_ref": "12/QĐ-UBND"})
    assert refused.status_code == 403  # the drafter never approves: the commune chairman decides
    chair = login("chair")
    assert "Phê duyệt kế hoạch" in chair.get(location).text
    approved = chair.post(f"{location}/act/approve_plan", {"decision_ref": "12/QĐ-UBND"})
    assert approved.status_code == 303, approved.text
    page = officer.get(location).text
    assert "Đang thực hiện kế hoạch" in page and "Thăm gia đình hằng tuần" in page and "12/QĐ-UBND" in page
    stale = officer.post(f"{location}/act/submit_plan", {})
    assert stale.status_code in (404, 409)  # not allowed in this status: the page says so, nothing changes
