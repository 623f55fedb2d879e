"""Briefing pages through the real app: the ward officer records a briefing, marks attendance and follows
up a proposal; the district and the collaborators who attended read it; a sibling commune, the province
and an absent collaborator do not; bad input is a 422 naming the field in the reader's language; a commune
officer records the commune's own training on the training pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from infra.clock import today
from portal.web.i18n import fmt_date
from tests.staff_web_support import attendance_of, courses_titled, staff_tree

MADE = re.compile(r"/briefings/(\d+)\?done=created")


@pytest.fixture()
def tree(owner):
    return staff_tree(owner)


def _rows(owner, briefing_id):
    owner.rollback()
    return set(
        owner.execute(
            text("SELECT user_id, present, absence_reason FROM briefing_attendance WHERE briefing_id = :b"),
            {"b": briefing_id},
        ).tuples()
    )


def test_a_ward_officer_records_a_briefing_and_the_right_people_read_it(browser, tree, owner):
    users = tree["users"]
    b = browser(tree["names"]["officer"])
    listed = b.get("/briefings")
    assert listed.status_code == 200 and 'action="/briefings/new"' in listed.text
    bad = b.post("/briefings/new", {"held_on": "2026-01-05", "chaired_by": ""})
    assert bad.status_code == 422
    assert (
        'id="held_on-error"' in bad.text and 'id="chaired_by-error"' in bad.text and "dd/mm/yyyy" in bad.text
    )
    held = fmt_date(today() - timedelta(days=1))
    form = {
        "held_on": held,
        "chaired_by": "Phó Chủ tịch UBND xã",
        "place": "Hội trường",
        "issues": "Trẻ bỏ học",
    }
    made = b.post("/briefings/new", form)
    assert made.status_code == 303, made.text
    bid = int(MADE.search(made.headers["location"]).group(1))
    roster = b.get(f"/briefings/{bid}/attendance")
    assert roster.status_code == 200
    assert (
        f'name="mark_{users["collab"].id}"' in roster.text
        and f'name="mark_{users["outsider"].id}"' not in roster.text
    )
    missing_reason = b.post(
        f"/briefings/{bid}/attendance",
        {f"mark_{users['collab'].id}": "present", f"mark_{users['collab2'].id}": "absent"},
    )
    assert (
        missing_reason.status_code == 422
        and f'id="reason_{users["collab2"].id}-error"' in missing_reason.text
    )
    assert "Ghi rõ lý do vắng mặt" in missing_reason.text and not _rows(owner, bid)
    saved = b.post(
        f"/briefings/{bid}/attendance",
        {
            f"mark_{users['collab'].id}": "present",
            f"mark_{users['collab2'].id}": "absent",
            f"reason_{users['collab2'].id}": "Đi công tác",
        },
    )
    assert saved.status_code == 303, saved.text
    assert _rows(owner, bid) == {
        (users["collab"].id, True, None),
        (users["collab2"].id, False, "Đi công tác"),
    }
    page = b.get(f"/briefings/{bid}?done=recorded")
    assert "Đã lưu điểm danh: 1 có mặt, 1 vắng mặt." in page.text
    added = b.post(
        f"/briefings/{bid}/proposals",
        {"content": "Đề nghị hỗ trợ học bổng", "owner": "Công chức VH-XH", "due_on": held, "status": "open"},
    )
    assert added.status_code == 303
    pid = owner.execute(
        text("SELECT id FROM briefing_proposals WHERE briefing_id = :b"), {"b": bid}
    ).scalar_one()
    follow = b.post(
        f"/briefings/{bid}/proposals/{pid}",
        {
            f"p{pid}_content": "Đề nghị hỗ trợ học bổng",
            f"p{pid}_status": "done",
            f"p{pid}_follow_up": "Đã trình",
        },
    )
    assert follow.status_code == 303
    owner.rollback()
    assert (
        owner.execute(text("SELECT status FROM briefing_proposals WHERE id = :p"), {"p": pid}).scalar_one()
        == "done"
    )

    district = browser(tree["names"]["district"]).get(f"/briefings/{bid}")
    assert (
        district.status_code == 200 and "Đi công tác" in district.text and "/attendance" not in district.text
    )
    mine = browser(tree["names"]["collab"]).get(f"/briefings/{bid}")
    assert mine.status_code == 200 and "Đi công tác" not in mine.text and "Đã hoàn thành" in mine.text
    for who, status in (("collab2", 404), ("officer2", 404), ("district2", 404), ("inspector", 403)):
        assert browser(tree["names"][who]).get(f"/briefings/{bid}").status_code == status, who
    for who, status in (
        ("district", 403),
        ("officer2", 404),
    ):  # a form token first: the refusal is the rule's
        other = browser(tree["names"][who])
        other.get("/briefings")
        assert other.post(f"/briefings/{bid}/attendance", {}).status_code == status, who
        assert other.post(f"/briefings/{bid}", form).status_code == status, who
    assert _rows(owner, bid) == {
        (users["collab"].id, True, None),
        (users["collab2"].id, False, "Đi công tác"),
    }


def test_a_ward_officer_records_the_communes_own_training(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    page = b.get("/trainings")
    assert (
        f'<option value="{tree["commune"].id}"' in page.text
        and f'<option value="{tree["district"].id}"' not in page.text
    )
    title = f"Tập huấn cộng tác viên {tree['tag']}"
    form = {
        "title": title,
        "unit_id": str(tree["commune"].id),
        "held_on": fmt_date(today() - timedelta(days=1)),
    }
    sibling = b.post("/trainings/new", form | {"unit_id": str(tree["other"].id)})
    assert sibling.status_code == 403 and not courses_titled(owner, title)
    made = b.post("/trainings/new", form)
    assert made.status_code == 303, made.text
    course = int(re.search(r"/trainings/(\d+)\?done=created", made.headers["location"]).group(1))
    detail = b.get(f"/trainings/{course}")
    users = tree["users"]
    assert (
        f'value="{users["collab"].id}"' in detail.text and f'value="{users["chair"].id}"' not in detail.text
    )
    done = b.post(f"/trainings/{course}/attendees", {"user_ids": [str(users["collab"].id)]})
    assert done.status_code == 303
    assert attendance_of(owner, course) == {users["collab"].id}
