"""Report pages: a collaborator's monthly report on a phone, the ward officer's approvals, an inspector's
view with small cells hidden, and the document progress bar."""

from __future__ import annotations

import re
import time

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from infra.clock import today
from portal.app import create_app
from portal.reports.periods import containing
from tests.e2e.site import Browser, web_tree
from tests.reporting import hamlet_values, in_period
from tests.support import make_user


@pytest.fixture(scope="module")
def app(database: object) -> object:
    return create_app()


@pytest.fixture()
def tree(owner):
    found = web_tree(owner)
    found["users"]["collab2"] = make_user(
        owner, f"web-collab2-{found['tag']}", "collaborator", found["hamlet2"].id
    ).username
    return found


@pytest.fixture()
def browser(app, tree):
    def make(who: str) -> Browser:
        b = Browser(TestClient(app=app, base_url="http://testserver.local"))
        b.login(tree["users"][who])
        return b

    return make


PERIOD = containing("month", today()).key


def _form(participants: int = 3, **overrides: str) -> dict[str, str]:
    values = in_period(hamlet_values(participants), PERIOD, "hamlet")  # the month's campaigns only
    form = {f"values.{code}.{key}": str(n) for code, cells in values.items() for key, n in cells.items()}
    form.update(overrides)
    return form


def _report_id(response) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/reports/(\d+)\?msg=\w+", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _stored(owner, report_id: int) -> dict:
    owner.expire_all()
    return dict(
        owner.execute(text("SELECT status, entered FROM reports WHERE id = :i"), {"i": report_id})
        .one()
        ._mapping
    )


def _type_and_submit(b: Browser, participants: int = 3) -> int:
    month = b.get("/reports/month")
    assert month.status_code == 200, month.text
    if "Bắt đầu báo cáo tháng này" in month.text:
        report_id = _report_id(b.post("/reports/month", {"period": PERIOD}))
    else:
        report_id = int(re.search(r'href="/reports/(\d+)"', month.text.split("Mở báo cáo")[0]).group(1))
    page = b.get(f"/reports/{report_id}")
    assert 'name="values.injuries.fall"' in page.text
    assert _report_id(b.post(f"/reports/{report_id}/values", _form(participants))) == report_id
    assert _report_id(b.post(f"/reports/{report_id}/action", {"action": "submit"})) == report_id
    return report_id


def test_collaborator_types_the_monthly_report_with_a_bad_cell_then_submits(browser, tree, owner):
    b = browser("collab")
    home = b.get("/reports/month")
    assert "Báo cáo tháng" in home.text and "Bắt đầu báo cáo tháng này" in home.text
    report_id = _report_id(b.post("/reports/month", {"period": PERIOD}))
    page = b.get(f"/reports/{report_id}")
    assert page.status_code == 200 and "Đang soạn" in page.text
    assert f'action="/reports/{report_id}/values"' in page.text
    bad = b.post(f"/reports/{report_id}/values", _form(**{"values.injuries.fall": "hai"}))
    assert bad.status_code == 422, bad.text
    assert 'id="values.injuries.fall-error"' in bad.text and "Phải là số nguyên không âm." in bad.text
    assert 'value="hai"' in bad.text  # what was typed stays in the box
    assert _stored(owner, report_id)["entered"] == {}
    too_many = b.post(f"/reports/{report_id}/values", _form(**{"values.injury_deaths.drowning": "9"}))
    assert too_many.status_code == 422 and 'id="values.injury_deaths.drowning-error"' in too_many.text
    assert _stored(owner, report_id)["entered"] == {}
    b.post("/lang", {"lang": "en", "next": f"/reports/{report_id}"})
    english = b.post(f"/reports/{report_id}/values", _form(**{"values.injuries.fall": "-1"}))
    assert english.status_code == 422 and "Must not be negative." in english.text
    b.post("/lang", {"lang": "vi", "next": f"/reports/{report_id}"})
    assert _report_id(b.post(f"/reports/{report_id}/values", _form())) == report_id
    assert _stored(owner, report_id)["entered"]["injuries"]["fall"] == 1
    assert _report_id(b.post(f"/reports/{report_id}/action", {"action": "submit"})) == report_id
    after = b.get(f"/reports/{report_id}?msg=submit").text
    said = f"Đã nộp báo cáo tháng {int(PERIOD[5:])}/{PERIOD[:4]} của {tree['hamlet'].name}."
    assert said in after and "Đã nộp, chờ phê duyệt" in after
    assert f'action="/reports/{report_id}/values"' not in after  # locked once submitted
    assert _stored(owner, report_id)["status"] == "submitted"


def test_ward_officer_prepares_drafts_approves_one_and_returns_another(browser, tree, owner):
    officer = browser("officer")
    month = officer.get("/reports/month")
    assert month.status_code == 200 and tree["hamlet2"].name in month.text and "Chưa có báo cáo" in month.text
    prepared = officer.post("/reports/month/prepare", {"period": PERIOD})
    assert prepared.status_code == 200 and "Đã chuẩn bị 2 bản nháp từ dữ liệu trẻ em." in prepared.text
    month = officer.get("/reports/month").text
    assert month.count('data-status="draft"') == 2
    first = _type_and_submit(browser("collab"))
    second = _type_and_submit(browser("collab2"), participants=0)  # no children there
    month = officer.get("/reports/month").text
    assert month.count('data-status="submitted"') == 2
    page = officer.get(f"/reports/{first}").text
    assert 'value="approve"' in page and 'value="return"' in page
    assert _report_id(officer.post(f"/reports/{first}/action", {"action": "approve"})) == first
    assert _stored(owner, first)["status"] == "approved"
    no_comment = officer.post(f"/reports/{second}/action", {"action": "return", "comment": " "})
    assert no_comment.status_code == 422 and 'id="comment-error"' in no_comment.text
    assert _stored(owner, second)["status"] == "submitted"
    returned = officer.post(
        f"/reports/{second}/action", {"action": "return", "comment": "Thiếu số điểm nước"}
    )
    assert _report_id(returned) == second
    seen = browser("collab2").get(f"/reports/{second}").text
    assert "Bị trả lại" in seen and "Thiếu số điểm nước" in seen and 'name="values.injuries.fall"' in seen
    listing = officer.get("/reports").text
    assert f'href="/reports/{first}"' in listing and "Đã phê duyệt" in listing
    commune = _report_id(officer.post("/reports/month", {"period": PERIOD}))
    page = officer.get(f"/reports/{commune}").text
    assert f'action="/reports/{commune}/consolidate"' in page and 'name="values.abused_children.male"' in page
    assert f'href="/reports/{first}"' in page and 'data-status="returned"' in page  # the hamlets below
    consolidating = officer.post(f"/reports/{commune}/consolidate", {"with_missing": "1"})
    assert consolidating.status_code == 303
    assert 'href="/consolidations/' in officer.get(f"/reports/{commune}").text
    progress = officer.get(consolidating.headers["location"]).text
    assert f'href="/reports/{commune}"' in progress  # back to the report, not home
    # a collaborator cannot approve (no button; the service refuses a forged post)
    assert browser("collab").post(f"/reports/{second}/action", {"action": "approve"}).status_code in (
        403,
        404,
    )


def test_lists_and_reports_of_another_commune_stay_hidden(browser, tree, owner):
    outsider = make_user(owner, f"web-oo-{tree['tag']}", "ward_officer", tree["other"].id).username
    tree["users"]["outsider"] = outsider
    other = browser("outsider")
    other.get("/reports/month")
    foreign = _report_id(other.post("/reports/month", {"period": PERIOD}))
    mine = _type_and_submit(browser("collab"))
    officer = browser("officer")
    listing = officer.get("/reports").text
    assert f'href="/reports/{mine}"' in listing and f'href="/reports/{foreign}"' not in listing
    assert officer.get(f"/reports/{foreign}").status_code == 404
    assert officer.post(f"/reports/{foreign}/action", {"action": "submit"}).status_code == 404
    assert outsider not in officer.get("/staff").text


def test_inspector_sees_small_cells_hidden_and_no_entry_form(browser, tree, owner):
    report_id = _type_and_submit(browser("collab"))
    page = browser("inspector").get(f"/reports/{report_id}")
    assert page.status_code == 200, page.text
    assert "&lt;5" in page.text and 'data-cell="male">&lt;5<' in page.text
    assert f'action="/reports/{report_id}/values"' not in page.text and 'value="approve"' not in page.text
    assert "Chỉ số liệu tổng hợp" in page.text
    assert browser("collab").get(f"/reports/{report_id}").text.count("&lt;5") == 0  # exact for its keeper


def test_report_document_has_a_progress_bar_and_a_download(browser, tree, owner, worker):
    b = browser("collab")
    b.get("/reports/month")
    report_id = _report_id(b.post("/reports/month", {"period": PERIOD}))
    response = b.post(f"/reports/{report_id}/documents", {"format": "xlsx"})
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/report-documents/[0-9a-f-]{36}", location)
    assert f'data-poll="{location}"' in b.get(location).text
    deadline = time.monotonic() + 60
    fragment = ""
    while time.monotonic() < deadline:
        fragment = b.get(location, headers={"X-Portal-Fragment": "1"}).text
        if "data-poll" not in fragment:
            break
        time.sleep(0.2)
    assert "Hoàn thành." in fragment and f'href="{location}/download"' in fragment
    download = b.get(f"{location}/download")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert browser("collab2").get(location).status_code == 404  # another hamlet's keeper


def _wait_document(b: Browser, location: str) -> str:
    deadline = time.monotonic() + 60
    fragment = ""
    while time.monotonic() < deadline:
        fragment = b.get(location, headers={"X-Portal-Fragment": "1"}).text
        if "data-poll" not in fragment:
            return fragment
        time.sleep(0.2)
    raise AssertionError(f"document not finished: {fragment}")


def test_a_failed_document_is_made_again_from_the_report_s_documents(browser, tree, owner, worker):
    b = browser("collab")
    b.get("/reports/month")
    report_id = _report_id(b.post("/reports/month", {"period": PERIOD}))
    location = b.post(f"/reports/{report_id}/documents", {"format": "pdf"}).headers["location"]
    assert "Hoàn thành." in _wait_document(b, location)
    document = location.rsplit("/", 1)[1]
    ready = b.get(f"/reports/{report_id}").text
    assert f'href="{location}/download"' in ready and 'data-status="done">Đã xong<' in ready
    assert f'action="{location}/retry"' not in ready
    refused = b.post(f"{location}/retry")
    assert refused.status_code == 409 and "Chưa tạo lại: chỉ tạo lại tệp bị lỗi" in refused.text

    owner.execute(  # storage was down: the worker gave up on it
        text("UPDATE report_documents SET status = 'failed', error = 'storage down' WHERE id = :i"),
        {"i": document},
    )
    owner.commit()
    failed = b.get(f"/reports/{report_id}").text
    assert 'data-status="failed">Không thành công<' in failed and f'action="{location}/retry"' in failed
    other = browser("collab2")
    other.get("/reports")
    assert other.post(f"{location}/retry").status_code == 404  # another hamlet's keeper
    again = b.post(f"{location}/retry")
    assert again.status_code == 303 and again.headers["location"] == f"{location}?msg=retried"
    assert "Tệp đang được tạo lại." in b.get(again.headers["location"]).text
    assert "Hoàn thành." in _wait_document(b, location)
    download = b.get(f"{location}/download")
    assert download.status_code == 200 and download.content[:4] == b"%PDF"
