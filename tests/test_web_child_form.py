"""The child's add and edit forms keep the whole record: every guardian (who the child lives with), the
household code; the history says what changed; days are typed as dd/mm/yyyy on every page's form.

Posted through the real app (login, form token); what is stored is read back from the database.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import text

from tests.e2e.site import Browser, child_form

FIELD_ERROR = re.compile(r'<span class="field-error" id="([\w-]+)-error">([^<]*)</span>')


def _errors(page: str) -> dict[str, str]:
    return {name: html.unescape(message) for name, message in FIELD_ERROR.findall(page)}


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


class _Form(HTMLParser):
    """What a browser would post from the page's form ``action`` as it is shown (inputs, ticked boxes,
    chosen options, text areas)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values = action, False, {}
        self.select: str | None = None
        self.area: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside or "name" not in a:
            return
        if tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
            self.values.setdefault(a["name"], "")
        elif tag == "textarea":
            self.area = a["name"]
            self.values[a["name"]] = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        self.select = None if tag == "select" else self.select
        self.area = None if tag == "textarea" else self.area

    def handle_data(self, data: str) -> None:
        if self.inside and self.area:
            self.values[self.area] += data


def _option_selected(page: str, values: dict[str, str]) -> None:
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        if chosen:
            values[name] = chosen.group(1)


def shown_form(b: Browser, path: str) -> dict[str, str]:
    page = b.get(path).text
    parser = _Form(path)
    parser.feed(page)
    values = dict(parser.values)
    _option_selected(page, values)
    values.pop("_csrf", None)
    return values


def guardians(owner: Any, child_id: Any) -> list[tuple[Any, ...]]:
    owner.expire_all()
    rows = owner.execute(
        text(
            "SELECT full_name, relationship, phone, lives_with_child FROM guardians WHERE child_id = :c "
            "ORDER BY id"
        ),
        {"c": child_id},
    )
    return [tuple(r) for r in rows]


def household(owner: Any, child_id: Any) -> str | None:
    return owner.execute(text("SELECT household_code FROM children WHERE id = :c"), {"c": child_id}).scalar()


def history_count(owner: Any, child_id: Any) -> int:
    query = text("SELECT count(*) FROM child_history WHERE child_id = :c")
    return int(owner.execute(query, {"c": child_id}).scalar() or 0)


MOTHER = {"gd_0_full_name": "Trần Thị Mai", "gd_0_relationship": "mother", "gd_0_phone": "0912 345 678"}


def test_the_add_form_keeps_every_guardian_the_household_and_who_the_child_lives_with(login, tree, owner):
    b = login("collab")
    page = b.get("/children/new").text
    assert page.count('name="gd_') == 3 * 4 and 'name="gd_2_lives_with_child" value="on" checked' in page
    assert 'name="gd_0_remove"' not in page  # three blank rows, ticked "lives with"; nothing to remove
    assert 'name="household_code"' in page
    form = child_form(full_name="Phạm Gia Bảo", hamlet_id=str(tree["hamlet"].id), household_code=" HGD-0042 ")
    form.update(MOTHER, gd_0_lives_with_child="on")
    form.update(gd_1_full_name="", gd_1_relationship="", gd_1_phone="", gd_1_lives_with_child="on")  # empty
    form.update(gd_2_full_name="Phạm Văn Hùng", gd_2_relationship="father", gd_2_phone="0987-654-321")
    made = b.post("/children/new", form)  # gd_2_lives_with_child not sent: the box is not ticked
    assert made.status_code == 303, _errors(made.text)
    child_id = made.headers["location"][10:46]
    assert guardians(owner, child_id) == [
        ("Trần Thị Mai", "mother", "0912 345 678", True),
        ("Phạm Văn Hùng", "father", "0987-654-321", False),
    ]
    assert household(owner, child_id) == "HGD-0042"
    shown = _text(b.get(f"/children/{child_id}").text)
    assert "Mã hộ gia đình HGD-0042" in shown
    assert (
        "Cha mẹ, người chăm sóc Trần Thị Mai (Mẹ · 0912 345 678); Phạm Văn Hùng (Cha · 0987-654-321)" in shown
    )
    assert "Trẻ sống cùng Trần Thị Mai (Mẹ) " in shown
    history = _text(b.get(f"/children/{child_id}/history").text)
    assert "Tạo hồ sơ" in history

    # a child recorded without either: the page says so in the words of the completeness figures
    bare = child_form(full_name="Lò Văn Nhất", hamlet_id=str(tree["hamlet"].id), gd_0_full_name="")
    bare.update(gd_0_relationship="", gd_0_phone="")
    made = b.post("/children/new", bare)
    assert made.status_code == 303, _errors(made.text)
    bare_id = made.headers["location"][10:46]
    assert guardians(owner, bare_id) == [] and household(owner, bare_id) is None  # blank is none, not ""
    shown = _text(b.get(f"/children/{bare_id}").text)
    assert "Mã hộ gia đình Chưa ghi hộ gia đình" in shown and "Trẻ sống cùng Chưa ghi người chăm sóc" in shown


def test_a_guardian_row_that_is_wrong_is_named_and_nothing_is_saved(login, tree, owner):
    b = login("collab")
    b.get("/children/new")
    name = f"Không Lưu {tree['tag']}"
    base = child_form(full_name=name, hamlet_id=str(tree["hamlet"].id))
    cases = [
        ({"gd_0_relationship": ""}, {"gd_0_relationship": "Chọn quan hệ của người này với trẻ."}),
        (
            {"gd_0_full_name": "", "gd_0_relationship": "grandparent"},
            {"gd_0_full_name": "Nhập họ tên người này, hoặc để trống cả dòng."},
        ),
        ({"gd_0_relationship": "uncle"}, {"gd_0_relationship": "Chọn một quan hệ trong danh sách."}),
        (  # the service's problem with the second guardian sent, typed on the third row
            {"gd_2_full_name": "Bà Tư", "gd_2_relationship": "grandparent", "gd_2_phone": "12ab"},
            {"gd_2_phone": "Không phải số điện thoại: nhập các chữ số, ví dụ 0912 345 678."},
        ),
    ]
    for change, expected in cases:
        shown = b.post("/children/new", {**base, **change})
        assert shown.status_code == 422, (change, shown.status_code)
        assert _errors(shown.text) == expected, change
        assert "Chưa lưu: hãy sửa các ô được đánh dấu." in html.unescape(shown.text)
        for field, value in change.items():  # what was typed is shown again
            if field.endswith(("full_name", "phone")) and value:
                assert f'value="{value}"' in shown.text
    english = login("collab", "en")
    english.get("/children/new")
    shown = english.post("/children/new", {**base, "gd_0_relationship": ""})
    assert _errors(shown.text) == {"gd_0_relationship": "Choose how this person is related to the child."}
    count = owner.execute(text("SELECT count(*) FROM children WHERE full_name = :n"), {"n": name}).scalar()
    assert count == 0


def test_the_edit_form_changes_removes_and_adds_guardians_and_the_history_says_what(login, tree, owner):
    child = tree["children"][2]
    path = f"/children/{child.id}"
    b = login("collab")

    # add two guardians and the household code
    form = shown_form(b, path)
    assert form["gd_0_full_name"] == "" and form["gd_0_lives_with_child"] == "on"  # a blank row, ticked
    form.update(MOTHER, household_code="HGD-7")
    form.update(gd_1_full_name="Hoàng Văn Nam", gd_1_relationship="father", gd_1_phone="")
    form.pop("gd_1_lives_with_child")  # the father works far away
    saved = b.post(path, form)
    assert saved.status_code == 303, _errors(saved.text)
    assert guardians(owner, child.id) == [
        ("Trần Thị Mai", "mother", "0912 345 678", True),
        ("Hoàng Văn Nam", "father", None, False),
    ]
    assert household(owner, child.id) == "HGD-7"

    # the form as shown, sent back unchanged, changes nothing (no history entry either)
    before = history_count(owner, child.id)
    form = shown_form(b, path)
    assert form["gd_1_full_name"] == "Hoàng Văn Nam" and "gd_1_lives_with_child" not in form
    assert 'name="gd_0_remove"' in b.get(path).text and 'name="gd_2_remove"' not in b.get(path).text
    assert b.post(path, form).status_code == 303
    assert history_count(owner, child.id) == before

    # change the mother's phone and where she lives, remove the father, add a grandmother
    form = shown_form(b, path)
    form.update(gd_0_phone="0987 000 111", gd_1_remove="on")
    form.pop("gd_0_lives_with_child")
    form.update(gd_2_full_name="Nguyễn Thị Lụa", gd_2_relationship="grandparent", gd_2_lives_with_child="on")
    saved = b.post(path, form)
    assert saved.status_code == 303, _errors(saved.text)
    assert guardians(owner, child.id) == [
        ("Trần Thị Mai", "mother", "0987 000 111", False),
        ("Nguyễn Thị Lụa", "grandparent", None, True),
    ]
    shown = _text(b.get(path).text)
    assert "Trẻ sống cùng Nguyễn Thị Lụa (Ông/Bà) " in shown

    # a name corrected, and the household code taken off
    form = shown_form(b, path)
    form.update(gd_1_full_name="Nguyễn Thị Lụa Hoa", household_code="")
    form.pop("gd_1_lives_with_child")  # and the child no longer lives with any of them
    assert b.post(path, form).status_code == 303
    assert household(owner, child.id) is None
    assert "Trẻ sống cùng Không ai trong số người chăm sóc đã ghi" in _text(b.get(path).text)

    # a bad row on the edit form: named, and the record as it was
    form = shown_form(b, path)
    form.update(gd_0_phone="không có", gd_3_full_name="Ông Ba")
    refused = b.post(path, form)
    assert refused.status_code == 422
    assert _errors(refused.text) == {"gd_3_relationship": "Chọn quan hệ của người này với trẻ."}
    refused = b.post(path, {**form, "gd_3_relationship": "relative"})
    assert _errors(refused.text) == {
        "gd_0_phone": "Không phải số điện thoại: nhập các chữ số, ví dụ 0912 345 678."
    }
    assert [g[0] for g in guardians(owner, child.id)] == ["Trần Thị Mai", "Nguyễn Thị Lụa Hoa"]

    # a change the system made: named as the system, never "None"
    owner.execute(
        text(
            "INSERT INTO child_history (child_id, actor_id, actor_username, action, hamlet_id, before, after) "
            "VALUES (:c, NULL, NULL, 'update', :h, "
            '\'{"household_code": null}\', \'{"household_code": "H-9"}\')'
        ),
        {"c": child.id, "h": child.hamlet_id},
    )
    owner.commit()
    history = _text(b.get(f"{path}/history").text)
    for line in (
        "Thêm người chăm sóc: Trần Thị Mai (Mẹ), điện thoại 0912 345 678, sống cùng trẻ",
        "Thêm người chăm sóc: Hoàng Văn Nam (Cha), không sống cùng trẻ",
        "Mã hộ gia đình: — → HGD-7",
        "Sửa thông tin người chăm sóc Trần Thị Mai (Mẹ): điện thoại 0912 345 678 → 0987 000 111; "
        "không còn sống cùng trẻ",
        "Xóa người chăm sóc: Hoàng Văn Nam (Cha)",
        "Thêm người chăm sóc: Nguyễn Thị Lụa (Ông/Bà), sống cùng trẻ",
        "Sửa thông tin người chăm sóc Nguyễn Thị Lụa (Ông/Bà): họ tên Nguyễn Thị Lụa → Nguyễn Thị Lụa Hoa; "
        "không còn sống cùng trẻ",
        "Mã hộ gia đình: HGD-7 → —",
        "Hệ thống",
        "Mã hộ gia đình: — → H-9",
    ):
        assert line in history, line
    assert "None" not in history and tree["users"]["collab"] in history
    english = login("collab", "en")
    history = _text(english.get(f"{path}/history").text)
    for line in (
        "Guardian added: Trần Thị Mai (Mother), phone 0912 345 678, lives with the child",
        "Guardian changed: Trần Thị Mai (Mother): phone 0912 345 678 → 0987 000 111; "
        "no longer lives with the child",
        "Guardian removed: Hoàng Văn Nam (Father)",
        "Household code: HGD-7 → —",
        "The system",
    ):
        assert line in history, line


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2018-03-04", "Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 04/03/2018."),
        ("04.03.2018", "Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 04/03/2018."),
        ("04-03-2018", "Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 04/03/2018."),
        ("04032018", "Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 04/03/2018."),
        ("03/25/2018", "Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 25/03/2018."),
        ("4/3/18", "Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 04/03/2018."),
        (
            "31/02/2018",
            "Ngày sinh: không có ngày này. Nhập theo dạng dd/mm/yyyy (ngày, tháng, năm), ví dụ 04/03/2018.",
        ),
    ],
)
def test_a_date_of_birth_in_another_shape_is_refused_with_what_it_reads_as(login, tree, owner, typed, said):
    b = login("collab")
    b.get("/children/new")
    name = f"Ngày Khác {tree['tag']}"
    hamlet = str(tree["hamlet"].id)
    shown = b.post("/children/new", child_form(full_name=name, date_of_birth=typed, hamlet_id=hamlet))
    assert shown.status_code == 422
    assert _errors(shown.text) == {"date_of_birth": said}
    assert f'value="{typed}"' in shown.text  # kept as typed, to correct
    count = owner.execute(text("SELECT count(*) FROM children WHERE full_name = :n"), {"n": name}).scalar()
    assert count == 0
    fixed = child_form(full_name=name, date_of_birth="4/3/2018", hamlet_id=hamlet)
    assert b.post("/children/new", fixed).status_code == 303


def test_every_page_form_reads_days_the_same_way(login, tree, owner):
    child = tree["children"][3]
    officer = login("officer")
    path = f"/children/{child.id}"
    form = shown_form(officer, path)
    rows = {"gp_0_code": "d", "gp_0_since": "2024-06-01", "rk_0_code": "poor_household"}
    rows.update(rk_0_since="01/06/2024", rk_0_until="1.7.2024")
    refused = officer.post(path, {**form, **rows})
    assert refused.status_code == 422
    assert _errors(refused.text) == {
        "gp_0_since": "Nhóm hoàn cảnh đặc biệt 1 – Từ ngày: nhập theo dạng dd/mm/yyyy, ví dụ 01/06/2024.",
        "rk_0_until": "Nguy cơ 1 – Đến ngày: nhập theo dạng dd/mm/yyyy, ví dụ 01/07/2024.",
    }
    periods = owner.execute(text("SELECT count(*) FROM child_periods WHERE child_id = :c"), {"c": child.id})
    assert periods.scalar() == 0

    officer.get(path)
    moved = officer.post(f"{path}/move", {"to_unit_id": str(tree["other"].id), "moved_on": "01.01.2024"})
    assert moved.status_code == 422
    assert _errors(moved.text)["moved_on"] == "Ngày chuyển đi: nhập theo dạng dd/mm/yyyy, ví dụ 01/01/2024."

    collab = login("collab")
    collab.get("/cases/new")
    intake = {
        "channel": "hotline_111",
        "case_type": "neglect",
        "description": "Trẻ thường xuyên ở nhà một mình.",
        "received_at": "2024-01-02 08:15",
        "place": "Tại nhà",
        "child_id": str(child.id),
        "do": "save",
    }
    filed = collab.post("/cases/new", intake)
    assert filed.status_code == 422
    assert _errors(filed.text)["received_at"] == (
        "Thời điểm tiếp nhận: nhập theo dạng dd/mm/yyyy hh:mm, ví dụ 02/01/2024 08:15."
    )
    cases = owner.execute(text("SELECT count(*) FROM cases WHERE child_id = :c"), {"c": child.id})
    assert cases.scalar() == 0


@pytest.mark.parametrize("path", ["/children/new", "child", "/cases/new"])
def test_date_inputs_are_text_with_a_number_pad_and_the_form_as_placeholder(login, tree, path):
    b = login("officer" if path == "child" else "collab")
    page = b.get(f"/children/{tree['children'][0].id}" if path == "child" else path).text
    assert 'type="date"' not in page
    inputs = re.findall(r"<input [^>]*placeholder=\"dd/mm/yyyy[^\"]*\"[^>]*>", page)
    assert inputs, path
    for tag in inputs:
        assert 'inputmode="numeric"' in tag and "data-typed=" in tag and "type=" not in tag, tag
