"""Training pages through the real app: a district officer records a course, changes it and records who
attended; the ward officer and the collaborator read them (the commune's attendance and counts for the
ward officer); everyone else, and every write by a role the API refuses, gets the 403 page; bad input
is a 422 naming the field; nothing is written on a refusal. A course lies in the past unless the test
says otherwise (attendance is recorded once a course has taken place)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from infra.clock import today
from portal.web.i18n import fmt_date
from tests.e2e.site import Browser
from tests.staff_web_support import attendance_of, courses_titled, staff_tree
from tests.support import make_user

COURSE = re.compile(r"/trainings/(\d+)\?done=created")


@pytest.fixture()
def tree(owner):
    return staff_tree(owner)


def _form(tree, **overrides: str) -> dict[str, str]:
    form = {
        "title": f"Kỹ năng phòng chống đuối nước {tree['tag']}",
        "unit_id": str(tree["district"].id),
        "held_on": fmt_date(today() - timedelta(days=3)),
        "place": "Hội trường huyện",
        "topic": "Phòng chống đuối nước",
    }
    form.update(overrides)
    return form


def _course(browser, tree, **overrides: str) -> tuple[Browser, int]:
    b = browser(tree["names"]["district"])
    b.get("/trainings")
    made = b.post("/trainings/new", _form(tree, **overrides))
    assert made.status_code == 303, made.text
    return b, int(COURSE.search(made.headers["location"]).group(1))


def test_a_district_officer_records_a_training(browser, tree, owner):
    b = browser(tree["names"]["district"])
    page = b.get("/trainings")
    assert page.status_code == 200 and 'action="/trainings/new"' in page.text
    assert f'<option value="{tree["district2"].id}"' not in page.text  # only the caller's own district
    bad = b.post("/trainings/new", _form(tree, title="", held_on="2026-01-05"))
    assert bad.status_code == 422
    assert 'id="title-error"' in bad.text and 'id="held_on-error"' in bad.text and "dd/mm/yyyy" in bad.text
    assert not courses_titled(owner, _form(tree)["title"])
    outside = b.post("/trainings/new", _form(tree, unit_id=str(tree["district2"].id)))
    assert outside.status_code == 403 and "Bạn không có quyền" in outside.text
    assert not courses_titled(owner, _form(tree)["title"])
    made = b.post("/trainings/new", _form(tree))
    assert made.status_code == 303
    shown = b.get(made.headers["location"]).text
    day = fmt_date(today() - timedelta(days=3))
    title = _form(tree)["title"]
    assert f"Đã ghi khóa tập huấn “{title}” của {tree['district'].name} ngày {day}." in shown
    listed = b.get(f"/trainings?year={(today() - timedelta(days=3)).year}")
    assert title in listed.text and 'role="region"' in listed.text


def test_the_year_filter_names_a_bad_year(browser, tree):
    b = browser(tree["names"]["collab"])
    assert b.get("/trainings?year=20x6").status_code == 422
    far = b.get("/trainings?year=1999")
    assert far.status_code == 422 and 'id="year-error"' in far.text


def test_recording_who_attended(browser, tree, owner):
    b, course = _course(browser, tree)
    page = b.get(f"/trainings/{course}")
    assert 'id="record-attendance"' in page.text and tree["names"]["collab"] in page.text
    assert tree["names"]["outsider"] not in page.text  # another district's collaborator is not offered
    none = b.post(f"/trainings/{course}/attendees", {})
    assert none.status_code == 422 and "Chọn ít nhất một người." in none.text
    ids = [tree["users"][k].id for k in ("collab", "outsider")]
    mixed = b.post(f"/trainings/{course}/attendees", {"user_ids": [str(i) for i in ids]})
    assert mixed.status_code == 422 and "Không có tài khoản này trong địa bàn của bạn." in mixed.text
    assert f"Tài khoản số {ids[1]}" in mixed.text
    assert attendance_of(owner, course) == set()  # all or nothing
    wanted = [tree["users"]["collab"].id, tree["users"]["officer"].id]
    done = b.post(f"/trainings/{course}/attendees", {"user_ids": [str(i) for i in wanted]})
    assert done.status_code == 303
    said = b.get(done.headers["location"]).text
    assert "Đã ghi nhận tham dự khóa tập huấn" in said and tree["users"]["collab"].full_name in said
    assert attendance_of(owner, course) == set(wanted)
    officer = browser(tree["names"]["officer"])
    seen = officer.get(f"/trainings/{course}").text
    assert tree["names"]["collab"] in seen and 'id="record-attendance"' not in seen
    mine = browser(tree["names"]["collab"]).get("/trainings").text
    assert "Các khóa tập huấn bạn đã tham dự" in mine and _form(tree)["title"] in mine
    removed = b.post(f"/trainings/{course}/attendees/{wanted[1]}/remove")
    assert removed.status_code == 303 and "Đã bỏ khỏi danh sách" in b.get(removed.headers["location"]).text
    assert attendance_of(owner, course) == {wanted[0]}


def test_a_future_training_takes_no_attendance(browser, tree, owner):
    b, course = _course(browser, tree, held_on=fmt_date(today() + timedelta(days=10)))
    page = b.get(f"/trainings/{course}").text
    assert "sau khi khóa tập huấn đã diễn ra" in page and 'name="user_ids"' not in page
    refused = b.post(f"/trainings/{course}/attendees", {"user_ids": str(tree["users"]["collab"].id)})
    assert refused.status_code == 409 and "khóa tập huấn chưa diễn ra" in refused.text
    assert attendance_of(owner, course) == set()


def test_changing_a_training(browser, tree, owner):
    b, course = _course(browser, tree)
    title = _form(tree)["title"]
    bad = b.post(f"/trainings/{course}", {"title": title, "held_on": "31/02/2026", "place": "", "topic": ""})
    assert (
        bad.status_code == 422
        and 'id="held_on-error"' in bad.text
        and "không có ngày này" in bad.text.lower()
    )
    new_title = f"Sơ cứu trẻ em {tree['tag']}"
    form = {"title": new_title, "held_on": _form(tree)["held_on"], "place": "Nhà văn hóa xã", "topic": ""}
    saved = b.post(f"/trainings/{course}", form)
    assert saved.status_code == 303
    assert f"Đã lưu khóa tập huấn “{new_title}”." in b.get(saved.headers["location"]).text
    stored = courses_titled(owner, new_title)
    assert stored and stored[0]["place"] == "Nhà văn hóa xã" and stored[0]["topic"] is None


@pytest.mark.parametrize("who", ["officer", "collab"])
def test_the_ward_officer_and_the_collaborator_record_nothing(browser, tree, owner, who):
    """Nothing of the district's course: a ward officer records only the commune's own trainings
    (tests/test_web_briefings.py), a collaborator none."""
    _b, course = _course(browser, tree)
    b = browser(tree["names"][who])
    listed = b.get("/trainings")
    assert listed.status_code == 200 and _form(tree)["title"] in listed.text
    assert ('action="/trainings/new"' in listed.text) == (who == "officer")
    title = f"Khóa tự ghi {tree['tag']}"
    assert b.post("/trainings/new", _form(tree, title=title)).status_code == 403
    blank = b.post("/trainings/new", _form(tree, title="")).status_code
    assert blank == (422 if who == "officer" else 403)  # a collaborator is refused before any check
    assert not courses_titled(owner, title)
    page = b.get(f"/trainings/{course}").text
    assert 'id="edit-training"' not in page and 'id="record-attendance"' not in page
    attend = b.post(f"/trainings/{course}/attendees", {"user_ids": str(tree["users"]["collab"].id)})
    assert attend.status_code == 403 and "<html" in attend.text
    change = b.post(f"/trainings/{course}", {"title": title, "held_on": _form(tree)["held_on"]})
    assert change.status_code == 403
    assert attendance_of(owner, course) == set() and not courses_titled(owner, title)


@pytest.mark.parametrize("who", ["chair", "hotline"])
def test_roles_without_trainings_get_the_403_page(browser, tree, who):
    b = browser(tree["names"][who])
    for path in ("/trainings", "/trainings/attendance"):
        answer = b.get(path)
        assert answer.status_code == 403 and "Bạn không có quyền" in answer.text


def test_the_commune_s_attendance_and_counts(browser, tree):
    b, course = _course(browser, tree)
    b.get(f"/trainings/{course}")
    b.post(f"/trainings/{course}/attendees", {"user_ids": str(tree["users"]["collab"].id)})
    officer = browser(tree["names"]["officer"])
    page = officer.get("/trainings/attendance")
    assert page.status_code == 200
    assert "<h2>Cộng tác viên đã được tập huấn: 1 / 2</h2>" in page.text
    assert tree["users"]["collab"].full_name in page.text and _form(tree)["title"] in page.text
    bad = officer.get("/trainings/attendance?since=2026-01-01")
    assert bad.status_code == 422 and 'id="since-error"' in bad.text
    assert browser(tree["names"]["collab"]).get("/trainings/attendance").status_code == 403
    district = browser(tree["names"]["district"])
    elsewhere = district.get(f"/trainings/attendance?unit={tree['other'].id}")
    assert elsewhere.status_code == 403


def test_the_pages_speak_english_when_chosen(browser, tree):
    b, course = _course(browser, tree)
    b.client.cookies.set("portal_lang", "en")
    listed = b.get("/trainings").text
    assert '<html lang="en">' in listed and "Record a training" in listed and "Held by" in listed
    done = b.get(f"/trainings/{course}?done=created").text
    assert f"Training “{_form(tree)['title']}” of {tree['district'].name} on" in done
    assert "Record who attended" in done and "Change the training" in done
    account = b.get(f"/staff/{tree['users']['collab'].id}").text
    assert "Move to another unit or change the role" in account and "End every session" in account


def test_the_province_and_the_administrator_open_every_page(browser, tree, owner):
    admin = make_user(owner, f"st-admin-{tree['tag']}", "admin", None)
    _b, course = _course(browser, tree)
    collab = tree["users"]["collab"].id
    expected = {
        tree["names"]["inspector"]: {"/trainings/attendance": 200, "/hamlets": 200},
        admin.username: {"/trainings/attendance": 403, "/hamlets": 200},
    }
    for username, special in expected.items():
        b = browser(username)
        for path in ("/trainings", f"/trainings/{course}", "/staff", f"/staff/{collab}", *special):
            answer = b.get(path)
            assert answer.status_code == special.get(path, 200), (username, path, answer.status_code)
    inspector = browser(tree["names"]["inspector"]).get("/trainings").text
    assert f'<option value="{tree["province"].id}"' in inspector  # the province holds courses too
    page = browser(tree["names"]["inspector"]).get(f"/trainings/{course}").text
    assert 'id="record-attendance"' in page and tree["other"].name not in page  # the district's communes
