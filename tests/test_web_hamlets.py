"""The hamlets page through the real app: a ward officer adds, renames and closes its commune's hamlets;
a district officer opens a commune of its district; a hamlet with people is not closed (409, who is
there said in words); bad input a 422 naming the field; roles that may not get the 403 page and
nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.staff_web_support import staff_tree


@pytest.fixture()
def tree(owner):
    return staff_tree(owner)


def _unit(owner, unit_id: int) -> dict:
    owner.expire_all()
    row = owner.execute(text("SELECT name, valid_to FROM units WHERE id = :i"), {"i": unit_id}).one()
    return dict(row._mapping)


def test_officer_adds_renames_and_closes_a_hamlet(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    page = b.get("/hamlets")
    assert page.status_code == 200
    names = [h.name for h in tree["hamlets"]]
    assert page.text.index(names[1]) < page.text.index(names[2])  # "Thôn 2" before "Thôn 10"
    empty = b.post("/hamlets/new", {"name": "", "kind": ""})
    assert empty.status_code == 422 and 'id="name-error"' in empty.text
    added = b.post("/hamlets/new", {"name": f"Tổ dân phố 9 {tree['tag']}", "kind": "Tổ dân phố"})
    assert added.status_code == 303
    assert (
        f"Đã thêm Tổ dân phố 9 {tree['tag']} vào {tree['commune'].name}."
        in b.get(added.headers["location"]).text
    )
    taken = b.post("/hamlets/new", {"name": f"to dan pho 9 {tree['tag']}", "kind": ""})
    assert taken.status_code == 409 and "Xã đã có thôn/tổ dân phố tên này." in taken.text
    hid = tree["hamlets"][2].id
    blank = b.post(f"/hamlets/{hid}", {f"name_{hid}": ""})
    assert blank.status_code == 422 and f'id="name_{hid}-error"' in blank.text
    renamed = b.post(f"/hamlets/{hid}", {f"name_{hid}": f"Thôn Mười {tree['tag']}"})
    assert renamed.status_code == 303
    assert f"Thôn Mười {tree['tag']}" in b.get(renamed.headers["location"]).text
    unconfirmed = b.post(f"/hamlets/{hid}/close", {})
    assert unconfirmed.status_code == 422 and f'id="confirm_{hid}-error"' in unconfirmed.text
    assert "Hãy đánh dấu ô để xác nhận." in unconfirmed.text and _unit(owner, hid)["valid_to"] is None
    closed = b.post(f"/hamlets/{hid}/close", {f"confirm_{hid}": "on"})
    assert closed.status_code == 303
    said = b.get(closed.headers["location"]).text
    assert f"Đã giải thể Thôn Mười {tree['tag']} từ ngày" in said
    assert _unit(owner, hid)["valid_to"] is not None


def test_a_hamlet_with_people_stays_open(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    b.get("/hamlets")
    hid = tree["hamlets"][1].id
    refused = b.post(f"/hamlets/{hid}/close", {f"confirm_{hid}": "on"})
    assert refused.status_code == 409 and 'id="hamlet-refused"' in refused.text
    assert "còn 0 trẻ em" in refused.text and tree["names"]["collab2"] in refused.text
    with_child = tree["hamlets"][0].id
    refused = b.post(f"/hamlets/{with_child}/close", {f"confirm_{with_child}": "on"})
    assert refused.status_code == 409 and "còn 1 trẻ em" in refused.text
    assert _unit(owner, hid)["valid_to"] is None and _unit(owner, with_child)["valid_to"] is None


def test_a_district_officer_chooses_a_commune_of_its_district(browser, tree):
    b = browser(tree["names"]["district"])
    only = b.get("/hamlets")  # the district's one commune
    assert only.status_code == 200 and tree["hamlets"][0].name in only.text
    page = b.get(f"/hamlets?commune={tree['commune'].id}")
    assert page.status_code == 200 and tree["hamlets"][0].name in page.text
    assert b.get(f"/hamlets?commune={tree['other'].id}").status_code == 403


@pytest.mark.parametrize("who", ["collab", "chair"])
def test_roles_that_keep_no_hamlets_get_the_403_page(browser, tree, owner, who):
    b = browser(tree["names"][who])
    hid = tree["hamlets"][2].id
    assert b.get("/hamlets").status_code == 403
    assert (
        b.post("/hamlets/new", {"name": "Thôn lạ", "commune_id": str(tree["commune"].id)}).status_code == 403
    )
    assert b.post(f"/hamlets/{hid}", {f"name_{hid}": "Thôn lạ"}).status_code == 403
    assert b.post(f"/hamlets/{hid}/close", {f"confirm_{hid}": "on"}).status_code == 403
    assert _unit(owner, hid) == {"name": tree["hamlets"][2].name, "valid_to": None}


def test_another_communes_hamlet_is_refused(browser, tree, owner):
    b = browser(tree["names"]["officer2"])
    hid = tree["hamlets"][2].id
    b.get("/hamlets")
    assert b.post(f"/hamlets/{hid}/close", {f"confirm_{hid}": "on"}).status_code == 403
    assert b.post(f"/hamlets/{hid}", {f"name_{hid}": "Thôn lạ"}).status_code == 403
    assert _unit(owner, hid)["valid_to"] is None
