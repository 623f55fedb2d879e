"""The case page's work beyond the workflow, over HTTP through the real app: sharing a case with a
collaborator or another account and revoking the share, reading the informant after its button, the
progress of a plan's actions, "submit the plan" only once a plan is written, the steps in sections.
Each action: the allowed role, a refused role (403, said in words where the case is readable), bad
input (422 naming the field) and nothing written on a refusal."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

from sqlalchemy import text

from infra.clock import today
from tests.e2e.site import Browser
from tests.support import audit_rows


def intake(child_id: str, **overrides: str) -> dict[str, str]:
    form = {
        "channel": "hotline_111",
        "case_type": "neglect",
        "description": "Trẻ thường xuyên ở nhà một mình.",
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


def file_case(b: Browser, child_id: str, **overrides: str) -> str:
    b.get("/cases/new")
    response = b.post("/cases/new", intake(child_id, **overrides))
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


def user_id(owner, username: str) -> int:
    return owner.execute(text("SELECT id FROM users WHERE username = :u"), {"u": username}).scalar_one()


def active_grants(owner, location: str) -> list[int]:
    owner.rollback()
    return list(
        owner.execute(
            text(
                "SELECT user_id FROM case_grants WHERE case_id = :c AND revoked_at IS NULL ORDER BY user_id"
            ),
            {"c": location.rsplit("/", 1)[1]},
        ).scalars()
    )


def choices(page: str, select_id: str) -> str:
    """The options of one select of the page."""
    found = re.search(rf'<select id="{select_id}".*?</select>', page, flags=re.S)
    return found.group(0) if found else ""


def reference(owner, location: str) -> str:
    return owner.execute(
        text("SELECT reference FROM cases WHERE id = :c"), {"c": location.rsplit("/", 1)[1]}
    ).scalar_one()


def test_the_ward_officer_shares_a_case_and_revokes_the_share(login, tree, owner):
    officer = login("officer")
    location = file_case(officer, str(tree["children"][0].id))
    ref = reference(owner, location)
    collab_name = f"Test {tree['users']['collab']}"
    collab = login("collab")
    assert collab.get(location).status_code == 404  # filed by the officer: not the collaborator's

    page = officer.get(location).text
    assert "Ai được xem vụ việc này" in page and "Vụ việc chưa được chia sẻ với ai." in page
    assert 'id="step-grant"' in page and collab_name in choices(page, "grant-user_id")
    grant = f"{location}/act/grant"
    empty = officer.post(grant, {"user_id": "", "username": "", "reason": ""})
    assert empty.status_code == 422
    assert 'id="grant-user_id-error"' in empty.text and 'id="grant-reason-error"' in empty.text
    assert '<details class="section case-step" id="step-grant" open>' in empty.text
    unknown = officer.post(grant, {"username": "no-such-person-xyz", "reason": "Theo dõi"})
    assert unknown.status_code == 422 and 'id="grant-username-error"' in unknown.text
    assert "Không có tài khoản đang hoạt động với tên đăng nhập này." in unknown.text
    both = officer.post(
        grant, {"user_id": str(user_id(owner, tree["users"]["collab"])), "username": "x", "reason": "r"}
    )
    assert both.status_code == 422 and "không nhập cả hai" in both.text
    inspector = officer.post(grant, {"username": tree["users"]["inspector"], "reason": "Theo dõi"})
    assert inspector.status_code == 422 and 'id="grant-username-error"' in inspector.text
    assert "chỉ được chia sẻ với cộng tác viên" in inspector.text  # the service's rule, in words
    assert active_grants(owner, location) == []

    collab_id = user_id(owner, tree["users"]["collab"])
    shared = officer.post(grant, {"user_id": str(collab_id), "reason": "Cộng tác viên theo dõi gia đình"})
    assert shared.status_code == 303, shared.text
    assert re.fullmatch(rf"{location}\?msg=grant&item=[0-9a-f-]{{36}}", shared.headers["location"])
    after = officer.get(shared.headers["location"]).text
    assert f"Đã chia sẻ vụ việc {ref} với {collab_name} (Cộng tác viên)" in after
    assert "Cộng tác viên theo dõi gia đình" in after and collab_name not in choices(after, "grant-user_id")
    assert active_grants(owner, location) == [collab_id]
    again = officer.post(grant, {"user_id": str(collab_id), "reason": "lần nữa"})
    assert again.status_code == 409 and "Chưa chia sẻ: người này đã được xem vụ việc." in again.text
    assert active_grants(owner, location) == [collab_id]

    # the collaborator reads it now, and only reads: no steps, no sharing, no informant
    seen = collab.get(location)
    assert seen.status_code == 200 and ref in seen.text
    assert "Thao tác tiếp theo" not in seen.text and "Thu hồi" not in seen.text
    assert "Xem người báo tin" not in seen.text and "Bà Hàng Xóm" not in seen.text
    assert location in collab.get("/cases").text
    grant_id = re.search(rf"{location}/grants/([0-9a-f-]{{36}})/revoke", after).group(1)
    # a grantee neither shares nor revokes: the refusal said on the case's page, audited, nothing changed
    denied_before = len(audit_rows(owner, tree["users"]["collab"], "denied"))
    reshare = collab.post(grant, {"user_id": str(collab_id), "reason": "x"})
    assert reshare.status_code == 403 and "chỉ cán bộ cấp xã của xã/phường có vụ việc" in reshare.text
    revoke = collab.post(f"{location}/grants/{grant_id}/revoke")
    assert revoke.status_code == 403 and "không ai xem được nhiều hơn người chia sẻ" in revoke.text
    assert len(audit_rows(owner, tree["users"]["collab"], "denied")) == denied_before + 2
    assert active_grants(owner, location) == [collab_id]

    # another allowed account by its username: a ward officer of another commune
    other = officer.post(
        grant, {"username": tree["users"]["other_officer"], "reason": "Trẻ chuyển đến xã khác"}
    )
    assert other.status_code == 303
    elsewhere = login("other_officer")
    assert elsewhere.get(location).status_code == 200
    # a grantee, even a ward officer, never passes the case on: they would read more than was given
    passed_on = elsewhere.post(grant, {"username": tree["users"]["collab"], "reason": "chuyển tiếp"})
    assert passed_on.status_code == 403 and "không ai xem được nhiều hơn người chia sẻ" in passed_on.text
    holders = sorted([collab_id, user_id(owner, tree["users"]["other_officer"])])
    assert active_grants(owner, location) == holders
    assert officer.post(f"{location}/grants/{uuid.uuid4()}/revoke").status_code == 404  # no such share

    revoked = officer.post(f"{location}/grants/{grant_id}/revoke")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"{location}?msg=revoke&item={grant_id}"
    final = officer.get(revoked.headers["location"]).text
    assert f"Đã thu hồi quyền xem vụ việc {ref} của {collab_name}" in final
    assert re.search(r"<td>Đã thu hồi \d\d/\d\d/\d{4}", final)
    assert active_grants(owner, location) == [user_id(owner, tree["users"]["other_officer"])]
    gone = collab.get(location)
    assert gone.status_code == 404 and ref not in gone.text
    assert location not in collab.get("/cases").text
    events = owner.execute(
        text("SELECT action FROM case_events WHERE case_id = :c ORDER BY at"),
        {"c": location.rsplit("/", 1)[1]},
    ).scalars()
    assert [e for e in events if e in ("grant", "revoke")] == ["grant", "grant", "revoke"]
    inspector = login("inspector")
    inspector.get("/dashboard")  # a page of theirs, for the form's token
    refused = inspector.post(grant, {"user_id": str(collab_id), "reason": "x"})
    assert refused.status_code == 403 and "Bạn không có quyền xem trang này." in refused.text
    assert active_grants(owner, location) == [user_id(owner, tree["users"]["other_officer"])]


def test_the_informant_is_shown_only_after_its_button_and_each_reading_is_audited(login, tree, owner):
    collab = login("collab")
    location = file_case(collab, str(tree["children"][1].id))  # the collaborator keeps reading it
    officer = login("officer")
    page = officer.get(location).text
    assert "Xem người báo tin" in page and "Bà Hàng Xóm" not in page and "0987654321" not in page

    def readings() -> int:
        return sum(r["action"] == "read_informant" for r in audit_rows(owner, tree["users"]["officer"]))

    before = readings()
    shown = officer.post(f"{location}/informant")
    assert shown.status_code == 200 and "Bà Hàng Xóm" in shown.text and "0987654321" in shown.text
    assert "Xem người báo tin" not in shown.text and readings() == before + 1
    assert "Bà Hàng Xóm" not in officer.get(location).text  # never on the page as it opens
    assert officer.post(f"{location}/informant", csrf=False).status_code == 403  # a form, with its token
    assert readings() == before + 1

    refused = collab.post(f"{location}/informant")
    assert refused.status_code == 403 and "Bà Hàng Xóm" not in refused.text
    assert "Chỉ cán bộ cấp xã của xã/phường có vụ việc mới được xem người báo tin." in refused.text
    reader = login("inspector")
    reader.get("/dashboard")
    inspector = reader.post(f"{location}/informant")
    assert inspector.status_code == 403 and "Bà Hàng Xóm" not in inspector.text
    assert "Bạn không có quyền xem trang này." in inspector.text  # no case at all: the refusal page

    anonymous = file_case(
        officer,
        str(tree["children"][2].id),
        informant_full_name="",
        informant_phone="",
        informant_relationship="",
        informant_anonymous="on",
    )
    assert "Người báo tin đề nghị giấu tên." in officer.post(f"{anonymous}/informant").text


def _in_progress(login, tree, child) -> tuple[Browser, str]:
    """A case whose plan (two actions) the chairman approved, through the pages."""
    officer = login("officer")
    location = file_case(officer, str(child.id))
    assert (
        officer.post(f"{location}/act/assess", {"risk_level": "high", "summary": "Nguy cơ cao."}).status_code
        == 303
    )
    soon = (today() + timedelta(days=10)).strftime("%d/%m/%Y")
    page = officer.get(location).text
    assert 'id="step-submit_plan"' not in page  # nothing to submit before a plan is written
    early = officer.post(f"{location}/act/submit_plan", {})
    assert early.status_code == 422 and "Hãy lập kế hoạch hỗ trợ trước, sau đó mới trình." in early.text
    plan = {
        "goals": "Trẻ được chăm sóc đầy đủ.",
        "review_on": soon,
        "actions_0_description": "Thăm gia đình hằng tuần",
        "actions_0_owner": "CTV thôn",
        "actions_0_due_on": soon,
        "actions_1_description": "Khám sức khỏe",
        "actions_1_owner": "Trạm y tế",
        "actions_1_due_on": soon,
    }
    drafted = officer.post(f"{location}/act/draft_plan", plan)
    assert drafted.status_code == 303
    page = officer.get(drafted.headers["location"]).text
    assert "Đã lưu bản nháp kế hoạch hỗ trợ" in page
    assert '<details class="section case-step" id="step-submit_plan" open>' in page  # the next step, open
    assert officer.post(f"{location}/act/submit_plan", {}).status_code == 303
    chair = login("chair")
    chair.get(location)
    assert chair.post(f"{location}/act/approve_plan", {"decision_ref": "12/QĐ-UBND"}).status_code == 303
    return officer, location


def _action_status(owner, action_id: str) -> tuple[str, str | None]:
    owner.rollback()
    row = owner.execute(
        text("SELECT status, result FROM case_plan_actions WHERE id = :a"), {"a": action_id}
    ).one()
    return row[0], row[1]


def test_the_progress_of_a_plan_action_is_recorded_on_the_page(login, tree, owner):
    officer, location = _in_progress(login, tree, tree["children"][3])
    page = officer.get(location).text
    assert "Ghi tiến độ: Thăm gia đình hằng tuần" in page
    action_id = re.search(rf'action="{location}/actions/([0-9a-f-]{{36}})"', page).group(1)
    url = f"{location}/actions/{action_id}"
    form = f"plan-action-{action_id}"
    blank = officer.post(url, {"status": "", "result": ""})
    assert blank.status_code == 422 and f'id="{form}-status-error"' in blank.text
    assert f'<details class="section case-step" id="step-{form}" open>' in blank.text
    no_result = officer.post(url, {"status": "done", "result": ""})
    assert no_result.status_code == 422 and f'id="{form}-result-error"' in no_result.text
    bogus = officer.post(url, {"status": "finished", "result": "x"})
    assert bogus.status_code == 422 and f'id="{form}-status-error"' in bogus.text
    assert _action_status(owner, action_id) == ("planned", None)
    chair = login("chair")
    assert "Ghi tiến độ" not in chair.get(location).text  # the chairman decided the plan: reads, no more
    refused = chair.post(url, {"status": "done", "result": "Đã thăm"})
    assert refused.status_code == 403 and "Chưa thực hiện: bạn không được làm bước này" in refused.text
    inspector = login("inspector")
    inspector.get("/dashboard")
    assert inspector.post(url, {"status": "done", "result": "Đã thăm"}).status_code == 403
    assert _action_status(owner, action_id) == ("planned", None)

    done = officer.post(url, {"status": "done", "result": "Gia đình hợp tác tốt"})
    assert done.status_code == 303
    ref = reference(owner, location)
    shown = html.unescape(officer.get(done.headers["location"]).text)
    assert f'Đã ghi hoạt động "Thăm gia đình hằng tuần" của vụ việc {ref} là: Đã thực hiện.' in shown
    assert "Gia đình hợp tác tốt" in shown
    assert _action_status(owner, action_id) == ("done", "Gia đình hợp tác tốt")
    officer.client.cookies.set("portal_lang", "en")
    english = html.unescape(officer.get(done.headers["location"]).text)
    assert f'Action "Thăm gia đình hằng tuần" of case {ref} recorded as: Done.' in english


def test_the_steps_are_sections_with_the_next_one_open(login, tree):
    officer = login("officer")
    location = file_case(officer, str(tree["children"][4].id))
    page = officer.get(location).text
    sections = re.findall(r'<details class="section case-step" id="step-(\w+)"( open)?>', page)
    names = [name for name, _ in sections]
    assert {"assign", "assess", "close", "refer", "link", "note", "grant", "attach"} <= set(names)
    assert [name for name, opened in sections if opened] == ["assess"]  # the case's next step
    assert '<li class="current" aria-current="step">Đã tiếp nhận</li>' in page
    assert page.count('<form method="post" action="/cases/') == len(names) + 1  # + the informant's button
    assert 'tabindex="0" role="region" aria-label="Thời hạn xử lý"' in page
    assert "<th></th>" not in page and '<th scope="col"></th>' not in page
