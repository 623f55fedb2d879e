"""The registers' pages in both languages: a collaborator records a water point (a bad coordinate named
in the reader's language, nothing stored), checks it, fences it and adds a photo; the inspector reads it
without the forms; another commune gets the not-found page. A ward officer records a facility (counts
that do not add up named by field) that the inspector reads and another commune does not."""

from __future__ import annotations

import re

from sqlalchemy import text

from tests.test_registers_water_points import png


def _form(hamlet_id: int, **overrides: str) -> dict[str, str]:
    form = {
        "hamlet_id": str(hamlet_id),
        "kind": "pond",
        "description": "Ao sau nhà văn hóa tổ dân phố",
        "listed_on": "10/01/2025",
        "latitude": "20,9712",
        "longitude": "105,8621",
        "signed": "1",
        "signed_on": "01/02/2025",
        "fenced_on": "",
    }
    return form | overrides


def _created(response, prefix: str) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(rf"/{prefix}/(\d+)\?done=\w+", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def test_a_collaborator_records_checks_fences_and_photographs_a_water_point(login, tree, owner):
    b = login("collab")
    listing = b.get("/water-points")
    assert (
        listing.status_code == 200
        and "Điểm nước nguy hiểm" in listing.text
        and "Thêm điểm nước nguy hiểm" in listing.text
    )
    before = owner.execute(text("SELECT count(*) FROM water_points")).scalar_one()
    bad = b.post(
        "/water-points/new", _form(tree["hamlet"].id, latitude="48,85", longitude="2,35", signed_on="")
    )
    assert bad.status_code == 422, bad.text
    assert 'id="latitude-error"' in bad.text and "Nằm ngoài lãnh thổ Việt Nam" in bad.text
    assert 'id="signed_on-error"' in bad.text and "Nhập ngày cắm biển cảnh báo." in bad.text
    assert owner.execute(text("SELECT count(*) FROM water_points")).scalar_one() == before
    point_id = _created(b.post("/water-points/new", _form(tree["hamlet"].id)), "water-points")
    page = b.get(f"/water-points/{point_id}?done=created").text
    assert "Đã ghi nhận." in page and "Ao · " in page and "Từ ngày 01/02/2025" in page

    checked = b.post(
        f"/water-points/{point_id}/checks",
        {"checked_on": "02/04/2025", "result": "Biển còn tốt, chưa có rào", "checked_by": ""},
    )
    assert _created(checked, "water-points") == point_id
    fence = _form(tree["hamlet"].id, fenced="1", fenced_on="15/04/2025")
    assert _created(b.post(f"/water-points/{point_id}", fence), "water-points") == point_id
    b.get(f"/water-points/{point_id}")
    up = b.post(f"/water-points/{point_id}/photos", {}, files={"file": ("ao.png", png(3), "image/png")})
    assert _created(up, "water-points") == point_id
    page = b.get(f"/water-points/{point_id}?done=photo").text
    assert "Đã thêm ảnh." in page and "Biển còn tốt, chưa có rào" in page and "Từ ngày 15/04/2025" in page
    src = re.search(rf'<img src="(/water-points/{point_id}/photos/[0-9a-f-]+)"', page)
    assert src and b.get(src.group(1)).content == png(3)

    inspector = login("inspector")
    read = inspector.get(f"/water-points/{point_id}")
    assert (
        read.status_code == 200 and "Biển còn tốt" in read.text and "Ghi nhận lần kiểm tra" not in read.text
    )
    assert inspector.get(src.group(1)).status_code == 200
    listed = inspector.get("/water-points").text
    assert f'data-point="{point_id}"' in listed and "Thêm điểm nước nguy hiểm" not in listed
    other = login("other_officer")
    assert other.get(f"/water-points/{point_id}").status_code == 404
    assert other.get(src.group(1)).status_code == 404
    assert (
        other.post(
            f"/water-points/{point_id}/checks", {"checked_on": "02/04/2025", "result": "x"}
        ).status_code
        == 404
    )

    english = login("collab", "en")
    assert "Hazardous water points" in english.get("/water-points").text
    refused = english.post("/water-points/new", _form(tree["hamlet"].id, kind="ocean"))
    assert refused.status_code == 422 and "Choose one from the list." in refused.text


def test_a_ward_officer_records_a_facility_that_the_inspector_reads(login, tree, owner):
    b = login("officer")
    assert "Thêm cơ sở trợ giúp trẻ em" in b.get("/facilities").text
    form = {
        "unit_id": str(tree["commune"].id),
        "name": "Nhà tạm lánh phường",
        "kind": "shelter",
        "capacity": "20",
        "children_total": "5",
        "children_girls": "7",
        "children_disabled": "0",
        "licence_date": "",
        "counted_on": "30/06/2025",
    }
    bad = b.post("/facilities/new", form)
    assert bad.status_code == 422 and 'id="children_girls-error"' in bad.text
    assert "Lớn hơn số trẻ em đang được chăm sóc." in bad.text
    facility_id = _created(b.post("/facilities/new", form | {"children_girls": "3"}), "facilities")
    page = b.get(f"/facilities/{facility_id}?done=created").text
    assert (
        "Đã ghi nhận." in page and "Nhà tạm lánh, địa chỉ tin cậy" in page and "Chưa được kiểm tra." in page
    )
    changed = b.post(f"/facilities/{facility_id}", form | {"children_girls": "3", "capacity": "25"})
    assert _created(changed, "facilities") == facility_id
    inspector = login("inspector", "en")
    read = inspector.get(f"/facilities/{facility_id}")
    assert read.status_code == 200 and "Shelter or safe house" in read.text and ">25<" in read.text
    assert login("other_officer").get(f"/facilities/{facility_id}").status_code == 404
    assert login("collab").get("/facilities").status_code == 403

    # the province plans an inspection of the facility on the pages; the facility's page then lists it
    planner = login("inspector")
    form_page = planner.get("/inspections/new").text
    assert f'name="facility_ids" value="{facility_id}"' in form_page
    month = re.search(r'<option value="(\d{4}-\d{2})"', form_page.split('id="period_end"')[1]).group(1)
    planned = planner.post(
        "/inspections/new",
        {
            "title": "Kiểm tra nhà tạm lánh",
            "period_start": month,
            "period_end": month,
            "facility_ids": str(facility_id),
        },
    )
    assert planned.status_code == 303, planned.text
    plan_page = planner.get(planned.headers["location"]).text
    assert "Cơ sở được kiểm tra" in plan_page and "Nhà tạm lánh phường" in plan_page
    assert "Kiểm tra nhà tạm lánh" in b.get(f"/facilities/{facility_id}").text
