"""An account's page through the real app: each action (name and contact, move or new role, deactivate and
reactivate, a reset code, ending sessions) by a role allowed to take it, with the sentence saying what
happened; the same refused for roles that may not (the 403 page), for a grant above the manager's own
rank or outside their area (the account page with the reason, audited), bad input a 422 naming the
field, and nothing written on any refusal."""

from __future__ import annotations

import re

import pytest

from tests.staff_web_support import account_state, staff_tree
from tests.support import audit_rows

CODE = re.compile(r'<output id="setup-code">([^<]+)</output>')


@pytest.fixture()
def tree(owner):
    return staff_tree(owner)


def _id(tree, who: str) -> int:
    return int(tree["users"][who].id)


def test_the_account_page_has_a_section_for_each_action(browser, tree):
    b = browser(tree["names"]["officer"])
    page = b.get(f"/staff/{_id(tree, 'collab')}")
    assert page.status_code == 200
    for section in ("edit", "move", "status", "reset", "sessions"):
        assert f'<details class="section" id="{section}"' in page.text
    assert tree["hamlets"][1].name in page.text  # the commune's other hamlets are offered
    assert tree["other_hamlet"].name not in page.text
    own = b.get(f"/staff/{_id(tree, 'officer')}")
    assert own.status_code == 200 and 'id="move"' not in own.text and "tài khoản của bạn" in own.text
    assert b.get(f"/staff/{_id(tree, 'outsider')}").status_code == 404  # another commune's: not leaked


def test_editing_the_name_and_contact(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    uid = _id(tree, "collab")
    b.get(f"/staff/{uid}")
    bad = b.post(f"/staff/{uid}/edit", {"full_name": "", "email": "not-an-address", "phone": ""})
    assert bad.status_code == 422
    assert 'id="full_name-error"' in bad.text and 'id="email-error"' in bad.text
    assert "Không phải địa chỉ thư điện tử." in bad.text
    assert account_state(owner, uid)["email"] is None
    done = b.post(f"/staff/{uid}/edit", {"full_name": "Lê Thị Hoa", "email": "hoa@example.vn", "phone": ""})
    assert done.status_code == 303 and done.headers["location"] == f"/staff/{uid}?done=updated"
    shown = b.get(done.headers["location"]).text
    assert f"Đã lưu tài khoản Lê Thị Hoa ({tree['names']['collab']})." in shown
    assert account_state(owner, uid)["email"] == "hoa@example.vn"
    same = b.post(f"/staff/{uid}/edit", {"full_name": "Lê Thị Hoa", "email": "hoa@example.vn", "phone": ""})
    assert same.headers["location"].endswith("done=unchanged")


def test_a_contact_address_is_not_changed_by_a_manager_who_reads_less(browser, tree, owner):
    b = browser(tree["names"]["district"])
    uid = _id(tree, "officer")
    page = b.get(f"/staff/{uid}").text
    assert 'name="email"' not in page and "địa chỉ liên hệ" in page
    before = account_state(owner, uid)
    refused = b.post(f"/staff/{uid}/edit", {"full_name": before["full_name"], "email": "x@example.vn"})
    assert refused.status_code == 403 and 'id="account-refused"' in refused.text
    assert "địa chỉ liên hệ (nơi nhận mã một lần)" in refused.text
    assert account_state(owner, uid) == before
    assert any(
        r["action"] == "update_contact" for r in audit_rows(owner, tree["names"]["district"], "denied")
    )


def test_moving_an_account_ends_its_sessions(browser, tree, owner):
    collab = browser(tree["names"]["collab"])
    assert collab.get("/children").status_code == 200
    b = browser(tree["names"]["officer"])
    uid = _id(tree, "collab")
    b.get(f"/staff/{uid}")
    target = tree["hamlets"][2]
    moved = b.post(f"/staff/{uid}/move", {"role": "collaborator", "unit_id": str(target.id)})
    assert moved.status_code == 303
    shown = b.get(moved.headers["location"]).text
    assert f"nay là Cộng tác viên tại {target.name}" in shown and "đã kết thúc" in shown
    assert account_state(owner, uid)["unit_id"] == target.id
    assert collab.get("/children", follow_redirects=False).status_code == 303  # the session ended


def test_nobody_grants_more_than_they_hold(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    uid = _id(tree, "collab")
    b.get(f"/staff/{uid}")
    before = account_state(owner, uid)
    denied_before = len(audit_rows(owner, tree["names"]["officer"], "denied"))
    above = b.post(f"/staff/{uid}/move", {"role": "ward_officer", "unit_id": str(tree["commune"].id)})
    assert above.status_code == 403
    assert "không được giao vai trò Cán bộ cấp xã" in above.text and 'id="account-refused"' in above.text
    assert account_state(owner, uid) == before
    assert len(audit_rows(owner, tree["names"]["officer"], "denied")) == denied_before + 1
    district = browser(tree["names"]["district"])
    district.get(f"/staff/{uid}")
    outside = district.post(
        f"/staff/{uid}/move", {"role": "collaborator", "unit_id": str(tree["other_hamlet"].id)}
    )
    assert outside.status_code == 403 and f"{tree['other_hamlet'].name} nằm ngoài địa bàn" in outside.text
    level = b.post(f"/staff/{uid}/move", {"role": "collaborator", "unit_id": str(tree["commune"].id)})
    assert level.status_code == 422 and 'id="unit_id-error"' in level.text
    assert b.post(f"/staff/{uid}/move", {"role": "collaborator", "unit_id": "abc"}).status_code == 422
    assert account_state(owner, uid) == before


def test_deactivate_reactivate_reset_and_end_sessions(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    uid = _id(tree, "collab2")
    b.get(f"/staff/{uid}")
    off = b.post(f"/staff/{uid}/deactivate")
    assert off.status_code == 303
    assert "Đã khóa tài khoản" in b.get(off.headers["location"]).text
    assert account_state(owner, uid)["is_active"] is False
    gone = browser()
    gone.get("/login")
    assert (
        gone.post("/login", {"username": tree["names"]["collab2"], "password": "x" * 12}).status_code == 401
    )
    refused = b.post(f"/staff/{uid}/reset")
    assert refused.status_code == 409 and "Hãy mở lại tài khoản trước" in refused.text
    on = b.post(f"/staff/{uid}/activate")
    assert on.status_code == 303 and "Đã mở lại tài khoản" in b.get(on.headers["location"]).text
    reset = b.post(f"/staff/{uid}/reset")
    assert reset.status_code == 200 and CODE.search(reset.text) and f'href="/staff/{uid}"' in reset.text
    person = browser(tree["names"]["collab2"])
    b.get(f"/staff/{uid}")
    ended = b.post(f"/staff/{uid}/sessions")
    assert ended.status_code == 303 and ended.headers["location"] == f"/staff/{uid}?done=sessions&n=1"
    assert "Đã kết thúc các phiên đăng nhập" in b.get(ended.headers["location"]).text
    assert person.get("/children", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("who", ["collab", "chair", "hotline"])
def test_roles_without_staff_management_get_the_403_page(browser, tree, owner, who):
    b = browser(tree["names"][who])
    uid = _id(tree, "collab2")
    before = account_state(owner, uid)
    page = b.get(f"/staff/{uid}")
    assert page.status_code == 403 and "Bạn không có quyền" in page.text
    for action, form in (
        ("edit", {"full_name": "Kẻ lạ"}),
        ("move", {"role": "collaborator", "unit_id": str(tree["hamlets"][2].id)}),
        ("deactivate", {}),
        ("activate", {}),
        ("reset", {}),
        ("sessions", {}),
    ):
        answer = b.post(f"/staff/{uid}/{action}", form)
        assert answer.status_code == 403, (action, answer.status_code)
        assert "<html" in answer.text and not CODE.search(answer.text)
    assert account_state(owner, uid) == before


def test_nobody_changes_their_own_account(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    uid = _id(tree, "officer")
    b.get(f"/staff/{uid}")
    before = account_state(owner, uid)
    refused = b.post(f"/staff/{uid}/deactivate")
    assert refused.status_code == 403 and "không được tự thay đổi tài khoản" in refused.text
    assert account_state(owner, uid) == before
