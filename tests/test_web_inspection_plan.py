"""Planning an inspection on the pages through the real app: the district officer's form (the district's
communes in the order people read them, its officers for the team, ended months), every problem named in
words and nothing written, the plan made by the same service as the API's, and the 403 page for roles
that may not plan."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from portal.app import create_app
from portal.stats.disclosure import last_complete_month
from tests.e2e.site import Browser
from tests.support import make_unit, make_user


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def district(owner):
    tag = uuid.uuid4().hex[:6]
    province = make_unit(owner, None, "province", f"Tỉnh kế hoạch {tag}")
    home = make_unit(owner, province, "district", f"Huyện Một {tag}")
    communes = [make_unit(owner, home, "commune", f"Xã số {n} {tag}") for n in (10, 2, 1)]
    hamlet = make_unit(owner, communes[0], "hamlet", f"Thôn 1 {tag}")
    elsewhere = make_unit(
        owner, make_unit(owner, province, "district", f"Huyện Hai {tag}"), "commune", f"Xã xa {tag}"
    )
    users = {
        "district": make_user(owner, f"plan-district-{tag}", "district_officer", home.id),
        "colleague": make_user(owner, f"plan-colleague-{tag}", "district_officer", home.id),
        "officer": make_user(owner, f"plan-officer-{tag}", "ward_officer", communes[0].id),
        "collab": make_user(owner, f"plan-collab-{tag}", "collaborator", hamlet.id),
    }
    return {
        "tag": tag,
        "district": home,
        "communes": communes,
        "elsewhere": elsewhere,
        "users": {k: u.username for k, u in users.items()},
        "names": {k: u.full_name for k, u in users.items()},
    }


@pytest.fixture()
def login(app, district):
    def make(who: str) -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        b.login(district["users"][who])
        return b

    return make


def _plans(owner, title: str) -> int:
    return owner.execute(
        text("SELECT count(*) FROM inspection_plans WHERE title = :t"), {"t": title}
    ).scalar_one()


def test_the_form_offers_the_district_s_communes_officers_and_ended_months(login, district):
    b = login("district")
    listed = b.get("/inspections")
    assert 'href="/inspections/new"' in listed.text
    form = b.get("/inspections/new")
    assert form.status_code == 200
    names = re.findall(r'name="unit_ids" value="\d+"> ([^<]+)</label>', form.text)
    tag = district["tag"]
    assert names == [
        f"Xã số 1 {tag}",
        f"Xã số 2 {tag}",
        f"Xã số 10 {tag}",
    ]  # natural order, own district only
    assert f'value="{district["users"]["colleague"]}"' in form.text
    assert re.search(
        r'value="' + district["users"]["district"] + r'" checked disabled', form.text
    )  # the lead
    assert f'<option value="{last_complete_month():%Y-%m}"' in form.text
    assert f'value="{last_complete_month():%Y-%m}"' in form.text and "Tháng " in form.text
    assert "Dữ liệu trẻ em đầy đủ" in form.text and "đạt khi từ 95% trở lên" in form.text


def test_roles_that_may_not_plan_get_the_403_page(login):
    for who in ("officer", "collab"):
        b = login(who)
        page = b.get("/inspections/new")
        assert page.status_code == 403 and "Bạn không có quyền xem trang này." in page.text, who
        assert b.post("/inspections/new", {"title": "x"}).status_code == 403


def test_bad_input_names_each_field_in_words_and_writes_nothing(login, district, owner):
    b = login("district")
    b.get("/inspections/new")
    month = f"{last_complete_month():%Y-%m}"
    january = f"{last_complete_month():%Y}-01"
    title = f"Kiểm tra lỗi {district['tag']}"
    bad = b.post(
        "/inspections/new",
        {
            "title": "",
            "period_start": month,
            "period_end": january,
            "visit_from": "31/02/2026",
            "visit_to": "",
        },
    )
    if month == january:  # in February the last ended month is January: the range cannot be reversed
        assert 'id="period_end-error"' not in bad.text
    else:
        assert 'id="period_end-error"' in bad.text and "Trước tháng đầu." in bad.text
    assert bad.status_code == 422
    assert 'id="title-error"' in bad.text and 'id="unit_ids-error"' in bad.text
    assert "Hãy đánh dấu ít nhất một đơn vị được kiểm tra." in bad.text
    assert "Ngày đầu làm việc tại đơn vị: không có ngày này." in bad.text
    assert '<a href="#visit_from">' in bad.text  # the list above the form leads to each field

    outside = b.post(
        "/inspections/new",
        {
            "title": title,
            "period_start": january,
            "period_end": month,
            "unit_ids": [str(district["elsewhere"].id)],
        },
    )
    assert outside.status_code == 422 and "Phải là huyện hoặc xã thuộc đơn vị của bạn." in outside.text
    future = b.post(
        "/inspections/new",
        {
            "title": title,
            "period_start": "2999-01",
            "period_end": "2999-02",
            "unit_ids": [str(district["communes"][0].id)],
        },
    )
    assert future.status_code == 422 and 'id="period_start-error"' in future.text
    assert _plans(owner, title) == 0


def test_a_district_officer_plans_an_inspection_and_is_told_what_was_planned(login, district, owner):
    b = login("district")
    b.get("/inspections/new")
    month = f"{last_complete_month():%Y-%m}"
    title = f"Kiểm tra công tác trẻ em {district['tag']}"
    chosen = [str(district["communes"][0].id), str(district["communes"][2].id)]
    done = b.post(
        "/inspections/new",
        {
            "title": title,
            "period_start": f"{last_complete_month():%Y}-01",
            "period_end": month,
            "unit_ids": chosen,
            "team": [district["users"]["colleague"]],
            "visit_from": "15/01/2027",
            "visit_to": "16/01/2027",
            "legal_basis": "Kế hoạch số 12/KH-UBND",
        },
    )
    assert done.status_code == 303, done.text[-2000:]
    location = done.headers["location"]
    assert re.fullmatch(r"/inspections/\d+\?msg=planned", location)
    shown = b.get(location).text
    assert f"Đã lập kế hoạch kiểm tra: {title}, 2 đơn vị được kiểm tra" in shown
    assert (
        district["names"]["colleague"] in shown
        and "trưởng đoàn" in shown
        and "15/01/2027–16/01/2027" in shown
    )
    plan_id = int(re.search(r"/inspections/(\d+)", location).group(1))
    targets = owner.execute(
        text("SELECT unit_id FROM inspection_targets WHERE plan_id = :p ORDER BY unit_id"), {"p": plan_id}
    ).scalars()
    assert sorted(targets) == sorted(int(c) for c in chosen)
    team = owner.execute(
        text(
            "SELECT u.username, m.lead FROM inspection_team m JOIN users u ON u.id = m.user_id "
            "WHERE m.plan_id = :p ORDER BY u.username"
        ),
        {"p": plan_id},
    ).all()
    assert sorted(map(tuple, team)) == sorted(
        [(district["users"]["colleague"], False), (district["users"]["district"], True)]
    )
    audited = owner.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE resource = 'inspection' AND action = 'plan' AND resource_ids = ARRAY[:p]"
        ),
        {"p": str(plan_id)},
    ).scalar_one()
    assert audited == 1
    # The plan is the API's: the colleague reads it there too.
    assert f'href="/inspections/{plan_id}"' in login("colleague").get("/inspections").text
