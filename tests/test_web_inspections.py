"""Inspection pages over HTTP with the real worker: checks with a progress bar (counts and anonymous ids,
never names; ids and exact counts only for the audited commune's officer, published counts for the
inspector), findings, recommendations with a dd/mm/yyyy deadline, the commune's answer, the PDF."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from infra.clock import today
from portal.stats.disclosure import BIG, last_complete_month, month_end, period_key, publish
from tests.e2e.site import Browser
from tests.support import login as api_login


@pytest.fixture()
def plan_id(client, tree) -> int:
    inspector = api_login(client, tree["users"]["inspector"])
    body = {
        "title": "Kiểm tra công tác trẻ em năm 2026",
        "period_start": last_complete_month().replace(month=1).isoformat(),
        "period_end": month_end(last_complete_month()).isoformat(),
        "unit_ids": [tree["commune"].id],
        "team": [],
    }
    response = client.post("/api/v1/inspections", headers=inspector, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _until_finished(b: Browser, url: str, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = b.client.get(url, headers={"X-Portal-Fragment": "1"}).text
        if "data-poll" not in fragment:
            return fragment
        time.sleep(0.2)
    raise AssertionError(f"{url} not finished in {timeout}s")


def test_inspector_runs_checks_and_follows_a_recommendation_to_its_answer(
    login, tree, plan_id, worker, owner
):
    insp = login("inspector")
    assert 'href="/inspections"' in insp.get("/dashboard").text
    listed = insp.get("/inspections")
    assert listed.status_code == 200 and f'href="/inspections/{plan_id}"' in listed.text
    plan_page = insp.get(f"/inspections/{plan_id}")
    assert plan_page.status_code == 200 and tree["commune"].name in plan_page.text
    started = insp.post(f"/inspections/{plan_id}/checks")
    assert started.status_code == 303
    run_url = started.headers["location"]
    assert re.fullmatch(r"/inspection-runs/\d+", run_url)
    first = insp.get(run_url).text
    assert "<progress" in first
    fragment = _until_finished(insp, run_url)
    assert fragment.lstrip().startswith('<div class="progress"') and "Hoàn thành." in fragment
    shown = insp.get(f"/inspections/{plan_id}").text
    assert re.search(r"<td>(Đạt|Chưa đạt|Không có số liệu)</td>", shown)
    # The province keeps no records of the commune: published counts, and no anonymous ids at all.
    assert "Mã ẩn danh" not in shown and "keysum" not in shown
    # Every count under its name, a period as the reader says it: no stored key shows.
    assert re.search(r"Tháng gần nhất: Tháng \d{1,2}/\d{4}</span>", shown)
    assert not re.search(r"\b(last_month|no_guardian|incomplete|late_steps|on_time)\b", shown)
    n, keys = owner.execute(
        text("SELECT count(*), coalesce(sum(stat_key), 0) FROM children WHERE hamlet_id = :h"),
        {"h": tree["hamlet"].id},
    ).one()
    assert f"Trẻ em: {publish(n, keys % BIG, period_key(last_complete_month()))}</span>" in shown
    # The commune's own officer reads the exact counts and the incomplete records' digests.
    own = login("officer").get(f"/inspections/{plan_id}").text
    assert re.search(r"Mã ẩn danh: \d+ \([0-9a-f]{10}", own) and f"Trẻ em: {n}</span>" in own
    for child in (*tree["children"], tree["outsider"]):
        assert child.full_name not in shown and child.full_name not in own

    target_id = re.search(r'action="/inspection-targets/(\d+)/findings"', shown).group(1)
    empty = insp.post(f"/inspection-targets/{target_id}/findings", {"plan_id": plan_id, "text": ""})
    assert empty.status_code == 422 and f'id="finding-{target_id}-text-error"' in empty.text
    added = insp.post(
        f"/inspection-targets/{target_id}/findings",
        {"plan_id": plan_id, "text": "Hồ sơ trẻ thiếu thông tin người chăm sóc.", "severity": "high"},
    )
    assert added.status_code == 303
    shown = insp.get(f"/inspections/{plan_id}").text
    finding_id = re.search(r'action="/inspection-findings/(\d+)/recommendations"', shown).group(1)
    rec_url = f"/inspection-findings/{finding_id}/recommendations"
    rec = {"plan_id": plan_id, "text": "Bổ sung thông tin người chăm sóc cho toàn bộ hồ sơ."}
    rec["responsible_unit_id"] = str(tree["commune"].id)
    bad = insp.post(rec_url, {**rec, "deadline": "2026-13-45"})
    assert bad.status_code == 422 and f'id="rec-{finding_id}-deadline-error"' in bad.text
    assert "Hạn thực hiện: nhập theo dạng dd/mm/yyyy, ví dụ 04/03/2018." in bad.text  # no reading: a sample
    iso = insp.post(rec_url, {**rec, "deadline": "2026-03-15"})
    assert (
        iso.status_code == 422 and "Hạn thực hiện: nhập theo dạng dd/mm/yyyy, ví dụ 15/03/2026." in iso.text
    )
    assert 'data-typed="dd/mm/yyyy"' in iso.text
    deadline = (today() + timedelta(days=30)).strftime("%d/%m/%Y")
    assert insp.post(rec_url, {**rec, "deadline": deadline}).status_code == 303
    assert deadline in insp.get(f"/inspections/{plan_id}").text

    officer = login("officer")
    mine = officer.get("/recommendations")
    assert mine.status_code == 200 and "Bổ sung thông tin người chăm sóc" in mine.text
    rec_id = re.search(r'action="/recommendations/(\d+)/answer"', mine.text).group(1)
    assert "Quá hạn" not in mine.text
    owner.execute(
        text("UPDATE inspection_recommendations SET deadline = :d WHERE id = :r"),
        {"d": today() - timedelta(days=1), "r": int(rec_id)},
    )
    owner.commit()
    assert "Quá hạn" in officer.get("/recommendations").text  # overdue marked
    blank = officer.post(f"/recommendations/{rec_id}/answer", {"text": " "})
    assert blank.status_code == 422 and f'id="answer-{rec_id}-text-error"' in blank.text
    answered = officer.post(f"/recommendations/{rec_id}/answer", {"text": "Đã bổ sung 6 hồ sơ."})
    assert answered.status_code == 303
    assert "Đã trả lời" in officer.get("/recommendations").text

    insp.get(f"/inspections/{plan_id}")
    accepted = insp.post(f"/recommendations/{rec_id}/accept", {"plan_id": plan_id, "text": "Đạt yêu cầu."})
    assert accepted.status_code == 303
    assert "Đã chấp nhận" in insp.get(f"/inspections/{plan_id}").text


def test_the_inspection_pdf_has_a_progress_bar_and_a_download(login, plan_id, worker):
    insp = login("inspector")
    insp.get(f"/inspections/{plan_id}")
    queued = insp.post(f"/inspections/{plan_id}/documents")
    assert queued.status_code == 303
    doc_url = queued.headers["location"]
    assert "<progress" in insp.get(doc_url).text
    fragment = _until_finished(insp, doc_url)
    assert f'href="{doc_url}/download"' in fragment, fragment
    pdf = insp.client.get(f"{doc_url}/download")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_ward_officers_do_not_run_checks_and_collaborators_see_no_inspection(login, plan_id):
    officer = login("officer")
    audited = officer.get(f"/inspections/{plan_id}")
    assert audited.status_code == 200 and "/checks" not in audited.text  # no inspector's forms
    assert officer.post(f"/inspections/{plan_id}/checks").status_code == 403  # no inspection "check"
    collab = login("collab")
    assert collab.get(f"/inspections/{plan_id}").status_code == 403  # no inspection permission
