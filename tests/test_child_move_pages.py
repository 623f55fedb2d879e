"""The move pages over HTTP (no browser), in Vietnamese: the move-out form on the child page, the moves
page of each side with its decisions, the new-child page that opens a transfer, the history after a
move; field errors by field, a move decided meanwhile as a plain 409, never a 500."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from portal.app import create_app
from tests.e2e.site import Browser, add_named_children, child_form, web_tree
from tests.support import fitting_id, make_unit, make_user

FIELD_ERROR = re.compile(r'<span class="field-error" id="([a-z_]+)(?:-\d+)?-error">([^<]+)</span>')


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def world(owner) -> dict[str, Any]:
    """web_tree's commune (the origin, its collaborator and officer) and its second commune (the
    destination) with a hamlet of its own, its officer and collaborator."""
    tree = web_tree(owner)
    tag = tree["tag"]
    tree["dest_hamlet"] = make_unit(owner, tree["other"], "hamlet", f"Thôn đến {tag}")
    tree["users"]["dest_officer"] = make_user(
        owner, f"web-dof-{tag}", "ward_officer", tree["other"].id
    ).username
    tree["users"]["dest_collab"] = make_user(
        owner, f"web-dco-{tag}", "collaborator", tree["dest_hamlet"].id
    ).username
    return tree


@pytest.fixture()
def login(app, world):
    def make(who: str) -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        b.login(world["users"][who])
        return b

    return make


def _errors(page: str) -> dict[str, str]:
    return {name: html.unescape(message) for name, message in FIELD_ERROR.findall(page)}


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _open_move(b: Browser, child_id: Any, world: dict[str, Any]) -> int:
    """Record a move of ``child_id`` to the second commune: found by name, then chosen from the list."""
    b.get(f"/children/{child_id}")
    form = {"destination": f"xa khac {world['tag']}", "moved_on": date.today().strftime("%d/%m/%Y")}
    chosen = b.post(f"/children/{child_id}/move", form | {"reason": "Theo bố mẹ đi làm"})
    assert chosen.status_code == 200, chosen.text  # the communes found: choose one
    assert f'<option value="{world["other"].id}"' in chosen.text
    done = b.post(f"/children/{child_id}/move", form | {"to_unit_id": str(world["other"].id)})
    assert done.status_code == 303 and done.headers["location"] == f"/children/{child_id}?msg=move_opened"
    page = b.get(done.headers["location"])
    assert "Đã ghi nhận việc chuyển đi" in page.text and "đang chuyển đi xã khác" in page.text
    found = re.search(r'action="/moves/(\d+)/cancel"', page.text)
    assert found, "the origin may cancel its move"
    return int(found.group(1))


def test_a_collaborator_moves_a_child_out_and_the_destination_accepts_it(login, world, owner):
    child = world["children"][0]
    collab, officer, dest = login("collab"), login("officer"), login("dest_officer")
    page = collab.get(f"/children/{child.id}")
    assert "<h2>Chuyển đi</h2>" in page.text and 'name="destination"' in page.text
    move_id = _open_move(collab, child.id, world)

    # The destination's ward officer: its home counts the child coming, the moves page names it
    home = dest.get("/ward")
    assert "Trẻ em chuyển đến: 1 chờ quyết định" in _text(home.text)
    incoming = dest.get("/moves?side=in&state=open")
    assert incoming.status_code == 200 and child.full_name in incoming.text
    assert (
        f'action="/moves/{move_id}/accept"' in incoming.text
        and f'action="/moves/{move_id}/refuse"' in incoming.text
    )
    assert f'action="/moves/{move_id}/cancel"' not in incoming.text  # the origin cancels, not the destination
    # ... its collaborator and the origin's see no decision they may not take
    assert f'action="/moves/{move_id}/accept"' not in officer.get("/moves").text
    assert child.full_name not in login("dest_collab").get("/moves").text  # not yet in its hamlet

    missing = dest.post(f"/moves/{move_id}/accept", {"hamlet_id": ""})
    assert missing.status_code == 422
    assert _errors(missing.text) == {"hamlet_id": "Chọn thôn, tổ dân phố nơi trẻ đến sinh sống."}
    wrong = dest.post(f"/moves/{move_id}/accept", {"hamlet_id": str(world["hamlet"].id)})
    assert wrong.status_code == 422
    assert _errors(wrong.text) == {
        "hamlet_id": "Phải là thôn, tổ dân phố đang hoạt động của xã, phường nơi trẻ chuyển đến."
    }
    accepted = dest.post(f"/moves/{move_id}/accept", {"hamlet_id": str(world["dest_hamlet"].id)})
    assert accepted.status_code == 303, accepted.text
    assert "Đã tiếp nhận trẻ vào thôn" in dest.get(accepted.headers["location"]).text

    # The child is the destination's now, its history with it; the origin keeps the move without a name
    record = dest.get(f"/children/{child.id}")
    assert record.status_code == 200 and world["dest_hamlet"].name in record.text
    history = _text(dest.get(f"/children/{child.id}/history").text)
    assert f"Chuyển đến từ {world['hamlet'].name}, {world['commune'].name}" in history
    assert "Ghi nhận chuyển đi xã, phường khác" in history  # the move-out, recorded at the origin
    assert collab.get(f"/children/{child.id}").status_code == 404
    out = officer.get("/moves?side=out&state=completed")
    assert out.status_code == 200 and child.full_name not in out.text
    assert "Trẻ không thuộc hồ sơ đơn vị bạn quản lý" in out.text and f'id="move-{move_id}"' in out.text


def test_move_out_form_errors_name_the_field_in_vietnamese(login, world):
    child = world["children"][1]
    b = login("officer")
    b.get(f"/children/{child.id}")
    cases = [
        ({"destination": "", "moved_on": "01/01/2024"}, "destination", "Nhập mã xã hoặc một phần tên xã"),
        (
            {"destination": "Không có xã này 999", "moved_on": "01/01/2024"},
            "destination",
            "Không có xã, phường",
        ),
        ({"unknown": "on", "moved_on": "01/01/2024"}, "destination_note", "Ghi rõ trẻ đã đi đâu"),
        (
            {"to_unit_id": str(world["commune"].id), "moved_on": "01/01/2024"},
            "destination",
            "Đây là xã, phường nơi trẻ đang ở",
        ),
        ({"to_unit_id": str(world["other"].id), "moved_on": "32/13/2024"}, "moved_on", "dd/mm/yyyy"),
        (
            {
                "to_unit_id": str(world["other"].id),
                "moved_on": (date.today() + timedelta(2)).strftime("%d/%m/%Y"),
            },
            "moved_on",
            "Ngày không được sau hôm nay",
        ),
        (
            {"to_unit_id": str(world["other"].id), "moved_on": "01/01/2001"},
            "moved_on",
            "Trước ngày sinh của trẻ",
        ),
    ]
    for form, field, words in cases:
        r = b.post(f"/children/{child.id}/move", form)
        assert r.status_code == 422, (form, r.status_code)
        errors = _errors(r.text)
        assert field in errors and words.lower() in errors[field].lower(), (form, errors)
        assert 'for="' + field in r.text or field == "destination"  # the field is labelled on the page
    assert "đang chuyển đi xã khác" not in b.get(f"/children/{child.id}").text  # nothing was recorded


def test_a_move_decided_meanwhile_is_a_plain_409(login, world):
    child = world["children"][2]
    collab, dest = login("collab"), login("dest_officer")
    move_id = _open_move(collab, child.id, world)
    dest.get("/moves?side=in&state=open")
    no_reason = dest.post(f"/moves/{move_id}/refuse", {"note": ""})
    assert no_reason.status_code == 422 and _errors(no_reason.text) == {"note": "Ghi rõ lý do."}
    refused = dest.post(f"/moves/{move_id}/refuse", {"note": "Gia đình chưa đến"})
    assert refused.status_code == 303
    # the collaborator's page was loaded before the refusal: cancelling now is a conflict, said plainly
    stale = collab.post(f"/moves/{move_id}/cancel", {"back": f"child:{child.id}"})
    assert stale.status_code == 409
    assert "người khác đã quyết định hoặc thay đổi việc chuyển này" in _text(stale.text)
    again = dest.post(f"/moves/{move_id}/accept", {"hamlet_id": str(world["dest_hamlet"].id)})
    assert again.status_code == 409 and "người khác đã quyết định" in _text(again.text)
    # the child never left: it can be moved again, and the origin cancels that move
    second = _open_move(collab, child.id, world)
    cancelled = collab.post(f"/moves/{second}/cancel", {"back": f"child:{child.id}"})
    assert cancelled.status_code == 303 and cancelled.headers["location"].endswith("msg=move_cancel")
    assert 'name="destination"' in collab.get(f"/children/{child.id}").text


def test_registering_a_number_held_elsewhere_opens_a_transfer_not_an_error(login, world, owner):
    child = world["children"][3]
    number = fitting_id()  # child_form's girl born in 2018
    owner.execute(text("UPDATE children SET national_id = :n WHERE id = :c"), {"n": number, "c": child.id})
    owner.commit()
    dest = login("dest_officer")
    dest.get("/children/new")
    form = child_form(national_id=number, hamlet_id=str(world["dest_hamlet"].id))
    r = dest.post("/children/new", form)
    assert r.status_code == 200, r.text
    page = _text(r.text)
    assert (
        "Đã đề nghị chuyển hồ sơ" in page
        and "Trẻ có số định danh cá nhân này đang được quản lý tại xã khác" in page
    )
    link = re.search(r'href="/moves\?side=in#move-(\d+)"', r.text)
    assert link and child.full_name not in r.text  # the asking side sees nothing of the record yet
    listed = dest.get("/moves?side=in")
    assert f'id="move-{link.group(1)}"' in listed.text and child.full_name not in listed.text
    # the origin's ward officer sees who asks, and releases it
    officer = login("officer")
    out = officer.get("/moves?side=out&state=open")
    assert child.full_name in out.text and f'action="/moves/{link.group(1)}/release"' in out.text
    assert officer.post(f"/moves/{link.group(1)}/release", {}).status_code == 303
    assert dest.get(f"/children/{child.id}").status_code == 200


def test_a_number_already_moving_elsewhere_is_said_plainly(login, world, owner):
    child = world["children"][4]
    number = fitting_id()
    owner.execute(text("UPDATE children SET national_id = :n WHERE id = :c"), {"n": number, "c": child.id})
    owner.commit()
    _open_move(login("collab"), child.id, world)  # on its way to the second commune
    third = make_unit(owner, world["province"], "commune", f"Xã thứ ba {world['tag']}")
    hamlet = make_unit(owner, third, "hamlet", f"Thôn ba {world['tag']}")
    add_named_children(owner, hamlet, [])
    username = make_user(owner, f"web-third-{world['tag']}", "ward_officer", third.id).username
    world["users"]["third"] = username
    b = login("third")
    b.get("/children/new")
    r = b.post("/children/new", child_form(national_id=number, hamlet_id=str(hamlet.id)))
    assert r.status_code == 409
    assert "Chưa ghi nhận: trẻ có số định danh cá nhân này đang được chuyển" in _text(r.text)


def test_who_reaches_the_moves_page(login, world):
    assert login("inspector").get("/moves").status_code == 403
    collab = login("collab")
    page = collab.get("/moves?side=sideways&state=whatever")  # unknown filters are ignored, never a 500
    assert page.status_code == 200 and "Trẻ em chuyển đi, chuyển đến" in page.text
    assert 'href="/moves"' in collab.get("/children").text  # in the menu
