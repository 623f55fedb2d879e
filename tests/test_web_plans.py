"""Plan, progress, steering committee and addressee pages through the real app, in Vietnamese and
English: a ward officer records a plan, an activity and its progress; the district follows the progress
(overdue first) and a sibling district gets the 403 or 404 page; a committee with a member and a meeting;
the province keeps its departments and records a department's reply. Bad input is a 422 naming the field,
and nothing is written."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from infra.clock import today
from portal.web.i18n import fmt_date
from tests.staff_web_support import staff_tree
from tests.support import login as api_login

PLAN = re.compile(r"/plans/(\d+)\?done=created")
COMMITTEE = re.compile(r"/committees/(\d+)\?done=created")
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture()
def tree(owner):
    return staff_tree(owner)


def _plan_form(tree, **overrides):
    form = {
        "year": str(today().year),
        "number": f"84/KH-UBND-{tree['tag']}",
        "issued_on": fmt_date(today() - timedelta(days=30)),
        "title": "Kế hoạch ngăn ngừa, trợ giúp trẻ em bị bạo lực, xâm hại",
        "issuing_body": "UBND xã An Phú",
        "summary": "Truyền thông, giáo dục\nRà soát số liệu",
    }
    form.update(overrides)
    return form


def _rows(owner, table, tag):
    return owner.execute(
        text(f"SELECT count(*) FROM {table} WHERE number LIKE :t"), {"t": f"%{tag}"}
    ).scalar()


def test_a_plan_its_activity_and_progress_followed_by_the_district(browser, tree, owner):
    b = browser(tree["names"]["officer"])
    listed = b.get("/plans")
    assert listed.status_code == 200 and 'action="/plans/new"' in listed.text
    bad = b.post("/plans/new", _plan_form(tree, number="", issued_on="2026-01-05"))
    assert bad.status_code == 422
    assert 'id="number-error"' in bad.text and 'id="issued_on-error"' in bad.text and "dd/mm/yyyy" in bad.text
    assert _rows(owner, "plans", tree["tag"]) == 0
    made = b.post("/plans/new", _plan_form(tree))
    assert made.status_code == 303, made.text
    plan_id = int(PLAN.search(made.headers["location"]).group(1))
    shown = b.get(made.headers["location"]).text
    assert f"Đã ghi nhận Kế hoạch số 84/KH-UBND-{tree['tag']} của {tree['commune'].name}." in shown
    assert "Chỉ tiêu áp dụng năm" in shown
    no_deadline = b.post(
        f"/plans/{plan_id}/activities",
        {"title": "Rà soát trẻ em", "owner_unit_id": "", "deadline": "31/02/2026"},
    )
    assert no_deadline.status_code == 422
    assert 'id="activity-deadline-error"' in no_deadline.text
    nobody = b.post(
        f"/plans/{plan_id}/activities",
        {"title": "Rà soát", "owner_unit_id": "", "deadline": fmt_date(today())},
    )
    assert nobody.status_code == 422 and 'id="activity-owner_unit_id-error"' in nobody.text
    added = b.post(
        f"/plans/{plan_id}/activities",
        {
            "title": "Rà soát trẻ em có nguy cơ bị xâm hại",
            "owner_unit_id": str(tree["commune"].id),
            "owner_office": "",
            "deadline": fmt_date(today() - timedelta(days=2)),
        },
    )
    assert added.status_code == 303, added.text
    page = b.get(f"/plans/{plan_id}").text
    activity_id = int(re.search(r'data-activity="(\d+)"', page).group(1))
    over = b.post(f"/plan-activities/{activity_id}/progress", {"progress": "150", "text": "Quá"})
    assert over.status_code == 422 and f'id="progress-{activity_id}-progress-error"' in over.text
    noted = b.post(f"/plan-activities/{activity_id}/progress", {"progress": "50", "text": "Đã rà soát 2 tổ"})
    assert noted.status_code == 303
    page = b.get(f"/plans/{plan_id}").text
    assert "Đã rà soát 2 tổ" in page and 'value="50"' in page and "Quá hạn" in page

    district = browser(tree["names"]["district"])
    progress = district.get(f"/plans/progress?year={today().year}")
    assert progress.status_code == 200
    assert "Rà soát trẻ em có nguy cơ bị xâm hại" in progress.text and 'class="overdue"' in progress.text
    assert district.get(f"/plans/{plan_id}").status_code == 200
    refused = district.post(f"/plan-activities/{activity_id}/progress", {"progress": "60", "text": "x"})
    assert refused.status_code == 403

    sibling = browser(tree["names"]["district2"])
    assert sibling.get(f"/plans/progress?unit={tree['district'].id}").status_code == 403
    assert sibling.get(f"/plans/{plan_id}").status_code == 404
    assert "Rà soát trẻ em có nguy cơ" not in sibling.get("/plans/progress").text

    english = browser(tree["names"]["district"])
    english.client.cookies.set("portal_lang", "en")
    assert "Progress of the plans of" in english.get("/plans/progress").text
    assert "Targets in force for" in english.get(f"/plans/{plan_id}").text


def test_the_signed_plan_on_the_page(browser, tree):
    b = browser(tree["names"]["officer"])
    b.get("/plans")
    made = b.post("/plans/new", _plan_form(tree))
    plan_id = int(PLAN.search(made.headers["location"]).group(1))
    b.get(f"/plans/{plan_id}")
    sent = b.client.post(
        f"/plans/{plan_id}/file",
        data={"_csrf": b.token},
        files={"file": ("ke-hoach.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert b.get(f"/plans/{plan_id}/file").content == PDF
    b.get(f"/plans/{plan_id}")
    wrong = b.client.post(
        f"/plans/{plan_id}/file",
        data={"_csrf": b.token},
        files={"file": ("x.txt", b"hello", "text/plain")},
        follow_redirects=False,
    )
    assert wrong.status_code == 422 and 'id="file-error"' in wrong.text
    assert browser(tree["names"]["district2"]).get(f"/plans/{plan_id}/file").status_code == 404


def test_a_committee_with_a_member_and_a_meeting_on_the_pages(browser, tree):
    b = browser(tree["names"]["officer"])
    b.get("/committees")
    form = {
        "name": "Ban Chỉ đạo công tác trẻ em xã An Phú",
        "decision_number": "15/QĐ-UBND",
        "decision_on": fmt_date(today() - timedelta(days=90)),
        "issuing_body": "UBND xã An Phú",
    }
    made = b.post("/committees/new", form)
    assert made.status_code == 303, made.text
    cid = int(COMMITTEE.search(made.headers["location"]).group(1))
    b.get(f"/committees/{cid}")
    assert (
        b.post(f"/committees/{cid}/members", {"full_name": "", "position": "x", "role": "head"}).status_code
        == 422
    )
    member = b.post(
        f"/committees/{cid}/members",
        {"full_name": "Nguyễn Văn Hùng", "position": "Chủ tịch UBND xã", "role": "head"},
    )
    assert member.status_code == 303
    page = b.get(f"/committees/{cid}").text
    member_id = re.search(r'data-member="(\d+)"', page).group(1)
    meeting = b.post(
        f"/committees/{cid}/meetings",
        {"held_on": fmt_date(today() - timedelta(days=3)), "agenda": "Sơ kết quý", "attended": member_id},
    )
    assert meeting.status_code == 303, meeting.text
    page = b.get(f"/committees/{cid}").text
    assert "Trưởng ban" in page and "Sơ kết quý" in page and "Nguyễn Văn Hùng" in page
    assert browser(tree["names"]["district"]).get(f"/committees/{cid}").status_code == 200
    assert browser(tree["names"]["officer2"]).get(f"/committees/{cid}").status_code == 404


def test_the_province_keeps_its_departments_and_records_a_reply(browser, tree, client, owner):
    b = browser(tree["names"]["inspector"])
    page = b.get("/recommendations/addressees")
    assert page.status_code == 200 and 'action="/recommendations/addressees/new"' in page.text
    bad = b.post(
        "/recommendations/addressees/new",
        {"name": "", "kind": "department", "unit_id": str(tree["province"].id)},
    )
    assert bad.status_code == 422 and 'id="name-error"' in bad.text
    made = b.post(
        "/recommendations/addressees/new",
        {"name": f"Sở Y tế {tree['tag']}", "kind": "department", "unit_id": str(tree["province"].id)},
    )
    assert made.status_code == 303, made.text
    assert f"Sở Y tế {tree['tag']}" in b.get("/recommendations/addressees").text
    assert (
        browser(tree["names"]["district"])
        .post(
            "/recommendations/addressees/new",
            {"name": "UBND", "kind": "peoples_committee", "unit_id": str(tree["district"].id)},
        )
        .status_code
        == 403
    )
    # An inspection of the district with a finding (through the API), then the recommendation on its page.
    headers = api_login(client, tree["names"]["inspector"])
    start = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    plan = client.post(
        "/api/v1/inspections",
        json={
            "title": "Kiểm tra",
            "period_start": start.isoformat(),
            "period_end": (today().replace(day=1) - timedelta(days=1)).isoformat(),
            "unit_ids": [tree["district"].id],
        },
        headers=headers,
    ).json()
    finding = client.post(
        f"/api/v1/inspection-targets/{plan['targets'][0]['id']}/findings",
        json={"text": "Thiếu vắc-xin", "severity": "high"},
        headers=headers,
    ).json()
    inspection = b.get(f"/inspections/{plan['id']}").text
    addressee = re.search(r'<option value="(a\d+)">Sở Y tế', inspection).group(1)
    rec = b.post(
        f"/inspection-findings/{finding['id']}/recommendations",
        {"plan_id": str(plan["id"]), "text": "Bảo đảm vắc-xin", "responsible_unit_id": addressee,
         "deadline": fmt_date(today() + timedelta(days=20))},
    )  # fmt: skip
    assert rec.status_code == 303, rec.text
    listed = b.get("/recommendations").text
    rec_id = int(re.search(r'action="/recommendations/(\d+)/reply"', listed).group(1))
    wrong = b.post(f"/recommendations/{rec_id}/reply", {"text": "Đã có phương án", "reply_on": "2026-13-01"})
    assert wrong.status_code == 422 and f'id="reply-{rec_id}-reply_on-error"' in wrong.text
    replied = b.post(
        f"/recommendations/{rec_id}/reply",
        {"text": "Đã phân bổ vắc-xin", "reply_on": fmt_date(today()), "reply_reference": "123/SYT-NVY"},
    )
    assert replied.status_code == 303
    after = b.get("/recommendations").text
    assert "123/SYT-NVY" in after and "Đã phân bổ vắc-xin" in after
    status = owner.execute(text("SELECT status FROM inspection_recommendations WHERE id = :r"), {"r": rec_id})
    assert status.scalar() == "answered"


def test_an_administrator_keeps_departments_of_any_province(browser, tree, owner):
    b = browser()
    b.login("demo-admin", "demo-password")
    page = b.get("/recommendations/addressees")
    assert page.status_code == 200 and f'<option value="{tree["province"].id}"' in page.text
    made = b.post(
        "/recommendations/addressees/new",
        {"name": f"Công an tỉnh {tree['tag']}", "kind": "department", "unit_id": str(tree["province"].id)},
    )
    assert made.status_code == 303, made.text
    kept = owner.execute(
        text("SELECT kind, unit_id FROM recommendation_addressees WHERE name = :n"),
        {"n": f"Công an tỉnh {tree['tag']}"},
    ).one()
    assert tuple(kept) == ("department", tree["province"].id)
