"""The dashboard pages over HTTP: what an inspector, a district officer and a ward officer see, the
choices of a view in the address, the refusals naming the parameter, and the XLSX of a view.

The province (tests/dashboard_support.py) has reports for June 2025; its hamlets hold 3 to 5 children, so
an aggregate-only reader sees some of their counts as "<5" where the commune's ward officer reads them
exact.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import text

from infra.clock import today
from portal.app import create_app
from tests.dashboard_support import PERIOD, dashboard_world, username
from tests.e2e.site import Browser
from tests.reporting import children_count
from tests.support import login


@pytest.fixture(scope="module")
def world(client: Any, worker: object) -> dict[str, Any]:
    return dashboard_world(client)


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


def _as(app: Any, world: dict[str, Any], key: str) -> Browser:
    b = Browser(TestClient(app=app, base_url="http://testserver.local"))
    b.login(username(world, key))
    return b


def _main(page: str) -> str:
    return html.unescape(page[page.index("<main") :])


def _own(page: str) -> str:
    """The unit's own value of the chosen indicator (the first figure of the indicator's section)."""
    found = re.search(r'<dl class="tiles dash-now">\s*<div><dt>[^<]*</dt><dd>([^<]*)</dd>', page)
    assert found, page[:2000]
    return html.unescape(found[1])


def _tiles(page: str) -> dict[str, tuple[str, str]]:
    """Each tile's unit name -> (class, value as written)."""
    found = re.findall(
        r'<a class="tile t-(\w+)" href="[^"]*"><span class="tile-name">([^<]*)</span> '
        r'<span class="tile-value">([^<]*)</span>',
        page,
    )
    return {html.unescape(name): (cls, html.unescape(value)) for cls, name, value in found}


def _ranked(page: str) -> list[str]:
    rows = re.findall(r'<table class="ranking">.*?</table>', page, re.S)
    return [
        html.unescape(n) for table in rows for n in re.findall(r'<th scope="row"><a [^>]*>([^<]*)</a>', table)
    ]


def test_an_inspector_reads_published_figures_and_no_child(client, app, owner, world):
    t = world["t"]
    b = _as(app, world, "insp")
    page = b.get(f"/dashboard?unit={t['d1'].id}&period={PERIOD}&indicator=abused_children.total")
    assert page.status_code == 200, page.text
    main = _main(page.text)
    children = owner.execute(
        text("SELECT id::text, full_name FROM children WHERE unit_path LIKE :p"), {"p": t["p"].path + "%"}
    ).all()
    assert len(children) > 10
    for child_id, name in children:
        assert child_id not in page.text and name not in page.text
    # One abused child in A: hidden from the inspector, as the disclosure policy hides it in the API.
    api = login(client, username(world, "insp"))
    report = client.get(f"/api/v1/reports/{world['commune']['id']}", headers=api).json()
    assert report["figures"]["abused_children"]["total"] == "<5"
    assert _tiles(page.text)[t["a"].name] == ("c1", "<5")
    assert _own(page.text) == "<5"  # D1's consolidated report
    assert "1" not in {v for _c, v in _tiles(page.text).values()}
    # The children counted: the API's published figures, for the dashboard and for /stats alike.
    counts = b.get(f"/dashboard?unit={t['d1'].id}&period={PERIOD}&indicator=children.total").text
    board = client.get(
        f"/api/v1/units/{t['d1'].id}/dashboard", headers=api, params={"period": PERIOD, "periods": 1}
    ).json()
    published = board["trend"][-1]["totals"]["children.total"]
    assert isinstance(published, int) and _own(counts) == str(published)
    stats = client.get(
        f"/api/v1/units/{t['d1'].id}/stats", headers=api, params={"as_of": "2025-06-30"}
    ).json()
    assert f'data-cell="total">{stats["total"]}<' in counts
    assert "điều chỉnh nhẹ" in main and "số chính xác" not in main
    # A's hamlets hold 3, 4 and 5 children: the inspector reads the small ones as "<5".
    hamlets = _tiles(b.get(f"/dashboard?unit={t['a'].id}&period={PERIOD}&indicator=children.total").text)
    assert [hamlets[h.name][1] for h in t["ha"][:2]] == ["<5", "<5"]


def test_a_ward_officer_reads_their_commune_exact(app, owner, world):
    t = world["t"]
    b = _as(app, world, "oa")
    page = b.get("/dashboard?indicator=children.total")  # their own commune, its latest report's period
    assert page.status_code == 200, page.text
    assert f'<option value="{PERIOD}" selected>' in page.text
    assert '<a href="/dashboard" aria-current="page">Bảng số liệu</a>' in page.text  # in their menu
    exact = children_count(owner, t["ha"])
    assert _own(page.text) == str(exact) and f'data-cell="total">{exact}<' in page.text
    tiles = _tiles(page.text)
    assert [tiles[h.name] for h in t["ha"]] == [("c1", "3"), ("c1", "4"), ("c1", "5")]
    assert "số chính xác" in _main(page.text) and "điều chỉnh nhẹ" not in page.text
    # Outside their commune: another commune or the district is the 403 page, an unknown unit the 404 page.
    for other in (t["b"], t["d1"], t["p"]):
        refused = b.get(f"/dashboard?unit={other.id}")
        assert refused.status_code == 403 and "Bạn không có quyền xem trang này" in refused.text
        assert b.get(f"/dashboard/download?unit={other.id}").status_code == 403
    assert b.get("/dashboard?unit=999999999999").status_code == 404
    # Their download is exact too.
    data = b.client.get(f"/dashboard/download?unit={t['a'].id}&period={PERIOD}&indicator=children.total")
    assert data.status_code == 200 and data.headers["content-type"].startswith("application/vnd.openxml")
    assert data.headers["cache-control"] == "no-store"
    book = load_workbook(io.BytesIO(data.content))
    subs = {r[1]: r[3] for r in book["Đơn vị cấp dưới"].iter_rows(min_row=2, values_only=True)}
    assert [subs[h.name] for h in t["ha"]] == [3, 4, 5]
    summary = {r[0]: r[1] for r in book["Tổng quan"].iter_rows(values_only=True) if r[0]}
    assert summary["Số liệu"] == "Số chính xác (bạn quản lý hồ sơ của đơn vị này)"
    counts = {r[0]: r[1] for r in book["Trẻ em"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert counts["Tổng số trẻ em"] == exact


def test_the_choices_are_in_the_address(app, world):
    t = world["t"]
    b = _as(app, world, "insp")
    # The kind of period: quarters, with the commune's quarterly draft marked.
    quarters = b.get(f"/dashboard?unit={t['a'].id}&definition=quarterly&period=2025-Q2").text
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', quarters)
    periods = [key for key, _ in options if re.fullmatch(r"\d{4}(-\w+)?", key)]
    assert periods and all(re.fullmatch(r"\d{4}-Q[1-4]", p) for p in periods)
    assert ("2025-Q2", "Quý 2/2025 · Đang soạn") in options
    assert '<option value="2025-Q2" selected>' in quarters
    assert "không lập loại báo cáo này" in quarters  # hamlets make monthly reports only
    # The indicator: a target's rate ranks the units without a report first, then the lowest rate.
    rates = b.get(f"/dashboard?unit={t['d1'].id}&period={PERIOD}&indicator=birth_registered").text
    assert '<option value="birth_registered" selected>' in rates
    assert _ranked(rates) == [t["b"].name, t["a"].name, t["n"].name]
    assert f"period={PERIOD}&amp;indicator=birth_registered&amp;structure=current" in rates
    # The structure: today's communes (N, from July 2025, could not report in June) or June's.
    current = _tiles(rates)
    assert current[t["n"].name] == ("off", "—")
    historical = b.get(f"/dashboard?unit={t['d1'].id}&period={PERIOD}&structure=historical").text
    assert set(_tiles(historical)) == {t["a"].name, t["b"].name}
    assert '<option value="historical" selected>' in historical
    # More than ten sub-units: ten, then the others behind "show all", in natural order on the tiles.
    d2 = b.get(f"/dashboard?unit={t['d2'].id}&period={PERIOD}").text
    first, rest = re.findall(r'<table class="ranking">.*?</table>', d2, re.S)
    assert first.count('<th scope="row">') == 10 and rest.count('<th scope="row">') == 3
    assert "Xem tất cả 13 đơn vị cấp dưới" in d2
    names = [n for n in _tiles(d2) if n.startswith("Xã số")]
    assert names == [f"Xã số {k} {t['tag']}" for k in range(1, 13)]
    # The breadcrumbs go back up to the inspector's province, not above it.
    crumbs = re.search(
        r'<nav class="breadcrumbs".*?</nav>', b.get(f"/dashboard?unit={t['ha'][0].id}").text, re.S
    )
    assert crumbs and re.findall(r">([^<>]+)</(?:a|span)>", crumbs[0]) == [
        t["p"].name,
        t["d1"].name,
        t["a"].name,
        t["ha"][0].name,
    ]


@pytest.mark.parametrize(
    ("query", "name", "problem"),
    [
        (
            "definition=weekly",
            "Loại kỳ",
            "Hãy chọn loại báo cáo trong danh sách: tháng, quý, sáu tháng hoặc năm.",
        ),
        ("period=2025-13", "Kỳ", "Không phải một kỳ của loại báo cáo này"),
        ("definition=quarterly&period=2025-06", "Kỳ", "Không phải một kỳ của loại báo cáo này"),
        ("period=RUNNING", "Kỳ", "Kỳ báo cáo này chưa kết thúc"),
        ("period=2019-01", "Kỳ", "Trước khoảng thời gian có số liệu tổng hợp."),
        ("indicator=nope", "Chỉ số", "Không phải chỉ số của loại báo cáo này"),
        ("structure=then", "Đơn vị cấp dưới", "Chọn theo đơn vị hành chính hiện nay"),
        ("unit=abc", "Đơn vị", "Phải là số nguyên"),
    ],
)
def test_a_wrong_parameter_is_a_page_naming_it(app, world, query, name, problem):
    b = _as(app, world, "insp")
    query = query.replace("RUNNING", f"{today():%Y-%m}")
    for path in ("/dashboard", "/dashboard/download"):
        page = b.get(f"{path}?{query}")
        assert page.status_code == 422, page.text
        assert '<html lang="vi">' in page.text and "Không thể hiển thị bảng số liệu" in page.text
        row = re.search(rf'<th scope="row">{re.escape(name)}</th><td>([^<]*)</td>', page.text)
        assert row and html.unescape(row[1]).startswith(problem), page.text[-1500:]


def test_the_refusal_speaks_english_too(app, world):
    b = _as(app, world, "insp")
    b.get("/dashboard")  # the form token of the language buttons
    assert b.post("/lang", {"lang": "en", "next": "/dashboard"}).status_code == 303
    page = b.get("/dashboard?definition=weekly&indicator=x")
    assert page.status_code == 422 and '<html lang="en">' in page.text
    assert (
        '<th scope="row">Kind of period</th><td>Choose a kind of report from the list: month, quarter, six months or year.</td>'
        in page.text
    )


def test_an_administrator_without_a_unit_chooses_a_province(app, world):
    t = world["t"]
    b = Browser(TestClient(app=app, base_url="http://testserver.local"))
    b.login(t["admin"])
    page = b.get("/dashboard")
    assert page.status_code == 200 and "chọn tỉnh, thành phố" in page.text
    assert f'href="/dashboard?unit={t["p"].id}"' in page.text
    province = b.get(f"/dashboard?unit={t['p'].id}&period={PERIOD}")
    assert province.status_code == 200 and set(_tiles(province.text)) == {t["d1"].name, t["d2"].name}
    assert b.get("/dashboard/download").status_code == 422


def test_a_district_officer_sees_their_district_only(app, world):
    t = world["t"]
    b = _as(app, world, "d1")
    page = b.get(f"/dashboard?period={PERIOD}")
    assert page.status_code == 200 and t["d1"].name in page.text
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page.text, re.S)
    assert crumbs and t["p"].name not in crumbs[0]  # the province is above their area
    assert b.get(f"/dashboard?unit={t['c'].id}").status_code == 403
    assert b.get(f"/dashboard?unit={t['p'].id}").status_code == 403
    assert "Số liệu đến hết ngày 30/06/2025" in page.text  # counts at the period's end, published
    assert set(_tiles(page.text)) == {t["a"].name, t["b"].name, t["n"].name}
