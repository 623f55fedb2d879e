"""The lists' filters and the case figures on the pages, through the real app: the cases list by status,
type and overdue, the children list by hamlet, group, risk and status (GET forms: the filter stays in
the address, the paging keeps it, the count says how many match), the case statistics page and the
case register XLSX. Allowed roles, refused roles (403 page), bad input (422 naming the field)."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, timedelta

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import text

from infra.clock import VIETNAM, utcnow
from tests.cases_support import intake_body, open_case
from tests.e2e.site import Browser, add_named_children
from tests.support import audit_rows, child_payload, make_user
from tests.support import login as api_login


@pytest.fixture()
def api(app, tree):
    client = TestClient(app=app, base_url="http://testserver.local")
    return client, {who: api_login(client, name) for who, name in tree["users"].items() if who != "hotline"}


def listed(page: str) -> list[str]:
    return re.findall(r'<a href="/cases/([0-9a-f-]{36})">', page)


def test_the_cases_list_filters_by_status_type_and_overdue(login, tree, api, owner):
    client, tokens = api
    children = tree["children"]
    late_at = (utcnow() - timedelta(days=3)).astimezone(VIETNAM).isoformat()
    late = open_case(
        client, tokens["officer"], intake_body(str(children[0].id), received_at=late_at, case_type="neglect")
    )
    fresh = open_case(client, tokens["officer"], intake_body(str(children[1].id), case_type="neglect"))
    other = open_case(client, tokens["officer"], intake_body(str(children[2].id)))  # physical violence
    officer = login("officer")

    everything = officer.get("/cases")
    assert everything.status_code == 200 and "3 vụ việc" in everything.text
    assert set(listed(everything.text)) == {late["id"], fresh["id"], other["id"]}
    overdue = officer.get("/cases?overdue=1")
    assert listed(overdue.text) == [late["id"]] and "1 vụ việc khớp bộ lọc" in overdue.text
    assert 'name="overdue" value="1" checked' in overdue.text and 'href="/cases">Bỏ lọc</a>' in overdue.text
    neglect = officer.get("/cases?case_type=neglect")
    assert set(listed(neglect.text)) == {late["id"], fresh["id"]}
    assert '<option value="neglect" selected>' in neglect.text
    assert listed(officer.get("/cases?case_type=neglect&overdue=1").text) == [late["id"]]
    assert len(listed(officer.get("/cases?status=open").text)) == 3
    closed = officer.get("/cases?status=closed")
    assert listed(closed.text) == [] and "Không có vụ việc nào khớp bộ lọc." in closed.text

    bad = officer.get("/cases?status=sleeping&case_type=neglect")
    assert bad.status_code == 422 and 'id="filter-status-error"' in bad.text
    assert "Mã không có trong danh mục." in bad.text and listed(bad.text) == []
    assert "Không hiển thị được với các lựa chọn này" in bad.text
    assert '<option value="neglect" selected>' in bad.text  # the other choices stay as they were
    page = officer.get("/cases?page=abc")
    assert page.status_code == 422 and 'id="filter-page-error"' in page.text
    flag = officer.get("/cases?overdue=yes")
    assert flag.status_code == 422 and 'id="filter-overdue-error"' in flag.text

    collab = login("collab")
    assert listed(collab.get("/cases?overdue=1").text) == []  # the officer's cases are not theirs
    inspector = login("inspector")
    refused = inspector.get("/cases?overdue=1")
    assert refused.status_code == 403 and "Bạn không có quyền xem trang này." in refused.text
    entry = [r for r in audit_rows(owner, tree["users"]["officer"]) if r["action"] == "list"][-1]
    assert entry["resource"] == "case"


def test_the_cases_list_pages_keep_the_filter(login, tree, api):
    client, tokens = api
    for i in range(21):
        open_case(
            client, tokens["officer"], intake_body(str(tree["children"][i % 6].id), case_type="neglect")
        )
    open_case(client, tokens["officer"], intake_body(str(tree["children"][0].id)))
    officer = login("officer")
    first = officer.get("/cases?case_type=neglect")
    assert "21 vụ việc khớp bộ lọc" in first.text and len(listed(first.text)) == 20
    following = re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    assert following == "/cases?case_type=neglect&page=2"
    second = officer.get(following)
    assert len(listed(second.text)) == 1 and "Trang 2/2" in second.text


def _period(owner, child_id: str, kind: str, code: str) -> None:
    owner.execute(
        text("INSERT INTO child_periods (child_id, kind, code, since) VALUES (:c, :k, :code, '2021-01-01')"),
        {"c": child_id, "k": kind, "code": code},
    )


def names_listed(page: str) -> list[str]:
    return re.findall(r'<span class="name">([^<]+)</span>', page)


def test_the_children_list_filters_by_hamlet_group_risk_and_status(login, tree, api, owner):
    client, tokens = api
    body = child_payload(
        tree["hamlet2"].id, full_name="Nguyễn Văn Lọc", groups=[{"code": "d", "since": "2021-01-01"}]
    )
    disabled = client.post("/api/v1/children", json=body, headers=tokens["officer"])
    assert disabled.status_code == 201, disabled.text
    poor = child_payload(
        tree["hamlet"].id,
        full_name="Lê Thị Nghèo",
        at_risk=[{"code": "poor_household", "since": "2021-01-01"}],
    )
    assert client.post("/api/v1/children", json=poor, headers=tokens["officer"]).status_code == 201
    both = child_payload(
        tree["hamlet"].id,
        full_name="Phạm Văn Cả Hai",
        groups=[{"code": "d", "since": "2021-01-01"}],
        at_risk=[{"code": "poor_household", "since": "2021-01-01"}],
    )
    assert client.post("/api/v1/children", json=both, headers=tokens["officer"]).status_code == 201
    officer = login("officer")
    commune = tree["commune"].id

    whole = officer.get("/children")
    assert "9 trẻ em" in whole.text and 'id="filter-unit"' in whole.text
    group = officer.get("/children?group=d")
    assert sorted(names_listed(group.text)) == ["Nguyễn Văn Lọc", "Phạm Văn Cả Hai"]
    assert "2 trẻ em khớp bộ lọc" in group.text and '<option value="d" selected>' in group.text
    in_hamlet2 = officer.get(f"/children?unit={tree['hamlet2'].id}&group=d")
    assert names_listed(in_hamlet2.text) == ["Nguyễn Văn Lọc"]
    risk = officer.get("/children?risk=poor_household")
    assert sorted(names_listed(risk.text)) == ["Lê Thị Nghèo", "Phạm Văn Cả Hai"]
    assert names_listed(officer.get("/children?risk=poor_household&group=d").text) == ["Phạm Văn Cả Hai"]
    moved = officer.get("/children?status=moved_away")
    assert names_listed(moved.text) == [] and "Không có trẻ em nào khớp bộ lọc." in moved.text

    for query, field in (("group=zz", "group"), ("risk=rich", "risk"), ("status=sleeping", "status")):
        bad = officer.get(f"/children?{query}")
        assert bad.status_code == 422 and f'id="filter-{field}-error"' in bad.text, query
        assert names_listed(bad.text) == []
    assert "Mã không có trong danh mục." in officer.get("/children?risk=rich").text
    assert officer.get("/children?page=x").status_code == 422
    collab = login("collab")
    hidden_unit = collab.get("/children?unit=abc")
    assert hidden_unit.status_code == 422 and 'id="filter-unit-error"' in hidden_unit.text
    assert sorted(names_listed(collab.get("/children?risk=poor_household").text)) == [
        "Lê Thị Nghèo",
        "Phạm Văn Cả Hai",
    ]

    # a search (posted: a name never goes into the address) keeps the filters
    officer.get("/children?group=d")
    searched = officer.post("/children", {"q": "nguyen", "unit": str(commune), "group": "d"})
    assert names_listed(searched.text) == ["Nguyễn Văn Lọc"]
    assert '<input type="hidden" name="group" value="d">' in searched.text
    assert "nguyen" not in officer.get("/children?group=d").url.query.decode()

    inspector = login("inspector")
    assert inspector.get("/children?group=d").status_code == 403


def test_the_children_list_pages_keep_the_filter(login, tree, owner):
    made = add_named_children(owner, tree["hamlet2"], [f"Trẻ số {i}" for i in range(1, 22)])
    for child in made:
        _period(owner, str(child.id), "group", "d")
    owner.commit()
    officer = login("officer")
    first = officer.get(f"/children?unit={tree['hamlet2'].id}&group=d")
    assert "21 trẻ em khớp bộ lọc" in first.text and len(names_listed(first.text)) == 20
    following = re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    assert following == f"/children?unit={tree['hamlet2'].id}&group=d&page=2"
    rest = names_listed(officer.get(following).text)
    assert len(rest) == 1 and sorted(names_listed(first.text) + rest) == sorted(c.full_name for c in made)


def test_case_statistics_and_the_register_on_the_pages(app, login, tree, api, owner):
    client, tokens = api
    for child in tree["children"][:2]:
        open_case(client, tokens["officer"], intake_body(str(child.id)))
    officer = login("officer")
    page = officer.get("/cases/stats")
    assert page.status_code == 200 and f"Thống kê vụ việc của {tree['commune'].name}" in page.text
    assert '<dd data-cell="total">2</dd>' in page.text and 'data-cell="status-received">2<' in page.text
    assert "Số liệu chính xác tại thời điểm hiện tại." in page.text
    register = re.search(r'href="(/cases/register\.xlsx\?unit=\d+)"', page.text).group(1)
    download = officer.client.get(register)
    assert download.status_code == 200 and download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("STT", "Mã hồ sơ") and len(rows) == 4 and "Hàng Xóm" not in str(rows)
    exported = [r for r in audit_rows(owner, tree["users"]["officer"]) if r["action"] == "export"][-1]
    assert len(exported["resource_ids"]) == 2

    this_year = date.today().year
    ranged = officer.get(f"/cases/stats?from=01/01/{this_year - 1}&to=31/12/{this_year + 1}")
    assert ranged.status_code == 200 and '<dd data-cell="total">2</dd>' in ranged.text
    no_day = officer.get("/cases/stats?from=31/02/2026")
    assert no_day.status_code == 422 and 'id="stats-from-error"' in no_day.text
    backwards = officer.get("/cases/stats?from=01/05/2026&to=01/01/2026")
    assert backwards.status_code == 422 and 'id="stats-to-error"' in backwards.text
    assert officer.get("/cases/stats?unit=abc").status_code == 422
    hamlet2 = officer.get(f"/cases/stats?unit={tree['hamlet2'].id}")
    assert '<dd data-cell="total">0</dd>' in hamlet2.text
    assert officer.get(f"/cases/stats?unit={tree['other'].id}").status_code == 403  # another commune

    collab = login("collab")
    published = collab.get("/cases/stats")
    assert published.status_code == 200 and "Số liệu công bố theo các tháng đã kết thúc" in published.text
    assert 'name="from"' in published.text and "register.xlsx" not in published.text
    assert collab.get("/cases/stats?from=2026-13").status_code == 422
    refused = collab.get(f"/cases/register.xlsx?unit={tree['hamlet'].id}")
    assert refused.status_code == 403 and "Bạn không có quyền xem trang này." in refused.text
    assert audit_rows(owner, tree["users"]["collab"], "denied")[-1]["resource"] == "case"
    malformed = officer.get("/cases/register.xlsx?unit=abc")
    assert malformed.status_code == 422 and "Đơn vị" in malformed.text

    inspector = login("inspector")
    province = inspector.get(f"/cases/stats?unit={tree['province'].id}")
    assert province.status_code == 200 and 'href="/cases/stats" aria-current="page"' in province.text
    assert tree["children"][0].full_name not in province.text
    elsewhere = inspector.get(f"/cases/stats?unit={uuid.uuid4().int % 10**6 + 10**7}")
    assert elsewhere.status_code == 422  # no such unit: named

    admin = Browser(TestClient(app=app, base_url="http://testserver.local"))
    admin.login(make_user(owner, f"web-admin-{tree['tag']}", "admin", None).username)
    assert admin.get("/cases/stats").status_code == 403  # no unit of their own: they name one
    named = admin.get(f"/cases/stats?unit={tree['province'].id}")
    assert named.status_code == 200 and "Số liệu công bố" in named.text
    assert admin.get(f"/cases/register.xlsx?unit={tree['commune'].id}").status_code == 403
