"""The data checks on the report pages, in both languages: shown on the draft form after each save, a
blocking check stops the submission, a warning is explained in its box (refused when too long), and the
approver reads the warning and its explanation on the report and on the consolidated report above."""

from __future__ import annotations

import html
import re

import pytest

from tests.reporting import act, build_tree, consolidate, start, who
from tests.test_report_rules import PERIOD, abused, commune_draft

NOTE = "Vụ việc do công an huyện tiếp nhận, hồ sơ chưa chuyển về xã"
RECORDS_RULE = "abused_vs_case_register"


@pytest.fixture()
def rtree(owner):
    return build_tree(owner)


def _checks_section(page: str) -> str:
    found = re.search(r'<section class="card" id="checks".*?</section>', page, flags=re.S)
    assert found, page[:2000]
    return html.unescape(found.group(0))


def _words(section: str) -> str:
    """The section's text without its markup."""
    return re.sub(r"<[^>]+>", "", section)


def _box(rule: str) -> str:
    return f"explain.{rule}"


def test_checks_on_the_form_a_blocked_submission_and_an_explained_warning(
    client, owner, worker, rtree, browser
):
    t = rtree
    report = commune_draft(client, t, abused(20))
    officer = browser(f"rp-oa-{t['tag']}")
    page = officer.get(f"/reports/{report['id']}").text
    section = _checks_section(page)
    assert "Kiểm tra số liệu" in section and "Chặn nộp báo cáo" in section and "Cảnh báo" in section
    assert "Trẻ em bị xâm hại, bạo lực không vượt quá tổng số trẻ em của địa bàn" in section
    condition = "Điều kiện: Trẻ em bị xâm hại, bạo lực trong kỳ: Tổng số ≤ Số trẻ em (dưới 16 tuổi): Tổng số."
    assert condition in _words(section)
    assert 'data-left="20" data-right="12">Số liệu hiện tại: 20 và 12.' in section
    assert f'name="{_box(RECORDS_RULE)}"' in section and 'name="explain.abused_le_children"' not in section

    refused = officer.post(
        f"/reports/{report['id']}/action", {"action": "submit", "version": str(report["version"])}
    )
    assert refused.status_code == 422
    top = html.unescape(refused.text.split('id="checks-title"')[0])
    assert "Chưa nộp: báo cáo chưa đạt các phép kiểm tra số liệu dưới đây." in top
    assert 'class="finding finding-blocking finding-stops"' in refused.text

    # the figures corrected on the form: the blocking check is gone at once, the warning stays
    form = {
        "values.abused_children.male": "1",
        "values.abused_children.6-9": "1",
        "values.abused_children.home": "1",
        "version": str(report["version"]),
    }
    saved = officer.post(f"/reports/{report['id']}/values", form)
    assert saved.status_code == 303, saved.text
    section = _checks_section(officer.get(f"/reports/{report['id']}").text)
    assert "Chặn nộp báo cáo" not in section and "giải trình" in section.lower()
    version = int(re.search(r'name="version" value="(\d+)"', section).group(1))

    unexplained = officer.post(
        f"/reports/{report['id']}/action", {"action": "submit", "version": str(version)}
    )
    assert unexplained.status_code == 422
    assert "Cần giải trình cảnh báo này trước khi nộp báo cáo." in html.unescape(unexplained.text)

    too_long = officer.post(
        f"/reports/{report['id']}/explanations", {_box(RECORDS_RULE): "x" * 2001, "version": str(version)}
    )
    assert too_long.status_code == 422
    assert re.search(rf'id="{re.escape(_box(RECORDS_RULE))}-error">Quá dài.<', too_long.text)

    explained = officer.post(
        f"/reports/{report['id']}/explanations", {_box(RECORDS_RULE): NOTE, "version": str(version)}
    )
    assert (
        explained.status_code == 303
        and explained.headers["location"] == f"/reports/{report['id']}?msg=explained#checks"
    )
    assert "Đã lưu giải trình." in officer.get(f"/reports/{report['id']}?msg=explained").text
    submitted = officer.post(f"/reports/{report['id']}/action", {"action": "submit", "version": str(version)})
    assert submitted.status_code == 303, submitted.text

    # the approver reads the warning and the explanation, in Vietnamese and in English, with no box to edit
    approver = browser(f"rp-d1-{t['tag']}")
    section = _checks_section(approver.get(f"/reports/{report['id']}").text)
    assert NOTE in section and f"rp-oa-{t['tag']}" in section and "<textarea" not in section
    assert "Trẻ em bị xâm hại, bạo lực khác số vụ việc tiếp nhận trong sổ quản lý trường hợp" in section
    assert "Chỉ xem số liệu tổng hợp" in section and "data-left" not in section  # published figures only
    assert "Điều kiện: Trẻ em bị xâm hại, bạo lực trong kỳ: Tổng số = Vụ việc tiếp nhận trong kỳ" in _words(
        section
    )
    approver.client.cookies.set("portal_lang", "en")
    section = _checks_section(approver.get(f"/reports/{report['id']}").text)
    assert "Data checks" in section and "Children abused differ from the cases received" in section
    assert "Explanation:" in section and NOTE in section

    # the district's consolidated report lists the commune's findings
    district = who(client, t, "d1")
    act(client, district, report["id"], "approve", version=version + 1)
    above = consolidate(client, district, start(client, district, t["d1"], PERIOD)["id"], with_missing=True)
    section = _checks_section(approver.get(f"/reports/{above['id']}").text)
    assert "Data checks of the units below" in section and t["a"].name in section and NOTE in section


def test_a_clean_report_says_so_and_a_sibling_cannot_explain(client, owner, rtree, browser):
    t = rtree
    officer = who(client, t, "oa")
    report = start(client, officer, t["ha"][0], PERIOD)
    page = browser(f"rp-oa-{t['tag']}").get(f"/reports/{report['id']}").text
    assert "Số liệu đạt tất cả các phép kiểm tra." in _checks_section(page)
    other = browser(f"rp-ob-{t['tag']}")
    other.get("/reports")
    refused = other.post(f"/reports/{report['id']}/explanations", {_box(RECORDS_RULE): NOTE})
    assert refused.status_code == 404


def test_the_commune_s_month_page_points_to_a_hamlet_s_explained_warning(client, owner, rtree, browser):
    from tests.test_report_rules import _month

    t = rtree
    officer, hamlet = who(client, t, "oa"), t["ha"][0]
    for period, fall in {"2025-02": 1, "2025-03": 2, "2025-04": 1, "2025-05": 2}.items():
        _month(client, officer, hamlet, period, fall)
    far = _month(client, officer, hamlet, PERIOD, 30, approve=False)
    act(
        client, officer, far["id"], "submit", version=far["version"]
    )  # explains its warning (tests.reporting)
    quiet = _month(client, officer, t["ha"][1], PERIOD, 1, approve=False)
    page = browser(f"rp-oa-{t['tag']}").get(f"/reports/month?period={PERIOD}").text
    row = re.search(rf'<tr data-unit="{hamlet.id}">.*?</tr>', page, flags=re.S).group(0)
    assert f'href="/reports/{far["id"]}#checks"' in row and "Kết quả kiểm tra số liệu cần xem: 1" in row
    other = re.search(rf'<tr data-unit="{t["ha"][1].id}">.*?</tr>', page, flags=re.S).group(0)
    assert quiet["id"] and "finding-count" not in other
