"""The commune's month from one screen: every hamlet's report with its status, several approved or returned
at once (each through the workflow with its version: one that changed or cannot be decided is listed with
its reason, the others are done), the commune's report consolidated and submitted from the same screen,
with the step indicator; and the messages that say what happened or why not."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import text

from tests.reporting import COMMUNE_VALUES, act, enter, hamlet_values, in_period, start
from tests.support import login, make_unit
from tests.test_web_reports import PERIOD, _report_id, app, browser, tree  # noqa: F401 - fixtures

VI_MONTH = f"tháng {int(PERIOD[5:])}/{PERIOD[:4]}"


@pytest.fixture()
def month(tree, owner):  # noqa: F811
    """The tree's commune with a third hamlet, "Tổ dân phố 10", read after "Tổ dân phố 2"."""
    tree["hamlet10"] = make_unit(owner, tree["commune"], "hamlet", f"Tổ dân phố 10 {tree['tag']}")
    owner.commit()
    return tree


def _submitted(client, username: str, hamlet, participants: int = 0) -> dict:
    """The hamlet's report of the month typed in and submitted through the API by ``username``."""
    headers = login(client, username)
    found = client.get(
        "/api/v1/reports", params={"unit_id": hamlet.id, "period": PERIOD}, headers=headers
    ).json()["items"]
    report = found[0] if found else start(client, headers, hamlet, PERIOD)
    report = client.get(f"/api/v1/reports/{report['id']}", headers=headers).json()
    report = enter(client, headers, report, hamlet_values(participants))
    return act(client, headers, report["id"], "submit", version=report["version"])


def _status(owner, report_id: int) -> tuple[str, int, str | None]:
    owner.expire_all()
    row = owner.execute(
        text("SELECT status, version, comment FROM reports WHERE id = :i"), {"i": report_id}
    ).one()
    return row.status, row.version, row.comment


def _picks(page: str) -> dict[int, int]:
    return {int(i): int(v) for i, v in re.findall(r'name="pick\.(\d+)" value="(\d+)"', page)}


def _steps(page: str) -> dict[str, tuple[bool, bool]]:
    """Each step: (done, current)."""
    found = re.findall(r'<li class="step( done)?" data-step="(\w+)"( aria-current="step")?', page)
    return {name: (bool(done), bool(current)) for done, name, current in found}


def _wait_consolidated(b, location: str) -> str:
    deadline = time.monotonic() + 60
    fragment = ""
    while time.monotonic() < deadline:
        fragment = b.get(location, headers={"X-Portal-Fragment": "1"}).text
        if "data-poll" not in fragment:
            return fragment
        time.sleep(0.2)
    raise AssertionError(f"consolidation not finished: {fragment}")


def test_several_hamlet_reports_are_decided_at_once_and_those_left_are_listed_with_why(
    browser,  # noqa: F811
    month,
    owner,
    client,
):
    users, officer = month["users"], browser("officer")
    first = _submitted(client, users["collab"], month["hamlet"], participants=3)
    second = _submitted(client, users["collab2"], month["hamlet2"])
    page = officer.get("/reports/month").text
    order = [page.index(month[k].name) for k in ("hamlet", "hamlet2", "hamlet10")]
    assert order == sorted(order)  # "Tổ dân phố 2" before "Tổ dân phố 10"
    assert _picks(page) == {first["id"]: first["version"], second["id"]: second["version"]}
    assert "2 báo cáo đang chờ bạn duyệt." in page and '<th scope="col"></th>' not in page
    ticked = officer.get(f"/reports/month?period={PERIOD}&select=submitted").text
    assert ticked.count(" checked>") == 2

    # The second hamlet's report changes after the page was read: returned, corrected, submitted again.
    head = login(client, users["officer"])
    act(client, head, second["id"], "return", version=second["version"], comment="Sửa số điểm nước")
    again = _submitted(client, users["collab2"], month["hamlet2"])
    draft = start(client, head, month["hamlet10"], PERIOD)  # a draft: not submitted, no box to tick
    foreign = start(client, login(client, users["other_officer"]), month["other_hamlet"], PERIOD)

    nothing = officer.post("/reports/month/decide", {"period": PERIOD, "action": "approve"})
    assert nothing.status_code == 422 and 'id="pick-error"' in nothing.text
    assert "Hãy đánh dấu ít nhất một báo cáo đã nộp." in nothing.text
    form = {
        "period": PERIOD,
        "action": "approve",
        f"pick.{first['id']}": str(first["version"]),
        f"pick.{second['id']}": str(second["version"]),  # the version the page showed
        f"pick.{draft['id']}": str(draft["version"]),  # forged: the page offers no box for a draft
        f"pick.{foreign['id']}": str(foreign["version"]),  # another commune's report
    }
    done = officer.post("/reports/month/decide", form)
    assert done.status_code == 200, done.text
    said = re.sub(
        r"\s+",
        " ",
        re.search(r'class="flash bulk-outcome" role="status">\s*<p>(.*?)</p>', done.text, re.S).group(1),
    )
    assert said == (
        f"Đã duyệt 1 báo cáo; 3 chưa duyệt: {month['hamlet2'].name} (đã thay đổi sau khi mở trang), "
        f"{month['hamlet10'].name} (hiện đang soạn), #{foreign['id']} (không tìm thấy)."
    )
    assert _status(owner, first["id"])[0] == "approved"
    assert _status(owner, second["id"])[:2] == ("submitted", again["version"])
    assert _status(owner, draft["id"])[0] == "draft" and _status(owner, foreign["id"])[0] == "draft"
    assert _picks(done.text) == {second["id"]: again["version"]}  # the page shows the reports as they are

    no_comment = officer.post(
        "/reports/month/decide",
        {"period": PERIOD, "action": "return", f"pick.{second['id']}": str(again["version"]), "comment": " "},
    )
    assert no_comment.status_code == 422 and 'id="comment-error"' in no_comment.text
    assert _status(owner, second["id"])[0] == "submitted"
    returned = officer.post(
        "/reports/month/decide",
        {
            "period": PERIOD,
            "action": "return",
            f"pick.{second['id']}": str(again["version"]),
            f"pick.{first['id']}": "99",  # approved already
            "comment": "Thiếu số trẻ tham gia",
        },
    )
    assert returned.status_code == 200
    assert (
        f"Đã trả lại 1 báo cáo; 1 chưa trả lại: {month['hamlet'].name} (hiện đã phê duyệt)." in returned.text
    )
    assert _status(owner, second["id"])[0::2] == ("returned", "Thiếu số trẻ tham gia")
    none_done = officer.post(
        "/reports/month/decide", {"period": PERIOD, "action": "approve", f"pick.{first['id']}": "1"}
    )
    assert none_done.status_code == 409 and 'class="alert bulk-outcome"' in none_done.text


def test_only_the_commune_s_approvers_decide_in_bulk(browser, month, owner, client):  # noqa: F811
    report = _submitted(client, month["users"]["collab"], month["hamlet"], participants=3)
    form = {"period": PERIOD, "action": "approve", f"pick.{report['id']}": str(report["version"])}
    for who in ("collab", "chair", "inspector", "hotline"):
        b = browser(who)
        b.get("/reports")  # a page's form token
        refused = b.post("/reports/month/decide", form)
        assert refused.status_code == 403, (who, refused.status_code)
        assert "Bạn không có quyền xem trang này." in refused.text
    outsider = browser("other_officer")
    outsider.get("/reports/month")
    outsider = outsider.post("/reports/month/decide", form)
    assert outsider.status_code == 409 and "(không tìm thấy)" in outsider.text  # not among its hamlets
    assert _status(owner, report["id"])[0] == "submitted"
    refused_audit = owner.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE username = :u AND outcome = 'denied' AND resource = 'report'"
        ),
        {"u": month["users"]["chair"]},
    ).scalar_one()
    assert refused_audit >= 1
    officer = browser("officer")
    officer.get("/reports/month")
    bad = officer.post("/reports/month/decide", form | {"action": "delete"})
    assert bad.status_code == 422
    bad_period = officer.post("/reports/month/decide", form | {"period": "2026-13"})
    assert bad_period.status_code == 422 and 'id="period-error"' in bad_period.text


def test_the_commune_s_month_is_consolidated_and_submitted_from_one_screen(
    browser,  # noqa: F811
    month,
    owner,
    client,
    worker,
):
    users, officer = month["users"], browser("officer")
    page = officer.get("/reports/month").text
    assert _steps(page) == {
        "prepared": (False, True),
        "approved": (False, False),
        "consolidated": (False, False),
        "submitted": (False, False),
    }
    prepared = officer.post("/reports/month/prepare", {"period": PERIOD})
    assert "Đã chuẩn bị 3 bản nháp từ dữ liệu trẻ em." in prepared.text
    assert _steps(prepared.text)["approved"] == (False, True)
    _submitted(client, users["collab"], month["hamlet"], participants=3)
    _submitted(client, users["collab2"], month["hamlet2"])

    early = officer.post("/reports/month/consolidate", {"period": PERIOD})
    assert early.status_code == 409, early.text
    assert "Chưa tổng hợp: một số đơn vị cấp dưới chưa được duyệt." in early.text
    page = officer.get(f"/reports/month?period={PERIOD}&select=submitted").text
    picks = _picks(page)
    officer.post(
        "/reports/month/decide",
        {"period": PERIOD, "action": "approve"} | {f"pick.{i}": str(v) for i, v in picks.items()},
    )
    head = login(client, users["officer"])
    tenth = client.get(
        "/api/v1/reports", params={"unit_id": month["hamlet10"].id, "period": PERIOD}, headers=head
    ).json()["items"][0]
    tenth = enter(
        client, head, client.get(f"/api/v1/reports/{tenth['id']}", headers=head).json(), hamlet_values(0)
    )
    tenth = act(client, head, tenth["id"], "submit", version=tenth["version"])
    page = officer.get("/reports/month").text
    officer.post(
        "/reports/month/decide",
        {"period": PERIOD, "action": "approve", f"pick.{tenth['id']}": str(tenth["version"])},
    )
    page = officer.get("/reports/month").text
    assert _steps(page)["approved"] == (True, False) and _steps(page)["consolidated"] == (False, True)

    consolidating = officer.post("/reports/month/consolidate", {"period": PERIOD})
    assert consolidating.status_code == 303, consolidating.text
    location = consolidating.headers["location"]
    assert re.fullmatch(r"/consolidations/\d+", location)
    progress = officer.get(location).text
    assert f'href="/reports/month?period={PERIOD}"' in progress  # back to the month, and to the report
    assert "Hoàn thành." in _wait_consolidated(officer, location)
    page = officer.get("/reports/month").text
    assert _steps(page)["consolidated"] == (True, False) and _steps(page)["submitted"] == (False, True)
    commune = int(re.search(r'action="/reports/(\d+)/action" class="inline submit-own"', page).group(1))

    # A hamlet's report reopened after the consolidation: the submission names it.
    act(client, head, tenth["id"], "reopen", reason="Nhập sai số liệu")
    typed = in_period(COMMUNE_VALUES, PERIOD, "commune")  # the month's campaigns too
    form = {f"values.{c}.{k}": str(n) for c, cells in typed.items() for k, n in cells.items()}
    version = _status(owner, commune)[1]
    assert _report_id(officer.post(f"/reports/{commune}/values", form | {"version": str(version)})) == commune
    version = _status(owner, commune)[1]
    stale = officer.post(
        f"/reports/{commune}/action", {"action": "submit", "version": str(version), "next": "month"}
    )
    assert stale.status_code == 409
    assert "Chưa nộp: báo cáo của các đơn vị sau đã thay đổi kể từ lần tổng hợp." in stale.text
    assert f'<ul class="changed-units"><li>{month["hamlet10"].name}</li></ul>' in stale.text
    assert "đã thay đổi hoặc bị khóa" not in stale.text
    assert _status(owner, commune)[0] == "draft"

    tenth = client.get(f"/api/v1/reports/{tenth['id']}", headers=head).json()
    tenth = act(client, head, tenth["id"], "submit", version=tenth["version"])
    act(client, head, tenth["id"], "approve", version=tenth["version"])
    location = officer.post("/reports/month/consolidate", {"period": PERIOD}).headers["location"]
    assert "Hoàn thành." in _wait_consolidated(officer, location)
    page = officer.get("/reports/month").text
    version = re.search(r'name="version" value="(\d+)">\s*<input type="hidden" name="next"', page).group(1)
    # The data checks' warnings explained on the report's page first (the level above reads them).
    boxes = re.findall(r'<textarea id="(explain\.[a-z_]+)"', officer.get(f"/reports/{commune}").text)
    assert "explain.abused_vs_case_register" in boxes  # 1 abused child typed, no case in the register
    note = {box: "Đã đối chiếu với công an phường" for box in boxes}
    assert officer.post(f"/reports/{commune}/explanations", note | {"version": version}).status_code == 303
    submitted = officer.post(
        f"/reports/{commune}/action", {"action": "submit", "version": version, "next": "month"}
    )
    assert submitted.status_code == 303, re.findall(r'role="alert">(.*?)</div>', submitted.text, re.S)
    assert submitted.headers["location"] == f"/reports/month?period={PERIOD}&msg=submit"
    page = officer.get(submitted.headers["location"]).text
    assert f"Đã nộp báo cáo {VI_MONTH} của {month['commune'].name}." in page
    assert all(done for done, _current in _steps(page).values())
    assert _status(owner, commune)[0] == "submitted"


def test_a_submission_before_any_consolidation_says_so(browser, month, owner):  # noqa: F811
    officer = browser("officer")
    officer.get("/reports/month")
    commune = _report_id(officer.post("/reports/month", {"period": PERIOD}))
    typed = in_period(COMMUNE_VALUES, PERIOD, "commune")  # the month's campaigns too
    form = {f"values.{c}.{k}": str(n) for c, cells in typed.items() for k, n in cells.items()}
    assert _report_id(officer.post(f"/reports/{commune}/values", form)) == commune
    refused = officer.post(f"/reports/{commune}/action", {"action": "submit"})
    assert refused.status_code == 409
    assert "Chưa nộp: báo cáo chưa được tổng hợp từ các đơn vị cấp dưới." in refused.text

    pending = officer.post(f"/reports/{commune}/consolidate", {})
    assert pending.status_code == 409  # the report's page says why, not the error page with "Home"
    assert "Chưa tổng hợp: một số đơn vị cấp dưới chưa được duyệt." in pending.text
    assert f'action="/reports/{commune}/consolidate"' in pending.text
    assert _status(owner, commune)[0] == "draft"
